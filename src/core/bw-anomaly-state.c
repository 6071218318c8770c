/* bw-anomaly-state.c: when an anomaly score becomes an alarm
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-anomaly-state"

#include "config.h"

#include <math.h>

#include "bw-anomaly-state.h"

void
bw_anomaly_state_init (BwAnomalyState *state,
                       gint64          hold_us,
                       gint64          release_us,
                       double          clear_ratio)
{
  g_return_if_fail (state != NULL);
  g_return_if_fail (hold_us >= 0 && release_us >= 0);
  g_return_if_fail (clear_ratio > 0 && clear_ratio <= 1);

  state->hold_us = hold_us;
  state->release_us = release_us;
  state->clear_ratio = clear_ratio;
  bw_anomaly_state_reset (state);
}

void
bw_anomaly_state_reset (BwAnomalyState *state)
{
  g_return_if_fail (state != NULL);

  state->active = FALSE;
  state->pending_since = G_MININT64;
  state->last_us = G_MININT64;
  state->raised_us = G_MININT64;
  state->peak_score = NAN;
  state->peak_threshold = NAN;
}

static void
track_peak (BwAnomalyState *state,
            double          score,
            double          threshold)
{
  if (isfinite (score) && (isnan (state->peak_score) || score > state->peak_score))
    {
      state->peak_score = score;
      state->peak_threshold = threshold;
    }
}

BwAnomalyChange
bw_anomaly_state_update (BwAnomalyState *state,
                         gint64          time_us,
                         double          score,
                         double          threshold)
{
  gboolean condition;

  g_return_val_if_fail (state != NULL, BW_ANOMALY_NONE);

  if (state->last_us != G_MININT64 && time_us < state->last_us &&
      state->pending_since != G_MININT64)
    state->pending_since = time_us;   /* the clock went back: start over */
  state->last_us = time_us;

  if (!state->active)
    {
      condition = isfinite (score) && isfinite (threshold) && score > threshold;
      if (!condition)
        {
          state->pending_since = G_MININT64;
          state->peak_score = NAN;
          return BW_ANOMALY_NONE;
        }
      if (state->pending_since == G_MININT64)
        state->pending_since = time_us;
      track_peak (state, score, threshold);
      if (time_us - state->pending_since < state->hold_us)
        return BW_ANOMALY_NONE;
      state->active = TRUE;
      state->raised_us = state->pending_since;
      state->pending_since = G_MININT64;
      return BW_ANOMALY_RAISED;
    }
  else
    {
      double clear = threshold - fabs (threshold) * (1 - state->clear_ratio);

      condition = !isfinite (score) || !isfinite (threshold) || score < clear;
      if (!condition)
        {
          state->pending_since = G_MININT64;
          track_peak (state, score, threshold);
          return BW_ANOMALY_NONE;
        }
      if (state->pending_since == G_MININT64)
        state->pending_since = time_us;
      if (time_us - state->pending_since < state->release_us)
        return BW_ANOMALY_NONE;
      state->active = FALSE;
      state->pending_since = G_MININT64;
      return BW_ANOMALY_CLEARED;
    }
}
