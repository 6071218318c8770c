/* bw-preferences-window.c: the preferences
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "bw-format.h"
#include "bw-preferences-window.h"

#define TEST_SOUND_MS 3000

struct _BwPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  BwContext            *context;    /* owned */
  GtkFileChooserNative *chooser;    /* owned while open */
  guint                 test_id;

  AdwEntryRow          *server_row;
  AdwEntryRow          *username_row;
  AdwPasswordEntryRow  *password_row;
  AdwActionRow         *status_row;
  AdwEntryRow          *operator_row;
  GtkSwitch            *notifications_switch;
  GtkAdjustment        *volume_adjustment;
  AdwActionRow         *high_row;
  GtkButton            *high_test_button;
  GtkButton            *high_choose_button;
  GtkButton            *high_reset_button;
  AdwActionRow         *medium_row;
  GtkButton            *medium_test_button;
  GtkButton            *medium_choose_button;
  GtkButton            *medium_reset_button;
  AdwEntryRow          *shifts_row;
  AdwActionRow         *shift_now_row;
};

G_DEFINE_FINAL_TYPE (BwPreferencesWindow, bw_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static GSettings *
settings (BwPreferencesWindow *self)
{
  return bw_context_get_settings (self->context);
}

static void
toast (BwPreferencesWindow *self,
       const char          *text)
{
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (text));
}

/* ---- connection ---- */

static void
update_status (BwPreferencesWindow *self)
{
  g_autofree char *detail = NULL;
  g_autofree char *text = NULL;
  gboolean ok;

  text = bw_context_describe_connection (self->context, &ok, &detail);
  adw_action_row_set_subtitle (self->status_row, detail ? detail : text);
}

static void
server_apply_cb (AdwEntryRow         *row,
                 BwPreferencesWindow *self)
{
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
  g_autoptr(BwClient) probe = bw_client_new ();
  g_autoptr(GError) error = NULL;

  if (url[0] && !bw_client_set_server (probe, url, NULL, NULL, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      toast (self, error->message);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  g_settings_set_string (settings (self), "server-url", url);
}

static void
username_apply_cb (AdwEntryRow         *row,
                   BwPreferencesWindow *self)
{
  g_settings_set_string (settings (self), "username", gtk_editable_get_text (GTK_EDITABLE (row)));
}

static void
password_apply_cb (AdwEntryRow         *row,
                   BwPreferencesWindow *self)
{
  g_settings_set_string (settings (self), "password", gtk_editable_get_text (GTK_EDITABLE (row)));
}

static void
operator_apply_cb (AdwEntryRow         *row,
                   BwPreferencesWindow *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  g_settings_set_string (settings (self), "operator-name", name);
}

/* ---- sounds ---- */

static void
update_sounds (BwPreferencesWindow *self)
{
  const struct { AdwActionRow *row; const char *key; BwAlarmPriority prio; } rows[] = {
    { self->high_row, "alarm-sound-high", BW_ALARM_PRIORITY_HIGH },
    { self->medium_row, "alarm-sound-medium", BW_ALARM_PRIORITY_MEDIUM },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *path = g_settings_get_string (settings (self), rows[i].key);
      g_autofree char *text = NULL;

      if (path[0])
        text = g_path_get_basename (path);
      else
        text = g_strdup_printf (_("Built-in tone, %.0f Hz"), bw_alarm_sound_get_tone_frequency (rows[i].prio));
      adw_action_row_set_subtitle (rows[i].row, text);
    }
}

static gboolean
test_done_cb (gpointer data)
{
  BwPreferencesWindow *self = data;

  self->test_id = 0;
  if (!bw_annunciator_is_sounding (bw_context_get_annunciator (self->context)))
    bw_alarm_sound_stop (bw_context_get_sound (self->context));
  return G_SOURCE_REMOVE;
}

static void
test_sound (BwPreferencesWindow *self,
            BwAlarmPriority      prio)
{
  g_autoptr(GError) error = NULL;

  if (bw_annunciator_is_sounding (bw_context_get_annunciator (self->context)))
    {
      toast (self, _("The horn is sounding for an alarm: silence it first"));
      return;
    }
  bw_alarm_sound_stop (bw_context_get_sound (self->context));
  if (!bw_alarm_sound_play (bw_context_get_sound (self->context), prio, &error))
    {
      toast (self, error->message);
      return;
    }
  g_clear_handle_id (&self->test_id, g_source_remove);
  self->test_id = g_timeout_add (TEST_SOUND_MS, test_done_cb, self);
}

static void
high_test_cb (GtkButton           *button,
              BwPreferencesWindow *self)
{
  test_sound (self, BW_ALARM_PRIORITY_HIGH);
}

static void
medium_test_cb (GtkButton           *button,
                BwPreferencesWindow *self)
{
  test_sound (self, BW_ALARM_PRIORITY_MEDIUM);
}

static void
chooser_response_cb (GtkNativeDialog     *dialog,
                     int                  response,
                     BwPreferencesWindow *self)
{
  const char *key = g_object_get_data (G_OBJECT (dialog), "bw-key");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path)
        g_settings_set_string (settings (self), key, path);
    }
  g_clear_object (&self->chooser);
}

