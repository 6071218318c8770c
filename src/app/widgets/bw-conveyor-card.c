/* bw-conveyor-card.c: one conveyor on the overview
 *
 * Grey while the belt runs; red only when it is stopped; hatched with "No
 * data" when the data is stale or the connection is lost (ISA-101: colour
 * is for the abnormal). A stop that nobody has classified stays marked on
 * the card until someone does.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-conveyor-card"

#include "config.h"

#include <glib/gi18n.h>

#include "bw-conveyor-card.h"
#include "bw-conveyor-chart.h"
#include "bw-format.h"

struct _BwConveyorCard
{
  GtkWidget   parent_instance;

  BwContext  *context;    /* owned */
  BwLiveConveyor *conveyor;   /* owned */

  GtkBox     *card_box;
  GtkLabel   *id_label;
  GtkLabel   *name_label;
  GtkLabel   *state_label;
  GtkBox     *stop_box;
  GtkLabel   *elapsed_label;
  GtkLabel   *trigger_label;
  GtkLabel   *speed_value;
  GtkLabel   *load_value;
  GtkLabel   *current_value;
  GtkLabel   *md_value;
  GtkBox     *chart_box;
  GtkLabel   *today_label;
  GtkBox     *unclassified_box;
  GtkLabel   *unclassified_label;
  GtkButton  *classify_button;

  gint64      last_update;  /* monotonic */
};

G_DEFINE_FINAL_TYPE (BwConveyorCard, bw_conveyor_card, GTK_TYPE_WIDGET)

static void
set_value (GtkLabel       *label,
           BwLiveConveyor *c,
           const char     *tag,
           gboolean        fresh)
{
  g_autofree char *text = fresh ? bw_format_value (bw_live_conveyor_get_value (c, tag), tag) : g_strdup ("—");

  gtk_label_set_label (label, text);
}

static void
update (BwConveyorCard *self)
{
  BwLiveConveyor *c = self->conveyor;
  BwLiveState state = bw_live_conveyor_get_state (c);
  BwStop *open = bw_live_conveyor_get_open_stop (c);
  BwStop *last = bw_live_conveyor_get_last_stop (c);
  BwLine *line = bw_context_get_line (self->context);
  gint64 now = bw_line_get_data_now (line);
  const char *state_text;
  const char *classes[] = { "running", "stopped", "unknown" };
  const char *cls;
  gboolean fresh = state != BW_LIVE_UNKNOWN;

  self->last_update = g_get_monotonic_time ();

  gtk_label_set_label (self->id_label, bw_live_conveyor_get_id (c));
  gtk_label_set_label (self->name_label,
                       g_strcmp0 (bw_live_conveyor_get_name (c), bw_live_conveyor_get_id (c)) ? bw_live_conveyor_get_name (c) : "");
  switch (state)
    {
    case BW_LIVE_RUNNING:
      state_text = C_("conveyor state", "Running");
      cls = "running";
      break;
    case BW_LIVE_STOPPED:
      state_text = C_("conveyor state", "Stopped");
      cls = "stopped";
      break;
    case BW_LIVE_UNKNOWN:
    default:
      state_text = C_("conveyor state", "No data");
      cls = "unknown";
      break;
    }
  gtk_label_set_label (self->state_label, state_text);
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    {
      if (g_str_equal (classes[i], cls))
        {
          gtk_widget_add_css_class (GTK_WIDGET (self->state_label), cls);
          gtk_widget_add_css_class (GTK_WIDGET (self->card_box), cls);
        }
      else
        {
          gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), classes[i]);
          gtk_widget_remove_css_class (GTK_WIDGET (self->card_box), classes[i]);
        }
    }

  /* the stop under way: its clock, its first-out */
  gtk_widget_set_visible (GTK_WIDGET (self->stop_box), open != NULL);
  if (open)
    {
      g_autofree char *el = bw_format_elapsed (now - open->start_us);
      g_autofree char *trig = g_strdup_printf (_("First-out: %s"), bw_format_trigger (open->trigger));

      gtk_label_set_label (self->elapsed_label, el);
      gtk_label_set_label (self->trigger_label, trig);
    }

  set_value (self->speed_value, c, "belt_speed", fresh);
  set_value (self->load_value, c, "load", fresh);
  set_value (self->current_value, c, "motor_current", fresh);
  set_value (self->md_value, c, "md_signal", fresh);

  {
    g_autofree char *dt = bw_format_duration (bw_live_conveyor_get_downtime_today (c, now));
    guint n = bw_live_conveyor_get_stops_today (c);
    g_autofree char *stops = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u stop", "%u stops", n), n);
    g_autofree char *text = g_strdup_printf (_("Today: %s, downtime %s"), stops, dt);

    gtk_label_set_label (self->today_label, text);
  }

  /* unclassified stops stay conspicuous */
  if (last && last->cause == NULL && last->id)
    {
      g_autofree char *at = bw_format_time (last->start_us);
      g_autofree char *text = bw_stop_is_open (last)
                                ? g_strdup_printf (_("Stop at %s: cause not given yet"), at)
                                : g_strdup_printf (_("Stop at %s is not classified"), at);

      gtk_label_set_label (self->unclassified_label, text);
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->classify_button), "x", last->id);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->classify_button), "app.classify-stop");
      gtk_widget_set_visible (GTK_WIDGET (self->unclassified_box), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->unclassified_box), FALSE);

  {
    g_autofree char *desc = g_strdup_printf ("%s: %s", bw_live_conveyor_get_id (c), state_text);
    gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, desc, -1);
  }
}

