/* test-report.c: shift schedules and downtime reports — the figures, the
 * edge cases, the PDF's layout (wrapping, flowing, page numbers), CSV,
 * JSON, the query parameters and the worker-thread variants
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "bw-error.h"
#include "bw-ledger.h"
#include "bw-report.h"
#include "bw-shifts.h"
#include "bw-time.h"
#include "report-util.h"

#define MIN_US BW_USEC_PER_MIN
#define H_US   BW_USEC_PER_HOUR

/* 2026-11-27 in Moscow (UTC+3, no clock changes) */
static gint64
msk (int day,
     int hour,
     int minute,
     int second)
{
  return bw_time_from_civil (2026, 11, day, hour - 3, minute, second);
}

static GTimeZone *
moscow (void)
{
  GTimeZone *tz = g_time_zone_new_identifier ("Europe/Moscow");
  g_assert_nonnull (tz);
  return tz;
}

static BwStop *
stop_new (const char *conveyor,
          gint64      start,
          gint64      end,
          const char *trigger,
          const char *cause,
          const char *comment)
{
  BwStop *s = bw_stop_new (conveyor, start, trigger);

  s->end_us = end;
  s->micro = end && end - start < MIN_US;
  if (cause)
    bw_stop_set_classification (s, cause, comment, "Петров П. П.", end ? end + MIN_US : start + MIN_US);
  return s;
}

static BwReportOptions *
options_new (gint64      from,
             gint64      to,
             gint64      now,
             const char *lang)
{
  BwReportOptions *o = bw_report_options_new ();
  g_autoptr(GTimeZone) tz = moscow ();

  bw_report_options_set_period (o, from, to);
  bw_report_options_set_now (o, now);
  bw_report_options_set_timezone (o, tz);
  bw_report_options_set_language (o, lang);
  bw_report_options_set_plant (o, "ГОК «Северный», ДОФ-2");
  bw_report_options_set_section (o, "Участок дробления");
  bw_report_options_set_prepared_by (o, "Сидорова Е. В.");
  return o;
}

static GBytes *
render (BwReport       *r,
        BwReportFormat  format)
{
  g_autoptr(GError) error = NULL;
  GBytes *b = bw_report_render (r, format, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (b);
  g_assert_cmpuint (g_bytes_get_size (b), >, 0);
  return b;
}

static char *
render_pdf_file (BwReport   *r,
                 const char *name)
{
  g_autoptr(GBytes) pdf = render (r, BW_REPORT_FORMAT_PDF);
  char *path = rt_write (pdf, name);

  g_assert_true (memcmp (g_bytes_get_data (pdf, NULL), "%PDF-", 5) == 0);
  rt_assert_pages_render (path);
  return path;
}

/* ---- shift schedules ---- */

static void
test_shifts_parse (void)
{
  g_autoptr(GTimeZone) tz = moscow ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BwShiftSchedule) two = bw_shift_schedule_new_parse ("08:00-20:00 Дневная; 20:00–08:00 Ночная", tz, &error);
  g_autoptr(BwShiftSchedule) three = NULL;
  g_autoptr(BwShiftSchedule) back = NULL;
  g_autofree char *text = NULL;
  const char *bad[] = {
    "08:00-20:00 A; 19:00-21:00 B", "8-20 Day", "25:00-08:00 X", "08:00-24:30 X", "08:00 20:00 X", "", ";;",
    "08:00-08:00 A; 09:00-10:00 B", "08:60-09:00 X",
  };
  guint index;

  g_assert_no_error (error);
  g_assert_cmpuint (bw_shift_schedule_get_n_shifts (two), ==, 2);
  g_assert_cmpstr (bw_shift_schedule_get_name (two, 1), ==, "Ночная");
  g_assert_cmpuint (bw_shift_schedule_get_start_minute (two, 1), ==, 20 * 60);
  g_assert_cmpuint (bw_shift_schedule_get_end_minute (two, 1), ==, 8 * 60);
  text = bw_shift_schedule_to_string (two);
  g_assert_cmpstr (text, ==, "08:00-20:00 Дневная; 20:00-08:00 Ночная");
  back = bw_shift_schedule_new_parse (text, tz, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bw_shift_schedule_get_n_shifts (back), ==, 2);

  /* names are looked up case-insensitively, numbers from 1 */
  g_assert_true (bw_shift_schedule_lookup (two, "ночная", &index));
  g_assert_cmpuint (index, ==, 1);
  g_assert_true (bw_shift_schedule_lookup (two, "1", &index));
  g_assert_cmpuint (index, ==, 0);
  g_assert_false (bw_shift_schedule_lookup (two, "3", &index));
  g_assert_false (bw_shift_schedule_lookup (two, "Вечерняя", &index));

  three = bw_shift_schedule_new_parse ("00:00-08:00\n08:00-16:00 ; 16:00-24:00 Третья", tz, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bw_shift_schedule_get_n_shifts (three), ==, 3);
  g_assert_cmpstr (bw_shift_schedule_get_name (three, 2), ==, "Третья");
  g_assert_nonnull (bw_shift_schedule_get_name (three, 0));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(BwShiftSchedule) s = bw_shift_schedule_new_parse (bad[i], tz, &error);
      g_assert_null (s);
      g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
      g_clear_error (&error);
    }
}

static void
test_shifts_find (void)
{
  g_autoptr(GTimeZone) tz = moscow ();
  g_autoptr(BwShiftSchedule) s = bw_shift_schedule_new_parse ("08:00-20:00 Day; 20:00-08:00 Night", tz, NULL);
  g_autoptr(GArray) list = NULL;
  BwShift sh;
  gint64 a, b;

  g_assert_true (bw_shift_schedule_find (s, msk (27, 10, 0, 0), &sh));
  g_assert_cmpuint (sh.index, ==, 0);
  g_assert_cmpint (sh.start_us, ==, msk (27, 8, 0, 0));
  g_assert_cmpint (sh.end_us, ==, msk (27, 20, 0, 0));
  g_assert_cmpint (sh.day, ==, 27);

  /* 02:00 belongs to the night shift that began the day before */
  g_assert_true (bw_shift_schedule_find (s, msk (27, 2, 0, 0), &sh));
  g_assert_cmpuint (sh.index, ==, 1);
  g_assert_cmpint (sh.start_us, ==, msk (26, 20, 0, 0));
  g_assert_cmpint (sh.end_us, ==, msk (27, 8, 0, 0));
  g_assert_cmpint (sh.day, ==, 26);

  /* a boundary belongs to the shift it starts */
  g_assert_true (bw_shift_schedule_find (s, msk (27, 20, 0, 0), &sh));
  g_assert_cmpuint (sh.index, ==, 1);

  g_assert_true (bw_shift_schedule_previous (s, msk (27, 10, 0, 0), &sh));
  g_assert_cmpuint (sh.index, ==, 1);
  g_assert_cmpint (sh.start_us, ==, msk (26, 20, 0, 0));
  g_assert_true (bw_shift_schedule_next (s, msk (27, 10, 0, 0), &sh));
  g_assert_cmpuint (sh.index, ==, 1);
  g_assert_cmpint (sh.start_us, ==, msk (27, 20, 0, 0));
  g_assert_true (bw_shift_schedule_get_shift (s, 2026, 11, 30, 1, &sh));
  g_assert_cmpint (sh.start_us, ==, msk (30, 20, 0, 0));
  g_assert_cmpint (sh.end_us, ==, bw_time_from_civil (2026, 12, 1, 5, 0, 0));
  g_assert_false (bw_shift_schedule_get_shift (s, 2026, 2, 30, 0, &sh));

  list = bw_shift_schedule_list (s, msk (27, 8, 0, 0), msk (28, 8, 0, 0));
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpint (g_array_index (list, BwShift, 0).start_us, ==, msk (27, 8, 0, 0));
  g_assert_cmpint (g_array_index (list, BwShift, 1).end_us, ==, msk (28, 8, 0, 0));

  /* the production day starts with the first shift */
  bw_shift_schedule_find_day (s, msk (28, 7, 59, 59), &a, &b);
  g_assert_cmpint (a, ==, msk (27, 8, 0, 0));
  g_assert_cmpint (b, ==, msk (28, 8, 0, 0));

  /* a schedule with a gap */
  {
    g_autoptr(BwShiftSchedule) gap = bw_shift_schedule_new_parse ("08:00-17:00 Single", tz, NULL);
    g_assert_false (bw_shift_schedule_find (gap, msk (27, 18, 0, 0), &sh));
    g_assert_true (bw_shift_schedule_previous (gap, msk (27, 18, 0, 0), &sh));
    g_assert_cmpint (sh.start_us, ==, msk (27, 8, 0, 0));
    g_assert_true (bw_shift_schedule_next (gap, msk (27, 18, 0, 0), &sh));
    g_assert_cmpint (sh.start_us, ==, msk (28, 8, 0, 0));
  }
}

