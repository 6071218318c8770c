/* bw-annunciator.c: what the control room is told, and for how long
 *
 * An alarm that arrives on the event stream — live, or in the backlog after
 * a reconnection — is announced once: a desktop notification and the horn,
 * which sounds until every alarm that wanted it is acknowledged (here or in
 * any other control room) or the horn is silenced here. Silencing is this
 * client's own business: the alarm stays unacknowledged, in the banner and
 * the list, and the next alarm sounds the horn again. Alarms found already
 * raised when the app starts sound the horn only while their belt is still
 * stopped, and send no notification.
 *
 * The horn's tone is that of the highest priority among the alarms it
 * sounds for.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-annunciator"

#include "config.h"

#include "bw-annunciator.h"

struct _BwAnnunciator
{
  GObject       parent_instance;

  BwLine       *line;        /* owned */
  BwNotifier   *notifier;    /* owned */
  BwAlarmSound *sound;       /* owned */
  GHashTable   *announced;   /* alarm ids */
  GHashTable   *horn;        /* alarm id → priority: who wants the horn */
  BwAlarm      *current;     /* owned: the newest unacknowledged alarm */
  guint         n_unack;
};

enum
{
  PROP_0,
  PROP_SOUNDING,
  PROP_N_UNACKNOWLEDGED,
  PROP_CURRENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (BwAnnunciator, bw_annunciator, G_TYPE_OBJECT)

static gint64 *
id_key (gint64 id)
{
  gint64 *k = g_new (gint64, 1);
  *k = id;
  return k;
}

static void
update_horn (BwAnnunciator *self)
{
  GHashTableIter iter;
  gpointer value;
  int best = 0;

  g_hash_table_iter_init (&iter, self->horn);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      int prio = GPOINTER_TO_INT (value);
      if (best == 0 || prio < best)
        best = prio;
    }
  if (best)
    {
      g_autoptr(GError) error = NULL;
      if (!bw_alarm_sound_play (self->sound, best, &error))
        g_warning ("Cannot sound the alarm: %s", error->message);
    }
  else
    bw_alarm_sound_stop (self->sound);
  /* a test tone that was already playing does not change "playing" */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOUNDING]);
}

static void
update_summary (BwAnnunciator *self)
{
  GListModel *alarms = bw_line_get_alarms (self->line);
  guint n = g_list_model_get_n_items (alarms);
  guint unack = 0;
  BwAlarm *newest = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BwAlarm) a = g_list_model_get_item (alarms, i);
      if (bw_alarm_needs_ack (a))
        {
          unack++;
          if (newest == NULL)
            newest = a;   /* the list is newest first */
        }
    }
  if (unack != self->n_unack)
    {
      self->n_unack = unack;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_UNACKNOWLEDGED]);
    }
  if (newest != self->current)
    {
      g_set_object (&self->current, newest);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT]);
    }
}

static void
alarm_raised_cb (BwLine        *line,
                 BwAlarm       *alarm,
                 BwStop        *stop,
                 gboolean       from_stream,
                 BwAnnunciator *self)
{
  if (bw_alarm_needs_ack (alarm) && !g_hash_table_contains (self->announced, &alarm->id))
    {
      if (from_stream)
        {
          BwLiveConveyor *c = bw_line_find_conveyor (self->line, alarm->conveyor);
          g_autoptr(GError) error = NULL;

          g_hash_table_add (self->announced, id_key (alarm->id));
          g_hash_table_replace (self->horn, id_key (alarm->id), GINT_TO_POINTER (alarm->priority));
          if (!bw_notifier_show_alarm (self->notifier, alarm, stop, c ? bw_live_conveyor_get_name (c) : NULL, &error))
            g_warning ("Cannot send the notification of alarm %" G_GINT64_FORMAT ": %s", alarm->id, error->message);
        }
      else if (alarm->state == BW_ALARM_UNACK_ACTIVE)
        {
          g_hash_table_add (self->announced, id_key (alarm->id));
          g_hash_table_replace (self->horn, id_key (alarm->id), GINT_TO_POINTER (alarm->priority));
        }
    }
  update_horn (self);
  update_summary (self);
}

static void
alarm_changed_cb (BwLine        *line,
                  BwAlarm       *alarm,
                  BwAnnunciator *self)
{
  if (!bw_alarm_needs_ack (alarm))
    {
      g_hash_table_remove (self->horn, &alarm->id);
      bw_notifier_withdraw (self->notifier, alarm->id);
    }
  update_horn (self);
  update_summary (self);
}

static void
alarms_changed_cb (GListModel    *model,
                   guint          position,
                   guint          removed,
                   guint          added,
                   BwAnnunciator *self)
{
  update_summary (self);
}

