/* bw-alarms-page.c: the alarm list
 *
 * Newest first, with the ISA-18.2 state of each alarm, who acknowledged it
 * and when. Unacknowledged alarms are red, alarms back to normal but not
 * yet acknowledged amber; the rest grey.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-alarms-page"

#include "config.h"

#include <glib/gi18n.h>

#include "bw-alarms-page.h"
#include "bw-columns.h"
#include "bw-format.h"

struct _BwAlarmsPage
{
  GtkWidget          parent_instance;

  BwContext         *context;   /* owned */
  GtkFilterListModel *filtered; /* owned */
  GtkCustomFilter   *filter;    /* owned */

  GtkLabel          *summary_label;
  GtkToggleButton   *active_button;
  GtkColumnView     *column_view;
};

G_DEFINE_FINAL_TYPE (BwAlarmsPage, bw_alarms_page, GTK_TYPE_WIDGET)

static const char *
state_label (BwAlarmState state)
{
  switch (state)
    {
    case BW_ALARM_UNACK_ACTIVE:
      return C_("alarm state", "Unacknowledged");
    case BW_ALARM_ACK_ACTIVE:
      return C_("alarm state", "Acknowledged, active");
    case BW_ALARM_UNACK_RTN:
      return C_("alarm state", "Back to normal, unacknowledged");
    case BW_ALARM_NORMAL:
    default:
      return C_("alarm state", "Cleared");
    }
}

static char *
state_text (gpointer item,
            gpointer data)
{
  return g_strdup (state_label (BW_ALARM (item)->state));
}

static const char *
state_class (gpointer item,
             gpointer data)
{
  switch (BW_ALARM (item)->state)
    {
    case BW_ALARM_UNACK_ACTIVE:
      return "alarm-state-unack";
    case BW_ALARM_UNACK_RTN:
      return "alarm-state-rtn";
    default:
      return NULL;
    }
}

static char *
raised_text (gpointer item,
             gpointer data)
{
  return bw_format_date_time (BW_ALARM (item)->raised_us);
}

static char *
conveyor_text (gpointer item,
               gpointer data)
{
  return g_strdup (BW_ALARM (item)->conveyor);
}

/**
 * bw_alarms_page_describe_alarm:
 *
 * Returns: (transfer full): what the alarm is about, in the UI's language
 */
char *
bw_alarms_page_describe_alarm (BwAlarmsPage *self,
                               BwAlarm      *alarm)
{
  BwStop *stop = alarm->stop_id ? bw_line_find_stop (bw_context_get_line (self->context), alarm->stop_id) : NULL;

  if (g_strcmp0 (alarm->kind, "stop") == 0)
    {
      if (stop)
        return g_strdup_printf (_("Belt stopped, first-out: %s"), bw_format_trigger (stop->trigger));
      return g_strdup (_("Belt stopped"));
    }
  if (g_strcmp0 (alarm->kind, "anomaly") == 0)
    return g_strdup (_("Abnormal behaviour (anomaly detector)"));
  return g_strdup (alarm->message ? alarm->message : "");
}

static char *
message_text (gpointer item,
              gpointer data)
{
  return bw_alarms_page_describe_alarm (data, BW_ALARM (item));
}

static char *
acked_text (gpointer item,
            gpointer data)
{
  BwAlarm *a = BW_ALARM (item);
  g_autofree char *at = NULL;

  if (a->acked_us == 0)
    return g_strdup ("—");
  at = bw_format_time (a->acked_us);
  return g_strdup_printf (_("%s at %s"), a->acked_by && a->acked_by[0] ? a->acked_by : _("someone"), at);
}

static char *
cleared_text (gpointer item,
              gpointer data)
{
  BwAlarm *a = BW_ALARM (item);

  if (a->returned_us)
    return bw_format_time (a->returned_us);
  return g_strdup ("—");
}

/* ---- the actions column ---- */

static void
actions_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *ack = gtk_button_new_with_label (_("Acknowledge"));
  GtkWidget *classify = gtk_button_new_with_label (_("Classify…"));

  gtk_widget_add_css_class (ack, "flat");
  gtk_widget_add_css_class (classify, "flat");
  gtk_box_append (GTK_BOX (box), ack);
  gtk_box_append (GTK_BOX (box), classify);
  gtk_list_item_set_child (item, box);
  gtk_list_item_set_activatable (item, FALSE);
}

