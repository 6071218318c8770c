/* bw-md-sensitivity.h: metal-detector trip-level recommendations
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * BwMdTrip:
 * @peak: the detector signal's peak during the trip, % of the trip level
 * @object_found: a foreign object was found (else a false trip)
 * @duration_s: how long the belt stood
 */
typedef struct
{
  double   peak;
  gboolean object_found;
  double   duration_s;
} BwMdTrip;

typedef struct
{
  double target_catch;      /* share of real objects the new level must still catch (0.99) */
  double current_level;     /* the detector's trip level now, % (100) */
  double max_level;         /* highest level considered, % (400) */
  double miss_cost_min;     /* downtime one missed object costs (crusher damage), min (240) */
  guint  bootstrap;         /* resamples for the uncertainty (400) */
  guint  min_objects;       /* fewer real objects than this: no recommendation (8) */
  guint64 seed;
} BwMdSensitivityParams;

void bw_md_sensitivity_params_init (BwMdSensitivityParams *params);

/**
 * BwMdRecommendation:
 *
 * Rates are per day of history, downtime in minutes per day. Levels are in
 * % of the present trip level's scale. The interval is the bootstrap's
 * 5th to 95th percentile.
 */
typedef struct
{
  char    *conveyor;
  /* the history it rests on */
  guint    n_trips, n_false, n_objects;
  double   span_days;
  /* today */
  double   false_trips_per_day, false_trips_per_day_low, false_trips_per_day_high;
  double   false_trip_downtime_min_per_day;
  double   current_catch_share;
  /* the fitted peak distribution of real objects (log-normal, truncated at the level) */
  double   object_log_mean, object_log_sd;
  /* the recommendation */
  gboolean has_recommendation;
  double   recommended_level, recommended_level_low, recommended_level_high;
  double   catch_share;
  double   false_trips_per_day_after;
  double   false_trip_downtime_min_per_day_after;
  double   downtime_saved_min_per_day;
  double   missed_objects_per_year;
  char    *note;                 /* why there is no recommendation, or a caveat */
} BwMdRecommendation;

BwMdRecommendation *bw_md_recommend               (const char                  *conveyor,
                                                   const BwMdTrip              *trips,
                                                   guint                        n_trips,
                                                   double                       span_days,
                                                   const BwMdSensitivityParams *params,
                                                   GError                     **error);
void                bw_md_recommendation_free     (BwMdRecommendation          *self);
JsonNode           *bw_md_recommendation_to_json  (const BwMdRecommendation    *self);

struct _BwLedger;
GPtrArray          *bw_md_recommend_from_ledger   (struct _BwLedger            *ledger,
                                                   gint64                       from_us,
                                                   gint64                       to_us,
                                                   const BwMdSensitivityParams *params,
                                                   GError                     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwMdRecommendation, bw_md_recommendation_free)

G_END_DECLS
