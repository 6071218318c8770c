/* bw-wall-window.c: the dispatcher's wall display
 *
 * Every conveyor as a large tile — running, STOPPED with its clock and
 * first-out, or NO DATA — the clock, and the shift's downtime by cause.
 * Sized to be read from five metres (state 64 px, details 30 px on a
 * 1080p screen). Nothing to click: it follows the line by itself, shows
 * plainly when the connection is lost, and carries on when it is back.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-wall-window"

#include "config.h"

#include <glib/gi18n.h>

#include "bw-format.h"
#include "bw-stop-list.h"
#include "bw-time.h"
#include "bw-wall-window.h"

#define SHIFT_CHECK_S 30

struct _BwWallWindow
{
  GtkWindow   parent_instance;

  BwContext  *context;     /* owned */
  BwStopList *shift_stops; /* owned */
  gint64      shift_from;
  gint64      shift_to;
  char       *shift_name;
  guint       shift_timer;

  GtkLabel   *title_label;
  GtkLabel   *connection_label;
  GtkLabel   *clock_label;
  GtkFlowBox *tiles;
  GtkLabel   *shift_label;
  GtkGrid    *causes_grid;
};

G_DEFINE_FINAL_TYPE (BwWallWindow, bw_wall_window, GTK_TYPE_WINDOW)

/* ---- tiles ---- */

static void
update_tile (GtkWidget *tile)
{
  BwLiveConveyor *c = g_object_get_data (G_OBJECT (tile), "bw-conveyor");
  BwContext *context = g_object_get_data (G_OBJECT (tile), "bw-context");
  GtkLabel *state_label = g_object_get_data (G_OBJECT (tile), "bw-state");
  GtkLabel *detail_label = g_object_get_data (G_OBJECT (tile), "bw-detail");
  BwLine *line = bw_context_get_line (context);
  BwStop *open = bw_live_conveyor_get_open_stop (c);
  gint64 now = bw_line_get_data_now (line);
  g_autofree char *state = NULL;
  g_autofree char *detail = NULL;

  gtk_widget_remove_css_class (tile, "stopped");
  gtk_widget_remove_css_class (tile, "unknown");
  switch (bw_live_conveyor_get_state (c))
    {
    case BW_LIVE_RUNNING:
      state = g_strdup (C_("wall", "RUNNING"));
      break;
    case BW_LIVE_STOPPED:
      gtk_widget_add_css_class (tile, "stopped");
      if (open)
        {
          g_autofree char *el = bw_format_elapsed (now - open->start_us);
          state = g_strdup_printf (C_("wall", "STOPPED %s"), el);
        }
      else
        state = g_strdup (C_("wall", "STOPPED"));
      break;
    case BW_LIVE_UNKNOWN:
    default:
      gtk_widget_add_css_class (tile, "unknown");
      state = g_strdup (C_("wall", "NO DATA"));
      break;
    }
  if (open && bw_live_conveyor_get_state (c) != BW_LIVE_UNKNOWN)
    detail = g_strdup (bw_format_trigger (open->trigger));
  else
    {
      g_autofree char *dt = bw_format_duration (bw_live_conveyor_get_downtime_today (c, now));
      guint n = bw_live_conveyor_get_stops_today (c);
      detail = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Today: %u stop, %s", "Today: %u stops, %s", n), n, dt);
    }
  gtk_label_set_label (state_label, state);
  gtk_label_set_label (detail_label, detail);
  {
    g_autofree char *desc = g_strdup_printf ("%s: %s", bw_live_conveyor_get_id (c), state);
    gtk_accessible_update_property (GTK_ACCESSIBLE (tile), GTK_ACCESSIBLE_PROPERTY_LABEL, desc, -1);
  }
}

static GtkWidget *
create_tile (gpointer item,
             gpointer user_data)
{
  BwWallWindow *self = user_data;
  BwLiveConveyor *c = item;
  GtkWidget *tile = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *id = gtk_label_new (bw_live_conveyor_get_id (c));
  GtkWidget *state = gtk_label_new (NULL);
  GtkWidget *detail = gtk_label_new (NULL);

  gtk_widget_add_css_class (tile, "wall-tile");
  gtk_widget_add_css_class (id, "wall-id");
  gtk_widget_add_css_class (state, "wall-state");
  gtk_widget_add_css_class (detail, "wall-detail");
  gtk_label_set_xalign (GTK_LABEL (id), 0);
  gtk_label_set_xalign (GTK_LABEL (state), 0);
  gtk_label_set_xalign (GTK_LABEL (detail), 0);
  gtk_label_set_ellipsize (GTK_LABEL (detail), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (tile), id);
  gtk_box_append (GTK_BOX (tile), state);
  gtk_box_append (GTK_BOX (tile), detail);
  g_object_set_data_full (G_OBJECT (tile), "bw-conveyor", g_object_ref (c), g_object_unref);
  g_object_set_data (G_OBJECT (tile), "bw-context", self->context);
  g_object_set_data (G_OBJECT (tile), "bw-state", state);
  g_object_set_data (G_OBJECT (tile), "bw-detail", detail);
  /* the figures follow the line's tick (once a second), a change of state at once */
  g_signal_connect_object (c, "notify::state", G_CALLBACK (update_tile), tile, G_CONNECT_SWAPPED);
  g_signal_connect_object (c, "notify::open-stop", G_CALLBACK (update_tile), tile, G_CONNECT_SWAPPED);
  g_signal_connect_object (bw_context_get_line (self->context), "tick", G_CALLBACK (update_tile), tile,
                           G_CONNECT_SWAPPED);
  update_tile (tile);
  return tile;
}

