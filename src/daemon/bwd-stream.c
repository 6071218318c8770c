/* bwd-stream.c: the WebSocket event stream
 *
 * ws://HOST:PORT/api/v1/stream?after=SEQ&samples=1
 *
 * On connect the client gets every stored event with seq > after (so a
 * client that was away misses nothing), then the live events as they happen.
 * `samples` events (live chart data) are sent only when samples=1 (default)
 * and are never replayed. A client may also send {"type": "resume",
 * "after": SEQ} at any time to be sent the stored events after SEQ again.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bwd-stream"

#include "config.h"

#include <string.h>

#include "bw-time.h"
#include "bwd-service-private.h"

#define KEEPALIVE_S      15
#define BACKLOG_PAGE     5000

typedef struct
{
  BwdService              *service;   /* unowned */
  SoupWebsocketConnection *conn;      /* owned */
  gboolean                 samples;
  gint64                   sent_seq;  /* the last persistent seq sent */
  char                    *peer;
} BwdClient;

static void
client_free (BwdClient *client)
{
  g_signal_handlers_disconnect_by_data (client->conn, client);
  g_clear_object (&client->conn);
  g_free (client->peer);
  g_free (client);
}

static void
send_event (BwdClient *client,
            BwEvent   *event)
{
  g_autofree char *text = NULL;

  if (soup_websocket_connection_get_state (client->conn) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  if (bw_event_is_persistent (event))
    {
      /* never twice, never out of order */
      if (event->seq <= client->sent_seq)
        return;
      client->sent_seq = event->seq;
    }
  else if (!client->samples)
    return;
  text = bw_event_to_string (event);
  soup_websocket_connection_send_text (client->conn, text);
  client->service->ws_messages_sent++;
}

static void
send_backlog (BwdClient *client,
              gint64     after)
{
  BwdService *self = client->service;

  client->sent_seq = after;
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) events = bw_ledger_events_after (self->ledger, client->sent_seq, BACKLOG_PAGE, &error);

      if (events == NULL)
        {
          g_warning ("cannot read the event log for %s: %s", client->peer, error->message);
          return;
        }
      for (guint i = 0; i < events->len; i++)
        send_event (client, events->pdata[i]);
      if (events->len < BACKLOG_PAGE)
        break;
    }
}

static void
closed_cb (SoupWebsocketConnection *conn,
           BwdClient               *client)
{
  BwdService *self = client->service;

  g_debug ("client %s left", client->peer);
  g_ptr_array_remove (self->clients, client);
  client_free (client);
}

static void
message_cb (SoupWebsocketConnection *conn,
            gint                     type,
            GBytes                  *message,
            BwdClient               *client)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len;
  const char *data = g_bytes_get_data (message, &len);
  JsonObject *o;

  if (type != SOUP_WEBSOCKET_DATA_TEXT || len > 65536 ||
      !json_parser_load_from_data (parser, data, (gssize) len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_debug ("ignoring a malformed message from %s", client->peer);
      return;
    }
  o = json_node_get_object (json_parser_get_root (parser));
  if (g_strcmp0 (json_object_get_string_member_with_default (o, "type", ""), "resume") == 0)
    {
      gint64 after = json_object_get_int_member_with_default (o, "after", 0);
      send_backlog (client, MAX (after, 0));
    }
  else if (g_strcmp0 (json_object_get_string_member_with_default (o, "type", ""), "subscribe") == 0)
    client->samples = json_object_get_boolean_member_with_default (o, "samples", client->samples);
}

static void
websocket_cb (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *conn,
              gpointer                 data)
{
  BwdService *self = data;
  BwdClient *client = g_new0 (BwdClient, 1);
  GUri *uri = soup_server_message_get_uri (msg);
  const char *query = g_uri_get_query (uri);
  g_autoptr(GHashTable) params = query ? g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL) : NULL;
  const char *after = params ? g_hash_table_lookup (params, "after") : NULL;
  const char *samples = params ? g_hash_table_lookup (params, "samples") : NULL;
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);
  guint64 after_seq = 0;

  client->service = self;
  client->conn = g_object_ref (conn);
  client->samples = samples == NULL || !(g_str_equal (samples, "0") || g_str_equal (samples, "false"));
  client->peer = remote ? g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (remote)) : g_strdup ("?");
  if (after)
    g_ascii_string_to_unsigned (after, 10, 0, G_MAXINT64, &after_seq, NULL);
  else
    after_seq = (guint64) bw_monitor_get_last_seq (self->monitor);  /* live only */

  soup_websocket_connection_set_keepalive_interval (conn, KEEPALIVE_S);
  g_signal_connect (conn, "closed", G_CALLBACK (closed_cb), client);
  g_signal_connect (conn, "message", G_CALLBACK (message_cb), client);
  g_ptr_array_add (self->clients, client);
  g_debug ("client %s connected, after seq %" G_GUINT64_FORMAT, client->peer, after_seq);

  send_backlog (client, (gint64) after_seq);
}

void
bwd_stream_register (BwdService *self)
{
  soup_server_add_websocket_handler (self->server, "/api/v1/stream", NULL, NULL, websocket_cb, self, NULL);
}

void
bwd_stream_broadcast (BwdService *self,
                      BwEvent    *event)
{
  for (guint i = 0; i < self->clients->len; i++)
    send_event (self->clients->pdata[i], event);
}

guint
bwd_stream_get_n_clients (BwdService *self)
{
  return self->clients->len;
}

void
bwd_stream_close_all (BwdService *self)
{
  while (self->clients->len)
    {
      BwdClient *client = g_ptr_array_steal_index (self->clients, self->clients->len - 1);
      if (soup_websocket_connection_get_state (client->conn) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (client->conn, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "server shutting down");
      client_free (client);
    }
}
