/* test-detector.c: the detector interface, the registry and every algorithm
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "bw-anomaly-model.h"
#include "bw-classic-detectors.h"
#include "bw-detector-registry.h"
#include "bw-nn-detector.h"
#include "bw-error.h"

#define N_FEATURES 5

/* Rows of a correlated process: two latent factors drive five sensors.
 * From row @shift_from on, sensor 3 breaks away from the others and sensor
 * 0 drops: Isolation Forest only sees what is extreme in several sensors
 * at once, since one-sided extremes land in the same leaves as the most
 * extreme training rows. */
static gsl_matrix *
make_rows (guint  n,
           guint  seed,
           guint  shift_from,
           double shift)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  gsl_matrix *x = gsl_matrix_alloc (n, N_FEATURES);

  for (guint i = 0; i < n; i++)
    {
      double a = 0, b = 0, noise[N_FEATURES];

      /* Gaussian by summing uniforms: good enough here */
      for (int k = 0; k < 12; k++)
        {
          a += g_rand_double (rand);
          b += g_rand_double (rand);
        }
      a -= 6;
      b -= 6;
      for (int j = 0; j < N_FEATURES; j++)
        noise[j] = 0.1 * (g_rand_double (rand) - 0.5);
      gsl_matrix_set (x, i, 0, 10 + a + noise[0] - (i >= shift_from ? shift : 0));
      gsl_matrix_set (x, i, 1, 5 - 0.5 * a + b + noise[1]);
      gsl_matrix_set (x, i, 2, 200 + 3 * b + noise[2]);
      gsl_matrix_set (x, i, 3, a + b + noise[3] + (i >= shift_from ? shift : 0));
      gsl_matrix_set (x, i, 4, 0.01 * a - 0.02 * b + 0.001 * noise[4]);
    }
  return x;
}

