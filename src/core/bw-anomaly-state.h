/* bw-anomaly-state.h: when an anomaly score becomes an alarm
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * BwAnomalyState:
 *
 * A small state machine between a detector's per-row decision and the
 * `anomaly` event: the anomaly is raised once the score has stayed above
 * the raise level for @hold_us, and cleared once it has stayed below the
 * clear level (raise level × clear ratio, ≤ raise level) for @release_us.
 * Scores between the two levels keep the current state, so a score that
 * hovers around the threshold does not chatter. NAN scores (no data,
 * window not full) count as below the clear level.
 *
 * Feed it every row with bw_anomaly_state_update(); it returns what
 * changed. Time is the sample time (µs), not the wall clock; a time going
 * backwards restarts the pending timer.
 */
typedef enum
{
  BW_ANOMALY_NONE,          /* nothing changed */
  BW_ANOMALY_RAISED,        /* the anomaly starts now */
  BW_ANOMALY_CLEARED,       /* the anomaly has ended */
} BwAnomalyChange;

typedef struct
{
  /* settings */
  gint64   hold_us;
  gint64   release_us;
  double   clear_ratio;

  /* state */
  gboolean active;          /* an anomaly is raised */
  gint64   pending_since;   /* when the opposite condition started, or G_MININT64 */
  gint64   last_us;
  gint64   raised_us;       /* start of the current/last anomaly */
  double   peak_score;      /* highest score while raised or pending */
  double   peak_threshold;  /* the threshold at that score */
} BwAnomalyState;

void            bw_anomaly_state_init   (BwAnomalyState *state,
                                         gint64          hold_us,
                                         gint64          release_us,
                                         double          clear_ratio);
void            bw_anomaly_state_reset  (BwAnomalyState *state);
BwAnomalyChange bw_anomaly_state_update (BwAnomalyState *state,
                                         gint64          time_us,
                                         double          score,
                                         double          threshold);

G_END_DECLS
