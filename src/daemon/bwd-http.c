/* bwd-http.c: the HTTP API (see docs/api.md)
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bwd-http"

#include "config.h"

#include <math.h>
#include <string.h>

#include "bw-error.h"
#include "bw-md-sensitivity.h"
#include "bw-tags.h"
#include "bw-time.h"
#include "bwd-service-private.h"

#define MAX_BODY    (1024 * 1024)
#define MAX_POINTS  20000
#define MAX_PAGE    10000

/* ---- responses ---- */

static void
send_node (SoupServerMessage *msg,
           guint              status,
           JsonNode          *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  gsize len;
  char *data;

  json_generator_set_root (gen, node);
  data = json_generator_to_data (gen, &len);
  soup_server_message_set_status (msg, status, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Cache-Control", "no-store");
  soup_server_message_set_response (msg, "application/json; charset=utf-8", SOUP_MEMORY_TAKE, data, len);
}

static void
send_builder (SoupServerMessage *msg,
              guint              status,
              JsonBuilder       *b)
{
  g_autoptr(JsonNode) node = json_builder_get_root (b);
  send_node (msg, status, node);
}

static void
send_error (SoupServerMessage *msg,
            guint              status,
            const char        *code,
            const char        *message)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  json_builder_end_object (b);
  send_builder (msg, status, b);
}

static void
send_gerror (SoupServerMessage *msg,
             const GError      *error)
{
  guint status = SOUP_STATUS_INTERNAL_SERVER_ERROR;
  const char *code = "internal";

  if (error->domain == BW_ERROR)
    switch (error->code)
      {
      case BW_ERROR_NOT_FOUND:
        status = SOUP_STATUS_NOT_FOUND, code = "not_found";
        break;
      case BW_ERROR_INVALID:
      case BW_ERROR_CONFIG:
        status = SOUP_STATUS_BAD_REQUEST, code = "invalid";
        break;
      case BW_ERROR_CONFLICT:
        status = SOUP_STATUS_CONFLICT, code = "conflict";
        break;
      case BW_ERROR_STORAGE:
        status = SOUP_STATUS_SERVICE_UNAVAILABLE, code = "storage";
        break;
      default:
        break;
      }
  send_error (msg, status, code, error->message);
}

static gboolean
require_method (SoupServerMessage *msg,
                const char        *method)
{
  if (g_str_equal (soup_server_message_get_method (msg), method))
    return TRUE;
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", method);
  send_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed", "Method not allowed");
  return FALSE;
}

/* ---- request parsing ---- */

static const char *
query_get (GHashTable *query,
           const char *name)
{
  const char *v = query ? g_hash_table_lookup (query, name) : NULL;
  return v && *v ? v : NULL;
}

static gboolean
query_time (GHashTable  *query,
            const char  *name,
            gint64      *out,
            GError     **error)
{
  const char *v = query_get (query, name);

  if (v == NULL)
    return TRUE;
  if (!bw_time_parse (v, -1, out))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   "“%s” is not an RFC 3339 time (for example 2026-11-27T08:00:00Z)", name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
query_uint (GHashTable  *query,
            const char  *name,
            guint64      max,
            guint64     *out,
            GError     **error)
{
  const char *v = query_get (query, name);

  if (v == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (v, 10, 0, max, out, NULL))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "“%s” must be a whole number from 0 to %" G_GUINT64_FORMAT,
                   name, max);
      return FALSE;
    }
  return TRUE;
}

static JsonObject *
read_body (SoupServerMessage  *msg,
           GError            **error)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) bytes = NULL;
  JsonNode *root;

  if (body->length > MAX_BODY)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "Request body too large");
      return NULL;
    }
  bytes = soup_message_body_flatten (body);
  if (!json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes), NULL))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "The request body is not JSON");
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "The request body must be a JSON object");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static const char *
body_string (JsonObject *o,
             const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

/* path "/api/v1/stops/12/window" → segments after the prefix: {"12", "window"} */
static GStrv
path_tail (const char *path,
           const char *prefix)
{
  const char *rest = path + strlen (prefix);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) parts = g_strsplit (rest, "/", -1);

  for (guint i = 0; parts[i]; i++)
    if (*parts[i])
      g_strv_builder_add (b, parts[i]);
  return g_strv_builder_end (b);
}

