/* test-classifier.c
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include <glib/gstdio.h>

#include "bw-classifier.h"
#include "bw-error.h"
#include "bw-features.h"


/* a fresh directory per test, removed with its files at the end */
static const char *
test_dir (void)
{
  static char *dir;

  if (dir == NULL)
    dir = g_dir_make_tmp ("bw-test-XXXXXX", NULL);
  return dir;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *e;

  while (d && (e = g_dir_read_name (d)))
    {
      g_autofree char *child = g_build_filename (path, e, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static const char *const test_signals[] = { "md_signal", "load", "motor_current", NULL };

static BwClassifier *
train_small (BwStopDataset *data,
             guint          folds,
             JsonNode     **report)
{
  BwClassifierParams params;
  g_autoptr(GError) error = NULL;
  BwClassifier *c;

  bw_classifier_params_init (&params);
  params.signals = test_signals;
  params.folds = folds;
  params.xgb_rounds = 15;
  params.max_features = 40;
  params.lr_iterations = 60;
  params.n_threads = 1;
  c = bw_classifier_train (data, &params, report, &error);
  g_assert_no_error (error);
  g_assert_nonnull (c);
  return c;
}

static double
member (JsonNode   *node,
        const char *name)
{
  return json_object_get_double_member (json_node_get_object (node), name);
}

static void
test_train_predict (void)
{
  g_autoptr(BwStopDataset) data = bw_stop_dataset_new_synthetic (240, 7);
  g_autoptr(BwStopDataset) heldout = bw_stop_dataset_new_synthetic (120, 1007);
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(BwClassifier) c = train_small (data, 3, &report);
  JsonObject *r = json_node_get_object (report);
  JsonArray *matrix;
  gint64 total = 0;
  guint correct = 0;
  double temperature;

  g_assert_cmpuint (bw_classifier_get_n_classes (c), ==, 6);
  g_assert_cmpstr (bw_classifier_get_class (c, 0), ==, "md_false_trip");
  g_assert_cmpstr (bw_classifier_get_class (c, 1), ==, "foreign_object");
  g_assert_true (json_object_get_boolean_member (r, "cross_validated"));
  g_assert_cmpfloat (member (report, "macro_f1"), >, 0.85);
  temperature = member (report, "temperature");
  g_assert_cmpfloat (temperature, >, 0.04);
  g_assert_cmpfloat (temperature, <, 21);

  /* the confusion matrix counts every stop once */
  matrix = json_object_get_array_member (json_object_get_object_member (r, "confusion"), "matrix");
  for (guint i = 0; i < json_array_get_length (matrix); i++)
    for (guint j = 0; j < json_array_get_length (matrix); j++)
      total += json_array_get_int_element (json_array_get_array_element (matrix, i), j);
  g_assert_cmpint (total, ==, 240);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (r, "feature_importance")), >, 0);

  /* every model feature is a tsfresh name or a context feature */
  for (guint j = 0; j < bw_classifier_get_n_features (c); j++)
    {
      const char *name = bw_classifier_get_feature (c, j);
      const char *sep = strstr (name, "__");
      g_assert_nonnull (sep);
      g_assert_true (g_str_has_prefix (name, "context__") || bw_features_find_calculator (sep + 2) >= 0);
    }

  for (guint i = 0; i < bw_stop_dataset_get_n_stops (heldout); i++)
    {
      const BwLabelledStop *s = bw_stop_dataset_get (heldout, i);
      g_autoptr(GError) error = NULL;
      BwPrediction p;
      double sum = 0;

      g_assert_true (bw_classifier_predict (c, s->window, &s->context, &p, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (p.n_classes, ==, 6);
      for (guint k = 0; k < p.n_classes; k++)
        {
          g_assert_cmpfloat (p.probabilities[k], >=, 0);
          g_assert_cmpfloat (p.probabilities[k], <=, p.probability);
          sum += p.probabilities[k];
        }
      g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-9);
      correct += g_str_equal (p.cause, s->cause);
    }
  g_assert_cmpuint (correct, >=, 110);
}

/* what the service cannot know at stop open must not change the suggestion */
static void
test_cut (void)
{
  g_autoptr(BwStopDataset) data = bw_stop_dataset_new_synthetic (120, 11);
  g_autoptr(BwClassifier) c = train_small (data, 0, NULL);
  const BwLabelledStop *s = bw_stop_dataset_get (data, 1);
  g_autoptr(GError) error = NULL;
  BwPrediction a, b;
  guint cut;

  g_assert_true (bw_classifier_predict (c, s->window, &s->context, &a, &error));
  cut = bw_window_index_at (s->window, s->window->stop_us + BW_FEATURES_CUT_AFTER_US);
  for (guint t = 0; t < s->window->n_tags; t++)
    for (guint j = cut + 1; j < s->window->n; j++)
      s->window->values[t][j] = j % 2 ? 1e6f : NAN;
  g_assert_true (bw_classifier_predict (c, s->window, &s->context, &b, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (a.cause, ==, b.cause);
  for (guint k = 0; k < a.n_classes; k++)
    g_assert_cmpfloat (a.probabilities[k], ==, b.probabilities[k]);
}

static void
test_save_load (void)
{
  g_autoptr(BwStopDataset) data = bw_stop_dataset_new_synthetic (120, 3);
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(BwClassifier) c = train_small (data, 2, &report);
  g_autoptr(BwClassifier) d = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (test_dir (), "model.json", NULL);

  g_assert_true (bw_classifier_save (c, path, &error));
  g_assert_no_error (error);
  d = bw_classifier_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bw_classifier_get_n_features (d), ==, bw_classifier_get_n_features (c));
  g_assert_nonnull (bw_classifier_get_metrics (d));
  for (guint i = 0; i < 20; i++)
    {
      const BwLabelledStop *s = bw_stop_dataset_get (data, i);
      BwPrediction a, b;

      g_assert_true (bw_classifier_predict (c, s->window, &s->context, &a, NULL));
      g_assert_true (bw_classifier_predict (d, s->window, &s->context, &b, NULL));
      g_assert_cmpstr (a.cause, ==, b.cause);
      for (guint k = 0; k < a.n_classes; k++)
        g_assert_cmpfloat_with_epsilon (a.probabilities[k], b.probabilities[k], 1e-6);
    }

  /* the model slot swaps in a good file and keeps its model on a bad one */
  {
    g_autoptr(BwModelSlot) slot = bw_model_slot_new ();
    g_autofree char *bad = g_build_filename (test_dir (), "bad.json", NULL);
    g_autoptr(BwClassifier) held = NULL, now = NULL;

    g_assert_null (bw_model_slot_get (slot));
    g_assert_true (bw_model_slot_load_file (slot, path, &error));
    held = bw_model_slot_get (slot);
    g_assert_nonnull (held);
    g_file_set_contents (bad, "{\"format\": \"beltwatch-stop-classifier\", \"version\": 1}", -1, NULL);
    g_assert_false (bw_model_slot_load_file (slot, bad, &error));
    g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
    g_clear_error (&error);
    now = bw_model_slot_get (slot);
    g_assert_true (now == held);
  }
}

static void
test_bad_models (void)
{
  const char *cases[] = {
    "not json",
    "[]",
    "{\"format\": \"something else\", \"version\": 1}",
    "{\"format\": \"beltwatch-stop-classifier\", \"version\": 1, \"cut_after_ms\": 1000,"
    " \"classes\": [\"a\", \"b\"], \"features\": [\"md_signal__mean\"],"
    " \"xgboost\": {\"model\": \"bm90IGEgbW9kZWw=\"},"
    " \"logistic\": {\"mean\": [0], \"scale\": [1], \"weights\": [[0, 0], [0, 0]]},"
    " \"ensemble\": {\"xgboost_weight\": 0.5}, \"calibration\": {\"temperature\": 1}}",
    "{\"format\": \"beltwatch-stop-classifier\", \"version\": 1, \"cut_after_ms\": 1000,"
    " \"classes\": [\"a\", \"b\"], \"features\": [\"md_signal__no_such_feature\"]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BwClassifier) c = bw_classifier_load_from_data (cases[i], strlen (cases[i]), &error);

      g_test_message ("case %u: %s", i, error ? error->message : "(loaded)");
      g_assert_null (c);
      g_assert_nonnull (error);
    }
  {
    const char *newer = "{\"format\": \"beltwatch-stop-classifier\", \"version\": 99}";
    g_autoptr(GError) error = NULL;
    g_autoptr(BwClassifier) c = bw_classifier_load_from_data (newer, strlen (newer), &error);
    g_assert_error (error, BW_ERROR, BW_ERROR_UNSUPPORTED);
    g_assert_null (c);
  }
}

static void
test_dataset_jsonl (void)
{
  g_autoptr(BwStopDataset) data = bw_stop_dataset_new_synthetic (8, 5);
  g_autoptr(BwStopDataset) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (test_dir (), "stops.jsonl", NULL);
  g_autofree char *bad = g_build_filename (test_dir (), "bad.jsonl", NULL);

  g_assert_true (bw_stop_dataset_save_jsonl (data, path, &error));
  back = bw_stop_dataset_load_jsonl (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bw_stop_dataset_get_n_stops (back), ==, 8);
  for (guint i = 0; i < 8; i++)
    {
      const BwLabelledStop *a = bw_stop_dataset_get (data, i), *b = bw_stop_dataset_get (back, i);
      int md = bw_window_find_tag (a->window, "md_signal");

      g_assert_cmpstr (a->cause, ==, b->cause);
      g_assert_cmpstr (a->context.trigger, ==, b->context.trigger);
      g_assert_cmpint (a->window->stop_us, ==, b->window->stop_us);
      g_assert_cmpfloat_with_epsilon (a->context.md_peak, b->context.md_peak, 1e-9);
      for (guint j = 0; j < a->window->n; j++)
        {
          float x = a->window->values[md][j], y = bw_window_get_values (b->window, "md_signal")[j];
          g_assert_true ((isnan (x) && isnan (y)) || x == y);
        }
    }

  g_file_set_contents (bad, "{\"cause\": \"failure\"}\n", -1, NULL);
  g_assert_null (bw_stop_dataset_load_jsonl (bad, &error));
  g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, ":1:"));
}

/* stops of the simulated line, taken as the service sees them at stop open */
static void
test_simulated (void)
{
  g_autoptr(BwStopDataset) data = bw_stop_dataset_new ();
  g_autoptr(GError) error = NULL;
  BwSimParams p;
  guint by_trigger_md = 0, md_causes = 0;
  int n;

  bw_sim_params_init (&p);
  p.seed = 5;
  n = bw_stop_dataset_add_simulated (data, &p, 2 * G_GINT64_CONSTANT (3600000000), &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, >, 20);
  g_assert_cmpuint (bw_stop_dataset_get_n_stops (data), ==, (guint) n);
  for (guint i = 0; i < (guint) n; i++)
    {
      const BwLabelledStop *s = bw_stop_dataset_get (data, i);
      gsize len = 0;
      g_autofree double *md = bw_features_series_from_window (s->window, "md_signal",
                                                              s->window->stop_us + BW_FEATURES_CUT_AFTER_US,
                                                              &len);

      g_assert_cmpstr (s->group, ==, "sim-5");
      g_assert_nonnull (md);
      g_assert_cmpuint (len, >, 500);
      if (g_str_equal (s->context.trigger, "md_trip"))
        {
          by_trigger_md++;
          md_causes += g_str_equal (s->cause, "md_false_trip") || g_str_equal (s->cause, "foreign_object");
        }
    }
  /* a metal-detector first-out is a false trip or an object */
  g_assert_cmpuint (by_trigger_md, >, 0);
  g_assert_cmpuint (md_causes, ==, by_trigger_md);
}

static void
test_one_class (void)
{
  g_autoptr(BwStopDataset) data = bw_stop_dataset_new ();
  g_autoptr(BwStopDataset) src = bw_stop_dataset_new_synthetic (3, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(BwClassifier) c = NULL;
  const BwLabelledStop *s = bw_stop_dataset_get (src, 0);

  bw_stop_dataset_add (data, s->window, &s->context, "md_false_trip", NULL);
  bw_stop_dataset_add (data, s->window, &s->context, "md_false_trip", NULL);
  c = bw_classifier_train (data, NULL, NULL, &error);
  g_assert_null (c);
  g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/classifier/train-predict", test_train_predict);
  g_test_add_func ("/classifier/cut", test_cut);
  g_test_add_func ("/classifier/save-load", test_save_load);
  g_test_add_func ("/classifier/bad-models", test_bad_models);
  g_test_add_func ("/classifier/dataset-jsonl", test_dataset_jsonl);
  g_test_add_func ("/classifier/one-class", test_one_class);
  g_test_add_func ("/classifier/simulated", test_simulated);
  {
    int rc = g_test_run ();
    remove_tree (test_dir ());
    return rc;
  }
}
