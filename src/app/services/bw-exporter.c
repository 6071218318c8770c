/* bw-exporter.c: "Export report…": the downtime report to PDF or CSV
 *
 * The report is the core library's (the same document the service and the
 * command line make), built from the stops the journal shows — so what is
 * exported is what the supervisor sees — in a worker thread, and written
 * where the file chooser says. "Open when done" hands the file to the
 * desktop's viewer.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-exporter"

#include "config.h"

#include <glib/gi18n.h>

#include "bw-exporter.h"

struct _BwExporter
{
  GObject    parent_instance;

  BwContext *context;   /* owned */
};

G_DEFINE_FINAL_TYPE (BwExporter, bw_exporter, G_TYPE_OBJECT)

void
bw_export_request_free (BwExportRequest *request)
{
  if (request == NULL)
    return;
  g_clear_pointer (&request->stops, g_ptr_array_unref);
  g_strfreev (request->conveyors);
  g_free (request->title);
  g_free (request);
}

static BwExportRequest *
request_copy (BwExportRequest *r)
{
  BwExportRequest *c = g_new0 (BwExportRequest, 1);

  c->stops = g_ptr_array_ref (r->stops);
  c->from_us = r->from_us;
  c->to_us = r->to_us;
  c->conveyors = g_strdupv (r->conveyors);
  c->title = g_strdup (r->title);
  c->is_shift = r->is_shift;
  return c;
}

/**
 * bw_exporter_make_options:
 *
 * Returns: (transfer full): the report's options for @request: the period,
 *   the local time zone, who prepared it, the plant's own causes
 */
BwReportOptions *
bw_exporter_make_options (BwExporter      *self,
                          BwExportRequest *request)
{
  BwReportOptions *options = bw_report_options_new ();
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
  g_autofree char *who = bw_context_dup_operator (self->context);
  GPtrArray *causes = bw_line_get_causes (bw_context_get_line (self->context));

  bw_report_options_set_type (options, request->is_shift ? BW_REPORT_TYPE_SHIFT : BW_REPORT_TYPE_RANGE);
  bw_report_options_set_timezone (options, tz);
  bw_report_options_set_period (options, request->from_us, request->to_us);
  if (request->title)
    bw_report_options_set_shift_name (options, request->title);
  bw_report_options_set_prepared_by (options, who);
  if (request->conveyors && request->conveyors[0])
    bw_report_options_set_conveyors (options, (const char * const *) request->conveyors);
  for (guint i = 0; i < causes->len; i++)
    {
      BwCause *c = causes->pdata[i];
      bw_report_options_set_cause (options, c->code, c->label, c->planned);
    }
  return options;
}

/**
 * bw_exporter_suggest_name:
 *
 * Returns: (transfer full): a file name for the report: "downtime-2026-11-28-0800.pdf"
 */
char *
bw_exporter_suggest_name (BwExportRequest *request,
                          BwReportFormat   format)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (request->from_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = g_date_time_to_local (utc);
  g_autofree char *stamp = g_date_time_format (local, "%Y-%m-%d-%H%M");

  /* Translators: the start of an exported report's file name; keep it short
   * and without spaces */
  return g_strdup_printf ("%s-%s.%s", _("downtime"), stamp, bw_report_format_get_extension (format));
}

/* ---- writing ---- */

static void
written_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  BwReport *report = g_object_get_data (G_OBJECT (task), "bw-report");

  if (!bw_report_write_finish (report, result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
built_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BwReport) report = bw_report_new_from_stops_finish (result, &error);
  GFile *file = g_object_get_data (G_OBJECT (task), "bw-file");
  BwReportFormat format = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "bw-format"));

  if (report == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_object_set_data_full (G_OBJECT (task), "bw-report", bw_report_ref (report), (GDestroyNotify) bw_report_unref);
  bw_report_write_async (report, format, file, g_task_get_cancellable (task), written_cb, g_object_ref (task));
}

/**
 * bw_exporter_write_async:
 *
 * Builds the report of @request in a worker thread and writes it to @file.
 */
void
bw_exporter_write_async (BwExporter          *self,
                         BwExportRequest     *request,
                         BwReportFormat       format,
                         GFile               *file,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(BwReportOptions) options = NULL;

  g_return_if_fail (BW_IS_EXPORTER (self));
  g_return_if_fail (request != NULL && request->stops != NULL);
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bw_exporter_write_async);
  g_object_set_data_full (G_OBJECT (task), "bw-file", g_object_ref (file), g_object_unref);
  g_object_set_data (G_OBJECT (task), "bw-format", GINT_TO_POINTER (format));
  options = bw_exporter_make_options (self, request);
  bw_report_new_from_stops_async (request->stops, options, cancellable, built_cb, g_steal_pointer (&task));
}

gboolean
bw_exporter_write_finish (BwExporter    *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- with the file chooser ---- */

typedef struct
{
  BwExportRequest      *request;
  GtkFileChooserNative *chooser;
  GtkWindow            *parent;
  GFile                *file;
  gboolean              open;
} ExportData;

static void
export_data_free (ExportData *d)
{
  bw_export_request_free (d->request);
  if (d->chooser)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (d->chooser));
  g_clear_object (&d->chooser);
  g_clear_object (&d->parent);
  g_clear_object (&d->file);
  g_free (d);
}

