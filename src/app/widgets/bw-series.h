/* bw-series.h: a signal's (time, value) points with a min/max pyramid
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define BW_TYPE_SERIES (bw_series_get_type ())

/* Times are milliseconds since the Unix epoch (as in the HTTP API and the event
 * stream); values are stored as floats. A NaN value marks a gap (no data): the
 * chart breaks its line there. Points are kept in time order. */
typedef struct _BwSeries BwSeries;

/* One pixel column of a decimated series (the M4 reduction: first, last, min
 * and max of the points in the column are enough to draw the exact line).
 * n_points == 0 means the column holds no point; has_gap is set when a NaN
 * (gap) point falls in it. min/max ignore gaps; they are NaN when the column
 * holds no finite value. */
typedef struct
{
  guint  n_points;
  guint  has_gap : 1;
  float  first;
  float  last;
  float  min;
  float  max;
} BwSeriesColumn;

/* A decimated bucket as served by GET /api/v1/signals: [t, t + width) holds
 * min, mean and max; an empty bucket has all three NaN. */
typedef struct
{
  gint64 t;
  double min;
  double mean;
  double max;
} BwSeriesBucket;

#define BW_SERIES_DEFAULT_MAX_POINTS 2000000

GType      bw_series_get_type          (void) G_GNUC_CONST;
BwSeries  *bw_series_new               (gsize               max_points);
BwSeries  *bw_series_ref               (BwSeries           *self);
void       bw_series_unref             (BwSeries           *self);

gsize      bw_series_get_length        (BwSeries           *self);
gsize      bw_series_get_max_points    (BwSeries           *self);
void       bw_series_set_max_points    (BwSeries           *self,
                                        gsize               max_points);
guint64    bw_series_get_version       (BwSeries           *self);
void       bw_series_clear             (BwSeries           *self);

gboolean   bw_series_append            (BwSeries           *self,
                                        gint64              t_ms,
                                        double              value);
gsize      bw_series_append_many       (BwSeries           *self,
                                        const gint64       *t_ms,
                                        const double       *values,
                                        gsize               n);
gsize      bw_series_replace_range     (BwSeries           *self,
                                        gint64              from_ms,
                                        gint64              to_ms,
                                        const gint64       *t_ms,
                                        const double       *values,
                                        gsize               n);
gsize      bw_series_replace_buckets   (BwSeries           *self,
                                        gint64              from_ms,
                                        gint64              to_ms,
                                        const BwSeriesBucket *buckets,
                                        gsize               n);

gint64     bw_series_get_time          (BwSeries           *self,
                                        gsize               index);
double     bw_series_get_value         (BwSeries           *self,
                                        gsize               index);
gboolean   bw_series_get_time_range    (BwSeries           *self,
                                        gint64             *first_ms,
                                        gint64             *last_ms);
gsize      bw_series_lower_bound       (BwSeries           *self,
                                        double              t_ms);
gboolean   bw_series_get_min_max       (BwSeries           *self,
                                        gsize               begin,
                                        gsize               end,
                                        double             *min,
                                        double             *max);
void       bw_series_decimate          (BwSeries           *self,
                                        double              t0_ms,
                                        double              t1_ms,
                                        guint               n_columns,
                                        BwSeriesColumn     *columns);
double     bw_series_column_edge       (double              t0_ms,
                                        double              t1_ms,
                                        guint               n_columns,
                                        guint               i);
gboolean   bw_series_lookup            (BwSeries           *self,
                                        double              t_ms,
                                        double              max_distance_ms,
                                        gint64             *found_t_ms,
                                        double             *found_value);
gsize      bw_series_get_memory_size   (BwSeries           *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwSeries, bw_series_unref)

G_END_DECLS
