/* test-md-sensitivity.c
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include <gsl/gsl_cdf.h>

#include "bw-error.h"
#include "bw-md-sensitivity.h"

static double
gauss (GRand *r)
{
  double u1 = g_rand_double (r), u2 = g_rand_double (r);
  return sqrt (-2.0 * log (MAX (u1, 1e-300))) * cos (2.0 * G_PI * u2);
}

/* A simulated year of trips at the present level (100 %): false trips just
 * above the level, real objects log-normal; objects below the level pass
 * unseen, as on a real belt. */
static GArray *
simulate (guint   days,
          double  false_per_day,
          double  objects_per_day,
          double  object_median,
          double  object_log_sd,
          guint32 seed)
{
  GArray *trips = g_array_new (FALSE, FALSE, sizeof (BwMdTrip));
  GRand *r = g_rand_new_with_seed (seed);
  guint n_false = (guint) (days * false_per_day), n_obj = (guint) (days * objects_per_day);

  for (guint i = 0; i < n_false; i++)
    {
      BwMdTrip t = { 100 * (1 - 0.12 * log (1 - g_rand_double (r))), FALSE, 240 + 120 * g_rand_double (r) };
      g_array_append_val (trips, t);
    }
  for (guint i = 0; i < n_obj; i++)
    {
      BwMdTrip t = { object_median * exp (object_log_sd * gauss (r)), TRUE, 900 + 600 * g_rand_double (r) };
      if (t.peak >= 100)
        g_array_append_val (trips, t);
    }
  g_rand_free (r);
  return trips;
}

static void
test_known_answer (void)
{
  g_autoptr(GArray) trips = simulate (365, 6, 1, 220, 0.3, 42);
  BwMdSensitivityParams p;
  g_autoptr(BwMdRecommendation) r = NULL;
  g_autoptr(GError) error = NULL;
  double truth = 100;

  /* the highest 1 % level that still catches 99 % of objects */
  while (gsl_cdf_ugaussian_Q ((log (truth + 1) - log (220)) / 0.3) >= 0.99)
    truth += 1;
  g_assert_cmpfloat (truth, ==, 109);

  bw_md_sensitivity_params_init (&p);
  p.miss_cost_min = 0;     /* no damage cost: the catch constraint alone binds */
  p.bootstrap = 150;
  r = bw_md_recommend ("CV-101", (BwMdTrip *) trips->data, trips->len, 365, &p, &error);
  g_assert_no_error (error);
  g_assert_true (r->has_recommendation);
  g_test_message ("recommended %.0f (%.0f..%.0f), truth %.0f, fit mu %.3f sd %.3f",
                  r->recommended_level, r->recommended_level_low, r->recommended_level_high,
                  truth, r->object_log_mean, r->object_log_sd);
  g_assert_cmpfloat (fabs (r->object_log_mean - log (220)), <, 0.05);
  g_assert_cmpfloat (fabs (r->object_log_sd - 0.3), <, 0.04);
  g_assert_cmpfloat (fabs (r->recommended_level - truth), <=, 5);
  g_assert_cmpfloat (r->recommended_level_low, <=, truth);
  g_assert_cmpfloat (r->recommended_level_high, >=, truth);
  g_assert_cmpfloat (r->catch_share, >=, 0.99);

  /* the history it rests on, and what it saves */
  g_assert_cmpuint (r->n_false, ==, 365 * 6);
  g_assert_cmpuint (r->n_objects + r->n_false, ==, r->n_trips);
  g_assert_cmpfloat_with_epsilon (r->false_trips_per_day, 6.0, 1e-9);
  g_assert_cmpfloat (r->false_trips_per_day_low, <, 6.0);
  g_assert_cmpfloat (r->false_trips_per_day_high, >, 6.0);
  g_assert_cmpfloat (r->false_trips_per_day_after, <, 0.6 * r->false_trips_per_day);
  g_assert_cmpfloat (r->downtime_saved_min_per_day, >, 0);
  g_assert_cmpfloat (r->false_trip_downtime_min_per_day_after, <, r->false_trip_downtime_min_per_day);
}

