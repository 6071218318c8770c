/* bw-chart.c: live and history chart of a conveyor's signals
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-chart"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "bw-chart-data.h"
#include "bw-chart-private.h"
#include "bw-chart-view.h"
#include "bw-error.h"
#include "bw-time-axis.h"

/* The pipeline (after sysprof's charts): series → per-column min/max
 * (bw_series_decimate: O(columns · log n), independent of the points in view)
 * → each signal's value range mapped to 0..1 → one cairo path per signal in
 * snapshot(). Everything the frame draws is bounded by the widget's width:
 * the number of points only changes the depth of the pyramid. Redraws go
 * through gtk_widget_queue_draw(), which GTK merges into one per frame. */

#define PAD             8.0
#define LEGEND_SWATCH  18.0
#define LEGEND_GAP     16.0
#define TICK_SPACING   96.0
#define MAX_TICKS      64
#define STRIP_GAP       6.0
#define HOVER_PX       10.0
#define HOVER_MIN_MS 5000.0
#define CHECK_DELAY_MS  150
#define LIVE_GAP_MS   10000
#define LIVE_GRACE_MS  5000
#define REQUEST_RETRY_US (10 * G_USEC_PER_SEC)
#define MAX_REQUEST_POINTS 20000

typedef struct
{
  char            *id;        /* owned */
  char            *label;     /* owned */
  char            *unit;      /* owned */
  char            *group;     /* owned, nullable */
  GdkRGBA          color;
  BwSeries        *series;    /* owned */
  double           fixed_min; /* NAN: automatic */
  double           fixed_max;
  gboolean         visible;

  /* per frame */
  BwSeriesColumn  *cols;      /* owned */
  guint            n_cols;
  guint64          cols_version;
  double           cols_t0;
  double           cols_t1;
  double           range_min;
  double           range_max;

  /* legend */
  PangoLayout     *layout;    /* owned */
  graphene_rect_t  legend_rect;
} Signal;

typedef struct
{
  gint64  id;
  gint64  start;
  gint64  end;
  char   *label;  /* owned, nullable */
} Stop;

typedef enum
{
  DRAG_NONE,
  DRAG_PAN,
  DRAG_BOX,
} DragMode;

struct _BwChart
{
  GtkWidget        parent_instance;

  GPtrArray       *signals;        /* owned, Signal */
  GArray          *stops;          /* owned, Stop by start */
  BwSeries        *anomaly;        /* owned */
  BwSeriesColumn  *anomaly_cols;   /* owned */
  guint            n_anomaly_cols;
  double           anomaly_threshold;
  gboolean         anomaly_visible;
  gsize            max_points;

  BwChartView      view;
  double           span;
  double           home_t0;        /* NAN: home is live */
  double           home_t1;
  gboolean         live;
  gboolean         box_zoom;
  GTimeZone       *tz;             /* owned */

  BwChartNowFunc   now_func;
  gpointer         now_data;

  /* layout */
  double           legend_height;
  graphene_rect_t  plot;
  graphene_rect_t  strip;
  double           axis_height;
  double           range_slot;

  /* pointer */
  gboolean         pointer_in;
  double           pointer_x;
  double           pointer_y;
  DragMode         drag;
  double           drag_x;
  double           drag_y;
  double           drag_dx;
  double           drag_dy;
  BwChartView      drag_view;
  gboolean         drag_was_live;

  /* data requests */
  BwCoverage      *coverage;       /* owned */
  gint64           live_from;
  gint64           live_to;
  gboolean         live_dirty;
  gint64           req_from;
  gint64           req_to;
  double           req_res;
  gint64           req_time;
  guint            check_source;
  guint            live_source;
  guint            live_interval;

  /* small-type layouts by text: the axis labels repeat frame after frame */
  GHashTable      *layouts;        /* owned: char* → PangoLayout */
};

enum {
  PROP_0,
  PROP_LIVE,
  PROP_SPAN,
  PROP_BOX_ZOOM,
  PROP_ANOMALY_VISIBLE,
  PROP_ANOMALY_THRESHOLD,
  N_PROPS
};

enum {
  DATA_REQUESTED,
  STOP_ACTIVATED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (BwChart, bw_chart, GTK_TYPE_WIDGET)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Dark, distinct hues that read on the grey plot and keep clear of the alarm
 * colours (red, amber, yellow), as ISA-101 asks. */
static const char *palette[] = {
  "#1f4e9a", "#00796b", "#6a3d9a", "#8c510a", "#37474f",
  "#0277bd", "#558b2f", "#ad1457", "#5d4037", "#283593",
};

static const GdkRGBA plot_bg_default = { 0.925, 0.925, 0.925, 1 };
static const GdkRGBA grid_default = { 0.80, 0.80, 0.80, 1 };
static const GdkRGBA border_default = { 0.62, 0.62, 0.62, 1 };
static const GdkRGBA fg_default = { 0.16, 0.16, 0.16, 1 };
static const GdkRGBA dim_default = { 0.36, 0.36, 0.36, 1 };
static const GdkRGBA stop_color = { 0.35, 0.35, 0.35, 0.20 };
static const GdkRGBA open_stop_color = { 0.78, 0.16, 0.16, 0.18 };
static const GdkRGBA open_stop_edge = { 0.70, 0.10, 0.10, 0.85 };
static const GdkRGBA anomaly_line = { 0.25, 0.25, 0.25, 1 };
static const GdkRGBA anomaly_fill = { 0.91, 0.64, 0.09, 0.65 };
static const GdkRGBA threshold_color = { 0.54, 0.35, 0.0, 1 };
static const GdkRGBA cursor_color = { 0.10, 0.10, 0.10, 0.75 };
static const GdkRGBA box_fill = { 0.12, 0.30, 0.60, 0.12 };
static const GdkRGBA box_edge = { 0.12, 0.30, 0.60, 0.80 };
static const GdkRGBA hover_bg = { 0.98, 0.98, 0.98, 0.94 };

/* ---- helpers ---- */

static gint64
now_ms (BwChart *self)
{
  if (self->now_func)
    return self->now_func (self->now_data);
  return g_get_real_time () / 1000;
}

static void
signal_free (gpointer data)
{
  Signal *s = data;

  g_free (s->id);
  g_free (s->label);
  g_free (s->unit);
  g_free (s->group);
  g_clear_pointer (&s->series, bw_series_unref);
  g_free (s->cols);
  g_clear_object (&s->layout);
  g_free (s);
}

static void
stop_clear (gpointer data)
{
  Stop *s = data;

  g_free (s->label);
}

static Signal *
find_signal (BwChart    *self,
             const char *id,
             guint      *index)
{
  for (guint i = 0; i < self->signals->len; i++)
    {
      Signal *s = self->signals->pdata[i];

      if (g_str_equal (s->id, id))
        {
          if (index)
            *index = i;
          return s;
        }
    }
  return NULL;
}

static double
plot_width (BwChart *self)
{
  return MAX (self->plot.size.width, 1);
}

static void
update_live_view (BwChart *self)
{
  double t1;

  if (!self->live)
    return;
  t1 = (double) now_ms (self);
  self->view.t1 = t1;
  self->view.t0 = t1 - self->span;
}

/* Format a value with as many decimals as its range needs */
static char *
format_value (double v,
              double span)
{
  int digits;

  if (isnan (v))
    return g_strdup ("—");
  if (fabs (v - rint (v)) < 1e-9 && fabs (v) < 1e9)
    digits = 0;
  else if (span > 0 && isfinite (span))
    digits = CLAMP (3 - (int) ceil (log10 (span)), 0, 4);
  else
    digits = 2;
  return g_strdup_printf ("%.*f", digits, v);
}

static const GdkRGBA *
lookup_color (BwChart       *self,
              const char    *name,
              const GdkRGBA *fallback,
              GdkRGBA       *out)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));

  if (gtk_style_context_lookup_color (context, name, out))
    return out;
  G_GNUC_END_IGNORE_DEPRECATIONS
  return fallback;
}

static PangoLayout *
small_layout (BwChart    *self,
              const char *text)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  return layout;
}

/* Returns: (transfer none): a small-type layout of @text, kept for the next frames */
static PangoLayout *
cached_layout (BwChart    *self,
               const char *text)
{
  PangoLayout *layout = g_hash_table_lookup (self->layouts, text);

  if (layout == NULL)
    {
      if (g_hash_table_size (self->layouts) >= 512)
        g_hash_table_remove_all (self->layouts);
      layout = small_layout (self, text);
      g_hash_table_insert (self->layouts, g_strdup (text), layout);
    }
  return layout;
}

static void
append_layout_at (GtkSnapshot   *snapshot,
                  PangoLayout   *layout,
                  double         x,
                  double         y,
                  const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float) x, (float) y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

/* ---- data requests ---- */

static void
flush_live_coverage (BwChart *self)
{
  if (self->live_dirty && self->live_to >= self->live_from)
    bw_coverage_add (self->coverage, self->live_from, self->live_to + 1, 0);
  self->live_dirty = FALSE;
}

static void
note_live_sample (BwChart *self,
                  gint64   t)
{
  if (self->live_to == G_MININT64 || t > self->live_to + LIVE_GAP_MS || t < self->live_from)
    {
      flush_live_coverage (self);
      self->live_from = t;
      self->live_to = t;
    }
  else if (t > self->live_to)
    self->live_to = t;
  self->live_dirty = TRUE;
}

/* Ask for the data that the view (and half a view on either side) lacks at
 * the view's resolution: one bucket a pixel. */
void
_bw_chart_check_data (BwChart *self)
{
  double span, res;
  gint64 from, to, miss_from, miss_to, now;
  guint points;

  g_return_if_fail (BW_IS_CHART (self));

  flush_live_coverage (self);
  if (self->signals->len == 0 || self->plot.size.width < 2)
    return;

  update_live_view (self);
  span = bw_chart_view_span (&self->view);
  res = span / plot_width (self);
  now = now_ms (self);
  from = (gint64) floor (self->view.t0 - span / 2);
  to = MIN ((gint64) ceil (self->view.t1 + span / 2), now - LIVE_GRACE_MS);
  if (from >= to)
    return;
  if (!bw_coverage_missing_hull (self->coverage, from, to, res, &miss_from, &miss_to))
    return;

  /* the same request recently: the answer may be on its way */
  if (miss_from >= self->req_from && miss_to <= self->req_to && res >= self->req_res * 0.99 &&
      g_get_monotonic_time () - self->req_time < REQUEST_RETRY_US)
    return;

  points = (guint) CLAMP (ceil ((double) (miss_to - miss_from) / res), 1, MAX_REQUEST_POINTS);
  self->req_from = miss_from;
  self->req_to = miss_to;
  self->req_res = res;
  self->req_time = g_get_monotonic_time ();
  g_debug ("Requesting %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT " in %u points",
           miss_from, miss_to, points);
  g_signal_emit (self, signals[DATA_REQUESTED], 0, miss_from, miss_to, points);
}