/* ---- the shift's downtime by cause ---- */

static void
update_causes (BwWallWindow *self)
{
  BwLine *line = bw_context_get_line (self->context);
  gint64 now = bw_line_get_data_now (line);
  g_autoptr(GArray) causes = bw_stop_list_get_cause_totals (self->shift_stops, now);
  GtkWidget *child;
  guint n;
  gint64 total;
  g_autofree char *dt = NULL;
  g_autofree char *from = bw_format_time (self->shift_from);
  g_autofree char *to = bw_format_time (self->shift_to);
  g_autofree char *text = NULL;
  gint64 largest = 1;

  bw_stop_list_get_totals (self->shift_stops, now, &n, &total, NULL);
  dt = bw_format_duration (total);
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s (%.5s–%.5s): downtime %s, %u stop",
                                       "%s (%.5s–%.5s): downtime %s, %u stops", n),
                          self->shift_name ? self->shift_name : "", from, to, dt, n);
  gtk_label_set_label (self->shift_label, text);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->causes_grid))))
    gtk_grid_remove (self->causes_grid, child);
  for (guint i = 0; i < causes->len; i++)
    largest = MAX (largest, g_array_index (causes, BwCauseTotal, i).downtime_us);
  for (guint i = 0; i < causes->len && i < 6; i++)
    {
      BwCauseTotal *t = &g_array_index (causes, BwCauseTotal, i);
      GtkWidget *label = gtk_label_new (t->code ? bw_line_get_cause_label (line, t->code) : _("Not classified"));
      GtkWidget *bar = gtk_level_bar_new_for_interval (0, 1);
      g_autofree char *d = bw_format_duration (t->downtime_us);
      GtkWidget *figure = gtk_label_new (d);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (label, "wall-cause");
      gtk_level_bar_set_value (GTK_LEVEL_BAR (bar), (double) t->downtime_us / largest);
      gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (bar), GTK_LEVEL_BAR_OFFSET_LOW);
      gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (bar), GTK_LEVEL_BAR_OFFSET_HIGH);
      gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (bar), GTK_LEVEL_BAR_OFFSET_FULL);
      gtk_widget_set_hexpand (bar, TRUE);
      gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
      gtk_widget_set_size_request (bar, -1, 18);
      gtk_label_set_xalign (GTK_LABEL (figure), 1);
      gtk_widget_add_css_class (figure, "wall-cause-figure");
      gtk_grid_attach (self->causes_grid, label, 0, i, 1, 1);
      gtk_grid_attach (self->causes_grid, bar, 1, i, 1, 1);
      gtk_grid_attach (self->causes_grid, figure, 2, i, 1, 1);
    }
}

static void
check_shift (BwWallWindow *self)
{
  gint64 now = bw_line_get_data_now (bw_context_get_line (self->context));
  gint64 from, to;
  g_autofree char *name = NULL;

  if (!bw_context_get_shift (self->context, BW_SHIFT_CURRENT, now, &from, &to, &name))
    {
      from = bw_line_get_today_start (bw_context_get_line (self->context));
      to = from + BW_USEC_PER_DAY;
      name = g_strdup (_("Today"));
    }
  if (from == self->shift_from && to == self->shift_to)
    return;
  self->shift_from = from;
  self->shift_to = to;
  g_free (self->shift_name);
  self->shift_name = g_steal_pointer (&name);
  bw_stop_list_set_filter (self->shift_stops, from, to, NULL, NULL);
}

static gboolean
shift_timer_cb (gpointer data)
{
  check_shift (data);
  return G_SOURCE_CONTINUE;
}

/* ---- header ---- */

static void
update_header (BwWallWindow *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *clock = g_date_time_format (now, "%H:%M");
  g_autofree char *text = NULL;
  gboolean ok;

  gtk_label_set_label (self->clock_label, clock);
  text = bw_context_describe_connection (self->context, &ok, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->connection_label), !ok);
  if (!ok)
    gtk_label_set_label (self->connection_label, text);
}

