/* bw-ml-score.c: `beltwatch-ml score`, run an anomaly model over recorded data
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beltwatch-ml"

#include "config.h"

#include <math.h>
#include <stdio.h>

#include "bw-anomaly-model.h"
#include "bw-anomaly-state.h"
#include "bw-time.h"
#include "bw-training-data.h"

int bw_ml_score_main (int argc, char **argv);

int
bw_ml_score_main (int    argc,
                  char **argv)
{
  g_autofree char *model_path = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *replay = NULL;
  g_autofree char *conveyor = NULL;
  g_autofree char *output = NULL;
  double startup_s = 10, period_ms = 100;
  const GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path, "Model file (from beltwatch-ml fit)", "FILE" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, "Score a CSV file", "FILE" },
    { "replay", 'r', 0, G_OPTION_ARG_FILENAME, &replay, "Score a replay file (JSON Lines of samples)", "FILE" },
    { "conveyor", 'c', 0, G_OPTION_ARG_STRING, &conveyor, "Conveyor of the replay file", "ID" },
    { "startup-s", 0, 0, G_OPTION_ARG_DOUBLE, &startup_s, "Seconds not scored after each start (default 10)", "S" },
    { "period-ms", 0, 0, G_OPTION_ARG_DOUBLE, &period_ms, "Grid of a replay file (default 100 ms)", "MS" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write time;score;threshold;decision per row", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BwTrainingData) data = NULL;
  g_autoptr(BwAnomalyModel) model = NULL;
  g_autoptr(GString) rows_out = NULL;
  g_autofree int *col = NULL;
  g_autofree double *row = NULL;
  const char * const *features;
  BwTrainingOptions options = { 0 };
  BwAnomalyState state;
  BwAlarmSpec alarm;
  guint n_features, raised = 0;
  guint64 scored = 0, anomalous = 0;
  gint64 started = G_MININT64;
  gboolean was_running = TRUE;

  context = g_option_context_new ("- run an anomaly model over recorded data");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "Prints the anomalies the model raises (with its hold time and hysteresis),\n"
    "the way the service would. Stopped periods and start-ups are not scored.");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 2;
    }
  if (model_path == NULL || (csv == NULL) == (replay == NULL) || !(startup_s >= 0) || !(period_ms > 0))
    {
      fprintf (stderr, "%s: give --model FILE and --csv FILE or --replay FILE\n", argv[0]);
      return 2;
    }

  model = bw_anomaly_model_load (model_path, &error);
  if (model == NULL)
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 1;
    }
  features = bw_anomaly_model_get_features (model);
  n_features = bw_anomaly_model_get_n_features (model);

  options.tags = features;
  options.conveyor = conveyor;
  options.period_us = (gint64) llround (period_ms * 1000);
  options.keep_all = TRUE;
  data = csv ? bw_training_data_from_csv (csv, &options, &error)
             : bw_training_data_from_replay (replay, &options, &error);
  if (data == NULL)
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 1;
    }

  bw_anomaly_model_get_alarm (model, &alarm);
  bw_anomaly_state_init (&state, (gint64) llround (alarm.hold_s * 1e6),
                         (gint64) llround (alarm.release_s * 1e6), alarm.clear_ratio);
  if (output != NULL)
    rows_out = g_string_new ("time;score;threshold;decision\n");
  row = g_new (double, n_features);
  col = g_new (int, n_features);
  for (guint j = 0; j < n_features; j++)
    col[j] = j;   /* the data was read in the model's feature order */

  for (guint i = 0; i < data->n_rows; i++)
    {
      gint64 t = data->time_us[i];
      gboolean running = data->running == NULL || data->running[i] >= 0.5;
      char buf[BW_TIME_FORMAT_LEN];
      BwAnomalyResult r;

      if (!running)
        {
          if (state.active)
            printf ("%s  cleared (belt stopped)\n", bw_time_format (t, buf));
          bw_anomaly_state_reset (&state);
          bw_anomaly_model_reset (model);
          was_running = FALSE;
          continue;
        }
      if (!was_running)
        started = t;
      was_running = TRUE;
      if (started != G_MININT64 && t - started < (gint64) (startup_s * 1e6))
        continue;

      for (guint j = 0; j < n_features; j++)
        row[j] = gsl_matrix_get (data->x, i, col[j]);
      bw_anomaly_model_push (model, row, &r);
      scored++;
      anomalous += r.decision;
      if (rows_out != NULL)
        g_string_append_printf (rows_out, "%s;%.6g;%.6g;%d\n", bw_time_format (t, buf),
                                r.score, r.threshold, r.decision);

      switch (bw_anomaly_state_update (&state, t, bw_anomaly_result_alarm_score (&r), r.threshold))
        {
        case BW_ANOMALY_RAISED:
          {
            char since[BW_TIME_FORMAT_LEN];

            raised++;
            printf ("%s  anomaly raised (since %s), score %.4g, threshold %.4g\n",
                    bw_time_format (t, buf), bw_time_format (state.raised_us, since),
                    state.peak_score, state.peak_threshold);
          }
          break;
        case BW_ANOMALY_CLEARED:
          printf ("%s  cleared\n", bw_time_format (t, buf));
          break;
        case BW_ANOMALY_NONE:
        default:
          break;
        }
    }

  printf ("%" G_GUINT64_FORMAT " rows scored, %" G_GUINT64_FORMAT " anomalous, %u anomalies raised\n",
          scored, anomalous, raised);
  if (rows_out != NULL && !g_file_set_contents (output, rows_out->str, rows_out->len, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 1;
    }
  return 0;
}
