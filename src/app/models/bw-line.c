/* bw-line.c: the plant's line of conveyors and its alarms, kept live
 *
 * The line starts from the client's snapshot (GET /api/v1/conveyors, and the
 * alarms and reason tree when it starts from scratch) and follows the event
 * stream. Every stop.started / alarm.raised is re-emitted as
 * BwLine::alarm-raised, from the live stream or the backlog of a reconnect
 * alike; the annunciator decides what was already announced.
 *
 * Times shown as "elapsed" run on the data's clock: now minus the lag of the
 * newest samples, so a replayed or delayed stream does not show stops that
 * are minutes longer than they are.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-line"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "bw-json.h"
#include "bw-line.h"
#include "bw-tags.h"
#include "bw-time.h"

#define MAX_ALARMS          200
#define REFRESH_S           60
#define UNCLASSIFIED_SPAN   (24 * BW_USEC_PER_HOUR)

struct _BwLine
{
  GObject       parent_instance;

  BwClient     *client;          /* owned */
  GListStore   *conveyors;       /* BwLiveConveyor, by id */
  GListStore   *alarms;          /* BwAlarm, newest first */
  GHashTable   *stops;           /* id → BwStop: stops the alarms and cards refer to */
  GPtrArray    *causes;          /* BwCause */
  GCancellable *cancellable;

  guint         tick_id;
  guint         refresh_id;
  guint         unclassified_id; /* debounce */
  gint64        data_offset;     /* wall − data time of the newest samples, µs */
  gint64        utc_offset;      /* the server's, µs */
  guint         n_unclassified;
  gboolean      loaded;
};

enum
{
  PROP_0,
  PROP_N_UNCLASSIFIED,
  PROP_LOADED,
  N_PROPS
};

enum
{
  SIGNAL_ALARM_RAISED,
  SIGNAL_ALARM_CHANGED,
  SIGNAL_STOP_EVENT,
  SIGNAL_TICK,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (BwLine, bw_line, G_TYPE_OBJECT)

static void
cause_free (BwCause *c)
{
  g_free (c->code);
  g_free (c->label);
  g_free (c);
}

static gboolean
ui_is_russian (void)
{
  const char * const *langs = g_get_language_names ();

  return langs[0] && g_str_has_prefix (langs[0], "ru");
}

/* ---- lookups ---- */

static int
conveyor_compare (gconstpointer a,
                  gconstpointer b,
                  gpointer      data)
{
  return g_strcmp0 (bw_live_conveyor_get_id ((BwLiveConveyor *) a), bw_live_conveyor_get_id ((BwLiveConveyor *) b));
}

BwLiveConveyor *
bw_line_find_conveyor (BwLine     *self,
                       const char *id)
{
  guint n;

  g_return_val_if_fail (BW_IS_LINE (self), NULL);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->conveyors));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BwLiveConveyor) c = g_list_model_get_item (G_LIST_MODEL (self->conveyors), i);
      if (g_strcmp0 (bw_live_conveyor_get_id (c), id) == 0)
        return c;   /* the store keeps its reference */
    }
  return NULL;
}

static BwLiveConveyor *
ensure_conveyor (BwLine     *self,
                 const char *id)
{
  BwLiveConveyor *c;

  if (id == NULL)
    return NULL;
  c = bw_line_find_conveyor (self, id);
  if (c == NULL)
    {
      g_autoptr(BwLiveConveyor) fresh = bw_live_conveyor_new (id);
      g_list_store_insert_sorted (self->conveyors, fresh, conveyor_compare, NULL);
      c = fresh;
    }
  return c;
}

static int
alarm_index (BwLine *self,
             gint64  id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->alarms));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BwAlarm) a = g_list_model_get_item (G_LIST_MODEL (self->alarms), i);
      if (a->id == id)
        return (int) i;
    }
  return -1;
}

