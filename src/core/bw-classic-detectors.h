/* bw-classic-detectors.h: statistical anomaly detectors
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bw-detector.h"
#include "bw-detector-registry.h"

G_BEGIN_DECLS

/**
 * BwT2Detector:
 *
 * Hotelling's T² on the (scaled) features, or, with "pca" set, T² on the
 * principal components that explain "explained-variance" of the training
 * variance together with the Q statistic (squared prediction error) of
 * the residual. Control limits: T² from the F distribution at
 * "confidence", Q per Jackson and Mudholkar. With Q the score is
 * max(T²/T²-limit, Q/Q-limit) and the threshold 1; without, the score is
 * T² and the threshold its limit. "median-window" smooths T² and Q
 * separately before they are compared (a trailing median of that many
 * rows), as the published SKAB pipelines do.
 */
#define BW_TYPE_T2_DETECTOR (bw_t2_detector_get_type ())
G_DECLARE_FINAL_TYPE (BwT2Detector, bw_t2_detector, BW, T2_DETECTOR, BwDetector)

/**
 * BwIForestDetector:
 *
 * Isolation Forest (Liu, Ting and Zhou, 2008): "n-trees" random trees,
 * each grown on "max-samples" rows drawn without replacement to depth
 * ceil(log2 max-samples), splitting a random feature at a uniform random
 * value. The score is 2^(−E[h(x)]/c(ψ)) ∈ (0, 1). The threshold is the
 * (1 − contamination) quantile of the training scores, or "score-threshold"
 * when that is above 0.
 */
#define BW_TYPE_IFOREST_DETECTOR (bw_iforest_detector_get_type ())
G_DECLARE_FINAL_TYPE (BwIForestDetector, bw_iforest_detector, BW, IFOREST_DETECTOR, BwDetector)

/**
 * BwMsetDetector:
 *
 * Multivariate State Estimation Technique: the memory matrix D holds
 * training states ("memory-size" of them, all training rows by default,
 * else picked by vector ordering), the similarity operator
 * s(x, y) = 1 − ‖x − y‖ / (‖x‖ + ‖y‖) (SKAB's) or a Gaussian kernel, and
 * the estimate x̂ = D (DᵀD)⁻¹⊗ (Dᵀ⊗x). The score is the residual
 * ‖x − x̂‖ / ‖x̂‖ ("relative") or ‖x − x̂‖; with "standardize" the detector
 * scales its input itself and measures the residual in input units.
 * The threshold is "threshold" when above 0, else the "quantile" of the
 * training residuals.
 */
#define BW_TYPE_MSET_DETECTOR (bw_mset_detector_get_type ())
G_DECLARE_FINAL_TYPE (BwMsetDetector, bw_mset_detector, BW, MSET_DETECTOR, BwDetector)

/**
 * BwEnsembleDetector:
 *
 * Runs the registered pipelines named in "members" (comma-separated) on
 * its input and combines their decisions: the score is the number of
 * members whose decision is anomalous ("vote" any/majority/all), or the
 * mean of the members' score/threshold ratios ("mean", threshold 1).
 * Use it with the scaler "none": each member applies its own.
 */
#define BW_TYPE_ENSEMBLE_DETECTOR (bw_ensemble_detector_get_type ())
G_DECLARE_FINAL_TYPE (BwEnsembleDetector, bw_ensemble_detector, BW, ENSEMBLE_DETECTOR, BwDetector)

/* The entries for these detectors, reference and tuned configurations. */
extern const BwDetectorEntry bw_classic_detectors[];

G_END_DECLS