static gint64
berlin (int month,
        int day,
        int hour,
        int minute)
{
  /* UTC civil time: the test states offsets itself */
  return bw_time_from_civil (2026, month, day, hour, minute, 0);
}

static void
test_shifts_dst (void)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Europe/Berlin");
  g_autoptr(BwShiftSchedule) s = NULL;
  g_autoptr(BwShiftSchedule) odd = NULL;
  g_autoptr(BwShiftSchedule) three = NULL;
  BwShift sh, prev;

  g_assert_nonnull (tz);
  s = bw_shift_schedule_new_parse ("08:00-20:00 Day; 20:00-08:00 Night", tz, NULL);

  /* spring forward (29 March 2026, 02:00 → 03:00): an 11-hour night */
  g_assert_true (bw_shift_schedule_get_shift (s, 2026, 3, 28, 1, &sh));
  g_assert_cmpint (sh.start_us, ==, berlin (3, 28, 19, 0));  /* 20:00 CET */
  g_assert_cmpint (sh.end_us, ==, berlin (3, 29, 6, 0));     /* 08:00 CEST */
  g_assert_cmpint (sh.end_us - sh.start_us, ==, 11 * H_US);
  g_assert_true (bw_shift_schedule_find (s, berlin (3, 29, 6, 30), &sh));
  g_assert_cmpuint (sh.index, ==, 0);
  g_assert_cmpint (sh.start_us, ==, berlin (3, 29, 6, 0));

  /* fall back (25 October 2026, 03:00 → 02:00): a 13-hour night */
  g_assert_true (bw_shift_schedule_get_shift (s, 2026, 10, 24, 1, &sh));
  g_assert_cmpint (sh.end_us - sh.start_us, ==, 13 * H_US);
  g_assert_true (bw_shift_schedule_next (s, sh.start_us, &sh));
  g_assert_cmpint (sh.start_us, ==, berlin (10, 25, 7, 0));  /* 08:00 CET */

  /* a boundary inside the skipped hour moves to its end; shifts still tile */
  odd = bw_shift_schedule_new_parse ("02:30-14:30 A; 14:30-02:30 B", tz, NULL);
  g_assert_true (bw_shift_schedule_get_shift (odd, 2026, 3, 29, 0, &sh));
  g_assert_cmpint (sh.start_us, ==, berlin (3, 29, 1, 0));   /* 03:00 CEST */
  g_assert_true (bw_shift_schedule_previous (odd, sh.start_us, &prev));
  g_assert_cmpint (prev.end_us, ==, sh.start_us);
  /* a boundary inside the repeated hour is its first occurrence */
  g_assert_true (bw_shift_schedule_get_shift (odd, 2026, 10, 25, 0, &sh));
  g_assert_cmpint (sh.start_us, ==, berlin (10, 25, 0, 30));  /* 02:30 CEST */

  /* three 8-hour shifts: the first one of the spring day has 7 hours */
  three = bw_shift_schedule_new_parse ("00:00-08:00 1; 08:00-16:00 2; 16:00-24:00 3", tz, NULL);
  g_assert_true (bw_shift_schedule_get_shift (three, 2026, 3, 29, 0, &sh));
  g_assert_cmpint (sh.end_us - sh.start_us, ==, 7 * H_US);
  g_assert_true (bw_shift_schedule_get_shift (three, 2026, 3, 29, 2, &sh));
  g_assert_cmpint (sh.end_us - sh.start_us, ==, 8 * H_US);
  g_assert_cmpint (sh.end_us, ==, berlin (3, 29, 22, 0));
}

/* ---- the figures ---- */

static void
assert_close (double a,
              double b,
              double tol)
{
  if (isnan (a) || isnan (b))
    g_assert_true (isnan (a) && isnan (b));
  else
    g_assert_cmpfloat_with_epsilon (a, b, tol);
}

