/* bwd-metrics.c: Prometheus text exposition (/metrics)
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bwd-metrics"

#include "config.h"

#include "bw-time.h"
#include "bw-wire.h"
#include "bwd-service-private.h"

static void
metric (GString    *out,
        const char *name,
        const char *type,
        const char *help)
{
  g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

char *
bwd_metrics_render (BwdService *self)
{
  GString *out = g_string_new (NULL);
  const BwWireStats *st = bw_monitor_get_stats (self->monitor);
  gint64 now = bw_time_now ();
  guint64 bad_total = 0;

  metric (out, "beltwatch_messages_total", "counter", "Messages received from the source.");
  g_string_append_printf (out, "beltwatch_messages_total %" G_GUINT64_FORMAT "\n", st->messages);
  metric (out, "beltwatch_samples_total", "counter", "Samples accepted.");
  g_string_append_printf (out, "beltwatch_samples_total %" G_GUINT64_FORMAT "\n", st->samples);
  metric (out, "beltwatch_bad_samples_total", "counter", "Input rejected, by reason.");
  for (int r = 0; r < BW_N_BAD_REASONS; r++)
    {
      g_string_append_printf (out, "beltwatch_bad_samples_total{reason=\"%s\"} %" G_GUINT64_FORMAT "\n",
                              bw_bad_reason_name (r), st->bad[r]);
      bad_total += st->bad[r];
    }
  metric (out, "beltwatch_stops_total", "counter", "Stops detected since the service started.");
  g_string_append_printf (out, "beltwatch_stops_total %" G_GUINT64_FORMAT "\n",
                          bw_monitor_get_stops_opened (self->monitor));
  metric (out, "beltwatch_alarms_total", "counter", "Alarms raised since the service started.");
  g_string_append_printf (out, "beltwatch_alarms_total %" G_GUINT64_FORMAT "\n",
                          bw_monitor_get_alarms_raised (self->monitor));
  metric (out, "beltwatch_clients", "gauge", "Connected WebSocket clients.");
  g_string_append_printf (out, "beltwatch_clients %u\n", bwd_stream_get_n_clients (self));
  metric (out, "beltwatch_websocket_messages_total", "counter", "Messages sent to WebSocket clients.");
  g_string_append_printf (out, "beltwatch_websocket_messages_total %" G_GUINT64_FORMAT "\n", self->ws_messages_sent);
  metric (out, "beltwatch_http_requests_total", "counter", "HTTP API requests.");
  g_string_append_printf (out, "beltwatch_http_requests_total %" G_GUINT64_FORMAT "\n", self->http_requests);
  metric (out, "beltwatch_ledger_pending_writes", "gauge", "Changes waiting to be written to the ledger.");
  g_string_append_printf (out, "beltwatch_ledger_pending_writes %u\n", bw_monitor_get_pending (self->monitor));
  metric (out, "beltwatch_ledger_write_failures_total", "counter", "Failed ledger transactions (retried).");
  g_string_append_printf (out, "beltwatch_ledger_write_failures_total %" G_GUINT64_FORMAT "\n",
                          bw_monitor_get_flush_failures (self->monitor));
  metric (out, "beltwatch_last_seq", "gauge", "Sequence number of the last stored event.");
  g_string_append_printf (out, "beltwatch_last_seq %" G_GINT64_FORMAT "\n", bw_monitor_get_last_seq (self->monitor));

  metric (out, "beltwatch_lag_seconds", "gauge",
          "Wall clock minus the newest sample's timestamp, per conveyor.");
  for (guint i = 0; i < bw_monitor_get_n_conveyors (self->monitor); i++)
    {
      BwConveyor *c = bw_monitor_get_conveyor (self->monitor, i);
      gint64 last = bw_conveyor_get_last_time (c);
      if (last)
        g_string_append_printf (out, "beltwatch_lag_seconds{conveyor=\"%s\"} %.3f\n", bw_conveyor_get_id (c),
                                (now - last) / 1e6);
    }
  metric (out, "beltwatch_conveyor_state", "gauge", "1 for the conveyor's state (running, stopped, unknown).");
  for (guint i = 0; i < bw_monitor_get_n_conveyors (self->monitor); i++)
    {
      BwConveyor *c = bw_monitor_get_conveyor (self->monitor, i);
      BwConveyorState s = bw_conveyor_get_state (c, now);
      for (BwConveyorState k = BW_CONVEYOR_UNKNOWN; k <= BW_CONVEYOR_STOPPED; k++)
        g_string_append_printf (out, "beltwatch_conveyor_state{conveyor=\"%s\",state=\"%s\"} %d\n",
                                bw_conveyor_get_id (c), bw_conveyor_state_name (k), s == k);
    }
  metric (out, "beltwatch_ring_bytes", "gauge", "Memory held by the in-memory sample rings.");
  {
    gsize total = 0;
    for (guint i = 0; i < bw_monitor_get_n_conveyors (self->monitor); i++)
      total += bw_conveyor_get_memory (bw_monitor_get_conveyor (self->monitor, i));
    g_string_append_printf (out, "beltwatch_ring_bytes %" G_GSIZE_FORMAT "\n", total);
  }
  if (self->kafka)
    bwd_kafka_append_metrics (self->kafka, out);
  if (self->classifier)
    bwd_classifier_append_metrics (self->classifier, out);
  if (self->anomaly)
    bwd_anomaly_append_metrics (self->anomaly, out);
  (void) bad_total;
  return g_string_free (out, FALSE);
}
