/* bwd-sources.c: where samples come from — the in-process simulator or a
 * JSON Lines replay file (Kafka is in bwd-kafka.c)
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bwd-sources"

#include "config.h"

#include <string.h>

#include "bw-error.h"
#include "bw-tags.h"
#include "bw-time.h"
#include "bwd-service-private.h"

#define SIM_INTERVAL_MS     100
#define SIM_MAX_CATCH_UP    600    /* ticks: after a suspend, skip rather than flood */
#define REPLAY_CHUNK_LINES  4096

/* ---- simulator ---- */

static void
sim_sample_cb (guint   conveyor,
               BwTag   tag,
               gint64  t,
               double  v,
               gpointer data)
{
  BwdService *self = data;
  const char *item = self->sim_items[conveyor][tag];

  bw_monitor_ingest_item (self->monitor, item, strlen (item), t, v);
}

static gboolean
sim_tick_cb (gpointer data)
{
  BwdService *self = data;
  gint64 now = bw_time_now ();
  guint steps = 0;

  bw_monitor_begin_batch (self->monitor);
  while (bw_simulator_get_time (self->sim) <= now && steps++ < SIM_MAX_CATCH_UP)
    bw_simulator_step (self->sim, sim_sample_cb, self);
  bw_monitor_flush (self->monitor, NULL);
  return G_SOURCE_CONTINUE;
}

static gboolean
start_simulator (BwdService  *self,
                 GError     **error)
{
  BwSimParams p;
  guint n;

  bw_sim_params_init (&p);
  p.n_conveyors = self->config->sim_conveyors;
  p.seed = self->config->sim_seed;
  p.first_id = self->config->sim_first_id;
  p.start_us = bw_time_now ();
  p.stop_interval_us = self->config->sim_stop_interval_us;
  p.duration_scale = self->config->sim_duration_scale;
  self->sim = bw_simulator_new (&p);
  n = bw_simulator_get_n_conveyors (self->sim);
  self->sim_items = g_new0 (char **, n);
  for (guint i = 0; i < n; i++)
    {
      const char *id = bw_simulator_get_conveyor_id (self->sim, i);

      self->sim_items[i] = g_new0 (char *, BW_N_STANDARD_TAGS + 1);
      for (int k = 0; k < BW_N_STANDARD_TAGS; k++)
        self->sim_items[i][k] = g_strconcat (id, ".", bw_tag_name (k), NULL);
      if (!bw_monitor_find_conveyor (self->monitor, id))
        {
          g_autofree char *name = g_strdup_printf ("Simulated conveyor %s", id);
          bw_monitor_add_conveyor (self->monitor, id, name);
        }
    }
  self->sim_source_id = g_timeout_add (SIM_INTERVAL_MS, sim_tick_cb, self);
  return TRUE;
}

/* ---- replay ---- */

static gboolean replay_chunk_cb (gpointer data);

static void
schedule_replay (BwdService *self,
                 guint       delay_ms)
{
  if (delay_ms == 0)
    self->replay_source_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, replay_chunk_cb, self, NULL);
  else
    self->replay_source_id = g_timeout_add (delay_ms, replay_chunk_cb, self);
}

static gint64
newest_data_time (BwdService *self)
{
  gint64 newest = 0;

  for (guint i = 0; i < bw_monitor_get_n_conveyors (self->monitor); i++)
    newest = MAX (newest, bw_conveyor_get_last_time (bw_monitor_get_conveyor (self->monitor, i)));
  return newest;
}

