/* bw-columns.c: text columns for the app's column views
 *
 * A cell is a GtkInscription (GTK 4.8 has no GtkColumnViewCell) whose text
 * and CSS class come from two functions of the row's item.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-columns"

#include "config.h"

#include "bw-columns.h"

typedef struct
{
  BwColumnTextFunc  text_func;
  BwColumnClassFunc class_func;
  gpointer          user_data;
  int               min_chars;
  gboolean          tooltips;
} Column;

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          Column                   *col)
{
  GtkWidget *ins = gtk_inscription_new (NULL);

  gtk_inscription_set_xalign (GTK_INSCRIPTION (ins), 0.0);
  gtk_inscription_set_min_chars (GTK_INSCRIPTION (ins), col->min_chars);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (ins), col->min_chars + 4);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (ins), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_list_item_set_child (item, ins);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         Column                   *col)
{
  GtkWidget *ins = gtk_list_item_get_child (item);
  gpointer obj = gtk_list_item_get_item (item);
  g_autofree char *text = col->text_func (obj, col->user_data);
  const char *old = g_object_get_data (G_OBJECT (ins), "bw-class");
  const char *cls = col->class_func ? col->class_func (obj, col->user_data) : NULL;

  gtk_inscription_set_text (GTK_INSCRIPTION (ins), text);
  /* the whole text of a cell that may be cut short; only when it changed:
   * setting a tooltip asks the X server where the pointer is, and a list
   * rebinds its rows on every change */
  if (col->tooltips && g_strcmp0 (gtk_widget_get_tooltip_text (ins), text) != 0)
    gtk_widget_set_tooltip_text (ins, text);
  if (old && g_strcmp0 (old, cls) != 0)
    gtk_widget_remove_css_class (ins, old);
  if (cls)
    gtk_widget_add_css_class (ins, cls);
  g_object_set_data (G_OBJECT (ins), "bw-class", (gpointer) cls);
}

/**
 * bw_column_new_text:
 * @class_func: (nullable): a CSS class per cell
 * @user_data: passed to both functions; must outlive the column
 *
 * Returns: (transfer full): a column of text cells
 */
GtkColumnViewColumn *
bw_column_new_text (const char        *title,
                    BwColumnTextFunc   text_func,
                    BwColumnClassFunc  class_func,
                    gpointer           user_data,
                    int                min_chars,
                    gboolean           expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  Column *col = g_new0 (Column, 1);
  GtkColumnViewColumn *column;

  col->text_func = text_func;
  col->class_func = class_func;
  col->user_data = user_data;
  col->min_chars = min_chars;
  /* the columns that take the remaining width carry the long texts */
  col->tooltips = expand;
  g_object_set_data_full (G_OBJECT (factory), "bw-column", col, g_free);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), col);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), col);
  column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (column, expand);
  gtk_column_view_column_set_resizable (column, TRUE);
  return column;
}

GtkInscription *
bw_column_cell_get_inscription (GtkListItem *item)
{
  return GTK_INSCRIPTION (gtk_list_item_get_child (item));
}
