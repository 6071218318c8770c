/* bw-series.c: a signal's (time, value) points with a min/max pyramid
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-series"

#include "config.h"

#include <math.h>
#include <string.h>

#include "bw-series.h"

/* Points live in two parallel arrays (gint64 ms, float): 12 bytes a point.
 * Trimming the oldest points only moves a start offset; the arrays are
 * compacted when the dead prefix is needed as room, so appending stays O(1)
 * amortised.
 *
 * The pyramid: level k (k = 1, 2, …) holds the min and max of every complete
 * block of FANOUT^k points, indexed by the block's *absolute* position (the
 * index the block's first point would have if nothing had ever been
 * trimmed). Absolute indexing keeps the blocks aligned while old points go:
 * a block that lost points to trimming starts before the first live point,
 * so a query never uses it whole. A range query walks up the levels and
 * touches at most 2·FANOUT entries per level: O(FANOUT · log n) for any range,
 * which is what keeps one min/max pair per pixel column fast at any zoom. */

#define FANOUT_SHIFT 3
#define FANOUT       (1 << FANOUT_SHIFT)
#define FANOUT_MASK  (FANOUT - 1)
#define MAX_LEVELS   20

typedef struct
{
  float  *mn;
  float  *mx;
  gsize   alloc;
  gint64  base;     /* block index of slot 0 */
  gsize   len;      /* slots in use */
} Level;

struct _BwSeries
{
  gatomicrefcount ref_count;

  gint64  *t;        /* owned */
  float   *v;        /* owned */
  gsize    alloc;
  gsize    off;      /* slot of the first live point */
  gsize    len;      /* live points */
  gint64   abs0;     /* absolute index of the first live point */
  gsize    max_points;
  guint64  version;

  GArray  *gaps;     /* owned: sorted absolute indices of NaN points */

  guint    n_levels;
  Level    levels[MAX_LEVELS];  /* levels[k] has blocks of FANOUT^(k+1) points */
};

G_DEFINE_BOXED_TYPE (BwSeries, bw_series, bw_series_ref, bw_series_unref)

static inline int
level_shift (guint k)
{
  return (int) (k + 1) * FANOUT_SHIFT;
}

