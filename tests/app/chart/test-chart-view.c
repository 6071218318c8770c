/* test-chart-view.c: zoom and pan arithmetic, time axis ticks, loaded-range
 * bookkeeping and the service's JSON, without a display
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-chart-view"

#include "config.h"

#include <math.h>

#include "bw-chart-data.h"
#include "bw-chart-view.h"
#include "bw-error.h"
#include "bw-time-axis.h"

#define T0 1795737600000.0   /* 2026-11-27T00:00:00Z */

static void
test_mapping (void)
{
  BwChartView v;

  bw_chart_view_init (&v, T0, T0 + 600000);
  g_assert_cmpfloat (bw_chart_view_span (&v), ==, 600000);
  g_assert_cmpfloat (bw_chart_view_time_to_x (&v, T0 + 300000, 1000), ==, 500);
  g_assert_cmpfloat (bw_chart_view_x_to_time (&v, 250, 1000), ==, T0 + 150000);
  g_assert_cmpfloat_with_epsilon (bw_chart_view_norm_to_y (&v, 1, 200), 0, 1e-9);
  g_assert_cmpfloat_with_epsilon (bw_chart_view_norm_to_y (&v, 0, 200), 200, 1e-9);
  g_assert_cmpfloat_with_epsilon (bw_chart_view_y_to_norm (&v, 50, 200), 0.75, 1e-9);

  /* a span below the minimum is widened around its middle */
  bw_chart_view_init (&v, T0, T0 + 10);
  g_assert_cmpfloat (bw_chart_view_span (&v), ==, BW_CHART_MIN_SPAN_MS);
  g_assert_cmpfloat_with_epsilon ((v.t0 + v.t1) / 2, T0 + 5, 1e-6);
}

static void
test_zoom (void)
{
  BwChartView v;
  double anchor = T0 + 150000;
  double x_before, x_after;

  bw_chart_view_init (&v, T0, T0 + 600000);
  x_before = bw_chart_view_time_to_x (&v, anchor, 800);
  bw_chart_view_zoom (&v, anchor, 0.5);
  x_after = bw_chart_view_time_to_x (&v, anchor, 800);
  g_assert_cmpfloat_with_epsilon (bw_chart_view_span (&v), 300000, 1e-6);
  /* the time under the pointer stays under the pointer */
  g_assert_cmpfloat_with_epsilon (x_before, x_after, 1e-6);

  /* zoom out and in again: back where it was */
  bw_chart_view_zoom (&v, anchor, 2);
  g_assert_cmpfloat_with_epsilon (v.t0, T0, 1e-3);
  g_assert_cmpfloat_with_epsilon (v.t1, T0 + 600000, 1e-3);

  /* limits */
  bw_chart_view_zoom (&v, anchor, 1e-9);
  g_assert_cmpfloat_with_epsilon (bw_chart_view_span (&v), BW_CHART_MIN_SPAN_MS, 1e-6);
  bw_chart_view_zoom (&v, anchor, 1e12);
  g_assert_cmpfloat_with_epsilon (bw_chart_view_span (&v), BW_CHART_MAX_SPAN_MS, 1e-3);
  /* nonsense factors change nothing */
  {
    BwChartView before = v;

    bw_chart_view_zoom (&v, anchor, 0);
    bw_chart_view_zoom (&v, anchor, NAN);
    bw_chart_view_zoom (&v, anchor, -2);
    g_assert_cmpfloat (v.t0, ==, before.t0);
    g_assert_cmpfloat (v.t1, ==, before.t1);
  }
}

static void
test_pan (void)
{
  BwChartView v;

  bw_chart_view_init (&v, T0, T0 + 600000);
  /* dragging 100 px right on an 800 px plot shows 1/8 of the span earlier */
  bw_chart_view_pan (&v, 100, 800);
  g_assert_cmpfloat_with_epsilon (v.t0, T0 - 75000, 1e-6);
  g_assert_cmpfloat_with_epsilon (v.t1, T0 + 525000, 1e-6);
  bw_chart_view_pan (&v, -100, 800);
  g_assert_cmpfloat_with_epsilon (v.t0, T0, 1e-6);
  /* a pan keeps the span */
  bw_chart_view_pan (&v, 12345, 800);
  g_assert_cmpfloat_with_epsilon (bw_chart_view_span (&v), 600000, 1e-6);
}