static void
test_registry (void)
{
  g_autoptr(GPtrArray) all = bw_detector_registry_list ();
  const char *required[] = { "t2", "t2q", "iforest", "mset" };

  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    g_assert_nonnull (bw_detector_registry_lookup (required[i]));
  g_assert_null (bw_detector_registry_lookup ("no-such-detector"));

  for (guint i = 0; i < all->len; i++)
    {
      const BwDetectorEntry *e = g_ptr_array_index (all, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) config = bw_detector_entry_parse_config (e, &error);
      g_autoptr(BwAnomalyModel) model = NULL;

      if (g_str_has_prefix (e->name, "test-"))
        continue;
      g_test_message ("entry %s", e->name);
      g_assert_no_error (error);
      g_assert_nonnull (config);
      g_assert_true (g_type_is_a (e->get_type (), BW_TYPE_DETECTOR));
      g_assert_nonnull (e->summary);
      for (guint j = 0; j < i; j++)
        g_assert_cmpstr (e->name, !=, ((const BwDetectorEntry *) g_ptr_array_index (all, j))->name);

      model = bw_anomaly_model_new_for_algorithm (e->name, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (bw_anomaly_model_get_algorithm (model), ==, e->name);
      g_assert_false (bw_anomaly_model_is_fitted (model));
    }
}

static const BwDetectorEntry extra_entries[] = {
  { "test-t2-extra", "a table added at run time", bw_t2_detector_get_type,
    "{\"detector\": {\"confidence\": 0.95}}" },
  { "test-broken", "configuration that does not parse", bw_t2_detector_get_type, "{oops" },
  { "test-ensemble-any", "ensemble voting any", bw_ensemble_detector_get_type,
    "{\"detector\": {\"members\": \"t2q, iforest\", \"vote\": \"any\"}, \"scaler\": \"none\"}" },
  { "test-ensemble-mean", "ensemble of score ratios", bw_ensemble_detector_get_type,
    "{\"detector\": {\"members\": \"t2,t2q,test-t2-extra\", \"vote\": \"mean\"}, \"scaler\": \"none\"}" },
  { "test-ensemble-cycle", "an ensemble containing itself", bw_ensemble_detector_get_type,
    "{\"detector\": {\"members\": \"t2,test-ensemble-cycle\"}, \"scaler\": \"none\"}" },
  { NULL }
};

static void
test_registry_extra (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BwAnomalyModel) model = NULL;
  g_autoptr(BwAnomalyModel) cycle = NULL;
  g_autoptr(JsonObject) params = NULL;
  g_autoptr(gsl_matrix) x = make_rows (100, 9, G_MAXUINT, 0);

  model = bw_anomaly_model_new_for_algorithm ("test-t2-extra", &error);
  g_assert_no_error (error);
  params = bw_detector_get_params (bw_anomaly_model_get_detector (model));
  g_assert_cmpfloat (json_object_get_double_member (params, "confidence"), ==, 0.95);

  g_assert_null (bw_anomaly_model_new_for_algorithm ("test-broken", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (bw_anomaly_model_new_for_algorithm ("nothing-like-it", &error));
  g_assert_error (error, BW_ERROR, BW_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* an ensemble that contains itself fails to fit, it does not recurse forever */
  cycle = bw_anomaly_model_new_for_algorithm ("test-ensemble-cycle", &error);
  g_assert_no_error (error);
  g_assert_false (bw_anomaly_model_fit (cycle, x, &error));
  g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
}

static void
test_params (void)
{
  g_autoptr(BwDetector) d = g_object_new (BW_TYPE_T2_DETECTOR, NULL);
  g_autoptr(JsonObject) p = json_object_new ();
  g_autoptr(JsonObject) got = NULL;
  g_autoptr(JsonNode) desc = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *array;
  gboolean seen_confidence = FALSE;

  json_object_set_double_member (p, "confidence", 0.99);
  json_object_set_boolean_member (p, "pca", TRUE);
  json_object_set_int_member (p, "median-window", 3);
  json_object_set_string_member (p, "q-limit", "skab");
  g_assert_true (bw_detector_set_params (d, p, &error));
  g_assert_no_error (error);

  got = bw_detector_get_params (d);
  g_assert_cmpfloat (json_object_get_double_member (got, "confidence"), ==, 0.99);
  g_assert_true (json_object_get_boolean_member (got, "pca"));
  g_assert_cmpint (json_object_get_int_member (got, "median-window"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (got, "q-limit"), ==, "skab");
  g_assert_cmpint (json_object_get_int_member (got, "seed"), ==, 0);

  g_assert_true (bw_detector_set_param_string (d, "explained-variance", "0.9", &error));
  g_assert_true (bw_detector_set_param_string (d, "pca", "false", &error));
  g_assert_true (bw_detector_set_param_string (d, "seed", "12345678901", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (bw_detector_get_seed (d), ==, G_GUINT64_CONSTANT (12345678901));

  /* refused, and nothing changes */
  g_assert_false (bw_detector_set_param_string (d, "confidence", "2", &error));
  g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (bw_detector_set_param_string (d, "confidence", "abc", &error));
  g_clear_error (&error);
  g_assert_false (bw_detector_set_param_string (d, "no-such", "1", &error));
  g_clear_error (&error);
  g_assert_false (bw_detector_set_param_string (d, "q-limit", "nonsense", &error));
  g_clear_error (&error);
  g_assert_false (bw_detector_set_param_string (d, "pca", "maybe", &error));
  g_clear_error (&error);
  g_assert_false (bw_detector_set_param_string (d, "seed", "-1", &error));
  g_clear_error (&error);
  {
    g_autoptr(JsonObject) bad = json_object_new ();

    json_object_set_double_member (bad, "median-window", 2.5);
    g_assert_false (bw_detector_set_params (d, bad, &error));
    g_clear_error (&error);
    json_object_set_string_member (bad, "median-window", "3");
    g_assert_false (bw_detector_set_params (d, bad, &error));
    g_clear_error (&error);
  }
  g_clear_pointer (&got, json_object_unref);
  got = bw_detector_get_params (d);
  g_assert_cmpfloat (json_object_get_double_member (got, "confidence"), ==, 0.99);
  g_assert_cmpint (json_object_get_int_member (got, "median-window"), ==, 3);

  desc = bw_detector_describe (d);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (desc));
  array = json_node_get_array (desc);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);

      g_assert_true (json_object_has_member (o, "type"));
      g_assert_true (json_object_has_member (o, "default"));
      g_assert_cmpstr (json_object_get_string_member (o, "description"), !=, "");
      if (g_str_equal (json_object_get_string_member (o, "name"), "confidence"))
        {
          seen_confidence = TRUE;
          g_assert_cmpfloat (json_object_get_double_member (o, "value"), ==, 0.99);
          g_assert_cmpfloat (json_object_get_double_member (o, "default"), ==, 0.999);
          g_assert_cmpfloat (json_object_get_double_member (o, "maximum"), <, 1.0);
        }
      if (g_str_equal (json_object_get_string_member (o, "name"), "q-limit"))
        g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "choices")), ==, 2);
    }
  g_assert_true (seen_confidence);
}