static void
test_costs_and_targets (void)
{
  g_autoptr(GArray) trips = simulate (365, 6, 1, 220, 0.3, 7);
  BwMdSensitivityParams p;
  g_autoptr(BwMdRecommendation) free_miss = NULL, costly = NULL, strict = NULL;

  bw_md_sensitivity_params_init (&p);
  p.bootstrap = 20;
  p.miss_cost_min = 0;
  free_miss = bw_md_recommend ("CV-101", (BwMdTrip *) trips->data, trips->len, 365, &p, NULL);
  p.miss_cost_min = 5000;
  costly = bw_md_recommend ("CV-101", (BwMdTrip *) trips->data, trips->len, 365, &p, NULL);
  p.miss_cost_min = 0;
  p.target_catch = 0.999;
  strict = bw_md_recommend ("CV-101", (BwMdTrip *) trips->data, trips->len, 365, &p, NULL);

  /* a missed object that costs a lot pulls the level down; so does a stricter target */
  g_assert_cmpfloat (costly->recommended_level, <, free_miss->recommended_level);
  g_assert_cmpfloat (costly->downtime_saved_min_per_day, >=, 0);
  g_assert_cmpfloat (strict->recommended_level, <, free_miss->recommended_level);
  /* a 99.9 % target is beyond what even the present level reaches here: keep it, and say so */
  g_assert_cmpfloat (strict->current_catch_share, <, 0.999);
  g_assert_cmpfloat (strict->recommended_level, ==, 100);
  g_assert_nonnull (strict->note);
  g_assert_cmpfloat (strict->missed_objects_per_year, <, free_miss->missed_objects_per_year);
}

static void
test_little_history (void)
{
  g_autoptr(GArray) trips = simulate (5, 6, 0.6, 220, 0.3, 3);
  g_autoptr(BwMdRecommendation) r = bw_md_recommend ("CV-102", (BwMdTrip *) trips->data,
                                                     trips->len, 5, NULL, NULL);
  g_autoptr(JsonNode) json = bw_md_recommendation_to_json (r);
  JsonObject *o = json_node_get_object (json);

  g_assert_false (r->has_recommendation);
  g_assert_nonnull (r->note);
  g_assert_cmpfloat_with_epsilon (r->false_trips_per_day, 6, 1e-9);
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (o, "recommendation")));
  g_assert_cmpstr (json_object_get_string_member (o, "conveyor"), ==, "CV-102");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "history"), "false_trips"), ==, 30);
}

static void
test_weak_objects (void)
{
  /* objects barely reach the level: it already lets too many through */
  g_autoptr(GArray) trips = simulate (365, 2, 1, 115, 0.2, 9);
  BwMdSensitivityParams p;
  g_autoptr(BwMdRecommendation) r = NULL;
  g_autoptr(JsonNode) json = NULL;

  bw_md_sensitivity_params_init (&p);
  p.bootstrap = 20;
  r = bw_md_recommend ("CV-103", (BwMdTrip *) trips->data, trips->len, 365, &p, NULL);
  g_assert_true (r->has_recommendation);
  g_assert_cmpfloat (r->recommended_level, ==, 100);
  g_assert_cmpfloat (r->current_catch_share, <, 0.99);
  g_assert_nonnull (r->note);
  json = bw_md_recommendation_to_json (r);
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (json_node_get_object (json), "recommendation"), "trip_level"), ==, 100);
}

static void
test_bad_input (void)
{
  BwMdTrip bad[] = { { NAN, FALSE, 60 } }, neg[] = { { 120, TRUE, -1 } }, ok[] = { { 120, TRUE, 60 } };
  g_autoptr(GError) error = NULL;

  g_assert_null (bw_md_recommend ("x", bad, 1, 10, NULL, &error));
  g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (bw_md_recommend ("x", neg, 1, 10, NULL, &error));
  g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (bw_md_recommend ("x", ok, 1, 0, NULL, &error));
  g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/md-sensitivity/known-answer", test_known_answer);
  g_test_add_func ("/md-sensitivity/costs-and-targets", test_costs_and_targets);
  g_test_add_func ("/md-sensitivity/little-history", test_little_history);
  g_test_add_func ("/md-sensitivity/weak-objects", test_weak_objects);
  g_test_add_func ("/md-sensitivity/bad-input", test_bad_input);
  return g_test_run ();
}