static gboolean
check_data_cb (gpointer data)
{
  BwChart *self = data;

  self->check_source = 0;
  _bw_chart_check_data (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_check (BwChart *self)
{
  if (self->check_source == 0)
    self->check_source = g_timeout_add (CHECK_DELAY_MS, check_data_cb, self);
}

static void view_changed (BwChart *self);

static guint
live_interval (BwChart *self)
{
  return (guint) CLAMP (self->span / plot_width (self), 33, 1000);
}

static gboolean
live_tick_cb (gpointer data)
{
  BwChart *self = data;

  if (!self->live)
    {
      self->live_source = 0;
      return G_SOURCE_REMOVE;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
  schedule_check (self);

  /* the interval follows the time a pixel stands for */
  if (live_interval (self) != self->live_interval)
    {
      self->live_interval = live_interval (self);
      self->live_source = g_timeout_add (self->live_interval, live_tick_cb, self);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
update_live_timer (BwChart *self)
{
  gboolean want = self->live && gtk_widget_get_mapped (GTK_WIDGET (self));

  if (want && self->live_source == 0)
    {
      self->live_interval = live_interval (self);
      self->live_source = g_timeout_add (self->live_interval, live_tick_cb, self);
    }
  else if (!want)
    g_clear_handle_id (&self->live_source, g_source_remove);
}

static void
view_changed (BwChart *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
  schedule_check (self);
}

/* ---- columns and ranges ---- */

static void
ensure_columns (BwSeries        *series,
                BwSeriesColumn **cols,
                guint           *n_cols,
                guint64         *version,
                double          *t0,
                double          *t1,
                const BwChartView *view,
                guint            n)
{
  guint64 v = bw_series_get_version (series);

  if (*n_cols == n && *version == v && *t0 == view->t0 && *t1 == view->t1)
    return;
  if (*n_cols != n)
    {
      g_free (*cols);
      *cols = g_new (BwSeriesColumn, n);
      *n_cols = n;
    }
  bw_series_decimate (series, view->t0, view->t1, n, *cols);
  *version = v;
  *t0 = view->t0;
  *t1 = view->t1;
}

static gboolean
columns_range (const BwSeriesColumn *cols,
               guint                 n,
               double               *min,
               double               *max)
{
  double mn = INFINITY, mx = -INFINITY;

  for (guint i = 0; i < n; i++)
    if (cols[i].n_points > 0 && !isnan (cols[i].min))
      {
        mn = MIN (mn, cols[i].min);
        mx = MAX (mx, cols[i].max);
      }
  if (mn > mx)
    return FALSE;
  *min = mn;
  *max = mx;
  return TRUE;
}

static void
pad_range (double *min,
           double *max)
{
  double span = *max - *min;

  if (span <= 0)
    {
      double m = MAX (fabs (*min) * 0.05, 0.5);

      *min -= m;
      *max += m;
      return;
    }
  *min -= span * 0.05;
  *max += span * 0.05;
}

/* Decimate every visible signal to the plot's columns and work out each
 * one's value range: fixed, or the visible data's, shared within a group. */
static void
update_signals (BwChart *self)
{
  guint n = (guint) MAX (ceil (self->plot.size.width), 1);

  for (guint i = 0; i < self->signals->len; i++)
    {
      Signal *s = self->signals->pdata[i];
      double mn, mx;

      if (!s->visible)
        continue;
      ensure_columns (s->series, &s->cols, &s->n_cols, &s->cols_version, &s->cols_t0, &s->cols_t1,
                      &self->view, n);
      if (!isnan (s->fixed_min) && !isnan (s->fixed_max))
        {
          s->range_min = s->fixed_min;
          s->range_max = s->fixed_max;
        }
      else if (columns_range (s->cols, s->n_cols, &mn, &mx))
        {
          pad_range (&mn, &mx);
          s->range_min = mn;
          s->range_max = mx;
        }
      else
        {
          s->range_min = NAN;
          s->range_max = NAN;
        }
    }

  /* groups share the union of their members' ranges */
  for (guint i = 0; i < self->signals->len; i++)
    {
      Signal *s = self->signals->pdata[i];
      double mn = INFINITY, mx = -INFINITY;

      if (s->group == NULL || !s->visible)
        continue;
      for (guint j = 0; j < self->signals->len; j++)
        {
          Signal *o = self->signals->pdata[j];

          if (o->visible && o->group && g_str_equal (o->group, s->group) && !isnan (o->range_min))
            {
              mn = MIN (mn, o->range_min);
              mx = MAX (mx, o->range_max);
            }
        }
      if (mn <= mx)
        {
          s->range_min = mn;
          s->range_max = mx;
        }
    }

  for (guint i = 0; i < self->signals->len; i++)
    {
      Signal *s = self->signals->pdata[i];

      if (isnan (s->range_min) || !(s->range_max > s->range_min))
        {
          s->range_min = isnan (s->range_min) ? 0 : s->range_min - 0.5;
          s->range_max = s->range_min + 1;
        }
    }

  if (self->anomaly_visible)
    {
      guint64 version = 0;
      double t0 = NAN, t1 = NAN;

      /* the strip is narrow and cheap: decimate it every frame */
      ensure_columns (self->anomaly, &self->anomaly_cols, &self->n_anomaly_cols, &version,
                      &t0, &t1, &self->view, n);
    }
}

/* ---- layout ---- */

static void
ensure_legend_layouts (BwChart *self)
{
  for (guint i = 0; i < self->signals->len; i++)
    {
      Signal *s = self->signals->pdata[i];

      if (s->layout == NULL)
        {
          g_autofree char *text = NULL;

          if (s->unit && *s->unit)
            /* Translators: a signal's name and unit in a chart's legend, e.g. "Motor current, A" */
            text = g_strdup_printf (_("%s, %s"), s->label, s->unit);
          else
            text = g_strdup (s->label);
          s->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
        }
    }
}

static void
bw_chart_size_allocate (GtkWidget *widget,
                        int        width,
                        int        height,
                        int        baseline)
{
  BwChart *self = BW_CHART (widget);
  g_autoptr(PangoLayout) probe = small_layout (self, "−8888.8 – 8888.8");
  double x = PAD, y = PAD, row_h = 0, top, bottom, total;
  int pw, ph;

  /* the font may have changed */
  g_hash_table_remove_all (self->layouts);
  ensure_legend_layouts (self);
  pango_layout_get_pixel_size (probe, &pw, &ph);
  self->range_slot = pw;
  self->axis_height = ph + 8;

  for (guint i = 0; i < self->signals->len; i++)
    {
      Signal *s = self->signals->pdata[i];
      int lw, lh;
      double w;

      pango_layout_get_pixel_size (s->layout, &lw, &lh);
      w = LEGEND_SWATCH + 6 + lw + 8 + self->range_slot;
      if (x > PAD && x + w > width - PAD)
        {
          x = PAD;
          y += row_h;
          row_h = 0;
        }
      s->legend_rect = GRAPHENE_RECT_INIT ((float) x, (float) y, (float) w, (float) (lh + 4));
      row_h = MAX (row_h, lh + 4);
      x += w + LEGEND_GAP;
    }
  self->legend_height = self->signals->len ? y + row_h - PAD + 4 : 0;

  top = PAD + self->legend_height;
  bottom = height - PAD - self->axis_height;
  total = MAX (bottom - top, 10);

  if (self->anomaly_visible)
    {
      double strip_h = MAX (36, total * 0.2);
      double main_h = MAX (total - strip_h - STRIP_GAP, 10);

      self->plot = GRAPHENE_RECT_INIT (PAD, top, MAX (width - 2 * PAD, 1), main_h);
      self->strip = GRAPHENE_RECT_INIT (PAD, top + main_h + STRIP_GAP, MAX (width - 2 * PAD, 1),
                                        strip_h);
    }
  else
    {
      self->plot = GRAPHENE_RECT_INIT (PAD, top, MAX (width - 2 * PAD, 1), total);
      self->strip = GRAPHENE_RECT_INIT (PAD, top + total, MAX (width - 2 * PAD, 1), 0);
    }

  schedule_check (self);
}

static void
bw_chart_measure (GtkWidget      *widget,
                  GtkOrientation  orientation,
                  int             for_size,
                  int            *minimum,
                  int            *natural,
                  int            *minimum_baseline,
                  int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 240;
      *natural = 640;
    }
  else
    {
      *minimum = 160;
      *natural = 320;
    }
}

/* ---- drawing ---- */

typedef struct
{
  cairo_t *cr;
  double   x0, y0, w, h;       /* plot rect */
  double   vy0, vy1;           /* visible normalised window */
  double   rmin, rmax;         /* value range */
} Pen;

static inline double
pen_y (const Pen *p,
       double     v)
{
  double norm = (v - p->rmin) / (p->rmax - p->rmin);

  return p->y0 + (1.0 - (norm - p->vy0) / (p->vy1 - p->vy0)) * p->h;
}

/* Dense views: the line rasterised column by column. Each pixel column gets
 * the vertical extent the polyline through the points (M4: first, min, max,
 * last of each column, and the points just outside the view) covers in it,
 * filled as one rectangle. That is the same picture as stroking the path,
 * but a path of at most one box a column: cairo fills it an order of
 * magnitude faster than it strokes 4 vertices a column. */
typedef struct
{
  float  *lo;
  float  *hi;
  guint   n;
} Spans;

static inline void
span_add (Spans  *sp,
          guint   c,
          double  a,
          double  b)
{
  if (a > b)
    {
      double x = a;

      a = b;
      b = x;
    }
  if (a < sp->lo[c])
    sp->lo[c] = (float) a;
  if (b > sp->hi[c])
    sp->hi[c] = (float) b;
}

/* the segment (xa, ya)–(xb, yb), x in column units (column c spans c-0.5..c+0.5) */
static void
span_segment (Spans  *sp,
              double  xa,
              double  ya,
              double  xb,
              double  yb)
{
  double k0, k1;

  if (xb < xa)
    return;
  if (xb - xa < 1e-9)
    {
      if (xa > -0.5 && xa < sp->n - 0.5)
        span_add (sp, (guint) floor (xa + 0.5), ya, yb);
      return;
    }
  k0 = MAX (floor (xa + 0.5), 0);
  k1 = MIN (floor (xb + 0.5), sp->n - 1.0);
  for (double k = k0; k <= k1; k++)
    {
      double a = MAX (xa, k - 0.5), b = MIN (xb, k + 0.5);

      if (a > b)
        continue;
      span_add (sp, (guint) k,
                ya + (yb - ya) * (a - xa) / (xb - xa),
                ya + (yb - ya) * (b - xa) / (xb - xa));
    }
}

/* A plot's lines are drawn into memory and handed to GTK as one texture:
 * dense lines as column spans written straight into the pixels, sparse ones
 * stroked with cairo on the same image. (A cairo node would be a recording
 * surface, replayed through cairo's general rasteriser at render time.) */
typedef struct
{
  guchar          *data;   /* owned until canvas_end */
  cairo_surface_t *surface;
  cairo_t         *cr;
  int              scale;
  int              width;  /* device pixels */
  int              height;
  int              stride;
} Canvas;

static void
canvas_begin (Canvas                *cv,
              const graphene_rect_t *area,
              int                    scale)
{
  cv->scale = MAX (scale, 1);
  cv->width = MAX ((int) ceil (area->size.width) * cv->scale, 1);
  cv->height = MAX ((int) ceil (area->size.height) * cv->scale, 1);
  cv->stride = cairo_format_stride_for_width (CAIRO_FORMAT_ARGB32, cv->width);
  cv->data = g_malloc0 ((gsize) cv->stride * cv->height);
  cv->surface = cairo_image_surface_create_for_data (cv->data, CAIRO_FORMAT_ARGB32,
                                                     cv->width, cv->height, cv->stride);
  cv->cr = cairo_create (cv->surface);
  cairo_scale (cv->cr, cv->scale, cv->scale);
}

static void
canvas_end (Canvas                *cv,
            GtkSnapshot           *snapshot,
            const graphene_rect_t *area)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  cairo_destroy (cv->cr);
  cairo_surface_flush (cv->surface);
  cairo_surface_destroy (cv->surface);
  /* cairo's ARGB32 is GDK_MEMORY_DEFAULT: premultiplied, native endian */
  bytes = g_bytes_new_take (g_steal_pointer (&cv->data), (gsize) cv->stride * cv->height);
  texture = gdk_memory_texture_new (cv->width, cv->height, GDK_MEMORY_DEFAULT, bytes, cv->stride);
  gtk_snapshot_append_texture (snapshot, texture,
                               &GRAPHENE_RECT_INIT (area->origin.x, area->origin.y,
                                                    (float) cv->width / cv->scale,
                                                    (float) cv->height / cv->scale));
}

static guint32
premultiplied (const GdkRGBA *color)
{
  double a = CLAMP (color->alpha, 0, 1);

  return ((guint32) (a * 255 + 0.5) << 24) |
         ((guint32) (CLAMP (color->red, 0, 1) * a * 255 + 0.5) << 16) |
         ((guint32) (CLAMP (color->green, 0, 1) * a * 255 + 0.5) << 8) |
         (guint32) (CLAMP (color->blue, 0, 1) * a * 255 + 0.5);
}

/* src over *px at coverage @cov (0..1) */
static inline void
blend (guint32 *px,
       guint32  src,
       double   cov)
{
  guint f, inv;
  guint32 d, out = 0;

  if (cov >= 0.999 && (src >> 24) == 0xff)
    {
      *px = src;
      return;
    }
  if (cov <= 0.002)
    return;
  f = (guint) (MIN (cov, 1) * 256);
  inv = 256 - ((((src >> 24) & 0xff) * f) >> 8);
  d = *px;
  for (int sh = 0; sh < 32; sh += 8)
    {
      guint v = ((((src >> sh) & 0xff) * f) >> 8) + ((((d >> sh) & 0xff) * inv) >> 8);

      out |= (guint32) MIN (v, 255u) << sh;
    }
  *px = out;
}

/* device column @x from @ya to @yb (device px, fractional ends), times @weight */
static inline void
vrun (Canvas  *cv,
      int      x,
      double   ya,
      double   yb,
      guint32  src,
      double   weight)
{
  int r0 = MAX ((int) floor (ya), 0), r1 = MIN ((int) ceil (yb), cv->height);

  if (x < 0 || x >= cv->width)
    return;
  for (int r = r0; r < r1; r++)
    blend ((guint32 *) (gpointer) (cv->data + (gsize) r * cv->stride) + x, src,
           (MIN (yb, r + 1.0) - MAX (ya, (double) r)) * weight);
}

/* device row @y from @xa to @xb, times @weight */
static inline void
hrun (Canvas  *cv,
      int      y,
      double   xa,
      double   xb,
      guint32  src,
      double   weight)
{
  int c0 = MAX ((int) floor (xa), 0), c1 = MIN ((int) ceil (xb), cv->width);
  guint32 *row;

  if (y < 0 || y >= cv->height)
    return;
  row = (guint32 *) (gpointer) (cv->data + (gsize) y * cv->stride);
  for (int c = c0; c < c1; c++)
    blend (row + c, src, (MIN (xb, c + 1.0) - MAX (xa, (double) c)) * weight);
}

/* Fill each column's span (logical px, ± half_width) with @color */
static void
canvas_fill_spans (Canvas        *cv,
                   const Spans   *sp,
                   const GdkRGBA *color,
                   double         half_width)
{
  guint32 src = premultiplied (color);

  cairo_surface_flush (cv->surface);
  for (guint c = 0; c < sp->n; c++)
    {
      if (!(sp->lo[c] <= sp->hi[c]))
        continue;
      for (int k = 0; k < cv->scale; k++)
        vrun (cv, (int) c * cv->scale + k, (sp->lo[c] - half_width) * cv->scale,
              (sp->hi[c] + half_width) * cv->scale, src, 1);
    }
  cairo_surface_mark_dirty (cv->surface);
}

/* An antialiased line @width wide from (xa, ya) to (xb, yb), logical px:
 * along its major axis, one run across it per device pixel, with the ends
 * of each run (and the first and last pixel along it) partly covered. */
static void
canvas_segment (Canvas  *cv,
                double   xa,
                double   ya,
                double   xb,
                double   yb,
                guint32  src,
                double   width)
{
  double dx, dy, t;

  xa *= cv->scale;
  ya *= cv->scale;
  xb *= cv->scale;
  yb *= cv->scale;
  width *= cv->scale;
  dx = xb - xa;
  dy = yb - ya;

  if (fabs (dx) >= fabs (dy))
    {
      double slope, lo, hi;

      if (xa > xb)
        {
          double x = xa, y = ya;

          xa = xb, ya = yb, xb = x, yb = y;
        }
      if (xb - xa < 1e-6)
        return;
      slope = (yb - ya) / (xb - xa);
      t = width * sqrt (1 + slope * slope) / 2;
      lo = MAX (floor (xa), 0);
      hi = MIN (ceil (xb), (double) cv->width);
      for (double x = lo; x < hi; x++)
        {
          double cx = CLAMP (x + 0.5, xa, xb);
          double yc = ya + slope * (cx - xa);
          double w = MIN (xb, x + 1) - MAX (xa, x);

          vrun (cv, (int) x, yc - t, yc + t, src, CLAMP (w, 0, 1));
        }
    }
  else
    {
      double slope, lo, hi;

      if (ya > yb)
        {
          double x = xa, y = ya;

          xa = xb, ya = yb, xb = x, yb = y;
        }
      slope = (xb - xa) / (yb - ya);
      t = width * sqrt (1 + slope * slope) / 2;
      lo = MAX (floor (ya), 0);
      hi = MIN (ceil (yb), (double) cv->height);
      for (double y = lo; y < hi; y++)
        {
          double cy = CLAMP (y + 0.5, ya, yb);
          double xc = xa + slope * (cy - ya);
          double w = MIN (yb, y + 1) - MAX (ya, y);

          hrun (cv, (int) y, xc - t, xc + t, src, CLAMP (w, 0, 1));
        }
    }
}

/* Sparse views: the line through the points themselves */
static void
stroke_points (Canvas            *cv,
               Pen               *p,
               BwSeries          *series,
               const BwChartView *view,
               const GdkRGBA     *color,
               double             width)
{
  gsize len = bw_series_get_length (series);
  gsize i0 = bw_series_lower_bound (series, view->t0);
  gsize i1 = bw_series_lower_bound (series, view->t1);
  guint32 src = premultiplied (color);
  gboolean have_prev = FALSE;
  double px = 0, py = 0;

  cairo_surface_flush (cv->surface);
  for (gsize i = i0 > 0 ? i0 - 1 : 0; i < MIN (i1 + 1, len); i++)
    {
      double v = bw_series_get_value (series, i);
      double x, y;

      if (isnan (v))
        {
          have_prev = FALSE;
          continue;
        }
      x = bw_chart_view_time_to_x (view, (double) bw_series_get_time (series, i), p->w);
      y = pen_y (p, v);
      if (have_prev)
        canvas_segment (cv, px, py, x, y, src, width);
      have_prev = TRUE;
      px = x;
      py = y;
    }
  cairo_surface_mark_dirty (cv->surface);
}

static void
fill_series (Canvas               *cv,
             Pen                  *p,
             BwSeries             *series,
             const BwSeriesColumn *cols,
             guint                 n,
             const BwChartView    *view,
             const GdkRGBA        *color,
             double                half_width)
{
  gsize i0, i1, len = bw_series_get_length (series);
  Spans sp = { g_new (float, n), g_new (float, n), n };
  gboolean have_prev = FALSE;
  double prev_x = 0, prev_y = 0;

  for (guint c = 0; c < n; c++)
    {
      sp.lo[c] = INFINITY;
      sp.hi[c] = -INFINITY;
    }

  i0 = bw_series_lower_bound (series, view->t0);
  if (i0 > 0 && !isnan (bw_series_get_value (series, i0 - 1)))
    {
      have_prev = TRUE;
      prev_x = bw_chart_view_time_to_x (view, (double) bw_series_get_time (series, i0 - 1), p->w) - 0.5;
      prev_y = pen_y (p, bw_series_get_value (series, i0 - 1));
    }

  for (guint c = 0; c < n; c++)
    {
      const BwSeriesColumn *col = &cols[c];

      if (col->n_points == 0)
        continue;
      if (isnan (col->min))
        {
          have_prev = FALSE;
          continue;
        }
      if (have_prev && !isnan (col->first))
        span_segment (&sp, prev_x, prev_y, c, pen_y (p, col->first));
      span_add (&sp, c, pen_y (p, col->min), pen_y (p, col->max));
      have_prev = !isnan (col->last);
      prev_x = c;
      prev_y = have_prev ? pen_y (p, col->last) : 0;
    }

  i1 = bw_series_lower_bound (series, view->t1);
  if (have_prev && i1 < len && !isnan (bw_series_get_value (series, i1)))
    span_segment (&sp, prev_x, prev_y,
                  bw_chart_view_time_to_x (view, (double) bw_series_get_time (series, i1), p->w) - 0.5,
                  pen_y (p, bw_series_get_value (series, i1)));

  canvas_fill_spans (cv, &sp, color, half_width);

  g_free (sp.lo);
  g_free (sp.hi);
}

/* Few points in view: an antialiased line through them looks better and
 * costs little; many: the column fill. */
static gboolean
is_sparse (BwSeries          *series,
           const BwChartView *view,
           guint              n)
{
  gsize i0 = bw_series_lower_bound (series, view->t0);
  gsize i1 = bw_series_lower_bound (series, view->t1);

  return i1 - i0 <= n / 4;
}

static void
draw_line (Canvas               *cv,
           Pen                  *p,
           BwSeries             *series,
           const BwSeriesColumn *cols,
           guint                 n,
           const BwChartView    *view,
           const GdkRGBA        *color,
           double                line_width)
{
  if (is_sparse (series, view, n))
    stroke_points (cv, p, series, view, color, line_width);
  else
    {
      fill_series (cv, p, series, cols, n, view, color, line_width / 2);
    }
}

static void
draw_stops (BwChart       *self,
            GtkSnapshot   *snapshot,
            const GdkRGBA *fg)
{
  double w = plot_width (self);
  double top = self->plot.origin.y;
  double bottom = self->anomaly_visible ? self->strip.origin.y + self->strip.size.height
                                        : self->plot.origin.y + self->plot.size.height;
  gint64 now = now_ms (self);

  for (guint i = 0; i < self->stops->len; i++)
    {
      const Stop *st = &g_array_index (self->stops, Stop, i);
      gboolean open = st->end == BW_CHART_STOP_OPEN;
      double end = open ? (double) MAX (now, st->start) : (double) st->end;
      double xa, xb;

      if ((double) st->start > self->view.t1)
        break;
      if (end < self->view.t0)
        continue;
      xa = CLAMP (bw_chart_view_time_to_x (&self->view, (double) st->start, w), 0, w);
      xb = CLAMP (bw_chart_view_time_to_x (&self->view, end, w), 0, w);
      if (xb - xa < 2)
        xb = MIN (xa + 2, w);

      gtk_snapshot_append_color (snapshot, open ? &open_stop_color : &stop_color,
                                 &GRAPHENE_RECT_INIT ((float) (self->plot.origin.x + xa), (float) top,
                                                      (float) (xb - xa), (float) (bottom - top)));
      if (open)
        gtk_snapshot_append_color (snapshot, &open_stop_edge,
                                   &GRAPHENE_RECT_INIT ((float) (self->plot.origin.x + xa), (float) top,
                                                        2, (float) (bottom - top)));
      if (st->label && xb - xa > 30)
        {
          g_autoptr(PangoLayout) layout = small_layout (self, st->label);

          pango_layout_set_width (layout, (int) ((xb - xa - 6) * PANGO_SCALE));
          pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
          append_layout_at (snapshot, layout, self->plot.origin.x + xa + 4, top + 2, fg);
        }
    }
}

/* The highest value each column reaches: its max, or for a column between
 * two samples the line joining them there (NAN where there is neither). */
static double *
column_tops (BwSeries             *series,
             const BwSeriesColumn *cols,
             guint                 n,
             const BwChartView    *view,
             double                width)
{
  double *top = g_new (double, n);
  gsize len = bw_series_get_length (series);
  gsize i0 = bw_series_lower_bound (series, view->t0);
  gsize i1 = bw_series_lower_bound (series, view->t1);
  double prev_x = NAN, prev_v = NAN;
  guint gap_from = 0;

  if (i0 > 0)
    {
      prev_x = bw_chart_view_time_to_x (view, (double) bw_series_get_time (series, i0 - 1), width) - 0.5;
      prev_v = bw_series_get_value (series, i0 - 1);
    }

  for (guint c = 0; c <= n; c++)
    {
      double x, v;

      if (c < n && cols[c].n_points == 0)
        {
          top[c] = NAN;
          continue;
        }
      if (c < n)
        {
          x = c;
          v = cols[c].first;
        }
      else if (i1 < len)
        {
          x = bw_chart_view_time_to_x (view, (double) bw_series_get_time (series, i1), width) - 0.5;
          v = bw_series_get_value (series, i1);
        }
      else
        break;

      /* the empty columns since the last sample lie on the line to this one */
      for (guint k = gap_from; k < c; k++)
        if (!isnan (prev_v) && !isnan (v) && x > prev_x)
          top[k] = prev_v + (v - prev_v) * ((k - prev_x) / (x - prev_x));
      if (c == n)
        break;
      top[c] = cols[c].max;
      prev_x = c;
      prev_v = cols[c].last;
      gap_from = c + 1;
    }
  return top;
}

static void
draw_anomaly (BwChart       *self,
              GtkSnapshot   *snapshot,
              const GdkRGBA *plot_bg,
              const GdkRGBA *border,
              const GdkRGBA *fg)
{
  const graphene_rect_t *r = &self->strip;
  double mx = 0, mn = 0, top, thr_y;
  cairo_t *cr;
  Canvas cv;
  Pen p = { 0 };
  BwChartView strip_view = self->view;

  strip_view.y0 = 0;
  strip_view.y1 = 1;

  columns_range (self->anomaly_cols, self->n_anomaly_cols, &mn, &mx);
  top = MAX (MAX (mx * 1.1, self->anomaly_threshold * 1.5), 1e-9);

  gtk_snapshot_append_color (snapshot, plot_bg, r);
  gtk_snapshot_append_border (snapshot,
                              &GSK_ROUNDED_RECT_INIT (r->origin.x, r->origin.y, r->size.width, r->size.height),
                              (float[4]) { 1, 1, 1, 1 },
                              (GdkRGBA[4]) { *border, *border, *border, *border });

  canvas_begin (&cv, r, gtk_widget_get_scale_factor (GTK_WIDGET (self)));
  cr = cv.cr;

  p.cr = cr;
  p.x0 = 0;
  p.y0 = 2;
  p.w = r->size.width;
  p.h = r->size.height - 4;
  p.vy0 = 0;
  p.vy1 = 1;
  p.rmin = 0;
  p.rmax = top;
  thr_y = pen_y (&p, self->anomaly_threshold);

  /* above the threshold, filled: each column up to its max, or up to the
   * line between the samples around it when it holds none */
  {
    g_autofree double *top_v = column_tops (self->anomaly, self->anomaly_cols, self->n_anomaly_cols,
                                            &strip_view, p.w);

    for (guint c = 0; c < self->n_anomaly_cols; c++)
      if (top_v[c] > self->anomaly_threshold)
        cairo_rectangle (cr, p.x0 + c, pen_y (&p, top_v[c]), 1, thr_y - pen_y (&p, top_v[c]));
  }
  gdk_cairo_set_source_rgba (cr, &anomaly_fill);
  cairo_fill (cr);

  draw_line (&cv, &p, self->anomaly, self->anomaly_cols, self->n_anomaly_cols, &strip_view, &anomaly_line, 1.25);

  cairo_move_to (cr, p.x0, floor (thr_y) + 0.5);
  cairo_line_to (cr, p.x0 + p.w, floor (thr_y) + 0.5);
  cairo_set_dash (cr, (double[]) { 6, 4 }, 2, 0);
  cairo_set_line_width (cr, 1);
  gdk_cairo_set_source_rgba (cr, &threshold_color);
  cairo_stroke (cr);
  canvas_end (&cv, snapshot, r);

  append_layout_at (snapshot, cached_layout (self, _("Anomaly score")), r->origin.x + 4, r->origin.y + 2, fg);
}

static void
draw_axis (BwChart       *self,
           GtkSnapshot   *snapshot,
           const gint64  *ticks,
           guint          n_ticks,
           gint64         step,
           const GdkRGBA *fg)
{
  double w = plot_width (self);
  double y = (self->anomaly_visible ? self->strip.origin.y + self->strip.size.height
                                    : self->plot.origin.y + self->plot.size.height) + 3;
  double right = self->plot.origin.x + w;

  for (guint i = 0; i < n_ticks; i++)
    {
      g_autofree char *text = bw_time_axis_format_tick (ticks[i], step, self->tz);
      PangoLayout *layout = cached_layout (self, text);
      double x = self->plot.origin.x + bw_chart_view_time_to_x (&self->view, (double) ticks[i], w);
      int lw, lh;

      pango_layout_get_pixel_size (layout, &lw, &lh);
      x = CLAMP (x - lw / 2.0, self->plot.origin.x, right - lw);
      append_layout_at (snapshot, layout, x, y, fg);
    }
}

static void
draw_legend (BwChart       *self,
             GtkSnapshot   *snapshot,
             const GdkRGBA *fg,
             const GdkRGBA *dim)
{
  for (guint i = 0; i < self->signals->len; i++)
    {
      Signal *s = self->signals->pdata[i];
      const graphene_rect_t *r = &s->legend_rect;
      double mid = r->origin.y + r->size.height / 2;
      int lw, lh;

      pango_layout_get_pixel_size (s->layout, &lw, &lh);
      if (s->visible)
        gtk_snapshot_append_color (snapshot, &s->color,
                                   &GRAPHENE_RECT_INIT (r->origin.x, (float) (mid - 1.5), LEGEND_SWATCH, 3));
      else
        gtk_snapshot_append_border (snapshot,
                                    &GSK_ROUNDED_RECT_INIT (r->origin.x, (float) (mid - 2.5), LEGEND_SWATCH, 5),
                                    (float[4]) { 1, 1, 1, 1 },
                                    (GdkRGBA[4]) { s->color, s->color, s->color, s->color });
      append_layout_at (snapshot, s->layout, r->origin.x + LEGEND_SWATCH + 6,
                        r->origin.y + 2, s->visible ? fg : dim);

      if (s->visible)
        {
          double span = s->range_max - s->range_min;
          g_autofree char *a = format_value (s->range_min, span);
          g_autofree char *b = format_value (s->range_max, span);
          g_autofree char *text = NULL;
          PangoLayout *layout;
          int rw, rh;

          /* Translators: the value range a chart's signal is drawn over */
          text = g_strdup_printf (_("%s – %s"), a, b);
          layout = cached_layout (self, text);
          pango_layout_get_pixel_size (layout, &rw, &rh);
          append_layout_at (snapshot, layout, r->origin.x + LEGEND_SWATCH + 6 + lw + 8,
                            r->origin.y + 2 + (lh - rh), dim);
        }
    }
}

typedef struct
{
  char    *text;
  GdkRGBA  color;
  gboolean swatch;
  double   mx, my;    /* marker, NAN for none */
} HoverRow;

static void
hover_row_clear (gpointer data)
{
  HoverRow *row = data;

  g_free (row->text);
}

/* What the cursor shows at @t: the time, each signal's nearest value, the
 * anomaly score and the stop under it. */
static GArray *
build_hover_rows (BwChart *self,
                  double   t)
{
  GArray *rows = g_array_new (FALSE, TRUE, sizeof (HoverRow));
  double w = plot_width (self);
  double ms_per_px = bw_chart_view_span (&self->view) / w;
  double max_dist = MAX (HOVER_PX * ms_per_px, HOVER_MIN_MS);
  HoverRow row;

  g_array_set_clear_func (rows, hover_row_clear);

  row = (HoverRow) { bw_time_axis_format_full ((gint64) floor (t), ms_per_px, self->tz),
                     { 0 }, FALSE, NAN, NAN };
  g_array_append_val (rows, row);

  for (guint i = 0; i < self->signals->len; i++)
    {
      Signal *s = self->signals->pdata[i];
      g_autofree char *value = NULL;
      gint64 ft;
      double fv = NAN;
      gboolean found;

      if (!s->visible)
        continue;
      found = bw_series_lookup (s->series, t, max_dist, &ft, &fv);
      value = format_value (found ? fv : NAN, s->range_max - s->range_min);
      row = (HoverRow) { NULL, s->color, TRUE, NAN, NAN };
      /* Translators: a signal under a chart's cursor: name, value and unit */
      row.text = g_strstrip (g_strdup_printf (_("%s: %s %s"), s->label, value,
                                              found && s->unit ? s->unit : ""));
      if (found)
        {
          Pen p = { NULL, self->plot.origin.x, self->plot.origin.y, w, self->plot.size.height,
                    self->view.y0, self->view.y1, s->range_min, s->range_max };

          row.mx = self->plot.origin.x + bw_chart_view_time_to_x (&self->view, (double) ft, w);
          row.my = pen_y (&p, fv);
        }
      g_array_append_val (rows, row);
    }

  if (self->anomaly_visible)
    {
      g_autofree char *value = NULL;
      double fv = NAN;
      gboolean found = bw_series_lookup (self->anomaly, t, max_dist, NULL, &fv);

      value = format_value (found ? fv : NAN, MAX (self->anomaly_threshold, 1));
      row = (HoverRow) { g_strdup_printf (_("%s: %s %s"), _("Anomaly score"), value, ""),
                         anomaly_line, TRUE, NAN, NAN };
      g_strstrip (row.text);
      g_array_append_val (rows, row);
    }

  for (guint i = 0; i < self->stops->len; i++)
    {
      const Stop *st = &g_array_index (self->stops, Stop, i);
      double end = st->end == BW_CHART_STOP_OPEN ? (double) now_ms (self) : (double) st->end;

      if ((double) st->start <= t && t < end)
        {
          row = (HoverRow) { NULL, open_stop_edge, TRUE, NAN, NAN };
          if (st->label)
            /* Translators: under a chart's cursor when it is over a stop; %s is the stop's trigger */
            row.text = g_strdup_printf (_("Stopped: %s"), st->label);
          else
            row.text = g_strdup (_("Stopped"));
          g_array_append_val (rows, row);
          break;
        }
    }
  return rows;
}

char *
_bw_chart_get_hover_text (BwChart *self)
{
  g_autoptr(GArray) rows = NULL;
  GString *s;
  double t;

  g_return_val_if_fail (BW_IS_CHART (self), NULL);

  if (!self->pointer_in)
    return NULL;
  update_live_view (self);
  update_signals (self);
  t = bw_chart_view_x_to_time (&self->view, self->pointer_x - self->plot.origin.x, plot_width (self));
  rows = build_hover_rows (self, t);
  s = g_string_new (NULL);
  for (guint i = 0; i < rows->len; i++)
    {
      if (i)
        g_string_append_c (s, '\n');
      g_string_append (s, g_array_index (rows, HoverRow, i).text);
    }
  return g_string_free (s, FALSE);
}

static void
draw_hover (BwChart       *self,
            GtkSnapshot   *snapshot,
            const GdkRGBA *fg,
            const GdkRGBA *border)
{
  double w = plot_width (self);
  double x = self->pointer_x, t;
  double bottom = self->anomaly_visible ? self->strip.origin.y + self->strip.size.height
                                        : self->plot.origin.y + self->plot.size.height;
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GPtrArray) layouts = g_ptr_array_new_with_free_func (g_object_unref);
  double box_w = 0, box_h = 0, bx, by, yy;
  cairo_t *cr;

  if (x < self->plot.origin.x || x > self->plot.origin.x + w ||
      self->pointer_y < self->plot.origin.y || self->pointer_y > bottom)
    return;

  t = bw_chart_view_x_to_time (&self->view, x - self->plot.origin.x, w);
  rows = build_hover_rows (self, t);

  gtk_snapshot_append_color (snapshot, &cursor_color,
                             &GRAPHENE_RECT_INIT ((float) floor (x), self->plot.origin.y, 1,
                                                  (float) (bottom - self->plot.origin.y)));

  /* markers on the lines */
  for (guint i = 0; i < rows->len; i++)
    {
      HoverRow *row = &g_array_index (rows, HoverRow, i);
      graphene_rect_t area;

      if (isnan (row->mx) || row->my < self->plot.origin.y || row->my > self->plot.origin.y + self->plot.size.height)
        continue;
      area = GRAPHENE_RECT_INIT ((float) row->mx - 6, (float) row->my - 6, 12, 12);
      cr = gtk_snapshot_append_cairo (snapshot, &area);
      cairo_arc (cr, row->mx, row->my, 3.5, 0, 2 * G_PI);
      gdk_cairo_set_source_rgba (cr, &row->color);
      cairo_fill_preserve (cr);
      cairo_set_source_rgba (cr, 1, 1, 1, 0.9);
      cairo_set_line_width (cr, 1.25);
      cairo_stroke (cr);
      cairo_destroy (cr);
    }

  for (guint i = 0; i < rows->len; i++)
    {
      HoverRow *row = &g_array_index (rows, HoverRow, i);
      PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), row->text);
      int lw, lh;

      if (i == 0)
        {
          PangoAttrList *attrs = pango_attr_list_new ();

          pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
          pango_layout_set_attributes (layout, attrs);
          pango_attr_list_unref (attrs);
        }
      pango_layout_get_pixel_size (layout, &lw, &lh);
      box_w = MAX (box_w, lw + (row->swatch ? 16 : 0));
      box_h += lh + 2;
      g_ptr_array_add (layouts, layout);
    }
  box_w += 16;
  box_h += 10;

  bx = x + 14;
  if (bx + box_w > self->plot.origin.x + w)
    bx = x - 14 - box_w;
  bx = MAX (bx, self->plot.origin.x);
  by = self->plot.origin.y + 8;

  gtk_snapshot_append_color (snapshot, &hover_bg,
                             &GRAPHENE_RECT_INIT ((float) bx, (float) by, (float) box_w, (float) box_h));
  gtk_snapshot_append_border (snapshot,
                              &GSK_ROUNDED_RECT_INIT ((float) bx, (float) by, (float) box_w, (float) box_h),
                              (float[4]) { 1, 1, 1, 1 },
                              (GdkRGBA[4]) { *border, *border, *border, *border });
  yy = by + 5;
  for (guint i = 0; i < rows->len; i++)
    {
      HoverRow *row = &g_array_index (rows, HoverRow, i);
      PangoLayout *layout = layouts->pdata[i];
      int lw, lh;

      pango_layout_get_pixel_size (layout, &lw, &lh);
      if (row->swatch)
        {
          gtk_snapshot_append_color (snapshot, &row->color,
                                     &GRAPHENE_RECT_INIT ((float) (bx + 8), (float) (yy + lh / 2.0 - 4), 8, 8));
          append_layout_at (snapshot, layout, bx + 24, yy, fg);
        }
      else
        append_layout_at (snapshot, layout, bx + 8, yy, fg);
      yy += lh + 2;
    }
}

