/* bench-report.c: a month of a 20-conveyor plant (10,000 stops) to a report
 *
 *   bench-report [--runs N] [--stops N] [--conveyors N] [--keep DIR]
 *
 * Builds a ledger with the month's stops once, then for each format runs N
 * fresh processes that each open the ledger read-only, build the report and
 * render it, and prints the median wall time and peak RSS (the whole
 * process: ledger, model, fonts, the document). The baseline in the same
 * run is reading the month's stops from the ledger alone.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bw-ledger.h"
#include "bw-report.h"
#include "bw-time.h"

/* 2026-11-01 00:00 Moscow */
#define MONTH_START (bw_time_from_civil (2026, 10, 31, 21, 0, 0))
#define MONTH_END   (bw_time_from_civil (2026, 11, 30, 21, 0, 0))

static const char *comments[] = {
  "Металла нет, проверено по маркеру",
  "Найден болт М24 на ленте, удалён",
  "Замена роликоопоры на участке 12–14 м; натяжение ленты проверено, сход устранён регулировкой центрирующих роликов",
  "Остановка по заявке ЦПУ",
  "Завал течки после дробилки: очистка бригадой, 2 чел.",
  "Ложное срабатывание при проходе магнетитовой руды; порог не менялся, сообщено мастеру КИПиА для проверки настройки",
};

static void
prepare (const char *db,
         guint       n_stops,
         guint       n_conveyors)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BwLedger) ledger = bw_ledger_open_sqlite (db, &error);
  g_autoptr(GRand) rng = g_rand_new_with_seed (2026);
  gint64 span = MONTH_END - MONTH_START;
  gint64 *next = g_new0 (gint64, n_conveyors);

  if (ledger == NULL)
    g_error ("%s", error->message);
  bw_db_exec (bw_ledger_get_db (ledger), "PRAGMA synchronous = OFF", NULL);
  bw_ledger_begin (ledger, NULL);
  for (guint c = 0; c < n_conveyors; c++)
    {
      g_autofree char *id = g_strdup_printf ("CV-%u", 101 + c);
      bw_ledger_ensure_conveyor (ledger, id, id, MONTH_START - BW_USEC_PER_DAY, NULL);
      next[c] = MONTH_START + (gint64) g_rand_double_range (rng, 0, 3600) * BW_USEC_PER_SEC;
    }
  for (guint i = 0; i < n_stops; i++)
    {
      guint c = i % n_conveyors;
      g_autofree char *id = g_strdup_printf ("CV-%u", 101 + c);
      double u = g_rand_double (rng);
      const char *cause, *trigger;
      double median_s;
      g_autoptr(BwStop) s = NULL;
      gint64 dur;

      if (u < 0.40)
        cause = "md_false_trip", trigger = "md_trip", median_s = 70;
      else if (u < 0.50)
        cause = "foreign_object", trigger = "md_trip", median_s = 600;
      else if (u < 0.70)
        cause = "failure", trigger = g_rand_boolean (rng) ? "overload" : "slip", median_s = 1500;
      else if (u < 0.85)
        cause = "process", trigger = "none", median_s = 500;
      else if (u < 0.90)
        cause = "planned", trigger = "none", median_s = 2400;
      else
        cause = "other", trigger = "pullcord", median_s = 300;
      dur = (gint64) (median_s * exp (0.6 * (g_rand_double (rng) * 2 - 1)) * 1e6);
      s = bw_stop_new (id, next[c], trigger);
      s->end_us = s->start_us + dur;
      s->micro = dur < BW_USEC_PER_MIN;
      /* the last stops of the month are still open */
      if (i >= n_stops - 2)
        s->end_us = 0, s->micro = FALSE;
      /* the detector's peak, % of the trip level: just over it for false
       * trips, well over it for most objects */
      if (g_str_equal (trigger, "md_trip"))
        s->md_peak = g_str_equal (cause, "foreign_object") ? 100 * exp (0.2 + 0.6 * fabs (g_rand_double (rng) * 2 - 1))
                                                            : 100 + 40 * g_rand_double (rng);
      s->suggested_cause = g_strdup (cause);
      s->suggested_probability = g_rand_double_range (rng, 0.5, 0.99);
      if (g_rand_double (rng) < 0.85 && s->end_us)
        bw_stop_set_classification (s, cause, g_rand_double (rng) < 0.3 ? comments[g_rand_int_range (rng, 0, 6)] : NULL,
                                    g_rand_boolean (rng) ? "Иванов И. И." : "Петрова А. С.", s->end_us + BW_USEC_PER_MIN);
      if (!bw_ledger_insert_stop (ledger, s, NULL, &error))
        g_error ("%s", error->message);
      /* the stops of a conveyor spread over the month */
      next[c] = s->start_us + (gint64) ((double) span / (n_stops / n_conveyors) * g_rand_double_range (rng, 0.3, 1.7));
      if (next[c] <= s->start_us + dur)
        next[c] = s->start_us + dur + BW_USEC_PER_MIN;
    }
  if (!bw_ledger_commit (ledger, &error))
    g_error ("%s", error->message);
  g_free (next);
}