static void
test_empty_period (void)
{
  const char * const conveyors[] = { "CV-1", "CV-2", NULL };
  g_autoptr(BwReportOptions) o = options_new (msk (27, 8, 0, 0), msk (27, 20, 0, 0), msk (27, 21, 0, 0), "ru");
  g_autoptr(GPtrArray) stops = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(BwReport) r = NULL;
  g_autoptr(GBytes) csv = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *text = NULL;
  const BwReportConveyor *t;
  int i;

  bw_report_options_set_conveyors (o, conveyors);
  /* a stop of a conveyor that was not asked for, and one before the period */
  g_ptr_array_add (stops, stop_new ("CV-9", msk (27, 9, 0, 0), msk (27, 9, 30, 0), "none", NULL, NULL));
  g_ptr_array_add (stops, stop_new ("CV-1", msk (27, 6, 0, 0), msk (27, 7, 0, 0), "none", NULL, NULL));
  r = bw_report_new_from_stops (stops, o, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (bw_report_get_language (r), ==, "ru");
  g_assert_cmpuint (bw_report_get_n_conveyors (r), ==, 2);
  g_assert_cmpuint (bw_report_get_n_stops (r), ==, 0);
  g_assert_cmpuint (bw_report_get_n_causes (r), ==, 0);
  g_assert_cmpuint (bw_report_get_n_md (r), ==, 0);
  t = bw_report_get_total (r);
  g_assert_cmpint (t->calendar_us, ==, 2 * 12 * H_US);
  g_assert_cmpint (t->downtime_us, ==, 0);
  assert_close (t->availability, 1.0, 1e-12);
  g_assert_true (isnan (t->mtbf_s) && isnan (t->mttr_s));

  pdf = render_pdf_file (r, "empty.pdf");
  text = rt_pdftotext (pdf, 0);
  {
    g_autofree char *footer = g_strdup_printf ("Страница %d из %d", rt_pdf_pages (pdf), rt_pdf_pages (pdf));
    g_assert_nonnull (strstr (text, footer));
  }
  g_assert_nonnull (strstr (text, "ОТЧЁТ О ПРОСТОЯХ"));
  g_assert_cmpuint (rt_count (text, "За период остановок не было."), ==, 2);
  g_assert_nonnull (strstr (text, "Начальник смены"));
  g_assert_nonnull (strstr (text, "Диспетчер"));

  csv = render (r, BW_REPORT_FORMAT_CSV);
  rows = rt_csv_parse (csv, ';');
  g_assert_cmpstr (((GStrv) rows->pdata[0])[0], ==, "№");
  g_assert_cmpuint (g_strv_length (rows->pdata[1]), ==, 1);    /* no stop rows: the blank line */
  i = rt_csv_find (rows, 0, 0, "Итого");
  g_assert_cmpint (i, >, 0);
  g_assert_cmpstr (((GStrv) rows->pdata[i])[2], ==, "0");
  g_assert_cmpstr (((GStrv) rows->pdata[i])[14], ==, "100,00");
}

static void
test_edges_and_classes (void)
{
  g_autoptr(BwReportOptions) o = options_new (msk (27, 10, 0, 0), msk (27, 12, 0, 0), msk (27, 14, 0, 0), "ru");
  g_autoptr(GPtrArray) stops = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(BwReport) r = NULL;
  g_autoptr(GBytes) csv = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *text = NULL;
  const BwReportConveyor *c;
  const BwReportStop *s;
  double run, planned_time;

  /* crosses the start: 30 min inside; crosses the end: 10 min inside */
  g_ptr_array_add (stops, stop_new ("CV-1", msk (27, 9, 30, 0), msk (27, 10, 30, 0), "overload", "failure", "Замена муфты"));
  g_ptr_array_add (stops, stop_new ("CV-1", msk (27, 11, 50, 0), msk (27, 12, 20, 0), "slip", NULL, NULL));
  /* a micro-stop (30 s), a planned stop, a stop outside */
  g_ptr_array_add (stops, stop_new ("CV-1", msk (27, 10, 40, 0), msk (27, 10, 40, 30), "md_trip", "md_false_trip", NULL));
  g_ptr_array_add (stops, stop_new ("CV-1", msk (27, 11, 0, 0), msk (27, 11, 30, 0), "none", "planned", "ППР"));
  g_ptr_array_add (stops, stop_new ("CV-1", msk (27, 8, 0, 0), msk (27, 9, 0, 0), "none", "process", NULL));
  /* another conveyor with one stop of a plant's own planned cause */
  g_ptr_array_add (stops, stop_new ("CV-2", msk (27, 10, 15, 0), msk (27, 10, 45, 0), "none", "changeover", NULL));
  bw_report_options_set_cause (o, "changeover", "Переналадка", TRUE);

  r = bw_report_new_from_stops (stops, o, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bw_report_get_n_stops (r), ==, 5);
  g_assert_cmpint (bw_report_get_counted_to (r), ==, msk (27, 12, 0, 0));

  c = bw_report_get_conveyor (r, 0);
  g_assert_cmpstr (c->conveyor, ==, "CV-1");
  g_assert_cmpint (c->calendar_us, ==, 2 * H_US);
  g_assert_cmpuint (c->n_stops, ==, 3);
  g_assert_cmpuint (c->n_unplanned, ==, 2);
  g_assert_cmpuint (c->n_planned, ==, 1);
  g_assert_cmpuint (c->n_micro, ==, 1);
  g_assert_cmpuint (c->n_unclassified, ==, 1);
  g_assert_cmpint (c->unplanned_us, ==, 40 * MIN_US);
  g_assert_cmpint (c->planned_us, ==, 30 * MIN_US);
  g_assert_cmpint (c->micro_us, ==, 30 * BW_USEC_PER_SEC);
  g_assert_cmpint (c->downtime_us, ==, 70 * MIN_US + 30 * BW_USEC_PER_SEC);
  run = 120 * 60 - 70 * 60 - 30;
  planned_time = 120 * 60 - 30 * 60;
  assert_close (c->availability, run / planned_time, 1e-12);
  assert_close (c->mtbf_s, run / 2, 1e-9);
  assert_close (c->mttr_s, 40 * 60 / 2.0, 1e-9);

  c = bw_report_get_conveyor (r, 1);
  g_assert_cmpuint (c->n_planned, ==, 1);
  assert_close (c->availability, 1.0, 1e-12);     /* planned downtime is not lost time */
  g_assert_true (isnan (c->mtbf_s));

  /* the stop list, oldest first, with the edges marked */
  s = bw_report_get_stop (r, 0);
  g_assert_true (s->clipped_start && !s->clipped_end);
  g_assert_cmpint (s->from_us, ==, msk (27, 10, 0, 0));
  s = bw_report_get_stop (r, 4);
  g_assert_true (s->clipped_end && !s->clipped_start && s->unclassified);
  g_assert_cmpint (s->to_us, ==, msk (27, 12, 0, 0));

  /* by cause: losses by minutes, micro-stops apart, planned last */
  g_assert_cmpuint (bw_report_get_n_causes (r), ==, 5);
  g_assert_cmpstr (bw_report_get_cause (r, 0)->code, ==, "failure");
  g_assert_cmpint (bw_report_get_cause (r, 0)->downtime_us, ==, 30 * MIN_US);
  g_assert_cmpint (bw_report_get_cause (r, 1)->kind, ==, BW_REPORT_CAUSE_UNCLASSIFIED);
  g_assert_cmpint (bw_report_get_cause (r, 2)->kind, ==, BW_REPORT_CAUSE_MICRO);
  assert_close (bw_report_get_cause (r, 2)->cumulative, 1.0, 1e-12);
  assert_close (bw_report_get_cause (r, 0)->share, 30.0 / 40.5, 1e-12);
  for (guint i = 3; i < 5; i++)
    {
      g_assert_cmpint (bw_report_get_cause (r, i)->kind, ==, BW_REPORT_CAUSE_PLANNED);
      g_assert_cmpuint (bw_report_get_cause (r, i)->count, ==, 1);
      g_assert_cmpint (bw_report_get_cause (r, i)->downtime_us, ==, 30 * MIN_US);
      g_assert_true (isnan (bw_report_get_cause (r, i)->share));
    }

  /* the CSV says the same */
  csv = render (r, BW_REPORT_FORMAT_CSV);
  rows = rt_csv_parse (csv, ';');
  {
    GStrv first = rows->pdata[1];
    int tot = rt_csv_find (rows, 0, 0, "CV-1");

    g_assert_cmpstr (first[1], ==, "CV-1");
    g_assert_cmpstr (first[2], ==, "2026-11-27 09:30:00");
    g_assert_cmpstr (first[5], ==, "60,00");   /* the whole stop */
    g_assert_cmpstr (first[6], ==, "30,00");   /* the part inside */
    g_assert_cmpstr (first[10], ==, "Авария (механическая / электрическая / лента)");
    g_assert_cmpstr (first[11], ==, "failure");
    g_assert_cmpstr (first[14], ==, "Замена муфты");
    g_assert_cmpstr (first[17], ==, "1");
    g_assert_cmpstr (first[18], ==, "0");
    g_assert_cmpint (tot, >, 5);
    g_assert_cmpstr (((GStrv) rows->pdata[tot])[9], ==, "70,50");
    g_assert_cmpstr (((GStrv) rows->pdata[tot])[14], ==, "55,00");
    g_assert_cmpint (rt_csv_find (rows, 0, 0, "Переналадка"), >, 0);
  }

  pdf = render_pdf_file (r, "edges.pdf");
  text = rt_pdftotext (pdf, 0);
  g_assert_nonnull (strstr (text, "27.11 09:30:00 ¹"));
  g_assert_nonnull (strstr (text, "12:20:00 ²"));
  g_assert_nonnull (strstr (text, "микро"));
  g_assert_nonnull (strstr (text, "не классифицирована"));
  g_assert_nonnull (strstr (text, "началась до периода"));
  g_assert_nonnull (strstr (text, "Переналадка"));
}

static void
test_open_stop (void)
{
  g_autoptr(GPtrArray) stops = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (stops, stop_new ("CV-1", msk (27, 10, 45, 0), 0, "md_trip", NULL, NULL));
  g_ptr_array_add (stops, stop_new ("CV-2", msk (27, 9, 0, 0), 0, "pullcord", NULL, NULL));
  ((BwStop *) stops->pdata[0])->suggested_cause = g_strdup ("md_false_trip");
  ((BwStop *) stops->pdata[0])->suggested_probability = 0.87;

  /* the shift is running: counted up to now (11:00) */
  {
    g_autoptr(BwReportOptions) o = options_new (msk (27, 10, 0, 0), msk (27, 12, 0, 0), msk (27, 11, 0, 0), "ru");
    g_autoptr(BwReport) r = bw_report_new_from_stops (stops, o, &error);
    g_autoptr(GBytes) csv = NULL;
    g_autoptr(GPtrArray) rows = NULL;
    g_autofree char *pdf = NULL;
    g_autofree char *text = NULL;
    const BwReportConveyor *t;

    g_assert_no_error (error);
    g_assert_cmpint (bw_report_get_counted_to (r), ==, msk (27, 11, 0, 0));
    t = bw_report_get_total (r);
    g_assert_cmpint (t->calendar_us, ==, 2 * H_US);
    g_assert_cmpuint (t->n_open, ==, 2);
    g_assert_cmpint (t->unplanned_us, ==, 15 * MIN_US + 60 * MIN_US);
    g_assert_true (bw_report_get_stop (r, 0)->open && bw_report_get_stop (r, 0)->clipped_start);
    g_assert_false (bw_report_get_stop (r, 1)->clipped_end);

    csv = render (r, BW_REPORT_FORMAT_CSV_STOPS);
    rows = rt_csv_parse (csv, ';');
    g_assert_cmpuint (rows->len, ==, 3);
    g_assert_cmpstr (((GStrv) rows->pdata[2])[3], ==, "");
    g_assert_cmpstr (((GStrv) rows->pdata[2])[4], ==, "1");
    g_assert_cmpstr (((GStrv) rows->pdata[2])[6], ==, "15,00");
    g_assert_cmpstr (((GStrv) rows->pdata[2])[12], ==, "md_false_trip");
    g_assert_cmpstr (((GStrv) rows->pdata[2])[13], ==, "0,870");

    pdf = render_pdf_file (r, "open.pdf");
    text = rt_pdftotext (pdf, 0);
    g_assert_cmpuint (rt_count (text, "не завершена"), >=, 2);
    g_assert_nonnull (strstr (text, "Период ещё не закончился"));
    g_assert_nonnull (strstr (text, "учтена до момента формирования отчёта"));
    g_assert_nonnull (strstr (text, "предложено:"));
    g_assert_nonnull (strstr (text, "0:15:00 *"));
  }

  /* the shift has ended, the stop has not: counted to the shift's end */
  {
    g_autoptr(BwReportOptions) o = options_new (msk (27, 10, 0, 0), msk (27, 12, 0, 0), msk (27, 13, 0, 0), "ru");
    g_autoptr(BwReport) r = bw_report_new_from_stops (stops, o, &error);
    const BwReportStop *s;

    g_assert_no_error (error);
    s = bw_report_get_stop (r, 1);
    g_assert_true (s->open && s->clipped_end);
    g_assert_cmpint (s->to_us - s->from_us, ==, 75 * MIN_US);
    g_assert_cmpint (bw_report_get_total (r)->calendar_us, ==, 4 * H_US);
  }

  /* a period that has not begun: nothing counted */
  {
    g_autoptr(BwReportOptions) o = options_new (msk (27, 20, 0, 0), msk (28, 8, 0, 0), msk (27, 13, 0, 0), "ru");
    g_autoptr(BwReport) r = bw_report_new_from_stops (stops, o, &error);
    g_autofree char *pdf = NULL;
    g_autofree char *text = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (bw_report_get_n_stops (r), ==, 0);
    g_assert_cmpint (bw_report_get_total (r)->calendar_us, ==, 0);
    g_assert_true (isnan (bw_report_get_total (r)->availability));
    pdf = render_pdf_file (r, "future.pdf");
    text = rt_pdftotext (pdf, 1);
    g_assert_nonnull (strstr (text, "Период ещё не начался"));
  }
}

static void
test_invalid (void)
{
  g_autoptr(BwReportOptions) o = options_new (msk (27, 12, 0, 0), msk (27, 10, 0, 0), 0, NULL);
  g_autoptr(BwReportOptions) ok = options_new (msk (27, 10, 0, 0), msk (27, 12, 0, 0), 0, NULL);
  g_autoptr(GPtrArray) stops = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  BwReport *r;

  r = bw_report_new_from_stops (stops, o, &error);
  g_assert_null (r);
  g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
  g_clear_error (&error);

  g_ptr_array_add (stops, stop_new ("CV-1", msk (27, 11, 0, 0), msk (27, 10, 0, 0), "none", NULL, NULL));
  r = bw_report_new_from_stops (stops, ok, &error);
  g_assert_null (r);
  g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_false (bw_report_options_set_csv_separator (ok, 'x'));
  g_assert_cmpint (bw_report_options_get_csv_separator (ok), ==, ';');
}

static void
test_md_cluster (void)
{
  g_autoptr(BwReportOptions) o = options_new (msk (27, 8, 0, 0), msk (27, 20, 0, 0), msk (27, 21, 0, 0), "ru");
  g_autoptr(GPtrArray) stops = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(BwReport) r = NULL;
  g_autoptr(BwReport) quiet = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *text = NULL;
  const BwReportMd *m;
  const BwReportMdCluster *c;

  /* five false trips within 40 minutes, then two objects, one unclassified */
  for (int i = 0; i < 5; i++)
    g_ptr_array_add (stops, stop_new ("CV-1", msk (27, 10, i * 10, 0), msk (27, 10, i * 10 + 3, 0), "md_trip",
                                      "md_false_trip", NULL));
  g_ptr_array_add (stops, stop_new ("CV-1", msk (27, 14, 0, 0), msk (27, 14, 20, 0), "md_trip", "foreign_object",
                                    "Зуб ковша экскаватора"));
  g_ptr_array_add (stops, stop_new ("CV-2", msk (27, 15, 0, 0), msk (27, 15, 12, 0), "md_trip", "foreign_object", NULL));
  g_ptr_array_add (stops, stop_new ("CV-2", msk (27, 16, 0, 0), msk (27, 16, 2, 0), "md_trip", NULL, NULL));
  /* a false trip two hours later does not join the cluster */
  g_ptr_array_add (stops, stop_new ("CV-1", msk (27, 12, 50, 0), msk (27, 12, 53, 0), "md_trip", "md_false_trip", NULL));

  r = bw_report_new_from_stops (stops, o, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bw_report_get_n_md (r), ==, 2);
  m = bw_report_get_md (r, 0);
  g_assert_cmpuint (m->trips, ==, 7);
  g_assert_cmpuint (m->false_trips, ==, 6);
  g_assert_cmpuint (m->foreign_objects, ==, 1);
  g_assert_cmpuint (m->max_false_in_window, ==, 5);
  assert_close (m->false_share, 6.0 / 7.0, 1e-12);
  m = bw_report_get_md_total (r);
  g_assert_cmpuint (m->trips, ==, 9);
  g_assert_cmpuint (m->unclassified, ==, 1);
  assert_close (m->false_share, 6.0 / 8.0, 1e-12);
  g_assert_cmpint (m->downtime_us, ==, (6 * 3 + 20 + 12 + 2) * MIN_US);

  g_assert_cmpuint (bw_report_get_n_md_clusters (r), ==, 1);
  c = bw_report_get_md_cluster (r, 0);
  g_assert_cmpstr (c->conveyor, ==, "CV-1");
  g_assert_cmpuint (c->false_trips, ==, 5);
  g_assert_cmpint (c->from_us, ==, msk (27, 10, 0, 0));
  g_assert_cmpint (c->to_us, ==, msk (27, 10, 40, 0));

  pdf = render_pdf_file (r, "md.pdf");
  text = rt_pdftotext (pdf, 0);
  {
    g_autofree char *flat = rt_squash (text);
    g_assert_nonnull (strstr (flat, "Сгущение ложных срабатываний на CV-1: 5 с 27.11.2026 10:00 по 10:40 (порог — более 3 за 60 мин)"));
    g_assert_nonnull (strstr (flat, "Зуб"));
    g_assert_nonnull (strstr (flat, "экскаватора"));
  }

  bw_report_options_set_md_cluster (o, 5, H_US);
  quiet = bw_report_new_from_stops (stops, o, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bw_report_get_n_md_clusters (quiet), ==, 0);
}

/* ---- the PDF's layout ---- */

static void
test_long_comment_wraps (void)
{
  g_autoptr(BwReportOptions) o = options_new (msk (27, 8, 0, 0), msk (27, 20, 0, 0), msk (27, 21, 0, 0), "ru");
  g_autoptr(GPtrArray) stops = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GString) comment = g_string_new (NULL);
  g_autoptr(GString) giant = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BwReport) r = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *text = NULL;
  g_autofree char *flat = NULL;
  g_auto(GStrv) lines = NULL;
  int first = -1, last = -1, pages;
  guint pos = 0;

  for (int i = 1; i <= 40; i++)
    g_string_append_printf (comment, "%sслово%02d", i > 1 ? " " : "", i);
  /* longer than a page: it must flow over pages, line by line */
  for (int i = 1; i <= 900; i++)
    g_string_append_printf (giant, "%sзапись%03d", i > 1 ? " " : "", i);

  g_ptr_array_add (stops, stop_new ("CV-1", msk (27, 9, 0, 0), msk (27, 9, 20, 0), "overload", "failure", comment->str));
  g_ptr_array_add (stops, stop_new ("CV-1", msk (27, 11, 0, 0), msk (27, 11, 40, 0), "slip", "failure", giant->str));
  g_ptr_array_add (stops, stop_new ("CV-2", msk (27, 12, 0, 0), msk (27, 12, 5, 0), "md_trip", "md_false_trip", "Последняя"));
  r = bw_report_new_from_stops (stops, o, &error);
  g_assert_no_error (error);
  pdf = render_pdf_file (r, "comments.pdf");
  pages = rt_pdf_pages (pdf);
  g_assert_cmpint (pages, >=, 4);

  /* the long comment wraps within its column: its words on many lines, in order */
  text = rt_pdftotext (pdf, 0);
  lines = g_strsplit (text, "\n", -1);
  for (int i = 0; lines[i]; i++)
    {
      if (first < 0 && strstr (lines[i], "слово01"))
        first = i;
      if (strstr (lines[i], "слово40"))
        last = i;
    }
  g_assert_cmpint (first, >=, 0);
  g_assert_cmpint (last, >=, first + 4);
  flat = rt_squash (text);
  for (int i = 1; i <= 40; i++)
    {
      g_autofree char *w = g_strdup_printf ("слово%02d", i);
      const char *at = strstr (flat + pos, w);
      g_assert_nonnull (at);
      pos = (guint) (at - flat);
    }

  /* the giant comment: every word, in order, and the header on every page of the list */
  pos = 0;
  for (int i = 1; i <= 900; i++)
    {
      g_autofree char *w = g_strdup_printf ("запись%03d", i);
      const char *at = strstr (flat + pos, w);
      g_assert_nonnull (at);
      pos = (guint) (at - flat);
    }
  g_assert_nonnull (strstr (flat + pos, "Последняя"));
  for (int p = 1, giant_pages = 0; p <= pages; p++)
    {
      g_autofree char *page = rt_pdftotext (pdf, p);
      g_autofree char *footer = g_strdup_printf ("Страница %d из %d", p, pages);

      g_assert_nonnull (strstr (page, footer));
      if (strstr (page, "запись"))
        {
          g_assert_nonnull (strstr (page, "Окончание"));
          g_assert_nonnull (strstr (page, "Начало"));
          giant_pages++;
        }
      if (p == pages)
        g_assert_cmpint (giant_pages, >=, 3);
    }
}