static gboolean
parse_id (const char *s,
          gint64     *out)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (s, 10, 1, G_MAXINT64, &v, NULL))
    return FALSE;
  *out = (gint64) v;
  return TRUE;
}

static const char *
operator_name (SoupServerMessage *msg,
               JsonObject        *body)
{
  const char *op = body ? body_string (body, "operator") : NULL;

  if (op && *op)
    return op;
  /* the authenticated user, when the API has users */
  {
    const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");
    static char name[128];

    if (auth && g_str_has_prefix (auth, "Basic "))
      {
        gsize len;
        g_autofree guchar *dec = g_base64_decode (auth + 6, &len);
        g_autofree char *s = g_strndup ((char *) dec, len);
        char *colon = strchr (s, ':');
        if (colon)
          {
            *colon = '\0';
            g_strlcpy (name, s, sizeof name);
            return name;
          }
      }
  }
  return NULL;
}

/* ---- health ---- */

static void
health_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           data)
{
  BwdService *self = data;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *source = bwd_sources_describe (self);
  g_autofree char *ledger = bw_ledger_describe (self->ledger);
  g_autoptr(GDateTime) local = g_date_time_new_now_local ();
  const char *err = bw_monitor_get_last_error (self->monitor);

  self->http_requests++;
  if (!require_method (msg, "GET"))
    return;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, err ? "degraded" : "ok");
  if (err)
    {
      json_builder_set_member_name (b, "problem");
      json_builder_add_string_value (b, err);
    }
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, PACKAGE_VERSION);
  json_builder_set_member_name (b, "uptime_s");
  json_builder_add_double_value (b, (bw_time_now () - self->started_us) / 1e6);
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, source);
  json_builder_set_member_name (b, "source_finished");
  json_builder_add_boolean_value (b, self->eof);
  json_builder_set_member_name (b, "ledger");
  json_builder_add_string_value (b, ledger);
  json_builder_set_member_name (b, "schema_version");
  json_builder_add_int_value (b, bw_ledger_get_schema_version (self->ledger));
  json_builder_set_member_name (b, "last_seq");
  json_builder_add_int_value (b, bw_monitor_get_last_seq (self->monitor));
  json_builder_set_member_name (b, "pending_writes");
  json_builder_add_int_value (b, bw_monitor_get_pending (self->monitor));
  json_builder_set_member_name (b, "conveyors");
  json_builder_add_int_value (b, bw_monitor_get_n_conveyors (self->monitor));
  json_builder_set_member_name (b, "clients");
  json_builder_add_int_value (b, bwd_stream_get_n_clients (self));
  json_builder_set_member_name (b, "utc_offset_s");
  json_builder_add_int_value (b, g_date_time_get_utc_offset (local) / G_USEC_PER_SEC);
  json_builder_set_member_name (b, "timezone");
  json_builder_add_string_value (b, g_date_time_get_timezone_abbreviation (local));
  json_builder_end_object (b);
  send_builder (msg, err ? SOUP_STATUS_SERVICE_UNAVAILABLE : SOUP_STATUS_OK, b);
}

/* ---- conveyors ---- */

static gint64
local_midnight (gint64 now_us)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_local (now_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) midnight = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                                                         g_date_time_get_day_of_month (now), 0, 0, 0);
  return g_date_time_to_unix (midnight) * G_USEC_PER_SEC;
}

