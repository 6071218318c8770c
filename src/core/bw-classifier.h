/* bw-classifier.h: the stop-cause classifier (features, XGBoost, logistic
 * regression, ensemble, calibration)
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "bw-simulator.h"
#include "bw-window.h"

G_BEGIN_DECLS

#define BW_CLASSIFIER_FORMAT         "beltwatch-stop-classifier"
#define BW_CLASSIFIER_FORMAT_VERSION 1
#define BW_CLASSIFIER_MAX_CLASSES    16
#define BW_CLASSIFIER_CAUSE_LEN      32

/* ---- labelled stops ------------------------------------------------------ */

/**
 * BwLabelledStop:
 * @window: (owned): the stop's signal window
 * @context: what the service knew at stop open; its strings are owned
 * @cause: (owned): the cause code (operator's, or the simulator's truth)
 * @group: (owned) (nullable): where the stop came from (a simulated day's
 *   seed, a ledger file), for held-out evaluation
 */
typedef struct
{
  BwWindow      *window;
  BwStopContext  context;
  char          *cause;
  char          *group;
} BwLabelledStop;

typedef struct _BwStopDataset BwStopDataset;

BwStopDataset  *bw_stop_dataset_new            (void);
void            bw_stop_dataset_free           (BwStopDataset        *self);
void            bw_stop_dataset_add            (BwStopDataset        *self,
                                                BwWindow             *window,
                                                const BwStopContext  *context,
                                                const char           *cause,
                                                const char           *group);
guint           bw_stop_dataset_get_n_stops    (const BwStopDataset  *self);
const BwLabelledStop *bw_stop_dataset_get      (const BwStopDataset  *self,
                                                guint                 index);
BwStopDataset  *bw_stop_dataset_load_jsonl     (const char           *path,
                                                GError              **error);
gboolean        bw_stop_dataset_save_jsonl     (const BwStopDataset  *self,
                                                const char           *path,
                                                GError              **error);
BwStopDataset  *bw_stop_dataset_new_synthetic  (guint                 n_stops,
                                                guint64               seed);
int             bw_stop_dataset_add_simulated  (BwStopDataset        *self,
                                                const BwSimParams    *params,
                                                gint64                duration_us,
                                                GError              **error);

struct _BwLedger;
int             bw_stop_dataset_add_ledger     (BwStopDataset        *self,
                                                struct _BwLedger     *ledger,
                                                gint64                from_us,
                                                gint64                to_us,
                                                GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwStopDataset, bw_stop_dataset_free)

/* ---- training ------------------------------------------------------------ */

typedef struct
{
  const char * const *signals;     /* window tags to use; NULL: the analog standard tags */
  guint    folds;                  /* stratified k-fold; 0 or 1: no cross-validation */
  guint    max_features;           /* signal features kept after the relevance filter */
  guint    xgb_rounds;
  guint    xgb_max_depth;
  double   xgb_eta;
  double   lr_l2;                  /* L2 penalty of the logistic regression */
  guint    lr_iterations;
  guint    n_threads;
  guint64  seed;
} BwClassifierParams;

void bw_classifier_params_init (BwClassifierParams *params);

typedef struct _BwClassifier BwClassifier;

BwClassifier *bw_classifier_train        (const BwStopDataset       *data,
                                          const BwClassifierParams  *params,
                                          JsonNode                 **report,
                                          GError                   **error);
BwClassifier *bw_classifier_ref          (BwClassifier              *self);
void          bw_classifier_unref        (BwClassifier              *self);
BwClassifier *bw_classifier_load         (const char                *path,
                                          GError                   **error);
BwClassifier *bw_classifier_load_from_data (const char              *data,
                                          gsize                      len,
                                          GError                   **error);
gboolean      bw_classifier_save         (BwClassifier              *self,
                                          const char                *path,
                                          GError                   **error);
char         *bw_classifier_to_data      (BwClassifier              *self,
                                          gsize                     *len,
                                          GError                   **error);

guint         bw_classifier_get_n_classes (BwClassifier             *self);
const char   *bw_classifier_get_class    (BwClassifier              *self,
                                          guint                      index);
guint         bw_classifier_get_n_features (BwClassifier            *self);
const char   *bw_classifier_get_feature  (BwClassifier              *self,
                                          guint                      index);
JsonNode     *bw_classifier_get_metrics  (BwClassifier              *self);
const char   *bw_classifier_get_created  (BwClassifier              *self);

/**
 * BwPrediction:
 * @cause: the most probable cause code
 * @probability: its calibrated probability
 * @classes: every class, in the model's order
 * @probabilities: the calibrated probability of each class (they sum to 1)
 *
 * A plain value: it stays valid when the model that made it is replaced.
 */
typedef struct
{
  char    cause[BW_CLASSIFIER_CAUSE_LEN];
  double  probability;
  guint   n_classes;
  char    classes[BW_CLASSIFIER_MAX_CLASSES][BW_CLASSIFIER_CAUSE_LEN];
  double  probabilities[BW_CLASSIFIER_MAX_CLASSES];
} BwPrediction;

gboolean      bw_classifier_predict      (BwClassifier              *self,
                                          const BwWindow            *window,
                                          const BwStopContext       *context,
                                          BwPrediction              *out,
                                          GError                   **error);
JsonNode     *bw_prediction_to_json      (const BwPrediction        *prediction);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwClassifier, bw_classifier_unref)

/* ---- a model the service can replace while it runs ----------------------- */

typedef struct _BwModelSlot BwModelSlot;

BwModelSlot  *bw_model_slot_new          (void);
void          bw_model_slot_free         (BwModelSlot               *self);
gboolean      bw_model_slot_load_file    (BwModelSlot               *self,
                                          const char                *path,
                                          GError                   **error);
void          bw_model_slot_set          (BwModelSlot               *self,
                                          BwClassifier              *classifier);
BwClassifier *bw_model_slot_get          (BwModelSlot               *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwModelSlot, bw_model_slot_free)

G_END_DECLS
