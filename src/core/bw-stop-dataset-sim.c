/* bw-stop-dataset-sim.c: labelled stops from the simulated line
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The simulated line's samples go through the same monitor the service
 * runs; each stop's window and context are taken where the service hands
 * them to the classifier (when the stop opens), and labelled with the
 * simulator's ground truth. Training data thus sees exactly what a
 * suggestion at stop open sees.
 */
#define G_LOG_DOMAIN "bw-stop-dataset"

#include "config.h"

#include <string.h>

#include "bw-classifier.h"
#include "bw-config.h"
#include "bw-monitor.h"
#include "bw-simulator.h"
#include "bw-tags.h"
#include "bw-time.h"

typedef struct
{
  BwWindow      *window;
  BwStopContext  context;   /* strings owned */
} Captured;

typedef struct
{
  BwMonitor *monitor;
  char    ***items;         /* [conveyor][tag] */
  GArray    *captured;      /* Captured */
} SimRun;

static void
sample_cb (guint    conveyor,
           BwTag    tag,
           gint64   t,
           double   v,
           gpointer data)
{
  SimRun *run = data;
  const char *item = run->items[conveyor][tag];

  bw_monitor_ingest_item (run->monitor, item, strlen (item), t, v);
}

static void
classify_cb (BwStop              *stop,
             const BwWindow      *window,
             const BwStopContext *context,
             gpointer             data)
{
  SimRun *run = data;
  Captured c;

  c.window = bw_window_ref ((BwWindow *) window);
  c.context = *context;
  c.context.conveyor = g_strdup (context->conveyor);
  c.context.trigger = g_strdup (context->trigger);
  g_array_append_val (run->captured, c);
}

/**
 * bw_stop_dataset_add_simulated:
 * @params: the simulated line (its seed decides everything)
 * @duration_us: how long to run it
 *
 * Runs the simulated line through the monitor and adds every stop that
 * matches a ground-truth stop (same conveyor, start within 1 s), labelled
 * with the true cause; the group is `sim-<seed>`.
 *
 * Returns: the number of stops added, or -1 with @error set
 */
int
bw_stop_dataset_add_simulated (BwStopDataset     *self,
                               const BwSimParams *params,
                               gint64             duration_us,
                               GError           **error)
{
  g_autoptr(BwConfig) config = bw_config_new_default ();
  g_autoptr(BwSimulator) sim = NULL;
  g_autofree char *group = g_strdup_printf ("sim-%" G_GUINT64_FORMAT, params->seed);
  g_autofree gboolean *used = NULL;
  SimRun run = { 0 };
  GPtrArray *truths;
  gint64 end;
  int added = 0;

  run.monitor = bw_monitor_new (config, NULL, error);
  if (run.monitor == NULL)
    return -1;
  bw_monitor_set_check_future (run.monitor, FALSE);
  bw_monitor_set_classifier (run.monitor, classify_cb, &run, NULL);
  run.captured = g_array_new (FALSE, FALSE, sizeof (Captured));

  sim = bw_simulator_new (params);
  run.items = g_new0 (char **, bw_simulator_get_n_conveyors (sim));
  for (guint i = 0; i < bw_simulator_get_n_conveyors (sim); i++)
    {
      run.items[i] = g_new0 (char *, BW_N_STANDARD_TAGS + 1);
      for (int k = 0; k < BW_N_STANDARD_TAGS; k++)
        run.items[i][k] = g_strconcat (bw_simulator_get_conveyor_id (sim, i), ".", bw_tag_name (k), NULL);
    }

  end = bw_simulator_get_time (sim) + duration_us;
  while (bw_simulator_get_time (sim) < end)
    {
      bw_monitor_begin_batch (run.monitor);
      bw_simulator_step (sim, sample_cb, &run);
      if ((bw_simulator_get_time (sim) / BW_SIM_TICK_US) % 50 == 0)
        bw_monitor_flush (run.monitor, NULL);
    }
  bw_monitor_finish (run.monitor);
  bw_monitor_flush (run.monitor, NULL);

  truths = bw_simulator_get_truth (sim);
  used = g_new0 (gboolean, MAX (truths->len, 1));
  for (guint k = 0; k < run.captured->len; k++)
    {
      Captured *c = &g_array_index (run.captured, Captured, k);
      for (guint i = 0; i < truths->len; i++)
        {
          BwSimTruth *t = truths->pdata[i];
          if (!used[i] && t->start_us != 0 && g_str_equal (t->conveyor, c->context.conveyor) &&
              ABS (t->start_us - c->context.start_us) <= BW_USEC_PER_SEC)
            {
              used[i] = TRUE;
              bw_stop_dataset_add (self, c->window, &c->context, t->cause, group);
              added++;
              break;
            }
        }
      bw_window_unref (c->window);
      g_free ((char *) c->context.conveyor);
      g_free ((char *) c->context.trigger);
    }

  for (guint i = 0; i < bw_simulator_get_n_conveyors (sim); i++)
    g_strfreev (run.items[i]);
  g_free (run.items);
  g_array_unref (run.captured);
  g_object_unref (run.monitor);
  return added;
}
