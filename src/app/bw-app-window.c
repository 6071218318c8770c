/* bw-app-window.c: the main window
 *
 * The header says whether the data is live; a banner says it loudly when it
 * is not, with the time to the next attempt. Below it the alarm banner, and
 * three pages: the conveyors, the alarm list and the downtime journal.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-app-window"

#include "config.h"

#include <glib/gi18n.h>

#include "bw-app-window-private.h"

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

G_DEFINE_FINAL_TYPE (BwAppWindow, bw_app_window, ADW_TYPE_APPLICATION_WINDOW)

/* ---- connection ---- */

static void
update_connection (BwAppWindow *self)
{
  g_autofree char *text = NULL;
  g_autofree char *detail = NULL;
  gboolean ok;

  text = bw_context_describe_connection (self->context, &ok, &detail);
  gtk_label_set_label (self->connection_label, text);
  gtk_image_set_from_icon_name (self->connection_icon,
                                ok ? "network-transmit-receive-symbolic" : "network-error-symbolic");
  if (ok)
    gtk_widget_remove_css_class (GTK_WIDGET (self->connection_label), "lost");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->connection_label), "lost");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->connection_box), detail ? detail : text);
  if (detail)
    gtk_label_set_label (self->connection_banner_label, detail);
  gtk_revealer_set_reveal_child (self->connection_revealer, !ok);
  if (bw_context_get_problem (self->context))
    gtk_widget_add_css_class (GTK_WIDGET (self->connection_banner), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->connection_banner), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button),
                          bw_client_get_state (bw_context_get_client (self->context)) == BW_CONNECTION_WAITING);
  _bw_app_window_actions_update (self);
}

/* ---- alarms ---- */

static void
set_urgent (BwAppWindow *self,
            gboolean  urgent)
{
#ifdef GDK_WINDOWING_X11
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (self));

  if (surface && GDK_IS_X11_SURFACE (surface))
    gdk_x11_surface_set_urgency_hint (surface, urgent);
#endif
  self->urgent = urgent;
}

static void
update_alarms (BwAppWindow *self)
{
  BwAnnunciator *ann = bw_context_get_annunciator (self->context);
  guint n = bw_annunciator_get_n_unacknowledged (ann);

  adw_view_stack_page_set_badge_number (self->alarms_stack_page, n);
  adw_view_stack_page_set_needs_attention (self->alarms_stack_page, n > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->silence_button), bw_annunciator_is_sounding (ann));
  /* the taskbar asks for attention while an alarm waits and the window is
   * not in front */
  set_urgent (self, n > 0 && !gtk_window_is_active (GTK_WINDOW (self)));
}

static void
update_unclassified (BwAppWindow *self)
{
  guint n = bw_line_get_n_unclassified (bw_context_get_line (self->context));

  adw_view_stack_page_set_badge_number (self->journal_stack_page, n);
  adw_view_stack_page_set_needs_attention (self->journal_stack_page, n > 0);
}

static void
tick_cb (BwLine   *line,
         BwAppWindow *self)
{
  if (!bw_client_is_connected (bw_context_get_client (self->context)))
    update_connection (self);
}

/* ---- public ---- */

void
bw_app_window_show_toast (BwAppWindow   *self,
                      const char *text)
{
  AdwToast *toast;

  g_return_if_fail (BW_IS_APP_WINDOW (self));

  toast = adw_toast_new (text);
  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
bw_app_window_show_page (BwAppWindow   *self,
                     const char *name)
{
  g_return_if_fail (BW_IS_APP_WINDOW (self));
  adw_view_stack_set_visible_child_name (self->stack, name);
}

/**
 * bw_app_window_get_page:
 *
 * Returns: (transfer none) (nullable): "overview", "alarms" or "journal"
 */
GtkWidget *
bw_app_window_get_page (BwAppWindow   *self,
                    const char *name)
{
  g_return_val_if_fail (BW_IS_APP_WINDOW (self), NULL);
  return adw_view_stack_get_child_by_name (self->stack, name);
}

BwContext *
bw_app_window_get_context (BwAppWindow *self)
{
  g_return_val_if_fail (BW_IS_APP_WINDOW (self), NULL);
  return self->context;
}

/**
 * bw_app_window_get_alarm_banner:
 *
 * Returns: (transfer none): the banner of the newest unacknowledged alarm
 */
BwAlarmBanner *
bw_app_window_get_alarm_banner (BwAppWindow *self)
{
  g_return_val_if_fail (BW_IS_APP_WINDOW (self), NULL);
  return self->alarm_banner;
}

/**
 * bw_app_window_is_urgent:
 *
 * Returns: whether the window asks for attention (urgency hint)
 */
gboolean
bw_app_window_is_urgent (BwAppWindow *self)
{
  g_return_val_if_fail (BW_IS_APP_WINDOW (self), FALSE);
  return self->urgent;
}

/**
 * bw_app_window_dup_connection_text:
 *
 * Returns: (transfer full): what the header says about the connection
 */
char *
bw_app_window_dup_connection_text (BwAppWindow *self)
{
  g_return_val_if_fail (BW_IS_APP_WINDOW (self), NULL);
  return g_strdup (gtk_label_get_label (self->connection_label));
}

/* ---- GObject ---- */

static gboolean
bw_app_window_close_request (GtkWindow *window)
{
  BwAppWindow *self = BW_APP_WINDOW (window);
  GSettings *settings = bw_context_get_settings (self->context);
  int w, h;

  gtk_window_get_default_size (window, &w, &h);
  g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (window));
  if (!gtk_window_is_maximized (window))
    {
      g_settings_set_int (settings, "window-width", w);
      g_settings_set_int (settings, "window-height", h);
    }
  return GTK_WINDOW_CLASS (bw_app_window_parent_class)->close_request (window);
}