static void
bw_chart_snapshot (GtkWidget   *widget,
                   GtkSnapshot *snapshot)
{
  BwChart *self = BW_CHART (widget);
  GdkRGBA plot_bg_buf, fg_buf, grid_buf;
  const GdkRGBA *plot_bg = lookup_color (self, "bw_chart_plot_bg", &plot_bg_default, &plot_bg_buf);
  const GdkRGBA *fg = lookup_color (self, "bw_chart_fg", &fg_default, &fg_buf);
  const GdkRGBA *grid = lookup_color (self, "bw_chart_grid", &grid_default, &grid_buf);
  const GdkRGBA *border = &border_default;
  const GdkRGBA *dim = &dim_default;
  const graphene_rect_t *plot = &self->plot;
  gint64 ticks[MAX_TICKS];
  gint64 step = 0;
  guint n_ticks;
  double w = plot_width (self);
  gboolean any_data = FALSE;
  Canvas cv;

  if (plot->size.width < 2 || plot->size.height < 2)
    return;

  update_live_view (self);
  update_signals (self);

  /* plot background and grid */
  gtk_snapshot_append_color (snapshot, plot_bg, plot);
  for (int q = 0; q <= 4; q++)
    {
      BwChartView full = self->view;
      double y = plot->origin.y + bw_chart_view_norm_to_y (&full, q / 4.0, plot->size.height);

      if (y >= plot->origin.y && y <= plot->origin.y + plot->size.height)
        gtk_snapshot_append_color (snapshot, grid,
                                   &GRAPHENE_RECT_INIT (plot->origin.x, (float) floor (y), plot->size.width, 1));
    }
  n_ticks = bw_time_axis_ticks (self->view.t0, self->view.t1, w, TICK_SPACING, self->tz,
                                ticks, MAX_TICKS, &step);
  for (guint i = 0; i < n_ticks; i++)
    {
      double x = plot->origin.x + bw_chart_view_time_to_x (&self->view, (double) ticks[i], w);

      gtk_snapshot_append_color (snapshot, grid,
                                 &GRAPHENE_RECT_INIT ((float) floor (x), plot->origin.y, 1, plot->size.height));
    }

  draw_stops (self, snapshot, fg);

  /* the lines */
  canvas_begin (&cv, plot, gtk_widget_get_scale_factor (widget));
  for (guint i = 0; i < self->signals->len; i++)
    {
      Signal *s = self->signals->pdata[i];
      Pen p = { cv.cr, 0, 0, w, plot->size.height,
                self->view.y0, self->view.y1, s->range_min, s->range_max };

      if (!s->visible || bw_series_get_length (s->series) == 0)
        continue;
      for (guint c = 0; c < s->n_cols && !any_data; c++)
        any_data = s->cols[c].n_points > 0;
      draw_line (&cv, &p, s->series, s->cols, s->n_cols, &self->view, &s->color, 1.5);
    }
  canvas_end (&cv, snapshot, plot);

  gtk_snapshot_append_border (snapshot,
                              &GSK_ROUNDED_RECT_INIT (plot->origin.x, plot->origin.y, plot->size.width, plot->size.height),
                              (float[4]) { 1, 1, 1, 1 },
                              (GdkRGBA[4]) { *border, *border, *border, *border });

  if (self->anomaly_visible)
    draw_anomaly (self, snapshot, plot_bg, border, fg);

  draw_axis (self, snapshot, ticks, n_ticks, step, fg);
  draw_legend (self, snapshot, fg, dim);

  /* the mode, top right of the plot */
  {
    PangoLayout *layout = cached_layout (self, self->live ? _("Live") : _("History"));
    int lw, lh;

    pango_layout_get_pixel_size (layout, &lw, &lh);
    gtk_snapshot_append_color (snapshot, plot_bg,
                               &GRAPHENE_RECT_INIT ((float) (plot->origin.x + w - lw - 10), plot->origin.y + 1,
                                                    (float) (lw + 9), (float) (lh + 4)));
    append_layout_at (snapshot, layout, plot->origin.x + w - lw - 6, plot->origin.y + 3,
                      self->live ? fg : dim);
  }

  if (!any_data)
    {
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, _("No data for this time"));
      int lw, lh;

      pango_layout_get_pixel_size (layout, &lw, &lh);
      append_layout_at (snapshot, layout, plot->origin.x + (w - lw) / 2,
                        plot->origin.y + (plot->size.height - lh) / 2, dim);
    }

  if (self->drag == DRAG_BOX)
    {
      double x0 = self->drag_x, y0 = self->drag_y;
      double x1 = x0 + self->drag_dx, y1 = y0 + self->drag_dy;
      graphene_rect_t box;

      if (fabs (y1 - y0) < 4)
        {
          y0 = plot->origin.y;
          y1 = plot->origin.y + plot->size.height;
        }
      box = GRAPHENE_RECT_INIT ((float) MIN (x0, x1), (float) MIN (y0, y1),
                                (float) fabs (x1 - x0), (float) fabs (y1 - y0));
      graphene_rect_intersection (&box, plot, &box);
      gtk_snapshot_append_color (snapshot, &box_fill, &box);
      gtk_snapshot_append_border (snapshot,
                                  &GSK_ROUNDED_RECT_INIT (box.origin.x, box.origin.y, box.size.width, box.size.height),
                                  (float[4]) { 1, 1, 1, 1 },
                                  (GdkRGBA[4]) { box_edge, box_edge, box_edge, box_edge });
    }
  else if (self->pointer_in && self->drag == DRAG_NONE)
    draw_hover (self, snapshot, fg, border);
}

