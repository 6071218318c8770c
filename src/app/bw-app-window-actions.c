/* bw-app-window-actions.c: the main window's actions
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-app-window"

#include "config.h"

#include <glib/gi18n.h>

#include "bw-exporter.h"
#include "bw-app-window-private.h"

static void
show_page_action (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  bw_app_window_show_page (user_data, g_variant_get_string (param, NULL));
}

static void
show_conveyor_action (GSimpleAction *action,
                      GVariant      *param,
                      gpointer       user_data)
{
  BwAppWindow *self = user_data;

  bw_app_window_show_page (self, "overview");
  bw_overview_page_show_conveyor (self->overview_page, g_variant_get_string (param, NULL));
}

static void
exported_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(BwAppWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = bw_exporter_export_finish (BW_EXPORTER (source), result, &error);

  if (path)
    {
      g_autofree char *base = g_path_get_basename (path);
      g_autofree char *msg = g_strdup_printf (_("Report saved: %s"), base);
      bw_app_window_show_toast (self, msg);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *msg = g_strdup_printf (_("The report was not saved: %s"), error->message);
      bw_app_window_show_toast (self, msg);
    }
}

static void
export_report_action (GSimpleAction *action,
                      GVariant      *param,
                      gpointer       user_data)
{
  BwAppWindow *self = user_data;
  g_autoptr(BwExporter) exporter = bw_exporter_new (self->context);
  g_autoptr(BwExportRequest) request = bw_journal_page_make_export_request (self->journal_page);

  bw_exporter_export_async (exporter, GTK_WINDOW (self), request, self->cancellable, exported_cb,
                            g_object_ref (self));
}

static const GActionEntry win_actions[] = {
  { "show-page", show_page_action, "s" },
  { "show-conveyor", show_conveyor_action, "s" },
  { "export-report", export_report_action },
};

void
_bw_app_window_actions_init (BwAppWindow *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions, G_N_ELEMENTS (win_actions), self);
  _bw_app_window_actions_update (self);
}

void
_bw_app_window_actions_update (BwAppWindow *self)
{
  GAction *export = g_action_map_lookup_action (G_ACTION_MAP (self), "export-report");

  /* a report is made of the server's stops */
  g_simple_action_set_enabled (G_SIMPLE_ACTION (export),
                               bw_client_is_connected (bw_context_get_client (self->context)));
}