BwAlarm *
bw_line_find_alarm (BwLine *self,
                    gint64  id)
{
  int i;

  g_return_val_if_fail (BW_IS_LINE (self), NULL);
  i = alarm_index (self, id);
  if (i < 0)
    return NULL;
  {
    g_autoptr(BwAlarm) a = g_list_model_get_item (G_LIST_MODEL (self->alarms), i);
    return a;
  }
}

BwAlarm *
bw_line_find_alarm_for_stop (BwLine *self,
                             gint64  stop_id)
{
  guint n;

  g_return_val_if_fail (BW_IS_LINE (self), NULL);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->alarms));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BwAlarm) a = g_list_model_get_item (G_LIST_MODEL (self->alarms), i);
      if (a->stop_id == stop_id)
        return a;
    }
  return NULL;
}

/**
 * bw_line_find_stop:
 *
 * Returns: (transfer none) (nullable): a stop an alarm or a card refers to
 */
BwStop *
bw_line_find_stop (BwLine *self,
                   gint64  id)
{
  g_return_val_if_fail (BW_IS_LINE (self), NULL);
  return g_hash_table_lookup (self->stops, &id);
}

static void
remember_stop (BwLine *self,
               BwStop *stop)
{
  gint64 *key;

  if (stop == NULL || stop->id == 0)
    return;
  key = g_new (gint64, 1);
  *key = stop->id;
  g_hash_table_replace (self->stops, key, g_object_ref (stop));
}

/* Inserts or replaces an alarm; returns the one kept (borrowed). */
static BwAlarm *
upsert_alarm (BwLine  *self,
              BwAlarm *alarm)
{
  int i = alarm_index (self, alarm->id);
  guint n;

  if (i >= 0)
    {
      g_list_store_splice (self->alarms, i, 1, (gpointer *) &alarm, 1);
      return alarm;
    }
  /* newest first, by when it was raised */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->alarms));
  for (i = 0; i < (int) n; i++)
    {
      g_autoptr(BwAlarm) a = g_list_model_get_item (G_LIST_MODEL (self->alarms), i);
      if (a->raised_us < alarm->raised_us || (a->raised_us == alarm->raised_us && a->id < alarm->id))
        break;
    }
  g_list_store_insert (self->alarms, i, alarm);

  /* forget the oldest cleared ones beyond the cap */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->alarms));
  for (int k = (int) n - 1; k >= 0 && n > MAX_ALARMS; k--)
    {
      g_autoptr(BwAlarm) a = g_list_model_get_item (G_LIST_MODEL (self->alarms), k);
      if (a->state == BW_ALARM_NORMAL)
        {
          g_list_store_remove (self->alarms, k);
          n--;
        }
    }
  return alarm;
}

static BwStop *
stop_from (JsonObject *data)
{
  JsonObject *o = bw_json_object_member (data, "stop");

  return o ? bw_stop_new_from_json (o, NULL) : NULL;
}

static BwAlarm *
alarm_from (JsonObject *data)
{
  JsonObject *o = bw_json_object_member (data, "alarm");

  return o ? bw_alarm_new_from_json (o, NULL) : NULL;
}

/* ---- the clocks ---- */

/**
 * bw_line_get_data_now:
 *
 * Returns: now on the data's clock (µs): the wall clock less the lag of the
 *   newest samples
 */
gint64
bw_line_get_data_now (BwLine *self)
{
  g_return_val_if_fail (BW_IS_LINE (self), 0);
  return g_get_real_time () - self->data_offset;
}

/**
 * bw_line_get_today_start:
 *
 * Returns: the start of the server's local day that contains data-now
 */
gint64
bw_line_get_today_start (BwLine *self)
{
  gint64 local = bw_line_get_data_now (self) + self->utc_offset;

  return local - (local % BW_USEC_PER_DAY) - self->utc_offset;
}

/* ---- loading ---- */

static void query_unclassified (BwLine *self);

static void
unclassified_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = bw_client_get_finish (BW_CLIENT (source), result, &error);
  BwLine *self;
  guint n;

  if (node == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("unclassified stops: %s", error->message);
      return;
    }
  self = user_data;
  n = (guint) json_object_get_int_member_with_default (json_node_get_object (node), "total", 0);
  if (n != self->n_unclassified)
    {
      self->n_unclassified = n;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_UNCLASSIFIED]);
    }
}

