/* bw-context.c: the services the app's windows share
 *
 * One context per application: the settings, the connection to the server
 * (or the local service started when no server is set), the live line, and
 * the annunciator with its notifier and horn. Windows are handed the
 * context instead of reaching for globals.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-context"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "bw-context.h"

struct _BwContext
{
  GObject        parent_instance;

  GSettings     *settings;
  BwClient      *client;
  BwLine        *line;
  BwNotifier    *notifier;
  BwAlarmSound  *sound;
  BwAnnunciator *annunciator;
  BwLocalServer *local;
  GCancellable  *start_cancellable; /* the local service's start under way */
  char          *override_url;
  char          *problem;
  gboolean       is_local;
  gboolean       started;
};

enum
{
  PROP_0,
  PROP_PROBLEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (BwContext, bw_context, G_TYPE_OBJECT)

static void
set_problem (BwContext  *self,
             const char *problem)
{
  if (g_strcmp0 (self->problem, problem) == 0)
    return;
  g_free (self->problem);
  self->problem = g_strdup (problem);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
}

/* ---- connection ---- */

static void
local_started_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  BwContext *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = bw_local_server_start_finish (BW_LOCAL_SERVER (source), result, &error);

  if (url == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *msg = g_strdup_printf (_("The local service did not start: %s"), error->message);
          g_warning ("%s", error->message);
          set_problem (self, msg);
        }
      g_object_unref (self);
      return;
    }
  set_problem (self, NULL);
  if (bw_client_set_server (self->client, url, NULL, NULL, &error))
    bw_client_start (self->client);
  else
    set_problem (self, error->message);
  g_object_unref (self);
}

static void
apply_server (BwContext *self)
{
  g_autofree char *url = g_settings_get_string (self->settings, "server-url");
  g_autofree char *user = g_settings_get_string (self->settings, "username");
  g_autofree char *password = g_settings_get_string (self->settings, "password");
  g_autoptr(GError) error = NULL;

  if (self->override_url)
    {
      g_free (url);
      url = g_strdup (self->override_url);
    }
  g_strstrip (url);
  /* a start still under way answers for settings that have changed since */
  if (self->start_cancellable)
    g_cancellable_cancel (self->start_cancellable);
  g_clear_object (&self->start_cancellable);
  if (url[0] == '\0')
    {
      self->is_local = TRUE;
      bw_client_stop (self->client);
      self->start_cancellable = g_cancellable_new ();
      bw_local_server_start_async (self->local, self->start_cancellable, local_started_cb, g_object_ref (self));
      return;
    }
  self->is_local = FALSE;
  /* the service the app started goes without the app waiting for it */
  bw_local_server_request_stop (self->local);
  if (!bw_client_set_server (self->client, url, user, password, &error))
    {
      bw_client_stop (self->client);
      set_problem (self, error->message);
      return;
    }
  set_problem (self, NULL);
  bw_client_start (self->client);
}

static void
server_setting_changed_cb (GSettings  *settings,
                           const char *key,
                           BwContext  *self)
{
  if (self->started)
    apply_server (self);
}

static void
sound_setting_changed_cb (GSettings  *settings,
                          const char *key,
                          BwContext  *self)
{
  g_autofree char *high = g_settings_get_string (settings, "alarm-sound-high");
  g_autofree char *medium = g_settings_get_string (settings, "alarm-sound-medium");

  bw_alarm_sound_set_volume (self->sound, g_settings_get_double (settings, "alarm-volume"));
  bw_alarm_sound_set_file (self->sound, BW_ALARM_PRIORITY_HIGH, high);
  bw_alarm_sound_set_file (self->sound, BW_ALARM_PRIORITY_MEDIUM, medium);
  bw_notifier_set_enabled (self->notifier, g_settings_get_boolean (settings, "notifications"));
}

/**
 * bw_context_set_server_override:
 * @url: (nullable): a server for this run only (`beltwatch --server URL`)
 */
void
bw_context_set_server_override (BwContext  *self,
                                const char *url)
{
  g_return_if_fail (BW_IS_CONTEXT (self));

  g_free (self->override_url);
  self->override_url = url && url[0] ? g_strdup (url) : NULL;
  if (self->started)
    apply_server (self);
}

/**
 * bw_context_start:
 *
 * Connects to the server of the settings, or starts the local service.
 */
void
bw_context_start (BwContext *self)
{
  g_return_if_fail (BW_IS_CONTEXT (self));

  if (self->started)
    return;
  self->started = TRUE;
  apply_server (self);
}

/**
 * bw_context_shutdown:
 *
 * Disconnects, silences the horn, withdraws the notifications and stops the
 * local service the app started.
 */
void
bw_context_shutdown (BwContext *self)
{
  g_return_if_fail (BW_IS_CONTEXT (self));

  if (self->start_cancellable)
    g_cancellable_cancel (self->start_cancellable);
  bw_client_stop (self->client);
  bw_annunciator_silence (self->annunciator);
  bw_notifier_withdraw_all (self->notifier);
  /* a busy notification daemon must not keep the app from quitting */
  if (!bw_notifier_flush (self->notifier, 2000))
    g_message ("the notification daemon did not take all the withdrawals in 2 s");
  bw_local_server_stop (self->local);
  self->started = FALSE;
}

