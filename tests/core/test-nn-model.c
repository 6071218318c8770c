/* test-nn-model.c: tiny versions of the six neural detectors learn a SKAB
 * file: the loss falls, anomalous rows score higher than normal ones, a
 * saved model scores the same, and streaming gives the batch decisions;
 * the batch path scores every window of a file as the per-window forward
 * pass does
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "bw-error.h"
#include "bw-anomaly-model.h"
#include "bw-nn-detector.h"
#include "bw-nn-model.h"

#define N_TRAIN 400

typedef struct
{
  double *x;          /* scaled rows × 8 */
  int    *label;
  guint   rows;
} Skab;

static Skab data;

static void
load_skab (const char *rel)
{
  const char *dir = g_getenv ("BW_SKAB_DATA");
  g_autofree char *path = NULL, *text = NULL;
  g_auto(GStrv) lines = NULL;
  GArray *x = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *lab = g_array_new (FALSE, FALSE, sizeof (int));

  g_assert_nonnull (dir);
  path = g_build_filename (dir, rel, NULL);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = NULL;
      int a;

      g_strchomp (lines[i]);
      if (lines[i][0] == '\0')
        continue;
      f = g_strsplit (lines[i], ";", -1);
      g_assert_cmpuint (g_strv_length (f), >=, 10);
      for (int c = 1; c <= 8; c++)
        {
          double v = g_ascii_strtod (f[c], NULL);

          g_array_append_val (x, v);
        }
      a = g_ascii_strtod (f[9], NULL) > 0.5;
      g_array_append_val (lab, a);
    }
  data.rows = lab->len;
  data.label = (int *) g_array_free (lab, FALSE);
  data.x = (double *) g_array_free (x, FALSE);
  for (int c = 0; c < 8; c++)
    {
      double m = 0, v = 0;

      for (int r = 0; r < N_TRAIN; r++)
        m += data.x[r * 8 + c];
      m /= N_TRAIN;
      for (int r = 0; r < N_TRAIN; r++)
        v += (data.x[r * 8 + c] - m) * (data.x[r * 8 + c] - m);
      v = sqrt (v / N_TRAIN);
      for (guint r = 0; r < data.rows; r++)
        data.x[r * 8 + c] = (data.x[r * 8 + c] - m) / (v > 0 ? v : 1);
    }
}

static BwNnModel *
tiny (BwNnModelKind kind)
{
  BwNnModelConfig cfg;
  g_autoptr(GError) error = NULL;
  struct { const char *k, *v; } opts[6][5] = {
    [BW_NN_MODEL_AE] = { { "epochs", "40" } },
    [BW_NN_MODEL_LSTM] = { { "width", "16" }, { "epochs", "6" } },
    [BW_NN_MODEL_LSTM_AE] = { { "width", "16" }, { "epochs", "6" } },
    [BW_NN_MODEL_LSTM_VAE] = { { "width", "8" }, { "epochs", "3" }, { "batch-size", "8" } },
    [BW_NN_MODEL_CONV_AE] = { { "width", "8" }, { "window", "20" }, { "epochs", "15" } },
    [BW_NN_MODEL_MSCRED] = { { "width", "4" }, { "epochs", "6" }, { "batch-size", "32" } },
  };

  bw_nn_model_config_reference (&cfg, kind);
  cfg.seed = 11;
  for (int i = 0; i < 5 && opts[kind][i].k != NULL; i++)
    {
      g_assert_true (bw_nn_model_config_set (&cfg, opts[kind][i].k, opts[kind][i].v, &error));
      g_assert_no_error (error);
    }
  /* early stopping would make "the loss falls" depend on luck */
  cfg.patience = 0;
  return bw_nn_model_new (&cfg, 8);
}