BwSeries *
bw_series_new (gsize max_points)
{
  BwSeries *self = g_new0 (BwSeries, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->max_points = max_points ? max_points : BW_SERIES_DEFAULT_MAX_POINTS;
  self->gaps = g_array_new (FALSE, FALSE, sizeof (gint64));

  return self;
}

BwSeries *
bw_series_ref (BwSeries *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

static void
free_levels (BwSeries *self)
{
  for (guint k = 0; k < self->n_levels; k++)
    {
      g_free (self->levels[k].mn);
      g_free (self->levels[k].mx);
    }
  memset (self->levels, 0, sizeof self->levels);
  self->n_levels = 0;
}

void
bw_series_unref (BwSeries *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  free_levels (self);
  g_array_unref (self->gaps);
  g_free (self->t);
  g_free (self->v);
  g_free (self);
}

gsize
bw_series_get_length (BwSeries *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->len;
}

gsize
bw_series_get_max_points (BwSeries *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->max_points;
}

/* Changes with every modification: lets a view cache its reduction. */
guint64
bw_series_get_version (BwSeries *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->version;
}

void
bw_series_clear (BwSeries *self)
{
  g_return_if_fail (self != NULL);

  free_levels (self);
  g_clear_pointer (&self->t, g_free);
  g_clear_pointer (&self->v, g_free);
  g_array_set_size (self->gaps, 0);
  self->alloc = self->off = self->len = 0;
  self->abs0 = 0;
  self->version++;
}

/* ---- storage ---- */

static inline float
raw_at (const BwSeries *self,
        gint64          abs)
{
  return self->v[self->off + (gsize) (abs - self->abs0)];
}

static void
compact (BwSeries *self)
{
  if (self->off == 0)
    return;
  memmove (self->t, self->t + self->off, self->len * sizeof (gint64));
  memmove (self->v, self->v + self->off, self->len * sizeof (float));
  self->off = 0;
}

static void
ensure_space (BwSeries *self,
              gsize     n)
{
  gsize need = self->len + n;
  gsize cap;

  if (self->off + need <= self->alloc)
    return;
  if (self->off > 0)
    {
      compact (self);
      if (need <= self->alloc)
        return;
    }
  /* Room for a quarter more than the maximum, so that compaction (moving every
   * live point) happens at most once every max/4 appends. */
  cap = MAX (self->alloc * 2, 1024);
  cap = MIN (cap, self->max_points + self->max_points / 4 + 1024);
  cap = MAX (cap, need);
  self->t = g_renew (gint64, self->t, cap);
  self->v = g_renew (float, self->v, cap);
  self->alloc = cap;
}

static Level *
ensure_level (BwSeries *self,
              guint     k)
{
  while (self->n_levels <= k)
    {
      Level *l = &self->levels[self->n_levels++];

      memset (l, 0, sizeof *l);
    }
  return &self->levels[k];
}

static void
level_push (BwSeries *self,
            Level    *l,
            guint     k,
            gint64    j,
            float     mn,
            float     mx)
{
  if (l->len == 0)
    l->base = j;
  g_assert (j == l->base + (gint64) l->len);

  if (l->len == l->alloc)
    {
      /* blocks that start before the first live point are never used */
      int sh = level_shift (k);
      gint64 first_live = (self->abs0 + (G_GINT64_CONSTANT (1) << sh) - 1) >> sh;
      gsize dead = first_live > l->base ? (gsize) MIN (first_live - l->base, (gint64) l->len) : 0;

      if (dead > 0 && dead >= l->len / 4)
        {
          memmove (l->mn, l->mn + dead, (l->len - dead) * sizeof (float));
          memmove (l->mx, l->mx + dead, (l->len - dead) * sizeof (float));
          l->len -= dead;
          l->base += (gint64) dead;
        }
      else
        {
          l->alloc = MAX (l->alloc * 2, 64);
          l->mn = g_renew (float, l->mn, l->alloc);
          l->mx = g_renew (float, l->mx, l->alloc);
        }
    }
  l->mn[l->len] = mn;
  l->mx[l->len] = mx;
  l->len++;
}

/* Push the completed block @j of level @k and every block of the levels above
 * that it completes. */
static void
push_block (BwSeries *self,
            guint     k,
            gint64    j,
            float     mn,
            float     mx)
{
  for (;;)
    {
      Level *l = ensure_level (self, k);
      gint64 jj, first;

      level_push (self, l, k, j, mn, mx);

      if (((j + 1) & FANOUT_MASK) != 0 || k + 1 >= MAX_LEVELS)
        return;

      /* block j >> FANOUT_SHIFT of level k + 1 is complete */
      first = MAX (j - FANOUT_MASK, l->base);
      mn = INFINITY;
      mx = -INFINITY;
      for (jj = first; jj <= j; jj++)
        {
          gsize s = (gsize) (jj - l->base);

          if (l->mn[s] < mn)
            mn = l->mn[s];
          if (l->mx[s] > mx)
            mx = l->mx[s];
        }
      k++;
      j >>= FANOUT_SHIFT;
    }
}

/* min/max of the live raw points of the level-1 block @j */
static void
raw_block_min_max (BwSeries *self,
                   gint64    j,
                   float    *pmn,
                   float    *pmx)
{
  gint64 a = MAX (j << FANOUT_SHIFT, self->abs0);
  gint64 b = (j + 1) << FANOUT_SHIFT;
  float mn = INFINITY, mx = -INFINITY;

  for (gint64 i = a; i < b; i++)
    {
      float x = raw_at (self, i);

      if (x < mn)
        mn = x;
      if (x > mx)
        mx = x;
    }
  *pmn = mn;
  *pmx = mx;
}

/* Forget everything derived from the points at absolute index @pos and later,
 * and derive it again. */
static void
rebuild_from (BwSeries *self,
              gint64    pos)
{
  gint64 end = self->abs0 + (gint64) self->len;
  guint lo, hi;

  for (guint k = 0; k < self->n_levels; k++)
    {
      Level *l = &self->levels[k];
      gint64 keep = (pos >> level_shift (k)) - l->base;

      l->len = (gsize) CLAMP (keep, 0, (gint64) l->len);
    }

  /* gaps: drop those at or after pos, then scan again */
  lo = 0;
  hi = self->gaps->len;
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (g_array_index (self->gaps, gint64, mid) < pos)
        lo = mid + 1;
      else
        hi = mid;
    }
  g_array_set_size (self->gaps, lo);
  for (gint64 i = MAX (pos, self->abs0); i < end; i++)
    if (isnan (raw_at (self, i)))
      g_array_append_val (self->gaps, i);

  for (gint64 j = pos >> FANOUT_SHIFT; ((j + 1) << FANOUT_SHIFT) <= end; j++)
    {
      float mn, mx;

      raw_block_min_max (self, j, &mn, &mx);
      push_block (self, 0, j, mn, mx);
    }
}

static void
drop_front_gaps (BwSeries *self)
{
  guint n = 0;

  while (n < self->gaps->len && g_array_index (self->gaps, gint64, n) < self->abs0)
    n++;
  if (n > 0)
    g_array_remove_range (self->gaps, 0, n);
}

static void
trim_front (BwSeries *self,
            gsize     n)
{
  n = MIN (n, self->len);
  self->off += n;
  self->len -= n;
  self->abs0 += (gint64) n;
  drop_front_gaps (self);
}

static void
trim_back (BwSeries *self,
           gsize     n)
{
  n = MIN (n, self->len);
  self->len -= n;
  rebuild_from (self, self->abs0 + (gint64) self->len);
}

void
bw_series_set_max_points (BwSeries *self,
                          gsize     max_points)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (max_points > 0);

  self->max_points = max_points;
  if (self->len > max_points)
    {
      trim_front (self, self->len - max_points);
      self->version++;
    }
}

