/* bw-monitor.c: stop detection, first-out, history, alarms and the ledger queue
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-monitor"

#include "config.h"

#include <math.h>
#include <string.h>

#include "bw-error.h"
#include "bw-monitor.h"
#include "bw-tags.h"
#include "bw-time.h"

/* A stop's trigger is decided this long (data time) after the belt stopped,
 * or at the end of the batch of messages, whichever comes first: interlock
 * samples of the same instant may arrive after the running=0 sample. */
#define SETTLE_US           (500 * G_GINT64_CONSTANT (1000))
/* the zero-speed rule waits while a belt ramps up after a start */
#define STARTUP_GRACE_US    (10 * BW_USEC_PER_SEC)
/* a conveyor that sent no running sample for this long after its first
 * sample has no running tag: its speed alone says whether it runs */
#define RUNNING_TAG_GRACE_US (5 * BW_USEC_PER_SEC)
#define WINDOW_PERIOD_US    (100 * G_GINT64_CONSTANT (1000))
/* warn, at most this often, about rejected samples of each reason */
#define BAD_LOG_INTERVAL_US (60 * BW_USEC_PER_SEC)
#define MAX_PENDING_OPS     200000

typedef struct
{
  gint64 sec;        /* the second being aggregated, in s; G_MININT64 if none */
  float  mn, mx;
  double sum;
  guint  n;
  gint64 minute_us;  /* the minute of block[], G_MININT64 if none */
  float  block[BW_HISTORY_BLOCK_LEN];
  gboolean dirty;
} Agg;

struct _BwConveyor
{
  BwMonitor          *monitor;   /* unowned */
  char               *id;
  char               *name;
  BwDetectionParams   params;
  guint               n_tags;
  char              **tag_names;
  BwRing             *rings;
  gint64             *last_t;
  double             *last_v;
  Agg                *aggs;

  gint64              first_sample_us; /* data time; 0 before any */
  gint64              last_sample_us;  /* data time */
  gint64              last_wall_us;    /* wall time of the last sample */
  BwConveyorState     state;
  gboolean            have_running;
  gint64              running_since_us;
  gint64              below_since_us;  /* speed under zero-speed since; 0 if not */
  gboolean            stop_by_speed;   /* the open stop was detected by speed */
  gint64              rise_us[BW_N_TRIGGERS];
  guint64             rise_order[BW_N_TRIGGERS];
  GArray             *md_trips;        /* gint64: md_trip rises in the last hour */

  BwStop             *open_stop;       /* owned */
  gboolean            pending_finalize;
  GPtrArray          *window_due;      /* BwStop* whose window is still filling */
  gint64              last_stop_end_us;

  GArray             *live;            /* LiveSample, when collecting */
  GArray             *live_scores;     /* LiveSample (tag unused), anomaly scores */
  char               *score_detector;
  double              score_threshold;

  gpointer            user_data;
  GDestroyNotify      user_destroy;
};

typedef struct
{
  guint  tag;
  gint64 t;
  double v;
} LiveSample;

typedef enum
{
  OP_CONVEYOR,
  OP_INSERT_STOP,
  OP_UPDATE_STOP,
  OP_WINDOW,
  OP_INSERT_ALARM,
  OP_UPDATE_ALARM,
  OP_CLASSIFY,
  OP_EVENT,
  OP_HISTORY,
  OP_OFFSET,
} OpKind;

typedef struct
{
  OpKind      kind;
  BwStop     *stop;          /* live object */
  BwAlarm    *alarm;         /* live object */
  BwStop     *stop_snap;     /* state at the time of an event */
  BwAlarm    *alarm_snap;
  BwWindow   *window;
  char       *type;
  char       *s1, *s2, *s3, *s4, *s5, *s6;
  gint64      i1, i2;
  float      *block;
  JsonObject *extra;
  gboolean    assigned;      /* this op gave an object its id in the open transaction */
} Op;

struct _BwMonitor
{
  GObject             parent_instance;

  const BwConfig     *config;       /* unowned, outlives the monitor */
  BwLedger           *ledger;       /* unowned, may be NULL */
  GPtrArray          *conveyors;    /* BwConveyor* */
  GHashTable         *by_id;        /* id → BwConveyor* */
  GHashTable         *items;        /* "conv.tag" → ItemRef* */
  GHashTable         *alarms;       /* id → BwAlarm*, alarms not yet NORMAL */
  GPtrArray          *unsaved_alarms;
  GQueue              ops;
  GPtrArray          *events;       /* BwEvent* of the transaction being applied */
  guint64             order;        /* arrival counter, first-out ties */
  BwWireStats         stats;
  gint64              bad_logged_us[BW_N_BAD_REASONS];
  guint64             bad_since_log[BW_N_BAD_REASONS];
  guint64             stops_opened;
  guint64             alarms_raised;
  guint64             flush_failures;
  char               *last_error;
  gint64              last_seq;
  gint64              mem_ids;      /* ids when there is no ledger */
  gint64              wall_now;     /* per message */
  gboolean            check_future;
  gboolean            collect_live;

  BwStopClassifyFunc  classify;
  gpointer            classify_data;
  GDestroyNotify      classify_destroy;
  BwSampleHookFunc    hook;
  gpointer            hook_data;
  GDestroyNotify      hook_destroy;
};

typedef struct
{
  BwConveyor *conveyor;
  guint       tag;
} ItemRef;

enum { SIGNAL_EVENT, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (BwMonitor, bw_monitor, G_TYPE_OBJECT)

static void finalize_stop (BwMonitor *self, BwConveyor *c);

/* ---- ops ---- */

static void
op_free (Op *op)
{
  g_clear_object (&op->stop);
  g_clear_object (&op->alarm);
  g_clear_object (&op->stop_snap);
  g_clear_object (&op->alarm_snap);
  g_clear_pointer (&op->window, bw_window_unref);
  g_free (op->type);
  g_free (op->s1);
  g_free (op->s2);
  g_free (op->s3);
  g_free (op->s4);
  g_free (op->s5);
  g_free (op->s6);
  g_free (op->block);
  g_clear_pointer (&op->extra, json_object_unref);
  g_free (op);
}

static Op *
queue_op (BwMonitor *self,
          OpKind     kind)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  g_queue_push_tail (&self->ops, op);
  return op;
}

static BwStop *
snapshot_stop (BwStop *s)
{
  BwStop *c = bw_stop_new (s->conveyor, s->start_us, s->trigger);

  c->id = s->id;
  c->end_us = s->end_us;
  c->micro = s->micro;
  c->suggested_cause = g_strdup (s->suggested_cause);
  c->suggested_probability = s->suggested_probability;
  c->suggested_model = g_strdup (s->suggested_model);
  bw_stop_set_classification (c, s->cause, s->comment, s->classified_by, s->classified_us);
  c->md_peak = s->md_peak;
  c->md_background = s->md_background;
  c->load_before = s->load_before;
  c->alarm_id = s->alarm_id;
  return c;
}

static BwAlarm *
snapshot_alarm (BwAlarm *a)
{
  BwAlarm *c = bw_alarm_new (a->conveyor, a->kind, a->priority, a->message, a->raised_us);

  c->id = a->id;
  c->stop_id = a->stop_id;
  c->state = a->state;
  c->returned_us = a->returned_us;
  c->acked_us = a->acked_us;
  c->acked_by = g_strdup (a->acked_by);
  c->cleared_us = a->cleared_us;
  return c;
}

/* An event whose JSON is built when the transaction is written, from the
 * snapshots taken now and the ids the ledger gives the live objects. */
static Op *
queue_event (BwMonitor  *self,
             const char *type,
             gint64      time_us,
             const char *conveyor,
             BwStop     *stop,
             BwAlarm    *alarm)
{
  Op *op = queue_op (self, OP_EVENT);

  op->type = g_strdup (type);
  op->i1 = time_us;
  op->s1 = g_strdup (conveyor);
  if (stop)
    {
      op->stop = g_object_ref (stop);
      op->stop_snap = snapshot_stop (stop);
    }
  if (alarm)
    {
      op->alarm = g_object_ref (alarm);
      op->alarm_snap = snapshot_alarm (alarm);
    }
  return op;
}

