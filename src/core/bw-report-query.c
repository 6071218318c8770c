/* bw-report-query.c: report options from query parameters
 *
 * The service's GET /api/v1/reports/downtime and `beltwatch-ml report` take
 * the same parameters; this is where they mean something.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-report"

#include "config.h"

#include <string.h>

#include "bw-report-private.h"

#include "bw-error.h"
#include "bw-time.h"

static const char * const known[] = {
  "from", "to", "type", "shift", "date", "format", "lang", "conveyor", "plant", "section", "prepared_by",
  "orientation", "separator", "tz", "now", NULL
};

static const char *
get (GHashTable *query,
     const char *name)
{
  const char *v = query ? g_hash_table_lookup (query, name) : NULL;
  return v && *v ? v : NULL;
}

static gboolean
get_time (GHashTable  *query,
          const char  *name,
          gint64      *out,
          GError     **error)
{
  const char *v = get (query, name);

  if (v == NULL)
    return TRUE;
  if (!bw_time_parse (v, -1, out))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   "“%s” is not an RFC 3339 time (for example 2026-11-27T08:00:00+03:00)", name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_date (const char *text,
            int        *y,
            int        *m,
            int        *d)
{
  unsigned yy, mm, dd;

  if (strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (text[i]))
      return FALSE;
  yy = (unsigned) g_ascii_strtoull (text, NULL, 10);
  mm = (unsigned) g_ascii_strtoull (text + 5, NULL, 10);
  dd = (unsigned) g_ascii_strtoull (text + 8, NULL, 10);
  if (yy < 1970 || !g_date_valid_dmy ((GDateDay) dd, (GDateMonth) mm, (GDateYear) yy))
    return FALSE;
  *y = (int) yy, *m = (int) mm, *d = (int) dd;
  return TRUE;
}

/* a local date: YYYY-MM-DD, today or yesterday (relative to @now_us) */
static gboolean
get_date (GHashTable  *query,
          GTimeZone   *tz,
          gint64       now_us,
          int         *y,
          int         *m,
          int         *d,
          GError     **error)
{
  const char *v = get (query, "date");
  g_autoptr(GDateTime) now = NULL, local = NULL;

  if (v && parse_date (v, y, m, d))
    return TRUE;
  if (v && !g_str_equal (v, "today") && !g_str_equal (v, "yesterday"))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "“date” must be YYYY-MM-DD, today or yesterday");
      return FALSE;
    }
  now = g_date_time_new_from_unix_utc (now_us / BW_USEC_PER_SEC);
  local = g_date_time_to_timezone (now, tz);
  if (v && g_str_equal (v, "yesterday"))
    {
      GDateTime *prev = g_date_time_add_days (local, -1);
      g_date_time_unref (local);
      local = prev;
    }
  g_date_time_get_ymd (local, y, m, d);
  return TRUE;
}

/**
 * bw_report_options_apply_query:
 * @query: (element-type utf8 utf8): parameter → value
 * @schedule: the plant's shifts (in the plant's time zone)
 * @format: (out) (optional): the format asked for (`pdf` when none)
 *
 * The period:
 * - `from` and `to` (RFC 3339): a range report (`to` defaults to now);
 * - `type=shift`: `shift=previous` (the default: the last shift that has
 *   ended), `current`, or a shift's name or number with `date=YYYY-MM-DD`
 *   (the shift that starts on that date; without a date, the latest one
 *   that has started); with `from`, the shift containing it;
 * - `type=day`: the production day that starts on `date` (`today`,
 *   `yesterday`, YYYY-MM-DD; default: the last complete one); with `from`,
 *   the day containing it.
 * Without `type`: `shift` given means a shift, `date` a day, `from` a range,
 * nothing at all the previous shift. `tz` (an IANA zone, e.g.
 * Europe/Moscow) overrides the schedule's zone; `now` fixes the clock.
 */
