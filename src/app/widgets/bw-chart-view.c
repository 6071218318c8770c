/* bw-chart-view.c: the visible window of a chart and its pixel mapping
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-chart-view"

#include "config.h"

#include <math.h>

#include "bw-chart-view.h"

/* smallest box (px) that zooms; anything less is a click */
#define MIN_BOX_PX 4.0

void
bw_chart_view_init (BwChartView *view,
                    double       t0_ms,
                    double       t1_ms)
{
  g_return_if_fail (view != NULL);

  if (!(t1_ms - t0_ms >= BW_CHART_MIN_SPAN_MS))
    {
      double mid = (t0_ms + t1_ms) / 2;

      t0_ms = mid - BW_CHART_MIN_SPAN_MS / 2;
      t1_ms = mid + BW_CHART_MIN_SPAN_MS / 2;
    }
  view->t0 = t0_ms;
  view->t1 = t1_ms;
  view->y0 = 0;
  view->y1 = 1;
}

double
bw_chart_view_span (const BwChartView *view)
{
  return view->t1 - view->t0;
}

double
bw_chart_view_time_to_x (const BwChartView *view,
                         double             t_ms,
                         double             width)
{
  return (t_ms - view->t0) / (view->t1 - view->t0) * width;
}

double
bw_chart_view_x_to_time (const BwChartView *view,
                         double             x,
                         double             width)
{
  if (width <= 0)
    return view->t0;
  return view->t0 + x / width * (view->t1 - view->t0);
}

/* y grows downwards: the top of the plot is the high end */
double
bw_chart_view_norm_to_y (const BwChartView *view,
                         double             norm,
                         double             height)
{
  return (1.0 - (norm - view->y0) / (view->y1 - view->y0)) * height;
}

double
bw_chart_view_y_to_norm (const BwChartView *view,
                         double             y,
                         double             height)
{
  if (height <= 0)
    return view->y0;
  return view->y0 + (1.0 - y / height) * (view->y1 - view->y0);
}

/**
 * bw_chart_view_zoom:
 * @anchor_t_ms: the time that stays where it is on screen (under the pointer)
 * @factor: new span / old span: < 1 zooms in
 *
 * The span stays within [BW_CHART_MIN_SPAN_MS, BW_CHART_MAX_SPAN_MS].
 */
void
bw_chart_view_zoom (BwChartView *view,
                    double       anchor_t_ms,
                    double       factor)
{
  double span, new_span, rel;

  g_return_if_fail (view != NULL);

  if (!(factor > 0) || !isfinite (factor))
    return;
  span = view->t1 - view->t0;
  new_span = CLAMP (span * factor, BW_CHART_MIN_SPAN_MS, BW_CHART_MAX_SPAN_MS);
  rel = (anchor_t_ms - view->t0) / span;
  view->t0 = anchor_t_ms - rel * new_span;
  view->t1 = view->t0 + new_span;
}

/**
 * bw_chart_view_pan:
 * @dx: pixels the content moves right (a drag to the right shows earlier times)
 * @width: the plot's width in pixels
 */
void
bw_chart_view_pan (BwChartView *view,
                   double       dx,
                   double       width)
{
  double dt;

  g_return_if_fail (view != NULL);

  if (width <= 0 || !isfinite (dx))
    return;
  dt = dx / width * (view->t1 - view->t0);
  view->t0 -= dt;
  view->t1 -= dt;
}

/**
 * bw_chart_view_zoom_box:
 *
 * Zooms to the box between two points in plot pixels: its horizontal extent
 * becomes the time window, its vertical extent the value window (a box
 * flatter than MIN_BOX_PX leaves the values alone).
 *
 * Returns: %FALSE when the box is too narrow to mean a zoom
 */
gboolean
bw_chart_view_zoom_box (BwChartView *view,
                        double       x0,
                        double       y0,
                        double       x1,
                        double       y1,
                        double       width,
                        double       height)
{
  double ta, tb, na, nb;

  g_return_val_if_fail (view != NULL, FALSE);

  if (width <= 0 || height <= 0 || fabs (x1 - x0) < MIN_BOX_PX)
    return FALSE;

  x0 = CLAMP (x0, 0, width);
  x1 = CLAMP (x1, 0, width);
  ta = bw_chart_view_x_to_time (view, MIN (x0, x1), width);
  tb = bw_chart_view_x_to_time (view, MAX (x0, x1), width);

  if (fabs (y1 - y0) >= MIN_BOX_PX)
    {
      y0 = CLAMP (y0, 0, height);
      y1 = CLAMP (y1, 0, height);
      na = bw_chart_view_y_to_norm (view, MAX (y0, y1), height);
      nb = bw_chart_view_y_to_norm (view, MIN (y0, y1), height);
      if (nb - na > 1e-6)
        {
          view->y0 = na;
          view->y1 = nb;
        }
    }

  if (tb - ta < BW_CHART_MIN_SPAN_MS)
    {
      double mid = (ta + tb) / 2;

      ta = mid - BW_CHART_MIN_SPAN_MS / 2;
      tb = mid + BW_CHART_MIN_SPAN_MS / 2;
    }
  view->t0 = ta;
  view->t1 = tb;
  return TRUE;
}
