/* bw-ml-report.c: `beltwatch-ml report` — a downtime report from a ledger
 * file or from a running service
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beltwatch-ml"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <libsoup/soup.h>

#include "bw-config.h"
#include "bw-ledger.h"
#include "bw-report.h"
#include "bw-time.h"

int bw_ml_report_main (int argc, char **argv);

static const char description[] =
  "The period (local times in the plant's time zone):\n"
  "  --from T --to T              a range (RFC 3339 times; --to defaults to now)\n"
  "  --type shift [--shift S]     a shift: previous (default: the last one that\n"
  "                               has ended), current, or a shift's name or\n"
  "                               number with --date (default: its latest start)\n"
  "  --type day [--date D]        a production day (from the start of the first\n"
  "                               shift): D is YYYY-MM-DD, today or yesterday\n"
  "                               (default: the last complete day)\n"
  "  With --from, a shift or day report covers the shift or day containing it.\n"
  "  Nothing at all: the previous shift.\n"
  "\n"
  "The plant's name, section, time zone, shift schedule, reason tree and\n"
  "metal-detector settings come from the service's configuration (--config,\n"
  "group [reports]); --schedule, --tz, --plant and --section override it. The\n"
  "default schedule is \"08:00-20:00 Day shift; 20:00-08:00 Night shift\".\n"
  "\n"
  "Formats: pdf (the document to sign), csv (stop rows, then the totals),\n"
  "csv-stops, csv-totals, json (the model). The report's language follows the\n"
  "locale (LANGUAGE, LANG) unless --lang is given.\n"
  "\n"
  "With --url the service renders the report (its configuration applies) and\n"
  "this command saves it; --user NAME:PASSWORD for a service with users.\n"
  "\n"
  "What the figures mean: docs/reports.md.\n"
  "\n"
  "Examples:\n"
  "  beltwatch-ml report --db ledger.sqlite --type shift --shift previous -o shift.pdf\n"
  "  beltwatch-ml report --db ledger.sqlite --type day --date 2026-11-27 --lang ru -o day.pdf\n"
  "  beltwatch-ml report --db ledger.sqlite --from 2026-11-01T00:00:00+03:00 \\\n"
  "      --to 2026-12-01T00:00:00+03:00 --format csv -o november.csv\n"
  "  beltwatch-ml report --url http://127.0.0.1:8470 --type shift -o shift.pdf";

typedef struct
{
  char     *db, *url, *user, *config, *output, *format, *type, *from, *to, *shift, *date;
  char     *conveyor, *plant, *section, *prepared_by, *separator, *lang, *tz, *now, *schedule;
  char     *md_window, *md_history;
  int       md_trips;
  gboolean  landscape;
} Args;

static void
args_clear (Args *a)
{
  char **fields[] = {
    &a->db, &a->url, &a->user, &a->config, &a->output, &a->format, &a->type, &a->from, &a->to, &a->shift, &a->date,
    &a->conveyor, &a->plant, &a->section, &a->prepared_by, &a->separator, &a->lang, &a->tz, &a->now, &a->schedule,
    &a->md_window, &a->md_history,
  };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    g_clear_pointer (fields[i], g_free);
}

static GHashTable *
args_to_query (const Args *a)
{
  GHashTable *q = g_hash_table_new (g_str_hash, g_str_equal);
  const struct
  {
    const char *key;
    const char *value;
  } map[] = {
    { "format", a->format }, { "type", a->type }, { "from", a->from }, { "to", a->to }, { "shift", a->shift },
    { "date", a->date }, { "conveyor", a->conveyor }, { "plant", a->plant }, { "section", a->section },
    { "prepared_by", a->prepared_by }, { "separator", a->separator }, { "lang", a->lang }, { "tz", a->tz },
    { "now", a->now }, { "orientation", a->landscape ? "landscape" : NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (map[i].value && *map[i].value)
      g_hash_table_insert (q, (gpointer) map[i].key, (gpointer) map[i].value);
  return q;
}

static gboolean
save (const char  *output,
      GBytes      *bytes,
      GError     **error)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (g_str_equal (output, "-"))
    {
      if (fwrite (data, 1, len, stdout) != len || fflush (stdout) != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot write to the standard output");
          return FALSE;
        }
      return TRUE;
    }
  return g_file_set_contents_full (output, data, (gssize) len, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

static char *
default_output (const char     *type,
                BwReportFormat  format,
                gint64          from_us)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (from_us / BW_USEC_PER_SEC);
  g_autofree char *stamp = g_date_time_format (dt, "%Y-%m-%d-%H%M");
  const char *suffix = format == BW_REPORT_FORMAT_CSV_STOPS ? "-stops" : format == BW_REPORT_FORMAT_CSV_TOTALS ? "-totals" : "";

  return g_strdup_printf ("downtime-%s-%s%s.%s", type, stamp, suffix, bw_report_format_get_extension (format));
}

static GBytes *
fetch (const Args     *a,
       GHashTable     *query,
       char          **filename,
       GError        **error)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 120, NULL);
  g_autoptr(GUri) base = g_uri_parse (a->url, G_URI_FLAGS_NONE, error);
  g_autoptr(GUri) uri = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *path = NULL;
  const char *user = a->user;
  GHashTableIter it;
  gpointer k, v;
  GString *qs = g_string_new (NULL);
  guint status;
  const char *disposition;

  if (base == NULL)
    {
      g_string_free (qs, TRUE);
      return NULL;
    }
  g_hash_table_iter_init (&it, query);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      g_autofree char *ev = g_uri_escape_string (v, NULL, FALSE);
      g_string_append_printf (qs, "%s%s=%s", qs->len ? "&" : "", (char *) k, ev);
    }
  path = g_strconcat (g_uri_get_path (base), g_str_has_suffix (g_uri_get_path (base), "/") ? "" : "/",
                      "api/v1/reports/downtime", NULL);
  uri = g_uri_build (G_URI_FLAGS_ENCODED_QUERY, g_uri_get_scheme (base), NULL, g_uri_get_host (base),
                     g_uri_get_port (base), path, qs->str, NULL);
  g_string_free (qs, TRUE);
  msg = soup_message_new_from_uri ("GET", uri);
  if (user == NULL)
    user = g_uri_get_userinfo (base);
  if (user)
    {
      g_autofree char *b64 = g_base64_encode ((const guchar *) user, strlen (user));
      g_autofree char *auth = g_strconcat ("Basic ", b64, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  body = soup_session_send_and_read (session, msg, NULL, error);
  if (body == NULL)
    return NULL;
  status = soup_message_get_status (msg);
  if (status != SOUP_STATUS_OK)
    {
      gsize len;
      const char *data = g_bytes_get_data (body, &len);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The service answered %u: %.*s", status,
                   (int) MIN (len, 400), data ? data : "");
      return NULL;
    }
  disposition = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Content-Disposition");
  if (disposition && filename)
    {
      const char *fn = strstr (disposition, "filename=\"");
      if (fn)
        {
          const char *end = strchr (fn + 10, '"');
          if (end)
            {
              g_autofree char *name = g_strndup (fn + 10, (gsize) (end - fn - 10));
              *filename = g_path_get_basename (name);
            }
        }
    }
  return g_steal_pointer (&body);
}

int
bw_ml_report_main (int    argc,
                   char **argv)
{
  Args a = { 0 };
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &a.db, "The SQLite ledger (read-only)", "FILE" },
    { "url", 0, 0, G_OPTION_ARG_STRING, &a.url, "A running beltwatchd, e.g. http://127.0.0.1:8470", "URL" },
    { "user", 0, 0, G_OPTION_ARG_STRING, &a.user, "Credentials for --url", "NAME:PASSWORD" },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &a.config, "The service's configuration ([reports], causes)", "FILE" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &a.output, "Where to write (- for stdout; default downtime-….EXT)", "FILE" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &a.format, "pdf (default), csv, csv-stops, csv-totals or json", "FORMAT" },
    { "type", 't', 0, G_OPTION_ARG_STRING, &a.type, "shift, day or range", "TYPE" },
    { "from", 0, 0, G_OPTION_ARG_STRING, &a.from, "Start of the period, RFC 3339", "TIME" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &a.to, "End of the period (exclusive), RFC 3339", "TIME" },
    { "shift", 0, 0, G_OPTION_ARG_STRING, &a.shift, "previous, current, or a shift's name or number", "SHIFT" },
    { "date", 0, 0, G_OPTION_ARG_STRING, &a.date, "A local date: YYYY-MM-DD, today or yesterday", "DATE" },
    { "conveyor", 0, 0, G_OPTION_ARG_STRING, &a.conveyor, "Only these conveyors (comma-separated)", "IDS" },
    { "plant", 0, 0, G_OPTION_ARG_STRING, &a.plant, "The plant's name in the title", "NAME" },
    { "section", 0, 0, G_OPTION_ARG_STRING, &a.section, "The section's name in the title", "NAME" },
    { "prepared-by", 0, 0, G_OPTION_ARG_STRING, &a.prepared_by, "Who prepared the report", "NAME" },
    { "landscape", 0, 0, G_OPTION_ARG_NONE, &a.landscape, "A4 landscape (default portrait)", NULL },
    { "separator", 0, 0, G_OPTION_ARG_STRING, &a.separator, "CSV separator: semicolon (default), comma, tab, pipe", "SEP" },
    { "lang", 0, 0, G_OPTION_ARG_STRING, &a.lang, "The report's language, e.g. ru or en (default: the locale's)", "LANG" },
    { "tz", 0, 0, G_OPTION_ARG_STRING, &a.tz, "The plant's time zone, e.g. Europe/Moscow", "ZONE" },
    { "schedule", 0, 0, G_OPTION_ARG_STRING, &a.schedule, "Shifts, e.g. \"08:00-20:00 Day; 20:00-08:00 Night\"", "SPEC" },
    { "now", 0, 0, G_OPTION_ARG_STRING, &a.now, "Count open stops up to this time (default: the clock)", "TIME" },
    { "md-cluster-trips", 0, 0, G_OPTION_ARG_INT, &a.md_trips, "Warn above this many false trips per window (default 3)", "N" },
    { "md-cluster-window", 0, 0, G_OPTION_ARG_STRING, &a.md_window, "The window of that warning (default 1h)", "DURATION" },
    { "md-history", 0, 0, G_OPTION_ARG_STRING, &a.md_history, "History for the sensitivity advice (default 30d, 0: none)", "DURATION" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("— write a downtime report (PDF, CSV or JSON)");
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) query = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *output = NULL, *server_name = NULL;
  BwReportFormat format = BW_REPORT_FORMAT_PDF;
  int status = 1;

  a.md_trips = -1;
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx, description);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "%s: %s\n", g_get_prgname (), error->message);
      args_clear (&a);
      return 2;
    }
  if ((a.db == NULL) == (a.url == NULL))
    {
      fprintf (stderr, "%s: give either --db or --url\n", g_get_prgname ());
      args_clear (&a);
      return 2;
    }
  if (a.format && !bw_report_format_from_string (a.format, &format))
    {
      fprintf (stderr, "%s: --format must be pdf, csv, csv-stops, csv-totals or json\n", g_get_prgname ());
      args_clear (&a);
      return 2;
    }
  if (a.url && (a.config || a.schedule || a.md_window || a.md_history || a.md_trips >= 0))
    {
      fprintf (stderr, "%s: with --url the service's configuration applies: --config, --schedule and "
               "--md-… are for --db\n", g_get_prgname ());
      args_clear (&a);
      return 2;
    }
  query = args_to_query (&a);

  if (a.url)
    {
      bytes = fetch (&a, query, &server_name, &error);
      if (bytes == NULL)
        goto fail;
      output = g_strdup (a.output ? a.output : server_name ? server_name : "downtime-report");
    }
  else
    {
      g_autoptr(BwReportOptions) options = bw_report_options_new ();
      g_autoptr(BwConfig) config = NULL;
      g_autoptr(BwShiftSchedule) schedule = NULL;
      g_autoptr(BwLedger) ledger = NULL;
      g_autoptr(BwReport) report = NULL;

      config = a.config ? bw_config_new_from_file (a.config, &error) : bw_config_new_default ();
      if (config == NULL)
        goto fail;
      schedule = bw_report_options_apply_config (options, config, a.lang, &error);
      if (schedule == NULL)
        goto fail;
      if (a.schedule)
        {
          g_autoptr(GTimeZone) tz = a.tz ? g_time_zone_new_identifier (a.tz) : NULL;
          g_clear_pointer (&schedule, bw_shift_schedule_unref);
          schedule = bw_shift_schedule_new_parse (a.schedule, tz ? tz : bw_report_options_get_timezone (options), &error);
          if (schedule == NULL)
            goto fail;
        }
      if (a.md_trips >= 0 || a.md_window)
        {
          gint64 window = BW_USEC_PER_HOUR;
          if (a.md_window && (!bw_duration_parse (a.md_window, &window) || window <= 0))
            {
              fprintf (stderr, "%s: --md-cluster-window takes a duration such as 1h\n", g_get_prgname ());
              args_clear (&a);
              return 2;
            }
          bw_report_options_set_md_cluster (options, a.md_trips >= 0 ? (guint) a.md_trips : 3, window);
        }
      if (a.md_history)
        {
          gint64 h;
          if (!bw_duration_parse (a.md_history, &h))
            {
              fprintf (stderr, "%s: --md-history takes a duration such as 30d\n", g_get_prgname ());
              args_clear (&a);
              return 2;
            }
          bw_report_options_set_md_history (options, h);
        }
      if (!bw_report_options_apply_query (options, query, schedule, &format, &error))
        {
          fprintf (stderr, "%s: %s\n", g_get_prgname (), error->message);
          args_clear (&a);
          return 2;
        }
      ledger = bw_ledger_open_sqlite_readonly (a.db, &error);
      if (ledger == NULL)
        goto fail;
      report = bw_report_new_from_ledger (ledger, options, NULL, &error);
      if (report == NULL)
        goto fail;
      bytes = bw_report_render (report, format, NULL, &error);
      if (bytes == NULL)
        goto fail;
      output = a.output ? g_strdup (a.output) :
               default_output (bw_report_type_to_string (bw_report_options_get_report_type (options)), format,
                               bw_report_get_from (report));
    }

  if (!save (output, bytes, &error))
    goto fail;
  if (!g_str_equal (output, "-"))
    fprintf (stderr, "%s: wrote %s (%" G_GSIZE_FORMAT " bytes)\n", g_get_prgname (), output, g_bytes_get_size (bytes));
  status = 0;
  args_clear (&a);
  return status;

fail:
  fprintf (stderr, "%s: %s\n", g_get_prgname (), error ? error->message : "failed");
  args_clear (&a);
  return status;
}
