/* bw-alarms-page.h: the alarm list
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "bw-context.h"

G_BEGIN_DECLS

#define BW_TYPE_ALARMS_PAGE (bw_alarms_page_get_type ())

G_DECLARE_FINAL_TYPE (BwAlarmsPage, bw_alarms_page, BW, ALARMS_PAGE, GtkWidget)

void        bw_alarms_page_set_context (BwAlarmsPage *self,
                                        BwContext    *context);
GListModel *bw_alarms_page_get_model   (BwAlarmsPage *self);
char       *bw_alarms_page_describe_alarm (BwAlarmsPage *self,
                                           BwAlarm      *alarm);

G_END_DECLS
