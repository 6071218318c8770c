/* test-series.c: the chart's series model and its min/max decimation
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-series"

#include "config.h"

#include <math.h>

#include "bw-series.h"

/* The reference: every point looked at, nothing clever */
static void
brute_decimate (const gint64         *t,
                const float          *v,
                gsize                 n,
                double                t0,
                double                t1,
                guint                 n_cols,
                BwSeriesColumn       *out)
{
  for (guint c = 0; c < n_cols; c++)
    {
      double a = bw_series_column_edge (t0, t1, n_cols, c);
      double b = c + 1 == n_cols ? t1 : bw_series_column_edge (t0, t1, n_cols, c + 1);
      BwSeriesColumn *col = &out[c];

      col->n_points = 0;
      col->has_gap = FALSE;
      col->min = INFINITY;
      col->max = -INFINITY;
      col->first = col->last = NAN;
      for (gsize i = 0; i < n; i++)
        {
          if ((double) t[i] < a || (double) t[i] >= b)
            continue;
          if (col->n_points == 0)
            col->first = v[i];
          col->last = v[i];
          col->n_points++;
          if (isnan (v[i]))
            col->has_gap = TRUE;
          else
            {
              col->min = MIN (col->min, v[i]);
              col->max = MAX (col->max, v[i]);
            }
        }
      if (col->min > col->max)
        col->min = col->max = NAN;
    }
}

static gboolean
same_float (float a,
            float b)
{
  return (isnan (a) && isnan (b)) || a == b;
}

static void
assert_columns_equal (const BwSeriesColumn *got,
                      const BwSeriesColumn *want,
                      guint                 n)
{
  for (guint c = 0; c < n; c++)
    {
      if (got[c].n_points != want[c].n_points || got[c].has_gap != want[c].has_gap ||
          !same_float (got[c].min, want[c].min) || !same_float (got[c].max, want[c].max) ||
          !same_float (got[c].first, want[c].first) || !same_float (got[c].last, want[c].last))
        g_error ("column %u: got n=%u gap=%d min=%g max=%g first=%g last=%g, "
                 "want n=%u gap=%d min=%g max=%g first=%g last=%g", c,
                 got[c].n_points, got[c].has_gap, got[c].min, got[c].max, got[c].first, got[c].last,
                 want[c].n_points, want[c].has_gap, want[c].min, want[c].max, want[c].first, want[c].last);
    }
}

/* a random series: irregular times (some repeated), a random walk with gaps */
static BwSeries *
make_random (GRand   *rand,
             gsize    n,
             gsize    max_points,
             gint64 **out_t,
             float  **out_v)
{
  BwSeries *s = bw_series_new (max_points);
  gint64 *t = g_new (gint64, n);
  float *v = g_new (float, n);
  gint64 now = 1700000000000;
  double x = 0;

  for (gsize i = 0; i < n; i++)
    {
      now += g_rand_int_range (rand, 0, 4) * g_rand_int_range (rand, 1, 50);
      x += g_rand_double_range (rand, -1, 1);
      t[i] = now;
      v[i] = g_rand_int_range (rand, 0, 500) == 0 ? NAN : (float) x;
      g_assert_true (bw_series_append (s, t[i], v[i]));
    }
  *out_t = t;
  *out_v = v;
  return s;
}

static void
test_decimate_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  for (int round = 0; round < 30; round++)
    {
      gsize n = (gsize) g_rand_int_range (rand, 1, 60000);
      g_autofree gint64 *t = NULL;
      g_autofree float *v = NULL;
      g_autoptr(BwSeries) s = make_random (rand, n, 0, &t, &v);
      guint n_cols = (guint) g_rand_int_range (rand, 1, 1500);
      g_autofree BwSeriesColumn *got = g_new (BwSeriesColumn, n_cols);
      g_autofree BwSeriesColumn *want = g_new (BwSeriesColumn, n_cols);
      double span = (double) (t[n - 1] - t[0]);
      double t0 = (double) t[0] + g_rand_double_range (rand, -0.2, 0.8) * span;
      double t1 = t0 + g_rand_double_range (rand, 0.001, 1.2) * MAX (span, 100);

      g_assert_cmpuint (bw_series_get_length (s), ==, n);
      bw_series_decimate (s, t0, t1, n_cols, got);
      brute_decimate (t, v, n, t0, t1, n_cols, want);
      assert_columns_equal (got, want, n_cols);
    }
}