static void
tick_cb (BwLine       *line,
         BwWallWindow *self)
{
  update_header (self);
  update_causes (self);
}

static void
client_state_cb (BwClient     *client,
                 GParamSpec   *pspec,
                 BwWallWindow *self)
{
  update_header (self);
  if (bw_client_is_connected (client))
    bw_stop_list_reload (self->shift_stops);
}

/* ---- public ---- */

guint
bw_wall_window_get_n_tiles (BwWallWindow *self)
{
  guint n = 0;

  g_return_val_if_fail (BW_IS_WALL_WINDOW (self), 0);
  while (gtk_flow_box_get_child_at_index (self->tiles, n))
    n++;
  return n;
}

/**
 * bw_wall_window_get_tile_state:
 *
 * Returns: (nullable): what the tile of @conveyor says in large type
 */
const char *
bw_wall_window_get_tile_state (BwWallWindow *self,
                               const char   *conveyor)
{
  GtkFlowBoxChild *child;

  g_return_val_if_fail (BW_IS_WALL_WINDOW (self), NULL);
  for (int i = 0; (child = gtk_flow_box_get_child_at_index (self->tiles, i)); i++)
    {
      GtkWidget *tile = gtk_flow_box_child_get_child (child);
      BwLiveConveyor *c = g_object_get_data (G_OBJECT (tile), "bw-conveyor");

      if (c && g_strcmp0 (bw_live_conveyor_get_id (c), conveyor) == 0)
        return gtk_label_get_label (g_object_get_data (G_OBJECT (tile), "bw-state"));
    }
  return NULL;
}

const char *
bw_wall_window_get_shift_text (BwWallWindow *self)
{
  g_return_val_if_fail (BW_IS_WALL_WINDOW (self), NULL);
  return gtk_label_get_label (self->shift_label);
}

gboolean
bw_wall_window_is_offline (BwWallWindow *self)
{
  g_return_val_if_fail (BW_IS_WALL_WINDOW (self), FALSE);
  return gtk_widget_get_visible (GTK_WIDGET (self->connection_label));
}

/* ---- GObject ---- */

static void
bw_wall_window_dispose (GObject *object)
{
  BwWallWindow *self = BW_WALL_WINDOW (object);

  g_clear_handle_id (&self->shift_timer, g_source_remove);
  if (self->tiles)
    gtk_flow_box_bind_model (self->tiles, NULL, NULL, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), BW_TYPE_WALL_WINDOW);
  g_clear_object (&self->shift_stops);
  g_clear_object (&self->context);
  G_OBJECT_CLASS (bw_wall_window_parent_class)->dispose (object);
}

static void
bw_wall_window_finalize (GObject *object)
{
  BwWallWindow *self = BW_WALL_WINDOW (object);

  g_free (self->shift_name);
  G_OBJECT_CLASS (bw_wall_window_parent_class)->finalize (object);
}

static void
bw_wall_window_class_init (BwWallWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bw_wall_window_dispose;
  object_class->finalize = bw_wall_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/bw-wall-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BwWallWindow, title_label);
  gtk_widget_class_bind_template_child (widget_class, BwWallWindow, connection_label);
  gtk_widget_class_bind_template_child (widget_class, BwWallWindow, clock_label);
  gtk_widget_class_bind_template_child (widget_class, BwWallWindow, tiles);
  gtk_widget_class_bind_template_child (widget_class, BwWallWindow, shift_label);
  gtk_widget_class_bind_template_child (widget_class, BwWallWindow, causes_grid);
  /* the way out, for whoever walks up to it with a keyboard */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F11, 0, "window.close", NULL);
}

static void
bw_wall_window_init (BwWallWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

BwWallWindow *
bw_wall_window_new (BwApplication *application,
                    BwContext     *context)
{
  BwWallWindow *self;
  BwLine *line;

  g_return_val_if_fail (BW_IS_CONTEXT (context), NULL);

  self = g_object_new (BW_TYPE_WALL_WINDOW, "application", application, NULL);
  self->context = g_object_ref (context);
  line = bw_context_get_line (context);
  self->shift_stops = bw_stop_list_new (line);
  gtk_flow_box_bind_model (self->tiles, bw_line_get_conveyors (line), create_tile, self, NULL);
  g_signal_connect_object (self->shift_stops, "changed", G_CALLBACK (update_causes), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (line, "tick", G_CALLBACK (tick_cb), self, 0);
  g_signal_connect_object (bw_line_get_client (line), "notify::state", G_CALLBACK (client_state_cb), self, 0);
  g_signal_connect_object (context, "notify::problem", G_CALLBACK (update_header), self, G_CONNECT_SWAPPED);
  self->shift_timer = g_timeout_add_seconds (SHIFT_CHECK_S, shift_timer_cb, self);
  check_shift (self);
  update_header (self);
  update_causes (self);
  return self;
}
