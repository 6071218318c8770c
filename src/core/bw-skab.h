/* bw-skab.h: the SKAB benchmark: data, protocol, metrics
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <gsl/gsl_matrix.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Rows 0 … BW_SKAB_TRAIN_ROWS-1 of each file train; the rest are scored. */
#define BW_SKAB_TRAIN_ROWS 400
/* NAB detection window to the right of each true changepoint */
#define BW_SKAB_NAB_WINDOW_US G_GINT64_CONSTANT (60000000)

/**
 * BwSkabFile:
 * @subfolder: "valve1", "valve2", "other" or "anomaly-free"
 * @name: file name, "0.csv"
 * @path: full path
 * @n_rows: data rows
 * @feature_names: the 8 sensor columns, in file order
 * @time_us: row times (the file's local times read as UTC), µs
 * @x: @n_rows × 8 sensor values
 * @anomaly: per row 0/1, NULL for anomaly-free.csv
 * @changepoint: per row 0/1, NULL for anomaly-free.csv
 */
typedef struct
{
  char       *subfolder;
  char       *name;
  char       *path;
  guint       n_rows;
  char      **feature_names;
  gint64     *time_us;
  gsl_matrix *x;
  guint8     *anomaly;
  guint8     *changepoint;
} BwSkabFile;

BwSkabFile *bw_skab_file_load        (const char  *path,
                                      GError     **error);
void        bw_skab_file_free        (BwSkabFile  *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwSkabFile, bw_skab_file_free)

/* The 34 experiment files of @dir, in a fixed order (valve1 0…15, valve2
 * 0…3, other 1…14); element type BwSkabFile, owned by the array. */
GPtrArray  *bw_skab_load_dir         (const char  *dir,
                                      GError     **error);

/* Predicted changepoints from predicted anomalies of the test rows:
 * |Δ anomaly|, the first row set to its own anomaly. With @max_window > 1
 * the anomalies are first passed through a trailing rolling maximum of
 * that many rows (no value, i.e. 0, until it is full), as SKAB's
 * Isolation-Forest pipeline does. @prefix (may be NULL, @n_prefix rows)
 * are the decisions of the rows before, for that window. */
void        bw_skab_changepoints     (const guint8 *anomaly,
                                      gsize         n,
                                      const guint8 *prefix,
                                      gsize         n_prefix,
                                      guint         max_window,
                                      guint8       *out_cp);

/**
 * BwSkabMetrics:
 *
 * Summed over files with bw_skab_metrics_add(); bw_skab_metrics_finish()
 * fills the rates and scores (unrounded; print with %.2f).
 */
typedef enum
{
  BW_NAB_STANDARD,
  BW_NAB_LOW_FP,
  BW_NAB_LOW_FN,
  BW_NAB_N_PROFILES,
} BwNabProfile;

typedef struct
{
  guint64 tp, fp, fn, tn;
  guint   n_files;
  guint   n_windows;         /* true changepoints (detection windows) */
  guint   missed_cps;        /* windows with no predicted changepoint */
  guint   nab_fps;           /* predicted changepoints outside every window */
  double  nab_score[BW_NAB_N_PROFILES];
  double  nab_null[BW_NAB_N_PROFILES];
  double  nab_perfect[BW_NAB_N_PROFILES];

  double  f1, far, mar;      /* FAR, MAR in % */
  double  nab[BW_NAB_N_PROFILES];
} BwSkabMetrics;

void        bw_skab_metrics_init     (BwSkabMetrics *m);
/* Add one file's test rows: @time_us, true @anomaly/@changepoint and the
 * predicted ones, @n rows each. */
void        bw_skab_metrics_add      (BwSkabMetrics *m,
                                      const gint64  *time_us,
                                      const guint8  *true_anomaly,
                                      const guint8  *true_cp,
                                      const guint8  *pred_anomaly,
                                      const guint8  *pred_cp,
                                      gsize          n);
void        bw_skab_metrics_finish   (BwSkabMetrics *m);
/* One line per metric, the way `beltwatch-ml skab` prints them. */
char       *bw_skab_metrics_format   (const BwSkabMetrics *m);
/* A Markdown table row: | name | F1 | FAR | MAR | NAB std | LowFP | LowFN | */
char       *bw_skab_metrics_table_row (const BwSkabMetrics *m,
                                      const char          *name);

/**
 * BwSkabRunOptions:
 * @algorithm: registry name
 * @out_dir: where to write OUT/<subfolder>/<file>.csv; NULL to not write
 * @seed: overrides the detector's seed when @set_seed
 * @overrides: (nullable): configuration members replacing the registered
 *   ones (the "detector" member is merged parameter by parameter); for
 *   experiments
 *
 * Runs the protocol: per file, a fresh model for @algorithm is fitted on
 * rows 0–399, all rows are scored as one stretch (the training rows give
 * window-based filters their history), and the decisions of rows 400… are
 * the prediction.
 */
typedef struct
{
  const char *algorithm;
  const char *out_dir;
  gboolean    set_seed;
  guint64     seed;
  JsonObject *overrides;
} BwSkabRunOptions;

gboolean    bw_skab_run              (GPtrArray              *files,
                                      const BwSkabRunOptions *options,
                                      BwSkabMetrics          *metrics,
                                      GError                **error);

/* Write one prediction file (header datetime;anomaly;changepoint). */
gboolean    bw_skab_write_prediction (const char    *path,
                                      const gint64  *time_us,
                                      const guint8  *anomaly,
                                      const guint8  *changepoint,
                                      gsize          n,
                                      GError       **error);

/* Score an output directory written by bw_skab_run() against @files. */
gboolean    bw_skab_evaluate_dir     (GPtrArray     *files,
                                      const char    *out_dir,
                                      BwSkabMetrics *metrics,
                                      GError       **error);

G_END_DECLS
