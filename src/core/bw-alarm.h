/* bw-alarm.h: alarms with the ISA-18.2 state machine
 *
 *   NORMAL ──condition──▶ UNACK_ACTIVE ──ack──▶ ACK_ACTIVE
 *                              │                    │
 *                        condition clears     condition clears
 *                              ▼                    ▼
 *                         UNACK_RTN ────ack────▶ NORMAL (cleared)
 *
 * Acknowledging is an operator's statement that they saw the alarm; silencing
 * the horn is a separate, local action of each control-room client.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  BW_ALARM_NORMAL,        /* cleared */
  BW_ALARM_UNACK_ACTIVE,
  BW_ALARM_ACK_ACTIVE,
  BW_ALARM_UNACK_RTN,     /* returned to normal, still to acknowledge */
} BwAlarmState;

typedef enum
{
  BW_ALARM_PRIORITY_HIGH = 1,    /* a stopped belt */
  BW_ALARM_PRIORITY_MEDIUM = 2,  /* an anomaly warning */
  BW_ALARM_PRIORITY_LOW = 3,
} BwAlarmPriority;

#define BW_TYPE_ALARM (bw_alarm_get_type ())

G_DECLARE_FINAL_TYPE (BwAlarm, bw_alarm, BW, ALARM, GObject)

struct _BwAlarm
{
  GObject          parent_instance;

  gint64           id;
  char            *conveyor;
  char            *kind;          /* "stop" or "anomaly" */
  BwAlarmPriority  priority;
  gint64           stop_id;       /* for stop alarms */
  BwAlarmState     state;
  char            *message;
  gint64           raised_us;
  gint64           returned_us;   /* condition cleared */
  gint64           acked_us;
  char            *acked_by;
  gint64           cleared_us;    /* back to NORMAL */
};

BwAlarm      *bw_alarm_new              (const char      *conveyor,
                                         const char      *kind,
                                         BwAlarmPriority  priority,
                                         const char      *message,
                                         gint64           raised_us);
gboolean      bw_alarm_acknowledge      (BwAlarm         *self,
                                         const char      *who,
                                         gint64           when_us,
                                         GError         **error);
gboolean      bw_alarm_return_to_normal (BwAlarm         *self,
                                         gint64           when_us);
gboolean      bw_alarm_is_active        (BwAlarm         *self);
gboolean      bw_alarm_needs_ack        (BwAlarm         *self);
const char   *bw_alarm_state_name       (BwAlarmState     state);
gboolean      bw_alarm_state_from_name  (const char      *name,
                                         BwAlarmState    *out);
const char   *bw_alarm_state_get_label  (BwAlarmState     state);
void          bw_alarm_build_json       (BwAlarm         *self,
                                         JsonBuilder     *builder);
BwAlarm      *bw_alarm_new_from_json    (JsonObject      *object,
                                         GError         **error);

G_END_DECLS
