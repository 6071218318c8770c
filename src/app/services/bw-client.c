/* bw-client.c: the app's connection to beltwatchd
 *
 * One connection attempt is: GET /api/v1/health, GET /api/v1/conveyors (the
 * snapshot the models start from), then the WebSocket event stream from the
 * last seq seen. A lost connection is retried with exponential backoff; the
 * stream resumes after the last seq, so a stop that happened meanwhile still
 * arrives (and still alarms). A stream that goes quiet — no message and no
 * pong for a while — is treated as lost: a cable pulled out does not close a
 * TCP connection by itself.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-client"

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "bw-json.h"
#include "bw-client.h"
#include "bw-time.h"

#define BACKOFF_FIRST_MS   500
#define BACKOFF_MAX_MS     10000
#define KEEPALIVE_S        5
#define WATCHDOG_S         20
#define HTTP_TIMEOUT_S     15

struct _BwClient
{
  GObject                  parent_instance;

  SoupSession             *session;        /* owned */
  char                    *base_url;       /* http(s)://host:port, no trailing slash */
  char                    *auth;           /* "Basic …" or NULL */

  BwConnectionState        state;
  GCancellable            *attempt;        /* owned: the attempt under way */
  SoupWebsocketConnection *ws;             /* owned while connected */
  guint                    retry_id;
  guint                    watchdog_id;
  guint                    attempts;       /* failed attempts in a row */
  guint                    retry_ms;
  gint64                   retry_due;      /* monotonic */
  gint64                   last_heard;     /* monotonic */
  gint64                   last_watch;     /* monotonic: the watchdog's last look */

  gint64                   last_seq;       /* -1: nothing seen yet */
  gint64                   resumed_after;  /* after= of the last stream opened */
  guint                    n_connects;
  char                    *last_error;
  JsonObject              *health;         /* owned, last answer */
};

enum
{
  PROP_0,
  PROP_BASE_URL,
  PROP_STATE,
  PROP_LAST_SEQ,
  PROP_LAST_ERROR,
  PROP_RETRY_SECONDS,
  N_PROPS
};

enum
{
  SIGNAL_EVENT,
  SIGNAL_SNAPSHOT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (BwClient, bw_client, G_TYPE_OBJECT)
G_DEFINE_QUARK (bw-client-error-quark, bw_client_error)

GType
bw_connection_state_get_type (void)
{
  static gsize type_id;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { BW_CONNECTION_STOPPED, "BW_CONNECTION_STOPPED", "stopped" },
        { BW_CONNECTION_CONNECTING, "BW_CONNECTION_CONNECTING", "connecting" },
        { BW_CONNECTION_CONNECTED, "BW_CONNECTION_CONNECTED", "connected" },
        { BW_CONNECTION_WAITING, "BW_CONNECTION_WAITING", "waiting" },
        { 0, NULL, NULL }
      };
      g_once_init_leave (&type_id, g_enum_register_static ("BwConnectionState", values));
    }
  return type_id;
}

static void connect_attempt (BwClient *self);

/* ---- state ---- */