static gboolean
same_score (double a,
            double b)
{
  if (isnan (a) || isnan (b))
    return isnan (a) && isnan (b);
  return fabs (a - b) <= 1e-9 * MAX (1.0, fabs (a));
}

static gboolean
has_centered_filter (BwAnomalyModel *model)
{
  g_autoptr(JsonNode) node = bw_anomaly_model_to_json (model);
  JsonObject *sf = json_object_get_object_member (json_node_get_object (node), "score-filter");

  return json_object_get_boolean_member (sf, "centered");
}

/* Every registered algorithm: learns, flags the broken sensor, scores a
 * batch as it streams, and survives a model-file round trip. */
static void
test_algorithms (void)
{
  g_autoptr(GPtrArray) all = bw_detector_registry_list ();
  g_autoptr(gsl_matrix) train = make_rows (400, 1, G_MAXUINT, 0);
  g_autoptr(gsl_matrix) test = make_rows (300, 2, 150, 30.0);
  const char *names[N_FEATURES + 1] = { "a", "b", "c", "d", "e", NULL };

  for (guint e = 0; e < all->len; e++)
    {
      const BwDetectorEntry *entry = g_ptr_array_index (all, e);
      g_autoptr(GError) error = NULL;
      g_autoptr(BwAnomalyModel) model = NULL;
      g_autoptr(BwAnomalyModel) loaded = NULL;
      g_autoptr(JsonNode) json = NULL;
      g_autoptr(gsl_vector) batch = gsl_vector_alloc (test->size1);
      g_autoptr(gsl_vector) again = gsl_vector_alloc (test->size1);
      g_autofree guint8 *decisions = g_new (guint8, test->size1);
      guint before = 0, after = 0;
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(JsonObject) overrides = json_object_new ();

      /* SKAB ensembles need SKAB's columns: covered on the SKAB data */
      if (g_str_equal (entry->name, "test-broken") || g_str_equal (entry->name, "test-ensemble-cycle") ||
          (!g_str_has_prefix (entry->name, "test-") && strstr (entry->config, "members") != NULL))
        continue;
      /* the neural detectors decide a row from windows that look ahead, so
       * they stream their decisions a window late; test-nn-model covers them */
      if (entry->get_type () == BW_TYPE_NN_DETECTOR)
        continue;
      g_test_message ("algorithm %s", entry->name);

      /* the SKAB configurations select SKAB's columns 0, 1, 3 and 7: here
       * there are five, so take the first four */
      if (bw_detector_registry_lookup (entry->name) &&
          strstr (entry->config ? entry->config : "", "\"columns\"") != NULL)
        {
          JsonArray *cols = json_array_new ();

          for (int j = 0; j < 4; j++)
            json_array_add_int_element (cols, j);
          json_object_set_array_member (overrides, "columns", cols);
        }
      model = bw_anomaly_model_new_for_algorithm_full (entry->name, overrides, &error);
      g_assert_no_error (error);
      g_assert_true (bw_anomaly_model_set_features (model, names, &error));
      g_assert_true (bw_anomaly_model_fit (model, train, &error));
      g_assert_no_error (error);
      g_assert_true (bw_anomaly_model_is_fitted (model));
      g_assert_true (isfinite (bw_anomaly_model_get_threshold (model)));

      g_assert_true (bw_anomaly_model_score (model, test, batch, decisions, &error));
      g_assert_no_error (error);
      for (guint i = 0; i < test->size1; i++)
        {
          if (i < 150)
            before += decisions[i];
          else
            after += decisions[i];
        }
      g_test_message ("  flagged %u of 150 normal rows, %u of 150 broken ones", before, after);
      if (g_str_equal (entry->name, "iforest"))
        {
          /* A row beyond the training range lands in the leaves of the
           * most extreme training rows, so it scores about as they do: with
           * SKAB's threshold (nearly the highest training score) it is not
           * flagged. The scores still tell the rows apart. */
          double lo = 0, hi = 0;

          for (guint i = 0; i < 150; i++)
            {
              lo += gsl_vector_get (batch, i);
              hi += gsl_vector_get (batch, i + 150);
            }
          g_assert_cmpfloat (hi / 150, >, lo / 150 + 0.05);
        }
      else
        {
          g_assert_cmpuint (after, >=, 100);
          g_assert_cmpuint (before, <=, 40);
        }

      /* streaming gives the batch's scores (centered filters need the
       * future, so only trailing ones stream) */
      if (!has_centered_filter (model))
        {
          bw_anomaly_model_reset (model);
          for (guint i = 0; i < test->size1; i++)
            {
              BwAnomalyResult r;

              bw_anomaly_model_push (model, gsl_matrix_const_ptr (test, i, 0), &r);
              g_assert_true (same_score (r.score, gsl_vector_get (batch, i)));
              g_assert_cmpint (r.decision, ==, decisions[i]);
            }
        }

      /* a model file round trip changes nothing */
      json = bw_anomaly_model_to_json (model);
      {
        g_autoptr(JsonGenerator) gen = json_generator_new ();
        g_autofree char *text = NULL;

        json_generator_set_root (gen, json);
        text = json_generator_to_data (gen, NULL);
        g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
      }
      loaded = bw_anomaly_model_from_json (json_parser_get_root (parser), &error);
      g_assert_no_error (error);
      g_assert_true (bw_anomaly_model_score (loaded, test, again, NULL, &error));
      for (guint i = 0; i < test->size1; i++)
        g_assert_true (same_score (gsl_vector_get (again, i), gsl_vector_get (batch, i)));
      g_assert_cmpstrv (bw_anomaly_model_get_features (loaded), names);
    }
}