gboolean
bw_report_options_apply_query (BwReportOptions  *self,
                               GHashTable       *query,
                               BwShiftSchedule  *schedule,
                               BwReportFormat   *format,
                               GError          **error)
{
  g_autoptr(BwShiftSchedule) sched = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  BwReportFormat fmt = BW_REPORT_FORMAT_PDF;
  BwReportType type;
  const char *v;
  gint64 from = 0, to = 0, now = 0;
  gboolean have_type;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (schedule != NULL, FALSE);

  if (query)
    {
      GHashTableIter it;
      gpointer key, value;

      g_hash_table_iter_init (&it, query);
      while (g_hash_table_iter_next (&it, &key, &value))
        {
          if (!g_utf8_validate (key, -1, NULL) || (value && !g_utf8_validate (value, -1, NULL)))
            {
              g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "Parameters must be UTF-8");
              return FALSE;
            }
          if (!g_strv_contains (known, key))
            {
              g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "Unknown parameter “%s”", (const char *) key);
              return FALSE;
            }
        }
    }

  if ((v = get (query, "format")) && !bw_report_format_from_string (v, &fmt))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "“format” must be pdf, csv, csv-stops, csv-totals or json");
      return FALSE;
    }
  if ((v = get (query, "tz")))
    {
      g_autofree char *spec = bw_shift_schedule_to_string (schedule);

      tz = g_time_zone_new_identifier (v);
      if (tz == NULL)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "“%s” is not a time zone (for example Europe/Moscow)", v);
          return FALSE;
        }
      sched = bw_shift_schedule_new_parse (spec, tz, NULL);
    }
  if (sched == NULL)
    {
      sched = bw_shift_schedule_ref (schedule);
      tz = g_time_zone_ref (bw_shift_schedule_get_timezone (schedule));
    }
  if (!get_time (query, "from", &from, error) || !get_time (query, "to", &to, error) ||
      !get_time (query, "now", &now, error))
    return FALSE;
  if (now)
    bw_report_options_set_now (self, now);
  else
    now = self->now_us ? self->now_us : bw_time_now ();

  have_type = (v = get (query, "type")) != NULL;
  if (have_type && !bw_report_type_from_string (v, &type))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "“type” must be shift, day or range");
      return FALSE;
    }
  if (!have_type)
    type = get (query, "shift") ? BW_REPORT_TYPE_SHIFT :
           get (query, "date") ? BW_REPORT_TYPE_DAY :
           from ? BW_REPORT_TYPE_RANGE : BW_REPORT_TYPE_SHIFT;

  bw_report_options_set_timezone (self, tz);
  switch (type)
    {
    case BW_REPORT_TYPE_RANGE:
      if (from == 0)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "A range report needs “from”");
          return FALSE;
        }
      if (to == 0)
        to = now;
      if (to <= from)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "“to” must come after “from”");
          return FALSE;
        }
      bw_report_options_set_type (self, BW_REPORT_TYPE_RANGE);
      bw_report_options_set_period (self, from, to);
      bw_report_options_set_shift_name (self, NULL);
      break;

    case BW_REPORT_TYPE_DAY:
      if (from)
        bw_report_options_set_day (self, sched, from);
      else if (get (query, "date"))
        {
          int y, m, d;
          BwShift first;
          gint64 start;

          if (!get_date (query, tz, now, &y, &m, &d, error))
            return FALSE;
          /* the production day that starts on that date */
          if (bw_shift_schedule_get_shift (sched, y, m, d, 0, &first))
            start = first.start_us;
          else
            {
              g_autoptr(GDateTime) midnight = g_date_time_new (tz, y, m, d, 0, 0, 0);
              start = g_date_time_to_unix (midnight) * BW_USEC_PER_SEC;
            }
          bw_report_options_set_day (self, sched, start);
        }
      else
        {
          gint64 s, e;
          bw_shift_schedule_find_day (sched, now, &s, &e);
          bw_report_options_set_day (self, sched, s - 1);
        }
      break;

    case BW_REPORT_TYPE_SHIFT:
    default:
      {
        BwShift shift;
        const char *which = get (query, "shift");
        gboolean found;

        if (bw_shift_schedule_get_n_shifts (sched) == 0)
          {
            g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "No shift schedule is configured");
            return FALSE;
          }
        if (from)
          found = bw_shift_schedule_find (sched, from, &shift);
        else if (which == NULL || g_str_equal (which, "previous"))
          found = bw_shift_schedule_previous (sched, now, &shift);
        else if (g_str_equal (which, "current"))
          found = bw_shift_schedule_find (sched, now, &shift) || bw_shift_schedule_previous (sched, now, &shift);
        else
          {
            guint index;
            int y, m, d;

            if (!bw_shift_schedule_lookup (sched, which, &index))
              {
                g_autofree char *spec = bw_shift_schedule_to_string (sched);
                g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "No shift “%s” in the schedule “%s”", which, spec);
                return FALSE;
              }
            if (get (query, "date"))
              {
                if (!get_date (query, tz, now, &y, &m, &d, error))
                  return FALSE;
                found = bw_shift_schedule_get_shift (sched, y, m, d, index, &shift);
              }
            else
              {
                /* the latest occurrence that has started */
                g_autoptr(GArray) list = bw_shift_schedule_list (sched, now - 2 * BW_USEC_PER_DAY, now + 1);
                found = FALSE;
                for (guint i = 0; i < list->len; i++)
                  {
                    BwShift *s = &g_array_index (list, BwShift, i);
                    if (s->index == index && s->start_us <= now)
                      shift = *s, found = TRUE;
                  }
              }
          }
        if (!found)
          {
            g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "No shift of the schedule covers that time");
            return FALSE;
          }
        bw_report_options_set_shift (self, sched, &shift);
        bw_report_options_set_timezone (self, tz);
      }
      break;
    }

  if ((v = get (query, "lang")))
    bw_report_options_set_language (self, v);
  if ((v = get (query, "conveyor")))
    {
      g_auto(GStrv) ids = g_strsplit (v, ",", -1);
      g_autoptr(GPtrArray) clean = g_ptr_array_new ();

      for (guint i = 0; ids[i]; i++)
        if (*g_strstrip (ids[i]))
          g_ptr_array_add (clean, ids[i]);
      g_ptr_array_add (clean, NULL);
      bw_report_options_set_conveyors (self, (const char * const *) clean->pdata);
    }
  if ((v = get (query, "plant")))
    bw_report_options_set_plant (self, v);
  if ((v = get (query, "section")))
    bw_report_options_set_section (self, v);
  if ((v = get (query, "prepared_by")))
    bw_report_options_set_prepared_by (self, v);
  if ((v = get (query, "orientation")))
    {
      if (g_str_equal (v, "portrait"))
        bw_report_options_set_orientation (self, BW_REPORT_PORTRAIT);
      else if (g_str_equal (v, "landscape"))
        bw_report_options_set_orientation (self, BW_REPORT_LANDSCAPE);
      else
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "“orientation” must be portrait or landscape");
          return FALSE;
        }
    }
  if ((v = get (query, "separator")))
    {
      char sep = g_str_equal (v, "semicolon") ? ';' : g_str_equal (v, "comma") ? ',' :
                 g_str_equal (v, "tab") ? '\t' : g_str_equal (v, "pipe") ? '|' :
                 strlen (v) == 1 ? v[0] : '\0';
      if (!bw_report_options_set_csv_separator (self, sep))
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "“separator” must be semicolon, comma, tab or pipe");
          return FALSE;
        }
    }
  if (format)
    *format = fmt;
  return TRUE;
}

