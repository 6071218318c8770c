/* bw-anomaly-model.h: a fitted anomaly detector with everything around it
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <json-glib/json-glib.h>

#include "bw-detector.h"

G_BEGIN_DECLS

/**
 * BwAnomalyModel:
 *
 * What a model file holds and what the service runs per conveyor: the
 * feature (tag) names in column order, the scaler, the detector, the
 * smoothing of scores and decisions, the threshold, and the alarm
 * settings (hold time and hysteresis, see bw-anomaly-state.h).
 *
 * The pipeline for a row of raw values:
 *
 *   raw row → scaler → detector score → score filter → compare with
 *   threshold (detector limit × threshold-scale, or an absolute
 *   threshold) → decision filter → decision 0/1
 *
 * The changepoint filter only shapes the changepoint column of SKAB
 * outputs (SKAB's Isolation-Forest pipeline takes changepoints from a
 * rolling maximum of the decisions).
 *
 * Model files are JSON:
 *
 * |[
 * {
 *   "format": "beltwatch-anomaly-model", "version": 1,
 *   "algorithm": "t2q", "created": "2026-…Z",
 *   "features": ["belt_speed", …],
 *   "scaler": {"kind": "standard", "mean": […], "scale": […]},
 *   "detector": {"type": "BwT2Detector", "params": {…}, "n-features": 8, "state": {…}},
 *   "score-filter": {…}, "threshold-scale": 1, "threshold": null,
 *   "decision-filter": {…}, "changepoint-filter": {…},
 *   "alarm": {"hold-s": 10, "release-s": 30, "clear-ratio": 0.8},
 *   "training": {"rows": 400, "source": "…"}
 * }
 * ]|
 */
#define BW_TYPE_ANOMALY_MODEL (bw_anomaly_model_get_type ())
G_DECLARE_FINAL_TYPE (BwAnomalyModel, bw_anomaly_model, BW, ANOMALY_MODEL, GObject)

#define BW_ANOMALY_MODEL_FORMAT  "beltwatch-anomaly-model"
#define BW_ANOMALY_MODEL_VERSION 1

typedef enum
{
  BW_FILTER_NONE,
  BW_FILTER_MEAN,
  BW_FILTER_MEDIAN,
  BW_FILTER_MAX,
} BwFilterKind;

typedef struct
{
  BwFilterKind kind;
  guint        window;      /* rows; 0 or 1 = no filtering */
  gboolean     centered;    /* batch only; streaming uses a trailing window */
} BwFilterSpec;

typedef struct
{
  double   raw_score;       /* detector score, NAN while its window fills */
  double   score;           /* after the score filter */
  double   threshold;       /* effective threshold */
  gboolean decision;        /* after the decision filter */
} BwAnomalyResult;

typedef struct
{
  double hold_s;            /* decision must hold this long to raise */
  double release_s;         /* and be off this long to clear */
  double clear_ratio;       /* clears below threshold × clear_ratio (≤ 1) */
} BwAlarmSpec;

/* A model for a registered algorithm with its configuration; not fitted. */
BwAnomalyModel *bw_anomaly_model_new_for_algorithm (const char         *algorithm,
                                                    GError            **error);
/* The same with members of @overrides replacing the registered ones (its
 * "detector" member is merged parameter by parameter). */
BwAnomalyModel *bw_anomaly_model_new_for_algorithm_full (const char    *algorithm,
                                                    JsonObject         *overrides,
                                                    GError            **error);
/* A model around a detector (taken over) and an optional config object in
 * the registry's format (its "detector" member is ignored). */
BwAnomalyModel *bw_anomaly_model_new               (BwDetector         *detector,
                                                    JsonObject         *config,
                                                    GError            **error);

gboolean        bw_anomaly_model_set_features      (BwAnomalyModel     *self,
                                                    const char * const *names,
                                                    GError            **error);
const char * const *bw_anomaly_model_get_features  (BwAnomalyModel     *self);
guint           bw_anomaly_model_get_n_features    (BwAnomalyModel     *self);
const char     *bw_anomaly_model_get_algorithm     (BwAnomalyModel     *self);
BwDetector     *bw_anomaly_model_get_detector      (BwAnomalyModel     *self);
gboolean        bw_anomaly_model_is_fitted         (BwAnomalyModel     *self);
double          bw_anomaly_model_get_threshold     (BwAnomalyModel     *self);
void            bw_anomaly_model_get_alarm         (BwAnomalyModel     *self,
                                                    BwAlarmSpec        *out);
void            bw_anomaly_model_set_alarm         (BwAnomalyModel     *self,
                                                    const BwAlarmSpec  *alarm);
void            bw_anomaly_model_get_changepoint_filter (BwAnomalyModel *self,
                                                    BwFilterSpec       *out);

/* Fit the scaler and the detector on rows of normal running (raw values,
 * columns in feature order). */
gboolean        bw_anomaly_model_fit               (BwAnomalyModel     *self,
                                                    const gsl_matrix   *raw,
                                                    GError            **error);

/* Score consecutive rows in one go. @scores (optional) gets the filtered
 * score, @decisions (optional, one byte per row) 0/1. Resets the stream
 * first; afterwards the stream continues after the last row (unless a
 * centered filter is used). */
gboolean        bw_anomaly_model_score             (BwAnomalyModel     *self,
                                                    const gsl_matrix   *raw,
                                                    gsl_vector         *scores,
                                                    guint8             *decisions,
                                                    GError            **error);

/* Streaming: push one raw row (n_features values) as it arrives. Cost is
 * independent of the history. Non-finite values give a NAN score and no
 * decision change from the filters' point of view (the row counts as not
 * anomalous). */
void            bw_anomaly_model_reset             (BwAnomalyModel     *self);
void            bw_anomaly_model_push              (BwAnomalyModel     *self,
                                                    const double       *raw_row,
                                                    BwAnomalyResult    *out);

/* The score to give bw_anomaly_state_update() (with result->threshold) so
 * the alarm follows the decision, filters included, and keeps the
 * hysteresis of the raw score. */
double          bw_anomaly_result_alarm_score      (const BwAnomalyResult *result);

JsonNode       *bw_anomaly_model_to_json           (BwAnomalyModel     *self);
BwAnomalyModel *bw_anomaly_model_from_json         (JsonNode           *node,
                                                    GError            **error);
gboolean        bw_anomaly_model_save              (BwAnomalyModel     *self,
                                                    const char         *path,
                                                    GError            **error);
BwAnomalyModel *bw_anomaly_model_load              (const char         *path,
                                                    GError            **error);

/* The time between rows the model was fitted on (100 ms by default; 1 s for
 * a model fitted on the ledger's per-second history): live rows are averaged
 * over this period before they are scored. */
void            bw_anomaly_model_set_period_us     (BwAnomalyModel     *self,
                                                    gint64              period_us);
gint64          bw_anomaly_model_get_period_us     (BwAnomalyModel     *self);

/* Free-form note on where the training rows came from (saved in the file). */
void            bw_anomaly_model_set_training_source (BwAnomalyModel   *self,
                                                    const char         *source);

/* Apply @spec to @in (batch), the way the model does; for SKAB and tests. */
void            bw_filter_apply                    (const BwFilterSpec *spec,
                                                    const double       *in,
                                                    double             *out,
                                                    gsize               n);
gboolean        bw_filter_spec_from_json           (JsonNode           *node,
                                                    BwFilterSpec       *out,
                                                    GError            **error);
JsonNode       *bw_filter_spec_to_json             (const BwFilterSpec *spec);

G_END_DECLS