static void
bw_app_window_dispose (GObject *object)
{
  BwAppWindow *self = BW_APP_WINDOW (object);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  if (self->context)
    {
      g_signal_handlers_disconnect_by_data (bw_context_get_client (self->context), self);
      g_signal_handlers_disconnect_by_data (bw_context_get_line (self->context), self);
      g_signal_handlers_disconnect_by_data (bw_context_get_annunciator (self->context), self);
      g_signal_handlers_disconnect_by_data (self->context, self);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), BW_TYPE_APP_WINDOW);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->context);
  G_OBJECT_CLASS (bw_app_window_parent_class)->dispose (object);
}

static void
bw_app_window_class_init (BwAppWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = bw_app_window_dispose;
  window_class->close_request = bw_app_window_close_request;

  g_type_ensure (BW_TYPE_ALARM_BANNER);
  g_type_ensure (BW_TYPE_OVERVIEW_PAGE);
  g_type_ensure (BW_TYPE_ALARMS_PAGE);
  g_type_ensure (BW_TYPE_JOURNAL_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/bw-app-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BwAppWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, BwAppWindow, connection_box);
  gtk_widget_class_bind_template_child (widget_class, BwAppWindow, connection_icon);
  gtk_widget_class_bind_template_child (widget_class, BwAppWindow, connection_label);
  gtk_widget_class_bind_template_child (widget_class, BwAppWindow, connection_revealer);
  gtk_widget_class_bind_template_child (widget_class, BwAppWindow, connection_banner);
  gtk_widget_class_bind_template_child (widget_class, BwAppWindow, connection_banner_label);
  gtk_widget_class_bind_template_child (widget_class, BwAppWindow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, BwAppWindow, silence_button);
  gtk_widget_class_bind_template_child (widget_class, BwAppWindow, wall_button);
  gtk_widget_class_bind_template_child (widget_class, BwAppWindow, alarm_banner);
  gtk_widget_class_bind_template_child (widget_class, BwAppWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, BwAppWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, BwAppWindow, overview_stack_page);
  gtk_widget_class_bind_template_child (widget_class, BwAppWindow, alarms_stack_page);
  gtk_widget_class_bind_template_child (widget_class, BwAppWindow, journal_stack_page);
  gtk_widget_class_bind_template_child (widget_class, BwAppWindow, overview_page);
  gtk_widget_class_bind_template_child (widget_class, BwAppWindow, alarms_page);
  gtk_widget_class_bind_template_child (widget_class, BwAppWindow, journal_page);
}

static void
bw_app_window_init (BwAppWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
#ifdef DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
}

BwAppWindow *
bw_app_window_new (BwApplication *application,
               BwContext     *context)
{
  BwAppWindow *self;
  GSettings *settings;

  g_return_val_if_fail (BW_IS_CONTEXT (context), NULL);

  self = g_object_new (BW_TYPE_APP_WINDOW, "application", application, NULL);
  self->context = g_object_ref (context);
  settings = bw_context_get_settings (context);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (settings, "window-width"),
                               g_settings_get_int (settings, "window-height"));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  bw_alarm_banner_set_context (self->alarm_banner, context);
  bw_overview_page_set_context (self->overview_page, context);
  bw_alarms_page_set_context (self->alarms_page, context);
  bw_journal_page_set_context (self->journal_page, context);

  g_signal_connect_swapped (bw_context_get_client (context), "notify::state", G_CALLBACK (update_connection), self);
  g_signal_connect_swapped (bw_context_get_client (context), "notify::last-error", G_CALLBACK (update_connection), self);
  g_signal_connect_swapped (context, "notify::problem", G_CALLBACK (update_connection), self);
  g_signal_connect (bw_context_get_line (context), "tick", G_CALLBACK (tick_cb), self);
  g_signal_connect_swapped (bw_context_get_line (context), "notify::n-unclassified",
                            G_CALLBACK (update_unclassified), self);
  g_signal_connect_swapped (bw_context_get_annunciator (context), "notify::n-unacknowledged",
                            G_CALLBACK (update_alarms), self);
  g_signal_connect_swapped (bw_context_get_annunciator (context), "notify::sounding",
                            G_CALLBACK (update_alarms), self);
  g_signal_connect_swapped (self, "notify::is-active", G_CALLBACK (update_alarms), self);

  _bw_app_window_actions_init (self);
  update_connection (self);
  update_alarms (self);
  update_unclassified (self);
  return self;
}
