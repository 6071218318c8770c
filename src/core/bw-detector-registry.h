/* bw-detector-registry.h: algorithm names and their configurations
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * BwDetectorEntry:
 * @name: the algorithm name used on the command line and in model files
 *   (`t2`, `t2q`, `iforest`, `mset`, `ae`, …, tuned names, ensembles)
 * @summary: one line, English
 * @get_type: the #BwDetector subclass
 * @config: the configuration as JSON text (an object); see below
 *
 * One algorithm. @config describes the whole pipeline around the detector,
 * all members optional:
 *
 * |[
 * {
 *   "detector": { "explained-variance": 0.85, … },   // detector properties
 *   "scaler": "standard",            // or "none"
 *   "score-filter": { "kind": "median", "window": 5, "centered": false },
 *   "threshold-scale": 2.0,          // multiplies the detector's limit
 *   "threshold": 0.01,               // or an absolute limit instead
 *   "decision-filter": { "kind": "median", "window": 3 },
 *   "changepoint-filter": { "kind": "max", "window": 30 },
 *   "alarm": { "hold-s": 10, "release-s": 30, "clear-ratio": 0.8 }
 * }
 * ]|
 *
 * Filter kinds are "none", "mean", "median" and "max"; windows are in rows.
 * Trailing windows give no value (never anomalous) until they are full;
 * centered windows (batch scoring only, for reproducing published
 * pipelines) average what there is at the edges. See bw-anomaly-model.h.
 *
 * An ensemble is a detector whose "members" parameter names other entries:
 * `{"detector": {"members": "t2q-tuned,mset-tuned", "vote": "any"}}`.
 *
 * Adding algorithms: a source file defines its own table, terminated by an
 * entry with a NULL name, e.g.
 *
 * |[
 * const BwDetectorEntry bw_neural_detectors[] = {
 *   { "ae", "Vanilla autoencoder", bw_ae_detector_get_type, "{…}" },
 *   { NULL }
 * };
 * ]|
 *
 * declares it in a header and adds one line naming it to the list of
 * tables in bw-detector-registry.c. Nothing else changes. Names must be
 * unique over all tables; a duplicate is reported by the registry test.
 */
typedef struct
{
  const char *name;
  const char *summary;
  GType     (*get_type) (void);
  const char *config;
} BwDetectorEntry;

/* Look up one algorithm; NULL if unknown. */
const BwDetectorEntry *bw_detector_registry_lookup      (const char *name);

/* All entries, in table order; free the array (not the entries). */
GPtrArray             *bw_detector_registry_list        (void);

/* Parse an entry's config; sets @error on broken JSON (a bug). */
JsonObject            *bw_detector_entry_parse_config   (const BwDetectorEntry *entry,
                                                         GError               **error);

/* Register every entry's type, so bw_detector_load() finds types by name. */
void                   bw_detector_registry_ensure_types (void);

/* For tests and plugins: add a table at run time (not copied; must stay
 * valid for the life of the process). */
void                   bw_detector_registry_add_table   (const BwDetectorEntry *table);

G_END_DECLS