static void
build_conveyor (BwdService  *self,
                BwConveyor  *c,
                JsonBuilder *b,
                gint64       now,
                GHashTable  *downtime,
                GHashTable  *counts)
{
  char buf[BW_TIME_FORMAT_LEN];
  BwStop *open = bw_conveyor_get_open_stop (c);
  gint64 last = bw_conveyor_get_last_time (c);
  gint64 *dt = g_hash_table_lookup (downtime, bw_conveyor_get_id (c));

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, bw_conveyor_get_id (c));
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, bw_conveyor_get_name (c));
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, bw_conveyor_state_name (bw_conveyor_get_state (c, now)));
  json_builder_set_member_name (b, "last_sample");
  if (last)
    json_builder_add_string_value (b, bw_time_format (last, buf));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "values");
  json_builder_begin_object (b);
  for (guint k = 0; k < bw_conveyor_get_n_tags (c); k++)
    {
      gint64 t;
      double v;
      if (!bw_conveyor_get_last (c, k, &t, &v))
        continue;
      json_builder_set_member_name (b, bw_conveyor_get_tag_name (c, k));
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "value");
      json_builder_add_double_value (b, v);
      json_builder_set_member_name (b, "time");
      json_builder_add_string_value (b, bw_time_format (t, buf));
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "tags");
  json_builder_begin_array (b);
  for (guint k = 0; k < bw_conveyor_get_n_tags (c); k++)
    json_builder_add_string_value (b, bw_conveyor_get_tag_name (c, k));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "open_stop");
  if (open && open->id)
    bw_stop_build_json (open, b, now);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "downtime_today_s");
  json_builder_add_double_value (b, dt ? *dt / 1e6 : 0);
  json_builder_set_member_name (b, "stops_today");
  json_builder_add_int_value (b, GPOINTER_TO_UINT (g_hash_table_lookup (counts, bw_conveyor_get_id (c))));
  json_builder_end_object (b);
}

static void
conveyors_cb (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           data)
{
  BwdService *self = data;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_auto(GStrv) tail = path_tail (path, "/api/v1/conveyors");
  gint64 now = bw_time_now ();
  BwStopQuery q = { 0 };
  g_autoptr(GPtrArray) stops = NULL;
  g_autoptr(GHashTable) downtime = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  gint64 midnight = local_midnight (now);

  self->http_requests++;
  if (!require_method (msg, "GET"))
    return;

  /* today's downtime, only the part of each stop after local midnight */
  q.from_us = midnight;
  q.to_us = now + 1;
  stops = bw_ledger_list_stops (self->ledger, &q, NULL, &error);
  if (stops == NULL)
    {
      send_gerror (msg, error);
      return;
    }
  for (guint i = 0; i < stops->len; i++)
    {
      BwStop *s = stops->pdata[i];
      gint64 *acc = g_hash_table_lookup (downtime, s->conveyor);
      gint64 end = s->end_us ? s->end_us : now;

      if (acc == NULL)
        {
          acc = g_new0 (gint64, 1);
          g_hash_table_insert (downtime, s->conveyor, acc);
        }
      *acc += MAX (end - MAX (s->start_us, midnight), 0);
      g_hash_table_insert (counts, s->conveyor,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, s->conveyor)) + 1));
    }

  if (tail[0] != NULL)
    {
      BwConveyor *c = bw_monitor_find_conveyor (self->monitor, tail[0]);
      if (c == NULL || tail[1] != NULL)
        {
          send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No such conveyor");
          return;
        }
      build_conveyor (self, c, b, now, downtime, counts);
      send_builder (msg, SOUP_STATUS_OK, b);
      return;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "conveyors");
  json_builder_begin_array (b);
  for (guint i = 0; i < bw_monitor_get_n_conveyors (self->monitor); i++)
    build_conveyor (self, bw_monitor_get_conveyor (self->monitor, i), b, now, downtime, counts);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "last_seq");
  json_builder_add_int_value (b, bw_monitor_get_last_seq (self->monitor));
  json_builder_end_object (b);
  send_builder (msg, SOUP_STATUS_OK, b);
}

/* ---- stops ---- */