static gboolean
unclassified_due_cb (gpointer data)
{
  BwLine *self = data;

  self->unclassified_id = 0;
  query_unclassified (self);
  return G_SOURCE_REMOVE;
}

static void
query_unclassified (BwLine *self)
{
  char from[BW_TIME_FORMAT_LEN];
  g_autofree char *path = NULL;

  bw_time_format (bw_line_get_data_now (self) - UNCLASSIFIED_SPAN, from);
  path = g_strdup_printf ("/api/v1/stops?cause=unclassified&from=%s&limit=1", from);
  bw_client_get_async (self->client, path, self->cancellable, unclassified_cb, self);
}

static void
schedule_unclassified (BwLine *self)
{
  if (self->unclassified_id == 0)
    self->unclassified_id = g_timeout_add (300, unclassified_due_cb, self);
}

static void
alarms_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = bw_client_get_finish (BW_CLIENT (source), result, &error);
  BwLine *self;
  JsonArray *arr;

  if (node == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot read the alarms: %s", error->message);
      return;
    }
  self = user_data;
  arr = bw_json_array_member (json_node_get_object (node), "alarms");
  /* oldest first, so that the newest is announced last */
  for (guint i = arr ? json_array_get_length (arr) : 0; i-- > 0;)
    {
      g_autoptr(BwAlarm) alarm = bw_alarm_new_from_json (json_array_get_object_element (arr, i), NULL);
      BwStop *stop;

      if (alarm == NULL)
        continue;
      if (bw_line_find_alarm (self, alarm->id))
        continue;   /* the stream was faster */
      upsert_alarm (self, alarm);
      stop = alarm->stop_id ? bw_line_find_stop (self, alarm->stop_id) : NULL;
      if (bw_alarm_needs_ack (alarm))
        g_signal_emit (self, signals[SIGNAL_ALARM_RAISED], 0, alarm, stop, FALSE);
    }
  if (!self->loaded)
    {
      self->loaded = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
    }
}

static void
causes_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = bw_client_get_finish (BW_CLIENT (source), result, &error);
  BwLine *self;
  JsonArray *arr;
  gboolean ru = ui_is_russian ();

  if (node == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot read the reason tree: %s", error->message);
      return;
    }
  self = user_data;
  arr = bw_json_array_member (json_node_get_object (node), "causes");
  if (arr == NULL || json_array_get_length (arr) == 0)
    return;
  g_ptr_array_set_size (self->causes, 0);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonObject *o = json_array_get_object_element (arr, i);
      BwCause *c = g_new0 (BwCause, 1);
      const char *name = json_object_get_string_member_with_default (o, "name", NULL);
      const char *name_ru = json_object_get_string_member_with_default (o, "name_ru", NULL);

      c->code = g_strdup (json_object_get_string_member_with_default (o, "code", ""));
      if (bw_cause_is_default (c->code))
        c->label = g_strdup (bw_cause_get_label (c->code));
      else
        c->label = g_strdup (ru && name_ru ? name_ru : name ? name : c->code);
      c->planned = json_object_get_boolean_member_with_default (o, "planned", FALSE);
      g_ptr_array_add (self->causes, c);
    }
}

static void
apply_conveyors (BwLine     *self,
                 JsonObject *answer)
{
  JsonArray *arr = bw_json_array_member (answer, "conveyors");
  gint64 mono = g_get_monotonic_time ();

  for (guint i = 0; arr && i < json_array_get_length (arr); i++)
    {
      JsonObject *o = json_array_get_object_element (arr, i);
      BwLiveConveyor *c = ensure_conveyor (self, json_object_get_string_member_with_default (o, "id", NULL));
      JsonNode *open = json_object_get_member (o, "open_stop");

      if (c == NULL)
        continue;
      if (open && JSON_NODE_HOLDS_OBJECT (open))
        {
          g_autoptr(BwStop) stop = bw_stop_new_from_json (json_node_get_object (open), NULL);
          remember_stop (self, stop);
        }
      bw_live_conveyor_apply_snapshot (c, o, mono);
    }
}