/* One spike among a million flat points survives any zoom */
static void
test_spike_preserved (void)
{
  g_autoptr(BwSeries) s = bw_series_new (0);
  const gsize n = 1000000;
  const gsize spike = 654321;
  const guint n_cols = 800;
  g_autofree BwSeriesColumn *cols = g_new (BwSeriesColumn, n_cols);

  for (gsize i = 0; i < n; i++)
    bw_series_append (s, (gint64) i * 100, i == spike ? 1000.0 : (i == spike + 7 ? -500.0 : 1.0));

  for (double span = 1e8; span >= 2000; span /= 7)
    {
      double t0 = (double) spike * 100 - span * 0.3;
      double t1 = t0 + span;
      double top = -INFINITY, bottom = INFINITY;
      guint top_col = 0;

      bw_series_decimate (s, t0, t1, n_cols, cols);
      for (guint c = 0; c < n_cols; c++)
        if (cols[c].n_points)
          {
            if (cols[c].max > top)
              {
                top = cols[c].max;
                top_col = c;
              }
            bottom = MIN (bottom, cols[c].min);
          }
      g_assert_cmpfloat (top, ==, 1000.0);
      g_assert_cmpfloat (bottom, ==, -500.0);
      /* in the column where it belongs */
      g_assert_cmpfloat (bw_series_column_edge (t0, t1, n_cols, top_col), <=, (double) spike * 100);
      g_assert_cmpfloat (bw_series_column_edge (t0, t1, n_cols, top_col + 1), >, (double) spike * 100);
    }
}

static void
test_min_max_queries (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autofree gint64 *t = NULL;
  g_autofree float *v = NULL;
  const gsize n = 200000;
  g_autoptr(BwSeries) s = make_random (rand, n, 0, &t, &v);

  for (int q = 0; q < 2000; q++)
    {
      gsize a = (gsize) g_rand_int_range (rand, 0, (gint32) n);
      gsize len = (gsize) g_rand_int_range (rand, 1, q % 2 ? 100 : 150000);
      gsize b = MIN (n, a + len);
      double mn = INFINITY, mx = -INFINITY, gmn = 0, gmx = 0;
      gboolean ok;

      for (gsize i = a; i < b; i++)
        if (!isnan (v[i]))
          {
            mn = MIN (mn, v[i]);
            mx = MAX (mx, v[i]);
          }
      ok = bw_series_get_min_max (s, a, b, &gmn, &gmx);
      g_assert_cmpint (ok, ==, mn <= mx);
      if (ok)
        {
          g_assert_cmpfloat (gmn, ==, mn);
          g_assert_cmpfloat (gmx, ==, mx);
        }
    }
}

/* The maximum holds; the oldest points go; the pyramid stays right */
static void
test_trim (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  const gsize max = 5000, n = 123457;
  g_autoptr(BwSeries) s = bw_series_new (max);
  g_autofree gint64 *t = g_new (gint64, n);
  g_autofree float *v = g_new (float, n);
  g_autofree BwSeriesColumn *got = g_new (BwSeriesColumn, 300);
  g_autofree BwSeriesColumn *want = g_new (BwSeriesColumn, 300);
  gint64 first, last;

  for (gsize i = 0; i < n; i++)
    {
      t[i] = 1000 + (gint64) i * 10;
      v[i] = (i % 977 == 0) ? NAN : (float) g_rand_double_range (rand, -100, 100);
      bw_series_append (s, t[i], v[i]);
      g_assert_cmpuint (bw_series_get_length (s), <=, max);

      if (i % 9973 == 0 && i > max)
        {
          /* every point before the window is gone, and decimation agrees with the rest */
          double t0 = (double) t[i - max + 1] - 500, t1 = (double) t[i] + 10;

          bw_series_decimate (s, t0, t1, 300, got);
          brute_decimate (t + (i + 1 - max), v + (i + 1 - max), max, t0, t1, 300, want);
          assert_columns_equal (got, want, 300);
        }
    }
  g_assert_cmpuint (bw_series_get_length (s), ==, max);
  g_assert_true (bw_series_get_time_range (s, &first, &last));
  g_assert_cmpint (first, ==, t[n - max]);
  g_assert_cmpint (last, ==, t[n - 1]);
  g_assert_cmpint (bw_series_get_time (s, 0), ==, t[n - max]);

  /* shrinking the maximum drops the oldest */
  bw_series_set_max_points (s, 100);
  g_assert_cmpuint (bw_series_get_length (s), ==, 100);
  g_assert_cmpint (bw_series_get_time (s, 0), ==, t[n - 100]);
  {
    double mn = INFINITY, mx = -INFINITY, gmn, gmx;

    for (gsize i = n - 100; i < n; i++)
      if (!isnan (v[i]))
        {
          mn = MIN (mn, v[i]);
          mx = MAX (mx, v[i]);
        }
    g_assert_true (bw_series_get_min_max (s, 0, 100, &gmn, &gmx));
    g_assert_cmpfloat (gmn, ==, mn);
    g_assert_cmpfloat (gmx, ==, mx);
  }

  /* memory stays bounded by the maximum, not by what went through */
  g_assert_cmpuint (bw_series_get_memory_size (s), <, (max + max / 4 + 2048) * 14 + 4096);
}