static void
test_bad_input (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BwDetector) d = g_object_new (BW_TYPE_MSET_DETECTOR, NULL);
  g_autoptr(gsl_matrix) x = make_rows (50, 3, G_MAXUINT, 0);
  g_autoptr(gsl_matrix) one = gsl_matrix_calloc (1, 3);
  g_autoptr(gsl_vector) out = gsl_vector_alloc (50);
  double row[N_FEATURES] = { 1, 2, NAN, 4, 5 };

  /* not fitted yet */
  g_assert_false (bw_detector_score (d, x, out, &error));
  g_assert_error (error, BW_ERROR, BW_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_true (isnan (bw_detector_score_row (d, row)));
  g_assert_true (isnan (bw_detector_get_threshold (d)));

  g_assert_false (bw_detector_fit (d, one, &error));
  g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
  g_clear_error (&error);

  gsl_matrix_set (x, 7, 2, NAN);
  g_assert_false (bw_detector_fit (d, x, &error));
  g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
  g_clear_error (&error);
  gsl_matrix_set (x, 7, 2, INFINITY);
  g_assert_false (bw_detector_fit (d, x, &error));
  g_clear_error (&error);
  gsl_matrix_set (x, 7, 2, 1.0);

  g_assert_true (bw_detector_fit (d, x, &error));
  g_assert_no_error (error);
  g_assert_true (isnan (bw_detector_score_row (d, row)));

  /* duplicate states make MSET's similarity matrix singular */
  {
    g_autoptr(gsl_matrix) dup = gsl_matrix_alloc (10, 2);
    g_autoptr(BwDetector) m = g_object_new (BW_TYPE_MSET_DETECTOR, NULL);

    for (int i = 0; i < 10; i++)
      {
        gsl_matrix_set (dup, i, 0, i % 2);
        gsl_matrix_set (dup, i, 1, 1 + i % 2);
      }
    g_assert_false (bw_detector_fit (m, dup, &error));
    g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
    g_clear_error (&error);
    g_object_set (m, "ridge", 0.01, NULL);
    g_assert_true (bw_detector_fit (m, dup, &error));
    g_assert_no_error (error);
  }

  /* T² with nothing to learn */
  {
    g_autoptr(gsl_matrix) flat = gsl_matrix_alloc (10, 2);
    g_autoptr(BwDetector) t = g_object_new (BW_TYPE_T2_DETECTOR, NULL);

    gsl_matrix_set_all (flat, 3.0);
    g_assert_false (bw_detector_fit (t, flat, &error));
    g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
    g_clear_error (&error);
  }
}

static void
test_wrong_width (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BwDetector) d = g_object_new (BW_TYPE_T2_DETECTOR, NULL);
  g_autoptr(gsl_matrix) x = make_rows (60, 4, G_MAXUINT, 0);
  g_autoptr(gsl_matrix) wide = gsl_matrix_calloc (5, 7);
  g_autoptr(gsl_vector) out5 = gsl_vector_alloc (5);
  g_autoptr(gsl_vector) out3 = gsl_vector_alloc (3);

  g_assert_true (bw_detector_fit (d, x, &error));
  g_assert_cmpuint (bw_detector_get_n_features (d), ==, N_FEATURES);
  g_assert_false (bw_detector_score (d, wide, out5, &error));
  g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (bw_detector_score (d, x, out3, &error));
  g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
}