static void
test_long_list_flows (void)
{
  g_autoptr(BwReportOptions) o = options_new (msk (27, 8, 0, 0), msk (28, 8, 0, 0), msk (28, 9, 0, 0), "ru");
  g_autoptr(GPtrArray) stops = g_ptr_array_new_with_free_func (g_object_unref);
  static const char *causes[] = { "md_false_trip", "foreign_object", "failure", "process", NULL };
  static const char *triggers[] = { "md_trip", "md_trip", "overload", "none", "slip" };
  g_autoptr(GError) error = NULL;
  g_autoptr(BwReport) r = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *all = NULL;
  int pages, list_first = 0;

  for (int i = 0; i < 400; i++)
    {
      gint64 start = msk (27, 8, 0, 0) + i * 3 * MIN_US + 10 * BW_USEC_PER_SEC;
      char conveyor[16];
      const char *comment = i % 3 == 0 ? "Металла нет" : NULL;

      g_snprintf (conveyor, sizeof conveyor, "CV-%d", 101 + i % 7);
      g_ptr_array_add (stops, stop_new (conveyor, start, start + (50 + i % 90) * BW_USEC_PER_SEC, triggers[i % 5],
                                        causes[i % 5], comment));
    }
  r = bw_report_new_from_stops (stops, o, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bw_report_get_n_stops (r), ==, 400);
  pdf = render_pdf_file (r, "list.pdf");
  pages = rt_pdf_pages (pdf);
  g_assert_cmpint (pages, >=, 6);

  for (int p = 1; p <= pages; p++)
    {
      g_autofree char *page = rt_pdftotext (pdf, p);
      g_autofree char *footer = g_strdup_printf ("Страница %d из %d", p, pages);

      g_assert_nonnull (strstr (page, footer));
      if (list_first == 0 && strstr (page, "Перечень остановок"))
        list_first = p;
      /* every page of the list starts with the table's header */
      if (list_first && p > list_first && strstr (page, "CV-10"))
        {
          g_assert_nonnull (strstr (page, "Окончание"));
          g_assert_nonnull (strstr (page, "Начало"));
        }
    }
  g_assert_cmpint (list_first, >, 0);
  g_assert_cmpint (pages - list_first, >=, 4);
  all = rt_pdftotext (pdf, 0);
  g_assert_nonnull (strstr (all, " 400 "));
  /* the comments of the classified stops: i % 3 == 0, cause given (i % 5 != 4) */
  g_assert_cmpuint (rt_count (all, "Металла нет"), ==, 107);
}

