/* bw-conveyor-chart.c: live charts of a conveyor and of a stop's window
 *
 * Glue between the line model and BwChart: a conveyor's chart starts from
 * the samples the model already holds, follows the stream's samples, shades
 * the conveyor's stops, draws the anomaly score when a detector reports, and
 * fetches history (GET /api/v1/signals, min/max decimated) when the user
 * scrolls back. A stop's chart shows the raw window kept with the stop.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-conveyor-chart"

#include "config.h"

#include <glib/gi18n.h>

#include "bw-json.h"
#include "bw-chart-private.h"
#include "bw-conveyor-chart.h"
#include "bw-format.h"
#include "bw-tags.h"
#include "bw-time.h"

typedef struct
{
  const char *tag;
  const char *color;
} SignalStyle;

/* muted, told apart by hue; red stays for stops (ISA-101) */
static const SignalStyle styles[] = {
  { "belt_speed", "#2a5d8f" },
  { "motor_current", "#8a5a1f" },
  { "load", "#4f6b3a" },
  { "md_signal", "#6b3f87" },
  { "vibration", "#5e5c64" },
};

typedef struct
{
  BwContext      *context;      /* owned */
  BwLiveConveyor *conveyor;     /* owned */
  GCancellable   *cancellable;  /* owned: history requests */
  char           *tags;         /* "belt_speed,motor_current" */
  GPtrArray      *pending;      /* JsonObject: samples a card has yet to draw */
} ChartData;

static void
chart_data_free (ChartData *d)
{
  g_clear_pointer (&d->pending, g_ptr_array_unref);
  g_cancellable_cancel (d->cancellable);
  g_clear_object (&d->cancellable);
  g_clear_object (&d->context);
  g_clear_object (&d->conveyor);
  g_free (d->tags);
  g_free (d);
}

/* the chart's "now" is the data's: a delayed or replayed stream is drawn
 * up to its newest sample, not up to the wall clock */
static gint64
data_now_cb (gpointer user_data)
{
  return bw_line_get_data_now (bw_context_get_line (user_data)) / 1000;
}

static void
add_signal (BwChart    *chart,
            const char *tag)
{
  int t = bw_tag_from_name (tag, -1);
  GdkRGBA color;

  for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
    if (g_str_equal (styles[i].tag, tag))
      gdk_rgba_parse (&color, styles[i].color);
  bw_chart_add_signal (chart, tag, t >= 0 ? bw_tag_get_label (t) : tag, bw_format_unit (tag), &color);
}

static BwLiveConveyor *
conveyor_of (BwChart *chart)
{
  ChartData *d = g_object_get_data (G_OBJECT (chart), "bw-chart-data");

  return d->conveyor;
}

static void
samples_added_cb (BwLiveConveyor *conveyor,
                  JsonObject     *data,
                  BwChart        *chart)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, data);
  bw_chart_add_samples_json (chart, node, NULL);
}

/* a card draws its samples once a second (the line's tick), not four
 * times: twenty cards redrawing at every batch cost a core on a machine
 * without a GPU */
static void
card_samples_added_cb (BwLiveConveyor *conveyor,
                       JsonObject     *data,
                       BwChart        *chart)
{
  ChartData *d = g_object_get_data (G_OBJECT (chart), "bw-chart-data");

  g_ptr_array_add (d->pending, json_object_ref (data));
}

static void
card_tick_cb (BwLine  *line,
              BwChart *chart)
{
  ChartData *d = g_object_get_data (G_OBJECT (chart), "bw-chart-data");
  g_autoptr(GPtrArray) batch = NULL;

  if (d->pending->len == 0)
    return;
  batch = g_steal_pointer (&d->pending);
  d->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  for (guint i = 0; i < batch->len; i++)
    samples_added_cb (conveyor_of (chart), batch->pdata[i], chart);
}

static void
anomaly_cb (BwLiveConveyor *conveyor,
            gint64          t_ms,
            double          score,
            double          threshold,
            BwChart        *chart)
{
  if (!bw_chart_get_anomaly_visible (chart))
    bw_chart_set_anomaly_visible (chart, TRUE);
  bw_chart_set_anomaly_threshold (chart, threshold);
  bw_chart_append_anomaly_score (chart, t_ms, score);
}

static void
show_stop (BwChart *chart,
           BwStop  *stop)
{
  g_autofree char *label = g_strdup (bw_format_trigger (stop->trigger));

  bw_chart_set_stop (chart, stop->id, stop->start_us / 1000,
                     bw_stop_is_open (stop) ? BW_CHART_STOP_OPEN : stop->end_us / 1000, label);
}

static void
stop_event_cb (BwLine     *line,
               const char *type,
               BwStop     *stop,
               BwChart    *chart)
{
  ChartData *d = g_object_get_data (G_OBJECT (chart), "bw-chart-data");

  if (g_strcmp0 (stop->conveyor, bw_live_conveyor_get_id (d->conveyor)) == 0)
    show_stop (chart, stop);
}

