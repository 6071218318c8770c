/* bw-rolling.c: trailing windows over a stream of values
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-rolling"

#include "config.h"

#include <math.h>
#include <string.h>

#include "bw-rolling.h"

void
bw_rolling_init (BwRolling    *r,
                 BwRollingKind kind,
                 guint         window)
{
  g_return_if_fail (r != NULL);
  g_return_if_fail (window >= 1);

  bw_rolling_destroy (r);
  r->kind = kind;
  r->window = window;
  r->buf = g_new (double, window);
  if (kind == BW_ROLLING_MEDIAN)
    r->sorted = g_new (double, window);
  bw_rolling_clear (r);
}

void
bw_rolling_clear (BwRolling *r)
{
  r->count = 0;
  r->pos = 0;
  r->n_nan = 0;
  r->n_sorted = 0;
  r->sum = 0;
  r->since_resum = 0;
}

void
bw_rolling_destroy (BwRolling *r)
{
  g_clear_pointer (&r->buf, g_free);
  g_clear_pointer (&r->sorted, g_free);
  r->window = 0;
  bw_rolling_clear (r);
}

static void
sorted_remove (BwRolling *r,
               double     v)
{
  guint lo = 0, hi = r->n_sorted;

  /* binary search for v; the values are finite, so == works */
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (r->sorted[mid] < v)
        lo = mid + 1;
      else
        hi = mid;
    }
  g_assert (lo < r->n_sorted && r->sorted[lo] == v);
  memmove (r->sorted + lo, r->sorted + lo + 1, (r->n_sorted - lo - 1) * sizeof (double));
  r->n_sorted--;
}

static void
sorted_insert (BwRolling *r,
               double     v)
{
  guint i = r->n_sorted;

  while (i > 0 && r->sorted[i - 1] > v)
    {
      r->sorted[i] = r->sorted[i - 1];
      i--;
    }
  r->sorted[i] = v;
  r->n_sorted++;
}

double
bw_rolling_push (BwRolling *r,
                 double     value)
{
  gboolean nan_in = isnan (value);

  g_return_val_if_fail (r->buf != NULL, NAN);

  if (isinf (value))
    {
      /* an infinite value would poison the running sum: treat as missing */
      value = NAN;
      nan_in = TRUE;
    }

  if (r->count == r->window)
    {
      double old = r->buf[r->pos];

      if (isnan (old))
        r->n_nan--;
      else if (r->kind == BW_ROLLING_MEAN)
        r->sum -= old;
      else if (r->kind == BW_ROLLING_MEDIAN)
        sorted_remove (r, old);
    }
  else
    r->count++;

  r->buf[r->pos] = value;
  r->pos = r->pos + 1 == r->window ? 0 : r->pos + 1;
  if (nan_in)
    r->n_nan++;
  else if (r->kind == BW_ROLLING_MEAN)
    r->sum += value;
  else if (r->kind == BW_ROLLING_MEDIAN)
    sorted_insert (r, value);

  if (r->kind == BW_ROLLING_MEAN && ++r->since_resum >= 4096)
    {
      /* keep rounding errors of the running sum from piling up */
      r->sum = 0;
      for (guint i = 0; i < r->count; i++)
        if (!isnan (r->buf[i]))
          r->sum += r->buf[i];
      r->since_resum = 0;
    }

  if (r->count < r->window || r->n_nan > 0)
    return NAN;

  switch (r->kind)
    {
    case BW_ROLLING_MEAN:
      return r->sum / r->window;

    case BW_ROLLING_MEDIAN:
      if (r->window % 2 == 1)
        return r->sorted[r->window / 2];
      return 0.5 * (r->sorted[r->window / 2 - 1] + r->sorted[r->window / 2]);

    case BW_ROLLING_MAX:
    default:
      {
        double m = r->buf[0];

        for (guint i = 1; i < r->window; i++)
          if (r->buf[i] > m)
            m = r->buf[i];
        return m;
      }
    }
}