static void
set_state (BwClient          *self,
           BwConnectionState  state)
{
  if (self->state == state)
    return;
  g_debug ("connection: %d → %d", self->state, state);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_last_error (BwClient   *self,
                const char *message)
{
  if (g_strcmp0 (self->last_error, message) == 0)
    return;
  g_free (self->last_error);
  self->last_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

static void
close_stream (BwClient *self)
{
  g_clear_handle_id (&self->watchdog_id, g_source_remove);
  if (self->ws)
    {
      g_signal_handlers_disconnect_by_data (self->ws, self);
      if (soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&self->ws);
    }
}

/**
 * bw_client_backoff_ms:
 * @attempt: failed attempts in a row, from 1
 * @jitter: -1 … 1, spreads the clients of a restarted server
 *
 * Returns: how long to wait before the next attempt: 0.5 s, doubling, at
 *   most 10 s, ±20 %
 */
guint
bw_client_backoff_ms (guint  attempt,
                      double jitter)
{
  double ms = BACKOFF_FIRST_MS;

  for (guint i = 1; i < attempt && ms < BACKOFF_MAX_MS; i++)
    ms *= 2;
  ms = MIN (ms, BACKOFF_MAX_MS);
  return (guint) (ms * (1.0 + 0.2 * CLAMP (jitter, -1.0, 1.0)));
}

static gboolean
retry_cb (gpointer data)
{
  BwClient *self = data;

  self->retry_id = 0;
  connect_attempt (self);
  return G_SOURCE_REMOVE;
}

static void
connection_failed (BwClient   *self,
                   const char *message)
{
  close_stream (self);
  g_clear_object (&self->attempt);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  if (message)
    {
      g_message ("connection to %s: %s", self->base_url, message);
      set_last_error (self, message);
    }
  self->attempts++;
  self->retry_ms = bw_client_backoff_ms (self->attempts, g_random_double_range (-1.0, 1.0));
  self->retry_due = g_get_monotonic_time () + self->retry_ms * G_GINT64_CONSTANT (1000);
  self->retry_id = g_timeout_add (self->retry_ms, retry_cb, self);
  set_state (self, BW_CONNECTION_WAITING);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_SECONDS]);
}

/* ---- HTTP ---- */

static char *
make_url (BwClient   *self,
          const char *path)
{
  return g_strconcat (self->base_url, path, NULL);
}

static SoupMessage *
new_message (BwClient   *self,
             const char *method,
             const char *url)
{
  SoupMessage *msg = soup_message_new (method, url);

  if (msg == NULL)
    return NULL;
  if (self->auth)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", self->auth);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept", "application/json");
  return msg;
}

static void
http_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = NULL;
  guint status;
  gsize len = 0;
  const char *data;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  status = soup_message_get_status (msg);
  data = g_bytes_get_data (bytes, &len);
  parser = json_parser_new ();
  if (len == 0 || !json_parser_load_from_data (parser, data, len, NULL))
    {
      if (status == SOUP_STATUS_UNAUTHORIZED)
        g_task_return_new_error (task, BW_CLIENT_ERROR, BW_CLIENT_ERROR_UNAUTHORIZED,
                                 "The server refused the user name or password");
      else if (SOUP_STATUS_IS_SUCCESSFUL (status))
        g_task_return_new_error (task, BW_CLIENT_ERROR, BW_CLIENT_ERROR_BAD_ANSWER,
                                 "The server's answer is not JSON");
      else
        g_task_return_new_error (task, BW_CLIENT_ERROR, BW_CLIENT_ERROR_HTTP,
                                 "HTTP %u %s", status, soup_message_get_reason_phrase (msg));
      return;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      JsonNode *root = json_parser_get_root (parser);
      const char *message = NULL;

      if (JSON_NODE_HOLDS_OBJECT (root))
        {
          JsonObject *err = bw_json_object_member (json_node_get_object (root), "error");
          if (err && json_object_has_member (err, "message"))
            message = json_object_get_string_member (err, "message");
        }
      g_task_return_new_error (task, BW_CLIENT_ERROR,
                               status == SOUP_STATUS_UNAUTHORIZED ? BW_CLIENT_ERROR_UNAUTHORIZED
                                                                  : BW_CLIENT_ERROR_HTTP,
                               "%s", message ? message : soup_message_get_reason_phrase (msg));
      return;
    }
  g_task_return_pointer (task, json_node_ref (json_parser_get_root (parser)),
                         (GDestroyNotify) json_node_unref);
}

