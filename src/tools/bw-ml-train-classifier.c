/* bw-ml-train-classifier.c: `beltwatch-ml train-classifier`
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beltwatch-ml"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bw-classifier.h"
#include "bw-features.h"
#include "bw-ledger.h"
#include "bw-mlflow.h"
#include "bw-time.h"

int bw_ml_train_classifier_main (int argc, char **argv);

static void
drop_log (const char     *domain,
          GLogLevelFlags  level,
          const char     *message,
          gpointer        data)
{
}

/* Where labelled stops come from. Each source is one small function that
 * appends to the dataset. */
static gboolean
load_training_data (BwStopDataset *into,
                    char         **ledgers,
                    char         **files,
                    guint          sim_days,
                    guint          synthetic,
                    guint64        seed,
                    guint          n_seeds,
                    GError       **error)
{
  /* the simulated line: one day per seed, seeds seed … seed + sim_days - 1 */
  for (guint d = 0; d < sim_days; d++)
    {
      BwSimParams p;

      bw_sim_params_init (&p);
      p.seed = seed + d;
      if (bw_stop_dataset_add_simulated (into, &p, BW_USEC_PER_DAY, error) < 0)
        return FALSE;
    }
  /* the operators' classifications in ledgers */
  for (guint i = 0; ledgers && ledgers[i]; i++)
    {
      g_autoptr(BwLedger) l = bw_ledger_open_sqlite_readonly (ledgers[i], error);
      int n;

      if (l == NULL || (n = bw_stop_dataset_add_ledger (into, l, 0, 0, error)) < 0)
        return FALSE;
      if (n == 0)
        g_warning ("%s has no classified stops with signal windows", ledgers[i]);
    }
  for (guint i = 0; files && files[i]; i++)
    {
      g_autoptr(BwStopDataset) d = bw_stop_dataset_load_jsonl (files[i], error);
      if (d == NULL)
        return FALSE;
      for (guint j = 0; j < bw_stop_dataset_get_n_stops (d); j++)
        {
          const BwLabelledStop *s = bw_stop_dataset_get (d, j);
          bw_stop_dataset_add (into, s->window, &s->context, s->cause, s->group ? s->group : files[i]);
        }
    }
  for (guint k = 0; synthetic > 0 && k < MAX (n_seeds, 1); k++)
    {
      g_autoptr(BwStopDataset) d = bw_stop_dataset_new_synthetic (synthetic / MAX (n_seeds, 1), seed + k);
      for (guint j = 0; j < bw_stop_dataset_get_n_stops (d); j++)
        {
          const BwLabelledStop *s = bw_stop_dataset_get (d, j);
          bw_stop_dataset_add (into, s->window, &s->context, s->cause, s->group);
        }
    }
  return TRUE;
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
member_double (JsonObject *o,
               const char *name)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;
  return n && JSON_NODE_HOLDS_VALUE (n) ? json_node_get_double (n) : NAN;
}

/* Scores the model on held-out stops: macro-F1, per-class F1, and the time
 * one suggestion takes (features + both models + calibration). */