static void
test_zoom_box (void)
{
  BwChartView v;

  bw_chart_view_init (&v, T0, T0 + 800000);
  /* a click is no box */
  g_assert_false (bw_chart_view_zoom_box (&v, 100, 10, 102, 90, 800, 400));
  g_assert_cmpfloat (v.t0, ==, T0);

  /* drawn right to left, time only (flat box) */
  g_assert_true (bw_chart_view_zoom_box (&v, 600, 100, 200, 101, 800, 400));
  g_assert_cmpfloat_with_epsilon (v.t0, T0 + 200000, 1e-6);
  g_assert_cmpfloat_with_epsilon (v.t1, T0 + 600000, 1e-6);
  g_assert_cmpfloat (v.y0, ==, 0);
  g_assert_cmpfloat (v.y1, ==, 1);

  /* with a height: the value window too (top of the plot is the high end) */
  g_assert_true (bw_chart_view_zoom_box (&v, 0, 100, 400, 300, 800, 400));
  g_assert_cmpfloat_with_epsilon (v.t0, T0 + 200000, 1e-6);
  g_assert_cmpfloat_with_epsilon (v.t1, T0 + 400000, 1e-6);
  g_assert_cmpfloat_with_epsilon (v.y0, 0.25, 1e-9);
  g_assert_cmpfloat_with_epsilon (v.y1, 0.75, 1e-9);
  /* and again inside that */
  g_assert_true (bw_chart_view_zoom_box (&v, 0, 0, 800, 200, 800, 400));
  g_assert_cmpfloat_with_epsilon (v.y0, 0.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (v.y1, 0.75, 1e-9);

  /* a box beyond the plot is clipped to it */
  bw_chart_view_init (&v, T0, T0 + 800000);
  g_assert_true (bw_chart_view_zoom_box (&v, -50, 0, 100, 2, 800, 400));
  g_assert_cmpfloat_with_epsilon (v.t0, T0, 1e-6);
  g_assert_cmpfloat_with_epsilon (v.t1, T0 + 100000, 1e-6);
}

static void
test_ticks (void)
{
  g_autoptr(GTimeZone) msk = g_time_zone_new_identifier ("Europe/Moscow");
  g_autoptr(GTimeZone) kolkata = g_time_zone_new_identifier ("Asia/Kolkata");
  gint64 ticks[64], step;
  guint n;

  g_assert_nonnull (msk);
  g_assert_nonnull (kolkata);

  /* 10 minutes on 1000 px, ≥ 96 px apart: every minute, on the minute */
  n = bw_time_axis_ticks (T0 + 12345, T0 + 12345 + 600000, 1000, 96, msk, ticks, 64, &step);
  g_assert_cmpint (step, ==, 60000);
  g_assert_cmpuint (n, ==, 10);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpint (ticks[i] % 60000, ==, 0);
      g_assert_cmpfloat ((double) ticks[i], >=, T0 + 12345);
      if (i)
        g_assert_cmpint (ticks[i] - ticks[i - 1], ==, step);
    }

  /* hours fall on the local hour in a half-hour zone (UTC+05:30) */
  n = bw_time_axis_ticks (T0, T0 + 86400000.0, 1000, 96, kolkata, ticks, 64, &step);
  g_assert_cmpint (step, ==, 3 * 3600000);
  g_assert_cmpuint (n, >, 0);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint ((ticks[i] + 19800000) % (3 * 3600000), ==, 0);

  /* days fall on local midnight */
  n = bw_time_axis_ticks (T0, T0 + 30 * 86400000.0, 1000, 96, msk, ticks, 64, &step);
  g_assert_cmpint (step, ==, 7 * 86400000);
  g_assert_cmpuint (n, >=, 4);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint ((ticks[i] + 3 * 3600000) % 86400000, ==, 0);

  /* the count is bounded */
  n = bw_time_axis_ticks (T0, T0 + 1e9, 100000, 1, msk, ticks, 10, &step);
  g_assert_cmpuint (n, ==, 10);

  /* labels in local time, as precise as the step */
  {
    g_autofree char *a = bw_time_axis_format_tick ((gint64) T0 + 8 * 3600000 + 15 * 60000, 60000, msk);
    g_autofree char *b = bw_time_axis_format_tick ((gint64) T0 + 30500, 1000, msk);
    g_autofree char *c = bw_time_axis_format_tick ((gint64) T0 + 30250, 50, msk);
    g_autofree char *d = bw_time_axis_format_tick ((gint64) T0 + 21 * 3600000, 3600000, msk);
    g_autofree char *e = bw_time_axis_format_full ((gint64) T0 + 1250, 10, msk);
    g_autofree char *f = bw_time_axis_format_full ((gint64) T0 + 1250, 5000, msk);

    g_assert_cmpstr (a, ==, "11:15");
    g_assert_cmpstr (b, ==, "03:00:30");
    g_assert_cmpstr (c, ==, "03:00:30.250");
    g_assert_cmpstr (d, ==, "Nov 28");    /* local midnight shows the date */
    g_assert_cmpstr (e, ==, "2026-11-27 03:00:01.250");
    g_assert_cmpstr (f, ==, "2026-11-27 03:00:01");
  }
}

