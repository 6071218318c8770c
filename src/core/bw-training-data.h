/* bw-training-data.h: rows of normal running to fit an anomaly model on
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <gsl/gsl_matrix.h>

G_BEGIN_DECLS

/**
 * BwTrainingData:
 * @names: the column (tag) names, NULL-terminated
 * @n_rows: rows kept
 * @time_us: time of each row (0 when the source had no time)
 * @x: @n_rows × columns
 * @rows_seen: grid points / data rows read
 * @rows_stopped: left out because the belt was stopped (`running` 0)
 * @rows_startup: left out as start-up transients
 * @samples_rejected: wire samples refused (bad, backwards, other conveyor's are not counted)
 * @running: with @keep_all, the running signal of each row (NULL without one)
 *
 * Normal running only: rows where `running` is 0 and the first seconds
 * after each start are left out when the source has a `running` column
 * or tag.
 */
typedef struct
{
  char      **names;
  guint       n_rows;
  gint64     *time_us;
  gsl_matrix *x;
  guint64     rows_seen;
  guint64     rows_stopped;
  guint64     rows_startup;
  guint64     samples_rejected;
  double     *running;    /* per row with keep_all and a running signal, else NULL */
} BwTrainingData;

typedef struct
{
  const char * const *tags;     /* columns to keep; NULL = every analog one */
  const char         *conveyor; /* replay: which conveyor; NULL = the only one */
  gint64              period_us;  /* replay grid, 100 ms by default (0) */
  gint64              startup_us; /* left out after a start, 10 s by default (< 0 = none) */
  gboolean            keep_all;   /* keep stopped and start-up rows too (for scoring) */
} BwTrainingOptions;

/* A CSV file (',' or ';' separated, '.' decimals) with a header. A column
 * named time, timestamp or datetime (RFC 3339) gives the row times; a
 * `running` column drives the exclusions. Columns of the standard binary
 * tags are not features unless asked for. */
BwTrainingData *bw_training_data_from_csv    (const char              *path,
                                              const BwTrainingOptions *options,
                                              GError                 **error);

/* A replay file (JSON Lines of the sample wire format): one conveyor's
 * tags pivoted onto the grid by sample-and-hold, from the first grid point
 * where every kept tag has a value. */
BwTrainingData *bw_training_data_from_replay (const char              *path,
                                              const BwTrainingOptions *options,
                                              GError                 **error);

struct _BwLedger;
BwTrainingData *bw_training_data_from_ledger (struct _BwLedger        *ledger,
                                              const char              *conveyor,
                                              gint64                   from_us,
                                              gint64                   to_us,
                                              const BwTrainingOptions *options,
                                              GError                 **error);

void            bw_training_data_free        (BwTrainingData          *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwTrainingData, bw_training_data_free)

G_END_DECLS
