/* bw-client.h: the app's connection to beltwatchd (HTTP API + event stream)
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "bw-event.h"

G_BEGIN_DECLS

#define BW_CLIENT_ERROR (bw_client_error_quark ())

typedef enum
{
  BW_CLIENT_ERROR_FAILED,
  BW_CLIENT_ERROR_BAD_URL,
  BW_CLIENT_ERROR_HTTP,          /* the server answered with an error status */
  BW_CLIENT_ERROR_UNAUTHORIZED,
  BW_CLIENT_ERROR_BAD_ANSWER,    /* not the JSON the API promises */
} BwClientError;

/**
 * BwConnectionState:
 * @BW_CONNECTION_STOPPED: not started (no server yet)
 * @BW_CONNECTION_CONNECTING: an attempt is under way
 * @BW_CONNECTION_CONNECTED: the event stream is open
 * @BW_CONNECTION_WAITING: the connection was lost or refused; the next
 *   attempt is due in #BwClient:retry-seconds
 */
typedef enum
{
  BW_CONNECTION_STOPPED,
  BW_CONNECTION_CONNECTING,
  BW_CONNECTION_CONNECTED,
  BW_CONNECTION_WAITING,
} BwConnectionState;

#define BW_TYPE_CONNECTION_STATE (bw_connection_state_get_type ())
#define BW_TYPE_CLIENT (bw_client_get_type ())

G_DECLARE_FINAL_TYPE (BwClient, bw_client, BW, CLIENT, GObject)

GQuark             bw_client_error_quark          (void);
GType              bw_connection_state_get_type   (void) G_GNUC_CONST;

BwClient          *bw_client_new                  (void);
gboolean           bw_client_set_server           (BwClient            *self,
                                                   const char          *url,
                                                   const char          *username,
                                                   const char          *password,
                                                   GError             **error);
const char        *bw_client_get_base_url         (BwClient            *self);
void               bw_client_start                (BwClient            *self);
void               bw_client_stop                 (BwClient            *self);
void               bw_client_reconnect_now        (BwClient            *self);

BwConnectionState  bw_client_get_state            (BwClient            *self);
gboolean           bw_client_is_connected         (BwClient            *self);
gint64             bw_client_get_last_seq         (BwClient            *self);
gint64             bw_client_get_resumed_after    (BwClient            *self);
guint              bw_client_get_n_connects       (BwClient            *self);
guint              bw_client_get_retry_seconds    (BwClient            *self);
const char        *bw_client_get_last_error       (BwClient            *self);
JsonObject        *bw_client_get_health           (BwClient            *self);

guint              bw_client_backoff_ms           (guint                attempt,
                                                   double               jitter);

void               bw_client_get_async            (BwClient            *self,
                                                   const char          *path,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
JsonNode          *bw_client_get_finish           (BwClient            *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
void               bw_client_post_async           (BwClient            *self,
                                                   const char          *path,
                                                   JsonNode            *body,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
JsonNode          *bw_client_post_finish          (BwClient            *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

G_END_DECLS