static void
signals_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = bw_client_get_finish (BW_CLIENT (source), result, &error);

  if (node == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("signal history: %s", error->message);
      return;
    }
  if (!bw_chart_load_signals_json (BW_CHART (user_data), node, &error))
    g_warning ("Bad signal history: %s", error->message);
}

static void
data_requested_cb (BwChart *chart,
                   gint64   from_ms,
                   gint64   to_ms,
                   guint    points,
                   gpointer user_data)
{
  ChartData *d = g_object_get_data (G_OBJECT (chart), "bw-chart-data");
  char from[BW_TIME_FORMAT_LEN], to[BW_TIME_FORMAT_LEN];
  g_autofree char *path = NULL;

  bw_time_format (from_ms * 1000, from);
  bw_time_format (to_ms * 1000, to);
  path = g_strdup_printf ("/api/v1/signals?conveyor=%s&tags=%s&from=%s&to=%s&points=%u",
                          bw_live_conveyor_get_id (d->conveyor), d->tags, from, to, CLAMP (points, 10, 20000));
  bw_client_get_async (bw_context_get_client (d->context), path, d->cancellable, signals_cb, chart);
}

static void
stops_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = bw_client_get_finish (BW_CLIENT (source), result, &error);
  JsonArray *arr;

  if (node == NULL)
    return;
  arr = bw_json_array_member (json_node_get_object (node), "stops");
  for (guint i = 0; arr && i < json_array_get_length (arr); i++)
    {
      g_autoptr(BwStop) stop = bw_stop_new_from_json (json_array_get_object_element (arr, i), NULL);
      if (stop)
        show_stop (BW_CHART (user_data), stop);
    }
}

/**
 * bw_conveyor_chart_new:
 *
 * Returns: (transfer floating): a BwChart following @conveyor
 */
GtkWidget *
bw_conveyor_chart_new (BwContext           *context,
                       BwLiveConveyor      *conveyor,
                       BwConveyorChartKind  kind)
{
  static const char * const card_tags[] = { "belt_speed", "motor_current", NULL };
  static const char * const detail_tags[] = { "belt_speed", "motor_current", "load", "md_signal", "vibration", NULL };
  const char * const *tags = kind == BW_CONVEYOR_CHART_CARD ? card_tags : detail_tags;
  BwChart *chart = BW_CHART (bw_chart_new ());
  ChartData *d = g_new0 (ChartData, 1);
  double span = kind == BW_CONVEYOR_CHART_CARD ? 5 * 60 * 1000.0 : BW_CHART_DEFAULT_SPAN_MS;
  BwStop *last;

  d->context = g_object_ref (context);
  d->conveyor = g_object_ref (conveyor);
  d->cancellable = g_cancellable_new ();
  d->tags = g_strjoinv (",", (char **) tags);
  d->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_object_set_data_full (G_OBJECT (chart), "bw-chart-data", d, (GDestroyNotify) chart_data_free);
  _bw_chart_set_now_func (chart, data_now_cb, d->context);

  /* a card runs for days: hold 20 minutes at 10 Hz, not the chart's
   * default of two million points a signal; the detail view holds hours of
   * live data and what history it fetched */
  bw_chart_set_max_points (chart, kind == BW_CONVEYOR_CHART_CARD ? 12000 : 400000);
  for (guint i = 0; tags[i]; i++)
    {
      GArray *series = bw_live_conveyor_get_series (conveyor, tags[i]);

      add_signal (chart, tags[i]);
      for (guint k = 0; series && k < series->len; k++)
        {
          BwPoint *p = &g_array_index (series, BwPoint, k);
          bw_chart_append (chart, tags[i], p->t_ms, p->v);
        }
    }
  {
    GArray *scores = bw_live_conveyor_get_anomaly_series (conveyor);
    double threshold;

    if (bw_live_conveyor_get_anomaly (conveyor, NULL, &threshold, NULL) && scores->len)
      {
        bw_chart_set_anomaly_visible (chart, TRUE);
        bw_chart_set_anomaly_threshold (chart, threshold);
        for (guint k = 0; k < scores->len; k++)
          bw_chart_append_anomaly_score (chart, g_array_index (scores, BwPoint, k).t_ms,
                                         g_array_index (scores, BwPoint, k).v);
      }
    else
      bw_chart_set_anomaly_visible (chart, FALSE);
  }
  bw_chart_set_span (chart, span);
  last = bw_live_conveyor_get_last_stop (conveyor);
  if (last)
    show_stop (chart, last);

  {
    g_autofree char *name = g_strdup_printf (_("Signals of %s"), bw_live_conveyor_get_id (conveyor));
    gtk_accessible_update_property (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  }
  if (kind == BW_CONVEYOR_CHART_CARD)
    {
      GtkWidget *frame;

      gtk_widget_set_size_request (GTK_WIDGET (chart), -1, 150);
      /* the card opens the detail on a click; the chart there is for work */
      gtk_widget_set_can_target (GTK_WIDGET (chart), FALSE);
      /* as wide as the card, not as wide as the chart would like */
      frame = gtk_scrolled_window_new ();
      gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (frame), GTK_POLICY_EXTERNAL, GTK_POLICY_NEVER);
      gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (frame), GTK_WIDGET (chart));
      gtk_widget_set_can_target (frame, FALSE);
      gtk_widget_set_hexpand (frame, TRUE);
      g_signal_connect_object (conveyor, "samples-added", G_CALLBACK (card_samples_added_cb), chart, 0);
      g_signal_connect_object (bw_context_get_line (context), "tick", G_CALLBACK (card_tick_cb), chart, 0);
      /* the minutes before the app started, from the service's history */
      g_signal_connect (chart, "data-requested", G_CALLBACK (data_requested_cb), NULL);
      g_signal_connect_object (conveyor, "anomaly-scored", G_CALLBACK (anomaly_cb), chart, 0);
      g_signal_connect_object (bw_context_get_line (context), "stop-event", G_CALLBACK (stop_event_cb), chart, 0);
      return frame;
    }
  else
    {
      char from[BW_TIME_FORMAT_LEN];
      g_autofree char *path = NULL;

      gtk_widget_set_size_request (GTK_WIDGET (chart), -1, 380);
      g_signal_connect (chart, "data-requested", G_CALLBACK (data_requested_cb), NULL);
      bw_time_format (bw_line_get_data_now (bw_context_get_line (context)) - BW_USEC_PER_DAY, from);
      path = g_strdup_printf ("/api/v1/stops?conveyor=%s&from=%s&limit=500", bw_live_conveyor_get_id (conveyor), from);
      bw_client_get_async (bw_context_get_client (context), path, d->cancellable, stops_cb, chart);
    }
  gtk_widget_set_vexpand (GTK_WIDGET (chart), TRUE);
  g_signal_connect_object (conveyor, "samples-added", G_CALLBACK (samples_added_cb), chart, 0);
  g_signal_connect_object (conveyor, "anomaly-scored", G_CALLBACK (anomaly_cb), chart, 0);
  g_signal_connect_object (bw_context_get_line (context), "stop-event", G_CALLBACK (stop_event_cb), chart, 0);
  return GTK_WIDGET (chart);
}

