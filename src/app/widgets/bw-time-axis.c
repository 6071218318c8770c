/* bw-time-axis.c: tick positions and labels for a time axis in local time
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-time-axis"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "bw-time-axis.h"

#define SEC  G_GINT64_CONSTANT (1000)
#define MINUTE (60 * SEC)
#define HOUR (60 * MINUTE)
#define DAY  (24 * HOUR)

/* steps that read well on a clock */
static const gint64 steps[] = {
  1, 2, 5, 10, 20, 50, 100, 200, 500,
  1 * SEC, 2 * SEC, 5 * SEC, 10 * SEC, 15 * SEC, 30 * SEC,
  1 * MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  1 * HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
  1 * DAY, 2 * DAY, 7 * DAY, 14 * DAY, 28 * DAY,
};

/* The smallest clock-friendly step that leaves @min_spacing pixels between
 * ticks. */
gint64
bw_time_axis_pick_step (double t0_ms,
                        double t1_ms,
                        double width,
                        double min_spacing)
{
  double ms_per_px;

  if (width <= 0 || !(t1_ms > t0_ms))
    return steps[G_N_ELEMENTS (steps) - 1];
  ms_per_px = (t1_ms - t0_ms) / width;
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if ((double) steps[i] / ms_per_px >= min_spacing)
      return steps[i];
  return steps[G_N_ELEMENTS (steps) - 1];
}

static gint64
local_offset_ms (GTimeZone *tz,
                 gint64     t_ms)
{
  int interval = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, t_ms / 1000);

  if (interval < 0)
    return 0;
  return (gint64) g_time_zone_get_offset (tz, interval) * 1000;
}

static gint64
floor_div (gint64 a,
           gint64 b)
{
  return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/**
 * bw_time_axis_ticks:
 * @ticks: (out caller-allocates) (array length=max_ticks): tick times
 * @step_ms: (out) (optional): the step chosen
 *
 * Ticks at round local times (every 5 minutes on the local clock, every local
 * midnight, …) in [@t0_ms, @t1_ms], at least @min_spacing pixels apart when
 * the range is @width pixels wide. Day steps fall on local midnight even
 * across a change of UTC offset.
 *
 * Returns: the number of ticks
 */
guint
bw_time_axis_ticks (double     t0_ms,
                    double     t1_ms,
                    double     width,
                    double     min_spacing,
                    GTimeZone *tz,
                    gint64    *ticks,
                    guint      max_ticks,
                    gint64    *step_ms)
{
  gint64 step;
  guint n = 0;

  g_return_val_if_fail (tz != NULL, 0);
  g_return_val_if_fail (max_ticks == 0 || ticks != NULL, 0);

  step = bw_time_axis_pick_step (t0_ms, t1_ms, width, min_spacing);
  if (step_ms)
    *step_ms = step;
  if (!(t1_ms > t0_ms) || max_ticks == 0)
    return 0;

  if (step < DAY)
    {
      /* round in local time: local = utc + offset */
      gint64 a = (gint64) ceil (t0_ms);
      gint64 off = local_offset_ms (tz, a);
      gint64 local = floor_div (a + off, step) * step;

      for (;; local += step)
        {
          gint64 t = local - off;

          if (t < a)
            continue;
          if ((double) t > t1_ms || n >= max_ticks)
            break;
          /* the offset changed (summer time): re-anchor */
          if (local_offset_ms (tz, t) != off)
            {
              off = local_offset_ms (tz, t);
              t = local - off;
              if (t < a || (n > 0 && t <= ticks[n - 1]))
                continue;
              if ((double) t > t1_ms)
                break;
            }
          ticks[n++] = t;
        }
    }
  else
    {
      gint64 days = step / DAY;
      g_autoptr(GDateTime) start = g_date_time_new_from_unix_utc ((gint64) floor (t0_ms / 1000));
      g_autoptr(GDateTime) local = g_date_time_to_timezone (start, tz);
      g_autoptr(GDateTime) day = NULL;
      gint64 julian;

      /* local midnight on or before t0, aligned to whole steps of days */
      day = g_date_time_new (tz, g_date_time_get_year (local), g_date_time_get_month (local),
                             g_date_time_get_day_of_month (local), 0, 0, 0);
      julian = g_date_time_to_unix (day) / 86400;
      if (days > 1)
        {
          GDateTime *aligned = g_date_time_add_days (day, -(int) (((julian % days) + days) % days));

          g_date_time_unref (day);
          day = aligned;
        }
      while (n < max_ticks)
        {
          gint64 t = g_date_time_to_unix (day) * 1000;
          GDateTime *next;

          if ((double) t > t1_ms)
            break;
          if ((double) t >= t0_ms)
            ticks[n++] = t;
          next = g_date_time_add_days (day, (int) days);
          g_date_time_unref (day);
          day = next;
        }
    }
  return n;
}

/**
 * bw_time_axis_format_tick:
 *
 * A tick's label, as precise as the step needs: "08:15", "08:15:30",
 * "08:15:30.250"; a tick at local midnight shows the date instead.
 */
char *
bw_time_axis_format_tick (gint64     t_ms,
                          gint64     step_ms,
                          GTimeZone *tz)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (floor_div (t_ms, 1000));
  g_autoptr(GDateTime) dt = NULL;
  int ms = (int) (t_ms - floor_div (t_ms, 1000) * 1000);

  g_return_val_if_fail (tz != NULL, NULL);

  if (utc == NULL)
    return g_strdup ("");
  dt = g_date_time_to_timezone (utc, tz);

  if (step_ms >= DAY ||
      (step_ms >= MINUTE && g_date_time_get_hour (dt) == 0 && g_date_time_get_minute (dt) == 0))
    /* Translators: a date on a chart's time axis, see g_date_time_format() */
    return g_date_time_format (dt, C_("chart time axis", "%b %-d"));
  if (step_ms >= MINUTE)
    /* Translators: hours and minutes on a chart's time axis */
    return g_date_time_format (dt, C_("chart time axis", "%H:%M"));
  if (step_ms >= SEC)
    /* Translators: a time with seconds on a chart's time axis */
    return g_date_time_format (dt, C_("chart time axis", "%H:%M:%S"));
  {
    g_autofree char *hms = g_date_time_format (dt, C_("chart time axis", "%H:%M:%S"));

    return g_strdup_printf ("%s.%03d", hms, ms);
  }
}

/**
 * bw_time_axis_format_full:
 * @precision_ms: how precisely the time is known (a pixel's worth of time)
 *
 * Date and time for the hover cursor, with milliseconds when the precision
 * is below a second.
 */
char *
bw_time_axis_format_full (gint64     t_ms,
                          double     precision_ms,
                          GTimeZone *tz)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (floor_div (t_ms, 1000));
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *text = NULL;
  int ms = (int) (t_ms - floor_div (t_ms, 1000) * 1000);

  g_return_val_if_fail (tz != NULL, NULL);

  if (utc == NULL)
    return g_strdup ("");
  dt = g_date_time_to_timezone (utc, tz);
  /* Translators: date and time under a chart's hover cursor, see g_date_time_format() */
  text = g_date_time_format (dt, C_("chart cursor", "%Y-%m-%d %H:%M:%S"));
  if (precision_ms < 1000)
    return g_strdup_printf ("%s.%03d", text, ms);
  return g_steal_pointer (&text);
}
