/* bw-event.c
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-event"

#include "config.h"

#include "bw-error.h"
#include "bw-event.h"
#include "bw-time.h"

G_DEFINE_BOXED_TYPE (BwEvent, bw_event, bw_event_ref, bw_event_unref)

/**
 * bw_event_new:
 * @data: (transfer full) (nullable): the type's own members
 */
BwEvent *
bw_event_new (const char *type,
              gint64      time_us,
              const char *conveyor,
              JsonObject *data)
{
  BwEvent *self = g_atomic_rc_box_new0 (BwEvent);

  self->type = g_strdup (type);
  self->time_us = time_us;
  self->conveyor = g_strdup (conveyor);
  self->data = data ? data : json_object_new ();
  return self;
}

BwEvent *
bw_event_ref (BwEvent *self)
{
  return g_atomic_rc_box_acquire (self);
}

static void
event_clear (gpointer data)
{
  BwEvent *self = data;

  g_free (self->type);
  g_free (self->conveyor);
  json_object_unref (self->data);
}

void
bw_event_unref (BwEvent *self)
{
  g_atomic_rc_box_release_full (self, event_clear);
}

gboolean
bw_event_is_persistent (const BwEvent *self)
{
  return g_strcmp0 (self->type, BW_EVENT_SAMPLES) != 0;
}

static char *
object_to_string (JsonObject *o)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_node_set_object (node, o);
  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

/**
 * bw_event_to_string:
 *
 * Returns: the event as one JSON object:
 *   `{"seq": 42, "type": "stop.started", "time": "…", "conveyor": "CV-101", …}`
 */
char *
bw_event_to_string (const BwEvent *self)
{
  g_autoptr(JsonObject) o = json_object_new ();
  char buf[BW_TIME_FORMAT_LEN];
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  json_object_set_int_member (o, "seq", self->seq);
  json_object_set_string_member (o, "type", self->type);
  json_object_set_string_member (o, "time", bw_time_format (self->time_us, buf));
  if (self->conveyor)
    json_object_set_string_member (o, "conveyor", self->conveyor);
  else
    json_object_set_null_member (o, "conveyor");
  json_object_iter_init (&iter, self->data);
  while (json_object_iter_next (&iter, &name, &member))
    if (!json_object_has_member (o, name))
      json_object_set_member (o, name, json_node_copy (member));
  return object_to_string (o);
}

char *
bw_event_data_to_string (const BwEvent *self)
{
  return object_to_string (self->data);
}

BwEvent *
bw_event_new_from_object (JsonObject  *o,
                          GError     **error)
{
  const char *type = json_object_get_string_member_with_default (o, "type", NULL);
  const char *time = json_object_get_string_member_with_default (o, "time", NULL);
  JsonNode *conv = json_object_get_member (o, "conveyor");
  JsonObject *data;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;
  gint64 t;
  BwEvent *self;

  if (type == NULL || time == NULL || !bw_time_parse (time, -1, &t))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "Not an event: no type or time");
      return NULL;
    }
  data = json_object_new ();
  json_object_iter_init (&iter, o);
  while (json_object_iter_next (&iter, &name, &member))
    if (!g_str_equal (name, "seq") && !g_str_equal (name, "type") &&
        !g_str_equal (name, "time") && !g_str_equal (name, "conveyor"))
      json_object_set_member (data, name, json_node_copy (member));
  self = bw_event_new (type, t,
                       conv && JSON_NODE_HOLDS_VALUE (conv) ? json_node_get_string (conv) : NULL,
                       data);
  self->seq = json_object_get_int_member_with_default (o, "seq", 0);
  return self;
}

BwEvent *
bw_event_new_from_string (const char  *text,
                          gssize       len,
                          GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, len, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "Not an event: not a JSON object");
      return NULL;
    }
  return bw_event_new_from_object (json_node_get_object (root), error);
}