static void
snapshot_cb (BwClient   *client,
             JsonObject *answer,
             gboolean    from_scratch,
             BwLine     *self)
{
  JsonObject *health = bw_client_get_health (client);

  if (health)
    self->utc_offset = json_object_get_int_member_with_default (health, "utc_offset_s", 0) * G_USEC_PER_SEC;
  apply_conveyors (self, answer);
  if (from_scratch)
    {
      bw_client_get_async (client, "/api/v1/causes", self->cancellable, causes_cb, self);
      bw_client_get_async (client, "/api/v1/alarms?state=all&limit=100", self->cancellable, alarms_cb, self);
    }
  schedule_unclassified (self);
}

static void
refresh_answer_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = bw_client_get_finish (BW_CLIENT (source), result, &error);

  if (node && JSON_NODE_HOLDS_OBJECT (node))
    apply_conveyors (user_data, json_node_get_object (node));
  else if (error && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("refresh: %s", error->message);
}

/**
 * bw_line_refresh:
 *
 * Re-reads the conveyors (today's figures roll over at midnight) and the
 * count of unclassified stops.
 */
void
bw_line_refresh (BwLine *self)
{
  g_return_if_fail (BW_IS_LINE (self));

  if (!bw_client_is_connected (self->client))
    return;
  bw_client_get_async (self->client, "/api/v1/conveyors", self->cancellable, refresh_answer_cb, self);
  query_unclassified (self);
}

static gboolean
refresh_cb (gpointer data)
{
  bw_line_refresh (data);
  return G_SOURCE_CONTINUE;
}

/* ---- events ---- */

