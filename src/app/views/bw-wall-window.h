/* bw-wall-window.h: the dispatcher's wall display
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "bw-application.h"
#include "bw-context.h"

G_BEGIN_DECLS

#define BW_TYPE_WALL_WINDOW (bw_wall_window_get_type ())

G_DECLARE_FINAL_TYPE (BwWallWindow, bw_wall_window, BW, WALL_WINDOW, GtkWindow)

BwWallWindow *bw_wall_window_new            (BwApplication *application,
                                             BwContext     *context);
guint         bw_wall_window_get_n_tiles    (BwWallWindow  *self);
const char   *bw_wall_window_get_tile_state (BwWallWindow  *self,
                                             const char    *conveyor);
const char   *bw_wall_window_get_shift_text (BwWallWindow  *self);
gboolean      bw_wall_window_is_offline     (BwWallWindow  *self);

G_END_DECLS
