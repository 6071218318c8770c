/* test-report-sim.c: a report over a simulated day against an independent
 * computation — the simulated line goes through the service's monitor into
 * a real ledger, the operator's causes come from the simulator's ground
 * truth, and the figures of the model, the CSV and the PDF (pdftotext) are
 * checked against sums the test makes itself
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw-config.h"
#include "bw-ledger.h"
#include "bw-monitor.h"
#include "bw-report.h"
#include "bw-simulator.h"
#include "bw-tags.h"
#include "bw-time.h"
#include "report-util.h"

#define N_CONVEYORS 3

/* Moscow (UTC+3): the production day 27.11 08:00 — 28.11 08:00 */
static gint64
msk (int day,
     int hour,
     int minute)
{
  return bw_time_from_civil (2026, 11, day, hour - 3, minute, 0);
}

typedef struct
{
  char        *db;
  GPtrArray   *truths;      /* BwSimTruth*, owned by the simulator below */
  BwSimulator *sim;
  gint64       start;       /* the production day's start: inside a stop */
  char        *schedule;    /* two 12-hour shifts from it */
} Day;

static Day day;

typedef struct
{
  BwMonitor *monitor;
  char    ***items;
} Feed;

static void
sample_cb (guint   conveyor,
           BwTag   tag,
           gint64  t,
           double  v,
           gpointer data)
{
  Feed *f = data;
  const char *item = f->items[conveyor][tag];

  bw_monitor_ingest_item (f->monitor, item, strlen (item), t, v);
}

static BwSimTruth *
find_truth (const char *conveyor,
            gint64      start)
{
  for (guint i = 0; i < day.truths->len; i++)
    {
      BwSimTruth *t = day.truths->pdata[i];
      if (t->start_us && g_str_equal (t->conveyor, conveyor) && ABS (t->start_us - start) <= BW_USEC_PER_SEC)
        return t;
    }
  return NULL;
}

