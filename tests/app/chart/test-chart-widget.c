/* test-chart-widget.c: BwChart drawn under the X display, its input handling,
 * live mode and history requests
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-chart-widget"

#include "config.h"

#include <math.h>

#include "bw-chart-private.h"

#define T0       1795766400000   /* 2026-11-27T08:00:00Z */
#define HOUR_MS  3600000
#define WIDTH    960
#define HEIGHT   460

static gint64 fake_now;

static gint64
fake_now_cb (gpointer user_data)
{
  return fake_now;
}

typedef struct
{
  GtkWidget *window;
  BwChart   *chart;
} Fixture;

static void
wait_until_drawn (GtkWidget *widget)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while ((!gtk_widget_get_mapped (widget) || gtk_widget_get_width (widget) == 0) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (gtk_widget_get_mapped (widget));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GTimeZone) msk = g_time_zone_new_identifier ("Europe/Moscow");

  if (gdk_display_get_default () == NULL)
    {
      f->window = NULL;
      return;
    }

  fake_now = T0 + 2 * HOUR_MS;
  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), WIDTH, HEIGHT);
  f->chart = BW_CHART (bw_chart_new ());
  _bw_chart_set_now_func (f->chart, fake_now_cb, NULL);
  bw_chart_set_time_zone (f->chart, msk);
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->chart));
  gtk_window_present (GTK_WINDOW (f->window));
  wait_until_drawn (GTK_WIDGET (f->chart));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->window)
    gtk_window_destroy (GTK_WINDOW (f->window));
}

#define NEED_DISPLAY(f) G_STMT_START { \
  if ((f)->window == NULL) { g_test_skip ("No display"); return; } \
} G_STMT_END

static void
after_paint_cb (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

/* let GTK draw a frame, so the widget's render node is current */
static void
wait_for_frame (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  gboolean painted = FALSE;
  gulong id;

  g_assert_nonnull (clock);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  gtk_widget_queue_draw (widget);
  while (!painted && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, id);
  g_assert_true (painted);
}

/* Two hours of a belt: current, speed, load, metal detector; a stop with the
 * belt at rest; a one-sample current spike. */
static void
fill (BwChart *chart,
      gint64   spike_t)
{
  static const GdkRGBA *none = NULL;
  BwSeries *cur = bw_chart_add_signal (chart, "motor_current", "Motor current", "A", none);
  BwSeries *spd = bw_chart_add_signal (chart, "belt_speed", "Belt speed", "m/s", none);
  BwSeries *load = bw_chart_add_signal (chart, "load", "Load", "t/h", none);
  BwSeries *md = bw_chart_add_signal (chart, "md_signal", "Metal detector signal", "%", none);
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  gint64 stop_a = T0 + 40 * 60000, stop_b = T0 + 52 * 60000;

  for (gint64 t = T0; t < T0 + 2 * HOUR_MS; t += 100)
    {
      gboolean stopped = t >= stop_a && t < stop_b;
      double phase = (double) (t - T0) / 600000.0;
      double l = stopped ? 0 : 800 + 120 * sin (phase * 2 * G_PI) + g_rand_double_range (rand, -30, 30);

      bw_series_append (cur, t, t == spike_t ? 480 : (stopped ? 0.5 : 150 + l * 0.1 + g_rand_double_range (rand, -4, 4)));
      bw_series_append (spd, t, stopped ? 0 : 2.5 + g_rand_double_range (rand, -0.03, 0.03));
      bw_series_append (load, t, l);
      bw_series_append (md, t, 20 + g_rand_double_range (rand, -3, 3) + (t > stop_a - 2000 && t < stop_a ? 80 : 0));
      if (t % 1000 == 0)
        bw_chart_append_anomaly_score (chart, t, 0.3 + 0.2 * sin (phase * 5) + (fabs ((double) (t - stop_a)) < 300000 ? 0.9 * exp (-fabs ((double) (t - stop_a)) / 60000.0) : 0));
    }
  bw_chart_set_signal_range (chart, "belt_speed", 0, 3);
  bw_chart_set_stop (chart, 1, stop_a, stop_b, "Metal detector");
  bw_chart_set_stop (chart, 2, T0 + 2 * HOUR_MS - 4 * 60000, BW_CHART_STOP_OPEN, "Pull-cord");
  bw_chart_set_anomaly_threshold (chart, 0.8);
  bw_chart_set_anomaly_visible (chart, TRUE);
  /* laid out with the legend */
  wait_for_frame (GTK_WIDGET (chart));
}

static GdkTexture *
render (BwChart *chart)
{
  GtkWidget *widget = GTK_WIDGET (chart);
  int w, h;
  g_autoptr(GdkPaintable) paintable = NULL;
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  wait_for_frame (widget);
  w = gtk_widget_get_width (widget);
  h = gtk_widget_get_height (widget);
  paintable = gtk_widget_paintable_new (widget);
  /* the chart's window background under it, as on screen */
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0.85, 0.85, 0.85, 1 }, &GRAPHENE_RECT_INIT (0, 0, w, h));
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  return gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
}