static void
send_async (BwClient            *self,
            const char          *method,
            const char          *path,
            JsonNode            *body,
            gpointer             source_tag,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *url = NULL;
  SoupMessage *msg;

  g_task_set_source_tag (task, source_tag);
  if (self->base_url == NULL)
    {
      g_task_return_new_error (task, BW_CLIENT_ERROR, BW_CLIENT_ERROR_BAD_URL, "No server is set");
      return;
    }
  url = make_url (self, path);
  msg = new_message (self, method, url);
  if (msg == NULL)
    {
      g_task_return_new_error (task, BW_CLIENT_ERROR, BW_CLIENT_ERROR_BAD_URL, "Bad URL %s", url);
      return;
    }
  if (body)
    {
      char *text = json_to_string (body, FALSE);
      g_autoptr(GBytes) bytes = g_bytes_new_take (text, strlen (text));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  g_task_set_task_data (task, msg, g_object_unref);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    http_read_cb, g_object_ref (task));
}

void
bw_client_get_async (BwClient            *self,
                     const char          *path,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_return_if_fail (BW_IS_CLIENT (self));
  g_return_if_fail (path != NULL && path[0] == '/');

  send_async (self, SOUP_METHOD_GET, path, NULL, bw_client_get_async, cancellable, callback, user_data);
}

/**
 * bw_client_get_finish:
 *
 * Returns: (transfer full): the answer's JSON
 */
JsonNode *
bw_client_get_finish (BwClient      *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
bw_client_post_async (BwClient            *self,
                      const char          *path,
                      JsonNode            *body,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_return_if_fail (BW_IS_CLIENT (self));
  g_return_if_fail (path != NULL && path[0] == '/');

  send_async (self, SOUP_METHOD_POST, path, body, bw_client_post_async, cancellable, callback, user_data);
}

JsonNode *
bw_client_post_finish (BwClient      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- the event stream ---- */

static void
ws_message_cb (SoupWebsocketConnection *ws,
               int                      type,
               GBytes                  *message,
               gpointer                 user_data)
{
  BwClient *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BwEvent) event = NULL;
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  self->last_heard = g_get_monotonic_time ();
  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    return;
  event = bw_event_new_from_string (data, len, &error);
  if (event == NULL)
    {
      g_warning ("Ignoring a bad event from the server: %s", error->message);
      return;
    }
  if (bw_event_is_persistent (event))
    {
      /* the resume protocol sends nothing twice, but a resume request of our
       * own racing the server's backlog could: skip what we have seen */
      if (event->seq <= self->last_seq)
        return;
      self->last_seq = event->seq;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SEQ]);
    }
  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_EVENT], 0, event);
  g_object_unref (self);
}

static void
ws_pong_cb (SoupWebsocketConnection *ws,
            GBytes                  *message,
            gpointer                 user_data)
{
  BwClient *self = user_data;

  self->last_heard = g_get_monotonic_time ();
}

static void
ws_closed_cb (SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  BwClient *self = user_data;
  g_autofree char *why = NULL;
  gushort code = soup_websocket_connection_get_close_code (ws);

  why = code ? g_strdup_printf ("the event stream closed (code %u)", code)
             : g_strdup ("the event stream closed");
  connection_failed (self, why);
}

static void
ws_error_cb (SoupWebsocketConnection *ws,
             GError                  *error,
             gpointer                 user_data)
{
  BwClient *self = user_data;

  g_message ("event stream error: %s", error->message);
  set_last_error (self, error->message);
}

