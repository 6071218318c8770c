/* bw-alarm.c
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-alarm"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "bw-alarm.h"
#include "bw-error.h"
#include "bw-time.h"

G_DEFINE_FINAL_TYPE (BwAlarm, bw_alarm, G_TYPE_OBJECT)

static const char *state_names[] = {
  "normal", "unack_active", "ack_active", "unack_rtn",
};

static void
bw_alarm_finalize (GObject *object)
{
  BwAlarm *self = BW_ALARM (object);

  g_free (self->conveyor);
  g_free (self->kind);
  g_free (self->message);
  g_free (self->acked_by);

  G_OBJECT_CLASS (bw_alarm_parent_class)->finalize (object);
}

static void
bw_alarm_class_init (BwAlarmClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bw_alarm_finalize;
}

static void
bw_alarm_init (BwAlarm *self)
{
}

/**
 * bw_alarm_new:
 *
 * Returns: (transfer full): an alarm whose condition has just become active:
 *   unacknowledged and active
 */
BwAlarm *
bw_alarm_new (const char      *conveyor,
              const char      *kind,
              BwAlarmPriority  priority,
              const char      *message,
              gint64           raised_us)
{
  BwAlarm *self = g_object_new (BW_TYPE_ALARM, NULL);

  self->conveyor = g_strdup (conveyor);
  self->kind = g_strdup (kind);
  self->priority = priority;
  self->message = g_strdup (message);
  self->raised_us = raised_us;
  self->state = BW_ALARM_UNACK_ACTIVE;
  return self;
}

/**
 * bw_alarm_acknowledge:
 *
 * UNACK_ACTIVE → ACK_ACTIVE; UNACK_RTN → NORMAL.
 *
 * Returns: %FALSE with %BW_ERROR_CONFLICT if the alarm is not waiting for an
 *   acknowledgement
 */
gboolean
bw_alarm_acknowledge (BwAlarm     *self,
                      const char  *who,
                      gint64       when_us,
                      GError     **error)
{
  g_return_val_if_fail (BW_IS_ALARM (self), FALSE);

  switch (self->state)
    {
    case BW_ALARM_UNACK_ACTIVE:
      self->state = BW_ALARM_ACK_ACTIVE;
      break;
    case BW_ALARM_UNACK_RTN:
      self->state = BW_ALARM_NORMAL;
      self->cleared_us = when_us;
      break;
    case BW_ALARM_ACK_ACTIVE:
    case BW_ALARM_NORMAL:
    default:
      g_set_error (error, BW_ERROR, BW_ERROR_CONFLICT, "Alarm %" G_GINT64_FORMAT
                   " is already acknowledged", self->id);
      return FALSE;
    }
  g_free (self->acked_by);
  self->acked_by = g_strdup (who);
  self->acked_us = when_us;
  return TRUE;
}

/**
 * bw_alarm_return_to_normal:
 *
 * The alarm's condition cleared: UNACK_ACTIVE → UNACK_RTN; ACK_ACTIVE → NORMAL.
 *
 * Returns: %TRUE if the state changed
 */
gboolean
bw_alarm_return_to_normal (BwAlarm *self,
                           gint64   when_us)
{
  g_return_val_if_fail (BW_IS_ALARM (self), FALSE);

  switch (self->state)
    {
    case BW_ALARM_UNACK_ACTIVE:
      self->state = BW_ALARM_UNACK_RTN;
      self->returned_us = when_us;
      return TRUE;
    case BW_ALARM_ACK_ACTIVE:
      self->state = BW_ALARM_NORMAL;
      self->returned_us = when_us;
      self->cleared_us = when_us;
      return TRUE;
    case BW_ALARM_UNACK_RTN:
    case BW_ALARM_NORMAL:
    default:
      return FALSE;
    }
}

gboolean
bw_alarm_is_active (BwAlarm *self)
{
  return self->state == BW_ALARM_UNACK_ACTIVE || self->state == BW_ALARM_ACK_ACTIVE;
}

