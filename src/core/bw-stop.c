/* bw-stop.c
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-stop"

#include "config.h"

#include <math.h>

#include "bw-error.h"
#include "bw-stop.h"
#include "bw-time.h"

G_DEFINE_FINAL_TYPE (BwStop, bw_stop, G_TYPE_OBJECT)

static void
bw_stop_finalize (GObject *object)
{
  BwStop *self = BW_STOP (object);

  g_free (self->conveyor);
  g_free (self->trigger);
  g_free (self->suggested_cause);
  g_free (self->suggested_model);
  g_free (self->cause);
  g_free (self->comment);
  g_free (self->classified_by);

  G_OBJECT_CLASS (bw_stop_parent_class)->finalize (object);
}

static void
bw_stop_class_init (BwStopClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bw_stop_finalize;
}

static void
bw_stop_init (BwStop *self)
{
  self->suggested_probability = NAN;
  self->md_peak = NAN;
  self->md_background = NAN;
  self->load_before = NAN;
}

BwStop *
bw_stop_new (const char *conveyor,
             gint64      start_us,
             const char *trigger)
{
  BwStop *self = g_object_new (BW_TYPE_STOP, NULL);

  self->conveyor = g_strdup (conveyor);
  self->start_us = start_us;
  self->trigger = g_strdup (trigger ? trigger : "none");
  return self;
}

gboolean
bw_stop_is_open (BwStop *self)
{
  return self->end_us == 0;
}

/**
 * bw_stop_get_duration:
 * @now_us: the time an open stop is counted up to
 */
gint64
bw_stop_get_duration (BwStop *self,
                      gint64  now_us)
{
  gint64 end = self->end_us ? self->end_us : now_us;
  return MAX (end - self->start_us, 0);
}

/**
 * bw_stop_get_effective_cause:
 *
 * Returns: the operator's cause, else the suggested one, else %NULL
 */
const char *
bw_stop_get_effective_cause (BwStop *self)
{
  return self->cause ? self->cause : self->suggested_cause;
}

void
bw_stop_set_classification (BwStop     *self,
                            const char *cause,
                            const char *comment,
                            const char *who,
                            gint64      when_us)
{
  g_free (self->cause);
  self->cause = g_strdup (cause);
  g_free (self->comment);
  self->comment = g_strdup (comment);
  g_free (self->classified_by);
  self->classified_by = g_strdup (who);
  self->classified_us = when_us;
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

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *v)
{
  json_builder_set_member_name (b, name);
  if (v)
    json_builder_add_string_value (b, v);
  else
    json_builder_add_null_value (b);
}

static void
add_double (JsonBuilder *b,
            const char  *name,
            double       v)
{
  json_builder_set_member_name (b, name);
  if (isfinite (v))
    json_builder_add_double_value (b, v);
  else
    json_builder_add_null_value (b);
}

/**
 * bw_stop_build_json:
 *
 * The stop as DESIGN.md's JSON object: `id`, `conveyor`, `start`, `end`
 * (null while open), `duration_s` (up to @now_us while open), `trigger`,
 * `suggested_cause`, `suggested_probability`, `cause`, …
 */
void
bw_stop_build_json (BwStop      *self,
                    JsonBuilder *b,
                    gint64       now_us)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, self->id);
  add_string (b, "conveyor", self->conveyor);
  add_time (b, "start", self->start_us);
  add_time (b, "end", self->end_us);
  add_double (b, "duration_s", bw_stop_get_duration (self, now_us) / 1e6);
  json_builder_set_member_name (b, "open");
  json_builder_add_boolean_value (b, bw_stop_is_open (self));
  add_string (b, "trigger", self->trigger);
  json_builder_set_member_name (b, "micro");
  json_builder_add_boolean_value (b, self->micro);
  add_string (b, "suggested_cause", self->suggested_cause);
  add_double (b, "suggested_probability", self->suggested_probability);
  add_string (b, "suggested_model", self->suggested_model);
  add_string (b, "cause", self->cause);
  add_string (b, "comment", self->comment);
  add_string (b, "classified_by", self->classified_by);
  add_time (b, "classified_at", self->classified_us);
  add_double (b, "md_peak", self->md_peak);
  add_double (b, "md_background", self->md_background);
  add_double (b, "load_before", self->load_before);
  json_builder_set_member_name (b, "alarm_id");
  if (self->alarm_id)
    json_builder_add_int_value (b, self->alarm_id);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
}

JsonNode *
bw_stop_to_json (BwStop *self,
                 gint64  now_us)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  bw_stop_build_json (self, b, now_us);
  return json_builder_get_root (b);
}

static const char *
get_str (JsonObject *o,
         const char *name)
{
  JsonNode *n = json_object_get_member (o, name);
  return n && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
         ? json_node_get_string (n) : NULL;
}

static double
get_dbl (JsonObject *o,
         const char *name)
{
  JsonNode *n = json_object_get_member (o, name);
  return n && JSON_NODE_HOLDS_VALUE (n) ? json_node_get_double (n) : NAN;
}

static gint64
get_time (JsonObject *o,
          const char *name)
{
  const char *s = get_str (o, name);
  gint64 t = 0;

  if (s && !bw_time_parse (s, -1, &t))
    return 0;
  return t;
}

/**
 * bw_stop_new_from_json:
 *
 * Reads what bw_stop_build_json() wrote (the app's side of the API).
 */
BwStop *
bw_stop_new_from_json (JsonObject  *o,
                       GError     **error)
{
  BwStop *self;
  gint64 start = get_time (o, "start");

  if (get_str (o, "conveyor") == NULL || start == 0)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "Not a stop object");
      return NULL;
    }
  self = bw_stop_new (get_str (o, "conveyor"), start, get_str (o, "trigger"));
  self->id = json_object_get_int_member_with_default (o, "id", 0);
  self->end_us = get_time (o, "end");
  self->micro = json_object_get_boolean_member_with_default (o, "micro", FALSE);
  self->suggested_cause = g_strdup (get_str (o, "suggested_cause"));
  self->suggested_probability = get_dbl (o, "suggested_probability");
  self->suggested_model = g_strdup (get_str (o, "suggested_model"));
  self->cause = g_strdup (get_str (o, "cause"));
  self->comment = g_strdup (get_str (o, "comment"));
  self->classified_by = g_strdup (get_str (o, "classified_by"));
  self->classified_us = get_time (o, "classified_at");
  self->md_peak = get_dbl (o, "md_peak");
  self->md_background = get_dbl (o, "md_background");
  self->load_before = get_dbl (o, "load_before");
  {
    JsonNode *a = json_object_get_member (o, "alarm_id");
    self->alarm_id = a && JSON_NODE_HOLDS_VALUE (a) ? json_node_get_int (a) : 0;
  }
  return self;
}
