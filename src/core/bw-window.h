/* bw-window.h: a stop's raw signal window, resampled on a regular grid
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * BwWindow:
 * @stop_us: the stop's start (first-out instant)
 * @t0_us: time of the first grid point (before @stop_us)
 * @period_us: grid spacing, 100 ms for the 10 Hz standard tags
 * @n: grid points per tag
 * @n_tags: number of tags
 * @tags: tag names (`belt_speed`, `md_signal`, …)
 * @values: @n_tags arrays of @n values (sample-and-hold of the last sample
 *   at or before each grid point; NAN where the tag had no sample yet)
 *
 * Grid point i is at `t0_us + i * period_us`. The window holds the signals
 * before the stop (60 s by default) and the first seconds after it (30 s).
 */
typedef struct _BwWindow BwWindow;
struct _BwWindow
{
  gint64   stop_us;
  gint64   t0_us;
  gint64   period_us;
  guint    n;
  guint    n_tags;
  char   **tags;
  float  **values;
};

/**
 * BwStopContext:
 * What the service knows about a stop besides its window, for the cause
 * classifier: the first-out trigger and the context of the line.
 */
typedef struct
{
  const char *conveyor;
  const char *trigger;              /* md_trip, overload, pullcord, misalign, chute_block, slip, none */
  gint64      start_us;
  double      since_last_stop_s;    /* NAN if this is the conveyor's first stop */
  guint       md_trips_last_hour;   /* metal-detector trips in the hour before */
  double      load_before;          /* mean load, t/h, 30 s to 5 s before the stop */
  double      md_background;        /* median md_signal, 60 s to 5 s before the stop */
  double      md_peak;              /* max md_signal, 10 s before to 1 s after */
} BwStopContext;

#define BW_TYPE_WINDOW (bw_window_get_type ())

GType         bw_window_get_type   (void) G_GNUC_CONST;
BwWindow     *bw_window_new        (gint64          stop_us,
                                    gint64          t0_us,
                                    gint64          period_us,
                                    guint           n,
                                    guint           n_tags,
                                    const char    **tags);
BwWindow     *bw_window_ref        (BwWindow       *self);
void          bw_window_unref      (BwWindow       *self);
int           bw_window_find_tag   (const BwWindow *self,
                                    const char     *tag);
const float  *bw_window_get_values (const BwWindow *self,
                                    const char     *tag);
guint         bw_window_index_at   (const BwWindow *self,
                                    gint64          time_us);
JsonNode     *bw_window_to_json    (const BwWindow *self);
BwWindow     *bw_window_from_json  (JsonNode       *node,
                                    GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwWindow, bw_window_unref)

G_END_DECLS
