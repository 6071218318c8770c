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

/* The windows are short (a few to a few hundred values): linear scans
 * beat anything cleverer here. */
static inline void
sorted_remove (BwRolling *r,
               double     v)
{
  guint i = 0;

  while (i < r->n_sorted && r->sorted[i] != v)
    i++;
  g_assert (i < r->n_sorted);
  for (; i + 1 < r->n_sorted; i++)
    r->sorted[i] = r->sorted[i + 1];
  r->n_sorted--;
}

static inline void
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

#define SORT2(a, b) do { double lo_ = (a) < (b) ? (a) : (b); (b) = (a) < (b) ? (b) : (a); (a) = lo_; } while (0)

static inline double
median3 (double a,
         double b,
         double c)
{
  SORT2 (a, b);
  SORT2 (b, c);
  SORT2 (a, b);
  return b;
}

static inline double
median5 (double a,
         double b,
         double c,
         double d,
         double e)
{
  /* a sorting network for five values, keeping the middle one */
  SORT2 (a, b);
  SORT2 (d, e);
  SORT2 (c, e);
  SORT2 (c, d);
  SORT2 (a, d);
  SORT2 (a, c);
  SORT2 (b, e);
  SORT2 (b, d);
  SORT2 (b, c);
  return c;
}

void
bw_rolling_median_batch (const double *in,
                         double       *out,
                         gsize         n,
                         guint         window)
{
  g_autofree double *copy = NULL;
  gsize nan_run = 0;   /* rows since the last NAN, capped */

  g_return_if_fail (window >= 1);

  if (window != 3 && window != 5)
    {
      BwRolling r = { 0 };

      bw_rolling_init (&r, BW_ROLLING_MEDIAN, window);
      for (gsize i = 0; i < n; i++)
        out[i] = bw_rolling_push (&r, in[i]);
      bw_rolling_destroy (&r);
      return;
    }

  if (in == out)
    in = copy = g_memdup2 (in, n * sizeof (double));

  for (gsize i = 0; i < n; i++)
    {
      nan_run = isnan (in[i]) || isinf (in[i]) ? 0 : nan_run + 1;
      if (nan_run < window)
        out[i] = NAN;
      else if (window == 3)
        out[i] = median3 (in[i - 2], in[i - 1], in[i]);
      else
        out[i] = median5 (in[i - 4], in[i - 3], in[i - 2], in[i - 1], in[i]);
    }
}