/* ---- input ---- */

static void
leave_live (BwChart *self)
{
  if (self->live)
    {
      update_live_view (self);
      self->live = FALSE;
      update_live_timer (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIVE]);
    }
}

void
_bw_chart_pointer_motion (BwChart *self,
                          double   x,
                          double   y)
{
  g_return_if_fail (BW_IS_CHART (self));

  self->pointer_in = TRUE;
  self->pointer_x = x;
  self->pointer_y = y;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
_bw_chart_pointer_leave (BwChart *self)
{
  g_return_if_fail (BW_IS_CHART (self));

  self->pointer_in = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
motion_cb (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           BwChart                  *self)
{
  _bw_chart_pointer_motion (self, x, y);
}

static void
leave_cb (GtkEventControllerMotion *motion,
          BwChart                  *self)
{
  _bw_chart_pointer_leave (self);
}

/* Wheel: vertical zooms around the time under the pointer (around now when
 * live, which stays live), horizontal pans. */
void
_bw_chart_scroll (BwChart *self,
                  double   dx,
                  double   dy)
{
  double w;

  g_return_if_fail (BW_IS_CHART (self));

  w = plot_width (self);
  update_live_view (self);
  if (fabs (dy) >= fabs (dx) && dy != 0)
    {
      double factor = pow (1.25, dy);

      if (self->live)
        {
          bw_chart_set_span (self, self->span * factor);
          return;
        }
      else
        {
          double x = self->pointer_in ? self->pointer_x - self->plot.origin.x : w / 2;
          double anchor = bw_chart_view_x_to_time (&self->view, CLAMP (x, 0, w), w);

          bw_chart_view_zoom (&self->view, anchor, factor);
          self->span = bw_chart_view_span (&self->view);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPAN]);
        }
    }
  else if (dx != 0)
    {
      leave_live (self);
      bw_chart_view_pan (&self->view, -dx * 40, w);
    }
  view_changed (self);
}

