/* bw-event.h: events from beltwatchd to its clients (WebSocket, Kafka "events")
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define BW_EVENT_STOP_STARTED       "stop.started"
#define BW_EVENT_STOP_ENDED         "stop.ended"
#define BW_EVENT_STOP_CLASSIFIED    "stop.classified"
#define BW_EVENT_STOP_SUGGESTED     "stop.suggested"
#define BW_EVENT_ALARM_RAISED       "alarm.raised"
#define BW_EVENT_ALARM_ACKNOWLEDGED "alarm.acknowledged"
#define BW_EVENT_ALARM_RETURNED     "alarm.returned"
#define BW_EVENT_ALARM_CLEARED      "alarm.cleared"
#define BW_EVENT_ANOMALY            "anomaly"
#define BW_EVENT_SAMPLES            "samples"

/**
 * BwEvent:
 * @seq: monotonic per server and persisted; `samples` events are not
 *   persisted and carry the seq of the last persisted event
 * @type: one of the BW_EVENT_* names
 * @time_us: when it happened (data time)
 * @conveyor: (nullable): the conveyor it concerns
 * @data: the type's own members, written beside seq/type/time/conveyor
 */
typedef struct
{
  gint64      seq;
  char       *type;
  gint64      time_us;
  char       *conveyor;
  JsonObject *data;
} BwEvent;

#define BW_TYPE_EVENT (bw_event_get_type ())

GType      bw_event_get_type        (void) G_GNUC_CONST;
BwEvent   *bw_event_new             (const char  *type,
                                     gint64       time_us,
                                     const char  *conveyor,
                                     JsonObject  *data);
BwEvent   *bw_event_ref             (BwEvent     *self);
void       bw_event_unref           (BwEvent     *self);
gboolean   bw_event_is_persistent   (const BwEvent *self);
char      *bw_event_to_string       (const BwEvent *self);
char      *bw_event_data_to_string  (const BwEvent *self);
BwEvent   *bw_event_new_from_string (const char  *text,
                                     gssize       len,
                                     GError     **error);
BwEvent   *bw_event_new_from_object (JsonObject  *object,
                                     GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwEvent, bw_event_unref)

G_END_DECLS