static void
save (GdkTexture *texture,
      const char *name)
{
  g_autofree char *path = g_build_filename (BW_TEST_OUTPUT_DIR, name, NULL);

  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Saved %s", path);
}

typedef struct
{
  guchar *data;
  gsize   stride;
  int     width;
  int     height;
} Pixels;

static Pixels
download (GdkTexture *texture)
{
  Pixels p;

  p.width = gdk_texture_get_width (texture);
  p.height = gdk_texture_get_height (texture);
  p.stride = (gsize) p.width * 4;
  p.data = g_malloc (p.stride * p.height);
  gdk_texture_download (texture, p.data, p.stride);
  return p;
}

/* is the pixel close to @c? (cairo ARGB32: B G R A in memory on little endian) */
static gboolean
pixel_near (const Pixels  *p,
            int            x,
            int            y,
            const GdkRGBA *c,
            int            tolerance)
{
  const guchar *px;
  guint32 v;
  int r, g, b;

  if (x < 0 || y < 0 || x >= p->width || y >= p->height)
    return FALSE;
  px = p->data + (gsize) y * p->stride + (gsize) x * 4;
  v = *(const guint32 *) px;
  r = (v >> 16) & 0xff;
  g = (v >> 8) & 0xff;
  b = v & 0xff;
  return abs (r - (int) (c->red * 255)) <= tolerance && abs (g - (int) (c->green * 255)) <= tolerance &&
         abs (b - (int) (c->blue * 255)) <= tolerance;
}

/* the highest row of column band [x0, x1] that has colour @c */
static int
topmost (const Pixels  *p,
         int            x0,
         int            x1,
         int            y0,
         int            y1,
         const GdkRGBA *c)
{
  for (int y = y0; y <= y1; y++)
    for (int x = x0; x <= x1; x++)
      if (pixel_near (p, x, y, c, 16))
        return y;
  return -1;
}

