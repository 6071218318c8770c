/* bw-live-conveyor.c: one conveyor as the control room sees it
 *
 * The state shown is the server's, but only while it is fresh: with no
 * connection, or no samples for STALE_US, the conveyor is UNKNOWN. A belt
 * whose data stopped coming is not a running belt.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-live-conveyor"

#include "config.h"

#include <math.h>

#include "bw-json.h"
#include "bw-live-conveyor.h"
#include "bw-time.h"

#define STALE_US          (6 * G_USEC_PER_SEC)
#define DEFAULT_WINDOW_MS (10 * 60 * 1000)

static const char * const live_tags[BW_N_LIVE_TAGS] = BW_LIVE_TAGS;

struct _BwLiveConveyor
{
  GObject          parent_instance;

  char            *id;
  char            *name;
  BwLiveState      state;           /* shown */
  BwLiveState      server_state;    /* as the server last said */
  gint64           last_update;     /* monotonic, last snapshot or samples */
  gint64           last_sample;     /* data time, µs */
  gboolean         connected;

  BwStop          *open_stop;       /* owned, nullable */
  BwStop          *last_stop;       /* owned, nullable: the latest stop, open or not */
  gint64           closed_downtime; /* µs today, stops that ended */
  guint            stops_today;

  GHashTable      *values;          /* tag → double* */
  GArray          *series[BW_N_LIVE_TAGS];   /* BwPoint */
  GArray          *anomaly_series;           /* BwPoint */
  gint64           window_ms;

  char            *detector;
  double           score;
  double           threshold;
  gboolean         anomaly_active;
};

enum
{
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_STATE,
  PROP_OPEN_STOP,
  N_PROPS
};

enum
{
  SIGNAL_CHANGED,
  SIGNAL_SAMPLES_ADDED,
  SIGNAL_ANOMALY_SCORED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (BwLiveConveyor, bw_live_conveyor, G_TYPE_OBJECT)

GType
bw_live_state_get_type (void)
{
  static gsize type_id;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { BW_LIVE_UNKNOWN, "BW_LIVE_UNKNOWN", "unknown" },
        { BW_LIVE_RUNNING, "BW_LIVE_RUNNING", "running" },
        { BW_LIVE_STOPPED, "BW_LIVE_STOPPED", "stopped" },
        { 0, NULL, NULL }
      };
      g_once_init_leave (&type_id, g_enum_register_static ("BwLiveState", values));
    }
  return type_id;
}

BwLiveState
bw_live_state_from_name (const char *name)
{
  if (g_strcmp0 (name, "running") == 0)
    return BW_LIVE_RUNNING;
  if (g_strcmp0 (name, "stopped") == 0)
    return BW_LIVE_STOPPED;
  return BW_LIVE_UNKNOWN;
}

static int
live_index (const char *tag)
{
  for (int i = 0; i < BW_N_LIVE_TAGS; i++)
    if (g_strcmp0 (tag, live_tags[i]) == 0)
      return i;
  return -1;
}

static void
set_value (BwLiveConveyor *self,
           const char     *tag,
           double          v)
{
  double *p = g_hash_table_lookup (self->values, tag);

  if (p == NULL)
    {
      p = g_new (double, 1);
      g_hash_table_insert (self->values, g_strdup (tag), p);
    }
  *p = v;
}

static void
set_open_stop (BwLiveConveyor *self,
               BwStop         *stop)
{
  if (self->open_stop == stop)
    return;
  g_set_object (&self->open_stop, stop);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPEN_STOP]);
}

