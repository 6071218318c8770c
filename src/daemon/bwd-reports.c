/* bwd-reports.c: GET /api/v1/reports/downtime — downtime reports (PDF, CSV,
 * JSON) built and drawn in worker threads, on read-only ledger connections
 * of their own, so that the main loop never waits for one
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bwd-reports"

#include "config.h"

#include <string.h>

#include "bw-error.h"
#include "bw-report.h"
#include "bw-time.h"
#include "bwd-service-private.h"

/* reports being built or drawn at once; more wait for a retry */
#define MAX_RUNNING 2

static guint n_running;

typedef struct
{
  BwdService        *service;      /* owned ref */
  SoupServerMessage *msg;          /* owned ref */
  GCancellable      *cancellable;  /* cancelled when the client goes away */
  gulong             finished_id;
  BwReportFormat     format;
  BwReport          *report;
  char              *filename;
} Request;

static void
request_free (Request *r)
{
  g_clear_signal_handler (&r->finished_id, r->msg);
  g_clear_object (&r->msg);
  g_clear_object (&r->service);
  g_clear_object (&r->cancellable);
  g_clear_pointer (&r->report, bw_report_unref);
  g_free (r->filename);
  g_free (r);
  n_running--;
}

static void
send_error (SoupServerMessage *msg,
            guint              status,
            const char        *code,
            const char        *message)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  gsize len;
  char *data;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  data = json_generator_to_data (gen, &len);
  soup_server_message_set_status (msg, status, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Cache-Control", "no-store");
  soup_server_message_set_response (msg, "application/json; charset=utf-8", SOUP_MEMORY_TAKE, data, len);
}

static void
send_gerror (SoupServerMessage *msg,
             const GError      *error)
{
  if (error->domain == BW_ERROR && (error->code == BW_ERROR_INVALID || error->code == BW_ERROR_CONFIG))
    send_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", error->message);
  else if (error->domain == BW_ERROR && (error->code == BW_ERROR_STORAGE || error->code == BW_ERROR_NOT_FOUND))
    send_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "storage", error->message);
  else
    send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal", error->message);
}

/* The first language of Accept-Language, as a locale name: "ru-RU" → "ru_RU" */
static char *
accept_language (SoupServerMessage *msg)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Accept-Language");
  g_autofree char *first = NULL;
  char *p;

  if (header == NULL)
    return NULL;
  first = g_strstrip (g_strndup (header, strcspn (header, ",;")));
  if (*first == '\0' || g_str_equal (first, "*"))
    return NULL;
  for (p = first; *p; p++)
    if (*p == '-')
      *p = '_';
    else if (!g_ascii_isalnum (*p) && *p != '_')
      return NULL;
  return g_steal_pointer (&first);
}

static char *
make_filename (BwReport       *report,
               BwReportFormat  format)
{
  const BwReportOptions *o = bw_report_get_options (report);
  gint64 from = bw_report_get_from (report);
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (from / BW_USEC_PER_SEC);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, bw_report_options_get_timezone (o));
  g_autofree char *stamp = g_date_time_format (local, "%Y-%m-%d-%H%M");
  const char *suffix = format == BW_REPORT_FORMAT_CSV_STOPS ? "-stops" :
                       format == BW_REPORT_FORMAT_CSV_TOTALS ? "-totals" : "";

  return g_strdup_printf ("downtime-%s-%s%s.%s", bw_report_type_to_string (bw_report_options_get_report_type (o)),
                          stamp, suffix, bw_report_format_get_extension (format));
}