static gboolean
scroll_cb (GtkEventControllerScroll *scroll,
           double                    dx,
           double                    dy,
           BwChart                  *self)
{
  _bw_chart_scroll (self, dx, dy);
  return GDK_EVENT_STOP;
}

static void
drag_begin (BwChart  *self,
            double    x,
            double    y,
            gboolean  shift)
{
  update_live_view (self);
  self->drag = (shift || self->box_zoom) ? DRAG_BOX : DRAG_PAN;
  self->drag_x = x;
  self->drag_y = y;
  self->drag_dx = 0;
  self->drag_dy = 0;
  self->drag_view = self->view;
  self->drag_was_live = self->live;
}

static void
drag_update (BwChart *self,
             double   dx,
             double   dy)
{
  self->drag_dx = dx;
  self->drag_dy = dy;
  if (self->drag == DRAG_PAN && fabs (dx) >= 1)
    {
      leave_live (self);
      self->view = self->drag_view;
      bw_chart_view_pan (&self->view, dx, plot_width (self));
      view_changed (self);
    }
  else
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
drag_end (BwChart *self,
          double   dx,
          double   dy)
{
  if (self->drag == DRAG_BOX)
    {
      BwChartView v = self->view;
      double ox = self->plot.origin.x, oy = self->plot.origin.y;

      if (bw_chart_view_zoom_box (&v, self->drag_x - ox, self->drag_y - oy,
                                  self->drag_x + dx - ox, self->drag_y + dy - oy,
                                  plot_width (self), self->plot.size.height))
        {
          leave_live (self);
          self->view = v;
          self->span = bw_chart_view_span (&v);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPAN]);
        }
    }
  else if (self->drag == DRAG_PAN)
    drag_update (self, dx, dy);
  self->drag = DRAG_NONE;
  view_changed (self);
}