/* One measured run, in this process: prints "seconds rss_mb pages_or_bytes" */
static int
once (const char *db,
      const char *format)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BwReportOptions) o = bw_report_options_new ();
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Europe/Moscow");
  g_autoptr(BwLedger) ledger = NULL;
  g_autoptr(BwReport) report = NULL;
  g_autoptr(GBytes) out = NULL;
  struct rusage ru;
  gint64 t0 = g_get_monotonic_time ();
  gsize size = 0;

  bw_report_options_set_period (o, MONTH_START, MONTH_END);
  bw_report_options_set_now (o, MONTH_END);
  bw_report_options_set_timezone (o, tz);
  bw_report_options_set_language (o, "ru");
  bw_report_options_set_plant (o, "ГОК «Северный», ДОФ-2");
  bw_report_options_set_prepared_by (o, "Сидорова Е. В.");

  ledger = bw_ledger_open_sqlite_readonly (db, &error);
  if (ledger == NULL)
    g_error ("%s", error->message);
  if (g_str_equal (format, "read"))
    {
      BwStopQuery q = { MONTH_START, MONTH_END };
      g_autoptr(GPtrArray) stops = bw_ledger_list_stops (ledger, &q, NULL, &error);
      if (stops == NULL)
        g_error ("%s", error->message);
      size = stops->len;
    }
  else
    {
      BwReportFormat f;
      if (!bw_report_format_from_string (format, &f))
        g_error ("unknown format %s", format);
      report = bw_report_new_from_ledger (ledger, o, NULL, &error);
      if (report == NULL)
        g_error ("%s", error->message);
      out = bw_report_render (report, f, NULL, &error);
      if (out == NULL)
        g_error ("%s", error->message);
      size = g_bytes_get_size (out);
      if (g_getenv ("BENCH_KEEP"))
        {
          g_autofree char *path = g_strdup_printf ("%s/month.%s", g_getenv ("BENCH_KEEP"), format);
          g_file_set_contents (path, g_bytes_get_data (out, NULL), (gssize) size, NULL);
        }
    }
  getrusage (RUSAGE_SELF, &ru);
  printf ("%.4f %.1f %" G_GSIZE_FORMAT " %.4f\n", (g_get_monotonic_time () - t0) / 1e6, ru.ru_maxrss / 1024.0, size,
          ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
  return 0;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (GArray *v)
{
  g_array_sort (v, compare_double);
  return v->len % 2 ? g_array_index (v, double, v->len / 2)
                    : (g_array_index (v, double, v->len / 2 - 1) + g_array_index (v, double, v->len / 2)) / 2;
}

int
main (int   argc,
      char *argv[])
{
  int runs = 5, n_stops = 10000, n_conveyors = 20;
  g_autofree char *once_db = NULL, *once_format = NULL, *keep = NULL;
  GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Runs per format (median)", "N" },
    { "stops", 0, 0, G_OPTION_ARG_INT, &n_stops, "Stops in the month", "N" },
    { "conveyors", 0, 0, G_OPTION_ARG_INT, &n_conveyors, "Conveyors", "N" },
    { "keep", 0, 0, G_OPTION_ARG_FILENAME, &keep, "Keep the ledger and the reports in DIR", "DIR" },
    { "once-db", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &once_db, NULL, NULL },
    { "once-format", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &once_format, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("— a month of a plant to a downtime report");
  g_autoptr(GError) error = NULL;
  const char *formats[] = { "read", "pdf", "csv", "json" };
  g_autofree char *dir = NULL, *db = NULL, *self = NULL;
  gint64 t0;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    g_error ("%s", error->message);
  if (once_db)
    return once (once_db, once_format);

  /* the report's Russian catalog from the build */
  if (g_getenv ("BW_LOCALEDIR") == NULL && g_getenv ("BW_BUILD_ROOT"))
    {
      g_autofree char *po = g_build_filename (g_getenv ("BW_BUILD_ROOT"), "po", NULL);
      g_setenv ("BW_LOCALEDIR", po, TRUE);
    }
  dir = keep ? g_strdup (keep) : g_dir_make_tmp ("bw-bench-XXXXXX", NULL);
  g_mkdir_with_parents (dir, 0755);
  db = g_build_filename (dir, "month.sqlite", NULL);
  g_unlink (db);
  t0 = g_get_monotonic_time ();
  prepare (db, (guint) n_stops, (guint) n_conveyors);
  printf ("# ledger: %d stops of %d conveyors over 30 days, written in %.1f s\n", n_stops, n_conveyors,
          (g_get_monotonic_time () - t0) / 1e6);
  if (keep)
    g_setenv ("BENCH_KEEP", dir, TRUE);
  self = g_file_read_link ("/proc/self/exe", NULL);
  printf ("# %-5s %9s %9s %9s %12s   (median of %d runs, each a fresh process)\n", "what", "seconds", "CPU s",
          "RSS MB", "output", runs);
  for (guint k = 0; k < G_N_ELEMENTS (formats); k++)
    {
      g_autoptr(GArray) secs = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) rss = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) cpu = g_array_new (FALSE, FALSE, sizeof (double));
      gsize size = 0;

      for (int r = 0; r < runs; r++)
        {
          const char *child[] = { self, "--once-db", db, "--once-format", formats[k], NULL };
          g_autofree char *out = NULL;
          int status;
          double s, m, c;

          if (!g_spawn_sync (NULL, (char **) child, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error) ||
              !g_spawn_check_wait_status (status, &error))
            g_error ("%s", error->message);
          if (sscanf (out, "%lf %lf %" G_GSIZE_FORMAT " %lf", &s, &m, &size, &c) != 4)
            g_error ("bad output: %s", out);
          g_array_append_val (secs, s);
          g_array_append_val (cpu, c);
          g_array_append_val (rss, m);
        }
      printf ("%-7s %9.3f %9.3f %9.1f %12" G_GSIZE_FORMAT "%s\n", formats[k], median (secs), median (cpu), median (rss),
              size,
              g_str_equal (formats[k], "read") ? " stops (baseline: the ledger read alone)" : " bytes");
    }
  if (!keep)
    {
      g_autofree char *wal = g_strconcat (db, "-wal", NULL);
      g_autofree char *shm = g_strconcat (db, "-shm", NULL);
      g_unlink (db);
      g_unlink (wal);
      g_unlink (shm);
      g_rmdir (dir);
    }
  return 0;
}