static void
test_determinism (void)
{
  g_autoptr(gsl_matrix) train = make_rows (300, 5, G_MAXUINT, 0);
  g_autoptr(gsl_matrix) test = make_rows (100, 6, 50, 3.0);
  g_autoptr(gsl_vector) s1 = gsl_vector_alloc (100);
  g_autoptr(gsl_vector) s2 = gsl_vector_alloc (100);
  g_autoptr(gsl_vector) s3 = gsl_vector_alloc (100);
  g_autoptr(BwDetector) a = g_object_new (BW_TYPE_IFOREST_DETECTOR, "seed", (guint64) 7, NULL);
  g_autoptr(BwDetector) b = g_object_new (BW_TYPE_IFOREST_DETECTOR, "seed", (guint64) 7, NULL);
  g_autoptr(GError) error = NULL;
  gboolean differs = FALSE;

  g_assert_true (bw_detector_fit (a, train, &error));
  g_assert_true (bw_detector_fit (b, train, &error));
  g_assert_true (bw_detector_score (a, test, s1, &error));
  g_assert_true (bw_detector_score (b, test, s2, &error));
  for (guint i = 0; i < 100; i++)
    g_assert_cmpfloat (gsl_vector_get (s1, i), ==, gsl_vector_get (s2, i));

  /* refitting re-seeds: same model again */
  g_assert_true (bw_detector_fit (a, train, &error));
  g_assert_true (bw_detector_score (a, test, s3, &error));
  for (guint i = 0; i < 100; i++)
    g_assert_cmpfloat (gsl_vector_get (s1, i), ==, gsl_vector_get (s3, i));

  bw_detector_set_seed (b, 8);
  g_assert_true (bw_detector_fit (b, train, &error));
  g_assert_true (bw_detector_score (b, test, s2, &error));
  for (guint i = 0; i < 100; i++)
    differs |= gsl_vector_get (s1, i) != gsl_vector_get (s2, i);
  g_assert_true (differs);

  /* scores are in (0, 1) and the broken rows score higher */
  for (guint i = 0; i < 100; i++)
    g_assert_true (gsl_vector_get (s1, i) > 0 && gsl_vector_get (s1, i) < 1);
  {
    double lo = 0, hi = 0;

    for (guint i = 0; i < 50; i++)
      {
        lo += gsl_vector_get (s1, i);
        hi += gsl_vector_get (s1, i + 50);
      }
    g_assert_cmpfloat (hi, >, lo);
  }
}

/* T² against a case worked by hand: two independent features, unit
 * variance, so T² is the squared distance from the mean */
static void
test_t2_values (void)
{
  g_autoptr(gsl_matrix) x = gsl_matrix_alloc (4, 2);
  g_autoptr(BwDetector) d = g_object_new (BW_TYPE_T2_DETECTOR, NULL);
  g_autoptr(GError) error = NULL;
  double pts[4][2] = { { 1, 0 }, { -1, 0 }, { 0, 1 }, { 0, -1 } };
  double row[2] = { 2, 1 };

  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 2; j++)
      gsl_matrix_set (x, i, j, pts[i][j]);
  g_assert_true (bw_detector_fit (d, x, &error));
  g_assert_no_error (error);
  /* covariance (n − 1) = diag(2/3, 2/3): T² = (4 + 1) · 3/2 */
  g_assert_cmpfloat_with_epsilon (bw_detector_score_row (d, row), 7.5, 1e-12);
  /* limit: m(n−1)(n+1)/(n(n−m)) · F⁻¹(0.999; 2, 2) = 2·3·5/8 · 999 */
  g_assert_cmpfloat_with_epsilon (bw_detector_get_threshold (d), 3.75 * 999.0, 1e-6);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  bw_detector_registry_add_table (extra_entries);

  g_test_add_func ("/detector/registry", test_registry);
  g_test_add_func ("/detector/registry-extra", test_registry_extra);
  g_test_add_func ("/detector/params", test_params);
  g_test_add_func ("/detector/algorithms", test_algorithms);
  g_test_add_func ("/detector/bad-input", test_bad_input);
  g_test_add_func ("/detector/wrong-width", test_wrong_width);
  g_test_add_func ("/detector/determinism", test_determinism);
  g_test_add_func ("/detector/t2-values", test_t2_values);

  return g_test_run ();
}