static void
list_stops (BwdService        *self,
            SoupServerMessage *msg,
            GHashTable        *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GPtrArray) stops = NULL;
  g_auto(GStrv) conveyors = NULL;
  BwStopQuery q = { 0 };
  guint64 limit = 100, offset = 0, total = 0;
  const char *order = query_get (query, "order");
  const char *cause = query_get (query, "cause");
  gint64 now = bw_time_now ();

  if (!query_time (query, "from", &q.from_us, &error) ||
      !query_time (query, "to", &q.to_us, &error) ||
      !query_uint (query, "limit", MAX_PAGE, &limit, &error) ||
      !query_uint (query, "offset", G_MAXUINT32, &offset, &error))
    {
      send_gerror (msg, error);
      return;
    }
  if (order && !g_str_equal (order, "asc") && !g_str_equal (order, "desc"))
    {
      send_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", "“order” must be asc or desc");
      return;
    }
  if (cause && !g_str_equal (cause, "unclassified") && !bw_monitor_is_known_cause (self->monitor, cause))
    {
      send_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", "Unknown cause");
      return;
    }
  if (query_get (query, "conveyor"))
    conveyors = g_strsplit (query_get (query, "conveyor"), ",", -1);
  q.conveyors = (const char * const *) conveyors;
  q.cause = cause;
  q.open_only = g_strcmp0 (query_get (query, "open"), "1") == 0 || g_strcmp0 (query_get (query, "open"), "true") == 0;
  q.ascending = g_strcmp0 (order, "asc") == 0;
  q.limit = (guint) (limit ? limit : 100);
  q.offset = (guint) offset;
  stops = bw_ledger_list_stops (self->ledger, &q, &total, &error);
  if (stops == NULL)
    {
      send_gerror (msg, error);
      return;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "total");
  json_builder_add_int_value (b, (gint64) total);
  json_builder_set_member_name (b, "limit");
  json_builder_add_int_value (b, q.limit);
  json_builder_set_member_name (b, "offset");
  json_builder_add_int_value (b, q.offset);
  json_builder_set_member_name (b, "stops");
  json_builder_begin_array (b);
  for (guint i = 0; i < stops->len; i++)
    bw_stop_build_json (stops->pdata[i], b, now);
  json_builder_end_array (b);
  json_builder_end_object (b);
  send_builder (msg, SOUP_STATUS_OK, b);
}

