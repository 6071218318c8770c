/* bw-overview-page.c: every conveyor of the line at a glance
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-overview-page"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "bw-conveyor-card.h"
#include "bw-conveyor-page.h"
#include "bw-overview-page.h"

struct _BwOverviewPage
{
  GtkWidget       parent_instance;

  BwContext      *context;     /* owned */

  GtkStack       *stack;
  GtkFlowBox     *flow_box;
  BwConveyorPage *conveyor_page;
};

G_DEFINE_FINAL_TYPE (BwOverviewPage, bw_overview_page, GTK_TYPE_WIDGET)

static GtkWidget *
create_card (gpointer item,
             gpointer user_data)
{
  BwOverviewPage *self = user_data;

  return bw_conveyor_card_new (self->context, item);
}

static void
update_empty (BwOverviewPage *self)
{
  GListModel *model = bw_line_get_conveyors (bw_context_get_line (self->context));
  const char *visible = gtk_stack_get_visible_child_name (self->stack);

  if (g_list_model_get_n_items (model) == 0)
    gtk_stack_set_visible_child_name (self->stack, "empty");
  else if (g_strcmp0 (visible, "empty") == 0)
    gtk_stack_set_visible_child_name (self->stack, "grid");
}

static void
child_activated_cb (GtkFlowBox      *box,
                    GtkFlowBoxChild *child,
                    BwOverviewPage  *self)
{
  GtkWidget *card = gtk_flow_box_child_get_child (child);

  if (BW_IS_CONVEYOR_CARD (card))
    bw_overview_page_show_conveyor (self, bw_live_conveyor_get_id (bw_conveyor_card_get_conveyor (BW_CONVEYOR_CARD (card))));
}

static void
back_cb (BwConveyorPage *page,
         BwOverviewPage *self)
{
  bw_overview_page_show_all (self);
}

void
bw_overview_page_show_conveyor (BwOverviewPage *self,
                                const char     *id)
{
  BwLiveConveyor *c;

  g_return_if_fail (BW_IS_OVERVIEW_PAGE (self));

  c = bw_line_find_conveyor (bw_context_get_line (self->context), id);
  if (c == NULL)
    return;
  bw_conveyor_page_set_conveyor (self->conveyor_page, c);
  gtk_stack_set_visible_child_name (self->stack, "detail");
}

void
bw_overview_page_show_all (BwOverviewPage *self)
{
  g_return_if_fail (BW_IS_OVERVIEW_PAGE (self));

  gtk_stack_set_visible_child_name (self->stack, "grid");
  bw_conveyor_page_set_conveyor (self->conveyor_page, NULL);
  update_empty (self);
}

guint
bw_overview_page_get_n_cards (BwOverviewPage *self)
{
  guint n = 0;

  g_return_val_if_fail (BW_IS_OVERVIEW_PAGE (self), 0);
  while (gtk_flow_box_get_child_at_index (self->flow_box, n))
    n++;
  return n;
}

/**
 * bw_overview_page_get_card:
 *
 * Returns: (transfer none) (nullable): the card of conveyor @id
 */
GtkWidget *
bw_overview_page_get_card (BwOverviewPage *self,
                           const char     *id)
{
  GtkFlowBoxChild *child;

  g_return_val_if_fail (BW_IS_OVERVIEW_PAGE (self), NULL);
  for (int i = 0; (child = gtk_flow_box_get_child_at_index (self->flow_box, i)); i++)
    {
      GtkWidget *card = gtk_flow_box_child_get_child (child);
      if (BW_IS_CONVEYOR_CARD (card) &&
          g_strcmp0 (bw_live_conveyor_get_id (bw_conveyor_card_get_conveyor (BW_CONVEYOR_CARD (card))), id) == 0)
        return card;
    }
  return NULL;
}

void
bw_overview_page_set_context (BwOverviewPage *self,
                              BwContext      *context)
{
  GListModel *model;

  g_return_if_fail (BW_IS_OVERVIEW_PAGE (self));
  g_return_if_fail (self->context == NULL);

  self->context = g_object_ref (context);
  model = bw_line_get_conveyors (bw_context_get_line (context));
  gtk_flow_box_bind_model (self->flow_box, model, create_card, self, NULL);
  g_signal_connect_object (model, "items-changed", G_CALLBACK (update_empty), self, G_CONNECT_SWAPPED);
  bw_conveyor_page_set_context (self->conveyor_page, context);
  update_empty (self);
}

static void
bw_overview_page_dispose (GObject *object)
{
  GtkWidget *child;
  BwOverviewPage *self = BW_OVERVIEW_PAGE (object);

  if (self->flow_box)
    gtk_flow_box_bind_model (self->flow_box, NULL, NULL, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), BW_TYPE_OVERVIEW_PAGE);
  /* the template's top box is not bound: unparent it too */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
  g_clear_object (&self->context);
  G_OBJECT_CLASS (bw_overview_page_parent_class)->dispose (object);
}

static void
bw_overview_page_class_init (BwOverviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bw_overview_page_dispose;

  g_type_ensure (BW_TYPE_CONVEYOR_PAGE);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/bw-overview-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BwOverviewPage, stack);
  gtk_widget_class_bind_template_child (widget_class, BwOverviewPage, flow_box);
  gtk_widget_class_bind_template_child (widget_class, BwOverviewPage, conveyor_page);
}

static void
bw_overview_page_init (BwOverviewPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self->flow_box, "child-activated", G_CALLBACK (child_activated_cb), self);
  g_signal_connect (self->conveyor_page, "back", G_CALLBACK (back_cb), self);
}