static void
test_landscape_and_english (void)
{
  g_autoptr(BwReportOptions) o = options_new (msk (27, 8, 0, 0), msk (27, 20, 0, 0), msk (27, 21, 0, 0), "en");
  g_autoptr(GPtrArray) stops = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(BwReport) r = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *text = NULL;
  g_autofree char *title = NULL;
  double w, h;

  g_ptr_array_add (stops, stop_new ("CV-1", msk (27, 9, 0, 0), msk (27, 9, 20, 0), "overload", "failure", "Coupling"));
  bw_report_options_set_orientation (o, BW_REPORT_LANDSCAPE);
  bw_report_options_set_type (o, BW_REPORT_TYPE_SHIFT);
  bw_report_options_set_shift_name (o, "Day shift");
  r = bw_report_new_from_stops (stops, o, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bw_report_get_language (r), ==, "en");
  title = bw_report_dup_title (r);
  g_assert_cmpstr (title, ==, "Shift downtime report: Day shift, 2026-11-27");
  pdf = render_pdf_file (r, "landscape.pdf");
  rt_pdf_page_size (pdf, &w, &h);
  g_assert_cmpfloat_with_epsilon (w, 841.89, 0.01);
  g_assert_cmpfloat_with_epsilon (h, 595.28, 0.01);
  text = rt_pdftotext (pdf, 0);
  g_assert_nonnull (strstr (text, "SHIFT DOWNTIME REPORT"));
  g_assert_nonnull (strstr (text, "Stop list"));
  g_assert_nonnull (strstr (text, "Page 1 of"));
  g_assert_nonnull (strstr (text, "Shift supervisor"));
}