static void
test_append_rules (void)
{
  g_autoptr(BwSeries) s = bw_series_new (10);
  gint64 ts[] = { 10, 20, 15, 20, 30 };
  double vs[] = { 1, 2, 3, 4, INFINITY };
  guint64 version;

  g_assert_true (bw_series_append (s, 5, 0));
  version = bw_series_get_version (s);
  g_assert_false (bw_series_append (s, 4, 0));         /* backwards */
  g_assert_false (bw_series_append (s, 6, INFINITY));  /* not a value */
  g_assert_cmpuint (bw_series_get_version (s), ==, version);
  g_assert_true (bw_series_append (s, 5, NAN));        /* a gap, same time is fine */
  g_assert_cmpuint (bw_series_get_version (s), >, version);
  g_assert_cmpuint (bw_series_append_many (s, ts, vs, 5), ==, 3);
  g_assert_cmpuint (bw_series_get_length (s), ==, 5);
  g_assert_cmpint (bw_series_get_time (s, 4), ==, 20);
  g_assert_cmpfloat (bw_series_get_value (s, 4), ==, 4);

  bw_series_clear (s);
  g_assert_cmpuint (bw_series_get_length (s), ==, 0);
  g_assert_false (bw_series_get_time_range (s, NULL, NULL));
  g_assert_true (bw_series_append (s, 1, 1));
}

static void
test_lookup (void)
{
  g_autoptr(BwSeries) s = bw_series_new (0);
  gint64 t;
  double v;

  g_assert_false (bw_series_lookup (s, 0, 1e9, &t, &v));
  bw_series_append (s, 1000, 1);
  bw_series_append (s, 2000, 2);
  bw_series_append (s, 3000, NAN);
  bw_series_append (s, 4000, 4);

  g_assert_true (bw_series_lookup (s, 1400, 500, &t, &v));
  g_assert_cmpint (t, ==, 1000);
  g_assert_cmpfloat (v, ==, 1);
  g_assert_true (bw_series_lookup (s, 1600, 500, &t, &v));
  g_assert_cmpint (t, ==, 2000);
  g_assert_cmpfloat (v, ==, 2);
  /* nearest is a gap: no value */
  g_assert_false (bw_series_lookup (s, 3100, 500, &t, &v));
  /* too far */
  g_assert_false (bw_series_lookup (s, 5000, 500, &t, &v));
  g_assert_true (bw_series_lookup (s, 5000, 1000, &t, &v));
  g_assert_cmpfloat (v, ==, 4);
  g_assert_true (bw_series_lookup (s, -1e12, 1e13, &t, &v));
  g_assert_cmpint (t, ==, 1000);
}

static void
test_replace_range (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  g_autoptr(BwSeries) s = bw_series_new (0);
  g_autoptr(GArray) ref_t = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) ref_v = g_array_new (FALSE, FALSE, sizeof (float));
  g_autofree BwSeriesColumn *got = g_new (BwSeriesColumn, 257);
  g_autofree BwSeriesColumn *want = g_new (BwSeriesColumn, 257);

  /* live data from t = 100000 */
  for (gint64 i = 0; i < 20000; i++)
    {
      gint64 t = 100000 + i * 5;
      float v = (float) g_rand_double_range (rand, 0, 10);

      bw_series_append (s, t, v);
      g_array_append_val (ref_t, t);
      g_array_append_val (ref_v, v);
    }

  for (int round = 0; round < 20; round++)
    {
      gint64 from = g_rand_int_range (rand, 0, 180000);
      gint64 to = from + g_rand_int_range (rand, 1, 60000);
      guint m = (guint) g_rand_int_range (rand, 0, 3000);
      g_autofree gint64 *nt = g_new (gint64, m);
      g_autofree double *nv = g_new (double, m);
      g_autoptr(GArray) new_t = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autoptr(GArray) new_v = g_array_new (FALSE, FALSE, sizeof (float));
      gsize inserted;

      for (guint k = 0; k < m; k++)
        {
          nt[k] = from + (gint64) ((double) (to - from) * k / MAX (m, 1));
          nv[k] = g_rand_int_range (rand, 0, 50) ? g_rand_double_range (rand, -20, 20) : NAN;
        }
      inserted = bw_series_replace_range (s, from, to, nt, nv, m);
      g_assert_cmpuint (inserted, ==, m);

      /* the reference: drop [from, to), splice the new points in */
      for (guint i = 0; i < ref_t->len; i++)
        {
          gint64 t = g_array_index (ref_t, gint64, i);

          if (t < from || t >= to)
            {
              g_array_append_val (new_t, t);
              g_array_append_val (new_v, g_array_index (ref_v, float, i));
            }
        }
      {
        guint pos = 0;

        while (pos < new_t->len && g_array_index (new_t, gint64, pos) < from)
          pos++;
        for (guint k = 0; k < m; k++)
          {
            float f = (float) nv[k];

            g_array_insert_val (new_t, pos + k, nt[k]);
            g_array_insert_val (new_v, pos + k, f);
          }
      }
      g_array_set_size (ref_t, 0);
      g_array_set_size (ref_v, 0);
      g_array_append_vals (ref_t, new_t->data, new_t->len);
      g_array_append_vals (ref_v, new_v->data, new_v->len);

      g_assert_cmpuint (bw_series_get_length (s), ==, ref_t->len);
      for (guint i = 0; i < ref_t->len; i += 97)
        g_assert_cmpint (bw_series_get_time (s, i), ==, g_array_index (ref_t, gint64, i));

      bw_series_decimate (s, -1000, 210000, 257, got);
      brute_decimate ((gint64 *) (gpointer) ref_t->data, (float *) (gpointer) ref_v->data, ref_t->len,
                      -1000, 210000, 257, want);
      assert_columns_equal (got, want, 257);
    }

  /* history in front of full live data: the newest go, the history stays */
  {
    g_autoptr(BwSeries) small = bw_series_new (100);
    gint64 ht[50];
    double hv[50];

    for (gint64 i = 0; i < 100; i++)
      bw_series_append (small, 1000 + i, 1);
    for (int k = 0; k < 50; k++)
      {
        ht[k] = k * 10;
        hv[k] = 2;
      }
    g_assert_cmpuint (bw_series_replace_range (small, 0, 1000, ht, hv, 50), ==, 50);
    g_assert_cmpuint (bw_series_get_length (small), ==, 100);
    g_assert_cmpint (bw_series_get_time (small, 0), ==, 0);
    g_assert_cmpint (bw_series_get_time (small, 99), ==, 1049);
  }
}