/* 26 hours of three conveyors, stops classified by the "operator" */
static void
simulate_day (void)
{
  g_autoptr(BwConfig) config = bw_config_new_default ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BwLedger) ledger = NULL;
  g_autoptr(GPtrArray) stops = NULL;
  BwSimParams params;
  Feed f = { 0 };
  gint64 end;
  gboolean forced_a = FALSE;
  guint classified = 0;

  day.db = rt_path ("day.sqlite");
  ledger = bw_ledger_open_sqlite (day.db, &error);
  g_assert_no_error (error);
  /* a test's ledger need not survive a power cut */
  g_assert_true (bw_db_exec (bw_ledger_get_db (ledger), "PRAGMA synchronous = OFF", &error));
  f.monitor = bw_monitor_new (config, ledger, &error);
  g_assert_no_error (error);
  bw_monitor_set_check_future (f.monitor, FALSE);

  bw_sim_params_init (&params);
  params.n_conveyors = N_CONVEYORS;
  params.seed = 2026;
  params.first_id = "CV-101";
  params.start_us = msk (27, 7, 0);
  params.stop_interval_us = 15 * BW_USEC_PER_MIN;
  params.duration_scale = 0.25;
  day.sim = bw_simulator_new (&params);
  f.items = g_new0 (char **, N_CONVEYORS);
  for (guint i = 0; i < N_CONVEYORS; i++)
    {
      f.items[i] = g_new0 (char *, BW_N_STANDARD_TAGS + 1);
      for (int k = 0; k < BW_N_STANDARD_TAGS; k++)
        f.items[i][k] = g_strconcat (bw_simulator_get_conveyor_id (day.sim, i), ".", bw_tag_name (k), NULL);
    }

  end = msk (28, 9, 0);
  while (bw_simulator_get_time (day.sim) < end)
    {
      gint64 now = bw_simulator_get_time (day.sim);

      /* a long stop near the start of the day */
      if (!forced_a && now >= msk (27, 7, 30))
        bw_simulator_force (day.sim, 0, BW_SCENARIO_PLANNED), forced_a = TRUE;
      bw_monitor_begin_batch (f.monitor);
      bw_simulator_step (day.sim, sample_cb, &f);
      if ((now / BW_SIM_TICK_US) % 600 == 0)
        g_assert_true (bw_monitor_flush (f.monitor, NULL));
    }
  bw_monitor_finish (f.monitor);
  g_assert_true (bw_monitor_flush (f.monitor, NULL));
  g_object_unref (f.monitor);
  for (guint i = 0; i < N_CONVEYORS; i++)
    g_strfreev (f.items[i]);
  g_free (f.items);
  day.truths = bw_simulator_get_truth (day.sim);

  /* the operator classifies what really happened; every sixth stop waits */
  stops = bw_ledger_list_stops (ledger, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (bw_ledger_begin (ledger, &error));
  for (guint i = 0; i < stops->len; i++)
    {
      BwStop *s = stops->pdata[i];
      BwSimTruth *t = find_truth (s->conveyor, s->start_us);
      g_autofree char *comment = NULL;

      g_assert_nonnull (t);
      if (i % 6 == 5 || s->end_us == 0)
        continue;
      if (g_str_equal (t->cause, "foreign_object"))
        comment = g_strdup_printf ("Найден посторонний предмет, пик сигнала %.0f %%", t->md_peak);
      else if (i % 4 == 0)
        comment = g_strdup ("Осмотр выполнен, замечаний нет");
      g_assert_true (bw_ledger_classify_stop (ledger, s->id, NULL, NULL, t->cause, comment, "Иванов И. И.",
                                              s->end_us + BW_USEC_PER_MIN, &error));
      classified++;
    }
  g_assert_true (bw_ledger_commit (ledger, &error));
  g_test_message ("%u stops in the ledger, %u classified", stops->len, classified);

  /* the production day starts in the middle of a stop (at a whole minute),
   * so that a stop crosses the period's start whatever the simulator does */
  for (guint i = 0; i < stops->len; i++)
    {
      BwStop *s = stops->pdata[i];
      if (s->start_us >= msk (27, 7, 30) && s->end_us - s->start_us >= 3 * BW_USEC_PER_MIN &&
          (day.start == 0 || s->start_us < day.start))
        day.start = (s->start_us + BW_USEC_PER_MIN) / BW_USEC_PER_MIN * BW_USEC_PER_MIN + BW_USEC_PER_MIN;
    }
  g_assert_cmpint (day.start, >, 0);
  g_assert_cmpint (day.start, <, msk (27, 9, 0));
  {
    /* the local wall-clock time of the start (Moscow: UTC+3) */
    gint64 m = (day.start / BW_USEC_PER_MIN + 3 * 60) % (24 * 60);
    day.schedule = g_strdup_printf ("%02d:%02d-%02d:%02d Дневная; %02d:%02d-%02d:%02d Ночная", (int) (m / 60),
                                    (int) (m % 60), (int) (m / 60 + 12), (int) (m % 60), (int) (m / 60 + 12),
                                    (int) (m % 60), (int) (m / 60), (int) (m % 60));
    g_test_message ("shifts %s", day.schedule);
  }
  g_assert_cmpuint (stops->len, >=, 150);
}

/* the day is simulated once, by the first test that needs it (inside a
 * test: the user directories are the test's own by then) */
static void
ensure_day (void)
{
  if (day.db == NULL)
    simulate_day ();
}

/* ---- the independent computation ---- */

typedef struct
{
  guint  stops, unplanned, planned, micro, md_trips, md_false, md_objects;
  gint64 unplanned_us, planned_us, micro_us, md_us;
  GHashTable *by_cause;   /* "cause" or "" (unclassified) or "micro" → gint64* µs */
  GHashTable *cause_n;    /* same keys → count */
} Expect;

static void
expect_clear (Expect *e)
{
  g_clear_pointer (&e->by_cause, g_hash_table_unref);
  g_clear_pointer (&e->cause_n, g_hash_table_unref);
}

static void
add_cause (Expect     *e,
           const char *key,
           gint64      d)
{
  gint64 *v = g_hash_table_lookup (e->by_cause, key);

  if (v == NULL)
    {
      v = g_new0 (gint64, 1);
      g_hash_table_insert (e->by_cause, g_strdup (key), v);
    }
  *v += d;
  g_hash_table_insert (e->cause_n, g_strdup (key),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (e->cause_n, key)) + 1));
}