static void
test_render (Fixture       *f,
             gconstpointer  data)
{
  gint64 spike_t = T0 + 100 * 60000 + 12300;
  g_autoptr(GdkTexture) texture = NULL;
  graphene_rect_t plot;
  GdkRGBA cur_color, plot_bg = { 0.925, 0.925, 0.925, 1 };
  Pixels px;
  double spike_x, stop_x;
  int top;

  NEED_DISPLAY (f);

  fill (f->chart, spike_t);
  bw_chart_set_view (f->chart, (double) T0, (double) T0 + 2 * HOUR_MS);
  /* pointer on the first stop */
  _bw_chart_get_plot_area (f->chart, &plot);
  g_assert_cmpfloat (plot.size.width, >, 600);
  stop_x = plot.origin.x + plot.size.width * (46.0 / 120.0);
  _bw_chart_pointer_motion (f->chart, stop_x, plot.origin.y + 100);

  texture = render (f->chart);
  save (texture, "chart-history.png");
  px = download (texture);

  /* the one-sample spike among 72 000 points is drawn up to the top of the plot */
  gdk_rgba_parse (&cur_color, "#1f4e9a");
  spike_x = plot.origin.x + plot.size.width * ((double) (spike_t - T0) / (2.0 * HOUR_MS));
  top = topmost (&px, (int) spike_x - 2, (int) spike_x + 2, (int) plot.origin.y, (int) (plot.origin.y + plot.size.height), &cur_color);
  g_assert_cmpint (top, >=, 0);
  g_assert_cmpint (top, <=, (int) (plot.origin.y + plot.size.height * 0.1));
  /* elsewhere the current stays well below it */
  top = topmost (&px, (int) spike_x - 60, (int) spike_x - 40, (int) plot.origin.y, (int) (plot.origin.y + plot.size.height), &cur_color);
  g_assert_cmpint (top, >, (int) (plot.origin.y + plot.size.height * 0.3));

  /* the stop's band is darker than the plot's background */
  {
    int x = (int) (plot.origin.x + plot.size.width * (44.0 / 120.0));
    int y = (int) (plot.origin.y + plot.size.height - 3);
    int xo = (int) (plot.origin.x + plot.size.width * (27.0 / 120.0));

    g_assert_true (pixel_near (&px, xo, y, &plot_bg, 6));
    g_assert_false (pixel_near (&px, x, y, &plot_bg, 6));
  }
  g_free (px.data);

  /* the cursor's text: the time in Moscow and every signal */
  {
    g_autofree char *text = _bw_chart_get_hover_text (f->chart);

    g_assert_nonnull (text);
    g_assert_true (g_str_has_prefix (text, "2026-11-27 11:46:"));
    g_assert_nonnull (strstr (text, "Motor current: 0"));
    g_assert_nonnull (strstr (text, "Belt speed: 0 m/s"));
    g_assert_nonnull (strstr (text, "Anomaly score: "));
    g_assert_nonnull (strstr (text, "Stopped: Metal detector"));
  }
}

/* zoomed to a few seconds: single samples, lines between them */
static void
test_render_zoomed (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GdkTexture) texture = NULL;
  graphene_rect_t plot;
  gint64 stop_a = T0 + 40 * 60000;

  NEED_DISPLAY (f);

  fill (f->chart, 0);
  bw_chart_set_view (f->chart, (double) stop_a - 4000, (double) stop_a + 2000);
  _bw_chart_get_plot_area (f->chart, &plot);
  _bw_chart_pointer_motion (f->chart, plot.origin.x + plot.size.width * 0.5, plot.origin.y + 50);
  texture = render (f->chart);
  save (texture, "chart-zoomed.png");

  {
    g_autofree char *text = _bw_chart_get_hover_text (f->chart);

    /* sub-second precision at this zoom */
    g_assert_true (g_str_has_prefix (text, "2026-11-27 11:39:59.000"));
  }
}

static void
count_cb (guint *count)
{
  (*count)++;
}

