/* bw-conveyor-page.c: one conveyor in detail: live chart, values, stops
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-conveyor-page"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "bw-json.h"
#include "bw-conveyor-chart.h"
#include "bw-conveyor-page.h"
#include "bw-format.h"
#include "bw-tags.h"
#include "bw-time.h"

struct _BwConveyorPage
{
  GtkWidget        parent_instance;

  BwContext       *context;     /* owned */
  BwLiveConveyor      *conveyor;    /* owned, nullable */
  GCancellable    *cancellable; /* the stop list request */
  gulong           changed_id;
  GtkWidget       *chart;       /* in chart_box, nullable */
  GBinding        *live_binding;

  GtkButton       *back_button;
  GtkLabel        *title_label;
  GtkLabel        *state_label;
  GtkToggleButton *history_button;
  GtkBox          *chart_box;
  GtkLabel        *values_label;
  GtkListBox      *stops_list;
};

enum
{
  SIGNAL_BACK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (BwConveyorPage, bw_conveyor_page, GTK_TYPE_WIDGET)

static void
update (BwConveyorPage *self)
{
  BwLiveConveyor *c = self->conveyor;
  GString *values;
  const char *state_text;
  const char *classes[] = { "running", "stopped", "unknown" };
  BwLiveState state;

  if (c == NULL)
    return;
  {
    g_autofree char *title = g_strcmp0 (bw_live_conveyor_get_name (c), bw_live_conveyor_get_id (c))
                               ? g_strdup_printf ("%s · %s", bw_live_conveyor_get_id (c), bw_live_conveyor_get_name (c))
                               : g_strdup (bw_live_conveyor_get_id (c));
    gtk_label_set_label (self->title_label, title);
  }
  state = bw_live_conveyor_get_state (c);
  state_text = state == BW_LIVE_RUNNING ? C_("conveyor state", "Running")
             : state == BW_LIVE_STOPPED ? C_("conveyor state", "Stopped")
             : C_("conveyor state", "No data");
  gtk_label_set_label (self->state_label, state_text);
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (self->state_label), classes[state == BW_LIVE_RUNNING ? 0 : state == BW_LIVE_STOPPED ? 1 : 2]);

  values = g_string_new (NULL);
  for (int t = 0; t < BW_N_STANDARD_TAGS; t++)
    {
      double v = bw_live_conveyor_get_value (c, bw_tag_name (t));
      g_autofree char *text = NULL;

      if (t == BW_TAG_RUNNING)
        continue;
      text = state == BW_LIVE_UNKNOWN ? g_strdup ("—") : bw_format_value (v, bw_tag_name (t));
      if (values->len)
        g_string_append (values, "   ");
      g_string_append_printf (values, "%s: %s", bw_tag_get_label (t), text);
    }
  gtk_label_set_label (self->values_label, values->str);
  g_string_free (values, TRUE);
}

static GtkWidget *
make_stop_row (BwConveyorPage *self,
               BwStop         *stop)
{
  GtkWidget *row = adw_action_row_new ();
  gint64 now = bw_line_get_data_now (bw_context_get_line (self->context));
  g_autofree char *start = bw_format_time (stop->start_us);
  g_autofree char *end = bw_stop_is_open (stop) ? g_strdup (_("now")) : bw_format_time (stop->end_us);
  g_autofree char *dur = bw_format_duration ((bw_stop_is_open (stop) ? now : stop->end_us) - stop->start_us);
  g_autofree char *title = g_strdup_printf ("%s – %s · %s", start, end, dur);
  g_autofree char *subtitle = g_strdup_printf (_("First-out: %s · Cause: %s"), bw_format_trigger (stop->trigger),
                                               bw_line_get_cause_label (bw_context_get_line (self->context), stop->cause));
  GtkWidget *button;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  button = gtk_button_new_with_mnemonic (stop->cause ? _("_Correct…") : _("C_lassify…"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  stop->cause ? _("Correct…") : _("Classify…"), -1);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "x", stop->id);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "app.classify-stop");
  if (stop->cause == NULL)
    {
      gtk_widget_add_css_class (button, "suggested-action");
      gtk_widget_add_css_class (row, "journal-unclassified");
    }
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  return row;
}

static void
stops_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = bw_client_get_finish (BW_CLIENT (source), result, &error);
  BwConveyorPage *self;
  JsonArray *arr;
  GtkWidget *child;

  if (node == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("stops: %s", error->message);
      return;
    }
  self = user_data;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->stops_list))))
    gtk_list_box_remove (self->stops_list, child);
  arr = bw_json_array_member (json_node_get_object (node), "stops");
  for (guint i = 0; arr && i < json_array_get_length (arr); i++)
    {
      g_autoptr(BwStop) stop = bw_stop_new_from_json (json_array_get_object_element (arr, i), NULL);
      if (stop)
        gtk_list_box_append (self->stops_list, make_stop_row (self, stop));
    }
  if (arr == NULL || json_array_get_length (arr) == 0)
    {
      GtkWidget *row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No stops today"));
      gtk_list_box_append (self->stops_list, row);
    }
}

