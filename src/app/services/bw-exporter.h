/* bw-exporter.h: "Export report…": the downtime report to PDF or CSV
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "bw-context.h"
#include "bw-report.h"

G_BEGIN_DECLS

#define BW_TYPE_EXPORTER (bw_exporter_get_type ())

G_DECLARE_FINAL_TYPE (BwExporter, bw_exporter, BW, EXPORTER, GObject)

/* What to export: the stops and the period they were chosen for */
typedef struct
{
  GPtrArray  *stops;        /* BwStop */
  gint64      from_us;
  gint64      to_us;
  char      **conveyors;    /* NULL: all */
  char       *title;        /* "Day shift, 28.11.2026 08:00 – 20:00" */
  gboolean    is_shift;
} BwExportRequest;

BwExporter      *bw_exporter_new             (BwContext          *context);
BwReportOptions *bw_exporter_make_options    (BwExporter         *self,
                                              BwExportRequest    *request);
char            *bw_exporter_suggest_name    (BwExportRequest    *request,
                                              BwReportFormat      format);
void             bw_exporter_export_async    (BwExporter         *self,
                                              GtkWindow          *parent,
                                              BwExportRequest    *request,
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
char            *bw_exporter_export_finish   (BwExporter         *self,
                                              GAsyncResult       *result,
                                              GError            **error);
void             bw_exporter_write_async     (BwExporter         *self,
                                              BwExportRequest    *request,
                                              BwReportFormat      format,
                                              GFile              *file,
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
gboolean         bw_exporter_write_finish    (BwExporter         *self,
                                              GAsyncResult       *result,
                                              GError            **error);
void             bw_export_request_free      (BwExportRequest    *request);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwExportRequest, bw_export_request_free)

G_END_DECLS
