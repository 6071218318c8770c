/* bw-notifier.c: desktop notifications of alarms (libnotify)
 *
 * A stop alarm becomes a critical notification that stays until it is
 * acknowledged — from the notification itself, the app, or any other
 * control room (the server's alarm.acknowledged withdraws it). Its actions
 * are "Acknowledge" and "Classify"; clicking the body opens the app.
 *
 * libnotify's calls are synchronous D-Bus calls: a notification daemon
 * answers them in about a millisecond, but a busy one (hundreds of
 * notifications on screen in an alarm flood) takes seconds, and a hung one
 * 25 s each. So libnotify lives on a thread of its own, one for the process
 * (libnotify's D-Bus proxy is process-wide, and its signals come to the
 * thread that made it), with its own main context: every libnotify call, and
 * the D-Bus signals that bring the actions back, happen there. The app's
 * main loop only posts requests to it, which run in the order they were
 * made, and hears back ("sent", "action") through its own main context.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-notifier"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>
#include <libnotify/notify.h>

#include "bw-format.h"
#include "bw-notifier.h"

/* The notification thread: one for the process, for as long as it runs. */
typedef struct
{
  GMainContext *ctx;
  GHashTable   *shown;        /* "notifier:alarm" → NotifyNotification*; this thread's own */
} Worker;

struct _BwNotifier
{
  GObject       parent_instance;

  guint         token;        /* tells its notifications from other notifiers' */
  GMainContext *main_ctx;     /* where its results are delivered */
  char         *app_id;
  char         *app_name;
  gboolean      available;
  gboolean      enabled;
  guint         n_sent;
  gint64        last_sent_us; /* monotonic: when the daemon took the latest */
};