/* [reports] KEY of the configuration file, else of the built-in defaults */
static char *
config_value (GKeyFile   *user,
              GKeyFile   *defaults,
              const char *key)
{
  char *v = g_key_file_get_string (user, "reports", key, NULL);

  if (v == NULL)
    v = g_key_file_get_string (defaults, "reports", key, NULL);
  if (v)
    g_strstrip (v);
  return v;
}

static gboolean
config_duration (GKeyFile    *user,
                 GKeyFile    *defaults,
                 const char  *path,
                 const char  *key,
                 gint64      *out,
                 GError     **error)
{
  g_autofree char *v = config_value (user, defaults, key);

  if (v == NULL || *v == '\0')
    return TRUE;
  if (!bw_duration_parse (v, out))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_CONFIG, "%s: [reports] %s: “%s” is not a duration (e.g. 1h)", path, key, v);
      return FALSE;
    }
  return TRUE;
}

/**
 * bw_report_options_apply_config:
 * @language: (nullable): the report's language, for the causes' names
 *
 * Returns: (transfer full): the plant's shift schedule
 */
BwShiftSchedule *
bw_report_options_apply_config (BwReportOptions  *self,
                                const BwConfig   *config,
                                const char       *language,
                                GError          **error)
{
  g_autoptr(GKeyFile) user = g_key_file_new ();
  g_autoptr(GKeyFile) defaults = g_key_file_new ();
  g_autoptr(GBytes) builtin = bw_config_get_defaults ();
  g_autoptr(GTimeZone) tz = NULL;
  g_autofree char *zone = NULL, *shifts = NULL, *plant = NULL, *section = NULL, *trips = NULL;
  const char *path = config->path ? config->path : "built-in defaults";
  gint64 window = self->md_cluster_window_us, history = self->md_history_us;
  gboolean ru;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (config != NULL, NULL);

  if (language == NULL)
    language = g_get_language_names ()[0];
  ru = g_str_has_prefix (language, "ru");

  for (guint i = 0; config->causes && i < config->causes->len; i++)
    {
      const BwCauseConfig *c = config->causes->pdata[i];
      bw_report_options_set_cause (self, c->code, ru && c->name_ru ? c->name_ru : c->name, c->planned);
    }

  if (builtin)
    g_key_file_load_from_bytes (defaults, builtin, G_KEY_FILE_NONE, NULL);
  if (config->path && !g_key_file_load_from_file (user, config->path, G_KEY_FILE_NONE, error))
    return NULL;

  zone = config_value (user, defaults, "timezone");
  if (zone && *zone)
    {
      tz = g_time_zone_new_identifier (zone);
      if (tz == NULL)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_CONFIG, "%s: [reports] timezone: “%s” is not a time zone", path, zone);
          return NULL;
        }
    }
  else
    tz = g_time_zone_new_local ();
  bw_report_options_set_timezone (self, tz);

  if ((plant = config_value (user, defaults, "plant")))
    bw_report_options_set_plant (self, plant);
  if ((section = config_value (user, defaults, "section")))
    bw_report_options_set_section (self, section);
  if ((trips = config_value (user, defaults, "md-cluster-trips")) && *trips)
    {
      guint64 n;
      if (!g_ascii_string_to_unsigned (trips, 10, 0, 1000, &n, NULL))
        {
          g_set_error (error, BW_ERROR, BW_ERROR_CONFIG, "%s: [reports] md-cluster-trips: “%s” is not a number", path,
                       trips);
          return NULL;
        }
      self->md_cluster_max = (guint) n;
    }
  if (!config_duration (user, defaults, path, "md-cluster-window", &window, error) ||
      !config_duration (user, defaults, path, "md-history", &history, error))
    return NULL;
  if (window <= 0)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_CONFIG, "%s: [reports] md-cluster-window must be longer than 0", path);
      return NULL;
    }
  self->md_cluster_window_us = window;
  self->md_history_us = history;

  shifts = config_value (user, defaults, "shifts");
  if (shifts && *shifts)
    {
      g_autoptr(GError) local = NULL;
      BwShiftSchedule *s = bw_shift_schedule_new_parse (shifts, tz, &local);

      if (s == NULL)
        g_set_error (error, BW_ERROR, BW_ERROR_CONFIG, "%s: [reports] shifts: %s", path, local->message);
      return s;
    }
  return bw_shift_schedule_new_default (tz);
}