/* per conveyor (index 0 … N-1) and in total (index N), over [from, to) */
static void
expect_compute (GPtrArray *stops,
                gint64     from,
                gint64     to,
                Expect    *out)
{
  for (guint k = 0; k <= N_CONVEYORS; k++)
    {
      memset (&out[k], 0, sizeof out[k]);
      out[k].by_cause = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      out[k].cause_n = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    }
  for (guint i = 0; i < stops->len; i++)
    {
      BwStop *s = stops->pdata[i];
      guint k = (guint) atoi (s->conveyor + 3) - 101;
      gint64 a = MAX (s->start_us, from);
      gint64 b = MIN (s->end_us ? s->end_us : to, to);
      gint64 d = b - a;

      g_assert_cmpuint (k, <, N_CONVEYORS);
      if (d <= 0)
        continue;
      for (guint j = 0; j < 2; j++)
        {
          Expect *e = &out[j == 0 ? k : N_CONVEYORS];

          if (g_str_equal (s->trigger, "md_trip"))
            {
              e->md_trips++;
              e->md_us += d;
              e->md_false += g_strcmp0 (s->cause, "md_false_trip") == 0;
              e->md_objects += g_strcmp0 (s->cause, "foreign_object") == 0;
            }
          if (s->micro)
            {
              e->micro++;
              e->micro_us += d;
              add_cause (e, "micro", d);
            }
          else if (g_strcmp0 (s->cause, "planned") == 0)
            {
              e->stops++;
              e->planned++;
              e->planned_us += d;
            }
          else
            {
              e->stops++;
              e->unplanned++;
              e->unplanned_us += d;
              add_cause (e, s->cause ? s->cause : "", d);
            }
        }
    }
}

static double
availability (const Expect *e,
              gint64        calendar)
{
  return (double) (calendar - e->planned_us - e->unplanned_us - e->micro_us) / (double) (calendar - e->planned_us);
}

/* |shown − value| within the rounding of @decimals */
static void
assert_shown (const char *shown,
              double      value,
              int         decimals)
{
  double v = rt_number (shown);
  double tol = 0.5 * pow (10, -decimals) + 1e-6;

  if (fabs (v - value) > tol)
    g_error ("shown %s, computed %.6f", shown, value);
}

/* "h:mm" → minutes */
static double
hmm_minutes (const char *s)
{
  int h, m;

  g_assert_cmpint (sscanf (s, "%d:%d", &h, &m), ==, 2);
  return h * 60 + m;
}