static void
event_cb (BwClient *client,
          BwEvent  *event,
          BwLine   *self)
{
  JsonObject *data = event->data;
  BwLiveConveyor *c = ensure_conveyor (self, event->conveyor);
  const char *type = event->type;

  if (g_str_equal (type, BW_EVENT_SAMPLES))
    {
      if (c)
        bw_live_conveyor_apply_samples (c, data, g_get_monotonic_time ());
      if (event->time_us > 0)
        self->data_offset = MAX (0, g_get_real_time () - event->time_us);
      return;
    }

  g_debug ("event %" G_GINT64_FORMAT " %s %s", event->seq, type, event->conveyor ? event->conveyor : "");

  if (g_str_equal (type, BW_EVENT_STOP_STARTED))
    {
      g_autoptr(BwStop) stop = stop_from (data);
      g_autoptr(BwAlarm) alarm = alarm_from (data);

      /* the alarm first: the notification and the horn must not wait for
       * the models and views to take the stop in */
      if (stop)
        remember_stop (self, stop);
      if (alarm)
        g_signal_emit (self, signals[SIGNAL_ALARM_RAISED], 0, alarm, stop, TRUE);
      if (stop)
        {
          if (c)
            bw_live_conveyor_stop_started (c, stop);
          g_signal_emit (self, signals[SIGNAL_STOP_EVENT], 0, type, stop);
        }
      if (alarm)
        {
          upsert_alarm (self, alarm);
          g_signal_emit (self, signals[SIGNAL_ALARM_CHANGED], 0, alarm);
        }
      schedule_unclassified (self);
    }
  else if (g_str_equal (type, BW_EVENT_STOP_ENDED) || g_str_equal (type, BW_EVENT_STOP_CLASSIFIED) ||
           g_str_equal (type, BW_EVENT_STOP_SUGGESTED))
    {
      g_autoptr(BwStop) stop = stop_from (data);

      if (stop)
        {
          remember_stop (self, stop);
          if (c)
            bw_live_conveyor_stop_changed (c, stop, bw_line_get_today_start (self));
          g_signal_emit (self, signals[SIGNAL_STOP_EVENT], 0, type, stop);
        }
      schedule_unclassified (self);
    }
  else if (g_str_equal (type, BW_EVENT_ALARM_RAISED))
    {
      g_autoptr(BwStop) stop = stop_from (data);
      g_autoptr(BwAlarm) alarm = alarm_from (data);

      if (stop)
        remember_stop (self, stop);
      if (alarm)
        {
          g_signal_emit (self, signals[SIGNAL_ALARM_RAISED], 0, alarm,
                         stop ? stop : (alarm->stop_id ? bw_line_find_stop (self, alarm->stop_id) : NULL), TRUE);
          upsert_alarm (self, alarm);
          g_signal_emit (self, signals[SIGNAL_ALARM_CHANGED], 0, alarm);
        }
    }
  else if (g_str_equal (type, BW_EVENT_ALARM_ACKNOWLEDGED) || g_str_equal (type, BW_EVENT_ALARM_RETURNED) ||
           g_str_equal (type, BW_EVENT_ALARM_CLEARED))
    {
      g_autoptr(BwAlarm) alarm = alarm_from (data);

      if (alarm)
        {
          upsert_alarm (self, alarm);
          g_signal_emit (self, signals[SIGNAL_ALARM_CHANGED], 0, alarm);
        }
    }
  else if (g_str_equal (type, BW_EVENT_ANOMALY))
    {
      g_autoptr(BwAlarm) alarm = alarm_from (data);

      if (c)
        bw_live_conveyor_set_anomaly (c, json_object_get_string_member_with_default (data, "detector", NULL),
                                 json_object_get_double_member_with_default (data, "score", NAN),
                                 json_object_get_double_member_with_default (data, "threshold", NAN),
                                 json_object_get_boolean_member_with_default (data, "active", FALSE),
                                 event->time_us);
      if (alarm)
        {
          g_signal_emit (self, signals[SIGNAL_ALARM_RAISED], 0, alarm, NULL, TRUE);
          upsert_alarm (self, alarm);
          g_signal_emit (self, signals[SIGNAL_ALARM_CHANGED], 0, alarm);
        }
    }
}

static void
refresh_conveyors (BwLine *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->conveyors));
  gboolean connected = bw_client_is_connected (self->client);
  gint64 mono = g_get_monotonic_time ();

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BwLiveConveyor) c = g_list_model_get_item (G_LIST_MODEL (self->conveyors), i);
      bw_live_conveyor_refresh (c, connected, mono);
    }
}

static void
state_changed_cb (BwClient   *client,
                  GParamSpec *pspec,
                  BwLine     *self)
{
  refresh_conveyors (self);
}

static gboolean
tick_cb (gpointer data)
{
  BwLine *self = data;

  refresh_conveyors (self);
  g_signal_emit (self, signals[SIGNAL_TICK], 0);
  return G_SOURCE_CONTINUE;
}

/* ---- writes ---- */

static void
acknowledge_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BwLine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = bw_client_post_finish (BW_CLIENT (source), result, &error);
  g_autoptr(BwAlarm) alarm = NULL;

  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  alarm = JSON_NODE_HOLDS_OBJECT (node) ? bw_alarm_new_from_json (json_node_get_object (node), &error) : NULL;
  if (alarm == NULL)
    {
      g_task_return_new_error (task, BW_CLIENT_ERROR, BW_CLIENT_ERROR_BAD_ANSWER, "%s",
                               error ? error->message : "not an alarm");
      return;
    }
  /* the event will say the same; show it at once */
  upsert_alarm (self, alarm);
  g_signal_emit (self, signals[SIGNAL_ALARM_CHANGED], 0, alarm);
  g_task_return_pointer (task, g_steal_pointer (&alarm), g_object_unref);
}