enum
{
  SIGNAL_ACTION,
  SIGNAL_SENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (BwNotifier, bw_notifier, G_TYPE_OBJECT)

typedef enum
{
  REQ_SHOW,
  REQ_WITHDRAW,
  REQ_WITHDRAW_ALL,
  REQ_FENCE,
  RES_SENT,
  RES_FAILED,
  RES_ACTION,
} Kind;

/* Who a notification or a message belongs to; safe to copy and to drop on
 * either thread. */
typedef struct
{
  GWeakRef      notifier;
  GMainContext *main_ctx;
  guint         token;
  char         *app_id;
  char         *app_name;
} Owner;

typedef struct
{
  Kind     kind;
  Owner   *owner;             /* a reference */
  gint64   alarm_id;
  gint64   stop_id;
  char    *summary;
  char    *body;
  char    *text;              /* RES_ACTION: the action; RES_FAILED: the error */
  gboolean critical;
  gint64   at;                /* RES_SENT: monotonic time the daemon answered */
  struct Fence *fence;        /* REQ_FENCE: a reference */
} Message;

/* bw_notifier_flush()'s wait for the requests before it */
typedef struct Fence
{
  GMutex   lock;
  GCond    cond;
  gboolean passed;
} Fence;

static void
fence_free (Fence *f)
{
  g_mutex_clear (&f->lock);
  g_cond_clear (&f->cond);
}

typedef struct
{
  Owner  *owner;              /* a reference */
  gint64  alarm_id;
  gint64  stop_id;
} ActionData;

static Worker *the_worker;

static void
owner_free (Owner *o)
{
  g_weak_ref_clear (&o->notifier);
  g_main_context_unref (o->main_ctx);
  g_free (o->app_id);
  g_free (o->app_name);
}

static Owner *
owner_new (BwNotifier *self)
{
  Owner *o = g_atomic_rc_box_new0 (Owner);

  g_weak_ref_init (&o->notifier, self);
  o->main_ctx = g_main_context_ref (self->main_ctx);
  o->token = self->token;
  o->app_id = g_strdup (self->app_id);
  o->app_name = g_strdup (self->app_name);
  return o;
}

static void
owner_unref (Owner *o)
{
  g_atomic_rc_box_release_full (o, (GDestroyNotify) owner_free);
}

static void
message_free (gpointer data)
{
  Message *m = data;

  owner_unref (m->owner);
  if (m->fence)
    g_atomic_rc_box_release_full (m->fence, (GDestroyNotify) fence_free);
  g_free (m->summary);
  g_free (m->body);
  g_free (m->text);
  g_free (m);
}

static Message *
message_new (Kind    kind,
             Owner  *owner,
             gint64  alarm_id)
{
  Message *m = g_new0 (Message, 1);

  m->kind = kind;
  m->owner = g_atomic_rc_box_acquire (owner);
  m->alarm_id = alarm_id;
  return m;
}

static void
action_data_free (gpointer data)
{
  ActionData *d = data;

  owner_unref (d->owner);
  g_free (d);
}

/* ---- the app's side ---- */

static gboolean
deliver (gpointer data)
{
  Message *m = data;
  g_autoptr(BwNotifier) self = g_weak_ref_get (&m->owner->notifier);

  if (self == NULL)
    return G_SOURCE_REMOVE;
  switch (m->kind)
    {
    case RES_SENT:
      self->n_sent++;
      self->last_sent_us = m->at;
      g_signal_emit (self, signals[SIGNAL_SENT], 0, m->alarm_id);
      break;
    case RES_FAILED:
      g_warning ("Cannot send the notification of alarm %" G_GINT64_FORMAT ": %s", m->alarm_id, m->text);
      break;
    case RES_ACTION:
      g_debug ("notification action %s on alarm %" G_GINT64_FORMAT, m->text, m->alarm_id);
      g_signal_emit (self, signals[SIGNAL_ACTION], 0, m->text, m->alarm_id, m->stop_id);
      break;
    default:
      g_assert_not_reached ();
    }
  return G_SOURCE_REMOVE;
}

/* from the notification thread to the notifier's main context */
static void
reply (Message *m)
{
  g_main_context_invoke_full (m->owner->main_ctx, G_PRIORITY_DEFAULT, deliver, m, message_free);
}

static gboolean run_request (gpointer data);
static gpointer worker_main (gpointer data);

static Worker *
get_worker (void)
{
  static gsize once;

  if (g_once_init_enter (&once))
    {
      Worker *w = g_new0 (Worker, 1);

      w->ctx = g_main_context_new ();
      the_worker = w;
      g_thread_unref (g_thread_new ("bw-notifier", worker_main, w));
      g_once_init_leave (&once, 1);
    }
  return the_worker;
}

static Message *
request (BwNotifier *self,
         Kind        kind,
         gint64      alarm_id)
{
  Owner *o = owner_new (self);
  Message *m = message_new (kind, o, alarm_id);

  owner_unref (o);
  return m;
}

static void
post (Message *m)
{
  g_main_context_invoke_full (get_worker ()->ctx, G_PRIORITY_DEFAULT, run_request, m, message_free);
}

/* The summary names the conveyor by its plant designation (the ID the
 * cards, the banner and the wall display show); its descriptive name, when it
 * has one, opens the body. */
char *
bw_notifier_format_summary (BwAlarm *alarm)
{
  if (g_strcmp0 (alarm->kind, "stop") == 0)
    return g_strdup_printf (_("Conveyor %s stopped"), alarm->conveyor);
  if (g_strcmp0 (alarm->kind, "anomaly") == 0)
    return g_strdup_printf (_("Abnormal behaviour of conveyor %s"), alarm->conveyor);
  return g_strdup_printf (_("Alarm on conveyor %s"), alarm->conveyor);
}

char *
bw_notifier_format_body (BwAlarm    *alarm,
                         BwStop     *stop,
                         const char *conveyor_name)
{
  GString *s = g_string_new (NULL);
  g_autofree char *at = bw_format_time (alarm->raised_us);

  if (conveyor_name && conveyor_name[0] && g_strcmp0 (conveyor_name, alarm->conveyor) != 0)
    {
      g_string_append (s, conveyor_name);
      g_string_append_c (s, '\n');
    }
  if (stop)
    {
      g_string_append_printf (s, _("First-out: %s"), bw_format_trigger (stop->trigger));
      g_string_append_c (s, '\n');
      if (stop->suggested_cause && isfinite (stop->suggested_probability))
        {
          g_autofree char *p = bw_format_probability (stop->suggested_probability);
          g_string_append_printf (s, _("Suggested cause: %s (%s)"), bw_format_cause (stop->suggested_cause), p);
        }
      else if (stop->suggested_cause)
        g_string_append_printf (s, _("Suggested cause: %s"), bw_format_cause (stop->suggested_cause));
      else
        g_string_append (s, _("No suggested cause yet"));
      g_string_append_c (s, '\n');
    }
  g_string_append_printf (s, _("Raised at %s"), at);
  return g_string_free (s, FALSE);
}

/* ---- the notification thread's side ---- */

static char *
shown_key (Owner  *o,
           gint64  alarm_id)
{
  return g_strdup_printf ("%u:%" G_GINT64_FORMAT, o->token, alarm_id);
}

static void
action_cb (NotifyNotification *n,
           char               *action,
           gpointer            user_data)
{
  ActionData *d = user_data;
  Message *m = message_new (RES_ACTION, d->owner, d->alarm_id);

  m->stop_id = d->stop_id;
  m->text = g_strdup (action);
  reply (m);
}

static void
closed_cb (NotifyNotification *n,
           gpointer            user_data)
{
  ActionData *d = g_object_get_data (G_OBJECT (n), "bw-action-data");
  g_autofree char *key = d ? shown_key (d->owner, d->alarm_id) : NULL;

  if (key && g_hash_table_lookup (the_worker->shown, key) == n)
    g_hash_table_remove (the_worker->shown, key);
}

static void
worker_show (Worker  *w,
             Message *m)
{
  g_autoptr(GError) error = NULL;
  char *key = shown_key (m->owner, m->alarm_id);
  NotifyNotification *n = g_hash_table_lookup (w->shown, key);

  if (n)
    {
      notify_notification_update (n, m->summary, m->body, m->owner->app_id);
      g_object_ref (n);
      g_free (key);
    }
  else
    {
      ActionData *d = g_new0 (ActionData, 1);

      n = notify_notification_new (m->summary, m->body, m->owner->app_id);
      d->owner = g_atomic_rc_box_acquire (m->owner);
      d->alarm_id = m->alarm_id;
      d->stop_id = m->stop_id;
      g_object_set_data_full (G_OBJECT (n), "bw-action-data", d, action_data_free);
      notify_notification_set_app_name (n, m->owner->app_name);
      notify_notification_set_category (n, "device.error");
      notify_notification_set_hint_string (n, "desktop-entry", m->owner->app_id);
      notify_notification_add_action (n, BW_NOTIFIER_ACTION_ACKNOWLEDGE, _("Acknowledge"), action_cb, d, NULL);
      if (d->stop_id)
        notify_notification_add_action (n, BW_NOTIFIER_ACTION_CLASSIFY, _("Classify"), action_cb, d, NULL);
      notify_notification_add_action (n, BW_NOTIFIER_ACTION_OPEN, _("Open Beltwatch"), action_cb, d, NULL);
      g_signal_connect (n, "closed", G_CALLBACK (closed_cb), NULL);
      g_hash_table_insert (w->shown, key, g_object_ref (n));
    }
  if (m->critical)
    {
      notify_notification_set_urgency (n, NOTIFY_URGENCY_CRITICAL);
      notify_notification_set_timeout (n, NOTIFY_EXPIRES_NEVER);
    }
  else
    {
      notify_notification_set_urgency (n, NOTIFY_URGENCY_NORMAL);
      notify_notification_set_timeout (n, NOTIFY_EXPIRES_DEFAULT);
    }

  if (notify_notification_show (n, &error))
    {
      Message *r = message_new (RES_SENT, m->owner, m->alarm_id);

      r->at = g_get_monotonic_time ();
      reply (r);
    }
  else
    {
      Message *r = message_new (RES_FAILED, m->owner, m->alarm_id);
      g_autofree char *k = shown_key (m->owner, m->alarm_id);

      r->text = g_strdup (error->message);
      reply (r);
      if (g_hash_table_lookup (w->shown, k) == n)
        g_hash_table_remove (w->shown, k);
    }
  g_object_unref (n);
}

static void
worker_withdraw (Worker     *w,
                 const char *key)
{
  NotifyNotification *n = g_hash_table_lookup (w->shown, key);

  if (n == NULL)
    return;
  g_object_ref (n);
  g_hash_table_remove (w->shown, key);
  notify_notification_close (n, NULL);
  g_object_unref (n);
}

static gboolean
run_request (gpointer data)
{
  Message *m = data;
  Worker *w = the_worker;

  switch (m->kind)
    {
    case REQ_SHOW:
      worker_show (w, m);
      break;
    case REQ_WITHDRAW:
      {
        g_autofree char *key = shown_key (m->owner, m->alarm_id);
        worker_withdraw (w, key);
      }
      break;
    case REQ_WITHDRAW_ALL:
      {
        g_autofree char *prefix = g_strdup_printf ("%u:", m->owner->token);
        g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
        GHashTableIter iter;
        gpointer key;

        g_hash_table_iter_init (&iter, w->shown);
        while (g_hash_table_iter_next (&iter, &key, NULL))
          if (g_str_has_prefix (key, prefix))
            g_ptr_array_add (keys, g_strdup (key));
        for (guint i = 0; i < keys->len; i++)
          worker_withdraw (w, keys->pdata[i]);
      }
      break;
    case REQ_FENCE:
      g_mutex_lock (&m->fence->lock);
      m->fence->passed = TRUE;
      g_cond_signal (&m->fence->cond);
      g_mutex_unlock (&m->fence->lock);
      break;
    default:
      g_assert_not_reached ();
    }
  return G_SOURCE_REMOVE;
}

static gpointer
worker_main (gpointer data)
{
  Worker *w = data;
  GMainLoop *loop;

  g_main_context_push_thread_default (w->ctx);
  w->shown = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  loop = g_main_loop_new (w->ctx, FALSE);
  g_main_loop_run (loop);   /* for the life of the process */
  return NULL;
}

/* ---- public ---- */

/**
 * bw_notifier_show_alarm:
 * @conveyor_name: (nullable): the conveyor's name
 *
 * Shows a notification of @alarm (replacing an earlier one of the same).
 * It goes out on the notification thread: #BwNotifier::sent follows when
 * the notification daemon has it; a daemon's error is logged then.
 *
 * Returns: %FALSE when notifications are not available here
 */
gboolean
bw_notifier_show_alarm (BwNotifier  *self,
                        BwAlarm     *alarm,
                        BwStop      *stop,
                        const char  *conveyor_name,
                        GError     **error)
{
  Message *m;

  g_return_val_if_fail (BW_IS_NOTIFIER (self), FALSE);
  g_return_val_if_fail (BW_IS_ALARM (alarm), FALSE);

  if (!self->enabled)
    return TRUE;
  if (!self->available)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, "libnotify is not initialised");
      return FALSE;
    }
  m = request (self, REQ_SHOW, alarm->id);
  m->stop_id = stop ? stop->id : alarm->stop_id;
  m->summary = bw_notifier_format_summary (alarm);
  m->body = bw_notifier_format_body (alarm, stop, conveyor_name);
  m->critical = alarm->priority == BW_ALARM_PRIORITY_HIGH;
  post (m);
  return TRUE;
}