/**
 * bw_stop_window_chart_new:
 * @window: the stop's signal window (`t0`, `period_ms`, `n`, `tags`)
 *
 * Returns: (transfer floating) (nullable): a chart of the window, the stop
 *   shaded; %NULL with @error set if @window is malformed
 */
GtkWidget *
bw_stop_window_chart_new (BwStop      *stop,
                          JsonObject  *window,
                          GError     **error)
{
  const char *t0s = json_object_get_string_member_with_default (window, "t0", NULL);
  double period = json_object_get_double_member_with_default (window, "period_ms", 0);
  gint64 n = json_object_get_int_member_with_default (window, "n", 0);
  JsonObject *tags = bw_json_object_member (window, "tags");
  gint64 t0_us;
  BwChart *chart;

  if (t0s == NULL || !bw_time_parse (t0s, -1, &t0_us) || period <= 0 || n <= 0 || tags == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Not a signal window");
      return NULL;
    }
  chart = BW_CHART (bw_chart_new ());
  for (guint s = 0; s < G_N_ELEMENTS (styles); s++)
    {
      JsonNode *member = json_object_get_member (tags, styles[s].tag);
      JsonArray *values = member && JSON_NODE_HOLDS_ARRAY (member) ? json_node_get_array (member) : NULL;

      if (values == NULL)
        continue;
      add_signal (chart, styles[s].tag);
      for (guint i = 0; i < json_array_get_length (values); i++)
        {
          JsonNode *v = json_array_get_element (values, i);
          if (v && JSON_NODE_HOLDS_VALUE (v))
            bw_chart_append (chart, styles[s].tag, t0_us / 1000 + (gint64) (i * period), json_node_get_double (v));
        }
    }
  bw_chart_set_anomaly_visible (chart, FALSE);
  bw_chart_set_live (chart, FALSE);
  show_stop (chart, stop);
  bw_chart_set_home_range (chart, t0_us / 1000.0, t0_us / 1000.0 + n * period);
  bw_chart_set_view (chart, t0_us / 1000.0, t0_us / 1000.0 + n * period);
  gtk_widget_set_vexpand (GTK_WIDGET (chart), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Signals around the stop"), -1);
  return GTK_WIDGET (chart);
}