static void
export_written_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ExportData *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!bw_exporter_write_finish (BW_EXPORTER (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (d->open)
    {
      g_autofree char *uri = g_file_get_uri (d->file);
      gtk_show_uri (d->parent, uri, GDK_CURRENT_TIME);
    }
  g_task_return_pointer (task, g_file_get_path (d->file), g_free);
}

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         user_data)
{
  g_autoptr(GTask) task = user_data;
  BwExporter *self = g_task_get_source_object (task);
  ExportData *d = g_task_get_task_data (task);
  GtkFileChooser *chooser = GTK_FILE_CHOOSER (dialog);
  BwReportFormat format = BW_REPORT_FORMAT_PDF;
  const char *choice;
  g_autoptr(GFile) chosen = NULL;
  g_autofree char *basename = NULL;

  if (response != GTK_RESPONSE_ACCEPT || (chosen = gtk_file_chooser_get_file (chooser)) == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Export cancelled");
      return;
    }
  choice = gtk_file_chooser_get_choice (chooser, "format");
  if (g_strcmp0 (choice, "csv") == 0)
    format = BW_REPORT_FORMAT_CSV;
  d->open = g_strcmp0 (gtk_file_chooser_get_choice (chooser, "open"), "true") == 0;

  /* a typed extension wins over the choice; a missing one is added */
  basename = g_file_get_basename (chosen);
  if (g_str_has_suffix (basename, ".csv"))
    format = BW_REPORT_FORMAT_CSV;
  else if (g_str_has_suffix (basename, ".pdf"))
    format = BW_REPORT_FORMAT_PDF;
  else
    {
      g_autoptr(GFile) parent = g_file_get_parent (chosen);
      g_autofree char *with_ext = g_strconcat (basename, ".", bw_report_format_get_extension (format), NULL);
      g_clear_object (&chosen);
      chosen = g_file_get_child (parent, with_ext);
    }
  d->file = g_steal_pointer (&chosen);

  g_settings_set_enum (bw_context_get_settings (self->context), "report-format", format == BW_REPORT_FORMAT_CSV ? 1 : 0);
  g_settings_set_boolean (bw_context_get_settings (self->context), "report-open", d->open);
  bw_exporter_write_async (self, d->request, format, d->file, g_task_get_cancellable (task), export_written_cb,
                           g_object_ref (task));
}

/**
 * bw_exporter_export_async:
 * @parent: the window the file chooser belongs to
 *
 * Asks where to write the report of @request (and as PDF or CSV), writes it
 * and opens it if asked to. Finishes with the file's path.
 */
void
bw_exporter_export_async (BwExporter          *self,
                          GtkWindow           *parent,
                          BwExportRequest     *request,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GSettings *settings;
  ExportData *d;
  BwReportFormat format;
  g_autoptr(GtkFileFilter) pdf = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) csv = gtk_file_filter_new ();
  const char *formats[] = { "pdf", "csv", NULL };
  const char *format_labels[] = { N_("PDF document"), N_("CSV table"), NULL };
  const char *translated[3] = { _(format_labels[0]), _(format_labels[1]), NULL };
  g_autofree char *name = NULL;

  g_return_if_fail (BW_IS_EXPORTER (self));
  g_return_if_fail (request != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bw_exporter_export_async);
  settings = bw_context_get_settings (self->context);
  format = g_settings_get_enum (settings, "report-format") == 1 ? BW_REPORT_FORMAT_CSV : BW_REPORT_FORMAT_PDF;

  d = g_new0 (ExportData, 1);
  d->request = request_copy (request);
  d->parent = parent ? g_object_ref (parent) : NULL;
  g_task_set_task_data (task, d, (GDestroyNotify) export_data_free);

  d->chooser = gtk_file_chooser_native_new (_("Export Downtime Report"), parent, GTK_FILE_CHOOSER_ACTION_SAVE,
                                            _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (d->chooser), TRUE);
  gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (d->chooser), "format", _("Format"), formats, translated);
  gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (d->chooser), "format", formats[format == BW_REPORT_FORMAT_CSV]);
  gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (d->chooser), "open", _("Open when done"), NULL, NULL);
  gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (d->chooser), "open",
                               g_settings_get_boolean (settings, "report-open") ? "true" : "false");
  gtk_file_filter_set_name (pdf, _("PDF document"));
  gtk_file_filter_add_mime_type (pdf, "application/pdf");
  gtk_file_filter_add_suffix (pdf, "pdf");
  gtk_file_filter_set_name (csv, _("CSV table"));
  gtk_file_filter_add_mime_type (csv, "text/csv");
  gtk_file_filter_add_suffix (csv, "csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (d->chooser), pdf);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (d->chooser), csv);
  name = bw_exporter_suggest_name (request, format);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (d->chooser), name);
  g_signal_connect (d->chooser, "response", G_CALLBACK (chooser_response_cb), g_object_ref (task));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (d->chooser));
}

/**
 * bw_exporter_export_finish:
 *
 * Returns: (transfer full): the path written; %G_IO_ERROR_CANCELLED if the
 *   user cancelled
 */
char *
bw_exporter_export_finish (BwExporter    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
bw_exporter_dispose (GObject *object)
{
  BwExporter *self = BW_EXPORTER (object);

  g_clear_object (&self->context);
  G_OBJECT_CLASS (bw_exporter_parent_class)->dispose (object);
}

static void
bw_exporter_class_init (BwExporterClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = bw_exporter_dispose;
}

static void
bw_exporter_init (BwExporter *self)
{
}

BwExporter *
bw_exporter_new (BwContext *context)
{
  BwExporter *self;

  g_return_val_if_fail (BW_IS_CONTEXT (context), NULL);

  self = g_object_new (BW_TYPE_EXPORTER, NULL);
  self->context = g_object_ref (context);
  return self;
}
