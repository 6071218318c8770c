/* bw-line.h: the plant's line of conveyors and its alarms, kept live
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "bw-alarm.h"
#include "bw-client.h"
#include "bw-live-conveyor.h"
#include "bw-stop.h"

G_BEGIN_DECLS

typedef struct
{
  char     *code;
  char     *label;     /* in the UI's language */
  gboolean  planned;
} BwCause;

#define BW_TYPE_LINE (bw_line_get_type ())

G_DECLARE_FINAL_TYPE (BwLine, bw_line, BW, LINE, GObject)

BwLine        *bw_line_new                   (BwClient            *client);
BwClient      *bw_line_get_client            (BwLine              *self);
GListModel    *bw_line_get_conveyors         (BwLine              *self);
GListModel    *bw_line_get_alarms            (BwLine              *self);
BwLiveConveyor    *bw_line_find_conveyor         (BwLine              *self,
                                              const char          *id);
BwAlarm       *bw_line_find_alarm            (BwLine              *self,
                                              gint64               id);
BwAlarm       *bw_line_find_alarm_for_stop   (BwLine              *self,
                                              gint64               stop_id);
BwStop        *bw_line_find_stop             (BwLine              *self,
                                              gint64               id);
gint64         bw_line_get_data_now          (BwLine              *self);
gint64         bw_line_get_today_start       (BwLine              *self);
guint          bw_line_get_n_unclassified    (BwLine              *self);
GPtrArray     *bw_line_get_causes            (BwLine              *self);
const char    *bw_line_get_cause_label       (BwLine              *self,
                                              const char          *code);
gboolean       bw_line_is_loaded             (BwLine              *self);

void           bw_line_acknowledge_async     (BwLine              *self,
                                              gint64               alarm_id,
                                              const char          *operator_name,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
BwAlarm       *bw_line_acknowledge_finish    (BwLine              *self,
                                              GAsyncResult        *result,
                                              GError             **error);
void           bw_line_classify_async        (BwLine              *self,
                                              gint64               stop_id,
                                              const char          *cause,
                                              const char          *comment,
                                              const char          *operator_name,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
JsonObject    *bw_line_classify_finish       (BwLine              *self,
                                              GAsyncResult        *result,
                                              GError             **error);
void           bw_line_refresh               (BwLine              *self);

G_END_DECLS