static gboolean
watchdog_cb (gpointer data)
{
  BwClient *self = data;
  gint64 now = g_get_monotonic_time ();

  /* a watchdog that comes late was frozen with the rest of the app (a
   * suspended machine, a stopped process): what the server sent meanwhile
   * is still unread, so give it its time again */
  if (now - self->last_watch > 2 * KEEPALIVE_S * G_USEC_PER_SEC)
    self->last_heard = MAX (self->last_heard, now - KEEPALIVE_S * G_USEC_PER_SEC);
  self->last_watch = now;
  if (now - self->last_heard > WATCHDOG_S * G_USEC_PER_SEC)
    {
      self->watchdog_id = 0;
      connection_failed (self, "the server went quiet");
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
ws_connect_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  BwClient *self = user_data;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *ws;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (ws == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        connection_failed (self, error->message);
      g_object_unref (self);
      return;
    }
  g_clear_object (&self->attempt);
  self->ws = ws;
  self->attempts = 0;
  self->n_connects++;
  self->last_heard = g_get_monotonic_time ();
  soup_websocket_connection_set_keepalive_interval (ws, KEEPALIVE_S);
  soup_websocket_connection_set_max_incoming_payload_size (ws, 64 * 1024 * 1024);
  g_signal_connect (ws, "message", G_CALLBACK (ws_message_cb), self);
  g_signal_connect (ws, "pong", G_CALLBACK (ws_pong_cb), self);
  g_signal_connect (ws, "closed", G_CALLBACK (ws_closed_cb), self);
  g_signal_connect (ws, "error", G_CALLBACK (ws_error_cb), self);
  self->last_watch = self->last_heard;
  self->watchdog_id = g_timeout_add_seconds (KEEPALIVE_S, watchdog_cb, self);
  set_last_error (self, NULL);
  g_message ("connected to %s, events after %" G_GINT64_FORMAT, self->base_url, self->resumed_after);
  set_state (self, BW_CONNECTION_CONNECTED);
  g_object_unref (self);
}

static void
open_stream (BwClient *self)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *url = NULL;
  g_autofree char *path = NULL;
  g_autofree char *ws_url = NULL;

  path = g_strdup_printf ("/api/v1/stream?after=%" G_GINT64_FORMAT "&samples=1", MAX (self->last_seq, 0));
  url = make_url (self, path);
  /* http → ws, https → wss */
  ws_url = g_str_has_prefix (url, "https://") ? g_strconcat ("wss://", url + strlen ("https://"), NULL)
                                               : g_strconcat ("ws://", url + strlen ("http://"), NULL);
  msg = new_message (self, SOUP_METHOD_GET, ws_url);
  if (msg == NULL)
    {
      connection_failed (self, "bad stream URL");
      return;
    }
  self->resumed_after = MAX (self->last_seq, 0);
  soup_session_websocket_connect_async (self->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        self->attempt, ws_connect_cb, g_object_ref (self));
}

static void
snapshot_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  BwClient *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = bw_client_get_finish (self, result, &error);
  gboolean from_scratch;
  JsonObject *obj;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        connection_failed (self, error ? error->message : "bad conveyor list");
      g_object_unref (self);
      return;
    }
  obj = json_node_get_object (node);
  from_scratch = self->last_seq < 0;
  if (from_scratch && json_object_has_member (obj, "last_seq"))
    {
      /* first contact: the snapshot is the state as of last_seq, the
       * stream continues from there */
      self->last_seq = json_object_get_int_member (obj, "last_seq");
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SEQ]);
    }
  g_signal_emit (self, signals[SIGNAL_SNAPSHOT], 0, obj, from_scratch);
  if (self->attempt && !g_cancellable_is_cancelled (self->attempt))
    open_stream (self);
  g_object_unref (self);
}

static void
health_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  BwClient *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = bw_client_get_finish (self, result, &error);

  if (node == NULL && g_error_matches (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_HTTP))
    {
      /* 503 "degraded" still answers with the health object: go on */
      g_clear_error (&error);
    }
  if (error)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        connection_failed (self, error->message);
      g_object_unref (self);
      return;
    }
  if (node && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *h = json_node_get_object (node);
      gint64 server_seq = json_object_get_int_member_with_default (h, "last_seq", -1);

      g_clear_pointer (&self->health, json_object_unref);
      self->health = json_object_ref (h);
      if (server_seq >= 0 && server_seq < self->last_seq)
        {
          /* a new ledger: the old seqs mean nothing there */
          g_message ("the server's last seq %" G_GINT64_FORMAT " is below ours (%" G_GINT64_FORMAT
                     "): starting over", server_seq, self->last_seq);
          self->last_seq = -1;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SEQ]);
        }
    }
  bw_client_get_async (self, "/api/v1/conveyors", self->attempt, snapshot_cb, self);
}

