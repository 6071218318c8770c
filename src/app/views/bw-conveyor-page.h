/* bw-conveyor-page.h: one conveyor in detail: live chart, values, stops
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "bw-context.h"

G_BEGIN_DECLS

#define BW_TYPE_CONVEYOR_PAGE (bw_conveyor_page_get_type ())

G_DECLARE_FINAL_TYPE (BwConveyorPage, bw_conveyor_page, BW, CONVEYOR_PAGE, GtkWidget)

void        bw_conveyor_page_set_context   (BwConveyorPage *self,
                                            BwContext      *context);
void        bw_conveyor_page_set_conveyor  (BwConveyorPage *self,
                                            BwLiveConveyor     *conveyor);
BwLiveConveyor *bw_conveyor_page_get_conveyor  (BwConveyorPage *self);
GtkWidget  *bw_conveyor_page_get_chart     (BwConveyorPage *self);

G_END_DECLS