static void
choose_sound (BwPreferencesWindow *self,
              const char          *key)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Alarm Sound"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Choose"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Sounds"));
  gtk_file_filter_add_mime_type (filter, "audio/*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_object_set_data_full (G_OBJECT (self->chooser), "bw-key", g_strdup (key), g_free);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
high_choose_cb (GtkButton           *button,
                BwPreferencesWindow *self)
{
  choose_sound (self, "alarm-sound-high");
}

static void
medium_choose_cb (GtkButton           *button,
                  BwPreferencesWindow *self)
{
  choose_sound (self, "alarm-sound-medium");
}

static void
high_reset_cb (GtkButton           *button,
               BwPreferencesWindow *self)
{
  g_settings_reset (settings (self), "alarm-sound-high");
}

static void
medium_reset_cb (GtkButton           *button,
                 BwPreferencesWindow *self)
{
  g_settings_reset (settings (self), "alarm-sound-medium");
}

/* ---- shifts ---- */

static void
update_shift_now (BwPreferencesWindow *self)
{
  gint64 from, to;
  g_autofree char *name = NULL;

  if (bw_context_get_shift (self->context, BW_SHIFT_CURRENT, g_get_real_time (), &from, &to, &name))
    {
      g_autofree char *a = bw_format_time (from);
      g_autofree char *b = bw_format_time (to);
      g_autofree char *text = g_strdup_printf ("%s, %.5s–%.5s", name, a, b);
      adw_action_row_set_subtitle (self->shift_now_row, text);
    }
  else
    adw_action_row_set_subtitle (self->shift_now_row, _("Between shifts"));
}

static void
shifts_apply_cb (AdwEntryRow         *row,
                 BwPreferencesWindow *self)
{
  const char *spec = gtk_editable_get_text (GTK_EDITABLE (row));
  g_autoptr(GError) error = NULL;

  if (!bw_shift_spec_validate (spec, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      toast (self, error->message);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  g_settings_set_string (settings (self), "shift-schedule", spec);
  update_shift_now (self);
}

/* ---- GObject ---- */

static void
bw_preferences_window_dispose (GObject *object)
{
  BwPreferencesWindow *self = BW_PREFERENCES_WINDOW (object);

  if (self->test_id)
    {
      /* end the test tone now: its timeout must not outlive the window */
      g_source_remove (self->test_id);
      test_done_cb (self);
    }
  if (self->chooser)
    {
      /* a portal's chooser may outlive the window: it must not answer to it */
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), BW_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->context);
  G_OBJECT_CLASS (bw_preferences_window_parent_class)->dispose (object);
}

static void
bw_preferences_window_class_init (BwPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bw_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/bw-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BwPreferencesWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, BwPreferencesWindow, username_row);
  gtk_widget_class_bind_template_child (widget_class, BwPreferencesWindow, password_row);
  gtk_widget_class_bind_template_child (widget_class, BwPreferencesWindow, status_row);
  gtk_widget_class_bind_template_child (widget_class, BwPreferencesWindow, operator_row);
  gtk_widget_class_bind_template_child (widget_class, BwPreferencesWindow, notifications_switch);
  gtk_widget_class_bind_template_child (widget_class, BwPreferencesWindow, volume_adjustment);
  gtk_widget_class_bind_template_child (widget_class, BwPreferencesWindow, high_row);
  gtk_widget_class_bind_template_child (widget_class, BwPreferencesWindow, high_test_button);
  gtk_widget_class_bind_template_child (widget_class, BwPreferencesWindow, high_choose_button);
  gtk_widget_class_bind_template_child (widget_class, BwPreferencesWindow, high_reset_button);
  gtk_widget_class_bind_template_child (widget_class, BwPreferencesWindow, medium_row);
  gtk_widget_class_bind_template_child (widget_class, BwPreferencesWindow, medium_test_button);
  gtk_widget_class_bind_template_child (widget_class, BwPreferencesWindow, medium_choose_button);
  gtk_widget_class_bind_template_child (widget_class, BwPreferencesWindow, medium_reset_button);
  gtk_widget_class_bind_template_child (widget_class, BwPreferencesWindow, shifts_row);
  gtk_widget_class_bind_template_child (widget_class, BwPreferencesWindow, shift_now_row);
}

static void
bw_preferences_window_init (BwPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self->server_row, "apply", G_CALLBACK (server_apply_cb), self);
  g_signal_connect (self->username_row, "apply", G_CALLBACK (username_apply_cb), self);
  g_signal_connect (self->password_row, "apply", G_CALLBACK (password_apply_cb), self);
  g_signal_connect (self->operator_row, "apply", G_CALLBACK (operator_apply_cb), self);
  g_signal_connect (self->shifts_row, "apply", G_CALLBACK (shifts_apply_cb), self);
  g_signal_connect (self->high_test_button, "clicked", G_CALLBACK (high_test_cb), self);
  g_signal_connect (self->medium_test_button, "clicked", G_CALLBACK (medium_test_cb), self);
  g_signal_connect (self->high_choose_button, "clicked", G_CALLBACK (high_choose_cb), self);
  g_signal_connect (self->medium_choose_button, "clicked", G_CALLBACK (medium_choose_cb), self);
  g_signal_connect (self->high_reset_button, "clicked", G_CALLBACK (high_reset_cb), self);
  g_signal_connect (self->medium_reset_button, "clicked", G_CALLBACK (medium_reset_cb), self);
}

