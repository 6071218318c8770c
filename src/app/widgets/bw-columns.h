/* bw-columns.h: text columns for the app's column views
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Returns the cell's text (transfer full) */
typedef char       *(*BwColumnTextFunc)  (gpointer item,
                                          gpointer user_data);
/* Returns a CSS class for the cell, or NULL */
typedef const char *(*BwColumnClassFunc) (gpointer item,
                                          gpointer user_data);

GtkColumnViewColumn *bw_column_new_text (const char        *title,
                                         BwColumnTextFunc   text_func,
                                         BwColumnClassFunc  class_func,
                                         gpointer           user_data,
                                         int                min_chars,
                                         gboolean           expand);
GtkInscription      *bw_column_cell_get_inscription (GtkListItem *item);

G_END_DECLS
