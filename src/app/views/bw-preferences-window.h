/* bw-preferences-window.h: the preferences
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bw-context.h"

G_BEGIN_DECLS

#define BW_TYPE_PREFERENCES_WINDOW (bw_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (BwPreferencesWindow, bw_preferences_window, BW, PREFERENCES_WINDOW, AdwPreferencesWindow)

BwPreferencesWindow *bw_preferences_window_new (BwContext *context);

G_END_DECLS
