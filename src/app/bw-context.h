/* bw-context.h: the services the app's windows share
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "bw-alarm-sound.h"
#include "bw-annunciator.h"
#include "bw-client.h"
#include "bw-line.h"
#include "bw-local-server.h"
#include "bw-notifier.h"
#include "bw-shifts.h"

G_BEGIN_DECLS

typedef enum
{
  BW_SHIFT_CURRENT,
  BW_SHIFT_PREVIOUS,
} BwShiftWhich;

#define BW_TYPE_CONTEXT (bw_context_get_type ())

G_DECLARE_FINAL_TYPE (BwContext, bw_context, BW, CONTEXT, GObject)

BwContext     *bw_context_new                 (GSettings     *settings);
GSettings     *bw_context_get_settings        (BwContext     *self);
BwClient      *bw_context_get_client          (BwContext     *self);
BwLine        *bw_context_get_line            (BwContext     *self);
BwAnnunciator *bw_context_get_annunciator     (BwContext     *self);
BwAlarmSound  *bw_context_get_sound           (BwContext     *self);
BwNotifier    *bw_context_get_notifier        (BwContext     *self);
BwLocalServer *bw_context_get_local_server    (BwContext     *self);

void           bw_context_set_server_override (BwContext     *self,
                                               const char    *url);
void           bw_context_start               (BwContext     *self);
void           bw_context_shutdown            (BwContext     *self);
const char    *bw_context_get_problem         (BwContext     *self);
gboolean       bw_context_is_local            (BwContext     *self);
char          *bw_context_dup_operator        (BwContext     *self);
char          *bw_context_describe_connection (BwContext     *self,
                                               gboolean      *ok,
                                               char         **detail);

gboolean       bw_context_get_shift           (BwContext     *self,
                                               BwShiftWhich   which,
                                               gint64         at_us,
                                               gint64        *from_us,
                                               gint64        *to_us,
                                               char         **name);
BwShiftSchedule *bw_context_dup_shift_schedule (BwContext   *self);
gboolean       bw_shift_spec_validate         (const char    *spec,
                                               GError       **error);

G_END_DECLS