static inline void
append_one (BwSeries *self,
            gint64    t,
            float     v)
{
  gint64 abs;

  if (self->len >= self->max_points)
    trim_front (self, self->len - self->max_points + 1);
  ensure_space (self, 1);

  self->t[self->off + self->len] = t;
  self->v[self->off + self->len] = v;
  self->len++;
  abs = self->abs0 + (gint64) self->len - 1;

  if (isnan (v))
    g_array_append_val (self->gaps, abs);

  if (((abs + 1) & FANOUT_MASK) == 0)
    {
      float mn, mx;

      raw_block_min_max (self, abs >> FANOUT_SHIFT, &mn, &mx);
      push_block (self, 0, abs >> FANOUT_SHIFT, mn, mx);
    }
}

static inline gboolean
acceptable (BwSeries *self,
            gint64    t,
            double    value)
{
  if (isinf (value))
    return FALSE;
  if (self->len > 0 && t < self->t[self->off + self->len - 1])
    return FALSE;
  return TRUE;
}

/**
 * bw_series_append:
 * @t_ms: time, not earlier than the last point's
 * @value: the value, or NAN for a gap
 *
 * Appends a point, dropping the oldest one when the series is full.
 *
 * Returns: %FALSE (and drops the point) when @t_ms goes backwards or @value
 *   is infinite
 */
gboolean
bw_series_append (BwSeries *self,
                  gint64    t_ms,
                  double    value)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (!acceptable (self, t_ms, value))
    return FALSE;
  append_one (self, t_ms, (float) value);
  self->version++;
  return TRUE;
}

/* Returns: the number of points appended (out-of-order and infinite ones are
 * dropped) */
gsize
bw_series_append_many (BwSeries     *self,
                       const gint64 *t_ms,
                       const double *values,
                       gsize         n)
{
  gsize added = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (n == 0 || (t_ms != NULL && values != NULL), 0);

  for (gsize i = 0; i < n; i++)
    if (acceptable (self, t_ms[i], values[i]))
      {
        append_one (self, t_ms[i], (float) values[i]);
        added++;
      }
  if (added > 0)
    self->version++;
  return added;
}

