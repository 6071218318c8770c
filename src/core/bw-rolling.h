/* bw-rolling.h: trailing windows over a stream of values
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  BW_ROLLING_MEAN,
  BW_ROLLING_MEDIAN,
  BW_ROLLING_MAX,
} BwRollingKind;

/**
 * BwRolling:
 *
 * The mean, median or maximum of the last @window values pushed, the way
 * pandas' `rolling(window)` computes them: NAN until @window values have
 * been pushed, and NAN while a NAN is inside the window. The cost of a
 * push is O(window) at most, whatever came before. The struct is zeroed
 * or initialised with bw_rolling_init() before use.
 */
typedef struct
{
  BwRollingKind kind;
  guint         window;
  guint         count;        /* values in the buffer (≤ window) */
  guint         pos;          /* next slot to write */
  guint         n_nan;        /* NAN values in the buffer */
  guint         since_resum;
  double        sum;          /* of the finite values (mean) */
  double       *buf;          /* window values, ring */
  double       *sorted;       /* finite values in order (median) */
  guint         n_sorted;
} BwRolling;

void   bw_rolling_init    (BwRolling    *r,
                           BwRollingKind kind,
                           guint         window);
void   bw_rolling_clear   (BwRolling    *r);
void   bw_rolling_destroy (BwRolling    *r);
double bw_rolling_push    (BwRolling    *r,
                           double        value);

/* The trailing median of @in into @out (may be the same array), as
 * pushing @in one by one into a fresh median window would give. */
void   bw_rolling_median_batch (const double *in,
                                double       *out,
                                gsize         n,
                                guint         window);

G_END_DECLS