static void
check_day_report (void)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Europe/Moscow");
  g_autoptr(BwShiftSchedule) schedule = bw_shift_schedule_new_parse (day.schedule, tz, NULL);
  g_autoptr(BwReportOptions) o = bw_report_options_new ();
  g_autoptr(BwLedger) ledger = NULL;
  g_autoptr(GPtrArray) stops = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BwReport) r = NULL;
  g_autoptr(GBytes) csv = NULL, pdf = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *pdf_path = NULL;
  g_autofree char *page1 = NULL;
  g_autofree char *all = NULL;
  gint64 from = day.start, to = day.start + BW_USEC_PER_DAY;
  gint64 calendar = to - from;
  Expect e[N_CONVEYORS + 1];
  gboolean crossing = FALSE;
  int total_row, cause_header;

  bw_report_options_set_day (o, schedule, msk (27, 12, 0));
  bw_report_options_set_now (o, msk (28, 9, 30));
  bw_report_options_set_language (o, "ru");
  bw_report_options_set_plant (o, "ГОК «Северный»");
  bw_report_options_set_prepared_by (o, "Сидорова Е. В.");
  g_assert_cmpint (bw_report_options_get_from (o), ==, from);
  g_assert_cmpint (bw_report_options_get_to (o), ==, to);

  ledger = bw_ledger_open_sqlite_readonly (day.db, &error);
  g_assert_no_error (error);
  stops = bw_ledger_list_stops (ledger, NULL, NULL, &error);
  g_assert_no_error (error);
  expect_compute (stops, from, to, e);
  for (guint i = 0; i < stops->len; i++)
    {
      BwStop *s = stops->pdata[i];
      crossing |= s->start_us < from && s->end_us > from;
    }
  g_assert_true (crossing);
  g_assert_cmpuint (e[N_CONVEYORS].micro, >, 0);
  g_assert_cmpuint (e[N_CONVEYORS].planned, >, 0);

  r = bw_report_new_from_ledger (ledger, o, NULL, &error);
  g_assert_no_error (error);

  /* the model */
  g_assert_cmpuint (bw_report_get_n_conveyors (r), ==, N_CONVEYORS);
  for (guint k = 0; k <= N_CONVEYORS; k++)
    {
      const BwReportConveyor *c = k < N_CONVEYORS ? bw_report_get_conveyor (r, k) : bw_report_get_total (r);
      gint64 cal = k < N_CONVEYORS ? calendar : N_CONVEYORS * calendar;
      gint64 run = cal - e[k].planned_us - e[k].unplanned_us - e[k].micro_us;

      g_assert_cmpuint (c->n_stops, ==, e[k].stops);
      g_assert_cmpuint (c->n_unplanned, ==, e[k].unplanned);
      g_assert_cmpuint (c->n_planned, ==, e[k].planned);
      g_assert_cmpuint (c->n_micro, ==, e[k].micro);
      g_assert_cmpint (c->unplanned_us, ==, e[k].unplanned_us);
      g_assert_cmpint (c->planned_us, ==, e[k].planned_us);
      g_assert_cmpint (c->micro_us, ==, e[k].micro_us);
      g_assert_cmpint (c->calendar_us, ==, cal);
      g_assert_cmpfloat_with_epsilon (c->availability, availability (&e[k], cal), 1e-12);
      g_assert_cmpfloat_with_epsilon (c->mtbf_s, run / 1e6 / e[k].unplanned, 1e-6);
      g_assert_cmpfloat_with_epsilon (c->mttr_s, e[k].unplanned_us / 1e6 / e[k].unplanned, 1e-6);
    }

  /* the ground truth: every stop the line made in the day is there */
  for (guint k = 0; k < N_CONVEYORS; k++)
    {
      guint n = 0;
      gint64 truth_us = 0;
      const BwReportConveyor *c = bw_report_get_conveyor (r, k);

      for (guint i = 0; i < day.truths->len; i++)
        {
          BwSimTruth *t = day.truths->pdata[i];
          gint64 a, b;

          if (t->start_us == 0 || !g_str_equal (t->conveyor, c->conveyor))
            continue;
          a = MAX (t->start_us, from);
          b = MIN (t->end_us ? t->end_us : to, to);
          if (b > a)
            n++, truth_us += b - a;
        }
      g_assert_cmpuint (c->n_stops + c->n_micro, ==, n);
      g_assert_cmpint (ABS (c->downtime_us - truth_us), <=, (gint64) n * BW_USEC_PER_SEC);
    }

  /* the CSV */
  csv = bw_report_render (r, BW_REPORT_FORMAT_CSV, NULL, &error);
  g_assert_no_error (error);
  g_free (rt_write (csv, "day.csv"));
  rows = rt_csv_parse (csv, ';');
  g_assert_cmpint (rt_csv_find (rows, 0, 0, "") , ==, (int) bw_report_get_n_stops (r) + 1);
  for (guint k = 0; k <= N_CONVEYORS; k++)
    {
      g_autofree char *id = g_strdup_printf ("CV-%u", 101 + k);
      int i = rt_csv_find (rows, 0, 0, k < N_CONVEYORS ? id : "Итого");
      GStrv row;
      gint64 cal = k < N_CONVEYORS ? calendar : N_CONVEYORS * calendar;

      g_assert_cmpint (i, >, 0);
      row = rows->pdata[i];
      g_assert_cmpuint (rt_number (row[2]), ==, e[k].stops);
      g_assert_cmpuint (rt_number (row[5]), ==, e[k].micro);
      assert_shown (row[9], (e[k].planned_us + e[k].unplanned_us + e[k].micro_us) / 6e7, 2);
      assert_shown (row[10], e[k].unplanned_us / 6e7, 2);
      assert_shown (row[11], e[k].planned_us / 6e7, 2);
      assert_shown (row[12], e[k].micro_us / 6e7, 2);
      assert_shown (row[14], 100 * availability (&e[k], cal), 2);
      assert_shown (row[16], e[k].unplanned_us / 6e7 / e[k].unplanned, 2);
    }
  /* the stop rows add up to the same */
  {
    double sum = 0;
    for (guint i = 1; i <= bw_report_get_n_stops (r); i++)
      sum += rt_number (((GStrv) rows->pdata[i])[6]);
    g_assert_cmpfloat_with_epsilon (sum, (e[N_CONVEYORS].planned_us + e[N_CONVEYORS].unplanned_us +
                                          e[N_CONVEYORS].micro_us) / 6e7, 0.006 * bw_report_get_n_stops (r));
  }
  cause_header = rt_csv_find (rows, 0, 1, "Код причины");
  g_assert_cmpint (cause_header, >, 0);
  {
    GHashTableIter it;
    gpointer key, value;

    g_hash_table_iter_init (&it, e[N_CONVEYORS].by_cause);
    while (g_hash_table_iter_next (&it, &key, &value))
      {
        int i = rt_csv_find (rows, cause_header, 1, key);
        g_assert_cmpint (i, >, cause_header);
        assert_shown (((GStrv) rows->pdata[i])[3], *(gint64 *) value / 6e7, 2);
        g_assert_cmpuint (rt_number (((GStrv) rows->pdata[i])[2]), ==,
                          GPOINTER_TO_UINT (g_hash_table_lookup (e[N_CONVEYORS].cause_n, key)));
      }
  }

  /* the PDF: what pdftotext reads is what the test computed */
  pdf = bw_report_render (r, BW_REPORT_FORMAT_PDF, NULL, &error);
  g_assert_no_error (error);
  pdf_path = rt_write (pdf, "day.pdf");
  rt_assert_pages_render (pdf_path);
  page1 = rt_pdftotext (pdf_path, 1);
  g_assert_nonnull (strstr (page1, "СУТОЧНЫЙ ОТЧЁТ О ПРОСТОЯХ"));
  {
    g_autoptr(GTimeZone) msk_tz = g_time_zone_new_identifier ("Europe/Moscow");
    g_autoptr(GDateTime) a = g_date_time_new_from_unix_utc (from / BW_USEC_PER_SEC);
    g_autoptr(GDateTime) la = g_date_time_to_timezone (a, msk_tz);
    g_autofree char *fa = g_date_time_format (la, "%d.%m.%Y %H:%M — 28.%m.%Y %H:%M");
    g_assert_nonnull (strstr (page1, fa));
  }
  total_row = 0;
  for (guint k = 0; k <= N_CONVEYORS; k++)
    {
      g_autofree char *id = g_strdup_printf ("CV-%u ", 101 + k);
      const char *line = strstr (page1, k < N_CONVEYORS ? id : "Итого ");
      g_autofree char *one = NULL;
      g_auto(GStrv) f = NULL;
      gint64 cal = k < N_CONVEYORS ? calendar : N_CONVEYORS * calendar;
      gint64 run = cal - e[k].planned_us - e[k].unplanned_us - e[k].micro_us;

      g_assert_nonnull (line);
      one = g_strndup (line, strcspn (line, "\n"));
      f = g_strsplit_set (one, " ", -1);
      {
        /* the non-empty fields: id stops downtime unplanned planned micro-n / micro-min calendar avail mtbf mttr */
        g_autoptr(GPtrArray) v = g_ptr_array_new ();
        for (guint i = 0; f[i]; i++)
          if (*f[i])
            g_ptr_array_add (v, f[i]);
        g_assert_cmpuint (v->len, ==, 12);
        g_assert_cmpuint (rt_number (v->pdata[1]), ==, e[k].stops);
        assert_shown (v->pdata[2], (e[k].planned_us + e[k].unplanned_us + e[k].micro_us) / 6e7, 1);
        assert_shown (v->pdata[3], e[k].unplanned_us / 6e7, 1);
        assert_shown (v->pdata[4], e[k].planned_us / 6e7, 1);
        g_assert_cmpuint (rt_number (v->pdata[5]), ==, e[k].micro);
        g_assert_cmpstr (v->pdata[6], ==, "/");
        assert_shown (v->pdata[7], e[k].micro_us / 6e7, 1);
        assert_shown (v->pdata[8], cal / 3.6e9, 1);
        assert_shown (v->pdata[9], 100 * availability (&e[k], cal), 1);
        g_assert_cmpfloat (fabs (hmm_minutes (v->pdata[10]) - run / 6e7 / e[k].unplanned), <=, 0.5 + 1e-6);
        assert_shown (v->pdata[11], e[k].unplanned_us / 6e7 / e[k].unplanned, 1);
      }
      total_row++;
    }
  g_assert_cmpint (total_row, ==, N_CONVEYORS + 1);

  /* by cause and the metal detector, anywhere in the document */
  all = rt_pdftotext (pdf_path, 0);
  {
    const char *md_line = strstr (all, "Металлосигнализатор\n");
    const char *total;
    g_auto(GStrv) f = NULL;
    g_autoptr(GPtrArray) v = g_ptr_array_new ();

    g_assert_nonnull (md_line);
    total = strstr (md_line, "Итого ");
    g_assert_nonnull (total);
    {
      g_autofree char *line = g_strndup (total, strcspn (total, "\n"));
      f = g_strsplit (line, " ", -1);
    }
    for (guint i = 0; f[i]; i++)
      if (*f[i])
        g_ptr_array_add (v, f[i]);
    g_assert_cmpuint (rt_number (v->pdata[1]), ==, e[N_CONVEYORS].md_trips);
    g_assert_cmpuint (rt_number (v->pdata[2]), ==, e[N_CONVEYORS].md_false);
    g_assert_cmpuint (rt_number (v->pdata[3]), ==, e[N_CONVEYORS].md_objects);
    assert_shown (v->pdata[6], e[N_CONVEYORS].md_us / 6e7, 1);
  }
  {
    const char *causes = strstr (all, "Простои по причинам");
    const char *micro = causes ? strstr (causes, "Микроостановки ") : NULL;
    g_auto(GStrv) f = NULL;
    g_autoptr(GPtrArray) v = g_ptr_array_new ();

    g_assert_nonnull (micro);
    {
      g_autofree char *line = g_strndup (micro, strcspn (micro, "\n"));
      f = g_strsplit (line, " ", -1);
    }
    for (guint i = 1; f[i]; i++)
      if (*f[i])
        g_ptr_array_add (v, f[i]);
    g_assert_cmpuint (rt_number (v->pdata[0]), ==, e[N_CONVEYORS].micro);
    assert_shown (v->pdata[1], e[N_CONVEYORS].micro_us / 6e7, 1);
  }
  /* each object found has its comment in the list */
  g_assert_cmpuint (rt_count (all, "Найден") - rt_count (all, "Найдено"), ==, e[N_CONVEYORS].md_objects);
  g_assert_nonnull (strstr (all, "не классифицирована"));
  g_assert_nonnull (strstr (all, "Иванов И. И."));

  /* the sensitivity advice rests on the classified trips with a known peak */
  g_assert_cmpuint (bw_report_get_n_md_advice (r), ==, N_CONVEYORS);
  for (guint k = 0; k < N_CONVEYORS; k++)
    {
      const BwReportMdAdvice *a = bw_report_get_md_advice (r, k);
      guint n = 0, objects = 0;

      for (guint i = 0; i < stops->len; i++)
        {
          BwStop *s = stops->pdata[i];
          /* the history ends where the report does */
          if (g_str_equal (s->conveyor, a->conveyor) && g_str_equal (s->trigger, "md_trip") && s->end_us &&
              s->start_us < to &&
              s->md_peak > 0 && (g_strcmp0 (s->cause, "md_false_trip") == 0 || g_strcmp0 (s->cause, "foreign_object") == 0))
            n++, objects += g_str_equal (s->cause, "foreign_object");
        }
      g_assert_cmpuint (a->n_trips, ==, n);
      g_assert_cmpuint (a->n_objects, ==, objects);
      g_assert_nonnull (a->note);
      g_assert_cmpfloat (a->current_level, ==, 100);
      /* the history is the simulated one: from the first stop to the day's end */
      g_assert_cmpfloat (a->span_days, >, 0.95);
      g_assert_cmpfloat (a->span_days, <, 1.1);
      g_assert_cmpfloat_with_epsilon (a->false_trips_per_day, a->n_false / a->span_days, 1e-9);
    }
  g_assert_nonnull (strstr (all, "Рекомендация по чувствительности"));

  for (guint k = 0; k <= N_CONVEYORS; k++)
    expect_clear (&e[k]);
}