static void
update_state (BwLiveConveyor *self,
              gint64          mono_now)
{
  BwLiveState state = self->server_state;

  if (!self->connected || self->last_update == 0 || mono_now - self->last_update > STALE_US)
    state = BW_LIVE_UNKNOWN;
  if (state != self->state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

static void
trim_series (GArray *a,
             gint64  oldest_ms)
{
  guint drop = 0;

  while (drop < a->len && g_array_index (a, BwPoint, drop).t_ms < oldest_ms)
    drop++;
  if (drop)
    g_array_remove_range (a, 0, drop);
}

/**
 * bw_live_conveyor_apply_snapshot:
 * @object: one conveyor of GET /api/v1/conveyors
 */
void
bw_live_conveyor_apply_snapshot (BwLiveConveyor *self,
                                 JsonObject     *object,
                                 gint64          mono_now)
{
  JsonObject *values;
  JsonNode *open;
  const char *name;

  g_return_if_fail (BW_IS_LIVE_CONVEYOR (self));

  name = json_object_get_string_member_with_default (object, "name", NULL);
  if (name && g_strcmp0 (name, self->name) != 0)
    {
      g_free (self->name);
      self->name = g_strdup (name);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
    }
  self->server_state = bw_live_state_from_name (json_object_get_string_member_with_default (object, "state", NULL));
  self->connected = TRUE;
  /* a snapshot is fresh news only if the server has fresh data itself */
  if (self->server_state != BW_LIVE_UNKNOWN)
    self->last_update = mono_now;
  {
    const char *ls = json_object_get_string_member_with_default (object, "last_sample", NULL);
    gint64 t;
    if (ls && bw_time_parse (ls, -1, &t))
      self->last_sample = t;
  }
  values = bw_json_object_member (object, "values");
  if (values)
    {
      g_autoptr(GList) members = json_object_get_members (values);
      for (GList *l = members; l; l = l->next)
        {
          JsonObject *v = bw_json_object_member (values, l->data);
          JsonNode *n = v ? json_object_get_member (v, "value") : NULL;
          if (n && JSON_NODE_HOLDS_VALUE (n))
            set_value (self, l->data, json_node_get_double (n));
        }
    }

  open = json_object_get_member (object, "open_stop");
  if (open && JSON_NODE_HOLDS_OBJECT (open))
    {
      g_autoptr(BwStop) stop = bw_stop_new_from_json (json_node_get_object (open), NULL);
      double dur = json_object_get_double_member_with_default (json_node_get_object (open), "duration_s", 0);

      if (stop)
        {
          set_open_stop (self, stop);
          if (self->last_stop == NULL || self->last_stop->id <= stop->id)
            g_set_object (&self->last_stop, stop);
        }
      self->closed_downtime = MAX (0, (gint64) ((json_object_get_double_member_with_default (object, "downtime_today_s", 0) - dur) * G_USEC_PER_SEC));
      /* the data clock: the open stop's duration counts up to the server's now */
    }
  else
    {
      set_open_stop (self, NULL);
      self->closed_downtime = (gint64) (json_object_get_double_member_with_default (object, "downtime_today_s", 0) * G_USEC_PER_SEC);
    }
  self->stops_today = (guint) json_object_get_int_member_with_default (object, "stops_today", 0);
  update_state (self, mono_now);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

/**
 * bw_live_conveyor_apply_samples:
 * @data: a `samples` event's members: `tags`, `state`
 */
void
bw_live_conveyor_apply_samples (BwLiveConveyor *self,
                                JsonObject     *data,
                                gint64          mono_now)
{
  JsonObject *tags;
  gint64 newest_ms = 0;

  g_return_if_fail (BW_IS_LIVE_CONVEYOR (self));

  if (json_object_has_member (data, "state"))
    self->server_state = bw_live_state_from_name (json_object_get_string_member (data, "state"));
  self->connected = TRUE;
  self->last_update = mono_now;
  tags = bw_json_object_member (data, "tags");
  if (tags)
    {
      g_autoptr(GList) members = json_object_get_members (tags);

      for (GList *l = members; l; l = l->next)
        {
          JsonArray *points = bw_json_array_member (tags, l->data);
          int k = live_index (l->data);
          guint n = points ? json_array_get_length (points) : 0;

          for (guint i = 0; i < n; i++)
            {
              JsonArray *pair = json_array_get_array_element (points, i);
              BwPoint p;

              if (pair == NULL || json_array_get_length (pair) < 2)
                continue;
              p.t_ms = json_array_get_int_element (pair, 0);
              p.v = json_array_get_double_element (pair, 1);
              newest_ms = MAX (newest_ms, p.t_ms);
              if (k >= 0)
                {
                  GArray *a = self->series[k];
                  /* out of order points would break the chart's bisection */
                  if (a->len == 0 || g_array_index (a, BwPoint, a->len - 1).t_ms <= p.t_ms)
                    g_array_append_val (a, p);
                }
              if (i == n - 1)
                set_value (self, l->data, p.v);
            }
        }
    }
  if (newest_ms)
    {
      self->last_sample = MAX (self->last_sample, newest_ms * 1000);
      for (int k = 0; k < BW_N_LIVE_TAGS; k++)
        trim_series (self->series[k], newest_ms - self->window_ms);
      trim_series (self->anomaly_series, newest_ms - self->window_ms);
    }
  update_state (self, mono_now);
  g_signal_emit (self, signals[SIGNAL_SAMPLES_ADDED], 0, data);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

void
bw_live_conveyor_stop_started (BwLiveConveyor *self,
                               BwStop         *stop)
{
  g_return_if_fail (BW_IS_LIVE_CONVEYOR (self));
  g_return_if_fail (BW_IS_STOP (stop));

  if (self->open_stop == NULL || self->open_stop->id != stop->id)
    self->stops_today++;
  if (bw_stop_is_open (stop))
    {
      set_open_stop (self, stop);
      self->server_state = BW_LIVE_STOPPED;
      update_state (self, g_get_monotonic_time ());
    }
  g_set_object (&self->last_stop, stop);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

/**
 * bw_live_conveyor_stop_changed:
 * @stop: a newer record of a stop of this conveyor (ended, classified)
 * @today_start_us: the start of the server's day, for today's downtime
 */
void
bw_live_conveyor_stop_changed (BwLiveConveyor *self,
                               BwStop         *stop,
                               gint64          today_start_us)
{
  g_return_if_fail (BW_IS_LIVE_CONVEYOR (self));
  g_return_if_fail (BW_IS_STOP (stop));

  if (self->open_stop && self->open_stop->id == stop->id)
    {
      if (bw_stop_is_open (stop))
        set_open_stop (self, stop);
      else
        {
          gint64 from = MAX (stop->start_us, today_start_us);
          if (stop->end_us > from)
            self->closed_downtime += stop->end_us - from;
          set_open_stop (self, NULL);
          /* the belt runs again */
          self->server_state = BW_LIVE_RUNNING;
          update_state (self, g_get_monotonic_time ());
        }
    }
  if (self->last_stop == NULL || self->last_stop->id <= stop->id)
    g_set_object (&self->last_stop, stop);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

void
bw_live_conveyor_set_anomaly (BwLiveConveyor *self,
                              const char     *detector,
                              double          score,
                              double          threshold,
                              gboolean        active,
                              gint64          time_us)
{
  BwPoint p = { time_us / 1000, score };

  g_return_if_fail (BW_IS_LIVE_CONVEYOR (self));

  if (g_strcmp0 (detector, self->detector) != 0)
    {
      g_free (self->detector);
      self->detector = g_strdup (detector);
    }
  self->score = score;
  self->threshold = threshold;
  self->anomaly_active = active;
  if (self->anomaly_series->len == 0 ||
      g_array_index (self->anomaly_series, BwPoint, self->anomaly_series->len - 1).t_ms <= p.t_ms)
    g_array_append_val (self->anomaly_series, p);
  g_signal_emit (self, signals[SIGNAL_ANOMALY_SCORED], 0, p.t_ms, score, threshold);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

/**
 * bw_live_conveyor_refresh:
 * @connected: whether the event stream is open
 *
 * Re-evaluates the shown state: the line calls it every second and on
 * connection changes.
 */
void
bw_live_conveyor_refresh (BwLiveConveyor *self,
                          gboolean        connected,
                          gint64          mono_now)
{
  g_return_if_fail (BW_IS_LIVE_CONVEYOR (self));

  self->connected = connected;
  /* what was fresh before a disconnection is not after it: only new samples
   * (or a snapshot of fresh data) make the state known again */
  if (!connected)
    self->last_update = 0;
  update_state (self, mono_now);
}

const char *
bw_live_conveyor_get_id (BwLiveConveyor *self)
{
  g_return_val_if_fail (BW_IS_LIVE_CONVEYOR (self), NULL);
  return self->id;
}

const char *
bw_live_conveyor_get_name (BwLiveConveyor *self)
{
  g_return_val_if_fail (BW_IS_LIVE_CONVEYOR (self), NULL);
  return self->name ? self->name : self->id;
}

BwLiveState
bw_live_conveyor_get_state (BwLiveConveyor *self)
{
  g_return_val_if_fail (BW_IS_LIVE_CONVEYOR (self), BW_LIVE_UNKNOWN);
  return self->state;
}

BwLiveState
bw_live_conveyor_get_server_state (BwLiveConveyor *self)
{
  g_return_val_if_fail (BW_IS_LIVE_CONVEYOR (self), BW_LIVE_UNKNOWN);
  return self->server_state;
}

/**
 * bw_live_conveyor_get_open_stop:
 *
 * Returns: (transfer none) (nullable): the stop under way
 */
BwStop *
bw_live_conveyor_get_open_stop (BwLiveConveyor *self)
{
  g_return_val_if_fail (BW_IS_LIVE_CONVEYOR (self), NULL);
  return self->open_stop;
}

/**
 * bw_live_conveyor_get_last_stop:
 *
 * Returns: (transfer none) (nullable): the latest stop seen, open or ended
 */
BwStop *
bw_live_conveyor_get_last_stop (BwLiveConveyor *self)
{
  g_return_val_if_fail (BW_IS_LIVE_CONVEYOR (self), NULL);
  return self->last_stop;
}

/**
 * bw_live_conveyor_get_value:
 *
 * Returns: the tag's latest value, NAN if none
 */
double
bw_live_conveyor_get_value (BwLiveConveyor *self,
                            const char     *tag)
{
  double *p;

  g_return_val_if_fail (BW_IS_LIVE_CONVEYOR (self), NAN);
  p = g_hash_table_lookup (self->values, tag);
  return p ? *p : NAN;
}

gint64
bw_live_conveyor_get_last_sample (BwLiveConveyor *self)
{
  g_return_val_if_fail (BW_IS_LIVE_CONVEYOR (self), 0);
  return self->last_sample;
}

/**
 * bw_live_conveyor_get_downtime_today:
 * @data_now_us: now on the data's clock
 *
 * Returns: today's downtime, the open stop counted up to @data_now_us
 */
gint64
bw_live_conveyor_get_downtime_today (BwLiveConveyor *self,
                                     gint64          data_now_us)
{
  gint64 d;

  g_return_val_if_fail (BW_IS_LIVE_CONVEYOR (self), 0);
  d = self->closed_downtime;
  if (self->open_stop)
    d += MAX (0, data_now_us - self->open_stop->start_us);
  return d;
}

guint
bw_live_conveyor_get_stops_today (BwLiveConveyor *self)
{
  g_return_val_if_fail (BW_IS_LIVE_CONVEYOR (self), 0);
  return self->stops_today;
}

/**
 * bw_live_conveyor_get_anomaly:
 *
 * Returns: whether a detector has reported on this conveyor
 */
gboolean
bw_live_conveyor_get_anomaly (BwLiveConveyor  *self,
                              double          *score,
                              double          *threshold,
                              const char     **detector)
{
  g_return_val_if_fail (BW_IS_LIVE_CONVEYOR (self), FALSE);
  if (self->detector == NULL)
    return FALSE;
  if (score)
    *score = self->score;
  if (threshold)
    *threshold = self->threshold;
  if (detector)
    *detector = self->detector;
  return TRUE;
}

/**
 * bw_live_conveyor_get_series:
 *
 * Returns: (transfer none) (nullable): the live series of one of the
 *   BW_LIVE_TAGS, BwPoint in time order
 */
GArray *
bw_live_conveyor_get_series (BwLiveConveyor *self,
                             const char     *tag)
{
  int k;

  g_return_val_if_fail (BW_IS_LIVE_CONVEYOR (self), NULL);
  k = live_index (tag);
  return k >= 0 ? self->series[k] : NULL;
}

GArray *
bw_live_conveyor_get_anomaly_series (BwLiveConveyor *self)
{
  g_return_val_if_fail (BW_IS_LIVE_CONVEYOR (self), NULL);
  return self->anomaly_series;
}

void
bw_live_conveyor_set_series_window (BwLiveConveyor *self,
                                    gint64          window_ms)
{
  g_return_if_fail (BW_IS_LIVE_CONVEYOR (self));
  self->window_ms = MAX (window_ms, 1000);
}

/* ---- GObject ---- */

static void
bw_live_conveyor_finalize (GObject *object)
{
  BwLiveConveyor *self = BW_LIVE_CONVEYOR (object);

  g_free (self->id);
  g_free (self->name);
  g_free (self->detector);
  g_clear_object (&self->open_stop);
  g_clear_object (&self->last_stop);
  g_hash_table_unref (self->values);
  for (int k = 0; k < BW_N_LIVE_TAGS; k++)
    g_array_unref (self->series[k]);
  g_array_unref (self->anomaly_series);
  G_OBJECT_CLASS (bw_live_conveyor_parent_class)->finalize (object);
}

static void
bw_live_conveyor_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  BwLiveConveyor *self = BW_LIVE_CONVEYOR (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, bw_live_conveyor_get_name (self));
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_OPEN_STOP:
      g_value_set_object (value, self->open_stop);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bw_live_conveyor_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  BwLiveConveyor *self = BW_LIVE_CONVEYOR (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bw_live_conveyor_class_init (BwLiveConveyorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bw_live_conveyor_finalize;
  object_class->get_property = bw_live_conveyor_get_property;
  object_class->set_property = bw_live_conveyor_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, BW_TYPE_LIVE_STATE, BW_LIVE_UNKNOWN,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OPEN_STOP] =
    g_param_spec_object ("open-stop", NULL, NULL, BW_TYPE_STOP,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* anything shown changed: values, stops, today's figures */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  /**
   * BwLiveConveyor::samples-added:
   * @data: the `samples` event's members (`tags`, `state`)
   *
   * The live series grew.
   */
  signals[SIGNAL_SAMPLES_ADDED] =
    g_signal_new ("samples-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, JSON_TYPE_OBJECT | G_SIGNAL_TYPE_STATIC_SCOPE);
  /* a detector scored the conveyor: (t_ms, score, threshold) */
  signals[SIGNAL_ANOMALY_SCORED] =
    g_signal_new ("anomaly-scored", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_INT64, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
}

static void
bw_live_conveyor_init (BwLiveConveyor *self)
{
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (int k = 0; k < BW_N_LIVE_TAGS; k++)
    self->series[k] = g_array_new (FALSE, FALSE, sizeof (BwPoint));
  self->anomaly_series = g_array_new (FALSE, FALSE, sizeof (BwPoint));
  self->window_ms = DEFAULT_WINDOW_MS;
  self->score = NAN;
  self->threshold = NAN;
}

BwLiveConveyor *
bw_live_conveyor_new (const char *id)
{
  return g_object_new (BW_TYPE_LIVE_CONVEYOR, "id", id, NULL);
}
