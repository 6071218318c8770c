/* bw-nn-model.h: the six neural anomaly detectors of SKAB's notebooks
 *
 * Feed-forward autoencoder (ae), stacked LSTM forecaster (lstm), LSTM
 * autoencoder (lstm-ae), LSTM variational autoencoder (lstm-vae),
 * convolutional autoencoder (conv-ae) and MSCRED (mscred). A model learns
 * from scaled rows (rows × features, row-major doubles), scores every row
 * with a reconstruction or forecast error, and flags a row whose score is
 * above the control limit learned from the training rows.
 *
 * Window models score windows of rows; a row's score is the smallest score
 * of the windows that decide it (SKAB's rule: a row is anomalous when the
 * windows before it all are), so the decision is score > threshold for
 * every model. Streaming (score_row) gives the same decisions, delayed by
 * the rows the rule looks ahead.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  BW_NN_MODEL_AE,
  BW_NN_MODEL_LSTM,
  BW_NN_MODEL_LSTM_AE,
  BW_NN_MODEL_LSTM_VAE,
  BW_NN_MODEL_CONV_AE,
  BW_NN_MODEL_MSCRED,
} BwNnModelKind;

#define BW_NN_MODEL_FORMAT_VERSION 1

typedef struct
{
  BwNnModelKind kind;
  int           window;           /* rows per window (LSTM: rows per forecast) */
  guint         epochs;
  guint         batch_size;
  float         validation_split;
  guint         patience;         /* early stopping; 0: off */
  float         learning_rate;
  gboolean      shuffle;
  double        quantile;         /* of the training scores … */
  double        ucl_factor;       /* … times this is the control limit */
  int           width;            /* hidden units / filters of the first layer */
  float         dropout;
  guint64       seed;
} BwNnModelConfig;

typedef struct _BwNnModel BwNnModel;

const char *bw_nn_model_kind_to_string   (BwNnModelKind          kind);
gboolean    bw_nn_model_kind_from_string (const char            *name,
                                          BwNnModelKind         *kind);
/* the reference configuration: SKAB's notebook for @kind */
void        bw_nn_model_config_reference (BwNnModelConfig       *config,
                                          BwNnModelKind          kind);
/* set one option by name: window, epochs, batch-size, validation-split,
 * patience, learning-rate, shuffle, quantile, ucl-factor, width, dropout,
 * seed */
gboolean    bw_nn_model_config_set       (BwNnModelConfig       *config,
                                          const char            *name,
                                          const char            *value,
                                          GError               **error);
JsonNode   *bw_nn_model_config_to_json   (const BwNnModelConfig *config);

BwNnModel  *bw_nn_model_new              (const BwNnModelConfig *config,
                                          guint                  n_features);
void        bw_nn_model_free             (BwNnModel             *model);

const BwNnModelConfig *bw_nn_model_get_config (BwNnModel *model);
guint       bw_nn_model_get_n_features   (BwNnModel             *model);
gsize       bw_nn_model_get_n_weights    (BwNnModel             *model);

/* @x: rows × n_features, scaled. Needs more rows than the window. */
gboolean    bw_nn_model_fit              (BwNnModel             *model,
                                          const double          *x,
                                          guint                  rows,
                                          GError               **error);
/* the training loss of each epoch run by the last fit */
const float *bw_nn_model_get_loss_history (BwNnModel            *model,
                                          guint                 *n_epochs);
/* one score per row of @x (a whole series, in order) */
gboolean    bw_nn_model_score            (BwNnModel             *model,
                                          const double          *x,
                                          guint                  rows,
                                          double                *out,
                                          GError               **error);
double      bw_nn_model_get_threshold    (BwNnModel             *model);

/* streaming: the score of the newest row's decision (see above), NAN until
 * enough rows have arrived */
void        bw_nn_model_reset            (BwNnModel             *model);
double      bw_nn_model_score_row        (BwNnModel             *model,
                                          const double          *row);
/* rows the streaming decision lags the newest row */
guint       bw_nn_model_get_lag          (BwNnModel             *model);

/* {"format": "beltwatch-nn-model", "version": 1, "config": {…},
 *  "n_features": n, "threshold": t, "extra": {…}, "weights": {…}} */
JsonNode   *bw_nn_model_save             (BwNnModel             *model);
BwNnModel  *bw_nn_model_load             (JsonNode              *node,
                                          GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwNnModel, bw_nn_model_free)

G_END_DECLS
