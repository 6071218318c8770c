/* bw-app-window.h: the main window
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bw-alarm-banner.h"
#include "bw-application.h"
#include "bw-context.h"

G_BEGIN_DECLS

#define BW_TYPE_APP_WINDOW (bw_app_window_get_type ())

G_DECLARE_FINAL_TYPE (BwAppWindow, bw_app_window, BW, APP_WINDOW, AdwApplicationWindow)

BwAppWindow  *bw_app_window_new          (BwApplication *application,
                                   BwContext     *context);
BwContext *bw_app_window_get_context  (BwAppWindow      *self);
void       bw_app_window_show_toast   (BwAppWindow      *self,
                                   const char    *text);
void       bw_app_window_show_page    (BwAppWindow      *self,
                                   const char    *name);
GtkWidget *bw_app_window_get_page     (BwAppWindow      *self,
                                   const char    *name);
BwAlarmBanner *bw_app_window_get_alarm_banner (BwAppWindow *self);
gboolean   bw_app_window_is_urgent (BwAppWindow *self);
char      *bw_app_window_dup_connection_text (BwAppWindow *self);

G_END_DECLS
