/* test-anomaly-model.c: filters, model files and column selection
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include <glib/gstdio.h>

#include "bw-anomaly-model.h"
#include "bw-classic-detectors.h"
#include "bw-error.h"
#include "bw-rolling.h"

/* the per-test scratch directory (made by G_TEST_OPTION_ISOLATE_DIRS's
 * environment, removed with it) */
static char *
scratch_file (const char *name)
{
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  return g_build_filename (g_get_user_cache_dir (), name, NULL);
}

static void
assert_same (const double *got,
             const double *want,
             gsize         n)
{
  for (gsize i = 0; i < n; i++)
    {
      if (isnan (want[i]))
        g_assert_true (isnan (got[i]));
      else
        g_assert_cmpfloat_with_epsilon (got[i], want[i], 1e-12);
    }
}

static void
test_trailing (void)
{
  const double in[] = { 1, 5, 2, 8, 3, NAN, 4, 6, 7, 1 };
  BwFilterSpec median = { BW_FILTER_MEDIAN, 3, FALSE };
  BwFilterSpec mean = { BW_FILTER_MEAN, 2, FALSE };
  BwFilterSpec max = { BW_FILTER_MAX, 3, FALSE };
  BwFilterSpec none = { BW_FILTER_NONE, 5, FALSE };
  /* pandas: s.rolling(w).median() / .mean() / .max() */
  const double want_median[] = { NAN, NAN, 2, 5, 3, NAN, NAN, NAN, 6, 6 };
  const double want_mean[] = { NAN, 3, 3.5, 5, 5.5, NAN, NAN, 5, 6.5, 4 };
  const double want_max[] = { NAN, NAN, 5, 8, 8, NAN, NAN, NAN, 7, 7 };
  double out[G_N_ELEMENTS (in)];

  bw_filter_apply (&median, in, out, G_N_ELEMENTS (in));
  assert_same (out, want_median, G_N_ELEMENTS (in));
  bw_filter_apply (&mean, in, out, G_N_ELEMENTS (in));
  assert_same (out, want_mean, G_N_ELEMENTS (in));
  bw_filter_apply (&max, in, out, G_N_ELEMENTS (in));
  assert_same (out, want_max, G_N_ELEMENTS (in));
  bw_filter_apply (&none, in, out, G_N_ELEMENTS (in));
  assert_same (out, in, G_N_ELEMENTS (in));
}

static void
test_centered (void)
{
  const double in[] = { 1, 2, 3, 4, NAN, 6 };
  BwFilterSpec mean4 = { BW_FILTER_MEAN, 4, TRUE };
  BwFilterSpec max3 = { BW_FILTER_MAX, 3, TRUE };
  /* rows t−2 … t+1, what there is at the edges, NAN skipped */
  const double want_mean[] = { 1.5, 2, 2.5, 3, 13.0 / 3, 5 };
  const double want_max[] = { 2, 3, 4, 4, 6, 6 };
  double out[G_N_ELEMENTS (in)];

  bw_filter_apply (&mean4, in, out, G_N_ELEMENTS (in));
  assert_same (out, want_mean, G_N_ELEMENTS (in));
  bw_filter_apply (&max3, in, out, G_N_ELEMENTS (in));
  assert_same (out, want_max, G_N_ELEMENTS (in));
}

static void
test_median_batch (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  const guint windows[] = { 1, 2, 3, 4, 5, 7 };
  double in[500], a[500], b[500];

  for (guint i = 0; i < G_N_ELEMENTS (in); i++)
    in[i] = g_rand_int_range (rand, 0, 20) == 0 ? NAN : g_rand_double_range (rand, -5, 5);
  for (guint k = 0; k < G_N_ELEMENTS (windows); k++)
    {
      BwRolling r = { 0 };

      bw_rolling_init (&r, BW_ROLLING_MEDIAN, windows[k]);
      for (guint i = 0; i < G_N_ELEMENTS (in); i++)
        a[i] = bw_rolling_push (&r, in[i]);
      bw_rolling_destroy (&r);
      bw_rolling_median_batch (in, b, G_N_ELEMENTS (in), windows[k]);
      assert_same (b, a, G_N_ELEMENTS (in));
    }

  /* a long stream: the running mean does not drift */
  {
    BwRolling r = { 0 };
    double v = 0;

    bw_rolling_init (&r, BW_ROLLING_MEAN, 7);
    for (guint i = 0; i < 100000; i++)
      v = bw_rolling_push (&r, 1e6 + (i % 7) * 0.1);
    g_assert_cmpfloat_with_epsilon (v, 1e6 + 0.3, 1e-9);
    bw_rolling_destroy (&r);
  }
}