static JsonNode *
evaluate (BwClassifier        *model,
          const BwStopDataset *data,
          GError             **error)
{
  guint k = bw_classifier_get_n_classes (model), n = bw_stop_dataset_get_n_stops (data);
  g_autofree guint *conf = g_new0 (guint, (k + 1) * (k + 1));
  g_autofree double *times = g_new (double, MAX (n, 1));
  g_autoptr(JsonBuilder) b = json_builder_new ();
  double f1_sum = 0;
  guint correct = 0;

  for (guint i = 0; i < n; i++)
    {
      const BwLabelledStop *s = bw_stop_dataset_get (data, i);
      BwPrediction p;
      gint64 t0 = g_get_monotonic_time ();
      guint truth = k, pred = k;

      if (!bw_classifier_predict (model, s->window, &s->context, &p, error))
        return NULL;
      times[i] = (g_get_monotonic_time () - t0) / 1000.0;
      for (guint c = 0; c < k; c++)
        {
          if (g_str_equal (bw_classifier_get_class (model, c), s->cause))
            truth = c;
          if (g_str_equal (bw_classifier_get_class (model, c), p.cause))
            pred = c;
        }
      conf[truth * (k + 1) + pred]++;
      correct += truth == pred;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "n_stops");
  json_builder_add_int_value (b, n);
  json_builder_set_member_name (b, "per_class_f1");
  json_builder_begin_object (b);
  for (guint c = 0; c < k; c++)
    {
      guint tp = conf[c * (k + 1) + c], pred = 0, actual = 0;
      double pr, rc, f1;
      for (guint o = 0; o <= k; o++)
        {
          pred += conf[o * (k + 1) + c];
          actual += conf[c * (k + 1) + o];
        }
      pr = pred ? (double) tp / pred : 0;
      rc = actual ? (double) tp / actual : 0;
      f1 = pr + rc > 0 ? 2 * pr * rc / (pr + rc) : 0;
      f1_sum += f1;
      json_builder_set_member_name (b, bw_classifier_get_class (model, c));
      json_builder_add_double_value (b, f1);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "macro_f1");
  json_builder_add_double_value (b, f1_sum / k);
  json_builder_set_member_name (b, "accuracy");
  json_builder_add_double_value (b, n ? (double) correct / n : 0);
  {
    g_autofree double *sorted = g_memdup2 (times, sizeof (double) * MAX (n, 1));
    qsort (sorted, n, sizeof (double), cmp_double);
    json_builder_set_member_name (b, "predict_ms_median");
    json_builder_add_double_value (b, n ? sorted[n / 2] : 0);
    json_builder_set_member_name (b, "predict_ms_p99");
    json_builder_add_double_value (b, n ? sorted[MIN (n - 1, (guint) (n * 0.99))] : 0);
    json_builder_set_member_name (b, "predict_ms_max");
    json_builder_add_double_value (b, n ? sorted[n - 1] : 0);
  }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
track_run (BwMlflowRun         *run,
           BwClassifier        *model,
           const BwClassifierParams *params,
           JsonNode            *report,
           JsonNode            *heldout,
           const char          *data_desc,
           GError             **error)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  JsonObject *r = json_node_get_object (report);
  JsonObject *per_class = json_object_get_object_member (r, "per_class");
  g_autoptr(GList) classes = NULL;
  g_autofree char *model_data = NULL, *report_data = NULL;
  gsize model_len = 0;
  struct { const char *k; char *v; } p[] = {
    { "folds", g_strdup_printf ("%u", params->folds) },
    { "max_features", g_strdup_printf ("%u", params->max_features) },
    { "xgb_rounds", g_strdup_printf ("%u", params->xgb_rounds) },
    { "xgb_max_depth", g_strdup_printf ("%u", params->xgb_max_depth) },
    { "xgb_eta", bw_features_format_param (params->xgb_eta) },
    { "lr_l2", bw_features_format_param (params->lr_l2) },
    { "lr_iterations", g_strdup_printf ("%u", params->lr_iterations) },
    { "seed", g_strdup_printf ("%" G_GUINT64_FORMAT, params->seed) },
    { "cut_after_ms", g_strdup_printf ("%d", (int) (BW_FEATURES_CUT_AFTER_US / 1000)) },
    { "data", g_strdup (data_desc) },
  };
  const char *metric_keys[] = {
    "macro_f1", "accuracy", "log_loss", "brier", "ece", "ece_uncalibrated", "temperature",
    "ensemble_xgboost_weight", "n_stops", "n_features",
  };
  gboolean ok = run != NULL;

  for (guint i = 0; i < G_N_ELEMENTS (p); i++)
    {
      if (ok)
        ok = bw_mlflow_run_log_param (run, p[i].k, p[i].v, error);
      g_free (p[i].v);
    }
  if (!ok)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (metric_keys); i++)
    {
      double v = member_double (r, metric_keys[i]);
      if (isfinite (v) && !bw_mlflow_run_log_metric (run, metric_keys[i], v, 0, error))
        return FALSE;
    }
  classes = per_class ? json_object_get_members (per_class) : NULL;
  for (GList *l = classes; l; l = l->next)
    {
      g_autofree char *key = g_strdup_printf ("f1.%s", (char *) l->data);
      double v = member_double (json_object_get_object_member (per_class, l->data), "f1");
      if (isfinite (v) && !bw_mlflow_run_log_metric (run, key, v, 0, error))
        return FALSE;
    }
  {
    JsonObject *models = json_object_get_object_member (r, "models");
    g_autoptr(GList) names = json_object_get_members (models);
    for (GList *l = names; l; l = l->next)
      {
        g_autofree char *key = g_strdup_printf ("%s.macro_f1", (char *) l->data);
        double v = member_double (json_object_get_object_member (models, l->data), "macro_f1");
        if (isfinite (v) && !bw_mlflow_run_log_metric (run, key, v, 0, error))
          return FALSE;
      }
  }
  if (heldout)
    {
      JsonObject *h = json_node_get_object (heldout);
      if (!bw_mlflow_run_log_metric (run, "heldout.macro_f1", member_double (h, "macro_f1"), 0, error) ||
          !bw_mlflow_run_log_metric (run, "heldout.predict_ms_median", member_double (h, "predict_ms_median"), 0, error))
        return FALSE;
    }

  model_data = bw_classifier_to_data (model, &model_len, error);
  if (model_data == NULL ||
      !bw_mlflow_run_log_artifact (run, BW_MLFLOW_MODEL_ARTIFACT, model_data, model_len, error))
    return FALSE;
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, report);
  report_data = json_generator_to_data (gen, NULL);
  if (!bw_mlflow_run_log_artifact (run, "report.json", report_data, strlen (report_data), error) ||
      !bw_mlflow_run_set_tag (run, "beltwatch.model.format", BW_CLASSIFIER_FORMAT, error) ||
      !bw_mlflow_run_end (run, TRUE, error))
    return FALSE;
  return TRUE;
}

