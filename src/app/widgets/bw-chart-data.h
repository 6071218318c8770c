/* bw-chart-data.h: chart data from the service (GET /api/v1/signals, samples
 * events) and the bookkeeping of what time ranges are loaded
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "bw-series.h"

G_BEGIN_DECLS

/* One tag of a GET /api/v1/signals answer */
typedef struct
{
  char   *tag;
  GArray *buckets;   /* BwSeriesBucket, in time order */
} BwSignalsSeries;

typedef struct
{
  char      *conveyor;
  gint64     from_ms;
  gint64     to_ms;
  guint      points;
  GPtrArray *series;  /* BwSignalsSeries */
} BwSignalsResponse;

BwSignalsResponse *bw_signals_response_parse      (JsonNode           *root,
                                                   GError            **error);
BwSignalsResponse *bw_signals_response_parse_data (const char         *data,
                                                   gssize              length,
                                                   GError            **error);
void               bw_signals_response_free       (BwSignalsResponse  *response);
BwSignalsSeries   *bw_signals_response_find       (BwSignalsResponse  *response,
                                                   const char         *tag);
double             bw_signals_response_resolution (BwSignalsResponse  *response);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwSignalsResponse, bw_signals_response_free)

typedef void (*BwSampleFunc) (const char *tag,
                              gint64      t_ms,
                              double      value,
                              gpointer    user_data);

gboolean bw_samples_event_parse (JsonNode      *event,
                                 BwSampleFunc   func,
                                 gpointer       user_data,
                                 guint         *n_bad,
                                 GError       **error);

/* Which parts of the time line are loaded, and how finely (ms per point;
 * 0 for raw live samples). Spans are sorted and do not overlap. */
typedef struct
{
  gint64 from_ms;
  gint64 to_ms;
  double resolution_ms;
} BwCoverageSpan;

typedef struct _BwCoverage BwCoverage;

BwCoverage *bw_coverage_new          (void);
void        bw_coverage_free         (BwCoverage  *coverage);
void        bw_coverage_clear        (BwCoverage  *coverage);
void        bw_coverage_add          (BwCoverage  *coverage,
                                      gint64       from_ms,
                                      gint64       to_ms,
                                      double       resolution_ms);
guint       bw_coverage_get_n_spans  (BwCoverage  *coverage);
const BwCoverageSpan *bw_coverage_get_span (BwCoverage *coverage,
                                            guint       i);
GArray     *bw_coverage_missing      (BwCoverage  *coverage,
                                      gint64       from_ms,
                                      gint64       to_ms,
                                      double       resolution_ms);
gboolean    bw_coverage_missing_hull (BwCoverage  *coverage,
                                      gint64       from_ms,
                                      gint64       to_ms,
                                      double       resolution_ms,
                                      gint64      *miss_from_ms,
                                      gint64      *miss_to_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwCoverage, bw_coverage_free)

G_END_DECLS
