/* bw-chart-private.h: BwChart internals for the tests and the benchmark
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bw-chart.h"

G_BEGIN_DECLS

typedef gint64 (*BwChartNowFunc) (gpointer user_data);

void    _bw_chart_set_now_func      (BwChart         *self,
                                     BwChartNowFunc   func,
                                     gpointer         user_data);
void    _bw_chart_get_plot_area     (BwChart         *self,
                                     graphene_rect_t *plot);
void    _bw_chart_pointer_motion    (BwChart         *self,
                                     double           x,
                                     double           y);
void    _bw_chart_pointer_leave     (BwChart         *self);
void    _bw_chart_scroll            (BwChart         *self,
                                     double           dx,
                                     double           dy);
void    _bw_chart_drag              (BwChart         *self,
                                     double           x,
                                     double           y,
                                     double           dx,
                                     double           dy,
                                     gboolean         shift);
void    _bw_chart_click             (BwChart         *self,
                                     int              n_press,
                                     double           x,
                                     double           y);
char   *_bw_chart_get_hover_text    (BwChart         *self);
void    _bw_chart_check_data        (BwChart         *self);
void    _bw_chart_get_signal_range  (BwChart         *self,
                                     const char      *id,
                                     double          *min,
                                     double          *max);

G_END_DECLS