static void
print_report (JsonNode *report)
{
  JsonObject *r = json_node_get_object (report);
  JsonObject *pc = json_object_get_object_member (r, "per_class");
  JsonObject *conf = json_object_get_object_member (r, "confusion");
  JsonArray *labels = json_object_get_array_member (conf, "labels");
  JsonArray *matrix = json_object_get_array_member (conf, "matrix");
  JsonObject *models = json_object_get_object_member (r, "models");
  JsonArray *imp = json_object_get_array_member (r, "feature_importance");
  JsonArray *rel = json_object_get_array_member (r, "reliability");
  guint k = json_array_get_length (labels);

  printf ("%s over %" G_GINT64_FORMAT " stops (%" G_GINT64_FORMAT " folds), %" G_GINT64_FORMAT
          " features of %" G_GINT64_FORMAT " candidates\n\n",
          json_object_get_boolean_member (r, "cross_validated") ? "Cross-validation" : "Training fit",
          json_object_get_int_member (r, "n_stops"), json_object_get_int_member (r, "folds"),
          json_object_get_int_member (r, "n_features"),
          json_object_get_int_member (r, "n_candidate_features"));
  printf ("%-16s %9s %9s %9s %8s\n", "cause", "precision", "recall", "f1", "support");
  for (guint c = 0; c < k; c++)
    {
      const char *name = json_array_get_string_element (labels, c);
      JsonObject *o = json_object_get_object_member (pc, name);
      printf ("%-16s %9.4f %9.4f %9.4f %8" G_GINT64_FORMAT "\n", name,
              member_double (o, "precision"), member_double (o, "recall"), member_double (o, "f1"),
              json_object_get_int_member (o, "support"));
    }
  printf ("\nmacro-F1 %.4f  accuracy %.4f  log-loss %.4f  Brier %.4f\n",
          member_double (r, "macro_f1"), member_double (r, "accuracy"),
          member_double (r, "log_loss"), member_double (r, "brier"));
  printf ("models: xgboost %.4f, logistic %.4f, ensemble %.4f (xgboost weight %.1f)\n",
          member_double (json_object_get_object_member (models, "xgboost"), "macro_f1"),
          member_double (json_object_get_object_member (models, "logistic"), "macro_f1"),
          member_double (json_object_get_object_member (models, "ensemble_calibrated"), "macro_f1"),
          member_double (r, "ensemble_xgboost_weight"));
  printf ("calibration: temperature %.3f, expected calibration error %.4f -> %.4f\n\n",
          member_double (r, "temperature"), member_double (r, "ece_uncalibrated"), member_double (r, "ece"));

  printf ("confusion (rows: true, columns: predicted)\n%-16s", "");
  for (guint c = 0; c < k; c++)
    printf (" %7.7s", json_array_get_string_element (labels, c));
  printf ("\n");
  for (guint i = 0; i < k; i++)
    {
      JsonArray *row = json_array_get_array_element (matrix, i);
      printf ("%-16s", json_array_get_string_element (labels, i));
      for (guint c = 0; c < k; c++)
        printf (" %7" G_GINT64_FORMAT, json_array_get_int_element (row, c));
      printf ("\n");
    }
  printf ("\nreliability (top-label confidence -> accuracy)\n");
  for (guint i = 0; i < json_array_get_length (rel); i++)
    {
      JsonObject *o = json_array_get_object_element (rel, i);
      if (json_object_get_int_member (o, "count") > 0)
        printf ("  %.1f-%.1f  n=%-6" G_GINT64_FORMAT " confidence %.3f accuracy %.3f\n",
                member_double (o, "bin_low"), member_double (o, "bin_high"),
                json_object_get_int_member (o, "count"), member_double (o, "mean_confidence"),
                member_double (o, "accuracy"));
    }
  printf ("\nfeature importance (total gain, XGBoost)\n");
  for (guint i = 0; i < MIN (json_array_get_length (imp), 15u); i++)
    {
      JsonObject *o = json_array_get_object_element (imp, i);
      printf ("  %10.1f  %s\n", member_double (o, "total_gain"),
              json_object_get_string_member (o, "feature"));
    }
  {
    JsonObject *t = json_object_get_object_member (r, "timing_s");
    printf ("\ntime: features %.2f s, cross-validation %.2f s, final fit %.2f s, total %.2f s\n",
            member_double (t, "features"), member_double (t, "cross_validation"),
            member_double (t, "final_fit"), member_double (t, "total"));
  }
}