void
bw_line_acknowledge_async (BwLine              *self,
                           gint64               alarm_id,
                           const char          *operator_name,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (BW_IS_LINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bw_line_acknowledge_async);
  json_builder_begin_object (b);
  if (operator_name && operator_name[0])
    {
      json_builder_set_member_name (b, "operator");
      json_builder_add_string_value (b, operator_name);
    }
  json_builder_end_object (b);
  body = json_builder_get_root (b);
  path = g_strdup_printf ("/api/v1/alarms/%" G_GINT64_FORMAT "/acknowledge", alarm_id);
  bw_client_post_async (self->client, path, body, cancellable, acknowledge_cb, g_steal_pointer (&task));
}

/**
 * bw_line_acknowledge_finish:
 *
 * Returns: (transfer full): the acknowledged alarm
 */
BwAlarm *
bw_line_acknowledge_finish (BwLine        *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
classify_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BwLine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = bw_client_post_finish (BW_CLIENT (source), result, &error);
  g_autoptr(BwStop) stop = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (error)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, BW_CLIENT_ERROR, BW_CLIENT_ERROR_BAD_ANSWER, "not a stop");
      return;
    }
  stop = bw_stop_new_from_json (json_node_get_object (node), NULL);
  if (stop)
    {
      BwLiveConveyor *c = bw_line_find_conveyor (self, stop->conveyor);

      remember_stop (self, stop);
      if (c)
        bw_live_conveyor_stop_changed (c, stop, bw_line_get_today_start (self));
      g_signal_emit (self, signals[SIGNAL_STOP_EVENT], 0, BW_EVENT_STOP_CLASSIFIED, stop);
      schedule_unclassified (self);
    }
  g_task_return_pointer (task, json_object_ref (json_node_get_object (node)), (GDestroyNotify) json_object_unref);
}

void
bw_line_classify_async (BwLine              *self,
                        gint64               stop_id,
                        const char          *cause,
                        const char          *comment,
                        const char          *operator_name,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (BW_IS_LINE (self));
  g_return_if_fail (cause != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bw_line_classify_async);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "cause");
  json_builder_add_string_value (b, cause);
  json_builder_set_member_name (b, "comment");
  json_builder_add_string_value (b, comment ? comment : "");
  if (operator_name && operator_name[0])
    {
      json_builder_set_member_name (b, "operator");
      json_builder_add_string_value (b, operator_name);
    }
  json_builder_end_object (b);
  body = json_builder_get_root (b);
  path = g_strdup_printf ("/api/v1/stops/%" G_GINT64_FORMAT "/classify", stop_id);
  bw_client_post_async (self->client, path, body, cancellable, classify_cb, g_steal_pointer (&task));
}

/**
 * bw_line_classify_finish:
 *
 * Returns: (transfer full): the stop as the server has it now, with its
 *   `classifications`
 */
