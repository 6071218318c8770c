/* bw-notifier.c: desktop notifications of alarms (libnotify)
 *
 * A stop alarm becomes a critical notification that stays until it is
 * acknowledged — from the notification itself, the app, or any other
 * control room (the server's alarm.acknowledged withdraws it). Its actions
 * are "Acknowledge" and "Classify"; clicking the body opens the app.
 *
 * notify_notification_show() is a synchronous D-Bus call: a notification
 * daemon answers it in about a millisecond, and the alarm must be out
 * before anything else happens.
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

struct _BwNotifier
{
  GObject     parent_instance;

  char       *app_id;
  GHashTable *shown;        /* alarm id (gint64*) → NotifyNotification* */
  gboolean    available;
  gboolean    enabled;
  guint       n_sent;
};

enum
{
  SIGNAL_ACTION,
  SIGNAL_SENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (BwNotifier, bw_notifier, G_TYPE_OBJECT)

typedef struct
{
  BwNotifier *self;   /* unowned; the notifier outlives its notifications */
  gint64      alarm_id;
  gint64      stop_id;
} ActionData;

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

static void
action_cb (NotifyNotification *n,
           char               *action,
           gpointer            user_data)
{
  ActionData *d = user_data;
  BwNotifier *self = d->self;

  g_debug ("notification action %s on alarm %" G_GINT64_FORMAT, action, d->alarm_id);
  g_signal_emit (self, signals[SIGNAL_ACTION], 0, action, d->alarm_id, d->stop_id);
}

static void
closed_cb (NotifyNotification *n,
           gpointer            user_data)
{
  ActionData *d = g_object_get_data (G_OBJECT (n), "bw-action-data");

  if (d && d->self)
    {
      NotifyNotification *current = g_hash_table_lookup (d->self->shown, &d->alarm_id);
      if (current == n)
        g_hash_table_remove (d->self->shown, &d->alarm_id);
    }
}

/**
 * bw_notifier_show_alarm:
 * @conveyor_name: (nullable): the conveyor's name, the alarm's conveyor id
 *   if %NULL
 *
 * Shows a notification of @alarm (replacing an earlier one of the same).
 */
gboolean
bw_notifier_show_alarm (BwNotifier  *self,
                        BwAlarm     *alarm,
                        BwStop      *stop,
                        const char  *conveyor_name,
                        GError     **error)
{
  g_autofree char *summary = NULL;
  g_autofree char *body = NULL;
  NotifyNotification *n;
  ActionData *d;
  gint64 *key;

  g_return_val_if_fail (BW_IS_NOTIFIER (self), FALSE);
  g_return_val_if_fail (BW_IS_ALARM (alarm), FALSE);

  if (!self->enabled)
    return TRUE;
  if (!self->available)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, "libnotify is not initialised");
      return FALSE;
    }

  summary = bw_notifier_format_summary (alarm);
  body = bw_notifier_format_body (alarm, stop, conveyor_name);
  n = g_hash_table_lookup (self->shown, &alarm->id);
  if (n)
    {
      notify_notification_update (n, summary, body, self->app_id);
      g_object_ref (n);
    }
  else
    {
      n = notify_notification_new (summary, body, self->app_id);
      d = g_new0 (ActionData, 1);
      d->self = self;
      d->alarm_id = alarm->id;
      d->stop_id = stop ? stop->id : alarm->stop_id;
      g_object_set_data_full (G_OBJECT (n), "bw-action-data", d, g_free);
      notify_notification_set_app_name (n, g_get_application_name ());
      notify_notification_set_category (n, "device.error");
      notify_notification_set_hint_string (n, "desktop-entry", self->app_id);
      notify_notification_add_action (n, BW_NOTIFIER_ACTION_ACKNOWLEDGE, _("Acknowledge"), action_cb, d, NULL);
      if (d->stop_id)
        notify_notification_add_action (n, BW_NOTIFIER_ACTION_CLASSIFY, _("Classify"), action_cb, d, NULL);
      notify_notification_add_action (n, BW_NOTIFIER_ACTION_OPEN, _("Open Beltwatch"), action_cb, d, NULL);
      g_signal_connect (n, "closed", G_CALLBACK (closed_cb), NULL);
      key = g_new (gint64, 1);
      *key = alarm->id;
      g_hash_table_insert (self->shown, key, g_object_ref (n));
    }
  if (alarm->priority == BW_ALARM_PRIORITY_HIGH)
    {
      notify_notification_set_urgency (n, NOTIFY_URGENCY_CRITICAL);
      notify_notification_set_timeout (n, NOTIFY_EXPIRES_NEVER);
    }
  else
    {
      notify_notification_set_urgency (n, NOTIFY_URGENCY_NORMAL);
      notify_notification_set_timeout (n, NOTIFY_EXPIRES_DEFAULT);
    }

  if (!notify_notification_show (n, error))
    {
      g_hash_table_remove (self->shown, &alarm->id);
      g_object_unref (n);
      return FALSE;
    }
  self->n_sent++;
  g_signal_emit (self, signals[SIGNAL_SENT], 0, alarm->id);
  g_object_unref (n);
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
  NotifyNotification *n;

  g_return_if_fail (BW_IS_NOTIFIER (self));

  n = g_hash_table_lookup (self->shown, &alarm_id);
  if (n == NULL)
    return;
  g_object_ref (n);
  g_hash_table_remove (self->shown, &alarm_id);
  notify_notification_close (n, NULL);
  g_object_unref (n);
}

void
bw_notifier_withdraw_all (BwNotifier *self)
{
  g_autoptr(GList) keys = NULL;

  g_return_if_fail (BW_IS_NOTIFIER (self));

  keys = g_hash_table_get_keys (self->shown);
  for (GList *l = keys; l; l = l->next)
    {
      gint64 id = *(gint64 *) l->data;
      bw_notifier_withdraw (self, id);
    }
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

guint
bw_notifier_get_n_sent (BwNotifier *self)
{
  g_return_val_if_fail (BW_IS_NOTIFIER (self), 0);
  return self->n_sent;
}

static void
unlink_notification (gpointer data)
{
  NotifyNotification *n = data;
  ActionData *d = g_object_get_data (G_OBJECT (n), "bw-action-data");

  g_signal_handlers_disconnect_by_func (n, closed_cb, NULL);
  if (d)
    d->self = NULL;
  g_object_unref (n);
}

static void
bw_notifier_finalize (GObject *object)
{
  BwNotifier *self = BW_NOTIFIER (object);

  g_hash_table_unref (self->shown);
  g_free (self->app_id);
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
  self->shown = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, unlink_notification);
  self->enabled = TRUE;
}

BwNotifier *
bw_notifier_new (const char *app_name,
                 const char *app_id)
{
  BwNotifier *self = g_object_new (BW_TYPE_NOTIFIER, NULL);

  self->app_id = g_strdup (app_id);
  self->available = notify_is_initted () || notify_init (app_name);
  if (!self->available)
    g_warning ("Desktop notifications are not available");
  return self;
}