/* ---- CSV and JSON ---- */

static void
test_csv_quoting (void)
{
  g_autoptr(BwReportOptions) o = options_new (msk (27, 8, 0, 0), msk (27, 20, 0, 0), msk (27, 21, 0, 0), "ru");
  g_autoptr(GPtrArray) stops = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(BwReport) r = NULL;
  g_autoptr(GBytes) csv = NULL, totals = NULL, stop_rows = NULL;
  g_autoptr(GPtrArray) rows = NULL, trows = NULL, srows = NULL;
  const char *tricky = "Болт М24; \"крупный\",\nнайден на ленте";

  g_ptr_array_add (stops, stop_new ("CV-1", msk (27, 9, 0, 0), msk (27, 9, 20, 30), "md_trip", "foreign_object", tricky));
  g_ptr_array_add (stops, stop_new ("CV-1", msk (27, 10, 0, 0), msk (27, 10, 20, 0), "md_trip", "md_false_trip",
                                    "=HYPERLINK(\"x\")"));
  g_assert_true (bw_report_options_set_csv_separator (o, ','));
  r = bw_report_new_from_stops (stops, o, &error);
  g_assert_no_error (error);

  csv = render (r, BW_REPORT_FORMAT_CSV);
  rows = rt_csv_parse (csv, ',');
  g_assert_cmpuint (g_strv_length (rows->pdata[0]), ==, 20);
  g_assert_cmpstr (((GStrv) rows->pdata[1])[14], ==, tricky);
  g_assert_cmpstr (((GStrv) rows->pdata[1])[5], ==, "20.50");    /* a comma separates: the decimal is a point */
  g_assert_cmpstr (((GStrv) rows->pdata[2])[14], ==, "'=HYPERLINK(\"x\")");
  g_assert_cmpint (rt_csv_find (rows, 0, 0, "Итого"), >, 3);

  stop_rows = render (r, BW_REPORT_FORMAT_CSV_STOPS);
  srows = rt_csv_parse (stop_rows, ',');
  g_assert_cmpuint (srows->len, ==, 3);
  totals = render (r, BW_REPORT_FORMAT_CSV_TOTALS);
  trows = rt_csv_parse (totals, ',');
  g_assert_cmpstr (((GStrv) trows->pdata[0])[0], ==, "Отчёт");
  g_assert_cmpint (rt_csv_find (trows, 0, 0, "Итого"), >, 0);
  g_assert_cmpint (rt_csv_find (trows, 0, 1, "foreign_object"), >, 0);
  g_assert_cmpint (rt_csv_find (trows, 0, 0, "№"), ==, -1);
}

static void
test_json (void)
{
  g_autoptr(BwReportOptions) o = options_new (msk (27, 10, 0, 0), msk (27, 12, 0, 0), msk (27, 11, 0, 0), "ru");
  g_autoptr(GPtrArray) stops = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(BwReport) r = NULL;
  g_autoptr(GBytes) json = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root, *total, *stop;

  g_ptr_array_add (stops, stop_new ("CV-1", msk (27, 10, 30, 0), 0, "md_trip", NULL, NULL));
  g_ptr_array_add (stops, stop_new ("CV-1", msk (27, 9, 50, 0), msk (27, 10, 10, 0), "overload", "failure", NULL));
  r = bw_report_new_from_stops (stops, o, &error);
  g_assert_no_error (error);
  json = render (r, BW_REPORT_FORMAT_JSON);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (json, NULL), (gssize) g_bytes_get_size (json), &error));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "type"), ==, "range");
  g_assert_cmpstr (json_object_get_string_member (root, "from"), ==, "2026-11-27T07:00:00.000Z");
  g_assert_cmpstr (json_object_get_string_member (root, "counted_to"), ==, "2026-11-27T08:00:00.000Z");
  g_assert_cmpstr (json_object_get_string_member (root, "timezone"), ==, "Europe/Moscow");
  total = json_object_get_object_member (root, "total");
  g_assert_cmpint (json_object_get_int_member (total, "stops"), ==, 2);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (total, "unplanned_s"), 40 * 60, 1e-6);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (total, "availability"), 20.0 / 60, 1e-9);
  stop = json_array_get_object_element (json_object_get_array_member (root, "stops"), 1);
  g_assert_true (json_object_get_boolean_member (stop, "open"));
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (stop, "counted_s"), 30 * 60, 1e-6);
  stop = json_array_get_object_element (json_object_get_array_member (root, "stops"), 0);
  g_assert_true (json_object_get_boolean_member (stop, "clipped_start"));
  g_assert_cmpstr (json_object_get_string_member (stop, "class"), ==, "unplanned");
}