BwPreferencesWindow *
bw_preferences_window_new (BwContext *context)
{
  BwPreferencesWindow *self;
  GSettings *s;
  g_autofree char *url = NULL, *user = NULL, *password = NULL, *op = NULL, *shifts = NULL;

  g_return_val_if_fail (BW_IS_CONTEXT (context), NULL);

  self = g_object_new (BW_TYPE_PREFERENCES_WINDOW, NULL);
  self->context = g_object_ref (context);
  s = settings (self);
  url = g_settings_get_string (s, "server-url");
  user = g_settings_get_string (s, "username");
  password = g_settings_get_string (s, "password");
  op = bw_context_dup_operator (context);
  shifts = g_settings_get_string (s, "shift-schedule");
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), url);
  gtk_editable_set_text (GTK_EDITABLE (self->username_row), user);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), password);
  gtk_editable_set_text (GTK_EDITABLE (self->operator_row), op);
  gtk_editable_set_text (GTK_EDITABLE (self->shifts_row), shifts);
  g_settings_bind (s, "notifications", self->notifications_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "alarm-volume", self->volume_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (s, "changed::alarm-sound-high", G_CALLBACK (update_sounds), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (s, "changed::alarm-sound-medium", G_CALLBACK (update_sounds), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (bw_context_get_client (context), "notify::state", G_CALLBACK (update_status), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (context, "notify::problem", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
  update_status (self);
  update_sounds (self);
  update_shift_now (self);
  return self;
}