gboolean
bw_alarm_needs_ack (BwAlarm *self)
{
  return self->state == BW_ALARM_UNACK_ACTIVE || self->state == BW_ALARM_UNACK_RTN;
}

const char *
bw_alarm_state_name (BwAlarmState state)
{
  g_return_val_if_fail (state <= BW_ALARM_UNACK_RTN, "normal");
  return state_names[state];
}

gboolean
bw_alarm_state_from_name (const char   *name,
                          BwAlarmState *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    if (g_strcmp0 (name, state_names[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

const char *
bw_alarm_state_get_label (BwAlarmState state)
{
  switch (state)
    {
    case BW_ALARM_UNACK_ACTIVE:
      return _("Unacknowledged");
    case BW_ALARM_ACK_ACTIVE:
      return _("Acknowledged");
    case BW_ALARM_UNACK_RTN:
      return _("Returned to normal, unacknowledged");
    case BW_ALARM_NORMAL:
    default:
      return _("Cleared");
    }
}

static void
add_time (JsonBuilder *b,
          const char  *name,
          gint64       t)
{
  char buf[BW_TIME_FORMAT_LEN];

  json_builder_set_member_name (b, name);
  if (t)
    json_builder_add_string_value (b, bw_time_format (t, buf));
  else
    json_builder_add_null_value (b);
}

void
bw_alarm_build_json (BwAlarm     *self,
                     JsonBuilder *b)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, self->id);
  json_builder_set_member_name (b, "conveyor");
  json_builder_add_string_value (b, self->conveyor);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, self->kind);
  json_builder_set_member_name (b, "priority");
  json_builder_add_int_value (b, self->priority);
  json_builder_set_member_name (b, "stop_id");
  if (self->stop_id)
    json_builder_add_int_value (b, self->stop_id);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, bw_alarm_state_name (self->state));
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, self->message ? self->message : "");
  add_time (b, "raised_at", self->raised_us);
  add_time (b, "returned_at", self->returned_us);
  add_time (b, "acknowledged_at", self->acked_us);
  json_builder_set_member_name (b, "acknowledged_by");
  if (self->acked_by)
    json_builder_add_string_value (b, self->acked_by);
  else
    json_builder_add_null_value (b);
  add_time (b, "cleared_at", self->cleared_us);
  json_builder_end_object (b);
}

static gint64
get_time (JsonObject *o,
          const char *name)
{
  JsonNode *n = json_object_get_member (o, name);
  gint64 t = 0;

  if (n && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
    bw_time_parse (json_node_get_string (n), -1, &t);
  return t;
}

BwAlarm *
bw_alarm_new_from_json (JsonObject  *o,
                        GError     **error)
{
  BwAlarm *self;
  BwAlarmState state;
  JsonNode *n;

  if (!json_object_has_member (o, "id") || !json_object_has_member (o, "conveyor") ||
      !bw_alarm_state_from_name (json_object_get_string_member_with_default (o, "state", ""), &state))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "Not an alarm object");
      return NULL;
    }
  self = bw_alarm_new (json_object_get_string_member_with_default (o, "conveyor", ""),
                       json_object_get_string_member_with_default (o, "kind", "stop"),
                       (BwAlarmPriority) json_object_get_int_member_with_default (o, "priority", 1),
                       json_object_get_string_member_with_default (o, "message", ""),
                       get_time (o, "raised_at"));
  self->id = json_object_get_int_member (o, "id");
  self->state = state;
  n = json_object_get_member (o, "stop_id");
  self->stop_id = n && JSON_NODE_HOLDS_VALUE (n) ? json_node_get_int (n) : 0;
  self->returned_us = get_time (o, "returned_at");
  self->acked_us = get_time (o, "acknowledged_at");
  self->cleared_us = get_time (o, "cleared_at");
  n = json_object_get_member (o, "acknowledged_by");
  self->acked_by = n && JSON_NODE_HOLDS_VALUE (n) ? g_strdup (json_node_get_string (n)) : NULL;
  return self;
}
