/* bw-application.c: the Beltwatch desktop application
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-application"

#include "config.h"

#include <string.h>

#include <epoxy/gl.h>
#include <glib/gi18n.h>

#include "bw-application.h"
#include "bw-preferences-window.h"
#include "bw-stop-dialog.h"
#include "bw-wall-window.h"
#include "bw-app-window.h"

struct _BwApplication
{
  AdwApplication  parent_instance;

  BwContext      *context;       /* owned, from startup to shutdown */
  GtkWindow      *main_window;   /* unowned: the application holds windows */
  GtkWindow      *wall_window;   /* unowned */
  char           *server;        /* --server */
  gboolean        wall;          /* --wall */
};

G_DEFINE_FINAL_TYPE (BwApplication, bw_application, ADW_TYPE_APPLICATION)

static GtkWindow *open_main_window (BwApplication *self);
static GtkWindow *ensure_main_window (BwApplication *self);

/* ---- actions ---- */

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  BwApplication *self = user_data;
  GList *windows = g_list_copy_deep (gtk_application_get_windows (GTK_APPLICATION (self)),
                                     (GCopyFunc) g_object_ref, NULL);

  /* close every window: the main one saves its size */
  for (GList *l = windows; l; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free_full (windows, g_object_unref);
  g_application_quit (G_APPLICATION (self));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  BwApplication *self = user_data;
  GtkWindow *parent = ensure_main_window (self);
  BwPreferencesWindow *prefs = bw_preferences_window_new (self->context);

  gtk_window_set_transient_for (GTK_WINDOW (prefs), parent);
  gtk_window_present (GTK_WINDOW (prefs));
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  BwApplication *self = user_data;
  const char *developers[] = { "The Beltwatch developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", ensure_main_window (self),
                        "application-name", _("Beltwatch"),
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "developer-name", _("The Beltwatch developers"),
                        "developers", developers,
                        "comments", _("Watches the feed conveyors of an ore-processing plant and "
                                      "tells the shift supervisor the moment a belt stops."),
                        "website", "https://github.com/beltwatch/beltwatch",
                        "issue-url", "https://github.com/beltwatch/beltwatch/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "copyright", "© 2026 The Beltwatch developers",
                        /* Translators: your names, one a line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
silence_action (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  BwApplication *self = user_data;

  bw_annunciator_silence (bw_context_get_annunciator (self->context));
}

static void
acknowledged_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(BwApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BwAlarm) alarm = bw_line_acknowledge_finish (BW_LINE (source), result, &error);

  if (alarm == NULL && open_main_window (self))
    {
      g_autofree char *msg = g_strdup_printf (_("The alarm was not acknowledged: %s"), error->message);
      bw_app_window_show_toast (BW_APP_WINDOW (self->main_window), msg);
    }
}

static void
acknowledge (BwApplication *self,
             gint64         alarm_id)
{
  g_autofree char *who = bw_context_dup_operator (self->context);

  bw_line_acknowledge_async (bw_context_get_line (self->context), alarm_id, who, NULL,
                             acknowledged_cb, g_object_ref (self));
}

static void
acknowledge_alarm_action (GSimpleAction *action,
                          GVariant      *param,
                          gpointer       user_data)
{
  acknowledge (user_data, g_variant_get_int64 (param));
}

static void
acknowledge_current_action (GSimpleAction *action,
                            GVariant      *param,
                            gpointer       user_data)
{
  BwApplication *self = user_data;
  BwAlarm *current = bw_annunciator_get_current (bw_context_get_annunciator (self->context));

  if (current)
    acknowledge (self, current->id);
}

static void
classify_stop_action (GSimpleAction *action,
                      GVariant      *param,
                      gpointer       user_data)
{
  bw_application_show_stop (user_data, g_variant_get_int64 (param));
}

static void
wall_destroyed_cb (GtkWidget     *wall,
                   BwApplication *self)
{
  if (self->wall_window == GTK_WINDOW (wall))
    self->wall_window = NULL;
}

static void
wall_display_action (GSimpleAction *action,
                     GVariant      *param,
                     gpointer       user_data)
{
  BwApplication *self = user_data;

  if (self->wall_window)
    {
      gtk_window_destroy (self->wall_window);
      return;
    }
  self->wall_window = GTK_WINDOW (bw_wall_window_new (self, self->context));
  g_signal_connect (self->wall_window, "destroy", G_CALLBACK (wall_destroyed_cb), self);
  gtk_window_fullscreen (self->wall_window);
  gtk_window_present (self->wall_window);
}

static void
reconnect_action (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  BwApplication *self = user_data;

  bw_client_reconnect_now (bw_context_get_client (self->context));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "preferences", preferences_action },
  { "about", about_action },
  { "silence", silence_action },
  { "acknowledge-alarm", acknowledge_alarm_action, "x" },
  { "acknowledge-current", acknowledge_current_action },
  { "classify-stop", classify_stop_action, "x" },
  { "wall-display", wall_display_action },
  { "reconnect", reconnect_action },
};

static void
update_actions (BwApplication *self)
{
  BwAnnunciator *ann = bw_context_get_annunciator (self->context);
  GAction *a;

  a = g_action_map_lookup_action (G_ACTION_MAP (self), "silence");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (a), bw_annunciator_is_sounding (ann));
  a = g_action_map_lookup_action (G_ACTION_MAP (self), "acknowledge-current");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (a), bw_annunciator_get_current (ann) != NULL);
}

/* ---- notifications ---- */

static void
notification_action_cb (BwNotifier    *notifier,
                        const char    *action,
                        gint64         alarm_id,
                        gint64         stop_id,
                        BwApplication *self)
{
  if (g_str_equal (action, BW_NOTIFIER_ACTION_ACKNOWLEDGE))
    acknowledge (self, alarm_id);
  else if (g_str_equal (action, BW_NOTIFIER_ACTION_CLASSIFY) && stop_id)
    bw_application_show_stop (self, stop_id);
  else
    gtk_window_present (ensure_main_window (self));
}

/* ---- windows ---- */

/* the main window, if it is open */
static GtkWindow *
open_main_window (BwApplication *self)
{
  /* a closed window outlives its closing while something still holds it
   * (an export it started): it is not the application's any more */
  if (self->main_window &&
      !g_list_find (gtk_application_get_windows (GTK_APPLICATION (self)), self->main_window))
    {
      g_object_remove_weak_pointer (G_OBJECT (self->main_window), (gpointer *) &self->main_window);
      self->main_window = NULL;
    }
  return self->main_window;
}

static GtkWindow *
ensure_main_window (BwApplication *self)
{
  if (open_main_window (self) == NULL)
    {
      self->main_window = GTK_WINDOW (bw_app_window_new (self, self->context));
      g_object_add_weak_pointer (G_OBJECT (self->main_window), (gpointer *) &self->main_window);
    }
  return self->main_window;
}

/**
 * bw_application_show_stop:
 *
 * Opens the classification view of a stop over the main window.
 */
void
bw_application_show_stop (BwApplication *self,
                          gint64         stop_id)
{
  GtkWindow *parent;
  BwStopDialog *dialog;

  g_return_if_fail (BW_IS_APPLICATION (self));

  parent = ensure_main_window (self);
  gtk_window_present (parent);
  dialog = bw_stop_dialog_new (self->context, stop_id);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), parent);
  gtk_window_present (GTK_WINDOW (dialog));
}

