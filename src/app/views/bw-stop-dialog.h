/* bw-stop-dialog.h: the classification view of one stop
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bw-context.h"

G_BEGIN_DECLS

#define BW_TYPE_STOP_DIALOG (bw_stop_dialog_get_type ())

G_DECLARE_FINAL_TYPE (BwStopDialog, bw_stop_dialog, BW, STOP_DIALOG, AdwWindow)

BwStopDialog *bw_stop_dialog_new          (BwContext    *context,
                                           gint64        stop_id);
gint64        bw_stop_dialog_get_stop_id  (BwStopDialog *self);
gboolean      bw_stop_dialog_is_loaded    (BwStopDialog *self);
JsonObject   *bw_stop_dialog_get_window   (BwStopDialog *self);
GtkBox       *bw_stop_dialog_get_window_box (BwStopDialog *self);
gboolean      bw_stop_dialog_select_cause (BwStopDialog *self,
                                           const char   *code);
const char   *bw_stop_dialog_get_selected_cause (BwStopDialog *self);
void          bw_stop_dialog_set_comment  (BwStopDialog *self,
                                           const char   *comment);
void          bw_stop_dialog_set_operator (BwStopDialog *self,
                                           const char   *name);
void          bw_stop_dialog_save         (BwStopDialog *self);
guint         bw_stop_dialog_get_n_history (BwStopDialog *self);

G_END_DECLS