static gsl_matrix *
ramp_rows (guint n,
           guint p,
           guint seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  gsl_matrix *x = gsl_matrix_alloc (n, p);

  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < p; j++)
      gsl_matrix_set (x, i, j, 100.0 * j + g_rand_double_range (rand, -1, 1) + (j == 2 ? 0.5 * gsl_matrix_get (x, i, 0) : 0));
  return x;
}

static void
test_file (void)
{
  const char *names[] = { "belt_speed", "motor_current", "load", "vibration", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(BwAnomalyModel) model = NULL;
  g_autoptr(BwAnomalyModel) loaded = NULL;
  g_autoptr(gsl_matrix) train = ramp_rows (200, 4, 1);
  g_autoptr(gsl_matrix) test = ramp_rows (50, 4, 2);
  g_autoptr(gsl_vector) s1 = gsl_vector_alloc (50);
  g_autoptr(gsl_vector) s2 = gsl_vector_alloc (50);
  g_autofree char *path = scratch_file ("model.json");
  BwAlarmSpec alarm = { 5, 20, 0.7 }, got;

  model = bw_anomaly_model_new_for_algorithm ("t2q", &error);
  g_assert_no_error (error);
  g_assert_true (bw_anomaly_model_set_features (model, names, &error));
  bw_anomaly_model_set_alarm (model, &alarm);
  bw_anomaly_model_set_training_source (model, "unit test");
  g_assert_true (bw_anomaly_model_fit (model, train, &error));
  g_assert_true (bw_anomaly_model_save (model, path, &error));
  g_assert_no_error (error);

  loaded = bw_anomaly_model_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bw_anomaly_model_get_algorithm (loaded), ==, "t2q");
  g_assert_cmpstrv (bw_anomaly_model_get_features (loaded), names);
  bw_anomaly_model_get_alarm (loaded, &got);
  g_assert_cmpfloat (got.hold_s, ==, 5);
  g_assert_cmpfloat (got.release_s, ==, 20);
  g_assert_cmpfloat (got.clear_ratio, ==, 0.7);
  g_assert_cmpfloat (bw_anomaly_model_get_threshold (loaded), ==, bw_anomaly_model_get_threshold (model));
  g_assert_true (bw_anomaly_model_score (model, test, s1, NULL, &error));
  g_assert_true (bw_anomaly_model_score (loaded, test, s2, NULL, &error));
  for (guint i = 0; i < 50; i++)
    if (!isnan (gsl_vector_get (s1, i)))
      g_assert_cmpfloat (gsl_vector_get (s1, i), ==, gsl_vector_get (s2, i));

  /* the feature list cannot change its length after fitting */
  {
    const char *three[] = { "a", "b", "c", NULL };

    g_assert_false (bw_anomaly_model_set_features (loaded, three, &error));
    g_assert_error (error, BW_ERROR, BW_ERROR_CONFLICT);
    g_clear_error (&error);
  }
  g_remove (path);
}

static void
expect_broken (const char *text,
               GQuark      domain,
               int         code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = scratch_file ("broken.json");
  g_autoptr(BwAnomalyModel) model = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  model = bw_anomaly_model_load (path, &error);
  g_test_message ("%s → %s", text, error ? error->message : "(loaded)");
  g_assert_null (model);
  if (domain != 0)
    g_assert_error (error, domain, code);
  else
    g_assert_nonnull (error);
  g_remove (path);
}

