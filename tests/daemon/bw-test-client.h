/* bw-test-client.h: a real HTTP and WebSocket client for the service tests
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct
{
  SoupSession             *session;
  SoupWebsocketConnection *ws;
  GPtrArray               *messages;  /* JsonObject* received */
  gboolean                 closed;
} BwTestClient;

BwTestClient *bw_test_client_new        (void);
void          bw_test_client_free       (BwTestClient *c);
JsonNode     *bw_test_http              (BwTestClient *c,
                                         const char   *method,
                                         const char   *url,
                                         const char   *body,
                                         guint        *status);
char         *bw_test_http_text         (BwTestClient *c,
                                         const char   *url,
                                         guint        *status);
gboolean      bw_test_ws_connect        (BwTestClient *c,
                                         const char   *url);
void          bw_test_ws_close          (BwTestClient *c);
gboolean      bw_test_wait              (gboolean    (*cond) (gpointer),
                                         gpointer      data,
                                         guint         timeout_ms);
guint         bw_test_count_type        (BwTestClient *c,
                                         const char   *type);
gboolean      bw_test_iterate_for       (guint         ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwTestClient, bw_test_client_free)

G_END_DECLS
