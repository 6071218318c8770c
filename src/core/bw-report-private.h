/* bw-report-private.h: what the report's files share
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib/gi18n-lib.h>

#include "bw-report.h"

G_BEGIN_DECLS

/* ---- translation ----
 *
 * A report is written in its own language, whatever the process's locale:
 * the catalog (the `beltwatch` domain's .mo file for that language) is read
 * by the report itself and made current for the thread while the report is
 * built or rendered. Inside the report's files _() and C_() look strings up
 * in that catalog (English when there is none). */

typedef struct _BwCatalog BwCatalog;

BwCatalog       *_bw_catalog_load           (const char      *language,
                                             char           **resolved);
BwCatalog       *_bw_catalog_ref            (BwCatalog       *self);
void             _bw_catalog_unref          (BwCatalog       *self);
const char      *_bw_catalog_lookup         (const BwCatalog *self,
                                             const char      *msgid);

const BwCatalog *_bw_report_push_catalog    (const BwCatalog *catalog);
void             _bw_report_pop_catalog     (const BwCatalog *previous);
const char      *_bw_report_gettext         (const char      *msgid);
const char      *_bw_report_pgettext        (const char      *ctx_msgid,
                                             gsize            msgid_offset);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwCatalog, _bw_catalog_unref)

#ifdef BW_REPORT_TRANSLATE
# undef _
# define _(s) _bw_report_gettext (s)
# undef C_
# define C_(ctx, s) _bw_report_pgettext (ctx "\004" s, sizeof (ctx))
#endif

/* ---- the model ---- */

typedef struct
{
  char    *code;
  char    *label;
  gboolean planned;
} BwReportCauseOption;

struct _BwReportOptions
{
  BwReportType         type;
  gint64               from_us;
  gint64               to_us;
  GTimeZone           *tz;            /* owned */
  char                *plant;
  char                *section;
  char                *shift_name;
  char                *prepared_by;
  GStrv                conveyors;
  BwReportOrientation  orientation;
  char                 separator;
  char                *language;
  gint64               now_us;
  guint                md_cluster_max;
  gint64               md_cluster_window_us;
  gint64               md_history_us;
  GPtrArray           *causes;        /* BwReportCauseOption* */
};

struct _BwReport
{
  gatomicrefcount    ref_count;
  BwReportOptions   *options;       /* owned copy */
  BwCatalog         *catalog;       /* owned, NULL: English */
  char              *language;      /* resolved: "ru", "en" … */

  gint64             from_us;
  gint64             to_us;
  gint64             counted_to_us; /* min (to, now) */
  gint64             now_us;

  GPtrArray         *conveyors;     /* BwReportConveyor* */
  BwReportConveyor   total;
  GArray            *causes;        /* BwReportCause */
  GPtrArray         *md;            /* BwReportMd* */
  BwReportMd         md_total;
  GArray            *md_clusters;   /* BwReportMdCluster */
  GArray            *md_advice;     /* BwReportMdAdvice */
  gboolean           md_advice_available;
  GArray            *stops;         /* BwReportStop */
};

/* labels and formats in the report's language (call with its catalog current) */
const char *_bw_report_cause_label     (BwReport        *self,
                                        const char      *code);
const char *_bw_report_trigger_label   (const char      *trigger);
const char *_bw_report_type_label      (BwReportType     type);
char       *_bw_report_format_time     (BwReport        *self,
                                        gint64           time_us,
                                        const char      *format);
char       *_bw_report_format_number   (double           value,
                                        int              decimals,
                                        const char      *decimal_mark);
char       *_bw_report_format_duration (gint64           us);
char       *_bw_report_describe_zone   (BwReport        *self);
char       *_bw_report_describe_period (BwReport        *self);

GBytes     *_bw_report_render_pdf      (BwReport        *self,
                                        GCancellable    *cancellable,
                                        GError         **error);
GBytes     *_bw_report_render_csv      (BwReport        *self,
                                        BwReportFormat   format,
                                        GError         **error);

G_END_DECLS