void
_bw_chart_drag (BwChart  *self,
                double    x,
                double    y,
                double    dx,
                double    dy,
                gboolean  shift)
{
  g_return_if_fail (BW_IS_CHART (self));

  drag_begin (self, x, y, shift);
  drag_update (self, dx / 2, dy / 2);
  drag_update (self, dx, dy);
  drag_end (self, dx, dy);
}

static void
drag_begin_cb (GtkGestureDrag *gesture,
               double          x,
               double          y,
               BwChart        *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));

  drag_begin (self, x, y, (state & GDK_SHIFT_MASK) != 0);
}

static void
drag_update_cb (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                BwChart        *self)
{
  if (self->drag != DRAG_NONE)
    drag_update (self, dx, dy);
}

static void
drag_end_cb (GtkGestureDrag *gesture,
             double          dx,
             double          dy,
             BwChart        *self)
{
  if (self->drag != DRAG_NONE)
    drag_end (self, dx, dy);
}

/* A click: on a legend entry shows or hides its signal, on a stop activates
 * it; a double click resets the view. */
void
_bw_chart_click (BwChart *self,
                 int      n_press,
                 double   x,
                 double   y)
{
  graphene_point_t pt = GRAPHENE_POINT_INIT ((float) x, (float) y);
  double w, t;

  g_return_if_fail (BW_IS_CHART (self));

  if (n_press == 2)
    {
      bw_chart_reset (self);
      return;
    }
  if (n_press != 1)
    return;

  for (guint i = 0; i < self->signals->len; i++)
    {
      Signal *s = self->signals->pdata[i];

      if (graphene_rect_contains_point (&s->legend_rect, &pt))
        {
          bw_chart_set_signal_visible (self, s->id, !s->visible);
          return;
        }
    }

  w = plot_width (self);
  if (x < self->plot.origin.x || x > self->plot.origin.x + w || y < self->plot.origin.y)
    return;
  update_live_view (self);
  t = bw_chart_view_x_to_time (&self->view, x - self->plot.origin.x, w);
  for (guint i = 0; i < self->stops->len; i++)
    {
      const Stop *st = &g_array_index (self->stops, Stop, i);
      double end = st->end == BW_CHART_STOP_OPEN ? (double) now_ms (self) : (double) st->end;

      if ((double) st->start <= t && t < end)
        {
          g_signal_emit (self, signals[STOP_ACTIVATED], 0, st->id);
          return;
        }
    }
}

static void
click_released_cb (GtkGestureClick *click,
                   int              n_press,
                   double           x,
                   double           y,
                   BwChart         *self)
{
  _bw_chart_click (self, n_press, x, y);
}

/* ---- actions ---- */

static void
reset_action (GtkWidget  *widget,
              const char *name,
              GVariant   *param)
{
  bw_chart_reset (BW_CHART (widget));
}

static void
zoom_in_action (GtkWidget  *widget,
                const char *name,
                GVariant   *param)
{
  bw_chart_zoom (BW_CHART (widget), 1 / 1.5);
}

static void
zoom_out_action (GtkWidget  *widget,
                 const char *name,
                 GVariant   *param)
{
  bw_chart_zoom (BW_CHART (widget), 1.5);
}

static void
pan_action (GtkWidget  *widget,
            const char *name,
            GVariant   *param)
{
  BwChart *self = BW_CHART (widget);
  double fraction = g_variant_get_double (param);

  leave_live (self);
  bw_chart_view_pan (&self->view, -fraction * plot_width (self), plot_width (self));
  view_changed (self);
}

/* ---- GObject ---- */

static void
bw_chart_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (bw_chart_parent_class)->map (widget);
  update_live_timer (BW_CHART (widget));
}

static void
bw_chart_unmap (GtkWidget *widget)
{
  BwChart *self = BW_CHART (widget);

  GTK_WIDGET_CLASS (bw_chart_parent_class)->unmap (widget);
  update_live_timer (self);
}

static void
bw_chart_dispose (GObject *object)
{
  BwChart *self = BW_CHART (object);

  g_clear_handle_id (&self->check_source, g_source_remove);
  g_clear_handle_id (&self->live_source, g_source_remove);

  G_OBJECT_CLASS (bw_chart_parent_class)->dispose (object);
}

static void
bw_chart_finalize (GObject *object)
{
  BwChart *self = BW_CHART (object);

  g_ptr_array_unref (self->signals);
  g_array_unref (self->stops);
  g_clear_pointer (&self->anomaly, bw_series_unref);
  g_free (self->anomaly_cols);
  g_clear_pointer (&self->coverage, bw_coverage_free);
  g_clear_pointer (&self->tz, g_time_zone_unref);
  g_clear_pointer (&self->layouts, g_hash_table_unref);

  G_OBJECT_CLASS (bw_chart_parent_class)->finalize (object);
}

