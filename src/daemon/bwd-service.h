/* bwd-service.h: the monitoring service
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "bw-config.h"

G_BEGIN_DECLS

#define BWD_TYPE_SERVICE (bwd_service_get_type ())

G_DECLARE_FINAL_TYPE (BwdService, bwd_service, BWD, SERVICE, GObject)

BwdService *bwd_service_new          (BwConfig    *config,
                                      GError     **error);
gboolean    bwd_service_start        (BwdService  *self,
                                      gboolean     exit_at_eof,
                                      GError     **error);
void        bwd_service_shutdown     (BwdService  *self);
void        bwd_service_reload       (BwdService  *self);
guint       bwd_service_get_port     (BwdService  *self);
char       *bwd_service_get_url      (BwdService  *self);

/* for tests and embedding */
struct _BwMonitor *bwd_service_get_monitor (BwdService *self);

G_END_DECLS
