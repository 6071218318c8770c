/* bw-md-sensitivity.c: metal-detector trip-level recommendations
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * From a conveyor's trips (the detector signal's peak, whether an object was
 * found, how long the belt stood):
 *
 *  - the peaks of real objects are modelled as log-normal; only objects that
 *    reached the present trip level were seen, so the fit is a maximum
 *    likelihood fit of a normal distribution of log(peak) truncated at the
 *    present level;
 *  - the share of real objects a level L catches is S(L) = P(peak ≥ L);
 *  - the expected downtime per day at L is the false trips that would still
 *    trip (their peaks are in the history) times their durations, plus every
 *    real object: caught ones stop the belt for their usual time, missed
 *    ones cost the configured damage downtime;
 *  - the recommendation is the level on a 1 % grid that minimises that
 *    downtime among the levels with S(L) ≥ the target share;
 *  - its uncertainty is the spread of the same recommendation over bootstrap
 *    resamples of the trips.
 *
 * Only raising the level can be assessed from trips: below the present level
 * nothing tripped, so the false trips a lower level would add are unknown.
 */
#define G_LOG_DOMAIN "bw-md-sensitivity"

#include "config.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_multimin.h>

#include "bw-error.h"
#include "bw-md-sensitivity.h"
#include "bw-time.h"
#include "bw-tags.h"
#include "bw-ledger.h"

void
bw_md_sensitivity_params_init (BwMdSensitivityParams *params)
{
  params->target_catch = 0.99;
  params->current_level = 100;
  params->max_level = 400;
  params->miss_cost_min = 240;
  params->bootstrap = 400;
  params->min_objects = 8;
  params->seed = 1;
}

void
bw_md_recommendation_free (BwMdRecommendation *self)
{
  if (self == NULL)
    return;
  g_free (self->conveyor);
  g_free (self->note);
  g_free (self);
}

typedef struct
{
  const double *y;     /* log peaks of the objects */
  guint         n;
  double        t;     /* log truncation point */
} FitData;

static double
truncated_nll (const gsl_vector *v,
               void             *data)
{
  FitData *d = data;
  double mu = gsl_vector_get (v, 0), sigma = exp (gsl_vector_get (v, 1));
  double q = gsl_cdf_ugaussian_Q ((d->t - mu) / sigma), nll = 0;

  for (guint i = 0; i < d->n; i++)
    {
      double z = (d->y[i] - mu) / sigma;
      nll += log (sigma) + 0.5 * z * z;
    }
  return nll + d->n * log (MAX (q, 1e-300));
}

static gboolean
fit_objects (const double *y,
             guint         n,
             double        t,
             double       *mu,
             double       *sigma)
{
  FitData d = { y, n, t };
  gsl_multimin_function f = { truncated_nll, 2, &d };
  gsl_multimin_fminimizer *m;
  gsl_vector *x, *step;
  double mean = 0, var = 0;
  gboolean ok;

  if (n < 2)
    return FALSE;
  for (guint i = 0; i < n; i++)
    mean += y[i];
  mean /= n;
  for (guint i = 0; i < n; i++)
    var += (y[i] - mean) * (y[i] - mean);
  var /= n - 1;
  x = gsl_vector_alloc (2);
  step = gsl_vector_alloc (2);
  gsl_vector_set (x, 0, mean);
  gsl_vector_set (x, 1, 0.5 * log (MAX (var, 1e-6)));
  gsl_vector_set (step, 0, 0.1);
  gsl_vector_set (step, 1, 0.2);
  m = gsl_multimin_fminimizer_alloc (gsl_multimin_fminimizer_nmsimplex2, 2);
  gsl_multimin_fminimizer_set (m, &f, x, step);
  for (int it = 0; it < 500; it++)
    {
      if (gsl_multimin_fminimizer_iterate (m) != GSL_SUCCESS)
        break;
      if (gsl_multimin_test_size (gsl_multimin_fminimizer_size (m), 1e-7) == GSL_SUCCESS)
        break;
    }
  *mu = gsl_vector_get (m->x, 0);
  *sigma = exp (gsl_vector_get (m->x, 1));
  ok = isfinite (*mu) && isfinite (*sigma) && *sigma > 0;
  gsl_multimin_fminimizer_free (m);
  gsl_vector_free (x);
  gsl_vector_free (step);
  return ok;
}

static double
catch_share (double level,
             double mu,
             double sigma)
{
  return gsl_cdf_ugaussian_Q ((log (level) - mu) / sigma);
}