/* The day is its two shifts: what the shift reports count adds up to the
 * day's, a stop across the change of shifts split between them. */
static void
check_shifts_add_up (void)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Europe/Moscow");
  g_autoptr(BwShiftSchedule) schedule = bw_shift_schedule_new_parse (day.schedule, tz, NULL);
  g_autoptr(BwLedger) ledger = bw_ledger_open_sqlite_readonly (day.db, NULL);
  g_autoptr(BwReport) whole = NULL;
  g_autoptr(GError) error = NULL;
  gint64 downtime = 0, calendar = 0;
  guint stops = 0, micro = 0, split = 0;

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(BwReportOptions) o = bw_report_options_new ();
      g_autoptr(BwReport) r = NULL;
      g_autofree char *path = NULL;
      BwShift shift;

      g_assert_true (bw_shift_schedule_get_shift (schedule, 2026, 11, 27, i, &shift));
      bw_report_options_set_shift (o, schedule, &shift);
      bw_report_options_set_now (o, msk (28, 9, 30));
      bw_report_options_set_language (o, "ru");
      r = bw_report_new_from_ledger (ledger, o, NULL, &error);
      g_assert_no_error (error);
      downtime += bw_report_get_total (r)->downtime_us;
      calendar += bw_report_get_total (r)->calendar_us;
      stops += bw_report_get_total (r)->n_stops;
      micro += bw_report_get_total (r)->n_micro;
      for (guint k = 0; k < bw_report_get_n_stops (r); k++)
        split += bw_report_get_stop (r, k)->clipped_end || bw_report_get_stop (r, k)->clipped_start;
      if (i == 1)
        {
          g_autoptr(GBytes) pdf = bw_report_render (r, BW_REPORT_FORMAT_PDF, NULL, &error);
          g_autofree char *text = NULL;

          g_assert_no_error (error);
          path = rt_write (pdf, "night.pdf");
          rt_assert_pages_render (path);
          text = rt_pdftotext (path, 1);
          g_assert_nonnull (strstr (text, "ОТЧЁТ О ПРОСТОЯХ ЗА СМЕНУ"));
          g_assert_nonnull (strstr (text, "Ночная, 27.11.2026"));
        }
    }

  {
    g_autoptr(BwReportOptions) o = bw_report_options_new ();
    bw_report_options_set_day (o, schedule, msk (27, 12, 0));
    bw_report_options_set_now (o, msk (28, 9, 30));
    whole = bw_report_new_from_ledger (ledger, o, NULL, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpint (downtime, ==, bw_report_get_total (whole)->downtime_us);
  g_assert_cmpint (calendar, ==, bw_report_get_total (whole)->calendar_us);
  /* the stop across 20:00 is in both shift reports, once in the day's */
  g_assert_cmpuint (split, >=, 1);   /* across the day's start in the day shift */
  g_assert_cmpuint (stops + micro, >, bw_report_get_total (whole)->n_stops + bw_report_get_total (whole)->n_micro);
}

static void
test_day_report (void)
{
  ensure_day ();
  check_day_report ();
}

static void
test_shifts_add_up (void)
{
  ensure_day ();
  check_shifts_add_up ();
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  rt_init ();
  g_test_add_func ("/report-sim/day", test_day_report);
  g_test_add_func ("/report-sim/shifts-add-up", test_shifts_add_up);
  status = g_test_run ();
  bw_simulator_free (day.sim);
  g_free (day.db);
  g_free (day.schedule);
  return status;
}