static BwEvent *
build_event (Op *op)
{
  JsonObject *data = op->extra ? json_object_ref (op->extra) : json_object_new ();

  if (op->stop_snap)
    {
      g_autoptr(JsonNode) node = NULL;

      op->stop_snap->id = op->stop->id;
      op->stop_snap->alarm_id = op->stop->alarm_id;
      node = bw_stop_to_json (op->stop_snap, op->i1);
      json_object_set_int_member (data, "stop_id", op->stop->id);
      if (g_str_equal (op->type, BW_EVENT_STOP_STARTED) || g_str_equal (op->type, BW_EVENT_STOP_SUGGESTED))
        {
          json_object_set_string_member (data, "trigger", op->stop_snap->trigger);
          if (op->stop_snap->suggested_cause)
            {
              json_object_set_string_member (data, "suggested_cause", op->stop_snap->suggested_cause);
              json_object_set_double_member (data, "suggested_probability",
                                             op->stop_snap->suggested_probability);
            }
          else
            {
              json_object_set_null_member (data, "suggested_cause");
              json_object_set_null_member (data, "suggested_probability");
            }
        }
      else if (g_str_equal (op->type, BW_EVENT_STOP_CLASSIFIED))
        {
          json_object_set_string_member (data, "cause", op->stop_snap->cause);
          if (op->stop_snap->comment)
            json_object_set_string_member (data, "comment", op->stop_snap->comment);
          else
            json_object_set_null_member (data, "comment");
          json_object_set_string_member (data, "who", op->stop_snap->classified_by);
        }
      json_object_set_member (data, "stop", json_node_ref (node));
    }
  if (op->alarm_snap)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      op->alarm_snap->id = op->alarm->id;
      op->alarm_snap->stop_id = op->alarm->stop_id;
      bw_alarm_build_json (op->alarm_snap, b);
      json_object_set_int_member (data, "alarm_id", op->alarm->id);
      json_object_set_member (data, "alarm", json_builder_get_root (b));
    }
  return bw_event_new (op->type, op->i1, op->s1, data);
}

static gboolean
apply_op (BwMonitor  *self,
          Op         *op,
          GError    **error)
{
  BwLedger *l = self->ledger;

  switch (op->kind)
    {
    case OP_CONVEYOR:
      return bw_ledger_ensure_conveyor (l, op->s1, op->s2, op->i1, error);

    case OP_INSERT_STOP:
      {
        gboolean existed = FALSE;

        if (op->stop->id)
          return TRUE;
        if (!bw_ledger_insert_stop (l, op->stop, &existed, error))
          return FALSE;
        op->assigned = TRUE;
        if (existed)
          g_info ("stop of %s at %" G_GINT64_FORMAT " is already in the ledger (replayed data)",
                  op->stop->conveyor, op->stop->start_us);
        return TRUE;
      }

    case OP_UPDATE_STOP:
      return bw_ledger_update_stop (l, op->stop, error);

    case OP_WINDOW:
      return bw_ledger_save_window (l, op->stop->id, op->window, error);

    case OP_INSERT_ALARM:
      if (op->alarm->id)
        return TRUE;
      if (op->stop)
        op->alarm->stop_id = op->stop->id;
      if (!bw_ledger_insert_alarm (l, op->alarm, error))
        return FALSE;
      op->assigned = TRUE;
      if (op->stop && op->stop->alarm_id != op->alarm->id)
        {
          op->stop->alarm_id = op->alarm->id;
          return bw_ledger_update_stop (l, op->stop, error);
        }
      return TRUE;

    case OP_UPDATE_ALARM:
      return bw_ledger_update_alarm (l, op->alarm, error);

    case OP_CLASSIFY:
      /* s1/s2 old cause/comment, s3/s4 new, s5 who */
      return bw_ledger_classify_stop (l, op->stop->id, op->s1, op->s2, op->s3, op->s4, op->s5,
                                      op->i1, error);

    case OP_EVENT:
      {
        g_autoptr(BwEvent) e = build_event (op);

        if (!bw_ledger_append_event (l, e, error))
          return FALSE;
        g_ptr_array_add (self->events, g_steal_pointer (&e));
        return TRUE;
      }

    case OP_HISTORY:
      return bw_ledger_put_history (l, op->s1, op->s2, op->i1, op->block, error);

    case OP_OFFSET:
      return bw_ledger_set_offset (l, op->s1, (int) op->i1, op->i2, error);

    default:
      g_assert_not_reached ();
    }
}

static void
undo_ids (BwMonitor *self)
{
  /* the transaction was rolled back: ids it handed out do not exist */
  for (GList *l = self->ops.head; l; l = l->next)
    {
      Op *op = l->data;
      if (!op->assigned)
        continue;
      if (op->kind == OP_INSERT_STOP)
        op->stop->id = 0;
      else if (op->kind == OP_INSERT_ALARM)
        {
          op->alarm->id = 0;
          if (op->stop)
            op->stop->alarm_id = 0;
        }
      op->assigned = FALSE;
    }
}

static void
drop_history_ops (BwMonitor *self)
{
  guint dropped = 0;

  for (GList *l = self->ops.head; l;)
    {
      GList *next = l->next;
      Op *op = l->data;
      if (op->kind == OP_HISTORY)
        {
          op_free (op);
          g_queue_delete_link (&self->ops, l);
          dropped++;
        }
      l = next;
    }
  if (dropped)
    g_warning ("the ledger has been unwritable for long: %u minutes of signal history were dropped "
               "to keep the stops, alarms and events", dropped);
}

/**
 * bw_monitor_flush:
 *
 * Writes everything decided since the last flush to the ledger in one
 * transaction and then emits the events. On failure nothing is lost: the
 * queue is kept for the next call.
 */
gboolean
bw_monitor_flush (BwMonitor  *self,
                  GError    **error)
{
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (BW_IS_MONITOR (self), FALSE);

  /* stops waiting for their trigger are decided at the end of a batch */
  for (guint i = 0; i < self->conveyors->len; i++)
    {
      BwConveyor *c = self->conveyors->pdata[i];
      if (c->pending_finalize)
        finalize_stop (self, c);
    }

  if (self->ops.length == 0)
    return TRUE;

  if (self->ledger == NULL)
    {
      /* no ledger (tests, dry runs): events get sequence numbers in memory */
      for (GList *l = self->ops.head; l; l = l->next)
        {
          Op *op = l->data;
          if (op->kind == OP_INSERT_STOP && !op->stop->id)
            op->stop->id = ++self->mem_ids;
          if (op->kind == OP_INSERT_ALARM && !op->alarm->id)
            {
              op->alarm->id = ++self->mem_ids;
              if (op->stop)
                {
                  op->alarm->stop_id = op->stop->id;
                  op->stop->alarm_id = op->alarm->id;
                }
            }
          if (op->kind == OP_EVENT)
            {
              BwEvent *e = build_event (op);
              e->seq = ++self->last_seq;
              g_ptr_array_add (self->events, e);
            }
        }
      g_queue_clear_full (&self->ops, (GDestroyNotify) op_free);
      goto dispatch;
    }

  if (!bw_ledger_begin (self->ledger, &local))
    goto failed;
  for (GList *l = self->ops.head; l; l = l->next)
    if (!apply_op (self, l->data, &local))
      {
        bw_ledger_rollback (self->ledger);
        goto failed;
      }
  if (!bw_ledger_commit (self->ledger, &local))
    goto failed;

  g_queue_clear_full (&self->ops, (GDestroyNotify) op_free);
  if (self->last_error)
    {
      g_message ("the ledger is writable again");
      g_clear_pointer (&self->last_error, g_free);
    }

dispatch:
  {
    g_autoptr(GPtrArray) events = g_steal_pointer (&self->events);
    self->events = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_event_unref);
    for (guint i = 0; i < events->len; i++)
      {
        BwEvent *e = events->pdata[i];
        self->last_seq = MAX (self->last_seq, e->seq);
        g_signal_emit (self, signals[SIGNAL_EVENT], 0, e);
      }
  }
  return TRUE;

