/* bw-app-window-private.h: the main window's internals, shared with its actions
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bw-alarm-banner.h"
#include "bw-alarms-page.h"
#include "bw-journal-page.h"
#include "bw-overview-page.h"
#include "bw-app-window.h"

G_BEGIN_DECLS

struct _BwAppWindow
{
  AdwApplicationWindow  parent_instance;

  BwContext            *context;         /* owned */
  GCancellable         *cancellable;     /* owned, cancelled in dispose */
  gboolean              urgent;

  /* template children */
  AdwHeaderBar         *header_bar;
  GtkBox               *connection_box;
  GtkImage             *connection_icon;
  GtkLabel             *connection_label;
  GtkRevealer          *connection_revealer;
  GtkBox               *connection_banner;
  GtkLabel             *connection_banner_label;
  GtkButton            *retry_button;
  GtkButton            *silence_button;
  GtkButton            *wall_button;
  BwAlarmBanner        *alarm_banner;
  AdwToastOverlay      *toast_overlay;
  AdwViewStack         *stack;
  AdwViewStackPage     *overview_stack_page;
  AdwViewStackPage     *alarms_stack_page;
  AdwViewStackPage     *journal_stack_page;
  BwOverviewPage       *overview_page;
  BwAlarmsPage         *alarms_page;
  BwJournalPage        *journal_page;
};

void _bw_app_window_actions_init   (BwAppWindow *self);
void _bw_app_window_actions_update (BwAppWindow *self);

G_END_DECLS