static void
test_live (Fixture       *f,
           gconstpointer  data)
{
  double t0, t1;
  g_autoptr(GdkTexture) texture = NULL;

  NEED_DISPLAY (f);

  fill (f->chart, 0);
  g_assert_true (bw_chart_get_live (f->chart));
  bw_chart_get_view (f->chart, &t0, &t1);
  g_assert_cmpfloat (t1, ==, (double) fake_now);
  g_assert_cmpfloat (t1 - t0, ==, BW_CHART_DEFAULT_SPAN_MS);

  /* the view follows the clock */
  fake_now += 5000;
  bw_chart_get_view (f->chart, &t0, &t1);
  g_assert_cmpfloat (t1, ==, (double) fake_now);
  fake_now -= 5000;

  /* live samples arrive */
  for (gint64 t = fake_now - 99; t < fake_now; t += 10)
    g_assert_true (bw_chart_append (f->chart, "motor_current", t, 200));
  g_assert_false (bw_chart_append (f->chart, "motor_current", T0, 200));    /* backwards */
  g_assert_false (bw_chart_append (f->chart, "nonexistent", fake_now, 1));

  /* wheel zoom keeps live and the right edge at now */
  _bw_chart_scroll (f->chart, 0, -1);
  g_assert_true (bw_chart_get_live (f->chart));
  bw_chart_get_view (f->chart, &t0, &t1);
  g_assert_cmpfloat (t1, ==, (double) fake_now);
  g_assert_cmpfloat_with_epsilon (t1 - t0, BW_CHART_DEFAULT_SPAN_MS / 1.25, 1e-6);

  texture = render (f->chart);
  save (texture, "chart-live.png");

  /* a drag to the right goes back in time and leaves live mode (one notification) */
  {
    graphene_rect_t plot;
    double span = t1 - t0;
    guint notified = 0;

    g_signal_connect_swapped (f->chart, "notify::live", G_CALLBACK (count_cb), &notified);

    _bw_chart_get_plot_area (f->chart, &plot);
    _bw_chart_drag (f->chart, plot.origin.x + 300, plot.origin.y + 50, plot.size.width / 4, 3, FALSE);
    g_assert_false (bw_chart_get_live (f->chart));
    g_assert_cmpuint (notified, ==, 1);
    bw_chart_set_live (f->chart, FALSE);
    g_assert_cmpuint (notified, ==, 1);
    g_signal_handlers_disconnect_by_func (f->chart, count_cb, &notified);
    bw_chart_get_view (f->chart, &t0, &t1);
    g_assert_cmpfloat_with_epsilon (t1, (double) fake_now - span / 4, 1);
    g_assert_cmpfloat_with_epsilon (t1 - t0, span, 1e-3);
  }

  /* reset: live again, default span */
  bw_chart_reset (f->chart);
  g_assert_true (bw_chart_get_live (f->chart));
  bw_chart_get_view (f->chart, &t0, &t1);
  g_assert_cmpfloat (t1, ==, (double) fake_now);
  g_assert_cmpfloat (t1 - t0, ==, BW_CHART_DEFAULT_SPAN_MS);
}

static void
stop_activated_cb (BwChart *chart,
                   gint64   stop_id,
                   gint64  *out)
{
  *out = stop_id;
}

static void
test_interaction (Fixture       *f,
                  gconstpointer  data)
{
  graphene_rect_t plot;
  double t0, t1, anchor, px;
  gint64 activated_id = 0;

  NEED_DISPLAY (f);

  fill (f->chart, 0);
  bw_chart_set_view (f->chart, (double) T0, (double) T0 + HOUR_MS);
  _bw_chart_get_plot_area (f->chart, &plot);

  /* wheel zoom around the pointer */
  px = plot.origin.x + plot.size.width * 0.25;
  _bw_chart_pointer_motion (f->chart, px, plot.origin.y + 40);
  anchor = T0 + HOUR_MS * 0.25;
  _bw_chart_scroll (f->chart, 0, -2);
  bw_chart_get_view (f->chart, &t0, &t1);
  g_assert_cmpfloat_with_epsilon (t1 - t0, HOUR_MS / 1.5625, 1);
  g_assert_cmpfloat_with_epsilon (t0 + (t1 - t0) * 0.25, anchor, 1);

  /* shift-drag zooms to the box */
  bw_chart_set_view (f->chart, (double) T0, (double) T0 + HOUR_MS);
  _bw_chart_drag (f->chart, plot.origin.x + plot.size.width * 0.5, plot.origin.y + 10,
                  plot.size.width * 0.25, 1, TRUE);
  bw_chart_get_view (f->chart, &t0, &t1);
  g_assert_cmpfloat_with_epsilon (t0, T0 + HOUR_MS * 0.5, 2);
  g_assert_cmpfloat_with_epsilon (t1, T0 + HOUR_MS * 0.75, 2);

  /* box-zoom mode: a plain drag is a box too */
  bw_chart_set_box_zoom (f->chart, TRUE);
  _bw_chart_drag (f->chart, plot.origin.x, plot.origin.y + 10, plot.size.width * 0.5, 1, FALSE);
  bw_chart_get_view (f->chart, &t0, &t1);
  g_assert_cmpfloat_with_epsilon (t1 - t0, HOUR_MS * 0.125, 2);
  bw_chart_set_box_zoom (f->chart, FALSE);

  /* a click on a stop activates it */
  bw_chart_set_view (f->chart, (double) T0, (double) T0 + HOUR_MS);
  g_signal_connect (f->chart, "stop-activated", G_CALLBACK (stop_activated_cb), &activated_id);
  _bw_chart_click (f->chart, 1, plot.origin.x + plot.size.width * (45.0 / 60.0), plot.origin.y + 30);
  g_assert_cmpint (activated_id, ==, 1);
  activated_id = 0;
  _bw_chart_click (f->chart, 1, plot.origin.x + plot.size.width * (20.0 / 60.0), plot.origin.y + 30);
  g_assert_cmpint (activated_id, ==, 0);

  /* a click on the legend hides a signal (and it leaves the cursor) */
  {
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;

    _bw_chart_pointer_motion (f->chart, plot.origin.x + 100, plot.origin.y + 40);
    before = _bw_chart_get_hover_text (f->chart);
    g_assert_nonnull (strstr (before, "Load: "));
    /* the legend's third entry is on the first row, left of the plot's middle */
    for (double x = 8; x < plot.size.width; x += 4)
      {
        g_autofree char *t = NULL;

        _bw_chart_click (f->chart, 1, x, 12);
        t = _bw_chart_get_hover_text (f->chart);
        if (strstr (t, "Load: ") == NULL)
          {
            after = g_steal_pointer (&t);
            break;
          }
        /* not that one: show it again */
        _bw_chart_click (f->chart, 1, x, 12);
      }
    g_assert_nonnull (after);
    g_assert_nonnull (strstr (after, "Motor current: "));
  }

  /* a double click resets to live */
  g_assert_false (bw_chart_get_live (f->chart));
  _bw_chart_click (f->chart, 2, plot.origin.x + 10, plot.origin.y + 10);
  g_assert_true (bw_chart_get_live (f->chart));
}