/**
 * bw_context_get_problem:
 *
 * Returns: (nullable): why the app cannot connect at all (a bad URL, a
 *   local service that did not start); lost connections are the client's
 *   state
 */
const char *
bw_context_get_problem (BwContext *self)
{
  g_return_val_if_fail (BW_IS_CONTEXT (self), NULL);
  return self->problem;
}

gboolean
bw_context_is_local (BwContext *self)
{
  g_return_val_if_fail (BW_IS_CONTEXT (self), FALSE);
  return self->is_local;
}

/**
 * bw_context_dup_operator:
 *
 * Returns: (transfer full): who acknowledges and classifies here: the name
 *   in the preferences, else the user's real name
 */
char *
bw_context_dup_operator (BwContext *self)
{
  g_autofree char *name = NULL;
  const char *real;

  g_return_val_if_fail (BW_IS_CONTEXT (self), NULL);
  name = g_settings_get_string (self->settings, "operator-name");
  g_strstrip (name);
  if (name[0])
    return g_steal_pointer (&name);
  real = g_get_real_name ();
  if (real && real[0] && g_strcmp0 (real, "Unknown") != 0)
    return g_strdup (real);
  return g_strdup (g_get_user_name ());
}

static char *
server_host (BwContext *self)
{
  const char *url = bw_client_get_base_url (self->client);
  const char *p = url ? strstr (url, "://") : NULL;

  return g_strdup (p ? p + 3 : url ? url : "");
}

/**
 * bw_context_describe_connection:
 * @ok: (out): whether fresh data is coming
 * @detail: (out) (optional) (transfer full): a sentence for the banner when
 *   not @ok
 *
 * Returns: (transfer full): the connection state in a few words
 */
char *
bw_context_describe_connection (BwContext  *self,
                                gboolean   *ok,
                                char      **detail)
{
  g_autofree char *host = NULL;
  const char *error;

  g_return_val_if_fail (BW_IS_CONTEXT (self), NULL);

  host = server_host (self);
  error = bw_client_get_last_error (self->client);
  *ok = FALSE;
  if (detail)
    *detail = NULL;
  switch (bw_client_get_state (self->client))
    {
    case BW_CONNECTION_CONNECTED:
      *ok = TRUE;
      if (self->is_local)
        return g_strdup (_("Local service"));
      return g_strdup_printf (_("Connected to %s"), host);
    case BW_CONNECTION_CONNECTING:
      if (detail)
        *detail = g_strdup_printf (_("Connecting to %s… The data on screen is not live."), host[0] ? host : _("the local service"));
      return g_strdup (_("Connecting…"));
    case BW_CONNECTION_WAITING:
      if (detail)
        {
          guint s = bw_client_get_retry_seconds (self->client);
          g_autofree char *why = error ? g_strdup_printf (" (%s)", error) : g_strdup ("");
          *detail = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                  "No connection to %s%s. Next attempt in %u second. The data on screen is not live.",
                                                  "No connection to %s%s. Next attempt in %u seconds. The data on screen is not live.",
                                                  s),
                                     host, why, s);
        }
      return g_strdup (_("No connection"));
    case BW_CONNECTION_STOPPED:
    default:
      if (detail)
        *detail = self->problem ? g_strdup (self->problem)
                                : g_strdup (_("Starting the local service…"));
      return g_strdup (self->problem ? _("No connection") : _("Starting…"));
    }
}

/* ---- shifts ---- */

/**
 * bw_context_dup_shift_schedule:
 *
 * Returns: (transfer full): the plant's shift schedule from the settings
 *   (the default one if the setting is empty or broken), in local time
 */
BwShiftSchedule *
bw_context_dup_shift_schedule (BwContext *self)
{
  g_autofree char *spec = NULL;
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
  g_autoptr(GError) error = NULL;
  BwShiftSchedule *schedule = NULL;

  g_return_val_if_fail (BW_IS_CONTEXT (self), NULL);

  spec = g_settings_get_string (self->settings, "shift-schedule");
  g_strstrip (spec);
  if (spec[0])
    {
      schedule = bw_shift_schedule_new_parse (spec, tz, &error);
      if (schedule == NULL)
        g_warning ("Shift schedule “%s”: %s; using the default one", spec, error->message);
    }
  return schedule ? schedule : bw_shift_schedule_new_default (tz);
}

/**
 * bw_shift_spec_validate:
 *
 * Returns: whether @spec is a shift schedule ("" is: the default one)
 */
gboolean
bw_shift_spec_validate (const char  *spec,
                        GError     **error)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
  g_autoptr(BwShiftSchedule) schedule = NULL;
  g_autofree char *s = g_strstrip (g_strdup (spec ? spec : ""));

  if (s[0] == '\0')
    return TRUE;
  schedule = bw_shift_schedule_new_parse (s, tz, error);
  return schedule != NULL;
}