static void
test_replace_buckets (void)
{
  g_autoptr(BwSeries) s = bw_series_new (0);
  BwSeriesBucket b[] = {
    { 0,    1, 2, 3 },
    { 100,  5, 5, 5 },
    { 200,  NAN, NAN, NAN },
    { 300,  NAN, NAN, NAN },
    { 400,  -4, 0, 9 },
  };
  BwSeriesColumn cols[5];

  /* live point after the range survives */
  bw_series_append (s, 600, 7);
  g_assert_cmpuint (bw_series_replace_buckets (s, 0, 500, b, G_N_ELEMENTS (b)), ==, 6);
  g_assert_cmpuint (bw_series_get_length (s), ==, 7);
  g_assert_cmpint (bw_series_get_time (s, 0), ==, 0);
  g_assert_cmpint (bw_series_get_time (s, 1), ==, 50);
  g_assert_cmpint (bw_series_get_time (s, 6), ==, 600);
  g_assert_true (isnan (bw_series_get_value (s, 3)));   /* one gap for two empty buckets */

  /* one column per bucket: min and max as served */
  bw_series_decimate (s, 0, 500, 5, cols);
  g_assert_cmpfloat (cols[0].min, ==, 1);
  g_assert_cmpfloat (cols[0].max, ==, 3);
  g_assert_cmpfloat (cols[1].min, ==, 5);
  g_assert_true (cols[2].has_gap);
  g_assert_cmpuint (cols[3].n_points, ==, 0);
  g_assert_cmpfloat (cols[4].min, ==, -4);
  g_assert_cmpfloat (cols[4].max, ==, 9);
  /* after a gap, min first */
  g_assert_cmpfloat (cols[4].first, ==, -4);

  /* otherwise the extreme nearer the previous value comes first */
  {
    BwSeriesBucket up[] = { { 1000, 8, 8, 8 }, { 1100, 0, 4, 9 } };

    g_assert_cmpuint (bw_series_replace_buckets (s, 1000, 1200, up, 2), ==, 3);
    g_assert_cmpint (bw_series_get_time (s, 8), ==, 1100);
    g_assert_cmpfloat (bw_series_get_value (s, 8), ==, 9);
    g_assert_cmpfloat (bw_series_get_value (s, 9), ==, 0);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/series/decimate-random", test_decimate_random);
  g_test_add_func ("/series/spike-preserved", test_spike_preserved);
  g_test_add_func ("/series/min-max-queries", test_min_max_queries);
  g_test_add_func ("/series/trim", test_trim);
  g_test_add_func ("/series/append-rules", test_append_rules);
  g_test_add_func ("/series/lookup", test_lookup);
  g_test_add_func ("/series/replace-range", test_replace_range);
  g_test_add_func ("/series/replace-buckets", test_replace_buckets);

  return g_test_run ();
}