/* ---- query parameters ---- */

static GHashTable *
query (const char *first,
       ...)
{
  GHashTable *q = g_hash_table_new (g_str_hash, g_str_equal);
  va_list ap;

  va_start (ap, first);
  for (const char *k = first; k; k = va_arg (ap, const char *))
    g_hash_table_insert (q, (gpointer) k, va_arg (ap, char *));
  va_end (ap);
  return q;
}

static void
test_query (void)
{
  g_autoptr(GTimeZone) tz = moscow ();
  g_autoptr(BwShiftSchedule) s = bw_shift_schedule_new_parse ("08:00-20:00 Дневная; 20:00-08:00 Ночная", tz, NULL);
  struct
  {
    GHashTable    *q;
    BwReportType   type;
    gint64         from, to;
    const char    *shift;
  } ok[] = {
    { query ("now", "2026-11-27T10:00:00+03:00", NULL), BW_REPORT_TYPE_SHIFT, msk (26, 20, 0, 0), msk (27, 8, 0, 0), "Ночная" },
    { query ("now", "2026-11-27T10:00:00+03:00", "shift", "current", NULL), BW_REPORT_TYPE_SHIFT, msk (27, 8, 0, 0),
      msk (27, 20, 0, 0), "Дневная" },
    { query ("now", "2026-11-27T10:00:00+03:00", "shift", "ночная", "date", "2026-11-25", NULL), BW_REPORT_TYPE_SHIFT,
      msk (25, 20, 0, 0), msk (26, 8, 0, 0), "Ночная" },
    { query ("now", "2026-11-27T10:00:00+03:00", "shift", "2", NULL), BW_REPORT_TYPE_SHIFT, msk (26, 20, 0, 0),
      msk (27, 8, 0, 0), "Ночная" },
    { query ("now", "2026-11-27T10:00:00+03:00", "type", "day", NULL), BW_REPORT_TYPE_DAY, msk (26, 8, 0, 0),
      msk (27, 8, 0, 0), NULL },
    { query ("now", "2026-11-27T10:00:00+03:00", "date", "2026-11-20", NULL), BW_REPORT_TYPE_DAY, msk (20, 8, 0, 0),
      msk (21, 8, 0, 0), NULL },
    { query ("now", "2026-11-27T10:00:00+03:00", "date", "today", NULL), BW_REPORT_TYPE_DAY, msk (27, 8, 0, 0),
      msk (28, 8, 0, 0), NULL },
    { query ("from", "2026-11-27T09:00:00+03:00", "to", "2026-11-27T11:00:00+03:00", NULL), BW_REPORT_TYPE_RANGE,
      msk (27, 9, 0, 0), msk (27, 11, 0, 0), NULL },
    { query ("type", "shift", "from", "2026-11-27T23:00:00+03:00", NULL), BW_REPORT_TYPE_SHIFT, msk (27, 20, 0, 0),
      msk (28, 8, 0, 0), "Ночная" },
  };
  GHashTable *bad[] = {
    query ("colour", "red", NULL),
    query ("format", "docx", NULL),
    query ("tz", "Mars/Olympus", NULL),
    query ("type", "week", NULL),
    query ("from", "yesterday", NULL),
    query ("shift", "Вечерняя", NULL),
    query ("date", "2026-02-30", NULL),
    query ("from", "2026-11-27T11:00:00Z", "to", "2026-11-27T10:00:00Z", NULL),
    query ("separator", "x", NULL),
    query ("orientation", "sideways", NULL),
  };

  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autoptr(BwReportOptions) o = bw_report_options_new ();
      g_autoptr(GError) error = NULL;
      BwReportFormat f = BW_REPORT_FORMAT_JSON;

      g_assert_true (bw_report_options_apply_query (o, ok[i].q, s, &f, &error));
      g_assert_no_error (error);
      g_assert_cmpint (f, ==, BW_REPORT_FORMAT_PDF);
      g_assert_cmpint (bw_report_options_get_report_type (o), ==, ok[i].type);
      g_assert_cmpint (bw_report_options_get_from (o), ==, ok[i].from);
      g_assert_cmpint (bw_report_options_get_to (o), ==, ok[i].to);
      g_assert_cmpstr (bw_report_options_get_shift_name (o), ==, ok[i].shift);
      g_hash_table_unref (ok[i].q);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(BwReportOptions) o = bw_report_options_new ();
      g_autoptr(GError) error = NULL;

      g_assert_false (bw_report_options_apply_query (o, bad[i], s, NULL, &error));
      g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
      g_hash_table_unref (bad[i]);
    }

  /* the rest of the parameters */
  {
    g_autoptr(BwReportOptions) o = bw_report_options_new ();
    g_autoptr(GHashTable) q = query ("from", "2026-11-27T09:00:00Z", "format", "csv-totals", "lang", "en", "conveyor",
                                     "CV-1, CV-3", "separator", "tab", "orientation", "landscape", "prepared_by",
                                     "Кузнецов", "tz", "Asia/Yekaterinburg", "now", "2026-11-27T10:00:00Z", NULL);
    BwReportFormat f;

    g_assert_true (bw_report_options_apply_query (o, q, s, &f, NULL));
    g_assert_cmpint (f, ==, BW_REPORT_FORMAT_CSV_TOTALS);
    g_assert_cmpstr (bw_report_options_get_language (o), ==, "en");
    g_assert_cmpstr (bw_report_options_get_conveyors (o)[1], ==, "CV-3");
    g_assert_cmpint (bw_report_options_get_csv_separator (o), ==, '\t');
    g_assert_cmpint (bw_report_options_get_orientation (o), ==, BW_REPORT_LANDSCAPE);
    g_assert_cmpstr (bw_report_options_get_prepared_by (o), ==, "Кузнецов");
    g_assert_cmpstr (g_time_zone_get_identifier (bw_report_options_get_timezone (o)), ==, "Asia/Yekaterinburg");
    g_assert_cmpint (bw_report_options_get_to (o), ==, bw_time_from_civil (2026, 11, 27, 10, 0, 0));
  }
}

/* ---- the ledger and the worker threads ---- */

typedef struct
{
  GMainLoop *loop;
  BwReport  *report;
  GBytes    *bytes;
  gboolean   written;
  GError    *error;
} AsyncResult;

