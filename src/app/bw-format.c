/* bw-format.c: how the app writes times, durations and values
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-format"

#include "config.h"

#include <math.h>
#include <stdio.h>

#include <glib/gi18n.h>

#include "bw-format.h"
#include "bw-tags.h"
#include "bw-time.h"

/**
 * bw_format_duration:
 *
 * Returns: a duration as people say it: "42 s", "4 min 05 s", "2 h 05 min"
 */
char *
bw_format_duration (gint64 us)
{
  gint64 s = MAX (us, 0) / G_USEC_PER_SEC;

  if (s < 60)
    return g_strdup_printf (_("%d s"), (int) s);
  if (s < 3600)
    return g_strdup_printf (_("%d min %02d s"), (int) (s / 60), (int) (s % 60));
  return g_strdup_printf (_("%d h %02d min"), (int) (s / 3600), (int) (s / 60 % 60));
}

/**
 * bw_format_elapsed:
 *
 * Returns: a ticking clock of a running stop: "0:42", "12:05", "1:02:07"
 */
char *
bw_format_elapsed (gint64 us)
{
  gint64 s = MAX (us, 0) / G_USEC_PER_SEC;

  if (s < 3600)
    return g_strdup_printf ("%d:%02d", (int) (s / 60), (int) (s % 60));
  return g_strdup_printf ("%d:%02d:%02d", (int) (s / 3600), (int) (s / 60 % 60), (int) (s % 60));
}

static GDateTime *
local_time (gint64 time_us)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);

  return utc ? g_date_time_to_local (utc) : NULL;
}

char *
bw_format_time (gint64 time_us)
{
  g_autoptr(GDateTime) dt = time_us > 0 ? local_time (time_us) : NULL;

  return dt ? g_date_time_format (dt, "%H:%M:%S") : g_strdup ("—");
}

char *
bw_format_date_time (gint64 time_us)
{
  g_autoptr(GDateTime) dt = time_us > 0 ? local_time (time_us) : NULL;

  /* Translators: a date and time in the journal, as strftime() takes it */
  return dt ? g_date_time_format (dt, _("%d.%m.%Y %H:%M:%S")) : g_strdup ("—");
}

char *
bw_format_date (gint64 time_us)
{
  g_autoptr(GDateTime) dt = time_us > 0 ? local_time (time_us) : NULL;

  /* Translators: a date, as strftime() takes it */
  return dt ? g_date_time_format (dt, _("%d.%m.%Y")) : g_strdup ("—");
}

/**
 * bw_format_unit:
 *
 * Returns: the translated unit of a standard tag ("" for others)
 */
const char *
bw_format_unit (const char *tag)
{
  int t = tag ? bw_tag_from_name (tag, -1) : -1;

  switch (t)
    {
    case BW_TAG_BELT_SPEED:
      return C_("unit", "m/s");
    case BW_TAG_MOTOR_CURRENT:
      return C_("unit", "A");
    case BW_TAG_LOAD:
      return C_("unit", "t/h");
    case BW_TAG_MD_SIGNAL:
      return C_("unit", "%");
    case BW_TAG_VIBRATION:
      return C_("unit", "mm/s");
    default:
      return "";
    }
}

char *
bw_format_value (double      value,
                 const char *tag)
{
  const char *unit = bw_format_unit (tag);
  int t = tag ? bw_tag_from_name (tag, -1) : -1;
  int digits;

  if (!isfinite (value))
    return g_strdup ("—");
  if (t >= 0 && bw_tag_is_binary (t))
    return g_strdup (value >= 0.5 ? C_("binary", "on") : C_("binary", "off"));
  digits = fabs (value) >= 100 ? 0 : fabs (value) >= 10 ? 1 : 2;
  return unit[0] ? g_strdup_printf ("%.*f %s", digits, value, unit) : g_strdup_printf ("%.*f", digits, value);
}

char *
bw_format_probability (double p)
{
  if (!isfinite (p))
    return g_strdup ("—");
  return g_strdup_printf ("%.0f %%", 100.0 * p);
}

/**
 * bw_format_cause:
 *
 * Returns: the translated label of a cause code, "Unclassified" for NULL
 */
const char *
bw_format_cause (const char *code)
{
  if (code == NULL || code[0] == '\0')
    return _("Unclassified");
  return bw_cause_get_label (code);
}

const char *
bw_format_trigger (const char *trigger)
{
  if (trigger == NULL || trigger[0] == '\0')
    return "—";
  return bw_trigger_get_label (trigger);
}

/**
 * bw_parse_local_date_time:
 * @text: "28.11.2026 08:00", "28.11.2026", "2026-11-28 08:00" or RFC 3339
 *
 * Returns: whether @text is a date (and time) in the local time zone
 */
gboolean
bw_parse_local_date_time (const char *text,
                          gint64     *out_us)
{
  int d = 0, m = 0, y = 0, hh = 0, mm = 0, ss = 0, n;
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) dt = NULL;
  char tail;

  if (text == NULL)
    return FALSE;
  while (g_ascii_isspace (*text))
    text++;
  if (bw_time_parse (text, -1, out_us))
    return TRUE;
  if ((n = sscanf (text, "%d.%d.%d %d:%d:%d%c", &d, &m, &y, &hh, &mm, &ss, &tail)) >= 3 && n <= 6)
    ;
  else if ((n = sscanf (text, "%d-%d-%d %d:%d:%d%c", &y, &m, &d, &hh, &mm, &ss, &tail)) >= 3 && n <= 6)
    ;
  else
    return FALSE;
  if (n == 4)
    return FALSE;   /* an hour without minutes */
  if (y < 100)
    y += 2000;
  tz = g_time_zone_new_local ();
  dt = g_date_time_new (tz, y, m, d, hh, mm, ss);
  if (dt == NULL)
    return FALSE;
  *out_us = g_date_time_to_unix (dt) * G_USEC_PER_SEC;
  return TRUE;
}