BwContext *
bw_application_get_context (BwApplication *self)
{
  g_return_val_if_fail (BW_IS_APPLICATION (self), NULL);
  return self->context;
}

/**
 * bw_application_get_main_window:
 *
 * Returns: (transfer none) (nullable): the main window, if it is open
 */
GtkWindow *
bw_application_get_main_window (BwApplication *self)
{
  g_return_val_if_fail (BW_IS_APPLICATION (self), NULL);
  return open_main_window (self);
}

GtkWindow *
bw_application_get_wall_window (BwApplication *self)
{
  g_return_val_if_fail (BW_IS_APPLICATION (self), NULL);
  return self->wall_window;
}

/* ---- GApplication ---- */

/* GTK 4.8 draws with OpenGL by default. Without a GPU (many control-room
 * PCs and virtual machines) that is Mesa's software rasteriser, which takes
 * long enough over twenty live charts to hold up an alarm for seconds; the
 * cairo renderer draws the same in a fraction of the time there. A
 * GSK_RENDERER set by the user wins. */
static void
choose_renderer (void)
{
  GdkDisplay *display = gdk_display_get_default ();
  g_autoptr(GdkGLContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const char *renderer;

  if (g_getenv ("GSK_RENDERER") || display == NULL)
    return;
  context = gdk_display_create_gl_context (display, &error);
  if (context == NULL || !gdk_gl_context_realize (context, &error))
    {
      g_debug ("no OpenGL (%s): GTK chooses", error ? error->message : "?");
      return;
    }
  gdk_gl_context_make_current (context);
  renderer = (const char *) glGetString (GL_RENDERER);
  if (renderer && (strstr (renderer, "llvmpipe") || strstr (renderer, "softpipe") || strstr (renderer, "swrast")))
    {
      g_message ("OpenGL is software (%s): drawing with cairo", renderer);
      g_setenv ("GSK_RENDERER", "cairo", TRUE);
    }
  gdk_gl_context_clear_current ();
}

static void
bw_application_startup (GApplication *app)
{
  BwApplication *self = BW_APPLICATION (app);
  g_autoptr(GSettings) settings = NULL;
  struct { const char *action; const char *accels[3]; } accels[] = {
    { "app.quit", { "<Primary>q", NULL } },
    { "app.preferences", { "<Primary>comma", NULL } },
    { "app.silence", { "<Primary>m", NULL } },
    { "app.acknowledge-current", { "<Primary><Shift>a", NULL } },
    { "app.wall-display", { "F11", NULL } },
    { "app.reconnect", { "<Primary>r", NULL } },
    { "win.export-report", { "<Primary>e", NULL } },
    { "win.show-page::overview", { "<Alt>1", NULL } },
    { "win.show-page::alarms", { "<Alt>2", NULL } },
    { "win.show-page::journal", { "<Alt>3", NULL } },
  };

  G_APPLICATION_CLASS (bw_application_parent_class)->startup (app);

  choose_renderer ();
  g_set_application_name (_("Beltwatch"));
  gtk_window_set_default_icon_name (APP_ID);
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action, accels[i].accels);

  settings = g_settings_new (APP_ID);
  self->context = bw_context_new (settings);
  if (self->server)
    bw_context_set_server_override (self->context, self->server);
  g_signal_connect_object (bw_context_get_notifier (self->context), "action",
                           G_CALLBACK (notification_action_cb), self, 0);
  g_signal_connect_object (bw_context_get_annunciator (self->context), "notify::sounding",
                           G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (bw_context_get_annunciator (self->context), "notify::current",
                           G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);
  update_actions (self);
  bw_context_start (self->context);
}

static void
bw_application_activate (GApplication *app)
{
  BwApplication *self = BW_APPLICATION (app);

  gtk_window_present (ensure_main_window (self));
  if (self->wall && self->wall_window == NULL)
    g_action_group_activate_action (G_ACTION_GROUP (self), "wall-display", NULL);
}

static void
bw_application_shutdown (GApplication *app)
{
  BwApplication *self = BW_APPLICATION (app);

  if (self->context)
    bw_context_shutdown (self->context);
  G_APPLICATION_CLASS (bw_application_parent_class)->shutdown (app);
  g_clear_object (&self->context);
}

static int
bw_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  BwApplication *self = BW_APPLICATION (app);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("beltwatch %s\n", PACKAGE_VERSION);
      return 0;
    }
  g_variant_dict_lookup (options, "server", "s", &self->server);
  self->wall = g_variant_dict_contains (options, "wall");
  return -1;
}

static void
bw_application_finalize (GObject *object)
{
  BwApplication *self = BW_APPLICATION (object);

  g_clear_object (&self->context);
  g_free (self->server);
  G_OBJECT_CLASS (bw_application_parent_class)->finalize (object);
}

static void
bw_application_class_init (BwApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = bw_application_finalize;
  app_class->startup = bw_application_startup;
  app_class->activate = bw_application_activate;
  app_class->shutdown = bw_application_shutdown;
  app_class->handle_local_options = bw_application_handle_local_options;
}

static void
bw_application_init (BwApplication *self)
{
  const GOptionEntry entries[] = {
    { "server", 's', 0, G_OPTION_ARG_STRING, NULL, N_("Connect to this server for this run (http://host:port)"), N_("URL") },
    { "wall", 'w', 0, G_OPTION_ARG_NONE, NULL, N_("Open the wall display, full screen"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

BwApplication *
bw_application_new (const char        *app_id,
                    GApplicationFlags  flags)
{
  return g_object_new (BW_TYPE_APPLICATION,
                       "application-id", app_id,
                       "flags", flags,
                       /* explicit, so that a .Devel build finds the same resources */
                       "resource-base-path", RESOURCE_BASE,
                       NULL);
}
