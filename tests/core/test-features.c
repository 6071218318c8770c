/* test-features.c
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include <json-glib/json-glib.h>

#include "bw-error.h"
#include "bw-features.h"

/* The golden values come from tests/data/gen-features-golden.py (NumPy,
 * SciPy, statsmodels). Relative agreement 1e-9; values that are zero up to
 * rounding (an FFT's imaginary part of a symmetric term) are compared with
 * an absolute floor scaled by the series' magnitude. */
static gboolean
close_enough (double got,
              double want,
              double scale)
{
  if (isnan (want))
    return isnan (got);
  if (isnan (got))
    return FALSE;
  return fabs (got - want) <= 1e-9 * MAX (fabs (got), fabs (want)) + 1e-12 * scale;
}

static void
test_golden (void)
{
  g_autofree char *path = g_build_filename (BW_TEST_DATA, "features-golden.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root, *series, *features;
  g_autoptr(GList) names = NULL;
  guint nc = bw_features_get_n_calculators ();
  g_autofree double *out = g_new (double, nc);
  guint checked = 0, failed = 0;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  series = json_object_get_object_member (root, "series");
  features = json_object_get_object_member (root, "features");
  names = json_object_get_members (series);
  g_assert_cmpuint (g_list_length (names), >=, 5);

  for (GList *l = names; l; l = l->next)
    {
      JsonArray *arr = json_object_get_array_member (series, l->data);
      JsonObject *want = json_object_get_object_member (features, l->data);
      guint n = json_array_get_length (arr);
      g_autofree double *x = g_new (double, n);
      double scale = 0;

      for (guint i = 0; i < n; i++)
        {
          x[i] = json_array_get_double_element (arr, i);
          scale += fabs (x[i]);
        }
      bw_features_compute (x, n, BW_FEATURE_ALL_FAMILIES, out);

      /* every calculator here has a golden value, and the other way round */
      g_assert_cmpuint (json_object_get_size (want), ==, nc);
      for (guint c = 0; c < nc; c++)
        {
          const char *calc = bw_features_get_calculator (c);
          JsonNode *node = json_object_get_member (want, calc);
          double w;

          if (node == NULL)
            g_error ("no golden value for %s", calc);
          w = JSON_NODE_HOLDS_NULL (node) ? NAN : json_node_get_double (node);
          checked++;
          if (!close_enough (out[c], w, scale))
            {
              g_test_message ("%s: %s = %.17g, expected %.17g", (char *) l->data, calc, out[c], w);
              failed++;
            }
        }
    }
  g_test_message ("%u values checked", checked);
  g_assert_cmpuint (failed, ==, 0);
}

static void
test_format_param (void)
{
  struct { double v; const char *s; } cases[] = {
    { 0.1, "0.1" }, { 0.15000000000000002, "0.15000000000000002" }, { 1.0, "1.0" },
    { 1e12, "1000000000000.0" }, { -1e12, "-1000000000000.0" }, { 1e-5, "1e-05" },
    { 2.5e-7, "2.5e-07" }, { 1e16, "1e+16" }, { 0.0, "0.0" }, { 123.456, "123.456" },
    { 0.0001, "0.0001" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *s = bw_features_format_param (cases[i].v);
      g_assert_cmpstr (s, ==, cases[i].s);
    }
}

static void
test_names (void)
{
  g_assert_cmpint (bw_features_find_calculator ("quantile__q_0.1"), >=, 0);
  g_assert_cmpint (bw_features_find_calculator ("symmetry_looking__r_0.15000000000000002"), >=, 0);
  g_assert_cmpint (bw_features_find_calculator ("fft_coefficient__attr_\"abs\"__coeff_99"), >=, 0);
  g_assert_cmpint (bw_features_find_calculator ("change_quantiles__f_agg_\"var\"__isabs_True__qh_1.0__ql_0.8"), >=, 0);
  g_assert_cmpint (bw_features_find_calculator ("quantile__q_0.5"), ==, -1);

  {
    guint minimal = 0;
    for (guint i = 0; i < bw_features_get_n_calculators (); i++)
      minimal += bw_features_is_minimal (i);
    g_assert_cmpuint (minimal, ==, 10);
  }
}

static BwWindow *
make_window (void)
{
  const char *tags[] = { "belt_speed", "md_signal" };
  /* 60 s before the stop and 30 s after, 10 Hz */
  BwWindow *w = bw_window_new (60000000, 0, 100000, 901, 2, tags);

  for (guint j = 0; j < w->n; j++)
    {
      w->values[0][j] = j < 600 ? 2.5f : 0.0f;
      w->values[1][j] = j < 10 ? NAN : (j == 300 ? NAN : (float) (j % 7));
    }
  return w;
}

static void
test_window_cut (void)
{
  g_autoptr(BwWindow) w = make_window ();
  g_autofree double *speed = NULL, *md = NULL, *none = NULL;
  gsize n = 0;

  /* the cut keeps grid points up to stop + 1 s: 600 before, 11 at or after */
  speed = bw_features_series_from_window (w, "belt_speed", w->stop_us + BW_FEATURES_CUT_AFTER_US, &n);
  g_assert_cmpuint (n, ==, 611);
  g_assert_cmpfloat (speed[599], ==, 2.5);
  g_assert_cmpfloat (speed[610], ==, 0.0);

  /* leading gaps take the first value, later gaps the last one */
  md = bw_features_series_from_window (w, "md_signal", w->stop_us, &n);
  g_assert_cmpuint (n, ==, 601);
  g_assert_cmpfloat (md[0], ==, 10 % 7);
  g_assert_cmpfloat (md[300], ==, 299 % 7);

  /* the last 10 s before the cut: 100 points ending at the stop */
  {
    g_autofree double *tail = bw_features_series_from_window (w, "belt_speed.last10s", w->stop_us, &n);
    g_assert_cmpuint (n, ==, 100);
    g_assert_cmpfloat (tail[98], ==, 2.5);
    g_assert_cmpfloat (tail[99], ==, 0.0);
    g_assert_null (bw_features_series_from_window (w, "belt_speed.first10s", w->stop_us, &n));
  }

  none = bw_features_series_from_window (w, "load", w->stop_us, &n);
  g_assert_null (none);
  g_assert_cmpuint (n, ==, 0);
}

static void
test_feature_set (void)
{
  const char *signals[] = { "belt_speed", "md_signal", "load", NULL };
  g_autoptr(BwFeatureSet) minimal = bw_feature_set_new (signals, TRUE);
  g_autoptr(BwFeatureSet) picked = NULL;
  g_autoptr(BwWindow) w = make_window ();
  g_autoptr(GError) error = NULL;
  const char *names[] = {
    "md_signal__maximum", "belt_speed__mean", "load__mean", "belt_speed__length",
    "md_signal__fft_coefficient__attr_\"abs\"__coeff_0",
  };
  const char *bad[] = { "md_signal", "__mean", "md_signal__nonsense", "md signal__mean" };
  double out[5];

  g_assert_cmpuint (bw_feature_set_get_n_features (minimal), ==, 30);
  g_assert_cmpstr (bw_feature_set_get_name (minimal, 0), ==, "belt_speed__sum_values");

  picked = bw_feature_set_new_from_names (names, G_N_ELEMENTS (names), &error);
  g_assert_no_error (error);
  bw_feature_set_extract (picked, w, w->stop_us + BW_FEATURES_CUT_AFTER_US, out);
  g_assert_cmpfloat (out[0], ==, 6.0);
  g_assert_cmpfloat_with_epsilon (out[1], 2.5 * 600 / 611, 1e-12);
  g_assert_true (isnan (out[2]));          /* the window has no load */
  g_assert_cmpfloat (out[3], ==, 611);
  g_assert_cmpfloat (out[4], >, 0);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(BwFeatureSet) s = bw_feature_set_new_from_names (&bad[i], 1, &error);
      g_assert_null (s);
      g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
      g_clear_error (&error);
    }
}

static void
test_degenerate (void)
{
  guint nc = bw_features_get_n_calculators ();
  g_autofree double *out = g_new (double, nc);
  double constant[50], one = 4.0, bad[3] = { 1, NAN, 2 };

  for (guint i = 0; i < G_N_ELEMENTS (constant); i++)
    constant[i] = 3.0;
  bw_features_compute (constant, G_N_ELEMENTS (constant), BW_FEATURE_ALL_FAMILIES, out);
  g_assert_cmpfloat (out[bw_features_find_calculator ("variance")], ==, 0);
  g_assert_cmpfloat (out[bw_features_find_calculator ("skewness")], ==, 0);
  g_assert_true (isnan (out[bw_features_find_calculator ("autocorrelation__lag_1")]));
  g_assert_cmpfloat (out[bw_features_find_calculator ("cid_ce__normalize_True")], ==, 0);

  /* one point, and non-finite input: no crash, NaN where undefined */
  bw_features_compute (&one, 1, BW_FEATURE_ALL_FAMILIES, out);
  g_assert_cmpfloat (out[bw_features_find_calculator ("length")], ==, 1);
  g_assert_true (isnan (out[bw_features_find_calculator ("mean_change")]));
  bw_features_compute (bad, 3, BW_FEATURE_ALL_FAMILIES, out);
  g_assert_true (isnan (out[bw_features_find_calculator ("mean")]));
  bw_features_compute (NULL, 0, BW_FEATURE_ALL_FAMILIES, out);
  g_assert_true (isnan (out[bw_features_find_calculator ("length")]));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/features/golden", test_golden);
  g_test_add_func ("/features/format-param", test_format_param);
  g_test_add_func ("/features/names", test_names);
  g_test_add_func ("/features/window-cut", test_window_cut);
  g_test_add_func ("/features/feature-set", test_feature_set);
  g_test_add_func ("/features/degenerate", test_degenerate);
  return g_test_run ();
}