failed:
  undo_ids (self);
  g_ptr_array_set_size (self->events, 0);
  self->flush_failures++;
  if (g_strcmp0 (self->last_error, local->message) != 0)
    {
      g_warning ("cannot write the ledger, keeping %u changes to retry: %s",
                 self->ops.length, local->message);
      g_free (self->last_error);
      self->last_error = g_strdup (local->message);
    }
  if (self->ops.length > MAX_PENDING_OPS)
    drop_history_ops (self);
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

/* ---- conveyors ---- */

static void
conveyor_free (BwConveyor *c)
{
  for (guint i = 0; i < c->n_tags; i++)
    bw_ring_clear (&c->rings[i]);
  g_free (c->rings);
  g_free (c->last_t);
  g_free (c->last_v);
  g_free (c->aggs);
  g_strfreev (c->tag_names);
  g_clear_object (&c->open_stop);
  g_clear_pointer (&c->window_due, g_ptr_array_unref);
  g_clear_pointer (&c->md_trips, g_array_unref);
  g_clear_pointer (&c->live, g_array_unref);
  g_clear_pointer (&c->live_scores, g_array_unref);
  g_free (c->score_detector);
  if (c->user_destroy && c->user_data)
    c->user_destroy (c->user_data);
  g_free (c->id);
  g_free (c->name);
  g_free (c);
}

static void
agg_reset_block (Agg *a)
{
  for (guint i = 0; i < BW_HISTORY_BLOCK_LEN; i++)
    a->block[i] = NAN;
  a->dirty = FALSE;
}

BwConveyor *
bw_monitor_add_conveyor (BwMonitor  *self,
                         const char *id,
                         const char *name)
{
  const BwConveyorConfig *cc = bw_config_find_conveyor (self->config, id);
  BwConveyor *c;
  guint n_extra = cc && cc->extra_tags ? g_strv_length (cc->extra_tags) : 0;
  guint capacity;
  Op *op;

  g_return_val_if_fail (g_hash_table_lookup (self->by_id, id) == NULL, NULL);

  c = g_new0 (BwConveyor, 1);
  c->monitor = self;
  c->id = g_strdup (id);
  c->name = g_strdup (name ? name : cc ? cc->name : id);
  c->params = cc ? cc->detection : self->config->detection;
  c->n_tags = BW_N_STANDARD_TAGS + n_extra;
  c->tag_names = g_new0 (char *, c->n_tags + 1);
  for (guint i = 0; i < BW_N_STANDARD_TAGS; i++)
    c->tag_names[i] = g_strdup (bw_tag_name (i));
  for (guint i = 0; i < n_extra; i++)
    c->tag_names[BW_N_STANDARD_TAGS + i] = g_strdup (cc->extra_tags[i]);
  c->rings = g_new0 (BwRing, c->n_tags);
  c->last_t = g_new0 (gint64, c->n_tags);
  c->last_v = g_new0 (double, c->n_tags);
  c->aggs = g_new0 (Agg, c->n_tags);
  /* 10 Hz tags; a little headroom for faster ones */
  capacity = (guint) MIN (c->params.ring_us / 100000 + 64, G_MAXUINT32 / 2);
  for (guint i = 0; i < c->n_tags; i++)
    {
      bw_ring_init (&c->rings[i], capacity);
      c->last_t[i] = G_MININT64;
      c->last_v[i] = NAN;
      c->aggs[i].sec = G_MININT64;
      c->aggs[i].minute_us = G_MININT64;
      agg_reset_block (&c->aggs[i]);
    }
  c->state = BW_CONVEYOR_UNKNOWN;
  c->window_due = g_ptr_array_new_with_free_func (g_object_unref);
  c->md_trips = g_array_new (FALSE, FALSE, sizeof (gint64));
  c->live = g_array_new (FALSE, FALSE, sizeof (LiveSample));
  c->live_scores = g_array_new (FALSE, FALSE, sizeof (LiveSample));
  c->last_stop_end_us = 0;

  g_ptr_array_add (self->conveyors, c);
  g_hash_table_insert (self->by_id, c->id, c);
  for (guint i = 0; i < c->n_tags; i++)
    {
      ItemRef *ref = g_new (ItemRef, 1);
      ref->conveyor = c;
      ref->tag = i;
      g_hash_table_insert (self->items, g_strconcat (c->id, ".", c->tag_names[i], NULL), ref);
    }

  op = queue_op (self, OP_CONVEYOR);
  op->s1 = g_strdup (c->id);
  op->s2 = g_strdup (c->name);
  op->i1 = bw_time_now ();
  return c;
}

/* ---- history ---- */

static void
agg_close_second (BwMonitor  *self,
                  BwConveyor *c,
                  guint       tag)
{
  Agg *a = &c->aggs[tag];
  gint64 sec_us, minute_us;
  guint s;

  if (a->sec == G_MININT64 || a->n == 0)
    return;
  sec_us = a->sec * BW_USEC_PER_SEC;
  minute_us = sec_us - ((sec_us % BW_USEC_PER_MIN) + BW_USEC_PER_MIN) % BW_USEC_PER_MIN;
  if (a->minute_us != minute_us)
    {
      if (a->dirty && a->minute_us != G_MININT64)
        {
          Op *op = queue_op (self, OP_HISTORY);
          op->s1 = g_strdup (c->id);
          op->s2 = g_strdup (c->tag_names[tag]);
          op->i1 = a->minute_us;
          op->block = g_memdup2 (a->block, sizeof a->block);
        }
      agg_reset_block (a);
      a->minute_us = minute_us;
    }
  s = (guint) ((sec_us - minute_us) / BW_USEC_PER_SEC);
  a->block[s * 3] = a->mn;
  a->block[s * 3 + 1] = (float) (a->sum / a->n);
  a->block[s * 3 + 2] = a->mx;
  a->dirty = TRUE;
  a->n = 0;
}

static inline void
agg_add (BwMonitor  *self,
         BwConveyor *c,
         guint       tag,
         gint64      t,
         double      v)
{
  Agg *a = &c->aggs[tag];
  gint64 sec = t >= 0 ? t / BW_USEC_PER_SEC : -((-t + BW_USEC_PER_SEC - 1) / BW_USEC_PER_SEC);

  if (sec != a->sec)
    {
      agg_close_second (self, c, tag);
      a->sec = sec;
      a->mn = a->mx = (float) v;
      a->sum = v;
      a->n = 1;
      return;
    }
  if (v < a->mn)
    a->mn = (float) v;
  if (v > a->mx)
    a->mx = (float) v;
  a->sum += v;
  a->n++;
}

static void
flush_history (BwMonitor  *self,
               BwConveyor *c)
{
  for (guint i = 0; i < c->n_tags; i++)
    {
      Agg *a = &c->aggs[i];
      agg_close_second (self, c, i);
      if (a->dirty && a->minute_us != G_MININT64)
        {
          Op *op = queue_op (self, OP_HISTORY);
          op->s1 = g_strdup (c->id);
          op->s2 = g_strdup (c->tag_names[i]);
          op->i1 = a->minute_us;
          op->block = g_memdup2 (a->block, sizeof a->block);
          a->dirty = FALSE;
        }
    }
}

/* ---- windows and context ---- */

/**
 * bw_conveyor_capture_window:
 *
 * Returns: (transfer full): the conveyor's signals around @stop_us from the
 *   ring, on the 100 ms grid; points after the newest sample are NAN
 */