static void
build_classifications (BwdService  *self,
                       gint64       id,
                       JsonBuilder *b)
{
  g_autoptr(GPtrArray) hist = bw_ledger_get_classifications (self->ledger, id, NULL);
  char buf[BW_TIME_FORMAT_LEN];

  json_builder_set_member_name (b, "classifications");
  json_builder_begin_array (b);
  for (guint i = 0; hist && i < hist->len; i++)
    {
      BwClassification *c = hist->pdata[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "time");
      json_builder_add_string_value (b, bw_time_format (c->time_us, buf));
      json_builder_set_member_name (b, "operator");
      json_builder_add_string_value (b, c->operator);
      json_builder_set_member_name (b, "old_cause");
      if (c->old_cause) json_builder_add_string_value (b, c->old_cause); else json_builder_add_null_value (b);
      json_builder_set_member_name (b, "new_cause");
      json_builder_add_string_value (b, c->new_cause);
      json_builder_set_member_name (b, "old_comment");
      if (c->old_comment) json_builder_add_string_value (b, c->old_comment); else json_builder_add_null_value (b);
      json_builder_set_member_name (b, "new_comment");
      if (c->new_comment) json_builder_add_string_value (b, c->new_comment); else json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static BwStop *
lookup_stop (BwdService  *self,
             gint64       id,
             GError     **error)
{
  /* an open stop lives in the monitor; the ledger has the rest */
  for (guint i = 0; i < bw_monitor_get_n_conveyors (self->monitor); i++)
    {
      BwStop *open = bw_conveyor_get_open_stop (bw_monitor_get_conveyor (self->monitor, i));
      if (open && open->id == id)
        return g_object_ref (open);
    }
  return bw_ledger_get_stop (self->ledger, id, error);
}

static void
send_stop (BwdService        *self,
           SoupServerMessage *msg,
           BwStop            *stop,
           gboolean           with_window,
           guint              status)
{
  g_autoptr(JsonNode) node = bw_stop_to_json (stop, bw_time_now ());
  g_autoptr(JsonBuilder) b = json_builder_new ();
  JsonObject *o = json_node_get_object (node);
  g_autoptr(JsonNode) hist = NULL;

  json_builder_begin_object (b);
  build_classifications (self, stop->id, b);
  json_builder_end_object (b);
  hist = json_builder_get_root (b);
  json_object_set_member (o, "classifications",
                          json_node_ref (json_object_get_member (json_node_get_object (hist), "classifications")));
  if (with_window)
    {
      g_autoptr(BwWindow) w = bw_ledger_load_window (self->ledger, stop->id, NULL);
      if (w)
        json_object_set_member (o, "window", bw_window_to_json (w));
      else
        json_object_set_null_member (o, "window");
    }
  send_node (msg, status, node);
}

static void
classify (BwdService        *self,
          SoupServerMessage *msg,
          gint64             id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = read_body (msg, &error);
  g_autoptr(BwStop) stop = NULL;
  const char *cause, *comment, *who;
  gboolean stored;

  if (body == NULL)
    {
      send_gerror (msg, error);
      return;
    }
  cause = body_string (body, "cause");
  comment = body_string (body, "comment");
  who = operator_name (msg, body);
  if (cause == NULL)
    {
      send_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", "“cause” is required");
      return;
    }
  if (comment && g_utf8_strlen (comment, -1) > 4000)
    {
      send_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", "The comment is longer than 4000 characters");
      return;
    }
  if ((comment && !g_utf8_validate (comment, -1, NULL)) || (who && !g_utf8_validate (who, -1, NULL)))
    {
      send_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", "Text must be UTF-8");
      return;
    }
  if (!bw_monitor_classify_stop (self->monitor, id, cause, comment, who, &stop, &error))
    {
      send_gerror (msg, error);
      return;
    }
  stored = bw_monitor_flush (self->monitor, NULL);
  send_stop (self, msg, stop, FALSE, stored ? SOUP_STATUS_OK : SOUP_STATUS_ACCEPTED);
}

static void
stops_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           data)
{
  BwdService *self = data;
  g_auto(GStrv) tail = path_tail (path, "/api/v1/stops");
  g_autoptr(GError) error = NULL;
  g_autoptr(BwStop) stop = NULL;
  gint64 id;

  self->http_requests++;
  if (tail[0] == NULL)
    {
      if (require_method (msg, "GET"))
        list_stops (self, msg, query);
      return;
    }
  if (!parse_id (tail[0], &id) || (tail[1] && tail[2]))
    {
      send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No such stop");
      return;
    }
  if (tail[1] && g_str_equal (tail[1], "classify"))
    {
      if (require_method (msg, "POST"))
        classify (self, msg, id);
      return;
    }
  if (tail[1] && !g_str_equal (tail[1], "window"))
    {
      send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No such resource");
      return;
    }
  if (!require_method (msg, "GET"))
    return;
  stop = lookup_stop (self, id, &error);
  if (stop == NULL)
    {
      send_gerror (msg, error);
      return;
    }
  if (tail[1])
    {
      g_autoptr(BwWindow) w = bw_ledger_load_window (self->ledger, id, &error);
      g_autoptr(JsonNode) node = NULL;

      if (w == NULL)
        {
          if (error)
            send_gerror (msg, error);
          else
            send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "This stop has no signal window");
          return;
        }
      node = bw_window_to_json (w);
      send_node (msg, SOUP_STATUS_OK, node);
      return;
    }
  send_stop (self, msg, stop, g_strcmp0 (query_get (query, "window"), "1") == 0, SOUP_STATUS_OK);
}

/* ---- alarms ---- */