typedef struct
{
  double level;
  double catch_share;
  double false_per_day;
  double false_downtime;   /* min/day */
  double downtime;         /* min/day, false trips and objects */
  double downtime_current; /* the same at the present level */
  double object_rate;      /* real objects per day, caught or not */
  double mu, sigma;
  gboolean fitted;
  gboolean can_raise;
} Choice;

/* the recommendation for one set of trips */
static void
choose_level (const BwMdTrip              *trips,
              const guint                 *pick,
              guint                        n,
              double                       span_days,
              const BwMdSensitivityParams *p,
              Choice                      *out)
{
  g_autofree double *y = g_new (double, MAX (n, 1));
  double t = log (p->current_level), obj_dur = 0, best = INFINITY, s0;
  guint n_obj = 0;

  memset (out, 0, sizeof *out);
  out->level = p->current_level;
  for (guint i = 0; i < n; i++)
    {
      const BwMdTrip *tr = &trips[pick ? pick[i] : i];
      if (tr->object_found)
        {
          y[n_obj++] = log (tr->peak);
          obj_dur += tr->duration_s / 60.0;
          t = MIN (t, log (tr->peak));
        }
    }
  if (n_obj < MAX (p->min_objects, 2) || !fit_objects (y, n_obj, t, &out->mu, &out->sigma))
    return;
  out->fitted = TRUE;
  obj_dur /= n_obj;
  s0 = catch_share (exp (t), out->mu, out->sigma);
  out->object_rate = n_obj / MAX (s0, 1e-9) / span_days;
  out->can_raise = catch_share (p->current_level, out->mu, out->sigma) >= p->target_catch;

  for (double level = p->current_level; level <= p->max_level + 1e-9; level += 1.0)
    {
      double s = catch_share (level, out->mu, out->sigma), fdt = 0, d;
      guint nf = 0;

      if (level > p->current_level && s < p->target_catch)
        break;   /* S falls with the level: no higher level qualifies */
      for (guint i = 0; i < n; i++)
        {
          const BwMdTrip *tr = &trips[pick ? pick[i] : i];
          if (!tr->object_found && tr->peak >= level)
            {
              nf++;
              fdt += tr->duration_s / 60.0;
            }
        }
      fdt /= span_days;
      d = fdt + out->object_rate * (s * obj_dur + (1 - s) * p->miss_cost_min);
      if (level == p->current_level)
        out->downtime_current = d;
      if (d < best - 1e-12)
        {
          best = d;
          out->level = level;
          out->catch_share = s;
          out->false_per_day = nf / span_days;
          out->false_downtime = fdt;
          out->downtime = d;
        }
    }
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/**
 * bw_md_recommend:
 * @span_days: how many days of history @trips cover
 * @params: (nullable): %NULL for the defaults
 *
 * Returns: (transfer full) (nullable): the recommendation (which says when
 *   the history is too short for one), or %NULL with @error set for bad input
 */
BwMdRecommendation *
bw_md_recommend (const char                  *conveyor,
                 const BwMdTrip              *trips,
                 guint                        n_trips,
                 double                       span_days,
                 const BwMdSensitivityParams *params,
                 GError                     **error)
{
  BwMdSensitivityParams p;
  g_autoptr(BwMdRecommendation) r = g_new0 (BwMdRecommendation, 1);
  double false_dt = 0;
  Choice c;

  if (params)
    p = *params;
  else
    bw_md_sensitivity_params_init (&p);
  if (!(span_days > 0) || !isfinite (span_days))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "The history must span a positive time");
      return NULL;
    }
  if (!(p.target_catch > 0 && p.target_catch < 1) || !(p.current_level > 0) ||
      !(p.max_level >= p.current_level) || !(p.miss_cost_min >= 0))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "Invalid sensitivity parameters");
      return NULL;
    }
  for (guint i = 0; i < n_trips; i++)
    if (!(trips[i].peak > 0) || !isfinite (trips[i].peak) || !(trips[i].duration_s >= 0) ||
        !isfinite (trips[i].duration_s))
      {
        g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                     "Trip %u has no usable detector peak or duration", i);
        return NULL;
      }

  r->conveyor = g_strdup (conveyor ? conveyor : "");
  r->n_trips = n_trips;
  r->span_days = span_days;
  for (guint i = 0; i < n_trips; i++)
    {
      if (trips[i].object_found)
        r->n_objects++;
      else
        {
          r->n_false++;
          false_dt += trips[i].duration_s / 60.0;
        }
    }
  r->false_trips_per_day = r->n_false / span_days;
  r->false_trips_per_day_low = r->n_false ? gsl_cdf_chisq_Pinv (0.025, 2.0 * r->n_false) / 2 / span_days : 0;
  r->false_trips_per_day_high = gsl_cdf_chisq_Pinv (0.975, 2.0 * r->n_false + 2) / 2 / span_days;
  r->false_trip_downtime_min_per_day = false_dt / span_days;
  r->object_log_mean = r->object_log_sd = NAN;
  r->current_catch_share = NAN;

  choose_level (trips, NULL, n_trips, span_days, &p, &c);
  if (!c.fitted)
    {
      r->note = g_strdup_printf ("Too little history: %u trips with an object found, %u needed",
                                 r->n_objects, MAX (p.min_objects, 2));
      r->recommended_level = r->recommended_level_low = r->recommended_level_high = NAN;
      r->catch_share = r->false_trips_per_day_after = NAN;
      r->false_trip_downtime_min_per_day_after = r->downtime_saved_min_per_day = NAN;
      r->missed_objects_per_year = NAN;
      return g_steal_pointer (&r);
    }

  r->has_recommendation = TRUE;
  r->object_log_mean = c.mu;
  r->object_log_sd = c.sigma;
  r->current_catch_share = catch_share (p.current_level, c.mu, c.sigma);
  r->recommended_level = c.level;
  r->catch_share = c.catch_share;
  r->false_trips_per_day_after = c.false_per_day;
  r->false_trip_downtime_min_per_day_after = c.false_downtime;
  r->downtime_saved_min_per_day = c.downtime_current - c.downtime;
  r->missed_objects_per_year = c.object_rate * (1 - c.catch_share) * 365.0;
  if (!c.can_raise)
    r->note = g_strdup_printf ("The present level already lets %.1f %% of objects through; "
                               "raising it is not advised, and what lowering it would cost in "
                               "false trips cannot be told from the trips",
                               100 * (1 - r->current_catch_share));

  /* bootstrap */
  {
    g_autofree double *levels = g_new (double, MAX (p.bootstrap, 1));
    g_autofree guint *pick = g_new (guint, MAX (n_trips, 1));
    GRand *rng = g_rand_new_with_seed ((guint32) p.seed);
    guint nb = 0;

    for (guint b = 0; b < p.bootstrap; b++)
      {
        Choice cb;
        for (guint i = 0; i < n_trips; i++)
          pick[i] = g_rand_int_range (rng, 0, n_trips);
        choose_level (trips, pick, n_trips, span_days, &p, &cb);
        if (cb.fitted)
          levels[nb++] = cb.level;
      }
    g_rand_free (rng);
    if (nb >= 10)
      {
        qsort (levels, nb, sizeof (double), cmp_double);
        r->recommended_level_low = levels[(guint) floor (0.05 * (nb - 1))];
        r->recommended_level_high = levels[(guint) ceil (0.95 * (nb - 1))];
      }
    else
      r->recommended_level_low = r->recommended_level_high = NAN;
  }
  return g_steal_pointer (&r);
}