/* grouped signals share a range; the others have their own */
static void
test_ranges (Fixture       *f,
             gconstpointer  data)
{
  BwSeries *a, *b;
  double amin = 0, amax = 0, bmin = 0, bmax = 0;

  NEED_DISPLAY (f);

  a = bw_chart_add_signal (f->chart, "a", "A", NULL, NULL);
  b = bw_chart_add_signal (f->chart, "b", "B", NULL, NULL);
  for (int i = 0; i < 100; i++)
    {
      bw_series_append (a, T0 + i * 1000, i);          /* 0..99 */
      bw_series_append (b, T0 + i * 1000, 1000 + i);   /* 1000..1099 */
    }
  bw_chart_set_view (f->chart, (double) T0, (double) T0 + 100000);
  _bw_chart_get_signal_range (f->chart, "a", &amin, &amax);
  _bw_chart_get_signal_range (f->chart, "b", &bmin, &bmax);
  g_assert_cmpfloat (amin, <, 0);
  g_assert_cmpfloat (amin, >, -10);
  g_assert_cmpfloat (amax, >, 99);
  g_assert_cmpfloat (amax, <, 110);
  g_assert_cmpfloat (bmin, >, 900);

  /* only what is in view counts */
  bw_chart_set_view (f->chart, (double) T0 + 50000, (double) T0 + 60000);
  _bw_chart_get_signal_range (f->chart, "a", &amin, &amax);
  g_assert_cmpfloat (amin, >, 45);
  g_assert_cmpfloat (amax, <, 65);

  bw_chart_set_signal_group (f->chart, "a", "g");
  bw_chart_set_signal_group (f->chart, "b", "g");
  _bw_chart_get_signal_range (f->chart, "a", &amin, &amax);
  _bw_chart_get_signal_range (f->chart, "b", &bmin, &bmax);
  g_assert_cmpfloat (amin, ==, bmin);
  g_assert_cmpfloat (amax, ==, bmax);
  g_assert_cmpfloat (amin, <, 60);
  g_assert_cmpfloat (amax, >, 1050);

  bw_chart_set_signal_range (f->chart, "a", -5, 5);
  bw_chart_set_signal_group (f->chart, "a", NULL);
  _bw_chart_get_signal_range (f->chart, "a", &amin, &amax);
  g_assert_cmpfloat (amin, ==, -5);
  g_assert_cmpfloat (amax, ==, 5);
}