/**
 * bw_notifier_withdraw:
 *
 * Closes the notification of an alarm, if one is shown.
 */
void
bw_notifier_withdraw (BwNotifier *self,
                      gint64      alarm_id)
{
  g_return_if_fail (BW_IS_NOTIFIER (self));

  if (self->available)
    post (request (self, REQ_WITHDRAW, alarm_id));
}

/**
 * bw_notifier_withdraw_all:
 *
 * Closes every notification this notifier has shown (it outlives the
 * notifier: the request is queued on the notification thread).
 */
void
bw_notifier_withdraw_all (BwNotifier *self)
{
  g_return_if_fail (BW_IS_NOTIFIER (self));

  if (self->available)
    post (request (self, REQ_WITHDRAW_ALL, 0));
}

/**
 * bw_notifier_flush:
 * @timeout_ms: how long to wait at most
 *
 * Waits until the notification thread has done what was asked of it so
 * far (when the app quits: that its notifications are withdrawn).
 *
 * Returns: %FALSE if that took longer than @timeout_ms
 */
gboolean
bw_notifier_flush (BwNotifier *self,
                   guint       timeout_ms)
{
  Fence *f;
  Message *m;
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean passed;

  g_return_val_if_fail (BW_IS_NOTIFIER (self), FALSE);

  if (!self->available || the_worker == NULL)
    return TRUE;
  f = g_atomic_rc_box_new0 (Fence);
  g_mutex_init (&f->lock);
  g_cond_init (&f->cond);
  m = request (self, REQ_FENCE, 0);
  m->fence = g_atomic_rc_box_acquire (f);
  post (m);
  g_mutex_lock (&f->lock);
  while (!f->passed)
    if (!g_cond_wait_until (&f->cond, &f->lock, end))
      break;
  passed = f->passed;
  g_mutex_unlock (&f->lock);
  g_atomic_rc_box_release_full (f, (GDestroyNotify) fence_free);
  return passed;
}

