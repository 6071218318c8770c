/* bw-mlflow.h: experiment tracking in MLflow's file-store layout
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "bw-classifier.h"

G_BEGIN_DECLS

/*
 * A tracking directory laid out as MLflow's FileStore writes it, so that
 * `mlflow ui --backend-store-uri DIR` shows the runs:
 *
 *   DIR/0/meta.yaml                       the Default experiment
 *   DIR/.trash/
 *   DIR/<experiment_id>/meta.yaml
 *   DIR/<experiment_id>/<run_id>/meta.yaml
 *   DIR/<experiment_id>/<run_id>/params/<key>        the value
 *   DIR/<experiment_id>/<run_id>/metrics/<key>       "<ms> <value> <step>" lines
 *   DIR/<experiment_id>/<run_id>/tags/<key>          the value
 *   DIR/<experiment_id>/<run_id>/artifacts/…
 */

#define BW_MLFLOW_MODEL_ARTIFACT "model/stop-classifier.json"

typedef struct _BwMlflowRun BwMlflowRun;

BwMlflowRun *bw_mlflow_run_start          (const char   *root,
                                           const char   *experiment_name,
                                           const char   *run_name,
                                           GError      **error);
void         bw_mlflow_run_free           (BwMlflowRun  *self);
const char  *bw_mlflow_run_get_id         (BwMlflowRun  *self);
const char  *bw_mlflow_run_get_experiment_id (BwMlflowRun *self);
const char  *bw_mlflow_run_get_dir        (BwMlflowRun  *self);
gboolean     bw_mlflow_run_log_param      (BwMlflowRun  *self,
                                           const char   *key,
                                           const char   *value,
                                           GError      **error);
gboolean     bw_mlflow_run_log_metric     (BwMlflowRun  *self,
                                           const char   *key,
                                           double        value,
                                           gint64        step,
                                           GError      **error);
gboolean     bw_mlflow_run_set_tag        (BwMlflowRun  *self,
                                           const char   *key,
                                           const char   *value,
                                           GError      **error);
gboolean     bw_mlflow_run_log_artifact   (BwMlflowRun  *self,
                                           const char   *relpath,
                                           const char   *data,
                                           gsize         len,
                                           GError      **error);
gboolean     bw_mlflow_run_end            (BwMlflowRun  *self,
                                           gboolean      success,
                                           GError      **error);

char        *bw_mlflow_find_artifact      (const char   *root,
                                           const char   *run_id,
                                           const char   *relpath,
                                           GError      **error);
BwClassifier *bw_mlflow_load_classifier   (const char   *root,
                                           const char   *run_id,
                                           GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwMlflowRun, bw_mlflow_run_free)

G_END_DECLS
