/* bw-journal-page.h: the downtime journal
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "bw-context.h"
#include "bw-exporter.h"
#include "bw-stop-list.h"

G_BEGIN_DECLS

typedef enum
{
  BW_PERIOD_SHIFT,
  BW_PERIOD_PREVIOUS_SHIFT,
  BW_PERIOD_TODAY,
  BW_PERIOD_CUSTOM,
} BwPeriod;

#define BW_TYPE_JOURNAL_PAGE (bw_journal_page_get_type ())

G_DECLARE_FINAL_TYPE (BwJournalPage, bw_journal_page, BW, JOURNAL_PAGE, GtkWidget)

void        bw_journal_page_set_context (BwJournalPage      *self,
                                         BwContext          *context);
BwStopList *bw_journal_page_get_list    (BwJournalPage      *self);
void        bw_journal_page_set_period  (BwJournalPage      *self,
                                         BwPeriod            period);
gboolean    bw_journal_page_set_custom_range (BwJournalPage *self,
                                         const char         *from,
                                         const char         *to);
BwExportRequest *bw_journal_page_make_export_request (BwJournalPage *self);
const char *bw_journal_page_get_totals_text (BwJournalPage  *self);

G_END_DECLS