/* samples come four times a second: the figures follow once a second (the
 * line's tick), a change of state at once */
static void
changed_cb (BwConveyorCard *self)
{
  if (g_get_monotonic_time () - self->last_update >= G_USEC_PER_SEC)
    update (self);
}

static void
state_changed_cb (BwConveyorCard *self)
{
  update (self);
}

BwLiveConveyor *
bw_conveyor_card_get_conveyor (BwConveyorCard *self)
{
  g_return_val_if_fail (BW_IS_CONVEYOR_CARD (self), NULL);
  return self->conveyor;
}

const char *
bw_conveyor_card_get_state_text (BwConveyorCard *self)
{
  g_return_val_if_fail (BW_IS_CONVEYOR_CARD (self), NULL);
  return gtk_label_get_label (self->state_label);
}

/**
 * bw_conveyor_card_get_chart_box:
 *
 * Returns: (transfer none): where the card's live chart goes
 */
GtkBox *
bw_conveyor_card_get_chart_box (BwConveyorCard *self)
{
  g_return_val_if_fail (BW_IS_CONVEYOR_CARD (self), NULL);
  return self->chart_box;
}

static void
bw_conveyor_card_dispose (GObject *object)
{
  GtkWidget *child;
  BwConveyorCard *self = BW_CONVEYOR_CARD (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), BW_TYPE_CONVEYOR_CARD);
  /* the template's top box is not bound: unparent it too */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
  g_clear_object (&self->conveyor);
  g_clear_object (&self->context);
  G_OBJECT_CLASS (bw_conveyor_card_parent_class)->dispose (object);
}

static void
bw_conveyor_card_class_init (BwConveyorCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bw_conveyor_card_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/bw-conveyor-card.ui");
  gtk_widget_class_bind_template_child (widget_class, BwConveyorCard, card_box);
  gtk_widget_class_bind_template_child (widget_class, BwConveyorCard, id_label);
  gtk_widget_class_bind_template_child (widget_class, BwConveyorCard, name_label);
  gtk_widget_class_bind_template_child (widget_class, BwConveyorCard, state_label);
  gtk_widget_class_bind_template_child (widget_class, BwConveyorCard, stop_box);
  gtk_widget_class_bind_template_child (widget_class, BwConveyorCard, elapsed_label);
  gtk_widget_class_bind_template_child (widget_class, BwConveyorCard, trigger_label);
  gtk_widget_class_bind_template_child (widget_class, BwConveyorCard, speed_value);
  gtk_widget_class_bind_template_child (widget_class, BwConveyorCard, load_value);
  gtk_widget_class_bind_template_child (widget_class, BwConveyorCard, current_value);
  gtk_widget_class_bind_template_child (widget_class, BwConveyorCard, md_value);
  gtk_widget_class_bind_template_child (widget_class, BwConveyorCard, chart_box);
  gtk_widget_class_bind_template_child (widget_class, BwConveyorCard, today_label);
  gtk_widget_class_bind_template_child (widget_class, BwConveyorCard, unclassified_box);
  gtk_widget_class_bind_template_child (widget_class, BwConveyorCard, unclassified_label);
  gtk_widget_class_bind_template_child (widget_class, BwConveyorCard, classify_button);
}

static void
bw_conveyor_card_init (BwConveyorCard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
bw_conveyor_card_new (BwContext      *context,
                      BwLiveConveyor *conveyor)
{
  BwConveyorCard *self;

  g_return_val_if_fail (BW_IS_CONTEXT (context), NULL);
  g_return_val_if_fail (BW_IS_LIVE_CONVEYOR (conveyor), NULL);

  self = g_object_new (BW_TYPE_CONVEYOR_CARD, NULL);
  self->context = g_object_ref (context);
  self->conveyor = g_object_ref (conveyor);
  g_signal_connect_object (conveyor, "changed", G_CALLBACK (changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (conveyor, "notify::state", G_CALLBACK (state_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (conveyor, "notify::open-stop", G_CALLBACK (state_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (bw_context_get_line (context), "tick", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  gtk_box_append (self->chart_box, bw_conveyor_chart_new (context, conveyor, BW_CONVEYOR_CHART_CARD));
  update (self);
  return GTK_WIDGET (self);
}