gboolean
bw_notifier_is_available (BwNotifier *self)
{
  g_return_val_if_fail (BW_IS_NOTIFIER (self), FALSE);
  return self->available;
}

void
bw_notifier_set_enabled (BwNotifier *self,
                         gboolean    enabled)
{
  g_return_if_fail (BW_IS_NOTIFIER (self));
  self->enabled = !!enabled;
  if (!self->enabled)
    bw_notifier_withdraw_all (self);
}

/**
 * bw_notifier_get_n_sent:
 *
 * Returns: how many notifications the notification daemon has taken
 */
guint
bw_notifier_get_n_sent (BwNotifier *self)
{
  g_return_val_if_fail (BW_IS_NOTIFIER (self), 0);
  return self->n_sent;
}

/**
 * bw_notifier_get_last_sent_time:
 *
 * Returns: the monotonic time at which the notification daemon took the
 *   latest notification (#BwNotifier::sent comes after, on the app's main
 *   loop), or 0
 */
gint64
bw_notifier_get_last_sent_time (BwNotifier *self)
{
  g_return_val_if_fail (BW_IS_NOTIFIER (self), 0);
  return self->last_sent_us;
}

static void
bw_notifier_finalize (GObject *object)
{
  BwNotifier *self = BW_NOTIFIER (object);

  g_main_context_unref (self->main_ctx);
  g_free (self->app_id);
  g_free (self->app_name);
  G_OBJECT_CLASS (bw_notifier_parent_class)->finalize (object);
}

