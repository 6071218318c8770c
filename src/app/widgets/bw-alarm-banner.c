/* bw-alarm-banner.c: the newest unacknowledged alarm, across the window
 *
 * (libadwaita 1.2 has no AdwBanner: a GtkRevealer with a red box.)
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-alarm-banner"

#include "config.h"

#include <glib/gi18n.h>

#include "bw-alarm-banner.h"
#include "bw-format.h"
#include "bw-notifier.h"

struct _BwAlarmBanner
{
  GtkWidget    parent_instance;

  BwContext   *context;   /* owned */

  GtkRevealer *revealer;
  GtkBox      *box;
  GtkLabel    *title_label;
  GtkLabel    *detail_label;
  GtkButton   *silence_button;
  GtkButton   *classify_button;
  GtkButton   *acknowledge_button;
};

G_DEFINE_FINAL_TYPE (BwAlarmBanner, bw_alarm_banner, GTK_TYPE_WIDGET)

static void
update (BwAlarmBanner *self)
{
  BwAnnunciator *ann;
  BwAlarm *alarm;
  BwStop *stop = NULL;
  GString *detail;
  guint n;

  if (self->context == NULL)
    return;
  ann = bw_context_get_annunciator (self->context);
  alarm = bw_annunciator_get_current (ann);
  gtk_revealer_set_reveal_child (self->revealer, alarm != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->silence_button), bw_annunciator_is_sounding (ann));
  if (alarm == NULL)
    return;

  if (alarm->stop_id)
    stop = bw_line_find_stop (bw_context_get_line (self->context), alarm->stop_id);
  {
    g_autofree char *title = bw_notifier_format_summary (alarm);
    gtk_label_set_label (self->title_label, title);
  }

  detail = g_string_new (NULL);
  if (stop)
    {
      g_string_append_printf (detail, _("First-out: %s"), bw_format_trigger (stop->trigger));
      if (bw_stop_is_open (stop))
        {
          g_autofree char *el = bw_format_elapsed (bw_line_get_data_now (bw_context_get_line (self->context)) - stop->start_us);
          g_string_append (detail, " · ");
          g_string_append_printf (detail, _("stopped for %s"), el);
        }
      else
        {
          g_string_append (detail, " · ");
          g_string_append (detail, _("running again, not yet acknowledged"));
        }
    }
  else
    {
      g_autofree char *at = bw_format_time (alarm->raised_us);
      g_string_append_printf (detail, _("Raised at %s"), at);
    }
  n = bw_annunciator_get_n_unacknowledged (ann);
  if (n > 1)
    {
      g_string_append (detail, " · ");
      g_string_append_printf (detail, g_dngettext (GETTEXT_PACKAGE, "%u more alarm to acknowledge",
                                                   "%u more alarms to acknowledge", n - 1), n - 1);
    }
  gtk_label_set_label (self->detail_label, detail->str);
  g_string_free (detail, TRUE);

  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->acknowledge_button), "x", alarm->id);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->acknowledge_button), "app.acknowledge-alarm");
  gtk_widget_set_visible (GTK_WIDGET (self->classify_button), alarm->stop_id != 0);
  if (alarm->stop_id)
    {
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->classify_button), "x", alarm->stop_id);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->classify_button), "app.classify-stop");
    }
}

void
bw_alarm_banner_set_context (BwAlarmBanner *self,
                             BwContext     *context)
{
  BwAnnunciator *ann;

  g_return_if_fail (BW_IS_ALARM_BANNER (self));
  g_return_if_fail (self->context == NULL);

  self->context = g_object_ref (context);
  ann = bw_context_get_annunciator (context);
  g_signal_connect_object (ann, "notify::current", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (ann, "notify::sounding", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (ann, "notify::n-unacknowledged", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (bw_context_get_line (context), "tick", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  update (self);
}

gboolean
bw_alarm_banner_is_revealed (BwAlarmBanner *self)
{
  g_return_val_if_fail (BW_IS_ALARM_BANNER (self), FALSE);
  return gtk_revealer_get_reveal_child (self->revealer);
}

const char *
bw_alarm_banner_get_title (BwAlarmBanner *self)
{
  g_return_val_if_fail (BW_IS_ALARM_BANNER (self), NULL);
  return gtk_label_get_label (self->title_label);
}

static void
bw_alarm_banner_dispose (GObject *object)
{
  GtkWidget *child;
  BwAlarmBanner *self = BW_ALARM_BANNER (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), BW_TYPE_ALARM_BANNER);
  /* the template's top box is not bound: unparent it too */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
  g_clear_object (&self->context);
  G_OBJECT_CLASS (bw_alarm_banner_parent_class)->dispose (object);
}

static void
bw_alarm_banner_class_init (BwAlarmBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bw_alarm_banner_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/bw-alarm-banner.ui");
  gtk_widget_class_bind_template_child (widget_class, BwAlarmBanner, revealer);
  gtk_widget_class_bind_template_child (widget_class, BwAlarmBanner, box);
  gtk_widget_class_bind_template_child (widget_class, BwAlarmBanner, title_label);
  gtk_widget_class_bind_template_child (widget_class, BwAlarmBanner, detail_label);
  gtk_widget_class_bind_template_child (widget_class, BwAlarmBanner, silence_button);
  gtk_widget_class_bind_template_child (widget_class, BwAlarmBanner, classify_button);
  gtk_widget_class_bind_template_child (widget_class, BwAlarmBanner, acknowledge_button);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_ALERT);
}

static void
bw_alarm_banner_init (BwAlarmBanner *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
