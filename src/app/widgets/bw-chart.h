/* bw-chart.h: live and history chart of a conveyor's signals
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "bw-series.h"

G_BEGIN_DECLS

#define BW_TYPE_CHART (bw_chart_get_type ())

G_DECLARE_FINAL_TYPE (BwChart, bw_chart, BW, CHART, GtkWidget)

/* end time of a stop that is still going on */
#define BW_CHART_STOP_OPEN G_MAXINT64

/* default width of the live window */
#define BW_CHART_DEFAULT_SPAN_MS (10.0 * 60.0 * 1000.0)

GtkWidget  *bw_chart_new                   (void);

/* signals (each its own series, drawn normalised to its own value range, or
 * to its group's) */
BwSeries   *bw_chart_add_signal            (BwChart        *self,
                                            const char     *id,
                                            const char     *label,
                                            const char     *unit,
                                            const GdkRGBA  *color);
gboolean    bw_chart_remove_signal         (BwChart        *self,
                                            const char     *id);
void        bw_chart_clear_signals         (BwChart        *self);
guint       bw_chart_get_n_signals         (BwChart        *self);
BwSeries   *bw_chart_get_series            (BwChart        *self,
                                            const char     *id);
void        bw_chart_set_signal_range      (BwChart        *self,
                                            const char     *id,
                                            double          min,
                                            double          max);
void        bw_chart_set_signal_group      (BwChart        *self,
                                            const char     *id,
                                            const char     *group);
void        bw_chart_set_signal_visible    (BwChart        *self,
                                            const char     *id,
                                            gboolean        visible);
void        bw_chart_set_max_points        (BwChart        *self,
                                            gsize           max_points);

/* data */
gboolean    bw_chart_append                (BwChart        *self,
                                            const char     *id,
                                            gint64          t_ms,
                                            double          value);
gboolean    bw_chart_add_samples_json      (BwChart        *self,
                                            JsonNode       *event,
                                            GError        **error);
gboolean    bw_chart_load_signals_json     (BwChart        *self,
                                            JsonNode       *root,
                                            GError        **error);
void        bw_chart_forget_data           (BwChart        *self);

/* stops, shaded */
void        bw_chart_set_stop              (BwChart        *self,
                                            gint64          stop_id,
                                            gint64          start_ms,
                                            gint64          end_ms,
                                            const char     *label);
gboolean    bw_chart_remove_stop           (BwChart        *self,
                                            gint64          stop_id);
void        bw_chart_clear_stops           (BwChart        *self);

/* anomaly score strip */
BwSeries   *bw_chart_get_anomaly_series    (BwChart        *self);
void        bw_chart_append_anomaly_score  (BwChart        *self,
                                            gint64          t_ms,
                                            double          score);
gboolean    bw_chart_get_anomaly_visible   (BwChart        *self);
void        bw_chart_set_anomaly_visible   (BwChart        *self,
                                            gboolean        visible);
double      bw_chart_get_anomaly_threshold (BwChart        *self);
void        bw_chart_set_anomaly_threshold (BwChart        *self,
                                            double          threshold);

/* the view */
gboolean    bw_chart_get_live              (BwChart        *self);
void        bw_chart_set_live              (BwChart        *self,
                                            gboolean        live);
double      bw_chart_get_span              (BwChart        *self);
void        bw_chart_set_span              (BwChart        *self,
                                            double          span_ms);
gboolean    bw_chart_get_box_zoom          (BwChart        *self);
void        bw_chart_set_box_zoom          (BwChart        *self,
                                            gboolean        box_zoom);
void        bw_chart_get_view              (BwChart        *self,
                                            double         *t0_ms,
                                            double         *t1_ms);
void        bw_chart_set_view              (BwChart        *self,
                                            double          t0_ms,
                                            double          t1_ms);
void        bw_chart_set_home_range        (BwChart        *self,
                                            double          t0_ms,
                                            double          t1_ms);
void        bw_chart_zoom                  (BwChart        *self,
                                            double          factor);
void        bw_chart_reset                 (BwChart        *self);
void        bw_chart_set_time_zone         (BwChart        *self,
                                            GTimeZone      *tz);

G_END_DECLS
