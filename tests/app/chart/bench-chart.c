/* bench-chart.c: BwChart frame time while panning 10 signals × 1,000,000 points
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For each zoom level the view pans by a few pixels a frame; every frame is
 * the chart's snapshot() (decimation, paths, text: the widget's own work)
 * and the rendering of its node to a texture, with the cairo (software)
 * renderer and with the window's own renderer. The baseline, measured in the
 * same run, is the reduction to one min/max per column by scanning every
 * point in view instead of using the series' pyramid.
 *
 *   bench-chart [--signals N] [--points N] [--frames N] [--width W] [--height H] [--zoom N]
 */
#define G_LOG_DOMAIN "bench-chart"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bw-chart-private.h"

#define T0 1795766400000   /* 2026-11-27T08:00:00Z */

static int n_signals = 10;
static int n_points = 1000000;
static int n_frames = 120;
static int width = 1280;
static int height = 560;
static int only_zoom = -1;

static gint64 fixed_now;
static GPtrArray *all_series;  /* BwSeries, borrowed */

static gint64
now_cb (gpointer user_data)
{
  return fixed_now;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
percentile (double *v,
            int     n,
            double  p)
{
  int k;

  qsort (v, (size_t) n, sizeof (double), compare_doubles);
  k = (int) ceil (p * n) - 1;
  return v[CLAMP (k, 0, n - 1)];
}

static double
rss_mb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  if ((line = strstr (status, "VmRSS:")) == NULL)
    return 0;
  return g_ascii_strtod (line + 6, NULL) / 1024.0;
}

static void
fill (BwChart *chart)
{
  static const char *names[] = { "belt_speed", "motor_current", "load", "md_signal", "vibration",
                                 "tag_5", "tag_6", "tag_7", "tag_8", "tag_9", "tag_10", "tag_11" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);

  for (int s = 0; s < n_signals; s++)
    {
      g_autofree char *id = s < (int) G_N_ELEMENTS (names) ? g_strdup (names[s]) : g_strdup_printf ("tag_%d", s);
      BwSeries *series = bw_chart_add_signal (chart, id, id, "u", NULL);
      double x = 100;

      g_ptr_array_add (all_series, series);

      for (int i = 0; i < n_points; i++)
        {
          x += g_rand_double_range (rand, -1, 1) - (x - 100) * 0.001;
          bw_series_append (series, T0 + (gint64) i * 100,
                            g_rand_int_range (rand, 0, 100000) == 0 ? x + 500 : x);
        }
    }
  for (int i = 0; i < n_points / 10; i++)
    bw_chart_append_anomaly_score (chart, T0 + (gint64) i * 1000, 0.5 + 0.4 * sin (i / 300.0));
  for (int k = 0; k < 60; k++)
    {
      gint64 start = T0 + (gint64) k * ((gint64) n_points * 100 / 60);

      bw_chart_set_stop (chart, k + 1, start, start + 240000, "Metal detector");
    }
  bw_chart_set_anomaly_threshold (chart, 0.8);
  bw_chart_set_anomaly_visible (chart, TRUE);
}

static void
wait_mapped (GtkWidget *widget)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while ((!gtk_widget_get_mapped (widget) || gtk_widget_get_width (widget) == 0) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
}

/* the baseline: one min/max per column by looking at every point */
static void
scan_decimate (BwSeries       *series,
               double          t0,
               double          t1,
               guint           n,
               BwSeriesColumn *cols)
{
  gsize i = bw_series_lower_bound (series, t0);
  gsize len = bw_series_get_length (series);

  for (guint c = 0; c < n; c++)
    {
      double edge = c + 1 == n ? t1 : bw_series_column_edge (t0, t1, n, c + 1);
      float mn = INFINITY, mx = -INFINITY;
      guint k = 0;

      for (; i < len && (double) bw_series_get_time (series, i) < edge; i++, k++)
        {
          float v = (float) bw_series_get_value (series, i);

          if (v < mn)
            mn = v;
          if (v > mx)
            mx = v;
        }
      cols[c].n_points = k;
      cols[c].min = mn;
      cols[c].max = mx;
    }
}