typedef struct
{
  guint  count;
  gint64 from;
  gint64 to;
  guint  points;
} Request;

static void
data_requested_cb (BwChart *chart,
                   gint64   from,
                   gint64   to,
                   guint    points,
                   Request *r)
{
  r->count++;
  r->from = from;
  r->to = to;
  r->points = points;
}

/* What GET /api/v1/signals would answer: a ramp, one bucket per point */
static JsonNode *
fake_signals (const Request *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  char buf[64];
  g_autoptr(GDateTime) from = g_date_time_new_from_unix_utc (r->from / 1000);
  g_autoptr(GDateTime) to = g_date_time_new_from_unix_utc ((r->to + 999) / 1000);
  g_autofree char *from_s = g_date_time_format (from, "%Y-%m-%dT%H:%M:%S");
  g_autofree char *to_s = g_date_time_format (to, "%Y-%m-%dT%H:%M:%S");
  gint64 from_ms = r->from / 1000 * 1000, to_ms = (r->to + 999) / 1000 * 1000;
  double width = (double) (to_ms - from_ms) / r->points;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "conveyor");
  json_builder_add_string_value (b, "CV-101");
  json_builder_set_member_name (b, "from");
  g_snprintf (buf, sizeof buf, "%sZ", from_s);
  json_builder_add_string_value (b, buf);
  json_builder_set_member_name (b, "to");
  g_snprintf (buf, sizeof buf, "%sZ", to_s);
  json_builder_add_string_value (b, buf);
  json_builder_set_member_name (b, "points");
  json_builder_add_int_value (b, r->points);
  json_builder_set_member_name (b, "series");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "tag");
  json_builder_add_string_value (b, "motor_current");
  json_builder_set_member_name (b, "t");
  json_builder_begin_array (b);
  for (guint k = 0; k < r->points; k++)
    json_builder_add_int_value (b, from_ms + (gint64) (k * width));
  json_builder_end_array (b);
  for (int m = 0; m < 3; m++)
    {
      json_builder_set_member_name (b, m == 0 ? "min" : m == 1 ? "mean" : "max");
      json_builder_begin_array (b);
      for (guint k = 0; k < r->points; k++)
        json_builder_add_double_value (b, 100 + k % 50 + (m == 2 && k == r->points / 3 ? 400 : 0));
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
test_history_requests (Fixture       *f,
                       gconstpointer  data)
{
  Request r = { 0 };
  g_autoptr(GError) error = NULL;
  graphene_rect_t plot;
  BwSeries *cur;

  NEED_DISPLAY (f);

  g_signal_connect (f->chart, "data-requested", G_CALLBACK (data_requested_cb), &r);
  cur = bw_chart_add_signal (f->chart, "motor_current", "Motor current", "A", NULL);
  wait_for_frame (GTK_WIDGET (f->chart));
  _bw_chart_get_plot_area (f->chart, &plot);

  /* live with nothing loaded: the last ten minutes (and half a view more) are
   * asked for, once (by the chart itself after its layout, or now) */
  _bw_chart_check_data (f->chart);
  g_assert_cmpuint (r.count, ==, 1);
  g_assert_cmpint (r.from, ==, fake_now - (gint64) (1.5 * BW_CHART_DEFAULT_SPAN_MS));
  g_assert_cmpint (r.to, <=, fake_now);
  g_assert_cmpint (r.to, >=, fake_now - 10000);
  /* a bucket a pixel */
  g_assert_cmpfloat (fabs ((double) (r.to - r.from) / r.points - BW_CHART_DEFAULT_SPAN_MS / plot.size.width), <, 50);

  /* asked again before the answer: not repeated */
  _bw_chart_check_data (f->chart);
  g_assert_cmpuint (r.count, ==, 1);

  /* the answer arrives: loaded, the peak kept, and nothing more to ask */
  {
    g_autoptr(JsonNode) answer = fake_signals (&r);

    g_assert_true (bw_chart_load_signals_json (f->chart, answer, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpuint (bw_series_get_length (cur), >, r.points);
  {
    double mn, mx;

    g_assert_true (bw_series_get_min_max (cur, 0, bw_series_get_length (cur), &mn, &mx));
    g_assert_cmpfloat (mx, ==, 100 + (r.points / 3) % 50 + 400);
  }
  _bw_chart_check_data (f->chart);
  g_assert_cmpuint (r.count, ==, 1);

  /* scrolling back in history asks for the older part only */
  _bw_chart_drag (f->chart, plot.origin.x + 10, plot.origin.y + 10, plot.size.width, 0, FALSE);
  g_assert_false (bw_chart_get_live (f->chart));
  _bw_chart_check_data (f->chart);
  g_assert_cmpuint (r.count, ==, 2);
  {
    double t0, t1;

    bw_chart_get_view (f->chart, &t0, &t1);
    g_assert_cmpint (r.from, ==, (gint64) floor (t0 - (t1 - t0) / 2));
    g_assert_cmpint (r.to, <=, fake_now - (gint64) (1.5 * BW_CHART_DEFAULT_SPAN_MS) + 1000);
  }

  /* zooming in wants finer data than loaded */
  {
    g_autoptr(JsonNode) answer = fake_signals (&r);

    g_assert_true (bw_chart_load_signals_json (f->chart, answer, &error));
  }
  _bw_chart_check_data (f->chart);
  g_assert_cmpuint (r.count, ==, 2);
  bw_chart_zoom (f->chart, 0.1);
  _bw_chart_check_data (f->chart);
  g_assert_cmpuint (r.count, ==, 3);

  /* a broken answer is an error, not a crash */
  {
    g_autoptr(JsonNode) junk = json_from_string ("{\"series\": 5}", NULL);

    g_assert_false (bw_chart_load_signals_json (f->chart, junk, &error));
    g_assert_nonnull (error);
  }
}

static void
test_samples_event (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) event = NULL;
  g_autofree char *json = NULL;
  BwSeries *load;

  NEED_DISPLAY (f);

  load = bw_chart_add_signal (f->chart, "load", "Load", "t/h", NULL);
  json = g_strdup_printf ("{\"seq\": 9, \"type\": \"samples\", \"conveyor\": \"CV-101\", \"state\": \"running\","
                          " \"tags\": {\"load\": [[%" G_GINT64_FORMAT ", 800], [%" G_GINT64_FORMAT ", 805.5]],"
                          " \"other\": [[%" G_GINT64_FORMAT ", 1]]}}",
                          fake_now - 500, fake_now - 250, fake_now - 250);
  event = json_from_string (json, &error);
  g_assert_no_error (error);
  g_assert_true (bw_chart_add_samples_json (f->chart, event, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (bw_series_get_length (load), ==, 2);
  g_assert_cmpfloat (bw_series_get_value (load, 1), ==, 805.5);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_setenv ("LC_ALL", "C", TRUE);
  gtk_disable_setlocale ();
  if (!gtk_init_check ())
    g_test_message ("No display: the widget tests skip");

  g_test_add ("/chart-widget/render", Fixture, NULL, fixture_setup, test_render, fixture_teardown);
  g_test_add ("/chart-widget/render-zoomed", Fixture, NULL, fixture_setup, test_render_zoomed, fixture_teardown);
  g_test_add ("/chart-widget/live", Fixture, NULL, fixture_setup, test_live, fixture_teardown);
  g_test_add ("/chart-widget/interaction", Fixture, NULL, fixture_setup, test_interaction, fixture_teardown);
  g_test_add ("/chart-widget/ranges", Fixture, NULL, fixture_setup, test_ranges, fixture_teardown);
  g_test_add ("/chart-widget/history-requests", Fixture, NULL, fixture_setup, test_history_requests, fixture_teardown);
  g_test_add ("/chart-widget/samples-event", Fixture, NULL, fixture_setup, test_samples_event, fixture_teardown);

  return g_test_run ();
}