static void
bw_notifier_class_init (BwNotifierClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bw_notifier_finalize;

  /**
   * BwNotifier::action:
   * @action: BW_NOTIFIER_ACTION_*
   * @alarm_id: the alarm
   * @stop_id: its stop, 0 if none
   */
  signals[SIGNAL_ACTION] =
    g_signal_new ("action", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_INT64, G_TYPE_INT64);
  /* a notification went out (the notification daemon has it) */
  signals[SIGNAL_SENT] =
    g_signal_new ("sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
bw_notifier_init (BwNotifier *self)
{
  static guint tokens;

  self->token = (guint) g_atomic_int_add (&tokens, 1);
  self->enabled = TRUE;
}

BwNotifier *
bw_notifier_new (const char *app_name,
                 const char *app_id)
{
  BwNotifier *self = g_object_new (BW_TYPE_NOTIFIER, NULL);

  self->main_ctx = g_main_context_ref_thread_default ();
  self->app_id = g_strdup (app_id);
  self->app_name = g_strdup (g_get_application_name () ? g_get_application_name () : app_name);
  /* notify_init() only records the name; the D-Bus work begins with the
   * first notification, on the notification thread */
  self->available = notify_is_initted () || notify_init (app_name);
  if (!self->available)
    g_warning ("Desktop notifications are not available");
  return self;
}