/* first live index with time >= t */
gsize
bw_series_lower_bound (BwSeries *self,
                       double    t_ms)
{
  const gint64 *t;
  gsize lo = 0, hi;

  g_return_val_if_fail (self != NULL, 0);

  t = self->t + self->off;
  hi = self->len;
  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if ((double) t[mid] < t_ms)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/**
 * bw_series_replace_range:
 *
 * Replaces the points in [@from_ms, @to_ms) with @n new ones (sorted by time;
 * points outside the range, out of order or infinite are dropped). When the
 * series then holds more than its maximum, the points farthest from the
 * replaced range go: the newest ones when history was put in front of live
 * data, the oldest otherwise.
 *
 * Returns: the number of points inserted
 */
gsize
bw_series_replace_range (BwSeries     *self,
                         gint64        from_ms,
                         gint64        to_ms,
                         const gint64 *t_ms,
                         const double *values,
                         gsize         n)
{
  g_autofree gint64 *nt = NULL;
  g_autofree float *nv = NULL;
  gsize a, b, m = 0, new_len;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (n == 0 || (t_ms != NULL && values != NULL), 0);

  if (from_ms >= to_ms)
    return 0;

  nt = g_new (gint64, MAX (n, 1));
  nv = g_new (float, MAX (n, 1));
  for (gsize i = 0; i < n; i++)
    {
      if (t_ms[i] < from_ms || t_ms[i] >= to_ms || isinf (values[i]))
        continue;
      if (m > 0 && t_ms[i] < nt[m - 1])
        continue;
      nt[m] = t_ms[i];
      nv[m] = (float) values[i];
      m++;
    }

  a = bw_series_lower_bound (self, (double) from_ms);
  b = bw_series_lower_bound (self, (double) to_ms);
  if (a == b && m == 0)
    return 0;

  new_len = self->len - (b - a) + m;
  compact (self);
  if (new_len > self->alloc)
    {
      self->alloc = new_len + new_len / 4;
      self->t = g_renew (gint64, self->t, self->alloc);
      self->v = g_renew (float, self->v, self->alloc);
    }
  memmove (self->t + a + m, self->t + b, (self->len - b) * sizeof (gint64));
  memmove (self->v + a + m, self->v + b, (self->len - b) * sizeof (float));
  memcpy (self->t + a, nt, m * sizeof (gint64));
  memcpy (self->v + a, nv, m * sizeof (float));
  self->len = new_len;

  rebuild_from (self, self->abs0 + (gint64) a);

  if (self->len > self->max_points)
    {
      gsize excess = self->len - self->max_points;

      if (a + m / 2 < self->len / 2)
        trim_back (self, excess);
      else
        trim_front (self, excess);
    }

  self->version++;
  return m;
}

/**
 * bw_series_replace_buckets:
 *
 * Replaces [@from_ms, @to_ms) with decimated history: each bucket becomes its
 * min and max (in the order that continues the line from the previous value,
 * the second half a bucket later), or one point when they are equal; a run of
 * empty buckets becomes one gap.
 *
 * Returns: the number of points inserted
 */
gsize
bw_series_replace_buckets (BwSeries             *self,
                           gint64                from_ms,
                           gint64                to_ms,
                           const BwSeriesBucket *buckets,
                           gsize                 n)
{
  g_autofree gint64 *t = NULL;
  g_autofree double *v = NULL;
  double prev = NAN;
  gsize m = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (n == 0 || buckets != NULL, 0);

  if (from_ms >= to_ms)
    return 0;

  t = g_new (gint64, 2 * n + 1);
  v = g_new (double, 2 * n + 1);

  {
    /* continue from the point just before the range */
    gsize i = bw_series_lower_bound (self, (double) from_ms);

    if (i > 0)
      prev = bw_series_get_value (self, i - 1);
  }

  for (gsize i = 0; i < n; i++)
    {
      const BwSeriesBucket *bk = &buckets[i];
      gint64 end = i + 1 < n ? buckets[i + 1].t : to_ms;
      gint64 half = bk->t + MAX (end - bk->t, 0) / 2;
      double lo = bk->min, hi = bk->max;

      if (isnan (lo) && isnan (hi))
        {
          if (m == 0 || !isnan (v[m - 1]))
            {
              t[m] = bk->t;
              v[m++] = NAN;
            }
          prev = NAN;
          continue;
        }
      if (isnan (lo))
        lo = hi;
      if (isnan (hi))
        hi = lo;

      if (lo == hi)
        {
          t[m] = bk->t;
          v[m++] = lo;
          prev = lo;
          continue;
        }
      if (!isnan (prev) && fabs (prev - hi) < fabs (prev - lo))
        {
          double x = lo;

          lo = hi;
          hi = x;
        }
      t[m] = bk->t;
      v[m++] = lo;
      t[m] = half;
      v[m++] = hi;
      prev = hi;
    }

  return bw_series_replace_range (self, from_ms, to_ms, t, v, m);
}

/* ---- queries ---- */

gint64
bw_series_get_time (BwSeries *self,
                    gsize     index)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (index < self->len, 0);

  return self->t[self->off + index];
}