static void
load_stops (BwConveyorPage *self)
{
  char from[BW_TIME_FORMAT_LEN];
  g_autofree char *path = NULL;

  if (self->conveyor == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  bw_time_format (bw_line_get_today_start (bw_context_get_line (self->context)), from);
  path = g_strdup_printf ("/api/v1/stops?conveyor=%s&from=%s&limit=200",
                          bw_live_conveyor_get_id (self->conveyor), from);
  bw_client_get_async (bw_context_get_client (self->context), path, self->cancellable, stops_cb, self);
}

static void
stop_event_cb (BwLine         *line,
               const char     *type,
               BwStop         *stop,
               BwConveyorPage *self)
{
  if (self->conveyor && g_strcmp0 (stop->conveyor, bw_live_conveyor_get_id (self->conveyor)) == 0)
    load_stops (self);
}

void
bw_conveyor_page_set_conveyor (BwConveyorPage *self,
                               BwLiveConveyor *conveyor)
{
  g_return_if_fail (BW_IS_CONVEYOR_PAGE (self));

  if (self->conveyor == conveyor)
    return;
  g_clear_signal_handler (&self->changed_id, self->conveyor);
  g_set_object (&self->conveyor, conveyor);
  g_clear_pointer (&self->live_binding, g_binding_unbind);
  if (self->chart)
    {
      gtk_box_remove (self->chart_box, self->chart);
      self->chart = NULL;
    }
  if (conveyor)
    {
      self->chart = bw_conveyor_chart_new (self->context, conveyor, BW_CONVEYOR_CHART_DETAIL);
      gtk_box_append (self->chart_box, self->chart);
      gtk_toggle_button_set_active (self->history_button, FALSE);
      /* "History" is the chart's not following now */
      self->live_binding = g_object_bind_property (self->chart, "live", self->history_button, "active",
                                                   G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE |
                                                   G_BINDING_INVERT_BOOLEAN);
      self->changed_id = g_signal_connect_swapped (conveyor, "changed", G_CALLBACK (update), self);
      update (self);
      load_stops (self);
    }
}

BwLiveConveyor *
bw_conveyor_page_get_conveyor (BwConveyorPage *self)
{
  g_return_val_if_fail (BW_IS_CONVEYOR_PAGE (self), NULL);
  return self->conveyor;
}

/**
 * bw_conveyor_page_get_chart:
 *
 * Returns: (transfer none) (nullable): the conveyor's BwChart
 */
GtkWidget *
bw_conveyor_page_get_chart (BwConveyorPage *self)
{
  g_return_val_if_fail (BW_IS_CONVEYOR_PAGE (self), NULL);
  return self->chart;
}

void
bw_conveyor_page_set_context (BwConveyorPage *self,
                              BwContext      *context)
{
  g_return_if_fail (BW_IS_CONVEYOR_PAGE (self));
  g_return_if_fail (self->context == NULL);

  self->context = g_object_ref (context);
  g_signal_connect_object (bw_context_get_line (context), "stop-event", G_CALLBACK (stop_event_cb), self, 0);
}

static void
back_clicked_cb (GtkButton      *button,
                 BwConveyorPage *self)
{
  g_signal_emit (self, signals[SIGNAL_BACK], 0);
}

static void
bw_conveyor_page_dispose (GObject *object)
{
  GtkWidget *child;
  BwConveyorPage *self = BW_CONVEYOR_PAGE (object);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_signal_handler (&self->changed_id, self->conveyor);
  g_clear_pointer (&self->live_binding, g_binding_unbind);
  self->chart = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), BW_TYPE_CONVEYOR_PAGE);
  /* the template's top box is not bound: unparent it too */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
  g_clear_object (&self->conveyor);
  g_clear_object (&self->context);
  G_OBJECT_CLASS (bw_conveyor_page_parent_class)->dispose (object);
}

static void
bw_conveyor_page_class_init (BwConveyorPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bw_conveyor_page_dispose;

  signals[SIGNAL_BACK] =
    g_signal_new ("back", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/bw-conveyor-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BwConveyorPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, BwConveyorPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, BwConveyorPage, state_label);
  gtk_widget_class_bind_template_child (widget_class, BwConveyorPage, history_button);
  gtk_widget_class_bind_template_child (widget_class, BwConveyorPage, chart_box);
  gtk_widget_class_bind_template_child (widget_class, BwConveyorPage, values_label);
  gtk_widget_class_bind_template_child (widget_class, BwConveyorPage, stops_list);
}

static void
bw_conveyor_page_init (BwConveyorPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self->back_button, "clicked", G_CALLBACK (back_clicked_cb), self);
}
