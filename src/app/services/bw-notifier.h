/* bw-notifier.h: desktop notifications of alarms (libnotify)
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "bw-alarm.h"
#include "bw-stop.h"

G_BEGIN_DECLS

#define BW_NOTIFIER_ACTION_ACKNOWLEDGE "acknowledge"
#define BW_NOTIFIER_ACTION_CLASSIFY    "classify"
#define BW_NOTIFIER_ACTION_OPEN        "default"

#define BW_TYPE_NOTIFIER (bw_notifier_get_type ())

G_DECLARE_FINAL_TYPE (BwNotifier, bw_notifier, BW, NOTIFIER, GObject)

BwNotifier *bw_notifier_new             (const char  *app_name,
                                         const char  *app_id);
gboolean    bw_notifier_is_available    (BwNotifier  *self);
void        bw_notifier_set_enabled     (BwNotifier  *self,
                                         gboolean     enabled);
gboolean    bw_notifier_show_alarm      (BwNotifier  *self,
                                         BwAlarm     *alarm,
                                         BwStop      *stop,
                                         const char  *conveyor_name,
                                         GError     **error);
void        bw_notifier_withdraw        (BwNotifier  *self,
                                         gint64       alarm_id);
void        bw_notifier_withdraw_all    (BwNotifier  *self);
gboolean    bw_notifier_flush           (BwNotifier  *self,
                                         guint        timeout_ms);
guint       bw_notifier_get_n_sent      (BwNotifier  *self);
gint64      bw_notifier_get_last_sent_time (BwNotifier *self);
char       *bw_notifier_format_summary  (BwAlarm     *alarm);
char       *bw_notifier_format_body     (BwAlarm     *alarm,
                                         BwStop      *stop,
                                         const char  *conveyor_name);

G_END_DECLS