double
bw_series_get_value (BwSeries *self,
                     gsize     index)
{
  g_return_val_if_fail (self != NULL, NAN);
  g_return_val_if_fail (index < self->len, NAN);

  return self->v[self->off + index];
}

gboolean
bw_series_get_time_range (BwSeries *self,
                          gint64   *first_ms,
                          gint64   *last_ms)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->len == 0)
    return FALSE;
  if (first_ms)
    *first_ms = self->t[self->off];
  if (last_ms)
    *last_ms = self->t[self->off + self->len - 1];
  return TRUE;
}

static void
range_min_max (BwSeries *self,
               gint64    lo,
               gint64    hi,
               float    *pmn,
               float    *pmx)
{
  float mn = INFINITY, mx = -INFINITY;
  const float *raw = self->v + self->off;
  gint64 a0 = self->abs0;

#define ACC(MN, MX) G_STMT_START { if ((MN) < mn) mn = (MN); if ((MX) > mx) mx = (MX); } G_STMT_END

  if (hi - lo <= 2 * FANOUT || self->n_levels == 0)
    {
      for (gint64 i = lo; i < hi; i++)
        ACC (raw[i - a0], raw[i - a0]);
      goto done;
    }

  while (lo & FANOUT_MASK)
    {
      ACC (raw[lo - a0], raw[lo - a0]);
      lo++;
    }
  while (hi & FANOUT_MASK)
    {
      hi--;
      ACC (raw[hi - a0], raw[hi - a0]);
    }
  lo >>= FANOUT_SHIFT;
  hi >>= FANOUT_SHIFT;

  for (guint k = 0; lo < hi; k++)
    {
      const Level *l = &self->levels[k];
      const float *lmn = l->mn;
      const float *lmx = l->mx;
      gint64 b0 = l->base;

      if (hi - lo <= 2 * FANOUT || k + 1 >= self->n_levels)
        {
          for (gint64 j = lo; j < hi; j++)
            ACC (lmn[j - b0], lmx[j - b0]);
          break;
        }
      while (lo & FANOUT_MASK)
        {
          ACC (lmn[lo - b0], lmx[lo - b0]);
          lo++;
        }
      while (hi & FANOUT_MASK)
        {
          hi--;
          ACC (lmn[hi - b0], lmx[hi - b0]);
        }
      lo >>= FANOUT_SHIFT;
      hi >>= FANOUT_SHIFT;
    }
#undef ACC

done:
  *pmn = mn;
  *pmx = mx;
}

/**
 * bw_series_get_min_max:
 * @begin: first index
 * @end: one past the last index
 *
 * The extremes of the finite values in [@begin, @end), in O(log n).
 *
 * Returns: %FALSE when the range holds no finite value
 */
gboolean
bw_series_get_min_max (BwSeries *self,
                       gsize     begin,
                       gsize     end,
                       double   *min,
                       double   *max)
{
  float mn, mx;

  g_return_val_if_fail (self != NULL, FALSE);

  end = MIN (end, self->len);
  if (begin >= end)
    return FALSE;
  range_min_max (self, self->abs0 + (gint64) begin, self->abs0 + (gint64) end, &mn, &mx);
  if (mn > mx)
    return FALSE;
  if (min)
    *min = mn;
  if (max)
    *max = mx;
  return TRUE;
}

/* The left edge of column @i of @n_columns over [@t0_ms, @t1_ms); column i
 * holds the points with edge (i) <= t < edge (i + 1). */
double
bw_series_column_edge (double t0_ms,
                       double t1_ms,
                       guint  n_columns,
                       guint  i)
{
  return t0_ms + (t1_ms - t0_ms) * ((double) i / (double) n_columns);
}

/* lower bound of @x in t[lo, len), galloping from lo: cheap when the answer
 * is near, as it is for the next pixel column */