static void
playing_changed_cb (BwAlarmSound  *sound,
                    GParamSpec    *pspec,
                    BwAnnunciator *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOUNDING]);
}

/**
 * bw_annunciator_silence:
 *
 * Stops the horn for the alarms raised so far; they stay unacknowledged.
 */
void
bw_annunciator_silence (BwAnnunciator *self)
{
  g_return_if_fail (BW_IS_ANNUNCIATOR (self));

  g_hash_table_remove_all (self->horn);
  update_horn (self);
}

/**
 * bw_annunciator_is_sounding:
 *
 * Returns: whether the horn sounds for alarms (a test tone of the
 *   preferences does not count)
 */
gboolean
bw_annunciator_is_sounding (BwAnnunciator *self)
{
  g_return_val_if_fail (BW_IS_ANNUNCIATOR (self), FALSE);
  return g_hash_table_size (self->horn) > 0 && bw_alarm_sound_is_playing (self->sound);
}

guint
bw_annunciator_get_n_unacknowledged (BwAnnunciator *self)
{
  g_return_val_if_fail (BW_IS_ANNUNCIATOR (self), 0);
  return self->n_unack;
}

/**
 * bw_annunciator_get_current:
 *
 * Returns: (transfer none) (nullable): the newest alarm still to acknowledge
 */
BwAlarm *
bw_annunciator_get_current (BwAnnunciator *self)
{
  g_return_val_if_fail (BW_IS_ANNUNCIATOR (self), NULL);
  return self->current;
}

gboolean
bw_annunciator_was_announced (BwAnnunciator *self,
                              gint64         alarm_id)
{
  g_return_val_if_fail (BW_IS_ANNUNCIATOR (self), FALSE);
  return g_hash_table_contains (self->announced, &alarm_id);
}

static void
bw_annunciator_dispose (GObject *object)
{
  BwAnnunciator *self = BW_ANNUNCIATOR (object);

  if (self->line)
    {
      g_signal_handlers_disconnect_by_data (self->line, self);
      g_signal_handlers_disconnect_by_data (bw_line_get_alarms (self->line), self);
    }
  if (self->sound)
    {
      g_signal_handlers_disconnect_by_data (self->sound, self);
      bw_alarm_sound_stop (self->sound);
    }
  g_clear_object (&self->line);
  g_clear_object (&self->notifier);
  g_clear_object (&self->sound);
  g_clear_object (&self->current);
  G_OBJECT_CLASS (bw_annunciator_parent_class)->dispose (object);
}

static void
bw_annunciator_finalize (GObject *object)
{
  BwAnnunciator *self = BW_ANNUNCIATOR (object);

  g_hash_table_unref (self->announced);
  g_hash_table_unref (self->horn);
  G_OBJECT_CLASS (bw_annunciator_parent_class)->finalize (object);
}

static void
bw_annunciator_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BwAnnunciator *self = BW_ANNUNCIATOR (object);

  switch (prop_id)
    {
    case PROP_SOUNDING:
      g_value_set_boolean (value, bw_annunciator_is_sounding (self));
      break;
    case PROP_N_UNACKNOWLEDGED:
      g_value_set_uint (value, self->n_unack);
      break;
    case PROP_CURRENT:
      g_value_set_object (value, self->current);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bw_annunciator_class_init (BwAnnunciatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bw_annunciator_dispose;
  object_class->finalize = bw_annunciator_finalize;
  object_class->get_property = bw_annunciator_get_property;

  properties[PROP_SOUNDING] =
    g_param_spec_boolean ("sounding", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_UNACKNOWLEDGED] =
    g_param_spec_uint ("n-unacknowledged", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CURRENT] =
    g_param_spec_object ("current", NULL, NULL, BW_TYPE_ALARM,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bw_annunciator_init (BwAnnunciator *self)
{
  self->announced = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->horn = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

BwAnnunciator *
bw_annunciator_new (BwLine       *line,
                    BwNotifier   *notifier,
                    BwAlarmSound *sound)
{
  BwAnnunciator *self = g_object_new (BW_TYPE_ANNUNCIATOR, NULL);

  self->line = g_object_ref (line);
  self->notifier = g_object_ref (notifier);
  self->sound = g_object_ref (sound);
  g_signal_connect (line, "alarm-raised", G_CALLBACK (alarm_raised_cb), self);
  g_signal_connect (line, "alarm-changed", G_CALLBACK (alarm_changed_cb), self);
  g_signal_connect (bw_line_get_alarms (line), "items-changed", G_CALLBACK (alarms_changed_cb), self);
  g_signal_connect (sound, "notify::playing", G_CALLBACK (playing_changed_cb), self);
  return self;
}
