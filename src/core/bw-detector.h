/* bw-detector.h: the anomaly-detector interface
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * BwDetector:
 *
 * An anomaly detector learns what normal running looks like from rows of
 * normal data and then gives every row a score, higher meaning more
 * anomalous, together with a control limit (the threshold) above which a
 * row is anomalous.
 *
 * Rows are feature vectors of a fixed width, in time order, one row per
 * sample period. The detector sees them already scaled: the model that owns
 * it (#BwAnomalyModel) applies standard scaling first, unless its scaler is
 * "none". The detector never sees raw tag names or timestamps.
 *
 * Subclasses are the algorithms (Hotelling T², T²+Q on PCA, Isolation
 * Forest, MSET, the neural detectors, ensembles). A subclass:
 *
 * - declares its parameters as GObject properties, READWRITE |
 *   G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS, with a default, a range
 *   and a one-line blurb: bw_detector_set_params(), bw_detector_get_params()
 *   and bw_detector_describe() work on them by introspection, and model
 *   files store them. Supported types: boolean, int, uint, int64, uint64,
 *   double, string, enum (by nick). Properties of #BwDetector itself
 *   ("seed") are parameters too.
 * - implements fit() and either score_row() (the default score() then
 *   runs score_row() over the batch) or score() and score_row() both.
 * - implements get_threshold() and, when it has learned state,
 *   save_state() and load_state() so a fitted detector survives a model
 *   file round trip bit for bit.
 * - implements reset() when score_row() keeps context between rows.
 *
 * Randomness comes only from a generator seeded with the "seed" property,
 * so fit() with the same data and parameters gives the same model.
 *
 * Rules every implementation follows, which the callers rely on:
 *
 * - fit() learns from rows of normal data only. It may be called again
 *   and then replaces all learned state.
 * - score() scores its rows as one consecutive stretch of time. It starts
 *   from a reset context and leaves the streaming context after its last
 *   row, so a caller can score history in one batch and go on with
 *   score_row(). A window-based model gives NAN for rows whose window is
 *   not full yet: NAN never counts as anomalous.
 * - score_row() scores the newest row given the rows pushed since the
 *   last reset(). Its cost must not grow with the number of rows seen
 *   (bounded windows only): the service calls it for every row, forever.
 *   Scoring a batch and pushing the same rows one by one give the same
 *   scores.
 * - get_threshold() returns the control limit learned by fit(). The score
 *   of a row is anomalous when it is above the threshold.
 * - Bad input (NaN or infinite values, too few rows for the model) gives
 *   an error from fit(), never a crash. Rows with non-finite values given
 *   to score_row() score NAN.
 */
#define BW_TYPE_DETECTOR (bw_detector_get_type ())
G_DECLARE_DERIVABLE_TYPE (BwDetector, bw_detector, BW, DETECTOR, GObject)

struct _BwDetectorClass
{
  GObjectClass parent_class;

  /* Learn from @x (rows × features, scaled). Called through
   * bw_detector_fit(), which has already checked @x for NaN/inf, at least
   * two rows and at least one column. */
  gboolean  (*fit)           (BwDetector       *self,
                              const gsl_matrix *x,
                              GError          **error);

  /* Score every row of @x into @out (same length as @x has rows). The
   * default resets and calls score_row() for each row. */
  gboolean  (*score)         (BwDetector       *self,
                              const gsl_matrix *x,
                              gsl_vector       *out,
                              GError          **error);

  /* The control limit learned by fit(). */
  double    (*get_threshold) (BwDetector       *self);

  /* Forget the streaming context (windows of past rows). Default: nothing. */
  void      (*reset)         (BwDetector       *self);

  /* Score @row (n_features values) as the newest row of the stream. */
  double    (*score_row)     (BwDetector       *self,
                              const double     *row);

  /* Learned state as JSON (any node type); NULL if there is none. The
   * parameters are saved separately by the base class. */
  JsonNode *(*save_state)    (BwDetector       *self);

  /* Restore what save_state() wrote. Called on a detector whose
   * parameters are already set; must validate the input. */
  gboolean  (*load_state)    (BwDetector       *self,
                              JsonNode         *state,
                              GError          **error);

  /*< private >*/
  gpointer padding[8];
};

gboolean    bw_detector_fit             (BwDetector       *self,
                                         const gsl_matrix *x,
                                         GError          **error);
gboolean    bw_detector_score           (BwDetector       *self,
                                         const gsl_matrix *x,
                                         gsl_vector       *out,
                                         GError          **error);
double      bw_detector_get_threshold   (BwDetector       *self);
void        bw_detector_reset           (BwDetector       *self);
double      bw_detector_score_row       (BwDetector       *self,
                                         const double     *row);

gboolean    bw_detector_is_fitted       (BwDetector       *self);
guint       bw_detector_get_n_features  (BwDetector       *self);
guint64     bw_detector_get_seed        (BwDetector       *self);
void        bw_detector_set_seed        (BwDetector       *self,
                                         guint64           seed);

/* Parameters, by property name; see the class description. */
gboolean    bw_detector_set_params      (BwDetector       *self,
                                         JsonObject       *params,
                                         GError          **error);
gboolean    bw_detector_set_param_string (BwDetector      *self,
                                         const char       *name,
                                         const char       *value,
                                         GError          **error);
JsonObject *bw_detector_get_params      (BwDetector       *self);

/* A JSON array with one object per parameter: name, type, value,
 * default, minimum/maximum (numbers), choices (enums), description. */
JsonNode   *bw_detector_describe        (BwDetector       *self);

/* The detector as JSON: {"type": GType name, "params": {…}, "n-features": n,
 * "state": …}. bw_detector_load() creates the detector back from it. */
JsonNode   *bw_detector_save            (BwDetector       *self);
BwDetector *bw_detector_load            (JsonNode         *node,
                                         GError          **error);

/* For subclasses: the generator behind the "seed" property. It is
 * re-seeded at the start of every bw_detector_fit(). */
GRand      *bw_detector_get_rand        (BwDetector       *self);

/* Helpers for save_state()/load_state() implementations. */
JsonNode   *bw_json_from_doubles        (const double     *v,
                                         gsize             n);
gboolean    bw_json_to_doubles          (JsonNode         *node,
                                         double           *out,
                                         gsize             n,
                                         GError          **error);
JsonNode   *bw_json_from_matrix         (const gsl_matrix *m);
gsl_matrix *bw_json_to_matrix           (JsonNode         *node,
                                         gsize             rows,
                                         gsize             cols,
                                         GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (gsl_matrix, gsl_matrix_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (gsl_vector, gsl_vector_free)

G_END_DECLS
