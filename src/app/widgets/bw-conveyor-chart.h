/* bw-conveyor-chart.h: live charts of a conveyor and of a stop's window
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "bw-chart.h"
#include "bw-context.h"

G_BEGIN_DECLS

typedef enum
{
  BW_CONVEYOR_CHART_CARD,    /* speed and current, 5 minutes */
  BW_CONVEYOR_CHART_DETAIL,  /* every analogue signal, 10 minutes, history */
} BwConveyorChartKind;

GtkWidget *bw_conveyor_chart_new    (BwContext           *context,
                                     BwLiveConveyor          *conveyor,
                                     BwConveyorChartKind  kind);
GtkWidget *bw_stop_window_chart_new (BwStop              *stop,
                                     JsonObject          *window,
                                     GError             **error);

G_END_DECLS