BwWindow *
bw_conveyor_capture_window (BwConveyor *c,
                            gint64      stop_us)
{
  gint64 before = c->params.window_before_us;
  gint64 after = c->params.window_after_us;
  gint64 t0 = stop_us - before;
  guint n = (guint) ((before + after) / WINDOW_PERIOD_US) + 1;
  BwWindow *w = bw_window_new (stop_us, t0, WINDOW_PERIOD_US, n, c->n_tags,
                               (const char **) c->tag_names);

  for (guint k = 0; k < c->n_tags; k++)
    {
      const BwRing *r = &c->rings[k];
      guint i;
      gint64 newest;

      if (bw_ring_len (r) == 0)
        continue;
      newest = bw_ring_time (r, bw_ring_len (r) - 1);
      /* walk the ring once alongside the grid */
      i = bw_ring_lower_bound (r, t0 + 1);
      for (guint j = 0; j < n; j++)
        {
          gint64 t = t0 + (gint64) j * WINDOW_PERIOD_US;

          if (t > newest)
            break;
          while (i < bw_ring_len (r) && bw_ring_time (r, i) <= t)
            i++;
          if (i > 0)
            w->values[k][j] = bw_ring_value (r, i - 1);
        }
    }
  return w;
}

static int
compare_float (gconstpointer a,
               gconstpointer b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return (x > y) - (x < y);
}

static double
ring_stat (const BwRing *r,
           gint64        from,
           gint64        to,
           char          what)
{
  guint i = bw_ring_lower_bound (r, from);
  g_autoptr(GArray) vals = NULL;
  double acc = what == 'x' ? -INFINITY : 0;
  guint n = 0;

  if (what == 'm')
    vals = g_array_new (FALSE, FALSE, sizeof (float));
  for (; i < bw_ring_len (r) && bw_ring_time (r, i) <= to; i++)
    {
      float v = bw_ring_value (r, i);
      if (what == 'x')
        acc = MAX (acc, v);
      else if (what == 'a')
        acc += v;
      else
        g_array_append_val (vals, v);
      n++;
    }
  if (n == 0)
    return NAN;
  if (what == 'a')
    return acc / n;
  if (what == 'm')
    {
      g_array_sort (vals, compare_float);
      return n % 2 ? g_array_index (vals, float, n / 2)
                   : (g_array_index (vals, float, n / 2 - 1) + g_array_index (vals, float, n / 2)) / 2.0;
    }
  return acc;
}

/* ---- stop detection ---- */

static void
open_stop (BwMonitor  *self,
           BwConveyor *c,
           gint64      start_us,
           gboolean    by_speed)
{
  g_assert (c->open_stop == NULL);

  c->open_stop = bw_stop_new (c->id, start_us, "none");
  c->state = BW_CONVEYOR_STOPPED;
  c->stop_by_speed = by_speed;
  c->pending_finalize = TRUE;
  self->stops_opened++;
}

static BwTrigger
first_out (BwConveyor *c,
           gint64      start_us)
{
  BwTrigger best = BW_TRIGGER_NONE;

  for (int t = 1; t < BW_N_TRIGGERS; t++)
    {
      gint64 rise = c->rise_us[t];

      if (rise == 0 || rise < start_us - c->params.first_out_window_us || rise > start_us + SETTLE_US)
        continue;
      if (best == BW_TRIGGER_NONE || rise < c->rise_us[best] ||
          (rise == c->rise_us[best] && c->rise_order[t] < c->rise_order[best]))
        best = t;
    }
  return best;
}

static void
finalize_stop (BwMonitor  *self,
               BwConveyor *c)
{
  BwStop *stop = c->open_stop;
  g_autoptr(BwWindow) window = NULL;
  g_autoptr(BwAlarm) alarm = NULL;
  g_autofree char *message = NULL;
  BwStopContext ctx = { 0 };
  gint64 t = stop->start_us;
  guint trips = 0;
  Op *op;

  c->pending_finalize = FALSE;

  g_free (stop->trigger);
  stop->trigger = g_strdup (bw_trigger_name (first_out (c, t)));
  stop->md_peak = ring_stat (&c->rings[BW_TAG_MD_SIGNAL], t - 10 * BW_USEC_PER_SEC, t + BW_USEC_PER_SEC, 'x');
  stop->md_background = ring_stat (&c->rings[BW_TAG_MD_SIGNAL], t - 60 * BW_USEC_PER_SEC,
                                   t - 5 * BW_USEC_PER_SEC, 'm');
  stop->load_before = ring_stat (&c->rings[BW_TAG_LOAD], t - 30 * BW_USEC_PER_SEC, t - 5 * BW_USEC_PER_SEC, 'a');

  /* md_trip rises within the hour before (pruning older ones) */
  {
    guint keep = 0;
    for (guint i = 0; i < c->md_trips->len; i++)
      {
        gint64 r = g_array_index (c->md_trips, gint64, i);
        if (r >= c->last_sample_us - BW_USEC_PER_HOUR)
          g_array_index (c->md_trips, gint64, keep++) = r;
        if (r >= t - BW_USEC_PER_HOUR && r < t - SETTLE_US)
          trips++;
      }
    g_array_set_size (c->md_trips, keep);
  }

  window = bw_conveyor_capture_window (c, t);
  ctx.conveyor = c->id;
  ctx.trigger = stop->trigger;
  ctx.start_us = t;
  ctx.since_last_stop_s = c->last_stop_end_us ? (t - c->last_stop_end_us) / 1e6 : NAN;
  ctx.md_trips_last_hour = trips;
  ctx.load_before = stop->load_before;
  ctx.md_background = stop->md_background;
  ctx.md_peak = stop->md_peak;
  if (self->classify)
    self->classify (stop, window, &ctx, self->classify_data);

  message = g_strdup_printf ("%s stopped (first-out: %s)", c->id, stop->trigger);
  alarm = bw_alarm_new (c->id, "stop", BW_ALARM_PRIORITY_HIGH, message, t);
  g_hash_table_insert (self->alarms, alarm, g_object_ref (alarm));
  self->alarms_raised++;

  op = queue_op (self, OP_INSERT_STOP);
  op->stop = g_object_ref (stop);
  op = queue_op (self, OP_INSERT_ALARM);
  op->alarm = g_object_ref (alarm);
  op->stop = g_object_ref (stop);
  op = queue_op (self, OP_WINDOW);
  op->stop = g_object_ref (stop);
  op->window = bw_window_ref (window);
  queue_event (self, BW_EVENT_STOP_STARTED, t, c->id, stop, alarm);
  queue_event (self, BW_EVENT_ALARM_RAISED, t, c->id, stop, alarm);

  g_ptr_array_add (c->window_due, g_object_ref (stop));

  g_debug ("%s: stop at %" G_GINT64_FORMAT " trigger %s", c->id, t, stop->trigger);
}

static BwAlarm *
find_stop_alarm (BwMonitor *self,
                 BwStop    *stop)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->alarms);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      BwAlarm *a = key;
      if (g_str_equal (a->kind, "stop") && g_str_equal (a->conveyor, stop->conveyor) &&
          a->raised_us == stop->start_us && (a->stop_id == 0 || stop->id == 0 || a->stop_id == stop->id))
        return a;
    }
  return NULL;
}

static void
alarm_changed (BwMonitor  *self,
               BwAlarm    *alarm,
               BwStop     *stop,
               const char *type,
               gint64      time_us)
{
  Op *op = queue_op (self, OP_UPDATE_ALARM);

  op->alarm = g_object_ref (alarm);
  queue_event (self, type, time_us, alarm->conveyor, stop, alarm);
  if (alarm->state == BW_ALARM_NORMAL)
    {
      queue_event (self, BW_EVENT_ALARM_CLEARED, time_us, alarm->conveyor, stop, alarm);
      g_hash_table_remove (self->alarms, alarm);
    }
}

static void
close_stop (BwMonitor  *self,
            BwConveyor *c,
            gint64      end_us)
{
  g_autoptr(BwStop) stop = g_steal_pointer (&c->open_stop);
  BwAlarm *alarm;
  Op *op;

  if (c->pending_finalize)
    {
      c->open_stop = g_object_ref (stop);
      finalize_stop (self, c);
      g_clear_object (&c->open_stop);
    }
  stop->end_us = MAX (end_us, stop->start_us);
  stop->micro = stop->end_us - stop->start_us < c->params.micro_stop_us;
  c->state = BW_CONVEYOR_RUNNING;
  c->last_stop_end_us = stop->end_us;
  c->stop_by_speed = FALSE;

  op = queue_op (self, OP_UPDATE_STOP);
  op->stop = g_object_ref (stop);
  queue_event (self, BW_EVENT_STOP_ENDED, stop->end_us, c->id, stop, NULL);

  alarm = find_stop_alarm (self, stop);
  if (alarm)
    {
      g_object_ref (alarm);
      if (bw_alarm_return_to_normal (alarm, stop->end_us))
        alarm_changed (self, alarm, stop, BW_EVENT_ALARM_RETURNED, stop->end_us);
      g_object_unref (alarm);
    }
}

