/* bw-nn-detector.h: the neural anomaly detectors behind the detector
 * interface and their registry entries
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bw-detector.h"
#include "bw-detector-registry.h"

G_BEGIN_DECLS

/**
 * BwNnDetector:
 *
 * One of the models of bw-nn-model.h, chosen by the "model" parameter
 * (ae, lstm, lstm-ae, lstm-vae, conv-ae, mscred). The other parameters
 * default to the model's reference configuration (SKAB's notebook); a value
 * of −1 (or 0 for the learning rate) keeps that default. The model's state
 * (configuration, control limit, weights as base64) is saved with the
 * detector's parameters.
 */
#define BW_TYPE_NN_DETECTOR (bw_nn_detector_get_type ())
G_DECLARE_FINAL_TYPE (BwNnDetector, bw_nn_detector, BW, NN_DETECTOR, BwDetector)

/* registry entries: the six reference configurations */
extern const BwDetectorEntry bw_neural_detectors[];

G_END_DECLS
