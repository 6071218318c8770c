/* bw-overview-page.h: every conveyor of the line at a glance
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "bw-context.h"

G_BEGIN_DECLS

#define BW_TYPE_OVERVIEW_PAGE (bw_overview_page_get_type ())

G_DECLARE_FINAL_TYPE (BwOverviewPage, bw_overview_page, BW, OVERVIEW_PAGE, GtkWidget)

void       bw_overview_page_set_context    (BwOverviewPage *self,
                                            BwContext      *context);
void       bw_overview_page_show_conveyor  (BwOverviewPage *self,
                                            const char     *id);
void       bw_overview_page_show_all       (BwOverviewPage *self);
guint      bw_overview_page_get_n_cards    (BwOverviewPage *self);
GtkWidget *bw_overview_page_get_card       (BwOverviewPage *self,
                                            const char     *id);

G_END_DECLS