static void
test_learns (gconstpointer user_data)
{
  BwNnModelKind kind = GPOINTER_TO_INT (user_data);
  g_autoptr(BwNnModel) model = tiny (kind);
  g_autoptr(BwNnModel) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) saved = NULL;
  g_autofree double *scores = g_new (double, data.rows);
  g_autofree double *scores2 = g_new (double, data.rows);
  g_autofree char *json = NULL;
  const float *loss;
  guint epochs, n_anom = 0, n_norm = 0, lag;
  double anom = 0, norm = 0;

  g_assert_true (bw_nn_model_fit (model, data.x, N_TRAIN, &error));
  g_assert_no_error (error);
  loss = bw_nn_model_get_loss_history (model, &epochs);
  g_test_message ("%s: %u epochs, loss %g → %g, threshold %g",
                  bw_nn_model_kind_to_string (kind), epochs, loss[0], loss[epochs - 1],
                  bw_nn_model_get_threshold (model));
  g_assert_cmpuint (epochs, >=, 3);
  g_assert_cmpfloat (loss[epochs - 1], <, loss[0]);
  g_assert_true (isfinite (bw_nn_model_get_threshold (model)));
  g_assert_cmpfloat (bw_nn_model_get_threshold (model), >, 0);

  g_assert_true (bw_nn_model_score (model, data.x, data.rows, scores, &error));
  g_assert_no_error (error);
  for (guint r = N_TRAIN; r < data.rows; r++)
    {
      g_assert_true (isfinite (scores[r]));
      if (data.label[r])
        {
          anom += scores[r];
          n_anom++;
        }
      else
        {
          norm += scores[r];
          n_norm++;
        }
    }
  g_assert_cmpuint (n_anom, >, 0);
  g_assert_cmpuint (n_norm, >, 0);
  g_test_message ("mean score: anomalous %g, normal %g", anom / n_anom, norm / n_norm);
  g_assert_cmpfloat (anom / n_anom, >, norm / n_norm);

  /* a saved model, through its JSON text, scores the same */
  saved = bw_nn_model_save (model);
  json = json_to_string (saved, FALSE);
  {
    g_autoptr(JsonNode) parsed = json_from_string (json, &error);

    g_assert_no_error (error);
    again = bw_nn_model_load (parsed, &error);
    g_assert_no_error (error);
  }
  g_assert_nonnull (again);
  g_assert_cmpfloat (bw_nn_model_get_threshold (again), ==, bw_nn_model_get_threshold (model));
  g_assert_true (bw_nn_model_score (again, data.x, data.rows, scores2, &error));
  g_assert_cmpmem (scores, data.rows * sizeof (double), scores2, data.rows * sizeof (double));

  /* streaming: the score of the newest row's decision, lag rows late */
  lag = bw_nn_model_get_lag (again);
  bw_nn_model_reset (again);
  for (guint r = 0; r < 560; r++)
    {
      double s = bw_nn_model_score_row (again, data.x + (gsize) r * 8);

      if (r >= 100 && r >= lag)
        g_assert_cmpfloat_with_epsilon (s, scores[r - lag], 1e-4 * MAX (1, fabs (s)));
    }
}