static void
check_windows (BwMonitor  *self,
               BwConveyor *c,
               gboolean    force)
{
  for (guint i = 0; i < c->window_due->len;)
    {
      BwStop *stop = c->window_due->pdata[i];

      if (force || c->last_sample_us >= stop->start_us + c->params.window_after_us)
        {
          Op *op = queue_op (self, OP_WINDOW);
          op->stop = g_object_ref (stop);
          op->window = bw_conveyor_capture_window (c, stop->start_us);
          g_ptr_array_remove_index (c->window_due, i);
        }
      else
        i++;
    }
}

static inline gboolean
is_on (double v)
{
  return v >= 0.5;
}

static void
process_sample (BwMonitor  *self,
                BwConveyor *c,
                guint       tag,
                gint64      t,
                double      v)
{
  double prev = c->last_v[tag];

  bw_ring_push (&c->rings[tag], t, (float) v);
  c->last_t[tag] = t;
  c->last_v[tag] = v;
  if (c->first_sample_us == 0)
    c->first_sample_us = t;
  if (t > c->last_sample_us)
    c->last_sample_us = t;
  c->last_wall_us = self->wall_now;
  agg_add (self, c, tag, t, v);
  if (self->collect_live)
    {
      LiveSample ls = { tag, t, v };
      g_array_append_val (c->live, ls);
    }

  if (c->pending_finalize && t >= c->open_stop->start_us + SETTLE_US)
    finalize_stop (self, c);

  switch (tag)
    {
    case BW_TAG_RUNNING:
      c->have_running = TRUE;
      if (is_on (v))
        {
          if (isnan (prev) || !is_on (prev))
            c->running_since_us = t;
          if (c->state == BW_CONVEYOR_STOPPED && c->open_stop && (isnan (prev) || !is_on (prev)))
            close_stop (self, c, t);
          if (c->state == BW_CONVEYOR_UNKNOWN || (c->state == BW_CONVEYOR_STOPPED && !c->open_stop))
            c->state = BW_CONVEYOR_RUNNING;
          c->below_since_us = 0;
        }
      else
        {
          if (c->state == BW_CONVEYOR_RUNNING && !c->open_stop)
            open_stop (self, c, t, FALSE);
          else if (c->state == BW_CONVEYOR_UNKNOWN)
            c->state = BW_CONVEYOR_STOPPED; /* stopped before we saw it: no start time to record */
        }
      break;

    case BW_TAG_BELT_SPEED:
      {
      gboolean speed_only = !c->have_running && t - c->first_sample_us >= RUNNING_TAG_GRACE_US;

      if (v < c->params.zero_speed)
        {
          gboolean rule_applies = speed_only ||
                                  (is_on (c->last_v[BW_TAG_RUNNING]) &&
                                   t - c->running_since_us >= STARTUP_GRACE_US);
          if (c->below_since_us == 0)
            c->below_since_us = t;
          if (!rule_applies)
            c->below_since_us = t;
          else if (c->state != BW_CONVEYOR_STOPPED && t - c->below_since_us >= c->params.zero_speed_time_us)
            {
              if (c->state == BW_CONVEYOR_UNKNOWN && c->last_sample_us - c->below_since_us < c->params.zero_speed_time_us)
                break;
              if (c->state == BW_CONVEYOR_UNKNOWN)
                c->state = BW_CONVEYOR_STOPPED;
              else
                open_stop (self, c, c->below_since_us, TRUE);
            }
        }
      else
        {
          c->below_since_us = 0;
          if (speed_only)
            {
              if (c->state == BW_CONVEYOR_STOPPED && c->open_stop)
                close_stop (self, c, t);
              else if (c->state != BW_CONVEYOR_STOPPED || !c->open_stop)
                c->state = BW_CONVEYOR_RUNNING;
            }
          else if (c->state == BW_CONVEYOR_STOPPED && c->open_stop && c->stop_by_speed &&
                   is_on (c->last_v[BW_TAG_RUNNING]))
            close_stop (self, c, t);
        }
      }
      break;

    case BW_TAG_MD_TRIP:
    case BW_TAG_OVERLOAD:
    case BW_TAG_PULLCORD:
    case BW_TAG_MISALIGN:
    case BW_TAG_CHUTE_BLOCK:
    case BW_TAG_SLIP:
      if (is_on (v) && (isnan (prev) || !is_on (prev)))
        {
          BwTrigger trig = bw_trigger_for_tag (tag);
          c->rise_us[trig] = t;
          c->rise_order[trig] = ++self->order;
          if (tag == BW_TAG_MD_TRIP)
            g_array_append_val (c->md_trips, t);
        }
      break;

    default:
      break;
    }

  if (c->window_due->len)
    check_windows (self, c, FALSE);

  if (self->hook)
    self->hook (c, tag, t, v, self->hook_data);
}

/* ---- ingest ---- */

static void
note_bad (BwMonitor   *self,
          BwBadReason  reason,
          const char  *detail)
{
  gint64 now = self->wall_now ? self->wall_now : bw_time_now ();

  self->bad_since_log[reason]++;
  if (now - self->bad_logged_us[reason] >= BAD_LOG_INTERVAL_US)
    {
      g_warning ("rejected input (%s)%s%s; %" G_GUINT64_FORMAT " such since the last report",
                 bw_bad_reason_name (reason), detail ? ": " : "", detail ? detail : "",
                 self->bad_since_log[reason]);
      self->bad_logged_us[reason] = now;
      self->bad_since_log[reason] = 0;
    }
}

static void
wire_bad_cb (BwBadReason reason,
             gsize       offset,
             gpointer    user_data)
{
  BwMonitor *self = user_data;
  char detail[64];

  g_snprintf (detail, sizeof detail, "at byte %" G_GSIZE_FORMAT " of a message", offset);
  note_bad (self, reason, detail);
}

static gboolean
valid_conveyor_id (const char *id,
                   gsize       len)
{
  if (len == 0 || len > 64)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!(g_ascii_isalnum (id[i]) || id[i] == '-' || id[i] == '_'))
      return FALSE;
  return TRUE;
}

static ItemRef *
resolve_item (BwMonitor  *self,
              const char *item)
{
  ItemRef *ref = g_hash_table_lookup (self->items, item);
  const char *dot;

  if (ref || !self->config->auto_add_conveyors)
    return ref;
  dot = strrchr (item, '.');
  if (dot == NULL || bw_tag_from_name (dot + 1, -1) < 0 || !valid_conveyor_id (item, (gsize) (dot - item)))
    return NULL;
  {
    g_autofree char *id = g_strndup (item, (gsize) (dot - item));
    if (g_hash_table_lookup (self->by_id, id))
      return NULL; /* known conveyor, unknown tag */
    g_message ("new conveyor %s", id);
    bw_monitor_add_conveyor (self, id, NULL);
  }
  return g_hash_table_lookup (self->items, item);
}

static void
accept_sample (BwMonitor  *self,
               const char *item,
               gsize       item_len,
               gint64      time_us,
               double      value)
{
  char key[260];
  ItemRef *ref;
  BwConveyor *c;
  gint64 last;

  if (item_len >= sizeof key)
    {
      self->stats.samples--;
      self->stats.bad[BW_BAD_ITEM_ID]++;
      note_bad (self, BW_BAD_ITEM_ID, NULL);
      return;
    }
  memcpy (key, item, item_len);
  key[item_len] = '\0';
  ref = resolve_item (self, key);
  if (ref == NULL)
    {
      self->stats.samples--;
      self->stats.bad[BW_BAD_UNKNOWN_ITEM]++;
      note_bad (self, BW_BAD_UNKNOWN_ITEM, key);
      return;
    }
  if (self->check_future && time_us > self->wall_now + self->config->future_tolerance_us)
    {
      self->stats.samples--;
      self->stats.bad[BW_BAD_FUTURE]++;
      note_bad (self, BW_BAD_FUTURE, key);
      return;
    }
  c = ref->conveyor;
  last = c->last_t[ref->tag];
  if (time_us <= last)
    {
      BwBadReason r = time_us == last ? BW_BAD_DUPLICATE : BW_BAD_BACKWARDS;
      self->stats.samples--;
      self->stats.bad[r]++;
      if (r == BW_BAD_BACKWARDS)
        note_bad (self, r, key);
      return;
    }
  process_sample (self, c, ref->tag, time_us, value);
}