static void
rendered_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Request *r = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = bw_report_render_finish (r->report, result, &error);
  SoupMessageHeaders *headers;

  if (g_cancellable_is_cancelled (r->cancellable))
    {
      request_free (r);
      return;
    }
  if (bytes == NULL)
    {
      g_warning ("Cannot draw a report: %s", error->message);
      send_gerror (r->msg, error);
    }
  else
    {
      headers = soup_server_message_get_response_headers (r->msg);
      soup_server_message_set_status (r->msg, SOUP_STATUS_OK, NULL);
      soup_message_headers_replace (headers, "Cache-Control", "no-store");
      if (r->format != BW_REPORT_FORMAT_JSON)
        {
          g_autofree char *disposition = g_strdup_printf ("attachment; filename=\"%s\"", r->filename);
          soup_message_headers_replace (headers, "Content-Disposition", disposition);
        }
      soup_server_message_set_response (r->msg, bw_report_format_get_content_type (r->format), SOUP_MEMORY_COPY,
                                        g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      g_debug ("report %s: %" G_GSIZE_FORMAT " bytes", r->filename, g_bytes_get_size (bytes));
    }
  soup_server_message_unpause (r->msg);
  request_free (r);
}

static void
built_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  Request *r = data;
  g_autoptr(GError) error = NULL;

  r->report = bw_report_new_from_ledger_finish (result, &error);
  if (g_cancellable_is_cancelled (r->cancellable))
    {
      request_free (r);
      return;
    }
  if (r->report == NULL)
    {
      g_warning ("Cannot build a report: %s", error->message);
      send_gerror (r->msg, error);
      soup_server_message_unpause (r->msg);
      request_free (r);
      return;
    }
  r->filename = make_filename (r->report, r->format);
  bw_report_render_async (r->report, r->format, r->cancellable, rendered_cb, r);
}

static void
message_finished_cb (SoupServerMessage *msg,
                     Request           *r)
{
  g_cancellable_cancel (r->cancellable);
}

static char *
ledger_location (BwdService *self)
{
  if (g_strcmp0 (self->config->storage_backend, "postgresql") == 0)
    return g_strconcat ("postgresql:", self->config->pg_conninfo ? self->config->pg_conninfo : "", NULL);
  return g_strdup (bw_db_get_name (bw_ledger_get_db (self->ledger)));
}

static void
downtime_cb (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           data)
{
  BwdService *self = data;
  g_autoptr(BwReportOptions) options = bw_report_options_new ();
  g_autoptr(BwShiftSchedule) schedule = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *language = NULL;
  g_autofree char *ledger = NULL;
  BwReportFormat format;
  const char *lang;
  Request *r;

  self->http_requests++;
  if (!g_str_equal (path, "/api/v1/reports/downtime"))
    {
      send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No such report");
      return;
    }
  if (!g_str_equal (soup_server_message_get_method (msg), "GET"))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "GET");
      send_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed", "Method not allowed");
      return;
    }

  /* the language: ?lang=, else the client's Accept-Language, else the service's locale */
  lang = query ? g_hash_table_lookup (query, "lang") : NULL;
  if (lang == NULL || *lang == '\0')
    {
      language = accept_language (msg);
      if (language)
        bw_report_options_set_language (options, language);
    }
  else
    language = g_strdup (lang);

  schedule = bw_report_options_apply_config (options, self->config, language, &error);
  if (schedule == NULL || !bw_report_options_apply_query (options, query, schedule, &format, &error))
    {
      send_gerror (msg, error);
      return;
    }
  if (n_running >= MAX_RUNNING)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "5");
      send_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "busy", "Other reports are being drawn; try again shortly");
      return;
    }
  ledger = ledger_location (self);

  n_running++;
  r = g_new0 (Request, 1);
  r->service = g_object_ref (self);
  r->msg = g_object_ref (msg);
  r->cancellable = g_cancellable_new ();
  r->format = format;
  r->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (message_finished_cb), r);
  soup_server_message_pause (msg);
  bw_report_new_from_ledger_async (ledger, options, r->cancellable, built_cb, r);
}

void
bwd_reports_register (BwdService *self)
{
  soup_server_add_handler (self->server, "/api/v1/reports", downtime_cb, self, NULL);
}