static void
alarms_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           data)
{
  BwdService *self = data;
  g_auto(GStrv) tail = path_tail (path, "/api/v1/alarms");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();

  self->http_requests++;
  if (tail[0] == NULL)
    {
      g_autoptr(GPtrArray) alarms = NULL;
      const char *state = query_get (query, "state");
      gint64 since = 0;
      guint64 limit = 200;

      if (!require_method (msg, "GET"))
        return;
      if (!query_time (query, "since", &since, &error) || !query_uint (query, "limit", MAX_PAGE, &limit, &error))
        {
          send_gerror (msg, error);
          return;
        }
      if (state && !g_str_equal (state, "active") && !g_str_equal (state, "all"))
        {
          send_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", "“state” must be active or all");
          return;
        }
      alarms = bw_ledger_list_alarms (self->ledger, g_strcmp0 (state, "all") != 0, since, (guint) limit, &error);
      if (alarms == NULL)
        {
          send_gerror (msg, error);
          return;
        }
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "alarms");
      json_builder_begin_array (b);
      for (guint i = 0; i < alarms->len; i++)
        bw_alarm_build_json (alarms->pdata[i], b);
      json_builder_end_array (b);
      json_builder_end_object (b);
      send_builder (msg, SOUP_STATUS_OK, b);
      return;
    }

  {
    gint64 id;
    g_autoptr(JsonObject) body = NULL;
    g_autoptr(BwAlarm) alarm = NULL;
    const char *who;

    if (!parse_id (tail[0], &id) || tail[1] == NULL || !g_str_equal (tail[1], "acknowledge") || tail[2])
      {
        send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No such resource");
        return;
      }
    if (!require_method (msg, "POST"))
      return;
    body = read_body (msg, &error);
    if (body == NULL)
      {
        send_gerror (msg, error);
        return;
      }
    who = operator_name (msg, body);
    if (who == NULL)
      {
        send_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", "“operator” is required");
        return;
      }
    if (!bw_monitor_acknowledge_alarm (self->monitor, id, who, &alarm, &error))
      {
        send_gerror (msg, error);
        return;
      }
    {
      gboolean stored = bw_monitor_flush (self->monitor, NULL);
      bw_alarm_build_json (alarm, b);
      send_builder (msg, stored ? SOUP_STATUS_OK : SOUP_STATUS_ACCEPTED, b);
    }
  }
}

/* ---- signals ---- */

typedef struct
{
  double mn, mx, sum;
  guint  n;
} Bucket;

static void
bucket_add (Bucket *bk,
            double  mn,
            double  mean,
            double  mx)
{
  if (bk->n == 0)
    bk->mn = mn, bk->mx = mx;
  else
    bk->mn = MIN (bk->mn, mn), bk->mx = MAX (bk->mx, mx);
  bk->sum += mean;
  bk->n++;
}