JsonObject *
bw_line_classify_finish (BwLine        *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- accessors ---- */

BwClient *
bw_line_get_client (BwLine *self)
{
  g_return_val_if_fail (BW_IS_LINE (self), NULL);
  return self->client;
}

GListModel *
bw_line_get_conveyors (BwLine *self)
{
  g_return_val_if_fail (BW_IS_LINE (self), NULL);
  return G_LIST_MODEL (self->conveyors);
}

GListModel *
bw_line_get_alarms (BwLine *self)
{
  g_return_val_if_fail (BW_IS_LINE (self), NULL);
  return G_LIST_MODEL (self->alarms);
}

guint
bw_line_get_n_unclassified (BwLine *self)
{
  g_return_val_if_fail (BW_IS_LINE (self), 0);
  return self->n_unclassified;
}

/**
 * bw_line_get_causes:
 *
 * Returns: (transfer none) (element-type BwCause): the reason tree
 */
GPtrArray *
bw_line_get_causes (BwLine *self)
{
  g_return_val_if_fail (BW_IS_LINE (self), NULL);
  return self->causes;
}

const char *
bw_line_get_cause_label (BwLine     *self,
                         const char *code)
{
  g_return_val_if_fail (BW_IS_LINE (self), NULL);

  if (code == NULL || code[0] == '\0')
    return _("Unclassified");
  for (guint i = 0; i < self->causes->len; i++)
    {
      BwCause *c = self->causes->pdata[i];
      if (g_str_equal (c->code, code))
        return c->label;
    }
  return bw_cause_get_label (code);
}

gboolean
bw_line_is_loaded (BwLine *self)
{
  g_return_val_if_fail (BW_IS_LINE (self), FALSE);
  return self->loaded;
}

/* ---- GObject ---- */

static void
bw_line_dispose (GObject *object)
{
  BwLine *self = BW_LINE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_handle_id (&self->unclassified_id, g_source_remove);
  if (self->client)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (bw_line_parent_class)->dispose (object);
}

static void
bw_line_finalize (GObject *object)
{
  BwLine *self = BW_LINE (object);

  g_clear_object (&self->conveyors);
  g_clear_object (&self->alarms);
  g_clear_object (&self->cancellable);
  g_hash_table_unref (self->stops);
  g_ptr_array_unref (self->causes);
  G_OBJECT_CLASS (bw_line_parent_class)->finalize (object);
}

static void
bw_line_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  BwLine *self = BW_LINE (object);

  switch (prop_id)
    {
    case PROP_N_UNCLASSIFIED:
      g_value_set_uint (value, self->n_unclassified);
      break;
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bw_line_class_init (BwLineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bw_line_dispose;
  object_class->finalize = bw_line_finalize;
  object_class->get_property = bw_line_get_property;

  properties[PROP_N_UNCLASSIFIED] =
    g_param_spec_uint ("n-unclassified", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BwLine::alarm-raised:
   * @alarm: the alarm
   * @stop: (nullable): its stop, for stop alarms
   * @from_stream: whether it came from the event stream (live or the
   *   backlog of a reconnect) rather than the alarm list read at start
   */
  signals[SIGNAL_ALARM_RAISED] =
    g_signal_new ("alarm-raised", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, BW_TYPE_ALARM, BW_TYPE_STOP, G_TYPE_BOOLEAN);
  signals[SIGNAL_ALARM_CHANGED] =
    g_signal_new ("alarm-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, BW_TYPE_ALARM);
  /**
   * BwLine::stop-event:
   * @type: the event type (stop.started, stop.ended, stop.classified, …)
   * @stop: the stop as the event has it
   */
  signals[SIGNAL_STOP_EVENT] =
    g_signal_new ("stop-event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, BW_TYPE_STOP);
  /* every second: elapsed times tick, staleness is re-evaluated */
  signals[SIGNAL_TICK] =
    g_signal_new ("tick", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
bw_line_init (BwLine *self)
{
  self->conveyors = g_list_store_new (BW_TYPE_LIVE_CONVEYOR);
  self->alarms = g_list_store_new (BW_TYPE_ALARM);
  self->stops = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  self->causes = g_ptr_array_new_with_free_func ((GDestroyNotify) cause_free);
  self->cancellable = g_cancellable_new ();
  /* the default reason tree until the server's arrives */
  for (const char * const *code = bw_cause_default_codes (); *code; code++)
    {
      BwCause *c = g_new0 (BwCause, 1);
      c->code = g_strdup (*code);
      c->label = g_strdup (bw_cause_get_label (*code));
      c->planned = bw_cause_is_planned (*code);
      g_ptr_array_add (self->causes, c);
    }
}

BwLine *
bw_line_new (BwClient *client)
{
  BwLine *self;

  g_return_val_if_fail (BW_IS_CLIENT (client), NULL);

  self = g_object_new (BW_TYPE_LINE, NULL);
  self->client = g_object_ref (client);
  g_signal_connect (client, "snapshot", G_CALLBACK (snapshot_cb), self);
  g_signal_connect (client, "event", G_CALLBACK (event_cb), self);
  g_signal_connect (client, "notify::state", G_CALLBACK (state_changed_cb), self);
  self->tick_id = g_timeout_add_seconds (1, tick_cb, self);
  self->refresh_id = g_timeout_add_seconds (REFRESH_S, refresh_cb, self);
  return self;
}