static inline gsize
gallop (const gint64 *t,
        gsize         lo,
        gsize         len,
        double        x)
{
  gsize step = 1, hi;

  if (lo >= len || (double) t[lo] >= x)
    return lo;
  while (lo + step < len && (double) t[lo + step] < x)
    {
      lo += step;
      step *= 2;
    }
  hi = MIN (lo + step, len);
  lo++;
  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if ((double) t[mid] < x)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/**
 * bw_series_decimate:
 * @columns: (out caller-allocates) (array length=n_columns): the reduction
 *
 * Reduces the points in [@t0_ms, @t1_ms) to one #BwSeriesColumn per pixel
 * column (see bw_series_column_edge()). The cost is O(n_columns · log n)
 * whatever the number of points in view, and no peak is lost: every point
 * counts in its column's min and max.
 */
void
bw_series_decimate (BwSeries       *self,
                    double          t0_ms,
                    double          t1_ms,
                    guint           n_columns,
                    BwSeriesColumn *columns)
{
  const gint64 *t;
  const float *v;
  gsize idx;
  guint g = 0;

  g_return_if_fail (self != NULL);
  g_return_if_fail (n_columns == 0 || columns != NULL);

  if (n_columns == 0)
    return;

  t = self->t + self->off;
  v = self->v + self->off;
  idx = bw_series_lower_bound (self, t0_ms);

  /* first gap at or after idx */
  {
    guint lo = 0, hi = self->gaps->len;
    gint64 a = self->abs0 + (gint64) idx;

    while (lo < hi)
      {
        guint mid = (lo + hi) / 2;

        if (g_array_index (self->gaps, gint64, mid) < a)
          lo = mid + 1;
        else
          hi = mid;
      }
    g = lo;
  }

  for (guint i = 0; i < n_columns; i++)
    {
      BwSeriesColumn *c = &columns[i];
      double edge = i + 1 == n_columns ? t1_ms : bw_series_column_edge (t0_ms, t1_ms, n_columns, i + 1);
      gsize next = gallop (t, idx, self->len, edge);
      gint64 abs_next = self->abs0 + (gint64) next;

      c->n_points = (guint) (next - idx);
      c->has_gap = FALSE;
      if (c->n_points == 0)
        {
          c->first = c->last = c->min = c->max = NAN;
          continue;
        }
      c->first = v[idx];
      c->last = v[next - 1];
      range_min_max (self, self->abs0 + (gint64) idx, abs_next, &c->min, &c->max);
      if (c->min > c->max)
        c->min = c->max = NAN;
      while (g < self->gaps->len && g_array_index (self->gaps, gint64, g) < abs_next)
        {
          c->has_gap = TRUE;
          g++;
        }
      idx = next;
    }
}

/**
 * bw_series_lookup:
 * @max_distance_ms: how far from @t_ms a point may be
 *
 * Finds the point nearest to @t_ms in time.
 *
 * Returns: %TRUE when there is one within @max_distance_ms and it is not a gap
 */
gboolean
bw_series_lookup (BwSeries *self,
                  double    t_ms,
                  double    max_distance_ms,
                  gint64   *found_t_ms,
                  double   *found_value)
{
  gsize i, best;
  double d;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->len == 0)
    return FALSE;
  i = bw_series_lower_bound (self, t_ms);
  if (i == self->len)
    best = i - 1;
  else if (i == 0)
    best = 0;
  else
    best = (t_ms - (double) self->t[self->off + i - 1] <= (double) self->t[self->off + i] - t_ms)
           ? i - 1 : i;

  d = fabs ((double) self->t[self->off + best] - t_ms);
  if (d > max_distance_ms || isnan (self->v[self->off + best]))
    return FALSE;
  if (found_t_ms)
    *found_t_ms = self->t[self->off + best];
  if (found_value)
    *found_value = self->v[self->off + best];
  return TRUE;
}

/* bytes held, for the memory figures */
gsize
bw_series_get_memory_size (BwSeries *self)
{
  gsize bytes;

  g_return_val_if_fail (self != NULL, 0);

  bytes = sizeof *self + self->alloc * (sizeof (gint64) + sizeof (float));
  bytes += self->gaps->len * sizeof (gint64);
  for (guint k = 0; k < self->n_levels; k++)
    bytes += self->levels[k].alloc * 2 * sizeof (float);
  return bytes;
}