static void
test_bad_input (void)
{
  g_autoptr(BwNnModel) model = tiny (BW_NN_MODEL_AE);
  g_autoptr(GError) error = NULL;
  g_autofree double *x = g_memdup2 (data.x, N_TRAIN * 8 * sizeof (double));
  g_autoptr(JsonNode) node = NULL;
  double out[4];
  BwNnModelConfig cfg;

  /* scoring before fitting, NaN, too few rows: errors */
  g_assert_false (bw_nn_model_score (model, x, 4, out, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  x[17] = NAN;
  g_assert_false (bw_nn_model_fit (model, x, N_TRAIN, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  {
    g_autoptr(BwNnModel) conv = tiny (BW_NN_MODEL_CONV_AE);

    g_assert_false (bw_nn_model_fit (conv, data.x, 10, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
  }

  /* options */
  bw_nn_model_config_reference (&cfg, BW_NN_MODEL_CONV_AE);
  g_assert_false (bw_nn_model_config_set (&cfg, "window", "61", &error));
  g_clear_error (&error);
  g_assert_false (bw_nn_model_config_set (&cfg, "colour", "1", &error));
  g_clear_error (&error);
  g_assert_false (bw_nn_model_config_set (&cfg, "epochs", "lots", &error));
  g_clear_error (&error);
  g_assert_true (bw_nn_model_config_set (&cfg, "quantile", "0.95", &error));
  g_assert_cmpfloat (cfg.quantile, ==, 0.95);

  /* broken model files */
  node = json_from_string ("{\"format\": \"beltwatch-nn-model\", \"version\": 1, "
                           "\"config\": {\"kind\": \"ae\"}, \"n_features\": 8, "
                           "\"weights\": {}}", NULL);
  g_assert_null (bw_nn_model_load (node, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  json_node_unref (node);
  node = json_from_string ("{\"format\": \"beltwatch-nn-model\", \"version\": 99}", NULL);
  g_assert_null (bw_nn_model_load (node, &error));
  g_assert_error (error, BW_ERROR, BW_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  json_node_unref (node);
  node = json_from_string ("[1, 2]", NULL);
  g_assert_null (bw_nn_model_load (node, &error));
  g_assert_nonnull (error);
}

/* the same seed trains the same model */
static void
test_deterministic (void)
{
  g_autoptr(BwNnModel) a = tiny (BW_NN_MODEL_CONV_AE);
  g_autoptr(BwNnModel) b = tiny (BW_NN_MODEL_CONV_AE);

  g_assert_true (bw_nn_model_fit (a, data.x, N_TRAIN, NULL));
  g_assert_true (bw_nn_model_fit (b, data.x, N_TRAIN, NULL));
  g_assert_cmpfloat (bw_nn_model_get_threshold (a), ==, bw_nn_model_get_threshold (b));
}

/* through the detector interface: the registry, the anomaly model's
 * scaler, and its model file */
static void
test_detector (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) overrides = json_object_new ();
  g_autoptr(JsonObject) det = json_object_new ();
  g_autoptr(BwAnomalyModel) model = NULL;
  g_autoptr(BwAnomalyModel) again = NULL;
  g_autoptr(gsl_matrix) train = gsl_matrix_alloc (N_TRAIN, 8);
  g_autoptr(gsl_matrix) all = gsl_matrix_alloc (data.rows, 8);
  g_autoptr(gsl_vector) s1 = gsl_vector_alloc (data.rows);
  g_autoptr(gsl_vector) s2 = gsl_vector_alloc (data.rows);
  g_autofree guint8 *d1 = g_new (guint8, data.rows);
  g_autofree guint8 *d2 = g_new (guint8, data.rows);
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "lstm-ae.json", NULL);
  guint flagged = 0;

  g_assert_nonnull (bw_detector_registry_lookup ("conv-ae"));
  g_assert_nonnull (bw_detector_registry_lookup ("mscred"));
  for (guint r = 0; r < data.rows; r++)
    for (int c = 0; c < 8; c++)
      {
        /* raw-looking values: the model's own scaler undoes this */
        double v = 3 + 2 * data.x[r * 8 + c];

        gsl_matrix_set (all, r, c, v);
        if (r < N_TRAIN)
          gsl_matrix_set (train, r, c, v);
      }
  json_object_set_string_member (det, "model", "lstm-ae");
  json_object_set_int_member (det, "width", 16);
  json_object_set_int_member (det, "epochs", 4);
  json_object_set_object_member (overrides, "detector", json_object_ref (det));
  model = bw_anomaly_model_new_for_algorithm_full ("lstm-ae", overrides, &error);
  g_assert_no_error (error);
  g_assert_true (bw_anomaly_model_fit (model, train, &error));
  g_assert_no_error (error);
  g_assert_true (bw_anomaly_model_score (model, all, s1, d1, &error));
  g_assert_no_error (error);
  for (guint r = N_TRAIN; r < data.rows; r++)
    flagged += d1[r];
  g_assert_cmpuint (flagged, >, 0);
  g_assert_cmpuint (flagged, <, data.rows - N_TRAIN);

  g_assert_true (bw_anomaly_model_save (model, path, &error));
  g_assert_no_error (error);
  again = bw_anomaly_model_load (path, &error);
  g_assert_no_error (error);
  g_assert_true (bw_anomaly_model_score (again, all, s2, d2, &error));
  g_assert_cmpmem (d1, data.rows, d2, data.rows);
  g_assert_cmpfloat (bw_anomaly_model_get_threshold (again), ==,
                     bw_anomaly_model_get_threshold (model));
  g_unlink (path);
}

/* The reference architectures, briefly trained: every window of the file
 * (every forecast for the LSTM) through the batch path and through the
 * per-window forward pass, which must agree up to float rounding. The
 * scores are sums of |x − x̂|, so a value's rounding shows in them as an
 * absolute error of about 2⁻²⁴ × the values summed. */
static void
test_batch_scores (gconstpointer user_data)
{
  BwNnModelKind kind = GPOINTER_TO_INT (user_data) & 0xff;
  gboolean four = (GPOINTER_TO_INT (user_data) & 0x100) != 0;
  /* conv-ae-tuned: vibration, pressure and flow */
  const int cols4[] = { 0, 1, 3, 7 };
  int nf = four ? 4 : 8;
  g_autofree double *x = g_new (double, (gsize) data.rows * nf);
  g_autoptr(BwNnModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree double *fast = NULL, *ref = NULL, *rows = g_new (double, data.rows);
  BwNnModelConfig cfg;
  guint nfast = 0, nref = 0;
  double worst = 0, worst_rel = 0;

  for (guint r = 0; r < data.rows; r++)
    for (int c = 0; c < nf; c++)
      x[(gsize) r * nf + c] = data.x[(gsize) r * 8 + (four ? cols4[c] : c)];
  bw_nn_model_config_reference (&cfg, kind);
  cfg.seed = 3;
  cfg.epochs = 2;
  cfg.patience = 0;
  model = bw_nn_model_new (&cfg, nf);
  g_assert_true (bw_nn_model_fit (model, x, N_TRAIN, &error));
  g_assert_no_error (error);

  fast = bw_nn_model_score_samples (model, x, data.rows, FALSE, &nfast, &error);
  g_assert_no_error (error);
  ref = bw_nn_model_score_samples (model, x, data.rows, TRUE, &nref, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nfast, ==, nref);
  g_assert_cmpuint (nfast, >=, data.rows - 61);
  for (guint i = 0; i < nref; i++)
    {
      double d = fabs (fast[i] - ref[i]);

      g_assert_true (isfinite (fast[i]));
      worst = MAX (worst, d);
      worst_rel = MAX (worst_rel, d / MAX (fabs (ref[i]), 1e-12));
      g_assert_cmpfloat (d, <=, 1e-5 * fabs (ref[i]) + 1e-6 * nf);
    }
  g_test_message ("%s, %d sensors: %u samples, at most %.2g apart (%.2g relative)",
                  bw_nn_model_kind_to_string (kind), nf, nref, worst, worst_rel);

  /* the rows' scores come from the batch path */
  g_assert_true (bw_nn_model_score (model, x, data.rows, rows, &error));
  g_assert_no_error (error);
  if (kind == BW_NN_MODEL_LSTM)
    for (guint r = cfg.window; r < data.rows; r++)
      g_assert_cmpfloat (rows[r], ==, fast[r - cfg.window]);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  load_skab ("valve1/1.csv");
  for (int k = BW_NN_MODEL_AE; k <= BW_NN_MODEL_MSCRED; k++)
    {
      g_autofree char *path = g_strdup_printf ("/nn-model/learns/%s",
                                               bw_nn_model_kind_to_string (k));

      g_test_add_data_func (path, GINT_TO_POINTER (k), test_learns);
    }
  for (int k = BW_NN_MODEL_AE; k <= BW_NN_MODEL_MSCRED; k++)
    {
      g_autofree char *path = g_strdup_printf ("/nn-model/batch-scores/%s",
                                               bw_nn_model_kind_to_string (k));

      g_test_add_data_func (path, GINT_TO_POINTER (k), test_batch_scores);
    }
  g_test_add_data_func ("/nn-model/batch-scores/conv-ae-4-sensors",
                        GINT_TO_POINTER (BW_NN_MODEL_CONV_AE | 0x100), test_batch_scores);
  g_test_add_func ("/nn-model/bad-input", test_bad_input);
  g_test_add_func ("/nn-model/deterministic", test_deterministic);
  g_test_add_func ("/nn-model/detector", test_detector);
  ret = g_test_run ();
  g_free (data.x);
  g_free (data.label);
  return ret;
}