static void
bw_chart_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  BwChart *self = BW_CHART (object);

  switch (prop_id)
    {
    case PROP_LIVE:
      g_value_set_boolean (value, bw_chart_get_live (self));
      break;
    case PROP_SPAN:
      g_value_set_double (value, bw_chart_get_span (self));
      break;
    case PROP_BOX_ZOOM:
      g_value_set_boolean (value, bw_chart_get_box_zoom (self));
      break;
    case PROP_ANOMALY_VISIBLE:
      g_value_set_boolean (value, bw_chart_get_anomaly_visible (self));
      break;
    case PROP_ANOMALY_THRESHOLD:
      g_value_set_double (value, bw_chart_get_anomaly_threshold (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bw_chart_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  BwChart *self = BW_CHART (object);

  switch (prop_id)
    {
    case PROP_LIVE:
      bw_chart_set_live (self, g_value_get_boolean (value));
      break;
    case PROP_SPAN:
      bw_chart_set_span (self, g_value_get_double (value));
      break;
    case PROP_BOX_ZOOM:
      bw_chart_set_box_zoom (self, g_value_get_boolean (value));
      break;
    case PROP_ANOMALY_VISIBLE:
      bw_chart_set_anomaly_visible (self, g_value_get_boolean (value));
      break;
    case PROP_ANOMALY_THRESHOLD:
      bw_chart_set_anomaly_threshold (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bw_chart_class_init (BwChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bw_chart_dispose;
  object_class->finalize = bw_chart_finalize;
  object_class->get_property = bw_chart_get_property;
  object_class->set_property = bw_chart_set_property;

  widget_class->measure = bw_chart_measure;
  widget_class->size_allocate = bw_chart_size_allocate;
  widget_class->snapshot = bw_chart_snapshot;
  widget_class->map = bw_chart_map;
  widget_class->unmap = bw_chart_unmap;

  /**
   * BwChart:live:
   *
   * Whether the view follows the current time. Panning or zooming to a box
   * leaves live mode; bw_chart_reset() returns to it.
   */
  properties[PROP_LIVE] =
    g_param_spec_boolean ("live", NULL, NULL, TRUE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * BwChart:span:
   *
   * The width of the view in ms.
   */
  properties[PROP_SPAN] =
    g_param_spec_double ("span", NULL, NULL, BW_CHART_MIN_SPAN_MS, BW_CHART_MAX_SPAN_MS,
                         BW_CHART_DEFAULT_SPAN_MS,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * BwChart:box-zoom:
   *
   * Whether a plain drag zooms to a box (otherwise it pans, and a drag with
   * Shift zooms to a box).
   */
  properties[PROP_BOX_ZOOM] =
    g_param_spec_boolean ("box-zoom", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_ANOMALY_VISIBLE] =
    g_param_spec_boolean ("anomaly-visible", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_ANOMALY_THRESHOLD] =
    g_param_spec_double ("anomaly-threshold", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 1.0,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BwChart::data-requested:
   * @from_ms: start of the range, ms since the epoch
   * @to_ms: end of the range (exclusive)
   * @points: buckets wanted (one a pixel)
   *
   * The view shows (or is about to show) a range whose data is not loaded at
   * the view's resolution. Fetch GET /api/v1/signals with these parameters
   * and hand the answer to bw_chart_load_signals_json().
   */
  signals[DATA_REQUESTED] =
    g_signal_new ("data-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_UINT);

  /**
   * BwChart::stop-activated:
   * @stop_id: the stop clicked on
   */
  signals[STOP_ACTIVATED] =
    g_signal_new ("stop-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_install_action (widget_class, "chart.reset", NULL, reset_action);
  gtk_widget_class_install_action (widget_class, "chart.zoom-in", NULL, zoom_in_action);
  gtk_widget_class_install_action (widget_class, "chart.zoom-out", NULL, zoom_out_action);
  gtk_widget_class_install_action (widget_class, "chart.pan", "d", pan_action);
  gtk_widget_class_install_property_action (widget_class, "chart.live", "live");
  gtk_widget_class_install_property_action (widget_class, "chart.box-zoom", "box-zoom");

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "chart.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, 0, "chart.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, 0, "chart.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "chart.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, 0, "chart.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Home, 0, "chart.reset", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "chart.reset", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "chart.pan", "d", -0.1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "chart.pan", "d", 0.1);

  gtk_widget_class_set_css_name (widget_class, "bw-chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
bw_chart_init (BwChart *self)
{
  GtkEventController *motion, *scroll;
  GtkGesture *drag, *click;

  self->signals = g_ptr_array_new_with_free_func (signal_free);
  self->stops = g_array_new (FALSE, FALSE, sizeof (Stop));
  g_array_set_clear_func (self->stops, stop_clear);
  self->max_points = BW_SERIES_DEFAULT_MAX_POINTS;
  self->anomaly = bw_series_new (self->max_points);
  self->anomaly_threshold = 1.0;
  self->span = BW_CHART_DEFAULT_SPAN_MS;
  self->live = TRUE;
  self->home_t0 = self->home_t1 = NAN;
  self->tz = g_time_zone_new_local ();
  self->coverage = bw_coverage_new ();
  self->layouts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->live_from = self->live_to = G_MININT64;
  self->req_from = self->req_to = 0;
  bw_chart_view_init (&self->view, 0, self->span);
  update_live_view (self);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Signal chart"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("Wheel to zoom, drag to pan, Shift and drag to zoom to a box, double-click to reset"),
                                  -1);

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "enter", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (scroll, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);

  drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "released", G_CALLBACK (click_released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

/* ---- public API ---- */

GtkWidget *
bw_chart_new (void)
{
  return g_object_new (BW_TYPE_CHART, NULL);
}

/**
 * bw_chart_add_signal:
 * @id: the tag name (matches the service's tags)
 * @label: the name shown (translated)
 * @unit: (nullable): the unit shown
 * @color: (nullable): the line colour; %NULL picks the next of the palette
 *
 * Returns: (transfer none): the signal's series (an existing signal with @id
 *   is replaced)
 */
BwSeries *
bw_chart_add_signal (BwChart       *self,
                     const char    *id,
                     const char    *label,
                     const char    *unit,
                     const GdkRGBA *color)
{
  Signal *s;
  guint index;

  g_return_val_if_fail (BW_IS_CHART (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (find_signal (self, id, &index))
    g_ptr_array_remove_index (self->signals, index);

  s = g_new0 (Signal, 1);
  s->id = g_strdup (id);
  s->label = g_strdup (label ? label : id);
  s->unit = g_strdup (unit);
  if (color)
    s->color = *color;
  else
    gdk_rgba_parse (&s->color, palette[self->signals->len % G_N_ELEMENTS (palette)]);
  s->series = bw_series_new (self->max_points);
  s->fixed_min = s->fixed_max = NAN;
  s->visible = TRUE;
  s->range_min = 0;
  s->range_max = 1;
  g_ptr_array_add (self->signals, s);

  gtk_widget_queue_allocate (GTK_WIDGET (self));
  schedule_check (self);
  return s->series;
}

gboolean
bw_chart_remove_signal (BwChart    *self,
                        const char *id)
{
  guint index;

  g_return_val_if_fail (BW_IS_CHART (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (!find_signal (self, id, &index))
    return FALSE;
  g_ptr_array_remove_index (self->signals, index);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  return TRUE;
}

void
bw_chart_clear_signals (BwChart *self)
{
  g_return_if_fail (BW_IS_CHART (self));

  g_ptr_array_set_size (self->signals, 0);
  bw_coverage_clear (self->coverage);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

guint
bw_chart_get_n_signals (BwChart *self)
{
  g_return_val_if_fail (BW_IS_CHART (self), 0);

  return self->signals->len;
}

/**
 * bw_chart_get_series:
 *
 * Returns: (transfer none) (nullable): the series of signal @id. Who appends
 *   to it directly must call gtk_widget_queue_draw() on the chart.
 */
BwSeries *
bw_chart_get_series (BwChart    *self,
                     const char *id)
{
  Signal *s;

  g_return_val_if_fail (BW_IS_CHART (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  s = find_signal (self, id, NULL);
  return s ? s->series : NULL;
}

/**
 * bw_chart_set_signal_range:
 *
 * Draws signal @id over [@min, @max] (e.g. a tag's engineering range);
 * NAN for both returns to the visible data's range.
 */
void
bw_chart_set_signal_range (BwChart    *self,
                           const char *id,
                           double      min,
                           double      max)
{
  Signal *s;

  g_return_if_fail (BW_IS_CHART (self));
  g_return_if_fail (id != NULL);
  g_return_if_fail ((isnan (min) && isnan (max)) || min < max);

  if ((s = find_signal (self, id, NULL)) == NULL)
    return;
  s->fixed_min = min;
  s->fixed_max = max;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * bw_chart_set_signal_group:
 * @group: (nullable): signals with the same group share one value range
 */
void
bw_chart_set_signal_group (BwChart    *self,
                           const char *id,
                           const char *group)
{
  Signal *s;

  g_return_if_fail (BW_IS_CHART (self));
  g_return_if_fail (id != NULL);

  if ((s = find_signal (self, id, NULL)) == NULL)
    return;
  g_free (s->group);
  s->group = g_strdup (group);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
bw_chart_set_signal_visible (BwChart    *self,
                             const char *id,
                             gboolean    visible)
{
  Signal *s;

  g_return_if_fail (BW_IS_CHART (self));
  g_return_if_fail (id != NULL);

  if ((s = find_signal (self, id, NULL)) == NULL || s->visible == !!visible)
    return;
  s->visible = !!visible;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* the most points each series keeps (the oldest go first) */
void
bw_chart_set_max_points (BwChart *self,
                         gsize    max_points)
{
  g_return_if_fail (BW_IS_CHART (self));
  g_return_if_fail (max_points > 0);

  self->max_points = max_points;
  for (guint i = 0; i < self->signals->len; i++)
    bw_series_set_max_points (((Signal *) self->signals->pdata[i])->series, max_points);
  bw_series_set_max_points (self->anomaly, max_points);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
data_arrived (BwChart *self,
              gint64   t_ms)
{
  /* merged by GTK into one redraw per frame */
  if (self->live || ((double) t_ms >= self->view.t0 && (double) t_ms <= self->view.t1))
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * bw_chart_append:
 *
 * Appends a live sample to signal @id (NAN for a gap).
 *
 * Returns: %FALSE when there is no such signal or the sample goes back in time
 */
gboolean
bw_chart_append (BwChart    *self,
                 const char *id,
                 gint64      t_ms,
                 double      value)
{
  Signal *s;

  g_return_val_if_fail (BW_IS_CHART (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if ((s = find_signal (self, id, NULL)) == NULL || !bw_series_append (s->series, t_ms, value))
    return FALSE;
  note_live_sample (self, t_ms);
  data_arrived (self, t_ms);
  return TRUE;
}

static void
append_sample_cb (const char *tag,
                  gint64      t_ms,
                  double      value,
                  gpointer    user_data)
{
  BwChart *self = user_data;
  Signal *s = find_signal (self, tag, NULL);

  if (s && bw_series_append (s->series, t_ms, value))
    {
      note_live_sample (self, t_ms);
      data_arrived (self, t_ms);
    }
}

/**
 * bw_chart_add_samples_json:
 * @event: a `samples` event of the stream (or its `tags` object)
 *
 * Appends the event's samples to the signals with those tags; other tags are
 * ignored, malformed samples skipped.
 *
 * Returns: %FALSE with @error set when @event is not a samples event
 */
gboolean
bw_chart_add_samples_json (BwChart   *self,
                           JsonNode  *event,
                           GError   **error)
{
  g_return_val_if_fail (BW_IS_CHART (self), FALSE);

  return bw_samples_event_parse (event, append_sample_cb, self, NULL, error);
}

/**
 * bw_chart_load_signals_json:
 * @root: the body of a GET /api/v1/signals answer
 *
 * Puts the answer's buckets (min and max of each) into the signals with
 * those tags, over the parts of its range not already loaded more finely
 * (live samples are never replaced by decimated history).
 *
 * Returns: %FALSE with @error set when the answer is malformed
 */
gboolean
bw_chart_load_signals_json (BwChart   *self,
                            JsonNode  *root,
                            GError   **error)
{
  g_autoptr(BwSignalsResponse) r = NULL;
  g_autoptr(GArray) pieces = NULL;
  double res;

  g_return_val_if_fail (BW_IS_CHART (self), FALSE);

  if ((r = bw_signals_response_parse (root, error)) == NULL)
    return FALSE;

  flush_live_coverage (self);
  res = bw_signals_response_resolution (r);
  pieces = bw_coverage_missing (self->coverage, r->from_ms, r->to_ms, res);

  for (guint i = 0; i < self->signals->len; i++)
    {
      Signal *s = self->signals->pdata[i];
      BwSignalsSeries *ss = bw_signals_response_find (r, s->id);

      if (ss == NULL)
        continue;
      for (guint k = 0; k < pieces->len; k++)
        {
          const BwCoverageSpan *piece = &g_array_index (pieces, BwCoverageSpan, k);

          bw_series_replace_buckets (s->series, piece->from_ms, piece->to_ms,
                                     (const BwSeriesBucket *) (gpointer) ss->buckets->data,
                                     ss->buckets->len);
        }
    }
  bw_coverage_add (self->coverage, r->from_ms, r->to_ms, res);
  /* this request is answered */
  self->req_time = 0;

  gtk_widget_queue_draw (GTK_WIDGET (self));
  schedule_check (self);
  return TRUE;
}

/* Drops every point and the record of what is loaded (e.g. on switching
 * conveyor); the view asks for its data again. */
void
bw_chart_forget_data (BwChart *self)
{
  g_return_if_fail (BW_IS_CHART (self));

  for (guint i = 0; i < self->signals->len; i++)
    bw_series_clear (((Signal *) self->signals->pdata[i])->series);
  bw_series_clear (self->anomaly);
  bw_coverage_clear (self->coverage);
  self->live_from = self->live_to = G_MININT64;
  self->live_dirty = FALSE;
  self->req_time = 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  schedule_check (self);
}

static int
compare_stops (gconstpointer a,
               gconstpointer b)
{
  const Stop *x = a, *y = b;

  return x->start < y->start ? -1 : x->start > y->start;
}

/**
 * bw_chart_set_stop:
 * @end_ms: end, or %BW_CHART_STOP_OPEN while the stop goes on
 * @label: (nullable): shown on the band (e.g. the first-out trigger)
 *
 * Adds the stop @stop_id, or updates it (when it ends, is classified, …).
 */
void
bw_chart_set_stop (BwChart    *self,
                   gint64      stop_id,
                   gint64      start_ms,
                   gint64      end_ms,
                   const char *label)
{
  Stop st = { stop_id, start_ms, end_ms, g_strdup (label) };

  g_return_if_fail (BW_IS_CHART (self));
  g_return_if_fail (end_ms >= start_ms);

  bw_chart_remove_stop (self, stop_id);
  g_array_append_val (self->stops, st);
  g_array_sort (self->stops, compare_stops);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
bw_chart_remove_stop (BwChart *self,
                      gint64   stop_id)
{
  g_return_val_if_fail (BW_IS_CHART (self), FALSE);

  for (guint i = 0; i < self->stops->len; i++)
    if (g_array_index (self->stops, Stop, i).id == stop_id)
      {
        g_array_remove_index (self->stops, i);
        gtk_widget_queue_draw (GTK_WIDGET (self));
        return TRUE;
      }
  return FALSE;
}

void
bw_chart_clear_stops (BwChart *self)
{
  g_return_if_fail (BW_IS_CHART (self));

  g_array_set_size (self->stops, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * bw_chart_get_anomaly_series:
 *
 * Returns: (transfer none): the anomaly score's series
 */
BwSeries *
bw_chart_get_anomaly_series (BwChart *self)
{
  g_return_val_if_fail (BW_IS_CHART (self), NULL);

  return self->anomaly;
}

void
bw_chart_append_anomaly_score (BwChart *self,
                               gint64   t_ms,
                               double   score)
{
  g_return_if_fail (BW_IS_CHART (self));

  if (bw_series_append (self->anomaly, t_ms, score) && self->anomaly_visible)
    data_arrived (self, t_ms);
}

gboolean
bw_chart_get_anomaly_visible (BwChart *self)
{
  g_return_val_if_fail (BW_IS_CHART (self), FALSE);

  return self->anomaly_visible;
}

void
bw_chart_set_anomaly_visible (BwChart  *self,
                              gboolean  visible)
{
  g_return_if_fail (BW_IS_CHART (self));

  visible = !!visible;
  if (visible == self->anomaly_visible)
    return;
  self->anomaly_visible = visible;
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ANOMALY_VISIBLE]);
}

double
bw_chart_get_anomaly_threshold (BwChart *self)
{
  g_return_val_if_fail (BW_IS_CHART (self), 0);

  return self->anomaly_threshold;
}

void
bw_chart_set_anomaly_threshold (BwChart *self,
                                double   threshold)
{
  g_return_if_fail (BW_IS_CHART (self));
  g_return_if_fail (isfinite (threshold));

  if (threshold == self->anomaly_threshold)
    return;
  self->anomaly_threshold = threshold;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ANOMALY_THRESHOLD]);
}

gboolean
bw_chart_get_live (BwChart *self)
{
  g_return_val_if_fail (BW_IS_CHART (self), FALSE);

  return self->live;
}

void
bw_chart_set_live (BwChart  *self,
                   gboolean  live)
{
  g_return_if_fail (BW_IS_CHART (self));

  live = !!live;
  if (live == self->live)
    return;
  if (!live)
    {
      leave_live (self);
      view_changed (self);
      return;
    }
  self->live = TRUE;
  update_live_view (self);
  update_live_timer (self);
  view_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIVE]);
}

double
bw_chart_get_span (BwChart *self)
{
  g_return_val_if_fail (BW_IS_CHART (self), 0);

  return self->live ? self->span : bw_chart_view_span (&self->view);
}

/* In live mode, how far back the view reaches; otherwise it zooms around the
 * view's middle. */
void
bw_chart_set_span (BwChart *self,
                   double   span_ms)
{
  g_return_if_fail (BW_IS_CHART (self));

  span_ms = CLAMP (span_ms, BW_CHART_MIN_SPAN_MS, BW_CHART_MAX_SPAN_MS);
  if (span_ms == bw_chart_get_span (self))
    return;
  if (self->live)
    {
      self->span = span_ms;
      update_live_view (self);
      update_live_timer (self);
    }
  else
    {
      bw_chart_view_zoom (&self->view, (self->view.t0 + self->view.t1) / 2,
                          span_ms / bw_chart_view_span (&self->view));
      self->span = bw_chart_view_span (&self->view);
    }
  view_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPAN]);
}

gboolean
bw_chart_get_box_zoom (BwChart *self)
{
  g_return_val_if_fail (BW_IS_CHART (self), FALSE);

  return self->box_zoom;
}

void
bw_chart_set_box_zoom (BwChart  *self,
                       gboolean  box_zoom)
{
  g_return_if_fail (BW_IS_CHART (self));

  box_zoom = !!box_zoom;
  if (box_zoom == self->box_zoom)
    return;
  self->box_zoom = box_zoom;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BOX_ZOOM]);
}

void
bw_chart_get_view (BwChart *self,
                   double  *t0_ms,
                   double  *t1_ms)
{
  g_return_if_fail (BW_IS_CHART (self));

  update_live_view (self);
  if (t0_ms)
    *t0_ms = self->view.t0;
  if (t1_ms)
    *t1_ms = self->view.t1;
}

/* Shows [@t0_ms, @t1_ms) and leaves live mode */
void
bw_chart_set_view (BwChart *self,
                   double   t0_ms,
                   double   t1_ms)
{
  g_return_if_fail (BW_IS_CHART (self));
  g_return_if_fail (t0_ms < t1_ms);

  leave_live (self);
  bw_chart_view_init (&self->view, t0_ms, t1_ms);
  self->span = bw_chart_view_span (&self->view);
  view_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPAN]);
}

/**
 * bw_chart_set_home_range:
 *
 * Where bw_chart_reset() goes: a fixed range (a stop's window), or live mode
 * when both are NAN (the default).
 */
void
bw_chart_set_home_range (BwChart *self,
                         double   t0_ms,
                         double   t1_ms)
{
  g_return_if_fail (BW_IS_CHART (self));
  g_return_if_fail ((isnan (t0_ms) && isnan (t1_ms)) || t0_ms < t1_ms);

  self->home_t0 = t0_ms;
  self->home_t1 = t1_ms;
}

/* Zooms around the middle of the view (around now when live): @factor < 1 zooms in */
void
bw_chart_zoom (BwChart *self,
               double   factor)
{
  g_return_if_fail (BW_IS_CHART (self));
  g_return_if_fail (factor > 0);

  bw_chart_set_span (self, bw_chart_get_span (self) * factor);
}

/* Back home (live, or the home range) with the whole value range */
void
bw_chart_reset (BwChart *self)
{
  g_return_if_fail (BW_IS_CHART (self));

  self->view.y0 = 0;
  self->view.y1 = 1;
  if (!isnan (self->home_t0))
    bw_chart_set_view (self, self->home_t0, self->home_t1);
  else
    {
      if (!self->live)
        bw_chart_set_live (self, TRUE);
      if (self->span != BW_CHART_DEFAULT_SPAN_MS)
        bw_chart_set_span (self, BW_CHART_DEFAULT_SPAN_MS);
    }
  view_changed (self);
}

/* The zone of the time axis and the cursor (default: local) */
void
bw_chart_set_time_zone (BwChart   *self,
                        GTimeZone *tz)
{
  g_return_if_fail (BW_IS_CHART (self));
  g_return_if_fail (tz != NULL);

  g_time_zone_ref (tz);
  g_time_zone_unref (self->tz);
  self->tz = tz;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- private ---- */

void
_bw_chart_set_now_func (BwChart        *self,
                        BwChartNowFunc  func,
                        gpointer        user_data)
{
  g_return_if_fail (BW_IS_CHART (self));

  self->now_func = func;
  self->now_data = user_data;
  update_live_view (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
_bw_chart_get_plot_area (BwChart         *self,
                         graphene_rect_t *plot)
{
  g_return_if_fail (BW_IS_CHART (self));

  *plot = self->plot;
}

void
_bw_chart_get_signal_range (BwChart    *self,
                            const char *id,
                            double     *min,
                            double     *max)
{
  Signal *s;

  g_return_if_fail (BW_IS_CHART (self));

  update_live_view (self);
  update_signals (self);
  if ((s = find_signal (self, id, NULL)) == NULL)
    return;
  *min = s->range_min;
  *max = s->range_max;
}