int
bw_ml_train_classifier_main (int    argc,
                             char **argv)
{
  g_auto(GStrv) data_files = NULL, eval_files = NULL, ledgers = NULL;
  g_autofree char *out = NULL, *tracking = NULL, *experiment = NULL, *run_name = NULL;
  g_autofree char *report_path = NULL;
  int synthetic = 0, eval_synthetic = 0, folds = -1, max_features = -1, rounds = -1, depth = -1;
  int threads = -1, n_seeds = 1, eval_seeds = 1, sim_days = 0, eval_sim_days = 0;
  gint64 seed = 1, eval_seed = 1000;
  double eta = NAN, l2 = NAN;
  gboolean no_tracking = FALSE, quiet = FALSE;
  GOptionEntry entries[] = {
    { "ledger", 'l', 0, G_OPTION_ARG_FILENAME_ARRAY, &ledgers, "The stops operators classified in a SQLite ledger (with their windows); repeatable", "FILE" },
    { "data", 'd', 0, G_OPTION_ARG_FILENAME_ARRAY, &data_files, "Labelled stops (JSON Lines: simulator or ledger export); repeatable", "FILE" },
    { "sim-days", 0, 0, G_OPTION_ARG_INT, &sim_days, "Add the stops of N simulated days (one seed each) with their ground truth", "N" },
    { "synthetic", 0, 0, G_OPTION_ARG_INT, &synthetic, "Add N synthetic labelled stops (development data)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "First seed of the synthetic stops and of training (1)", "S" },
    { "seeds", 0, 0, G_OPTION_ARG_INT, &n_seeds, "Spread the synthetic stops over this many seeds (1)", "K" },
    { "eval-data", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &eval_files, "Held-out labelled stops to score the final model on", "FILE" },
    { "eval-sim-days", 0, 0, G_OPTION_ARG_INT, &eval_sim_days, "Held-out simulated days (seeds from --eval-seed)", "N" },
    { "eval-synthetic", 0, 0, G_OPTION_ARG_INT, &eval_synthetic, "Held-out synthetic stops (other seeds)", "N" },
    { "eval-seed", 0, 0, G_OPTION_ARG_INT64, &eval_seed, "First seed of the held-out synthetic stops (1000)", "S" },
    { "eval-seeds", 0, 0, G_OPTION_ARG_INT, &eval_seeds, "Held-out seeds (1)", "K" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Model file to write (stop-classifier.json)", "FILE" },
    { "folds", 0, 0, G_OPTION_ARG_INT, &folds, "Stratified cross-validation folds (5; 1: none)", "K" },
    { "max-features", 0, 0, G_OPTION_ARG_INT, &max_features, "Signal features kept by the relevance filter (160)", "N" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "XGBoost boosting rounds (80)", "N" },
    { "max-depth", 0, 0, G_OPTION_ARG_INT, &depth, "XGBoost tree depth (4)", "N" },
    { "eta", 0, 0, G_OPTION_ARG_DOUBLE, &eta, "XGBoost learning rate (0.3)", "X" },
    { "l2", 0, 0, G_OPTION_ARG_DOUBLE, &l2, "Logistic regression L2 penalty (0.001)", "X" },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &threads, "Threads (2)", "N" },
    { "tracking-dir", 0, 0, G_OPTION_ARG_FILENAME, &tracking, "MLflow file store (./mlruns)", "DIR" },
    { "experiment", 0, 0, G_OPTION_ARG_STRING, &experiment, "MLflow experiment name (stop-classifier)", "NAME" },
    { "run-name", 0, 0, G_OPTION_ARG_STRING, &run_name, "MLflow run name", "NAME" },
    { "no-tracking", 0, 0, G_OPTION_ARG_NONE, &no_tracking, "Do not record the run", NULL },
    { "report", 0, 0, G_OPTION_ARG_FILENAME, &report_path, "Write the training report as JSON", "FILE" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print only the run id and file names", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- train the stop-cause classifier");
  g_autoptr(GError) error = NULL;
  g_autoptr(BwStopDataset) data = bw_stop_dataset_new ();
  g_autoptr(BwStopDataset) heldout = bw_stop_dataset_new ();
  g_autoptr(BwClassifier) model = NULL;
  g_autoptr(JsonNode) report = NULL, heldout_report = NULL;
  g_autoptr(BwMlflowRun) run = NULL;
  g_autofree char *desc = NULL;
  BwClassifierParams params;

  /* the monitor's per-conveyor chatter is not the tool's output */
  g_log_set_handler ("bw-monitor", G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG,
                     drop_log, NULL);
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx,
    "Trains on labelled stops (JSON Lines, one {\"cause\", \"context\", \"window\"} per line,\n"
    "as the simulator and `beltwatch-ml stops` export them, or --synthetic), reports\n"
    "stratified k-fold cross-validation, writes the model file and records the run in\n"
    "an MLflow file store (the model is the run's artifact " BW_MLFLOW_MODEL_ARTIFACT ").");
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 2;
    }
  if ((data_files == NULL && ledgers == NULL && synthetic <= 0 && sim_days <= 0) || synthetic < 0 || eval_synthetic < 0 ||
      sim_days < 0 || eval_sim_days < 0 || n_seeds < 1 ||
      eval_seeds < 1 || seed < 0 || eval_seed < 0)
    {
      fprintf (stderr, "%s: give labelled stops with --ledger FILE, --data FILE, --sim-days N or --synthetic N\n", argv[0]);
      return 2;
    }

  bw_classifier_params_init (&params);
  params.seed = (guint64) seed;
  if (folds >= 0)
    params.folds = folds;
  if (max_features > 0)
    params.max_features = max_features;
  if (rounds > 0)
    params.xgb_rounds = rounds;
  if (depth > 0)
    params.xgb_max_depth = depth;
  if (isfinite (eta) && eta > 0)
    params.xgb_eta = eta;
  if (isfinite (l2) && l2 >= 0)
    params.lr_l2 = l2;
  if (threads > 0)
    params.n_threads = threads;

  if (!load_training_data (data, ledgers, data_files, sim_days, synthetic, seed, n_seeds, &error) ||
      !load_training_data (heldout, NULL, eval_files, eval_sim_days, eval_synthetic, eval_seed, eval_seeds, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 1;
    }
  if (data_files)
    desc = g_strjoinv (",", data_files);
  else if (sim_days > 0)
    desc = g_strdup_printf ("simulated:%d days:seeds %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT,
                            sim_days, seed, seed + sim_days - 1);
  else
    desc = g_strdup_printf ("synthetic:%d:seeds %" G_GINT64_FORMAT "+%d", synthetic, seed, n_seeds);
  if (!quiet)
    printf ("%u training stops, %u held-out stops\n\n", bw_stop_dataset_get_n_stops (data),
            bw_stop_dataset_get_n_stops (heldout));

  /* the run is open while training, so its start and end times are the training's */
  if (!no_tracking)
    {
      run = bw_mlflow_run_start (tracking ? tracking : "mlruns", experiment ? experiment : "stop-classifier",
                                 run_name, &error);
      if (run == NULL)
        {
          fprintf (stderr, "%s: experiment tracking: %s\n", argv[0], error->message);
          return 1;
        }
    }
  model = bw_classifier_train (data, &params, &report, &error);
  if (model == NULL)
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      if (run)
        {
          bw_mlflow_run_set_tag (run, "beltwatch.error", error->message, NULL);
          bw_mlflow_run_end (run, FALSE, NULL);
        }
      return 1;
    }
  if (bw_stop_dataset_get_n_stops (heldout) > 0)
    {
      heldout_report = evaluate (model, heldout, &error);
      if (heldout_report == NULL)
        {
          fprintf (stderr, "%s: %s\n", argv[0], error->message);
          return 1;
        }
      json_object_set_member (json_node_get_object (report), "heldout", json_node_ref (heldout_report));
    }
  if (!bw_classifier_save (model, out ? out : "stop-classifier.json", &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 1;
    }
  if (run && !track_run (run, model, &params, report, heldout_report, desc, &error))
    {
      fprintf (stderr, "%s: experiment tracking: %s\n", argv[0], error->message);
      return 1;
    }
  if (report_path)
    {
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      json_generator_set_pretty (gen, TRUE);
      json_generator_set_root (gen, report);
      if (!json_generator_to_file (gen, report_path, &error))
        {
          fprintf (stderr, "%s: %s\n", argv[0], error->message);
          return 1;
        }
    }

  if (!quiet)
    {
      print_report (report);
      if (heldout_report)
        {
          JsonObject *h = json_node_get_object (heldout_report);
          JsonObject *f1 = json_object_get_object_member (h, "per_class_f1");
          g_autoptr(GList) names = json_object_get_members (f1);

          printf ("\nheld-out: %" G_GINT64_FORMAT " stops, macro-F1 %.4f, accuracy %.4f\n ",
                  json_object_get_int_member (h, "n_stops"), member_double (h, "macro_f1"),
                  member_double (h, "accuracy"));
          for (GList *l = names; l; l = l->next)
            printf (" %s %.4f", (char *) l->data, member_double (f1, l->data));
          printf ("\n  one suggestion: median %.3f ms, p99 %.3f ms, max %.3f ms\n",
                  member_double (h, "predict_ms_median"), member_double (h, "predict_ms_p99"),
                  member_double (h, "predict_ms_max"));
        }
      printf ("\nmodel: %s\n", out ? out : "stop-classifier.json");
    }
  if (run)
    printf ("run: %s\n", bw_mlflow_run_get_id (run));
  return 0;
}