static void
test_coverage (void)
{
  g_autoptr(BwCoverage) c = bw_coverage_new ();
  g_autoptr(GArray) missing = NULL;
  gint64 a, b;

  g_assert_true (bw_coverage_missing_hull (c, 0, 1000, 10, &a, &b));
  g_assert_cmpint (a, ==, 0);
  g_assert_cmpint (b, ==, 1000);

  /* live raw data 600..1000, coarse history 0..800 */
  bw_coverage_add (c, 600, 1000, 0);
  bw_coverage_add (c, 0, 800, 50);
  g_assert_cmpuint (bw_coverage_get_n_spans (c), ==, 2);
  g_assert_cmpint (bw_coverage_get_span (c, 0)->to_ms, ==, 600);    /* the finer one keeps its part */
  g_assert_cmpfloat (bw_coverage_get_span (c, 1)->resolution_ms, ==, 0);

  /* at 50 ms a point everything is there; at 10 only the live part */
  g_assert_false (bw_coverage_missing_hull (c, 0, 1000, 50, NULL, NULL));
  missing = bw_coverage_missing (c, 0, 1000, 10);
  g_assert_cmpuint (missing->len, ==, 1);
  g_assert_cmpint (g_array_index (missing, BwCoverageSpan, 0).from_ms, ==, 0);
  g_assert_cmpint (g_array_index (missing, BwCoverageSpan, 0).to_ms, ==, 600);

  /* a finer load in the middle splits the coarse span */
  bw_coverage_add (c, 200, 300, 5);
  g_assert_cmpuint (bw_coverage_get_n_spans (c), ==, 4);
  g_clear_pointer (&missing, g_array_unref);
  missing = bw_coverage_missing (c, 0, 1200, 10);
  g_assert_cmpuint (missing->len, ==, 3);
  g_assert_cmpint (g_array_index (missing, BwCoverageSpan, 1).from_ms, ==, 300);
  g_assert_cmpint (g_array_index (missing, BwCoverageSpan, 1).to_ms, ==, 600);
  g_assert_cmpint (g_array_index (missing, BwCoverageSpan, 2).from_ms, ==, 1000);

  /* touching spans of one resolution merge */
  bw_coverage_add (c, 1000, 1100, 0);
  g_assert_cmpint (bw_coverage_get_span (c, bw_coverage_get_n_spans (c) - 1)->to_ms, ==, 1100);
  g_assert_cmpint (bw_coverage_get_span (c, bw_coverage_get_n_spans (c) - 1)->from_ms, ==, 600);

  /* bounded */
  for (int i = 0; i < 1000; i++)
    bw_coverage_add (c, 10000 + i * 10, 10000 + i * 10 + 5, i % 7);
  g_assert_cmpuint (bw_coverage_get_n_spans (c), <=, 256);
}

static const char signals_json[] =
  "{\"conveyor\": \"CV-101\", \"from\": \"2026-11-27T00:00:00.000Z\","
  " \"to\": \"2026-11-27T00:00:04.000Z\", \"points\": 4,"
  " \"series\": [{\"tag\": \"motor_current\","
  "   \"t\": [1795737600000, 1795737601000, 1795737602000, 1795737603000],"
  "   \"min\": [10.5, null, 12, 3], \"mean\": [11, null, 12, 50], \"max\": [12.5, null, 12, 99]},"
  "  {\"tag\": \"belt_speed\", \"t\": [1795737600000, 1795737601000, 1795737602000, 1795737603000],"
  "   \"min\": [2.5, 2.5, 2.5, 2.5], \"mean\": [2.5, 2.5, 2.5, 2.5], \"max\": [2.5, 2.5, 2.5, 2.5]}]}";

static void
test_signals_json (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BwSignalsResponse) r = bw_signals_response_parse_data (signals_json, -1, &error);
  BwSignalsSeries *s;
  BwSeriesBucket *b;

  g_assert_no_error (error);
  g_assert_nonnull (r);
  g_assert_cmpstr (r->conveyor, ==, "CV-101");
  g_assert_cmpint (r->from_ms, ==, (gint64) T0);
  g_assert_cmpint (r->to_ms, ==, (gint64) T0 + 4000);
  g_assert_cmpfloat (bw_signals_response_resolution (r), ==, 1000);
  g_assert_cmpuint (r->series->len, ==, 2);
  g_assert_null (bw_signals_response_find (r, "load"));
  s = bw_signals_response_find (r, "motor_current");
  g_assert_nonnull (s);
  g_assert_cmpuint (s->buckets->len, ==, 4);
  b = &g_array_index (s->buckets, BwSeriesBucket, 0);
  g_assert_cmpint (b->t, ==, (gint64) T0);
  g_assert_cmpfloat (b->min, ==, 10.5);
  g_assert_cmpfloat (b->max, ==, 12.5);
  b = &g_array_index (s->buckets, BwSeriesBucket, 1);
  g_assert_true (isnan (b->min) && isnan (b->mean) && isnan (b->max));

  /* into a series: the peak of 99 is there */
  {
    g_autoptr(BwSeries) series = bw_series_new (0);
    BwSeriesColumn col;

    bw_series_replace_buckets (series, r->from_ms, r->to_ms, (BwSeriesBucket *) (gpointer) s->buckets->data,
                               s->buckets->len);
    bw_series_decimate (series, T0, T0 + 4000, 1, &col);
    g_assert_cmpfloat (col.max, ==, 99);
    g_assert_cmpfloat (col.min, ==, 3);
    g_assert_true (col.has_gap);
  }
}