static void
add_series (BwdService  *self,
            BwConveyor  *c,
            guint        tag,
            gint64       from,
            gint64       to,
            guint        points,
            JsonBuilder *b)
{
  const BwRing *ring = bw_conveyor_get_ring (c, tag);
  g_autofree Bucket *buckets = g_new0 (Bucket, points);
  double width = (double) (to - from) / points;
  gint64 ring_from = bw_ring_len (ring) ? bw_ring_time (ring, 0) : G_MAXINT64;

  /* older than the ring: the per-second history */
  if (from < ring_from)
    {
      g_autoptr(GArray) hist = bw_ledger_get_history (self->ledger, bw_conveyor_get_id (c),
                                                      bw_conveyor_get_tag_name (c, tag), from,
                                                      MIN (to, ring_from), NULL);
      for (guint i = 0; hist && i < hist->len; i++)
        {
          BwHistoryPoint *p = &g_array_index (hist, BwHistoryPoint, i);
          guint k = (guint) ((p->time_us - from) / width);
          if (k < points)
            bucket_add (&buckets[k], p->min, p->mean, p->max);
        }
    }
  for (guint i = bw_ring_lower_bound (ring, MAX (from, ring_from)); i < bw_ring_len (ring); i++)
    {
      gint64 t = bw_ring_time (ring, i);
      double v = bw_ring_value (ring, i);
      guint k;

      if (t >= to)
        break;
      k = (guint) ((t - from) / width);
      if (k < points)
        bucket_add (&buckets[k], v, v, v);
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "tag");
  json_builder_add_string_value (b, bw_conveyor_get_tag_name (c, tag));
  json_builder_set_member_name (b, "t");
  json_builder_begin_array (b);
  for (guint k = 0; k < points; k++)
    json_builder_add_int_value (b, (from + (gint64) (k * width)) / 1000);
  json_builder_end_array (b);
  for (int which = 0; which < 3; which++)
    {
      json_builder_set_member_name (b, which == 0 ? "min" : which == 1 ? "mean" : "max");
      json_builder_begin_array (b);
      for (guint k = 0; k < points; k++)
        {
          Bucket *bk = &buckets[k];
          if (bk->n == 0)
            json_builder_add_null_value (b);
          else
            json_builder_add_double_value (b, which == 0 ? bk->mn : which == 1 ? bk->sum / bk->n : bk->mx);
        }
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
}

static void
signals_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           data)
{
  BwdService *self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const char *conv = query_get (query, "conveyor");
  const char *tags_param = query_get (query, "tags");
  g_auto(GStrv) tags = NULL;
  BwConveyor *c;
  gint64 now = bw_time_now ();
  gint64 from = 0, to = 0;
  guint64 points = 500;
  char buf[BW_TIME_FORMAT_LEN];

  self->http_requests++;
  if (!require_method (msg, "GET"))
    return;
  if (conv == NULL || (c = bw_monitor_find_conveyor (self->monitor, conv)) == NULL)
    {
      send_error (msg, conv ? SOUP_STATUS_NOT_FOUND : SOUP_STATUS_BAD_REQUEST, conv ? "not_found" : "invalid",
                  conv ? "No such conveyor" : "“conveyor” is required");
      return;
    }
  if (!query_time (query, "from", &from, &error) || !query_time (query, "to", &to, &error) ||
      !query_uint (query, "points", MAX_POINTS, &points, &error))
    {
      send_gerror (msg, error);
      return;
    }
  if (to == 0)
    to = MAX (now, bw_conveyor_get_last_time (c) + 1);
  if (from == 0)
    from = to - 10 * BW_USEC_PER_MIN;
  if (from >= to || points == 0)
    {
      send_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", "Need from < to and points > 0");
      return;
    }
  if (tags_param == NULL)
    tags_param = query_get (query, "tag");
  if (tags_param)
    tags = g_strsplit (tags_param, ",", -1);
  else
    {
      g_autoptr(GStrvBuilder) all = g_strv_builder_new ();
      for (guint k = 0; k < bw_conveyor_get_n_tags (c); k++)
        g_strv_builder_add (all, bw_conveyor_get_tag_name (c, k));
      tags = g_strv_builder_end (all);
    }
  for (guint i = 0; tags[i]; i++)
    if (bw_conveyor_find_tag (c, tags[i]) < 0)
      {
        g_autofree char *m = g_strdup_printf ("No tag “%s” on %s", tags[i], conv);
        send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", m);
        return;
      }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "conveyor");
  json_builder_add_string_value (b, conv);
  json_builder_set_member_name (b, "from");
  json_builder_add_string_value (b, bw_time_format (from, buf));
  json_builder_set_member_name (b, "to");
  json_builder_add_string_value (b, bw_time_format (to, buf));
  json_builder_set_member_name (b, "points");
  json_builder_add_int_value (b, (gint64) points);
  json_builder_set_member_name (b, "series");
  json_builder_begin_array (b);
  for (guint i = 0; tags[i]; i++)
    add_series (self, c, (guint) bw_conveyor_find_tag (c, tags[i]), from, to, (guint) points, b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  send_builder (msg, SOUP_STATUS_OK, b);
}

/* ---- events ---- */

static void
events_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           data)
{
  BwdService *self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  guint64 after = 0, limit = 1000;
  GString *out;

  self->http_requests++;
  if (!require_method (msg, "GET"))
    return;
  if (!query_uint (query, "after", G_MAXINT64, &after, &error) ||
      !query_uint (query, "limit", MAX_PAGE, &limit, &error))
    {
      send_gerror (msg, error);
      return;
    }
  events = bw_ledger_events_after (self->ledger, (gint64) after, (guint) (limit ? limit : 1000), &error);
  if (events == NULL)
    {
      send_gerror (msg, error);
      return;
    }
  out = g_string_new ("{\"events\":[");
  for (guint i = 0; i < events->len; i++)
    {
      g_autofree char *s = bw_event_to_string (events->pdata[i]);
      if (i)
        g_string_append_c (out, ',');
      g_string_append (out, s);
    }
  g_string_append_printf (out, "],\"last_seq\":%" G_GINT64_FORMAT "}", bw_monitor_get_last_seq (self->monitor));
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json; charset=utf-8", SOUP_MEMORY_TAKE, out->str, out->len);
  g_string_free (out, FALSE);
}

/* ---- causes ---- */