static void
connect_attempt (BwClient *self)
{
  g_clear_handle_id (&self->retry_id, g_source_remove);
  close_stream (self);
  if (self->attempt)
    g_cancellable_cancel (self->attempt);
  g_clear_object (&self->attempt);
  if (self->base_url == NULL)
    {
      set_state (self, BW_CONNECTION_STOPPED);
      return;
    }
  self->attempt = g_cancellable_new ();
  set_state (self, BW_CONNECTION_CONNECTING);
  bw_client_get_async (self, "/api/v1/health", self->attempt, health_cb, g_object_ref (self));
}

/* ---- public ---- */

/**
 * bw_client_set_server:
 * @url: `http://host:port` (a bare `host:port` gets `http://`)
 *
 * Sets the server; a running client reconnects to it, from scratch.
 */
gboolean
bw_client_set_server (BwClient    *self,
                      const char  *url,
                      const char  *username,
                      const char  *password,
                      GError     **error)
{
  g_autofree char *full = NULL;
  g_autoptr(GUri) uri = NULL;
  gboolean running;

  g_return_val_if_fail (BW_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (url != NULL, FALSE);

  full = strstr (url, "://") ? g_strdup (url) : g_strconcat ("http://", url, NULL);
  g_strstrip (full);
  while (g_str_has_suffix (full, "/"))
    full[strlen (full) - 1] = '\0';
  uri = g_uri_parse (full, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0' ||
      (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
    {
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_BAD_URL,
                   "“%s” is not a server address (http://host:port)", url);
      return FALSE;
    }

  running = self->state != BW_CONNECTION_STOPPED;
  if (g_strcmp0 (self->base_url, full) != 0)
    {
      g_free (self->base_url);
      self->base_url = g_steal_pointer (&full);
      self->last_seq = -1;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BASE_URL]);
    }
  g_clear_pointer (&self->auth, g_free);
  if (username && username[0])
    {
      g_autofree char *pair = g_strconcat (username, ":", password ? password : "", NULL);
      g_autofree char *b64 = g_base64_encode ((const guchar *) pair, strlen (pair));
      self->auth = g_strconcat ("Basic ", b64, NULL);
    }
  if (running)
    connect_attempt (self);
  return TRUE;
}

const char *
bw_client_get_base_url (BwClient *self)
{
  g_return_val_if_fail (BW_IS_CLIENT (self), NULL);
  return self->base_url;
}

void
bw_client_start (BwClient *self)
{
  g_return_if_fail (BW_IS_CLIENT (self));

  if (self->state == BW_CONNECTION_STOPPED)
    connect_attempt (self);
}

void
bw_client_stop (BwClient *self)
{
  g_return_if_fail (BW_IS_CLIENT (self));

  g_clear_handle_id (&self->retry_id, g_source_remove);
  close_stream (self);
  if (self->attempt)
    g_cancellable_cancel (self->attempt);
  g_clear_object (&self->attempt);
  set_state (self, BW_CONNECTION_STOPPED);
}

/**
 * bw_client_reconnect_now:
 *
 * Skips the wait of a lost connection (the "Retry now" button).
 */
void
bw_client_reconnect_now (BwClient *self)
{
  g_return_if_fail (BW_IS_CLIENT (self));

  if (self->state != BW_CONNECTION_CONNECTED)
    connect_attempt (self);
}

BwConnectionState
bw_client_get_state (BwClient *self)
{
  g_return_val_if_fail (BW_IS_CLIENT (self), BW_CONNECTION_STOPPED);
  return self->state;
}

gboolean
bw_client_is_connected (BwClient *self)
{
  g_return_val_if_fail (BW_IS_CLIENT (self), FALSE);
  return self->state == BW_CONNECTION_CONNECTED;
}