static void
actions_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  data)
{
  BwAlarm *a = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *ack = gtk_widget_get_first_child (box);
  GtkWidget *classify = gtk_widget_get_next_sibling (ack);

  gtk_widget_set_visible (ack, bw_alarm_needs_ack (a));
  gtk_actionable_set_action_target (GTK_ACTIONABLE (ack), "x", a->id);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (ack), "app.acknowledge-alarm");
  gtk_widget_set_visible (classify, a->stop_id != 0);
  if (a->stop_id)
    {
      gtk_actionable_set_action_target (GTK_ACTIONABLE (classify), "x", a->stop_id);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (classify), "app.classify-stop");
    }
}

static void
update_summary (BwAlarmsPage *self)
{
  guint n = bw_annunciator_get_n_unacknowledged (bw_context_get_annunciator (self->context));
  g_autofree char *text = NULL;

  if (n == 0)
    text = g_strdup (_("No alarm waits to be acknowledged"));
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u alarm to acknowledge", "%u alarms to acknowledge", n), n);
  gtk_label_set_label (self->summary_label, text);
}

static gboolean
filter_func (gpointer item,
             gpointer data)
{
  BwAlarmsPage *self = data;

  return !gtk_toggle_button_get_active (self->active_button) || BW_ALARM (item)->state != BW_ALARM_NORMAL;
}

static void
active_toggled_cb (GtkToggleButton *button,
                   BwAlarmsPage    *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

GListModel *
bw_alarms_page_get_model (BwAlarmsPage *self)
{
  g_return_val_if_fail (BW_IS_ALARMS_PAGE (self), NULL);
  return G_LIST_MODEL (self->filtered);
}

void
bw_alarms_page_set_context (BwAlarmsPage *self,
                            BwContext    *context)
{
  GtkListItemFactory *factory;
  GtkColumnViewColumn *col;
  GtkNoSelection *selection;

  g_return_if_fail (BW_IS_ALARMS_PAGE (self));
  g_return_if_fail (self->context == NULL);

  self->context = g_object_ref (context);
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (bw_line_get_alarms (bw_context_get_line (context))),
                                              GTK_FILTER (g_object_ref (self->filter)));
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->filtered)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);

  col = bw_column_new_text (_("State"), state_text, state_class, self, 14, FALSE);
  gtk_column_view_append_column (self->column_view, col);
  g_object_unref (col);
  col = bw_column_new_text (_("Raised"), raised_text, NULL, self, 16, FALSE);
  gtk_column_view_append_column (self->column_view, col);
  g_object_unref (col);
  col = bw_column_new_text (_("Conveyor"), conveyor_text, NULL, self, 7, FALSE);
  gtk_column_view_append_column (self->column_view, col);
  g_object_unref (col);
  col = bw_column_new_text (_("Alarm"), message_text, NULL, self, 34, TRUE);
  gtk_column_view_append_column (self->column_view, col);
  g_object_unref (col);
  col = bw_column_new_text (_("Back to normal"), cleared_text, NULL, self, 8, FALSE);
  gtk_column_view_append_column (self->column_view, col);
  g_object_unref (col);
  col = bw_column_new_text (C_("column", "Acknowledged"), acked_text, NULL, self, 18, FALSE);
  gtk_column_view_append_column (self->column_view, col);
  g_object_unref (col);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (actions_setup_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (actions_bind_cb), self);
  col = gtk_column_view_column_new (NULL, factory);
  gtk_column_view_append_column (self->column_view, col);
  g_object_unref (col);

  g_signal_connect_object (bw_context_get_annunciator (context), "notify::n-unacknowledged",
                           G_CALLBACK (update_summary), self, G_CONNECT_SWAPPED);
  update_summary (self);
}

static void
bw_alarms_page_dispose (GObject *object)
{
  GtkWidget *child;
  BwAlarmsPage *self = BW_ALARMS_PAGE (object);

  /* the line's alarm store outlives the page: whoever still holds the
   * filtered model must not run the filter on a freed page */
  if (self->filter)
    gtk_custom_filter_set_filter_func (self->filter, NULL, NULL, NULL);
  if (self->filtered)
    gtk_filter_list_model_set_model (self->filtered, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), BW_TYPE_ALARMS_PAGE);
  /* the template's top box is not bound: unparent it too */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->context);
  G_OBJECT_CLASS (bw_alarms_page_parent_class)->dispose (object);
}

static void
bw_alarms_page_class_init (BwAlarmsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bw_alarms_page_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/bw-alarms-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BwAlarmsPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, BwAlarmsPage, active_button);
  gtk_widget_class_bind_template_child (widget_class, BwAlarmsPage, column_view);
}

static void
bw_alarms_page_init (BwAlarmsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self->active_button, "toggled", G_CALLBACK (active_toggled_cb), self);
}