static void
causes_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           data)
{
  BwdService *self = data;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const char *ru[] = { "Ложное срабатывание металлосигнализатора", "Обнаружен посторонний предмет",
                       "Авария (механическая / электрическая / лента)", "Технологическая остановка",
                       "Плановая остановка", "Прочее" };
  const char *en[] = { "Metal detector false trip", "Foreign object found", "Equipment failure",
                       "Process stop", "Planned stop", "Other" };

  self->http_requests++;
  if (!require_method (msg, "GET"))
    return;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "causes");
  json_builder_begin_array (b);
  if (self->config->causes->len == 0)
    {
      const char * const *codes = bw_cause_default_codes ();
      for (guint i = 0; codes[i]; i++)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "code");
          json_builder_add_string_value (b, codes[i]);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, en[i]);
          json_builder_set_member_name (b, "name_ru");
          json_builder_add_string_value (b, ru[i]);
          json_builder_set_member_name (b, "planned");
          json_builder_add_boolean_value (b, bw_cause_is_planned (codes[i]));
          json_builder_end_object (b);
        }
    }
  for (guint i = 0; i < self->config->causes->len; i++)
    {
      BwCauseConfig *c = self->config->causes->pdata[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, c->code);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, c->name);
      json_builder_set_member_name (b, "name_ru");
      json_builder_add_string_value (b, c->name_ru ? c->name_ru : c->name);
      json_builder_set_member_name (b, "planned");
      json_builder_add_boolean_value (b, c->planned);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  send_builder (msg, SOUP_STATUS_OK, b);
}

/* ---- metal-detector sensitivity ---- */

static void
md_sensitivity_cb (SoupServer        *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           data)
{
  BwdService *self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) recs = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  BwMdSensitivityParams params;
  const char *target = query_get (query, "target");
  gint64 from = 0, to = 0;

  self->http_requests++;
  if (!require_method (msg, "GET"))
    return;
  bw_md_sensitivity_params_init (&params);
  if (!query_time (query, "from", &from, &error) || !query_time (query, "to", &to, &error))
    {
      send_gerror (msg, error);
      return;
    }
  if (target)
    {
      char *end;
      double v = g_ascii_strtod (target, &end);
      if (*end || !(v > 0.5 && v < 1))
        {
          send_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", "“target” is the share of objects to catch, 0.5 to 1");
          return;
        }
      params.target_catch = v;
    }
  recs = bw_md_recommend_from_ledger (self->ledger, from, to, &params, &error);
  if (recs == NULL)
    {
      send_gerror (msg, error);
      return;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "conveyors");
  json_builder_begin_array (b);
  for (guint i = 0; i < recs->len; i++)
    json_builder_add_value (b, bw_md_recommendation_to_json (recs->pdata[i]));
  json_builder_end_array (b);
  json_builder_end_object (b);
  send_builder (msg, SOUP_STATUS_OK, b);
}

/* ---- metrics and the rest ---- */

static void
metrics_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           data)
{
  BwdService *self = data;
  char *text;

  self->http_requests++;
  if (!require_method (msg, "GET"))
    return;
  text = bwd_metrics_render (self);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain; version=0.0.4; charset=utf-8", SOUP_MEMORY_TAKE,
                                    text, strlen (text));
}

static void
not_found_cb (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           data)
{
  send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No such resource; the API is under /api/v1");
}

void
bwd_http_register (BwdService *self)
{
  soup_server_add_handler (self->server, NULL, not_found_cb, self, NULL);
  soup_server_add_handler (self->server, "/api/v1/health", health_cb, self, NULL);
  soup_server_add_handler (self->server, "/api/v1/conveyors", conveyors_cb, self, NULL);
  soup_server_add_handler (self->server, "/api/v1/stops", stops_cb, self, NULL);
  soup_server_add_handler (self->server, "/api/v1/alarms", alarms_cb, self, NULL);
  soup_server_add_handler (self->server, "/api/v1/signals", signals_cb, self, NULL);
  soup_server_add_handler (self->server, "/api/v1/events", events_cb, self, NULL);
  soup_server_add_handler (self->server, "/api/v1/causes", causes_cb, self, NULL);
  soup_server_add_handler (self->server, "/api/v1/md-sensitivity", md_sensitivity_cb, self, NULL);
  soup_server_add_handler (self->server, "/metrics", metrics_cb, self, NULL);
  bwd_reports_register (self);
}
