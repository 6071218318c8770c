/* bw-test-client.c
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bw-test-client.h"

BwTestClient *
bw_test_client_new (void)
{
  BwTestClient *c = g_new0 (BwTestClient, 1);

  g_autoptr(GProxyResolver) direct = g_simple_proxy_resolver_new (NULL, NULL);

  /* no proxy look-up through GSettings: the tests run with isolated dirs */
  c->session = soup_session_new_with_options ("proxy-resolver", direct, NULL);
  c->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  return c;
}

void
bw_test_client_free (BwTestClient *c)
{
  bw_test_ws_close (c);
  g_clear_object (&c->session);
  g_ptr_array_unref (c->messages);
  g_free (c);
}

typedef struct
{
  GBytes  *bytes;
  GError  *error;
  gboolean done;
} Pending;

static void
read_done_cb (GObject      *source,
              GAsyncResult *res,
              gpointer      data)
{
  Pending *p = data;

  p->bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), res, &p->error);
  p->done = TRUE;
}

/**
 * bw_test_http:
 * @status: (out): the HTTP status
 *
 * Runs the main context while waiting, so a server in the same process answers.
 *
 * Returns: (transfer full) (nullable): the JSON body, or NULL if it was not JSON
 */
JsonNode *
bw_test_http (BwTestClient *c,
              const char   *method,
              const char   *url,
              const char   *body,
              guint        *status)
{
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(JsonParser) parser = json_parser_new ();
  Pending p = { 0 };

  g_assert_nonnull (msg);
  if (body)
    {
      g_autoptr(GBytes) b = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", b);
    }
  soup_session_send_and_read_async (c->session, msg, G_PRIORITY_DEFAULT, NULL, read_done_cb, &p);
  while (!p.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (p.error);
  *status = soup_message_get_status (msg);
  if (g_bytes_get_size (p.bytes) == 0 ||
      !json_parser_load_from_data (parser, g_bytes_get_data (p.bytes, NULL), (gssize) g_bytes_get_size (p.bytes), NULL))
    {
      g_bytes_unref (p.bytes);
      return NULL;
    }
  g_bytes_unref (p.bytes);
  return json_node_ref (json_parser_get_root (parser));
}

char *
bw_test_http_text (BwTestClient *c,
                   const char   *url,
                   guint        *status)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  Pending p = { 0 };
  char *text;

  soup_session_send_and_read_async (c->session, msg, G_PRIORITY_DEFAULT, NULL, read_done_cb, &p);
  while (!p.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (p.error);
  *status = soup_message_get_status (msg);
  text = g_strndup (g_bytes_get_data (p.bytes, NULL), g_bytes_get_size (p.bytes));
  g_bytes_unref (p.bytes);
  return text;
}

static void
ws_message_cb (SoupWebsocketConnection *ws,
               gint                     type,
               GBytes                  *message,
               BwTestClient            *c)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_TEXT);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (message, NULL),
                                             (gssize) g_bytes_get_size (message), NULL));
  g_ptr_array_add (c->messages, json_object_ref (json_node_get_object (json_parser_get_root (parser))));
}

static void
ws_closed_cb (SoupWebsocketConnection *ws,
              BwTestClient            *c)
{
  c->closed = TRUE;
}

typedef struct
{
  SoupWebsocketConnection *ws;
  GError                  *error;
  gboolean                 done;
} WsPending;

static void
ws_done_cb (GObject      *source,
            GAsyncResult *res,
            gpointer      data)
{
  WsPending *p = data;

  p->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), res, &p->error);
  p->done = TRUE;
}

gboolean
bw_test_ws_connect (BwTestClient *c,
                    const char   *url)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  WsPending p = { 0 };

  soup_session_websocket_connect_async (c->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL, ws_done_cb, &p);
  while (!p.done)
    g_main_context_iteration (NULL, TRUE);
  if (p.error)
    {
      g_test_message ("websocket: %s", p.error->message);
      g_error_free (p.error);
      return FALSE;
    }
  c->ws = p.ws;
  c->closed = FALSE;
  g_signal_connect (c->ws, "message", G_CALLBACK (ws_message_cb), c);
  g_signal_connect (c->ws, "closed", G_CALLBACK (ws_closed_cb), c);
  return TRUE;
}

void
bw_test_ws_close (BwTestClient *c)
{
  if (c->ws == NULL)
    return;
  if (soup_websocket_connection_get_state (c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    {
      soup_websocket_connection_close (c->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      for (int i = 0; i < 100 && !c->closed; i++)
        g_main_context_iteration (NULL, FALSE), g_usleep (1000);
    }
  g_signal_handlers_disconnect_by_data (c->ws, c);
  g_clear_object (&c->ws);
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
bw_test_wait (gboolean (*cond) (gpointer),
              gpointer   data,
              guint      timeout_ms)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_cb, &expired);

  while (!cond (data) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  return cond (data);
}

gboolean
bw_test_iterate_for (guint ms)
{
  gboolean expired = FALSE;

  g_timeout_add (ms, timeout_cb, &expired);
  while (!expired)
    g_main_context_iteration (NULL, TRUE);
  return TRUE;
}

guint
bw_test_count_type (BwTestClient *c,
                    const char   *type)
{
  guint n = 0;

  for (guint i = 0; i < c->messages->len; i++)
    if (g_strcmp0 (json_object_get_string_member_with_default (c->messages->pdata[i], "type", ""), type) == 0)
      n++;
  return n;
}