static void
wire_sample_cb (const char *item,
                gsize       item_len,
                gint64      time_us,
                double      value,
                gpointer    user_data)
{
  accept_sample (user_data, item, item_len, time_us, value);
}

/**
 * bw_monitor_ingest_message:
 *
 * Parses one message (a JSON array of samples) and processes its valid
 * samples. Bad input is counted and logged (rate-limited), never fatal.
 *
 * Returns: the number of samples accepted
 */
gsize
bw_monitor_ingest_message (BwMonitor  *self,
                           const char *buf,
                           gsize       len)
{
  guint64 before = self->stats.samples;

  self->wall_now = bw_time_now ();
  bw_wire_parse_message (buf, len, wire_sample_cb, wire_bad_cb, self, &self->stats);
  return (gsize) (self->stats.samples - before);
}

/**
 * bw_monitor_ingest_item:
 * @item: "<conveyor>.<tag>", @item_len bytes
 *
 * Processes one sample that did not come through the wire format (the
 * in-process simulator). Call bw_monitor_begin_batch() before a batch.
 *
 * Returns: whether the sample was accepted
 */
gboolean
bw_monitor_ingest_item (BwMonitor  *self,
                        const char *item,
                        gsize       item_len,
                        gint64      time_us,
                        double      value)
{
  guint64 before = self->stats.samples++;

  if (!isfinite (value))
    {
      self->stats.samples--;
      self->stats.bad[BW_BAD_NON_FINITE]++;
      return FALSE;
    }
  accept_sample (self, item, item_len, time_us, value);
  return self->stats.samples > before;
}

/**
 * bw_monitor_begin_batch:
 *
 * Reads the wall clock once for the samples that follow (future and
 * staleness checks); bw_monitor_ingest_message() does it by itself.
 */
void
bw_monitor_begin_batch (BwMonitor *self)
{
  self->wall_now = bw_time_now ();
  self->stats.messages++;
}

gboolean
bw_monitor_ingest_sample (BwMonitor  *self,
                          const char *conveyor,
                          const char *tag,
                          gint64      time_us,
                          double      value)
{
  g_autofree char *item = g_strconcat (conveyor, ".", tag, NULL);
  guint64 before;

  self->wall_now = bw_time_now ();
  self->stats.messages++;
  if (!isfinite (value))
    {
      self->stats.bad[BW_BAD_NON_FINITE]++;
      return FALSE;
    }
  before = self->stats.samples++;
  accept_sample (self, item, strlen (item), time_us, value);
  return self->stats.samples > before;
}

/**
 * bw_monitor_finish:
 *
 * At the end of a stream or at shutdown: decides pending stops, stores the
 * windows that are still filling as they are and the partial minute of
 * history. Open stops stay open (the ledger has them; they are picked up
 * again at the next start).
 */
void
bw_monitor_finish (BwMonitor *self)
{
  for (guint i = 0; i < self->conveyors->len; i++)
    {
      BwConveyor *c = self->conveyors->pdata[i];
      if (c->pending_finalize)
        finalize_stop (self, c);
      check_windows (self, c, TRUE);
      flush_history (self, c);
    }
}

/* ---- operator actions ---- */

gboolean
bw_monitor_acknowledge_alarm (BwMonitor   *self,
                              gint64       alarm_id,
                              const char  *who,
                              BwAlarm    **out_alarm,
                              GError     **error)
{
  GHashTableIter iter;
  gpointer key;
  BwAlarm *alarm = NULL;
  g_autoptr(BwAlarm) loaded = NULL;
  BwStop *stop = NULL;
  gint64 now = bw_time_now ();

  g_hash_table_iter_init (&iter, self->alarms);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (((BwAlarm *) key)->id == alarm_id)
      alarm = key;
  if (alarm == NULL)
    {
      if (self->ledger == NULL)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_NOT_FOUND, "No alarm %" G_GINT64_FORMAT, alarm_id);
          return FALSE;
        }
      loaded = bw_ledger_get_alarm (self->ledger, alarm_id, error);
      if (loaded == NULL)
        return FALSE;
      alarm = loaded;
    }
  g_object_ref (alarm);
  if (!bw_alarm_acknowledge (alarm, who, now, error))
    {
      g_object_unref (alarm);
      return FALSE;
    }
  for (guint i = 0; i < self->conveyors->len && alarm->stop_id; i++)
    {
      BwConveyor *c = self->conveyors->pdata[i];
      if (c->open_stop && c->open_stop->id == alarm->stop_id)
        stop = c->open_stop;
    }
  alarm_changed (self, alarm, stop, BW_EVENT_ALARM_ACKNOWLEDGED, now);
  if (out_alarm)
    *out_alarm = g_object_ref (alarm);
  g_object_unref (alarm);
  return TRUE;
}

gboolean
bw_monitor_is_known_cause (BwMonitor  *self,
                           const char *cause)
{
  if (cause == NULL)
    return FALSE;
  if (self->config->causes->len == 0)
    return bw_cause_is_default (cause);
  for (guint i = 0; i < self->config->causes->len; i++)
    if (g_str_equal (((BwCauseConfig *) self->config->causes->pdata[i])->code, cause))
      return TRUE;
  return FALSE;
}

gboolean
bw_monitor_classify_stop (BwMonitor   *self,
                          gint64       stop_id,
                          const char  *cause,
                          const char  *comment,
                          const char  *who,
                          BwStop     **out_stop,
                          GError     **error)
{
  g_autoptr(BwStop) stop = NULL;
  gint64 now = bw_time_now ();
  Op *op;

  if (!bw_monitor_is_known_cause (self, cause))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "“%s” is not a cause of the reason tree", cause);
      return FALSE;
    }
  if (who == NULL || *who == '\0')
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "The operator's name is required");
      return FALSE;
    }
  for (guint i = 0; i < self->conveyors->len; i++)
    {
      BwConveyor *c = self->conveyors->pdata[i];
      if (c->open_stop && c->open_stop->id == stop_id)
        stop = g_object_ref (c->open_stop);
    }
  if (stop == NULL)
    {
      if (self->ledger == NULL)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_NOT_FOUND, "No stop %" G_GINT64_FORMAT, stop_id);
          return FALSE;
        }
      stop = bw_ledger_get_stop (self->ledger, stop_id, error);
      if (stop == NULL)
        return FALSE;
    }

  op = queue_op (self, OP_CLASSIFY);
  op->stop = g_object_ref (stop);
  op->s1 = g_strdup (stop->cause);
  op->s2 = g_strdup (stop->comment);
  op->s3 = g_strdup (cause);
  op->s4 = g_strdup (comment && *comment ? comment : NULL);
  op->s5 = g_strdup (who);
  op->i1 = now;
  bw_stop_set_classification (stop, cause, op->s4, who, now);
  queue_event (self, BW_EVENT_STOP_CLASSIFIED, now, stop->conveyor, stop, NULL);
  if (out_stop)
    *out_stop = g_object_ref (stop);
  return TRUE;
}

/**
 * bw_monitor_raise_anomaly:
 * @active: whether the detector's decision is now "anomalous"
 *
 * Raises an anomaly alarm (medium priority) when @active turns on and
 * returns it to normal when it turns off; sends an `anomaly` event both times.
 */
