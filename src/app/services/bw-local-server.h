/* bw-local-server.h: a beltwatchd of the app's own, when no server is set
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BW_TYPE_LOCAL_SERVER (bw_local_server_get_type ())

G_DECLARE_FINAL_TYPE (BwLocalServer, bw_local_server, BW, LOCAL_SERVER, GObject)

BwLocalServer *bw_local_server_new          (void);
char          *bw_local_server_find_binary  (void);
char          *bw_local_server_get_ledger_path (void);
char          *bw_local_server_get_log_path (void);
void           bw_local_server_start_async  (BwLocalServer       *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
char          *bw_local_server_start_finish (BwLocalServer       *self,
                                             GAsyncResult        *result,
                                             GError             **error);
gboolean       bw_local_server_is_running   (BwLocalServer       *self);
gboolean       bw_local_server_is_own       (BwLocalServer       *self);
void           bw_local_server_request_stop (BwLocalServer       *self);
void           bw_local_server_stop         (BwLocalServer       *self);
void           bw_local_server_set_port     (BwLocalServer       *self,
                                             guint16              port);
const char    *bw_local_server_get_identifier (BwLocalServer     *self);

G_END_DECLS