gint64
bw_client_get_last_seq (BwClient *self)
{
  g_return_val_if_fail (BW_IS_CLIENT (self), -1);
  return self->last_seq;
}

/**
 * bw_client_get_resumed_after:
 *
 * Returns: the `after` the event stream was last opened with
 */
gint64
bw_client_get_resumed_after (BwClient *self)
{
  g_return_val_if_fail (BW_IS_CLIENT (self), -1);
  return self->resumed_after;
}

guint
bw_client_get_n_connects (BwClient *self)
{
  g_return_val_if_fail (BW_IS_CLIENT (self), 0);
  return self->n_connects;
}

/**
 * bw_client_get_retry_seconds:
 *
 * Returns: seconds until the next attempt while waiting, rounded up
 */
guint
bw_client_get_retry_seconds (BwClient *self)
{
  gint64 left;

  g_return_val_if_fail (BW_IS_CLIENT (self), 0);
  if (self->state != BW_CONNECTION_WAITING)
    return 0;
  left = self->retry_due - g_get_monotonic_time ();
  return left <= 0 ? 0 : (guint) ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

const char *
bw_client_get_last_error (BwClient *self)
{
  g_return_val_if_fail (BW_IS_CLIENT (self), NULL);
  return self->last_error;
}

/**
 * bw_client_get_health:
 *
 * Returns: (transfer none) (nullable): the server's last health answer
 */
JsonObject *
bw_client_get_health (BwClient *self)
{
  g_return_val_if_fail (BW_IS_CLIENT (self), NULL);
  return self->health;
}

/* ---- GObject ---- */

static void
bw_client_dispose (GObject *object)
{
  BwClient *self = BW_CLIENT (object);

  bw_client_stop (self);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (bw_client_parent_class)->dispose (object);
}

static void
bw_client_finalize (GObject *object)
{
  BwClient *self = BW_CLIENT (object);

  g_free (self->base_url);
  g_free (self->auth);
  g_free (self->last_error);
  g_clear_pointer (&self->health, json_object_unref);
  G_OBJECT_CLASS (bw_client_parent_class)->finalize (object);
}

static void
bw_client_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  BwClient *self = BW_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_LAST_SEQ:
      g_value_set_int64 (value, self->last_seq);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    case PROP_RETRY_SECONDS:
      g_value_set_uint (value, bw_client_get_retry_seconds (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bw_client_class_init (BwClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bw_client_dispose;
  object_class->finalize = bw_client_finalize;
  object_class->get_property = bw_client_get_property;

  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, BW_TYPE_CONNECTION_STATE, BW_CONNECTION_STOPPED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_SEQ] =
    g_param_spec_int64 ("last-seq", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RETRY_SECONDS] =
    g_param_spec_uint ("retry-seconds", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BwClient::event:
   * @event: a BwEvent from the stream (persistent ones once each, in seq order)
   */
  signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, BW_TYPE_EVENT | G_SIGNAL_TYPE_STATIC_SCOPE);
  /**
   * BwClient::snapshot:
   * @conveyors: the answer of GET /api/v1/conveyors, on every (re)connection
   *   before the stream's events
   * @from_scratch: no event was seen before (first contact, or a server with
   *   a new ledger): the stream starts at this snapshot, so the rest of the
   *   state (alarms) must be read too
   */
  signals[SIGNAL_SNAPSHOT] =
    g_signal_new ("snapshot", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, JSON_TYPE_OBJECT | G_SIGNAL_TYPE_STATIC_SCOPE, G_TYPE_BOOLEAN);
}

static void
bw_client_init (BwClient *self)
{
  self->session = soup_session_new_with_options ("timeout", HTTP_TIMEOUT_S,
                                                 "user-agent", "beltwatch/" PACKAGE_VERSION " ",
                                                 NULL);
  self->last_seq = -1;
  self->resumed_after = -1;
}

BwClient *
bw_client_new (void)
{
  return g_object_new (BW_TYPE_CLIENT, NULL);
}
