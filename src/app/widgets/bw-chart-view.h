/* bw-chart-view.h: the visible window of a chart and its pixel mapping
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Spans a chart may show, in ms */
#define BW_CHART_MIN_SPAN_MS 1000.0
#define BW_CHART_MAX_SPAN_MS (90.0 * 86400.0 * 1000.0)

/* The visible window: times in ms since the epoch, values normalised (each
 * signal's range maps to 0..1; y0..y1 is the part of that shown, 0..1 when
 * not zoomed). Plain arithmetic, no widget: the chart's zoom and pan go
 * through these functions. */
typedef struct
{
  double t0;
  double t1;
  double y0;
  double y1;
} BwChartView;

void     bw_chart_view_init       (BwChartView       *view,
                                   double             t0_ms,
                                   double             t1_ms);
double   bw_chart_view_span       (const BwChartView *view);
double   bw_chart_view_time_to_x  (const BwChartView *view,
                                   double             t_ms,
                                   double             width);
double   bw_chart_view_x_to_time  (const BwChartView *view,
                                   double             x,
                                   double             width);
double   bw_chart_view_norm_to_y  (const BwChartView *view,
                                   double             norm,
                                   double             height);
double   bw_chart_view_y_to_norm  (const BwChartView *view,
                                   double             y,
                                   double             height);
void     bw_chart_view_zoom       (BwChartView       *view,
                                   double             anchor_t_ms,
                                   double             factor);
void     bw_chart_view_pan        (BwChartView       *view,
                                   double             dx,
                                   double             width);
gboolean bw_chart_view_zoom_box   (BwChartView       *view,
                                   double             x0,
                                   double             y0,
                                   double             x1,
                                   double             y1,
                                   double             width,
                                   double             height);

G_END_DECLS
