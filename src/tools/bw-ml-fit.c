/* bw-ml-fit.c: `beltwatch-ml fit`, train an anomaly model
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beltwatch-ml"

#include "config.h"

#include <math.h>
#include <stdio.h>

#include "bw-anomaly-model.h"
#include "bw-ledger.h"
#include "bw-time.h"
#include "bw-training-data.h"

int bw_ml_fit_main (int argc, char **argv);

int
bw_ml_fit_main (int    argc,
                char **argv)
{
  g_autofree char *csv = NULL;
  g_autofree char *replay = NULL;
  g_autofree char *db = NULL, *from = NULL, *to = NULL;
  g_autofree char *conveyor = NULL;
  g_autofree char *tags = NULL;
  g_autofree char *algorithm = NULL;
  g_autofree char *config = NULL;
  g_autofree char *output = NULL;
  g_auto(GStrv) tag_list = NULL;
  gint64 seed = -1;
  double startup_s = 10, period_ms = 100;
  const GOptionEntry entries[] = {
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, "Train on a CSV file (header; time, running and tag columns)", "FILE" },
    { "replay", 'r', 0, G_OPTION_ARG_FILENAME, &replay, "Train on a replay file (JSON Lines of samples)", "FILE" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "Train on a ledger's per-second history of normal running", "FILE" },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, "With --db: history from this time (RFC 3339; default a week before --to)", "TIME" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, "With --db: history up to this time (default now)", "TIME" },
    { "conveyor", 'c', 0, G_OPTION_ARG_STRING, &conveyor, "Conveyor of the replay file or ledger (needed when it has several)", "ID" },
    { "tags", 't', 0, G_OPTION_ARG_STRING, &tags, "Tags to use, comma-separated (default: every analog tag)", "TAG,…" },
    { "algorithm", 'a', 0, G_OPTION_ARG_STRING, &algorithm, "Algorithm (see `beltwatch-ml skab --list`; default conveyor)", "NAME" },
    { "config", 0, 0, G_OPTION_ARG_STRING, &config, "JSON object overriding the algorithm's configuration", "JSON" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Seed for randomised detectors", "N" },
    { "startup-s", 0, 0, G_OPTION_ARG_DOUBLE, &startup_s, "Seconds left out after each start (default 10)", "S" },
    { "period-ms", 0, 0, G_OPTION_ARG_DOUBLE, &period_ms, "Grid of a replay file (default 100 ms)", "MS" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write the model file here", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BwTrainingData) data = NULL;
  g_autoptr(BwAnomalyModel) model = NULL;
  g_autoptr(JsonObject) overrides = NULL;
  g_autofree char *source = NULL;
  g_autofree char *joined = NULL;
  BwTrainingOptions options = { 0 };

  context = g_option_context_new ("- fit an anomaly model on normal running");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "Rows where the belt is stopped (running 0) and the first seconds after each\n"
    "start are left out. A replay file is pivoted onto a 10 Hz grid by\n"
    "sample-and-hold. Example:\n"
    "  beltwatch-ml fit --replay day.jsonl --conveyor CV-101 -o CV-101.model.json");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 2;
    }
  if ((csv != NULL) + (replay != NULL) + (db != NULL) != 1 || output == NULL)
    {
      fprintf (stderr, "%s: give --csv FILE, --replay FILE or --db LEDGER, and --output MODEL\n", argv[0]);
      return 2;
    }
  if (db != NULL && conveyor == NULL)
    {
      fprintf (stderr, "%s: --db needs --conveyor ID\n", argv[0]);
      return 2;
    }
  if (!(startup_s >= 0) || !(period_ms > 0) || seed < -1)
    {
      fprintf (stderr, "%s: --startup-s must be ≥ 0, --period-ms > 0, --seed ≥ 0\n", argv[0]);
      return 2;
    }
  if (config != NULL)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *root;

      if (!json_parser_load_from_data (parser, config, -1, &error) ||
          (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          fprintf (stderr, "%s: --config wants a JSON object%s%s\n", argv[0],
                   error ? ": " : "", error ? error->message : "");
          return 2;
        }
      overrides = json_object_ref (json_node_get_object (root));
    }

  if (tags != NULL)
    {
      tag_list = g_strsplit (tags, ",", -1);
      for (guint i = 0; tag_list[i] != NULL; i++)
        g_strstrip (tag_list[i]);
      options.tags = (const char * const *) tag_list;
    }
  options.conveyor = conveyor;
  options.period_us = (gint64) llround (period_ms * 1000);
  options.startup_us = startup_s == 0 ? -1 : (gint64) llround (startup_s * 1e6);

  if (db != NULL)
    {
      gint64 from_us = 0, to_us = 0;
      g_autoptr(BwLedger) ledger = NULL;

      if ((from && !bw_time_parse (from, -1, &from_us)) || (to && !bw_time_parse (to, -1, &to_us)))
        {
          fprintf (stderr, "%s: --from and --to take RFC 3339 times\n", argv[0]);
          return 2;
        }
      ledger = bw_ledger_open_sqlite_readonly (db, &error);
      if (ledger != NULL)
        data = bw_training_data_from_ledger (ledger, conveyor, from_us, to_us, &options, &error);
    }
  else
    data = csv ? bw_training_data_from_csv (csv, &options, &error)
               : bw_training_data_from_replay (replay, &options, &error);
  if (data == NULL)
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 1;
    }

  if (algorithm == NULL)
    algorithm = g_strdup ("conveyor");
  model = bw_anomaly_model_new_for_algorithm_full (algorithm, overrides, &error);
  if (model == NULL)
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 1;
    }
  if (seed >= 0)
    bw_detector_set_seed (bw_anomaly_model_get_detector (model), (guint64) seed);
  if (!bw_anomaly_model_set_features (model, (const char * const *) data->names, &error) ||
      !bw_anomaly_model_fit (model, data->x, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 1;
    }

  source = g_strdup_printf ("%s %s%s%s", csv ? "csv" : db ? "ledger" : "replay", csv ? csv : db ? db : replay,
                            conveyor ? " conveyor " : "", conveyor ? conveyor : "");
  /* the ledger's history has one row a second: so must the live rows */
  if (db != NULL)
    bw_anomaly_model_set_period_us (model, G_USEC_PER_SEC);
  bw_anomaly_model_set_training_source (model, source);
  if (!bw_anomaly_model_save (model, output, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 1;
    }

  joined = g_strjoinv (", ", data->names);
  printf ("algorithm   %s\n"
          "features    %s\n"
          "rows        %u of normal running (%" G_GUINT64_FORMAT " read, %" G_GUINT64_FORMAT
          " stopped, %" G_GUINT64_FORMAT " starting up, %" G_GUINT64_FORMAT " samples refused)\n"
          "threshold   %.6g\n"
          "model       %s\n",
          algorithm, joined, data->n_rows, data->rows_seen, data->rows_stopped,
          data->rows_startup, data->samples_rejected,
          bw_anomaly_model_get_threshold (model), output);
  return 0;
}