static void
test_signals_json_bad (void)
{
  const char *bad[] = {
    "[]",
    "not json",
    "{\"from\": \"2026-11-27T00:00:00Z\", \"series\": []}",
    "{\"from\": \"yesterday\", \"to\": \"2026-11-27T00:00:00Z\", \"series\": []}",
    "{\"from\": \"2026-11-27T00:00:01Z\", \"to\": \"2026-11-27T00:00:00Z\", \"series\": []}",
    "{\"from\": \"2026-11-27T00:00:00Z\", \"to\": \"2026-11-27T00:01:00Z\"}",
    "{\"from\": \"2026-11-27T00:00:00Z\", \"to\": \"2026-11-27T00:01:00Z\", \"series\": [1]}",
    "{\"from\": \"2026-11-27T00:00:00Z\", \"to\": \"2026-11-27T00:01:00Z\", \"series\": [{\"t\": []}]}",
    "{\"from\": \"2026-11-27T00:00:00Z\", \"to\": \"2026-11-27T00:01:00Z\", \"series\": "
      "[{\"tag\": \"x\", \"t\": [1, 2], \"min\": [1], \"mean\": [1, 2], \"max\": [1, 2]}]}",
    "{\"from\": \"2026-11-27T00:00:00Z\", \"to\": \"2026-11-27T00:01:00Z\", \"series\": "
      "[{\"tag\": \"x\", \"t\": [2, 1], \"min\": [1, 1], \"mean\": [1, 2], \"max\": [1, 2]}]}",
    "{\"from\": \"2026-11-27T00:00:00Z\", \"to\": \"2026-11-27T00:01:00Z\", \"series\": "
      "[{\"tag\": \"x\", \"t\": [1], \"min\": [\"a\"], \"mean\": [1], \"max\": [1]}]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BwSignalsResponse) r = bw_signals_response_parse_data (bad[i], -1, &error);

      g_assert_null (r);
      g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
    }
}

typedef struct
{
  GString *seen;
} Collect;

static void
collect_cb (const char *tag,
            gint64      t_ms,
            double      value,
            gpointer    user_data)
{
  Collect *c = user_data;

  g_string_append_printf (c->seen, "%s@%" G_GINT64_FORMAT "=%g;", tag, t_ms, value);
}

static void
test_samples_json (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  Collect c = { g_string_new (NULL) };
  guint bad = 99;

  g_assert_true (json_parser_load_from_data (parser,
    "{\"seq\": 5, \"type\": \"samples\", \"conveyor\": \"CV-101\", \"state\": \"running\","
    " \"tags\": {\"load\": [[1000, 812.5], [1100, null], [\"x\", 1], [1200]],"
    "            \"belt_speed\": [[1000, 2]], \"bogus\": 3}}", -1, &error));
  g_assert_true (bw_samples_event_parse (json_parser_get_root (parser), collect_cb, &c, &bad, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (bad, ==, 3);
  g_assert_cmpstr (c.seen->str, ==, "load@1000=812.5;load@1100=nan;belt_speed@1000=2;");

  /* another event type is an error */
  g_assert_true (json_parser_load_from_data (parser, "{\"type\": \"stop.started\", \"seq\": 1}", -1, &error));
  g_assert_false (bw_samples_event_parse (json_parser_get_root (parser), collect_cb, &c, NULL, &error));
  g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
  g_string_free (c.seen, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* the untranslated labels */
  g_setenv ("LC_ALL", "C", TRUE);

  g_test_add_func ("/chart-view/mapping", test_mapping);
  g_test_add_func ("/chart-view/zoom", test_zoom);
  g_test_add_func ("/chart-view/pan", test_pan);
  g_test_add_func ("/chart-view/zoom-box", test_zoom_box);
  g_test_add_func ("/chart-view/ticks", test_ticks);
  g_test_add_func ("/chart-view/coverage", test_coverage);
  g_test_add_func ("/chart-view/signals-json", test_signals_json);
  g_test_add_func ("/chart-view/signals-json-bad", test_signals_json_bad);
  g_test_add_func ("/chart-view/samples-json", test_samples_json);

  return g_test_run ();
}