/**
 * bw_context_get_shift:
 * @which: the shift containing @at_us, or the one before it
 * @name: (out) (optional) (transfer full): the shift's name
 *
 * Returns: whether the schedule has such a shift (@at_us may be in a gap)
 */
gboolean
bw_context_get_shift (BwContext     *self,
                      BwShiftWhich   which,
                      gint64         at_us,
                      gint64        *from_us,
                      gint64        *to_us,
                      char         **name)
{
  g_autoptr(BwShiftSchedule) schedule = NULL;
  BwShift shift;
  gboolean found;

  g_return_val_if_fail (BW_IS_CONTEXT (self), FALSE);

  schedule = bw_context_dup_shift_schedule (self);
  if (which == BW_SHIFT_PREVIOUS)
    found = bw_shift_schedule_previous (schedule, at_us, &shift);
  else
    found = bw_shift_schedule_find (schedule, at_us, &shift);
  if (!found)
    return FALSE;
  if (from_us)
    *from_us = shift.start_us;
  if (to_us)
    *to_us = shift.end_us;
  if (name)
    *name = g_strdup (bw_shift_schedule_get_name (schedule, shift.index));
  return TRUE;
}

/* ---- accessors ---- */

GSettings *
bw_context_get_settings (BwContext *self)
{
  g_return_val_if_fail (BW_IS_CONTEXT (self), NULL);
  return self->settings;
}

BwClient *
bw_context_get_client (BwContext *self)
{
  g_return_val_if_fail (BW_IS_CONTEXT (self), NULL);
  return self->client;
}

BwLine *
bw_context_get_line (BwContext *self)
{
  g_return_val_if_fail (BW_IS_CONTEXT (self), NULL);
  return self->line;
}

BwAnnunciator *
bw_context_get_annunciator (BwContext *self)
{
  g_return_val_if_fail (BW_IS_CONTEXT (self), NULL);
  return self->annunciator;
}

BwAlarmSound *
bw_context_get_sound (BwContext *self)
{
  g_return_val_if_fail (BW_IS_CONTEXT (self), NULL);
  return self->sound;
}

BwNotifier *
bw_context_get_notifier (BwContext *self)
{
  g_return_val_if_fail (BW_IS_CONTEXT (self), NULL);
  return self->notifier;
}

BwLocalServer *
bw_context_get_local_server (BwContext *self)
{
  g_return_val_if_fail (BW_IS_CONTEXT (self), NULL);
  return self->local;
}

/* ---- GObject ---- */

static void
bw_context_dispose (GObject *object)
{
  BwContext *self = BW_CONTEXT (object);

  if (self->settings)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  if (self->start_cancellable)
    g_cancellable_cancel (self->start_cancellable);
  g_clear_object (&self->start_cancellable);
  g_clear_object (&self->annunciator);
  g_clear_object (&self->line);
  g_clear_object (&self->client);
  g_clear_object (&self->notifier);
  g_clear_object (&self->sound);
  g_clear_object (&self->local);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (bw_context_parent_class)->dispose (object);
}

static void
bw_context_finalize (GObject *object)
{
  BwContext *self = BW_CONTEXT (object);

  g_free (self->override_url);
  g_free (self->problem);
  G_OBJECT_CLASS (bw_context_parent_class)->finalize (object);
}

static void
bw_context_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  BwContext *self = BW_CONTEXT (object);

  switch (prop_id)
    {
    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bw_context_class_init (BwContextClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bw_context_dispose;
  object_class->finalize = bw_context_finalize;
  object_class->get_property = bw_context_get_property;

  properties[PROP_PROBLEM] =
    g_param_spec_string ("problem", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bw_context_init (BwContext *self)
{
}

BwContext *
bw_context_new (GSettings *settings)
{
  BwContext *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (BW_TYPE_CONTEXT, NULL);
  self->settings = g_object_ref (settings);
  self->client = bw_client_new ();
  self->line = bw_line_new (self->client);
  self->notifier = bw_notifier_new (g_get_application_name () ? g_get_application_name () : "Beltwatch", APP_ID);
  self->sound = bw_alarm_sound_new ();
  self->annunciator = bw_annunciator_new (self->line, self->notifier, self->sound);
  self->local = bw_local_server_new ();

  sound_setting_changed_cb (settings, NULL, self);
  g_signal_connect (settings, "changed::alarm-volume", G_CALLBACK (sound_setting_changed_cb), self);
  g_signal_connect (settings, "changed::alarm-sound-high", G_CALLBACK (sound_setting_changed_cb), self);
  g_signal_connect (settings, "changed::alarm-sound-medium", G_CALLBACK (sound_setting_changed_cb), self);
  g_signal_connect (settings, "changed::notifications", G_CALLBACK (sound_setting_changed_cb), self);
  g_signal_connect (settings, "changed::server-url", G_CALLBACK (server_setting_changed_cb), self);
  g_signal_connect (settings, "changed::username", G_CALLBACK (server_setting_changed_cb), self);
  g_signal_connect (settings, "changed::password", G_CALLBACK (server_setting_changed_cb), self);
  return self;
}