void
bw_monitor_raise_anomaly (BwMonitor  *self,
                          BwConveyor *c,
                          const char *detector,
                          gint64      time_us,
                          double      score,
                          double      threshold,
                          gboolean    active)
{
  GHashTableIter iter;
  gpointer key;
  BwAlarm *alarm = NULL;
  Op *op;

  g_hash_table_iter_init (&iter, self->alarms);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      BwAlarm *a = key;
      if (g_str_equal (a->kind, "anomaly") && g_str_equal (a->conveyor, c->id) && bw_alarm_is_active (a))
        alarm = a;
    }

  if (active && alarm == NULL)
    {
      g_autofree char *message = g_strdup_printf ("%s: %s anomaly score %.3g above %.3g",
                                                  c->id, detector, score, threshold);
      alarm = bw_alarm_new (c->id, "anomaly", BW_ALARM_PRIORITY_MEDIUM, message, time_us);
      g_hash_table_insert (self->alarms, alarm, alarm);
      self->alarms_raised++;
      op = queue_op (self, OP_INSERT_ALARM);
      op->alarm = g_object_ref (alarm);
      op = queue_event (self, BW_EVENT_ANOMALY, time_us, c->id, NULL, alarm);
      op->extra = json_object_new ();
      json_object_set_string_member (op->extra, "detector", detector);
      json_object_set_double_member (op->extra, "score", score);
      json_object_set_double_member (op->extra, "threshold", threshold);
      json_object_set_boolean_member (op->extra, "active", TRUE);
      queue_event (self, BW_EVENT_ALARM_RAISED, time_us, c->id, NULL, alarm);
    }
  else if (!active && alarm != NULL)
    {
      g_object_ref (alarm);
      op = queue_event (self, BW_EVENT_ANOMALY, time_us, c->id, NULL, NULL);
      op->extra = json_object_new ();
      json_object_set_string_member (op->extra, "detector", detector);
      json_object_set_double_member (op->extra, "score", score);
      json_object_set_double_member (op->extra, "threshold", threshold);
      json_object_set_boolean_member (op->extra, "active", FALSE);
      if (bw_alarm_return_to_normal (alarm, time_us))
        alarm_changed (self, alarm, NULL, BW_EVENT_ALARM_RETURNED, time_us);
      g_object_unref (alarm);
    }
}

void
bw_monitor_queue_offset (BwMonitor  *self,
                         const char *source,
                         int         part,
                         gint64      next_offset)
{
  Op *op = queue_op (self, OP_OFFSET);

  op->s1 = g_strdup (source);
  op->i1 = part;
  op->i2 = next_offset;
}

/* ---- live samples ---- */

/**
 * bw_monitor_add_live_score:
 *
 * An anomaly score for the live charts; it goes out with the conveyor's next
 * `samples` event as `anomaly: {detector, threshold, score: [[t_ms, v]…]}`.
 */
void
bw_monitor_add_live_score (BwMonitor  *self,
                           BwConveyor *c,
                           const char *detector,
                           gint64      time_us,
                           double      score,
                           double      threshold)
{
  LiveSample ls = { 0, time_us, score };

  if (!self->collect_live)
    return;
  if (g_strcmp0 (c->score_detector, detector) != 0)
    {
      g_free (c->score_detector);
      c->score_detector = g_strdup (detector);
    }
  c->score_threshold = threshold;
  g_array_append_val (c->live_scores, ls);
}

void
bw_monitor_set_collect_live (BwMonitor *self,
                             gboolean   collect)
{
  self->collect_live = collect;
}

/**
 * bw_monitor_take_live_events:
 *
 * Returns: (transfer container) (element-type BwEvent): one `samples` event
 *   per conveyor that had samples since the last call:
 *   `{"tags": {"belt_speed": [[t_ms, v], …], …}}`
 */
GPtrArray *
bw_monitor_take_live_events (BwMonitor *self)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_event_unref);

  for (guint i = 0; i < self->conveyors->len; i++)
    {
      BwConveyor *c = self->conveyors->pdata[i];
      JsonObject *data, *tags;
      g_autofree JsonArray **arrays = NULL;
      BwEvent *e;
      gint64 newest = 0;

      if (c->live->len == 0 && c->live_scores->len == 0)
        continue;
      arrays = g_new0 (JsonArray *, c->n_tags);
      for (guint k = 0; k < c->live->len; k++)
        {
          LiveSample *s = &g_array_index (c->live, LiveSample, k);
          JsonArray *pair = json_array_sized_new (2);

          if (arrays[s->tag] == NULL)
            arrays[s->tag] = json_array_new ();
          json_array_add_int_element (pair, s->t / 1000);
          json_array_add_double_element (pair, s->v);
          json_array_add_array_element (arrays[s->tag], pair);
          newest = MAX (newest, s->t);
        }
      g_array_set_size (c->live, 0);
      data = json_object_new ();
      tags = json_object_new ();
      for (guint k = 0; k < c->n_tags; k++)
        if (arrays[k])
          json_object_set_array_member (tags, c->tag_names[k], arrays[k]);
      json_object_set_object_member (data, "tags", tags);
      if (c->live_scores->len)
        {
          JsonObject *an = json_object_new ();
          JsonArray *scores = json_array_new ();

          for (guint k = 0; k < c->live_scores->len; k++)
            {
              LiveSample *s = &g_array_index (c->live_scores, LiveSample, k);
              JsonArray *pair = json_array_sized_new (2);
              json_array_add_int_element (pair, s->t / 1000);
              json_array_add_double_element (pair, s->v);
              json_array_add_array_element (scores, pair);
              newest = MAX (newest, s->t);
            }
          g_array_set_size (c->live_scores, 0);
          json_object_set_string_member (an, "detector", c->score_detector);
          json_object_set_double_member (an, "threshold", c->score_threshold);
          json_object_set_array_member (an, "score", scores);
          json_object_set_object_member (data, "anomaly", an);
        }
      json_object_set_string_member (data, "state",
                                     bw_conveyor_state_name (bw_conveyor_get_state (c, bw_time_now ())));
      e = bw_event_new (BW_EVENT_SAMPLES, newest, c->id, data);
      e->seq = self->last_seq;
      g_ptr_array_add (out, e);
    }
  return out;
}

/* ---- construction ---- */

static gboolean
load_state (BwMonitor  *self,
            GError    **error)
{
  BwStopQuery q = { .open_only = TRUE, .ascending = TRUE };
  g_autoptr(GPtrArray) stops = NULL;
  g_autoptr(GPtrArray) alarms = NULL;
  g_autoptr(GPtrArray) known = NULL;

  self->last_seq = bw_ledger_get_last_seq (self->ledger, error);
  if (self->last_seq < 0)
    return FALSE;

  known = bw_ledger_list_conveyors (self->ledger, error);
  if (known == NULL)
    return FALSE;
  for (guint i = 0; i < known->len; i++)
    {
      BwConveyorInfo *info = known->pdata[i];
      if (!g_hash_table_lookup (self->by_id, info->id) &&
          (self->config->auto_add_conveyors || bw_config_find_conveyor (self->config, info->id)))
        bw_monitor_add_conveyor (self, info->id, bw_config_find_conveyor (self->config, info->id) ? NULL : info->name);
    }

  alarms = bw_ledger_list_alarms (self->ledger, TRUE, 0, 0, error);
  if (alarms == NULL)
    return FALSE;
  for (guint i = 0; i < alarms->len; i++)
    {
      BwAlarm *a = alarms->pdata[i];
      g_hash_table_insert (self->alarms, a, g_object_ref (a));
    }

  stops = bw_ledger_list_stops (self->ledger, &q, NULL, error);
  if (stops == NULL)
    return FALSE;
  for (guint i = 0; i < stops->len; i++)
    {
      BwStop *s = stops->pdata[i];
      BwConveyor *c = g_hash_table_lookup (self->by_id, s->conveyor);

      if (c == NULL)
        continue;
      if (c->open_stop)
        {
          /* two open stops of one conveyor can only come from a crash between
           * writes of an older version; the older one ends where the newer began */
          c->open_stop->end_us = s->start_us;
          if (!bw_ledger_update_stop (self->ledger, c->open_stop, error))
            return FALSE;
          g_clear_object (&c->open_stop);
        }
      c->open_stop = g_object_ref (s);
      c->state = BW_CONVEYOR_STOPPED;
      g_message ("%s: stop %" G_GINT64_FORMAT " is still open", c->id, s->id);
    }
  return TRUE;
}

