/* bw-conveyor-card.h: one conveyor on the overview
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "bw-context.h"
#include "bw-live-conveyor.h"

G_BEGIN_DECLS

#define BW_TYPE_CONVEYOR_CARD (bw_conveyor_card_get_type ())

G_DECLARE_FINAL_TYPE (BwConveyorCard, bw_conveyor_card, BW, CONVEYOR_CARD, GtkWidget)

GtkWidget  *bw_conveyor_card_new           (BwContext      *context,
                                            BwLiveConveyor     *conveyor);
BwLiveConveyor *bw_conveyor_card_get_conveyor  (BwConveyorCard *self);
const char *bw_conveyor_card_get_state_text (BwConveyorCard *self);
GtkBox     *bw_conveyor_card_get_chart_box (BwConveyorCard *self);

G_END_DECLS
