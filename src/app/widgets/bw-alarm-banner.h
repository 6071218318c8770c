/* bw-alarm-banner.h: the newest unacknowledged alarm, across the window
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "bw-context.h"

G_BEGIN_DECLS

#define BW_TYPE_ALARM_BANNER (bw_alarm_banner_get_type ())

G_DECLARE_FINAL_TYPE (BwAlarmBanner, bw_alarm_banner, BW, ALARM_BANNER, GtkWidget)

void     bw_alarm_banner_set_context  (BwAlarmBanner *self,
                                       BwContext     *context);
gboolean bw_alarm_banner_is_revealed  (BwAlarmBanner *self);
const char *bw_alarm_banner_get_title (BwAlarmBanner *self);

G_END_DECLS