static void
add_number (JsonBuilder *b,
            const char  *name,
            double       v)
{
  json_builder_set_member_name (b, name);
  if (isfinite (v))
    json_builder_add_double_value (b, v);
  else
    json_builder_add_null_value (b);
}

/**
 * bw_md_recommendation_to_json:
 *
 * Returns: (transfer full): the recommendation for the app and the day
 *   report; unknown numbers are null
 */
JsonNode *
bw_md_recommendation_to_json (const BwMdRecommendation *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "conveyor");
  json_builder_add_string_value (b, self->conveyor);
  json_builder_set_member_name (b, "history");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "trips");
  json_builder_add_int_value (b, self->n_trips);
  json_builder_set_member_name (b, "false_trips");
  json_builder_add_int_value (b, self->n_false);
  json_builder_set_member_name (b, "objects_found");
  json_builder_add_int_value (b, self->n_objects);
  add_number (b, "days", self->span_days);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "now");
  json_builder_begin_object (b);
  add_number (b, "false_trips_per_day", self->false_trips_per_day);
  add_number (b, "false_trips_per_day_low", self->false_trips_per_day_low);
  add_number (b, "false_trips_per_day_high", self->false_trips_per_day_high);
  add_number (b, "false_trip_downtime_min_per_day", self->false_trip_downtime_min_per_day);
  add_number (b, "catch_share", self->current_catch_share);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "recommendation");
  if (self->has_recommendation)
    {
      json_builder_begin_object (b);
      add_number (b, "trip_level", self->recommended_level);
      add_number (b, "trip_level_low", self->recommended_level_low);
      add_number (b, "trip_level_high", self->recommended_level_high);
      add_number (b, "catch_share", self->catch_share);
      add_number (b, "false_trips_per_day", self->false_trips_per_day_after);
      add_number (b, "false_trip_downtime_min_per_day", self->false_trip_downtime_min_per_day_after);
      add_number (b, "downtime_saved_min_per_day", self->downtime_saved_min_per_day);
      add_number (b, "missed_objects_per_year", self->missed_objects_per_year);
      json_builder_end_object (b);
    }
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "object_peak_model");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "distribution");
  json_builder_add_string_value (b, "lognormal");
  add_number (b, "log_mean", self->object_log_mean);
  add_number (b, "log_sd", self->object_log_sd);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "note");
  if (self->note)
    json_builder_add_string_value (b, self->note);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/**
 * bw_md_recommend_from_ledger:
 * @from_us: start of the history (0: 30 days before @to_us)
 * @to_us: end (0: now)
 *
 * The recommendation for each conveyor from the ledger's metal-detector
 * stops (first-out `md_trip`) that an operator classified: a foreign object
 * found, or a false trip. Unclassified trips are not counted; the note says
 * how many there were.
 *
 * Returns: (transfer container) (element-type BwMdRecommendation): one per
 *   conveyor with metal-detector stops in the period
 */
