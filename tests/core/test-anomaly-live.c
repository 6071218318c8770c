/* test-anomaly-live.c: the conveyor model on the simulated line
 *
 * Fit the default conveyor model on a replay of normal running (planned
 * stops only), then stream the same belt through overload failures and
 * through process stops with load changes, the way the service does: one
 * row per 100 ms tick, not scored while stopped or starting up, the alarm
 * by BwAnomalyState. Every overload must be flagged before the relay
 * trips; normal running must raise nothing.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "bw-anomaly-model.h"
#include "bw-anomaly-state.h"
#include "bw-simulator.h"
#include "bw-time.h"
#include "bw-training-data.h"

#define SEED 21
#define START G_GINT64_CONSTANT (1795766400000000)   /* 2026-11-27T08:00:00Z */

static BwSimulator *
make_sim (BwScenario scenario,
          gint64     start_us)
{
  BwSimParams params;

  bw_sim_params_init (&params);
  params.n_conveyors = 1;
  params.seed = SEED;
  params.start_us = start_us;
  params.weights[scenario] = 1;
  return bw_simulator_new (&params);
}

static BwAnomalyModel *
fit_on_replay (void)
{
  g_autoptr(BwSimulator) sim = make_sim (BW_SCENARIO_PLANNED, START);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BwTrainingData) data = NULL;
  g_autofree char *path = NULL;
  BwAnomalyModel *model;

  /* 40 minutes of the wire format, as beltwatch-sim writes it */
  for (int i = 0; i < 40 * 600; i++)
    {
      GString *messages[1] = { g_string_new (NULL) };

      bw_simulator_tick_message (sim, messages);
      g_string_append_len (text, messages[0]->str, messages[0]->len);
      g_string_append_c (text, '\n');
      g_string_free (messages[0], TRUE);
    }
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  path = g_build_filename (g_get_user_cache_dir (), "train.jsonl", NULL);
  g_assert_true (g_file_set_contents (path, text->str, text->len, &error));

  data = bw_training_data_from_replay (path, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("%u training rows (%" G_GUINT64_FORMAT " stopped, %" G_GUINT64_FORMAT " starting up)",
                  data->n_rows, data->rows_stopped, data->rows_startup);
  g_assert_cmpuint (data->rows_stopped, >, 0);
  g_assert_cmpuint (data->n_rows, >, 10000);

  model = bw_anomaly_model_new_for_algorithm ("conveyor", &error);
  g_assert_no_error (error);
  g_assert_true (bw_anomaly_model_set_features (model, (const char * const *) data->names, &error));
  g_assert_true (bw_anomaly_model_fit (model, data->x, &error));
  g_assert_no_error (error);
  return model;
}

typedef struct
{
  BwAnomalyModel *model;
  int             col[BW_N_STANDARD_TAGS];   /* model column of each tag, or −1 */
  double          row[BW_N_STANDARD_TAGS];
  double          running;
} Live;

static void
sample_cb (guint   conveyor,
           BwTag   tag,
           gint64  time_us,
           double  value,
           gpointer user_data)
{
  Live *live = user_data;

  if (tag == BW_TAG_RUNNING)
    live->running = value;
  if (live->col[tag] >= 0)
    live->row[live->col[tag]] = value;
}

/* Streams @minutes of @scenario; returns the RAISED times */
static GArray *
stream (BwAnomalyModel *model,
        BwScenario      scenario,
        gint64          start_us,
        int             minutes,
        GPtrArray     **truth)
{
  g_autoptr(BwSimulator) sim = make_sim (scenario, start_us);
  const char * const *features = bw_anomaly_model_get_features (model);
  GArray *raised = g_array_new (FALSE, FALSE, sizeof (gint64));
  BwAnomalyState state;
  BwAlarmSpec alarm;
  Live live = { model };
  gint64 started = G_MININT64;
  gboolean was_running = TRUE;

  for (int t = 0; t < BW_N_STANDARD_TAGS; t++)
    {
      live.col[t] = -1;
      for (guint j = 0; features[j] != NULL; j++)
        if (g_str_equal (features[j], bw_tag_name (t)))
          live.col[t] = j;
    }
  bw_anomaly_model_get_alarm (model, &alarm);
  bw_anomaly_state_init (&state, alarm.hold_s * BW_USEC_PER_SEC, alarm.release_s * BW_USEC_PER_SEC,
                         alarm.clear_ratio);
  bw_anomaly_model_reset (model);

  for (int i = 0; i < minutes * 600; i++)
    {
      gint64 now = bw_simulator_get_time (sim);
      BwAnomalyResult r;

      bw_simulator_step (sim, sample_cb, &live);
      if (live.running < 0.5)
        {
          bw_anomaly_state_reset (&state);
          bw_anomaly_model_reset (model);
          was_running = FALSE;
          continue;
        }
      if (!was_running)
        started = now;
      was_running = TRUE;
      if (started != G_MININT64 && now - started < 10 * BW_USEC_PER_SEC)
        continue;

      bw_anomaly_model_push (model, live.row, &r);
      if (bw_anomaly_state_update (&state, now, bw_anomaly_result_alarm_score (&r), r.threshold) ==
          BW_ANOMALY_RAISED)
        g_array_append_val (raised, now);
    }
  /* the simulator owns its truth records: copy them */
  *truth = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < bw_simulator_get_truth (sim)->len; i++)
    g_ptr_array_add (*truth, g_memdup2 (g_ptr_array_index (bw_simulator_get_truth (sim), i),
                                        sizeof (BwSimTruth)));
  return raised;
}

static void
test_overload_and_normal (void)
{
  g_autoptr(BwAnomalyModel) model = fit_on_replay ();
  g_autoptr(GArray) raised = NULL;
  g_autoptr(GArray) quiet = NULL;
  g_autoptr(GPtrArray) truth = NULL;
  g_autoptr(GPtrArray) normal_truth = NULL;
  guint overloads = 0;

  raised = stream (model, BW_SCENARIO_OVERLOAD, START + BW_USEC_PER_DAY, 30, &truth);
  for (guint i = 0; i < truth->len; i++)
    {
      const BwSimTruth *t = g_ptr_array_index (truth, i);
      gint64 warned = G_MININT64;

      if (t->scenario != BW_SCENARIO_OVERLOAD || t->trip_us == 0 || t->trip_us < START + BW_USEC_PER_DAY)
        continue;
      overloads++;
      for (guint k = 0; k < raised->len; k++)
        {
          gint64 r = g_array_index (raised, gint64, k);

          if (r >= t->precursor_us && r < t->trip_us)
            {
              warned = r;
              break;
            }
        }
      {
        char buf[BW_TIME_FORMAT_LEN];

        g_test_message ("overload tripping at %s: warned %.1f s before", bw_time_format (t->trip_us, buf),
                        warned == G_MININT64 ? NAN : (t->trip_us - warned) / 1e6);
      }
      g_assert_cmpint (warned, !=, G_MININT64);
      g_assert_cmpint (t->trip_us - warned, >=, 5 * BW_USEC_PER_SEC);
    }
  g_assert_cmpuint (overloads, >=, 3);
  /* nothing else was raised */
  g_assert_cmpuint (raised->len, ==, overloads);

  /* process stops: the belt runs empty, the load comes and goes */
  quiet = stream (model, BW_SCENARIO_PROCESS, START + 2 * BW_USEC_PER_DAY, 40, &normal_truth);
  g_assert_cmpuint (normal_truth->len, >=, 3);
  g_assert_cmpuint (quiet->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/anomaly-live/overload-and-normal", test_overload_and_normal);

  return g_test_run ();
}