static void
bw_monitor_finalize (GObject *object)
{
  BwMonitor *self = BW_MONITOR (object);

  if (self->classify_destroy)
    self->classify_destroy (self->classify_data);
  if (self->hook_destroy)
    self->hook_destroy (self->hook_data);
  g_queue_clear_full (&self->ops, (GDestroyNotify) op_free);
  g_clear_pointer (&self->events, g_ptr_array_unref);
  g_clear_pointer (&self->items, g_hash_table_unref);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->conveyors, g_ptr_array_unref);
  g_clear_pointer (&self->alarms, g_hash_table_unref);
  g_clear_pointer (&self->unsaved_alarms, g_ptr_array_unref);
  g_free (self->last_error);

  G_OBJECT_CLASS (bw_monitor_parent_class)->finalize (object);
}

static void
bw_monitor_class_init (BwMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bw_monitor_finalize;

  /**
   * BwMonitor::event:
   * @event: a persistent event, after the ledger has it
   */
  signals[SIGNAL_EVENT] = g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                        BW_TYPE_EVENT | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
bw_monitor_init (BwMonitor *self)
{
  self->conveyors = g_ptr_array_new_with_free_func ((GDestroyNotify) conveyor_free);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->items = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->alarms = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_object_unref);
  self->unsaved_alarms = g_ptr_array_new_with_free_func (g_object_unref);
  self->events = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_event_unref);
  g_queue_init (&self->ops);
  self->check_future = TRUE;
}

/**
 * bw_monitor_new:
 * @config: (transfer none): must outlive the monitor
 * @ledger: (nullable) (transfer none): must outlive the monitor
 *
 * Creates the configured conveyors and picks up the ledger's open stops and
 * unacknowledged alarms.
 */
BwMonitor *
bw_monitor_new (const BwConfig  *config,
                BwLedger        *ledger,
                GError         **error)
{
  g_autoptr(BwMonitor) self = g_object_new (BW_TYPE_MONITOR, NULL);

  self->config = config;
  self->ledger = ledger;
  for (guint i = 0; i < config->conveyors->len; i++)
    {
      const BwConveyorConfig *cc = config->conveyors->pdata[i];
      bw_monitor_add_conveyor (self, cc->id, cc->name);
    }
  if (ledger && !load_state (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

void
bw_monitor_set_classifier (BwMonitor          *self,
                           BwStopClassifyFunc  func,
                           gpointer            user_data,
                           GDestroyNotify      destroy)
{
  if (self->classify_destroy)
    self->classify_destroy (self->classify_data);
  self->classify = func;
  self->classify_data = user_data;
  self->classify_destroy = destroy;
}

void
bw_monitor_set_sample_hook (BwMonitor        *self,
                            BwSampleHookFunc  func,
                            gpointer          user_data,
                            GDestroyNotify    destroy)
{
  if (self->hook_destroy)
    self->hook_destroy (self->hook_data);
  self->hook = func;
  self->hook_data = user_data;
  self->hook_destroy = destroy;
}

/**
 * bw_monitor_set_check_future:
 *
 * Whether samples dated ahead of the wall clock (beyond the configured
 * tolerance) are rejected; on by default, off for recorded or generated data.
 */
void
bw_monitor_set_check_future (BwMonitor *self,
                             gboolean   check)
{
  self->check_future = check;
}

guint
bw_monitor_get_pending (BwMonitor *self)
{
  return self->ops.length;
}

const BwWireStats *
bw_monitor_get_stats (BwMonitor *self)
{
  return &self->stats;
}

guint64
bw_monitor_get_stops_opened (BwMonitor *self)
{
  return self->stops_opened;
}

guint64
bw_monitor_get_alarms_raised (BwMonitor *self)
{
  return self->alarms_raised;
}

guint64
bw_monitor_get_flush_failures (BwMonitor *self)
{
  return self->flush_failures;
}

const char *
bw_monitor_get_last_error (BwMonitor *self)
{
  return self->last_error;
}

gint64
bw_monitor_get_last_seq (BwMonitor *self)
{
  return self->last_seq;
}

BwLedger *
bw_monitor_get_ledger (BwMonitor *self)
{
  return self->ledger;
}

const BwConfig *
bw_monitor_get_config (BwMonitor *self)
{
  return self->config;
}

guint
bw_monitor_get_n_conveyors (BwMonitor *self)
{
  return self->conveyors->len;
}

BwConveyor *
bw_monitor_get_conveyor (BwMonitor *self,
                         guint      i)
{
  g_return_val_if_fail (i < self->conveyors->len, NULL);
  return self->conveyors->pdata[i];
}

BwConveyor *
bw_monitor_find_conveyor (BwMonitor  *self,
                          const char *id)
{
  return g_hash_table_lookup (self->by_id, id);
}

const char *
bw_conveyor_get_id (BwConveyor *self)
{
  return self->id;
}

const char *
bw_conveyor_get_name (BwConveyor *self)
{
  return self->name;
}

/**
 * bw_conveyor_get_state:
 * @wall_now_us: the wall clock; a conveyor without samples for longer than
 *   its stale timeout is UNKNOWN — stale data is never shown as running
 */
BwConveyorState
bw_conveyor_get_state (BwConveyor *self,
                       gint64      wall_now_us)
{
  if (self->last_wall_us == 0 || wall_now_us - self->last_wall_us > self->params.stale_timeout_us)
    return BW_CONVEYOR_UNKNOWN;
  return self->state;
}

const char *
bw_conveyor_state_name (BwConveyorState state)
{
  switch (state)
    {
    case BW_CONVEYOR_RUNNING:
      return "running";
    case BW_CONVEYOR_STOPPED:
      return "stopped";
    case BW_CONVEYOR_UNKNOWN:
    default:
      return "unknown";
    }
}

BwStop *
bw_conveyor_get_open_stop (BwConveyor *self)
{
  return self->open_stop;
}

guint
bw_conveyor_get_n_tags (BwConveyor *self)
{
  return self->n_tags;
}

const char *
bw_conveyor_get_tag_name (BwConveyor *self,
                          guint       tag)
{
  g_return_val_if_fail (tag < self->n_tags, NULL);
  return self->tag_names[tag];
}

int
bw_conveyor_find_tag (BwConveyor *self,
                      const char *name)
{
  for (guint i = 0; i < self->n_tags; i++)
    if (g_str_equal (self->tag_names[i], name))
      return (int) i;
  return -1;
}

const BwRing *
bw_conveyor_get_ring (BwConveyor *self,
                      guint       tag)
{
  g_return_val_if_fail (tag < self->n_tags, NULL);
  return &self->rings[tag];
}

gboolean
bw_conveyor_get_last (BwConveyor *self,
                      guint       tag,
                      gint64     *time_us,
                      double     *value)
{
  g_return_val_if_fail (tag < self->n_tags, FALSE);
  if (self->last_t[tag] == G_MININT64)
    return FALSE;
  if (time_us)
    *time_us = self->last_t[tag];
  if (value)
    *value = self->last_v[tag];
  return TRUE;
}

gint64
bw_conveyor_get_last_time (BwConveyor *self)
{
  return self->last_sample_us;
}

gsize
bw_conveyor_get_memory (BwConveyor *self)
{
  gsize total = sizeof *self + self->n_tags * (sizeof (BwRing) + sizeof (Agg) + 16);

  for (guint i = 0; i < self->n_tags; i++)
    total += bw_ring_memory (&self->rings[i]);
  return total;
}

gpointer
bw_conveyor_get_user_data (BwConveyor *self)
{
  return self->user_data;
}

void
bw_conveyor_set_user_data (BwConveyor     *self,
                           gpointer        data,
                           GDestroyNotify  destroy)
{
  if (self->user_destroy && self->user_data)
    self->user_destroy (self->user_data);
  self->user_data = data;
  self->user_destroy = destroy;
}