GPtrArray *
bw_md_recommend_from_ledger (BwLedger                    *ledger,
                             gint64                       from_us,
                             gint64                       to_us,
                             const BwMdSensitivityParams *params,
                             GError                     **error)
{
  BwStopQuery q = { .ascending = TRUE };
  g_autoptr(GPtrArray) stops = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_md_recommendation_free);
  g_autoptr(GHashTable) by_conveyor = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                             (GDestroyNotify) g_array_unref);
  g_autoptr(GHashTable) unclassified = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GList) ids = NULL;
  double span_days;

  q.to_us = to_us ? to_us : g_get_real_time ();
  q.from_us = from_us ? from_us : q.to_us - 30 * BW_USEC_PER_DAY;
  span_days = (q.to_us - q.from_us) / (double) BW_USEC_PER_DAY;
  stops = bw_ledger_list_stops (ledger, &q, NULL, error);
  if (stops == NULL)
    return NULL;

  for (guint i = 0; i < stops->len; i++)
    {
      BwStop *s = stops->pdata[i];
      GArray *trips;
      BwMdTrip trip;

      if (g_strcmp0 (s->trigger, "md_trip") != 0)
        continue;
      trips = g_hash_table_lookup (by_conveyor, s->conveyor);
      if (trips == NULL)
        {
          trips = g_array_new (FALSE, FALSE, sizeof (BwMdTrip));
          g_hash_table_insert (by_conveyor, s->conveyor, trips);
        }
      if (s->cause == NULL || !isfinite (s->md_peak) ||
          (!g_str_equal (s->cause, BW_CAUSE_FOREIGN_OBJECT) && !g_str_equal (s->cause, BW_CAUSE_MD_FALSE_TRIP)))
        {
          g_hash_table_insert (unclassified, s->conveyor,
                               GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (unclassified, s->conveyor)) + 1));
          continue;
        }
      trip.peak = s->md_peak;
      trip.object_found = g_str_equal (s->cause, BW_CAUSE_FOREIGN_OBJECT);
      trip.duration_s = bw_stop_get_duration (s, q.to_us) / 1e6;
      g_array_append_val (trips, trip);
    }

  ids = g_list_sort (g_hash_table_get_keys (by_conveyor), (GCompareFunc) g_strcmp0);
  for (GList *l = ids; l; l = l->next)
    {
      GArray *trips = g_hash_table_lookup (by_conveyor, l->data);
      guint skipped = GPOINTER_TO_UINT (g_hash_table_lookup (unclassified, l->data));
      BwMdRecommendation *r = bw_md_recommend (l->data, (const BwMdTrip *) trips->data, trips->len, span_days,
                                               params, error);

      if (r == NULL)
        return NULL;
      if (skipped)
        {
          char *note = g_strdup_printf ("%s%s%u metal-detector stops not yet classified are not counted",
                                        r->note ? r->note : "", r->note ? "; " : "", skipped);
          g_free (r->note);
          r->note = note;
        }
      g_ptr_array_add (out, r);
    }
  return g_steal_pointer (&out);
}