static void
built_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  AsyncResult *a = data;

  if (g_async_result_is_tagged (result, bw_report_new_from_ledger_async))
    a->report = bw_report_new_from_ledger_finish (result, &a->error);
  else
    a->report = bw_report_new_from_stops_finish (result, &a->error);
  g_main_loop_quit (a->loop);
}

static void
rendered_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  AsyncResult *a = data;

  a->bytes = bw_report_render_finish (a->report, result, &a->error);
  g_main_loop_quit (a->loop);
}

static void
written_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  AsyncResult *a = data;

  a->written = bw_report_write_finish (a->report, result, &a->error);
  g_main_loop_quit (a->loop);
}

static void
test_ledger_and_async (void)
{
  g_autofree char *db = rt_path ("ledger.sqlite");
  g_autoptr(BwReportOptions) o = options_new (msk (27, 8, 0, 0), msk (27, 20, 0, 0), msk (27, 21, 0, 0), "ru");
  g_autoptr(GPtrArray) stops = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(BwReport) sync = NULL;
  g_autoptr(BwReport) direct = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  g_autofree char *out = rt_path ("async.csv");
  g_autoptr(GFile) file = g_file_new_for_path (out);
  g_autofree char *written = NULL;
  AsyncResult a = { loop };

  {
    g_autoptr(BwLedger) ledger = bw_ledger_open_sqlite (db, &error);
    g_assert_no_error (error);
    g_assert_true (bw_ledger_begin (ledger, &error));
    g_assert_true (bw_ledger_ensure_conveyor (ledger, "CV-1", "Питатель 1", msk (20, 0, 0, 0), &error));
    g_assert_true (bw_ledger_ensure_conveyor (ledger, "CV-2", "CV-2", msk (20, 0, 0, 0), &error));
    g_ptr_array_add (stops, stop_new ("CV-1", msk (27, 7, 50, 0), msk (27, 8, 10, 0), "overload", "failure", "Муфта"));
    g_ptr_array_add (stops, stop_new ("CV-1", msk (27, 12, 0, 0), msk (27, 12, 0, 40), "md_trip", NULL, NULL));
    g_ptr_array_add (stops, stop_new ("CV-1", msk (27, 15, 0, 0), msk (27, 15, 30, 0), "none", "planned", NULL));
    g_ptr_array_add (stops, stop_new ("CV-1", msk (27, 22, 0, 0), msk (27, 22, 30, 0), "none", "process", NULL));
    for (guint i = 0; i < stops->len; i++)
      g_assert_true (bw_ledger_insert_stop (ledger, stops->pdata[i], NULL, &error));
    g_assert_true (bw_ledger_commit (ledger, &error));
    g_assert_no_error (error);

    sync = bw_report_new_from_ledger (ledger, o, NULL, &error);
    g_assert_no_error (error);
  }
  direct = bw_report_new_from_stops (stops, o, &error);
  g_assert_no_error (error);

  /* the ledger knows CV-2 and CV-1's name */
  g_assert_cmpuint (bw_report_get_n_conveyors (sync), ==, 2);
  g_assert_cmpstr (bw_report_get_conveyor (sync, 0)->name, ==, "Питатель 1");
  g_assert_null (bw_report_get_conveyor (sync, 1)->name);
  g_assert_cmpuint (bw_report_get_n_stops (sync), ==, 3);
  /* no trip the advice could use (no detector peaks): advice for nobody */
  g_assert_cmpuint (bw_report_get_n_md_advice (sync), ==, 0);
  g_assert_cmpint (bw_report_get_conveyor (sync, 0)->downtime_us, ==, bw_report_get_conveyor (direct, 0)->downtime_us);
  g_assert_cmpint (bw_report_get_total (sync)->calendar_us, ==, 24 * H_US);

  /* in a worker thread, on a read-only connection of its own */
  bw_report_new_from_ledger_async (db, o, NULL, built_cb, &a);
  g_main_loop_run (loop);
  g_assert_no_error (a.error);
  g_assert_nonnull (a.report);
  g_assert_cmpint (bw_report_get_total (a.report)->downtime_us, ==, bw_report_get_total (sync)->downtime_us);

  bw_report_render_async (a.report, BW_REPORT_FORMAT_PDF, NULL, rendered_cb, &a);
  g_main_loop_run (loop);
  g_assert_no_error (a.error);
  g_assert_true (memcmp (g_bytes_get_data (a.bytes, NULL), "%PDF-", 5) == 0);
  g_clear_pointer (&a.bytes, g_bytes_unref);

  bw_report_write_async (a.report, BW_REPORT_FORMAT_CSV, file, NULL, written_cb, &a);
  g_main_loop_run (loop);
  g_assert_no_error (a.error);
  g_assert_true (a.written);
  g_assert_true (g_file_get_contents (out, &written, NULL, NULL));
  g_assert_nonnull (strstr (written, "Муфта"));

  /* cancelled before it starts */
  g_cancellable_cancel (cancel);
  bw_report_render_async (a.report, BW_REPORT_FORMAT_PDF, cancel, rendered_cb, &a);
  g_main_loop_run (loop);
  g_assert_error (a.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (a.bytes);
  g_clear_error (&a.error);
  g_clear_pointer (&a.report, bw_report_unref);

  /* from stops, in a thread */
  bw_report_new_from_stops_async (stops, o, NULL, built_cb, &a);
  g_main_loop_run (loop);
  g_assert_no_error (a.error);
  g_assert_cmpuint (bw_report_get_n_stops (a.report), ==, 3);
  g_clear_pointer (&a.report, bw_report_unref);

  /* a ledger that is not there */
  {
    g_autofree char *missing = rt_path ("missing.sqlite");
    bw_report_new_from_ledger_async (missing, o, NULL, built_cb, &a);
    g_main_loop_run (loop);
    g_assert_error (a.error, BW_ERROR, BW_ERROR_NOT_FOUND);
    g_assert_null (a.report);
    g_clear_error (&a.error);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  rt_init ();
  g_test_add_func ("/report/shifts/parse", test_shifts_parse);
  g_test_add_func ("/report/shifts/find", test_shifts_find);
  g_test_add_func ("/report/shifts/dst", test_shifts_dst);
  g_test_add_func ("/report/empty-period", test_empty_period);
  g_test_add_func ("/report/edges-and-classes", test_edges_and_classes);
  g_test_add_func ("/report/open-stop", test_open_stop);
  g_test_add_func ("/report/invalid", test_invalid);
  g_test_add_func ("/report/md-cluster", test_md_cluster);
  g_test_add_func ("/report/pdf/long-comment-wraps", test_long_comment_wraps);
  g_test_add_func ("/report/pdf/long-list-flows", test_long_list_flows);
  g_test_add_func ("/report/pdf/landscape-english", test_landscape_and_english);
  g_test_add_func ("/report/csv", test_csv_quoting);
  g_test_add_func ("/report/json", test_json);
  g_test_add_func ("/report/query", test_query);
  g_test_add_func ("/report/ledger-and-async", test_ledger_and_async);
  return g_test_run ();
}