static gboolean
replay_chunk_cb (gpointer data)
{
  BwdService *self = data;
  const char *buf = g_mapped_file_get_contents (self->replay);
  gsize len = g_mapped_file_get_length (self->replay);
  double speed = self->config->replay_speed;
  guint lines = 0;

  self->replay_source_id = 0;
  while (self->replay_pos < len && lines < REPLAY_CHUNK_LINES)
    {
      const char *start = buf + self->replay_pos;
      const char *nl = memchr (start, '\n', len - self->replay_pos);
      gsize line_len = nl ? (gsize) (nl - start) : len - self->replay_pos;

      self->replay_pos += line_len + (nl ? 1 : 0);
      self->replay_line++;
      if (line_len > 0 && start[line_len - 1] == '\r')
        line_len--;
      /* blank lines are allowed between messages */
      {
        gsize k = 0;
        while (k < line_len && g_ascii_isspace (start[k]))
          k++;
        if (k == line_len)
          continue;
      }
      bw_monitor_ingest_message (self->monitor, start, line_len);
      lines++;

      if (speed > 0)
        {
          gint64 newest = newest_data_time (self);
          gint64 due;

          if (self->replay_data0 == 0)
            {
              self->replay_data0 = newest;
              self->replay_wall0 = g_get_monotonic_time ();
            }
          due = self->replay_wall0 + (gint64) ((newest - self->replay_data0) / speed);
          if (due > g_get_monotonic_time ())
            {
              bw_monitor_flush (self->monitor, NULL);
              schedule_replay (self, (guint) MAX ((due - g_get_monotonic_time ()) / 1000, 1));
              return G_SOURCE_REMOVE;
            }
        }
    }
  bw_monitor_flush (self->monitor, NULL);

  if (self->replay_pos >= len)
    {
      g_message ("replay finished: %" G_GUINT64_FORMAT " lines", self->replay_line);
      bwd_service_source_finished (self);
      return G_SOURCE_REMOVE;
    }
  schedule_replay (self, 0);
  return G_SOURCE_REMOVE;
}

static gboolean
start_replay (BwdService  *self,
              GError     **error)
{
  g_autoptr(GError) local = NULL;

  self->replay = g_mapped_file_new (self->config->replay_file, FALSE, &local);
  if (self->replay == NULL)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_CONFIG, "Cannot read the replay file: %s", local->message);
      return FALSE;
    }
  /* a recording may be dated any time: the future check is for live data */
  bw_monitor_set_check_future (self->monitor, FALSE);
  schedule_replay (self, 0);
  return TRUE;
}

/* ---- all ---- */

gboolean
bwd_sources_start (BwdService  *self,
                   GError     **error)
{
  switch (self->config->source)
    {
    case BW_SOURCE_SIMULATOR:
      return start_simulator (self, error);
    case BW_SOURCE_REPLAY:
      return start_replay (self, error);
    case BW_SOURCE_KAFKA:
      self->kafka = bwd_kafka_new (self, error);
      return self->kafka != NULL;
    case BW_SOURCE_NONE:
    default:
      return TRUE;
    }
}

void
bwd_sources_stop (BwdService *self)
{
  g_clear_handle_id (&self->sim_source_id, g_source_remove);
  g_clear_handle_id (&self->replay_source_id, g_source_remove);
  if (self->sim)
    {
      for (guint i = 0; i < bw_simulator_get_n_conveyors (self->sim); i++)
        g_strfreev (self->sim_items[i]);
      g_clear_pointer (&self->sim_items, g_free);
      g_clear_pointer (&self->sim, bw_simulator_free);
    }
  g_clear_pointer (&self->replay, g_mapped_file_unref);
  if (self->kafka)
    g_clear_pointer (&self->kafka, bwd_kafka_free);
}

char *
bwd_sources_describe (BwdService *self)
{
  switch (self->config->source)
    {
    case BW_SOURCE_SIMULATOR:
      return g_strdup_printf ("simulated line of %u conveyors (seed %" G_GUINT64_FORMAT ")",
                              self->config->sim_conveyors, self->config->sim_seed);
    case BW_SOURCE_REPLAY:
      return g_strdup_printf ("replay of %s", self->config->replay_file);
    case BW_SOURCE_KAFKA:
      return g_strdup_printf ("Kafka topic %s (group %s)", self->config->kafka_topic,
                              (const char *) g_hash_table_lookup (self->config->kafka_properties, "group.id"));
    case BW_SOURCE_NONE:
    default:
      return g_strdup ("none (serving the ledger)");
    }
}