static void
test_broken_files (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BwAnomalyModel) model = bw_anomaly_model_new_for_algorithm ("mset", &error);
  g_autoptr(gsl_matrix) train = ramp_rows (60, 3, 4);
  g_autoptr(JsonNode) good = NULL;
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;
  g_autofree char *path = scratch_file ("nothing-here.json");

  expect_broken ("", 0, 0);
  expect_broken ("not json", 0, 0);
  expect_broken ("[1, 2]", BW_ERROR, BW_ERROR_INVALID);
  expect_broken ("{\"format\": \"something-else\", \"version\": 1}", BW_ERROR, BW_ERROR_INVALID);
  expect_broken ("{\"format\": \"beltwatch-anomaly-model\", \"version\": 99}", BW_ERROR, BW_ERROR_UNSUPPORTED);
  expect_broken ("{\"format\": \"beltwatch-anomaly-model\", \"version\": 1}", BW_ERROR, BW_ERROR_INVALID);
  expect_broken ("{\"format\": \"beltwatch-anomaly-model\", \"version\": 1, "
                 "\"detector\": {\"type\": \"GObject\"}, \"features\": [\"a\"]}",
                 BW_ERROR, BW_ERROR_NOT_FOUND);
  expect_broken ("{\"format\": \"beltwatch-anomaly-model\", \"version\": 1, "
                 "\"detector\": {\"type\": \"BwT2Detector\", \"params\": {\"confidence\": 7}}, "
                 "\"features\": [\"a\"]}",
                 BW_ERROR, BW_ERROR_INVALID);
  expect_broken ("{\"format\": \"beltwatch-anomaly-model\", \"version\": 1, "
                 "\"detector\": {\"type\": \"BwT2Detector\", \"fitted\": true, \"n-features\": 1,"
                 " \"state\": {\"columns\": [0], \"components\": 1, \"mean\": [0],"
                 " \"basis\": [1], \"inverse-eigenvalues\": [1], \"t2-limit\": -1, \"q-limit\": 0}},"
                 " \"features\": [\"a\"], \"scaler\": {\"mean\": [0], \"scale\": [1]}}",
                 BW_ERROR, BW_ERROR_INVALID);
  expect_broken ("{\"format\": \"beltwatch-anomaly-model\", \"version\": 1, "
                 "\"detector\": {\"type\": \"BwT2Detector\"}, \"features\": [\"a\", \"a\"]}",
                 BW_ERROR, BW_ERROR_INVALID);

  /* a good file with one thing broken at a time */
  g_assert_true (bw_anomaly_model_fit (model, train, &error));
  good = bw_anomaly_model_to_json (model);
  json_object_set_int_member (json_node_get_object (good), "version", 1);
  json_object_set_member (json_object_get_object_member (json_node_get_object (good), "scaler"),
                          "scale", json_node_init_string (json_node_alloc (), "x"));
  json_generator_set_root (gen, good);
  text = json_generator_to_data (gen, NULL);
  expect_broken (text, BW_ERROR, BW_ERROR_INVALID);

  g_clear_pointer (&good, json_node_unref);
  g_clear_pointer (&text, g_free);
  good = bw_anomaly_model_to_json (model);
  {
    g_autoptr(JsonArray) empty = json_array_new ();

    json_object_set_member (json_object_get_object_member (json_object_get_object_member (json_node_get_object (good), "detector"), "state"),
                            "weights", json_node_init_array (json_node_alloc (), empty));
  }
  json_generator_set_root (gen, good);
  text = json_generator_to_data (gen, NULL);
  expect_broken (text, BW_ERROR, BW_ERROR_INVALID);

  g_assert_null (bw_anomaly_model_load (path, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

static void
test_config_errors (void)
{
  const char *bad[] = {
    "{\"bogus\": 1}",
    "{\"score-filter\": {\"kind\": \"wavelet\", \"window\": 3}}",
    "{\"score-filter\": {\"kind\": \"mean\", \"window\": 0}}",
    "{\"decision-filter\": {\"kind\": \"max\", \"window\": 3, \"centered\": true}}",
    "{\"scaler\": \"minmax\"}",
    "{\"threshold-scale\": -1}",
    "{\"threshold\": \"high\"}",
    "{\"alarm\": {\"clear-ratio\": 1.5}}",
    "{\"alarm\": {\"hold-s\": -1}}",
    "{\"columns\": []}",
    "{\"columns\": [-1]}",
    "{\"columns\": [true]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(BwAnomalyModel) model = NULL;

      g_assert_true (json_parser_load_from_data (parser, bad[i], -1, NULL));
      model = bw_anomaly_model_new_for_algorithm_full ("t2", json_node_get_object (json_parser_get_root (parser)), &error);
      g_test_message ("%s → %s", bad[i], error ? error->message : "(accepted)");
      g_assert_null (model);
      g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
    }
}

static void
test_columns (void)
{
  const char *names[] = { "a", "b", "c", "d", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(gsl_matrix) train = ramp_rows (100, 4, 5);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(BwAnomalyModel) by_name = NULL;
  g_autoptr(BwAnomalyModel) by_index = NULL;
  g_autoptr(BwAnomalyModel) unknown = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(BwAnomalyModel) loaded = NULL;
  BwAnomalyResult r1, r2;
  double row[4] = { 0.5, 100.2, 200.1, 300 };

  g_assert_true (json_parser_load_from_data (parser, "{\"columns\": [\"c\", \"a\"], \"detector\": {\"median-window\": 1}}", -1, NULL));
  by_name = bw_anomaly_model_new_for_algorithm_full ("t2", json_node_get_object (json_parser_get_root (parser)), &error);
  g_assert_no_error (error);
  g_assert_true (bw_anomaly_model_set_features (by_name, names, &error));
  g_assert_true (bw_anomaly_model_fit (by_name, train, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (bw_detector_get_n_features (bw_anomaly_model_get_detector (by_name)), ==, 2);

  g_assert_true (json_parser_load_from_data (parser, "{\"columns\": [2, 0], \"detector\": {\"median-window\": 1}}", -1, NULL));
  by_index = bw_anomaly_model_new_for_algorithm_full ("t2", json_node_get_object (json_parser_get_root (parser)), &error);
  g_assert_true (bw_anomaly_model_fit (by_index, train, &error));
  g_assert_no_error (error);

  bw_anomaly_model_push (by_name, row, &r1);
  bw_anomaly_model_push (by_index, row, &r2);
  g_assert_cmpfloat (r1.raw_score, ==, r2.raw_score);
  /* the fourth value does not matter to a model on columns c and a */
  row[3] = 1e9;
  bw_anomaly_model_push (by_name, row, &r2);
  g_assert_cmpfloat (r1.raw_score, ==, r2.raw_score);

  /* saved by name, and found again by name */
  json = bw_anomaly_model_to_json (by_name);
  loaded = bw_anomaly_model_from_json (json, &error);
  g_assert_no_error (error);
  bw_anomaly_model_push (loaded, row, &r2);
  g_assert_cmpfloat (r1.raw_score, ==, r2.raw_score);

  g_assert_true (json_parser_load_from_data (parser, "{\"columns\": [\"z\"]}", -1, NULL));
  unknown = bw_anomaly_model_new_for_algorithm_full ("t2", json_node_get_object (json_parser_get_root (parser)), &error);
  g_assert_true (bw_anomaly_model_set_features (unknown, names, &error));
  g_assert_false (bw_anomaly_model_fit (unknown, train, &error));
  g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
}

static void
test_stream (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BwAnomalyModel) model = NULL;
  g_autoptr(gsl_matrix) train = ramp_rows (100, 3, 6);
  BwAnomalyResult r;
  double ok[3] = { 0, 100, 200 };
  double far[3] = { 50, 100, 200 };
  double bad[3] = { NAN, 100, 200 };

  model = bw_anomaly_model_new_for_algorithm ("t2", &error);
  /* not fitted: nothing, no crash */
  bw_anomaly_model_push (model, ok, &r);
  g_assert_true (isnan (r.score));
  g_assert_false (r.decision);

  g_assert_true (bw_anomaly_model_fit (model, train, &error));
  /* the reference T² takes a median of 5: nothing for 4 rows */
  for (int i = 0; i < 4; i++)
    {
      bw_anomaly_model_push (model, far, &r);
      g_assert_true (isnan (r.score));
      g_assert_false (r.decision);
    }
  bw_anomaly_model_push (model, far, &r);
  g_assert_true (r.decision);
  g_assert_cmpfloat (r.score, >, r.threshold);
  /* a missing value spoils its window */
  bw_anomaly_model_push (model, bad, &r);
  g_assert_true (isnan (r.raw_score));
  g_assert_false (r.decision);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/anomaly-model/trailing", test_trailing);
  g_test_add_func ("/anomaly-model/centered", test_centered);
  g_test_add_func ("/anomaly-model/median-batch", test_median_batch);
  g_test_add_func ("/anomaly-model/file", test_file);
  g_test_add_func ("/anomaly-model/broken-files", test_broken_files);
  g_test_add_func ("/anomaly-model/config-errors", test_config_errors);
  g_test_add_func ("/anomaly-model/columns", test_columns);
  g_test_add_func ("/anomaly-model/stream", test_stream);

  return g_test_run ();
}