int
main (int   argc,
      char *argv[])
{
  GOptionEntry entries[] = {
    { "signals", 0, 0, G_OPTION_ARG_INT, &n_signals, "Signals", "N" },
    { "points", 0, 0, G_OPTION_ARG_INT, &n_points, "Points per signal", "N" },
    { "frames", 0, 0, G_OPTION_ARG_INT, &n_frames, "Frames per zoom level", "N" },
    { "width", 0, 0, G_OPTION_ARG_INT, &width, "Window width", "PX" },
    { "height", 0, 0, G_OPTION_ARG_INT, &height, "Window height", "PX" },
    { "zoom", 0, 0, G_OPTION_ARG_INT, &only_zoom, "Only this zoom level (0 = all data … 4)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- chart frame time");
  g_autoptr(GError) error = NULL;
  g_autoptr(GskRenderer) cairo_renderer = NULL;
  GskRenderer *window_renderer;
  GtkWidget *window, *chart_widget;
  BwChart *chart;
  graphene_rect_t plot;
  double total_ms = (double) n_points * 100;
  double rss_before, fill_s;
  gint64 start;
  const double zooms[] = { 1, 10, 100, 1000, 10000 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (!gtk_init_check ())
    {
      g_print ("No display: nothing measured\n");
      return 0;
    }

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  chart_widget = bw_chart_new ();
  chart = BW_CHART (chart_widget);
  fixed_now = T0 + (gint64) total_ms;
  _bw_chart_set_now_func (chart, now_cb, NULL);
  gtk_window_set_child (GTK_WINDOW (window), chart_widget);

  all_series = g_ptr_array_new ();
  rss_before = rss_mb ();
  start = g_get_monotonic_time ();
  fill (chart);
  fill_s = (g_get_monotonic_time () - start) / 1e6;

  gtk_window_present (GTK_WINDOW (window));
  wait_mapped (chart_widget);
  _bw_chart_get_plot_area (chart, &plot);

  window_renderer = gtk_native_get_renderer (gtk_widget_get_native (chart_widget));
  cairo_renderer = gsk_cairo_renderer_new ();
  if (!gsk_renderer_realize (cairo_renderer, NULL, &error))
    {
      g_printerr ("Cannot realize the cairo renderer: %s\n", error->message);
      return 1;
    }

  g_print ("# %d signals x %d points (+ anomaly score, 60 stops), widget %dx%d, plot %.0f px wide\n",
           n_signals, n_points, gtk_widget_get_width (chart_widget), gtk_widget_get_height (chart_widget),
           plot.size.width);
  g_print ("# filled in %.2f s; RSS %.0f MB before, %.0f MB after; series memory %.1f MB each\n",
           fill_s, rss_before, rss_mb (),
           bw_series_get_memory_size (bw_chart_get_series (chart, "belt_speed")) / 1048576.0);
  g_print ("# window renderer: %s\n", G_OBJECT_TYPE_NAME (window_renderer));
  g_print ("# %d frames per zoom level, panning 3 px a frame; times in ms, median / p99\n", n_frames);
  g_print ("%-10s %-11s %-15s %-15s %-15s %-15s %-15s %-15s\n", "span", "pts/column", "snapshot",
           "render(cairo)", "frame(cairo)", "render(window)", "scan baseline", "pyramid");

  for (guint z = 0; z < G_N_ELEMENTS (zooms); z++)
    {
      double span = total_ms / zooms[z];
      double t0 = T0 + (total_ms - span) / 2;
      g_autofree double *snap = g_new (double, n_frames);
      g_autofree double *rc = g_new (double, n_frames);
      g_autofree double *frame = g_new (double, n_frames);
      g_autofree double *rw = g_new (double, n_frames);
      g_autofree double *scan = g_new (double, n_frames);
      g_autofree double *pyr = g_new (double, n_frames);
      guint n_cols = (guint) ceil (plot.size.width);
      g_autofree BwSeriesColumn *cols = g_new (BwSeriesColumn, n_cols);
      graphene_rect_t viewport = GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (chart_widget),
                                                     gtk_widget_get_height (chart_widget));
      g_autofree char *span_text = NULL;

      if (only_zoom >= 0 && (guint) only_zoom != z)
        continue;
      for (int f = 0; f < n_frames; f++)
        {
          double a = t0 - f * 3 * span / plot.size.width;
          GtkSnapshot *snapshot;
          g_autoptr(GskRenderNode) node = NULL;
          g_autoptr(GdkTexture) tex1 = NULL;
          g_autoptr(GdkTexture) tex2 = NULL;
          gint64 t;

          bw_chart_set_view (chart, a, a + span);

          t = g_get_monotonic_time ();
          snapshot = gtk_snapshot_new ();
          GTK_WIDGET_GET_CLASS (chart_widget)->snapshot (chart_widget, snapshot);
          node = gtk_snapshot_free_to_node (snapshot);
          snap[f] = (g_get_monotonic_time () - t) / 1000.0;

          t = g_get_monotonic_time ();
          tex1 = gsk_renderer_render_texture (cairo_renderer, node, &viewport);
          rc[f] = (g_get_monotonic_time () - t) / 1000.0;
          frame[f] = snap[f] + rc[f];

          t = g_get_monotonic_time ();
          tex2 = gsk_renderer_render_texture (window_renderer, node, &viewport);
          rw[f] = (g_get_monotonic_time () - t) / 1000.0;

          /* the reduction alone, all signals: scanning vs the pyramid */
          t = g_get_monotonic_time ();
          for (guint s = 0; s < all_series->len; s++)
            scan_decimate (all_series->pdata[s], a, a + span, n_cols, cols);
          scan[f] = (g_get_monotonic_time () - t) / 1000.0;

          t = g_get_monotonic_time ();
          for (guint s = 0; s < all_series->len; s++)
            bw_series_decimate (all_series->pdata[s], a, a + span, n_cols, cols);
          pyr[f] = (g_get_monotonic_time () - t) / 1000.0;
        }

      if (span >= 3600000)
        span_text = g_strdup_printf ("%.1f h", span / 3600000);
      else if (span >= 60000)
        span_text = g_strdup_printf ("%.1f min", span / 60000);
      else
        span_text = g_strdup_printf ("%.1f s", span / 1000);

#define MED_P99(v) percentile (v, n_frames, 0.5), percentile (v, n_frames, 0.99)
      g_print ("%-10s %-11.1f %6.2f / %-6.2f %6.2f / %-6.2f %6.2f / %-6.2f %6.2f / %-6.2f %6.2f / %-6.2f %6.2f / %-6.2f\n",
               span_text, (double) n_points / zooms[z] / plot.size.width,
               MED_P99 (snap), MED_P99 (rc), MED_P99 (frame), MED_P99 (rw), MED_P99 (scan), MED_P99 (pyr));
#undef MED_P99
    }

  gsk_renderer_unrealize (cairo_renderer);
  gtk_window_destroy (GTK_WINDOW (window));
  g_ptr_array_unref (all_series);
  return 0;
}
