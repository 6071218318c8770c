/* bw-classic-detectors.c: the registry entries of the statistical detectors
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-classic-detectors"

#include "config.h"

#include "bw-classic-detectors.h"

/* Reference configurations mirror SKAB's published notebooks
 * (the notebooks and core/ modules of github.com/waico/SKAB); see
 * docs/benchmarks.md for the results. */
const BwDetectorEntry bw_classic_detectors[] = {
  { "t2", "Hotelling T² (SKAB reference: scaled, median of 5, limit × 2)",
    bw_t2_detector_get_type,
    "{\"detector\": {\"pca\": false, \"confidence\": 0.999, \"median-window\": 5},"
    " \"scaler\": \"standard\", \"threshold-scale\": 2.0}" },
  { "t2q", "Hotelling T² and Q on PCA (SKAB reference: 85 % variance, median of 5)",
    bw_t2_detector_get_type,
    "{\"detector\": {\"pca\": true, \"explained-variance\": 0.85, \"confidence\": 0.999,"
    " \"median-window\": 5, \"q-limit\": \"skab\"},"
    " \"scaler\": \"standard\"}" },
  { "iforest", "Isolation Forest (SKAB reference: raw values, contamination 0.0005, "
    "median of 3 decisions)",
    bw_iforest_detector_get_type,
    "{\"detector\": {\"n-trees\": 100, \"max-samples\": 256, \"contamination\": 0.0005,"
    " \"seed\": 37},"
    " \"scaler\": \"none\","
    " \"decision-filter\": {\"kind\": \"median\", \"window\": 3},"
    " \"changepoint-filter\": {\"kind\": \"max\", \"window\": 30}}" },
  { "mset", "MSET (SKAB reference: all 400 states, relative residual, centered mean of 60, "
    "limit 0.01)",
    bw_mset_detector_get_type,
    "{\"detector\": {\"standardize\": true, \"similarity\": \"skab\","
    " \"residual\": \"relative\", \"threshold\": 0.01},"
    " \"scaler\": \"none\","
    " \"score-filter\": {\"kind\": \"mean\", \"window\": 60, \"centered\": true}}" },

  /* Tuned on SKAB under the same protocol (one configuration for all
   * files, nothing learned from test rows or labels), all causal so they
   * run live as they do here: the drifting temperatures are left out, the
   * residual is smoothed over 10 s and the decision over 5 s. */
  { "mset-tuned", "MSET on vibration, pressure and flow; causal smoothing",
    bw_mset_detector_get_type,
    "{\"columns\": [0, 1, 3, 7],"
    " \"detector\": {\"standardize\": true, \"similarity\": \"skab\","
    " \"residual\": \"relative\", \"threshold\": 0.002},"
    " \"scaler\": \"none\","
    " \"score-filter\": {\"kind\": \"mean\", \"window\": 10},"
    " \"decision-filter\": {\"kind\": \"median\", \"window\": 5}}" },
  { "t2q-tuned", "T² and Q on vibration, pressure and flow; causal smoothing",
    bw_t2_detector_get_type,
    "{\"columns\": [0, 1, 3, 7],"
    " \"detector\": {\"pca\": true, \"explained-variance\": 0.85, \"confidence\": 0.99,"
    " \"q-limit\": \"jackson-mudholkar\"},"
    " \"scaler\": \"standard\","
    " \"score-filter\": {\"kind\": \"mean\", \"window\": 5},"
    " \"decision-filter\": {\"kind\": \"median\", \"window\": 5}}" },
  { "ensemble", "mset-tuned and t2q-tuned, anomalous when either says so",
    bw_ensemble_detector_get_type,
    "{\"detector\": {\"members\": \"mset-tuned,t2q-tuned\", \"vote\": \"any\"},"
    " \"scaler\": \"none\"}" },

  /* For conveyors (the default of `beltwatch-ml fit`): T² over the analog
   * tags, the score averaged over 2 s (20 rows at 10 Hz), the alarm raised
   * after 10 s. On the simulated line it warns of every overload 20–70 s
   * before the relay trips and stays quiet through load changes. */
  { "conveyor", "Hotelling T² on a conveyor's analog tags, 2 s average, 10 s hold",
    bw_t2_detector_get_type,
    "{\"detector\": {\"pca\": false, \"confidence\": 0.999},"
    " \"scaler\": \"standard\","
    " \"score-filter\": {\"kind\": \"mean\", \"window\": 20},"
    " \"alarm\": {\"hold-s\": 10, \"release-s\": 30, \"clear-ratio\": 0.8}}" },
  { NULL }
};
