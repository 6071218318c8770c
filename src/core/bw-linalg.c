/* bw-linalg.c: the few dense kernels the detectors spend their time in
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-linalg"

/* These loops are the hot spots of fitting and scoring; let the compiler
 * vectorise them fully whatever the build type. (Square roots vectorise
 * only without errno: meson builds this file with -fno-math-errno.) */
#pragma GCC optimize ("O3")

#include "config.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bw-linalg.h"

/* Each hot function is built twice, for x86-64-v3 (AVX2, FMA) and for the
 * baseline, and the loader picks the one the CPU runs. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__has_attribute)
# if __has_attribute(target_clones)
#  define BW_HOT __attribute__ ((target_clones ("arch=x86-64-v3", "default")))
# endif
#endif
#ifndef BW_HOT
# define BW_HOT
#endif

/* 4-wide vectors; in the baseline clone they become pairs of SSE2 ops */
#pragma GCC diagnostic ignored "-Wpsabi"
typedef double v4d __attribute__ ((vector_size (32)));

static inline __attribute__ ((always_inline)) v4d
load4 (const double *p)
{
  v4d v;

  memcpy (&v, p, sizeof v);
  return v;
}

static inline __attribute__ ((always_inline)) void
store4 (double *p,
        v4d     v)
{
  memcpy (p, &v, sizeof v);
}

#define NB 48

/* C (rows × cols, leading dimension ld) −= L (rows × kk) · U (kk × cols);
 * with @lower, blocks wholly above the diagonal of C are skipped. */
static inline __attribute__ ((always_inline)) void
gemm_sub (double       *c,
          const double *l,
          const double *u,
          gsize         rows,
          gsize         cols,
          gsize         kk,
          gsize         ld,
          gboolean      lower)
{
  gsize i = 0;

  for (; i + 4 <= rows; i += 4)
    {
      gsize j = 0;

      for (; j + 8 <= cols; j += 8)
        {
          if (lower && j > i + 3)
            break;

          v4d c00 = { 0 }, c01 = { 0 }, c10 = { 0 }, c11 = { 0 };
          v4d c20 = { 0 }, c21 = { 0 }, c30 = { 0 }, c31 = { 0 };

          for (gsize k = 0; k < kk; k++)
            {
              v4d u0 = load4 (u + k * ld + j), u1 = load4 (u + k * ld + j + 4);
              v4d l0 = { 0 }, l1, l2, l3;

              l0 += l[(i + 0) * ld + k];
              l1 = (v4d) { 0 } + l[(i + 1) * ld + k];
              l2 = (v4d) { 0 } + l[(i + 2) * ld + k];
              l3 = (v4d) { 0 } + l[(i + 3) * ld + k];
              c00 += l0 * u0; c01 += l0 * u1;
              c10 += l1 * u0; c11 += l1 * u1;
              c20 += l2 * u0; c21 += l2 * u1;
              c30 += l3 * u0; c31 += l3 * u1;
            }
          store4 (c + (i + 0) * ld + j, load4 (c + (i + 0) * ld + j) - c00);
          store4 (c + (i + 0) * ld + j + 4, load4 (c + (i + 0) * ld + j + 4) - c01);
          store4 (c + (i + 1) * ld + j, load4 (c + (i + 1) * ld + j) - c10);
          store4 (c + (i + 1) * ld + j + 4, load4 (c + (i + 1) * ld + j + 4) - c11);
          store4 (c + (i + 2) * ld + j, load4 (c + (i + 2) * ld + j) - c20);
          store4 (c + (i + 2) * ld + j + 4, load4 (c + (i + 2) * ld + j + 4) - c21);
          store4 (c + (i + 3) * ld + j, load4 (c + (i + 3) * ld + j) - c30);
          store4 (c + (i + 3) * ld + j + 4, load4 (c + (i + 3) * ld + j + 4) - c31);
        }
      for (; j < cols && !(lower && j > i + 3); j++)
        for (gsize r = i; r < i + 4; r++)
          {
            double s = 0;

            for (gsize k = 0; k < kk; k++)
              s += l[r * ld + k] * u[k * ld + j];
            c[r * ld + j] -= s;
          }
    }
  for (; i < rows; i++)
    for (gsize k = 0; k < kk; k++)
      {
        double a = l[i * ld + k];
        const double *ur = u + k * ld;
        double *cr = c + i * ld;

        for (gsize j = 0; j < cols; j++)
          cr[j] -= a * ur[j];
      }
}

/* y −= a x over n values */
static inline __attribute__ ((always_inline)) void
axpy_sub (double       *restrict y,
          const double *restrict x,
          double        a,
          gsize         n)
{
  for (gsize j = 0; j < n; j++)
    y[j] -= a * x[j];
}

static void
swap_rows (double *a,
           gsize   r1,
           gsize   r2,
           gsize   cols)
{
  double *x = a + r1 * cols, *y = a + r2 * cols;

  for (gsize j = 0; j < cols; j++)
    {
      double t = x[j];

      x[j] = y[j];
      y[j] = t;
    }
}

BW_HOT gboolean
bw_linalg_lu_solve (double *a,
                    gsize   n,
                    double *b,
                    gsize   nrhs)
{
  for (gsize k0 = 0; k0 < n; k0 += NB)
    {
      gsize k1 = MIN (n, k0 + NB);

      /* factor the panel of columns k0 … k1−1 */
      for (gsize k = k0; k < k1; k++)
        {
          gsize piv = k;
          double best = fabs (a[k * n + k]), inv;

          for (gsize i = k + 1; i < n; i++)
            if (fabs (a[i * n + k]) > best)
              {
                best = fabs (a[i * n + k]);
                piv = i;
              }
          if (best == 0)
            return FALSE;
          if (piv != k)
            {
              swap_rows (a, k, piv, n);
              swap_rows (b, k, piv, nrhs);
            }
          inv = 1.0 / a[k * n + k];
          for (gsize i = k + 1; i < n; i++)
            {
              double l = a[i * n + k] *= inv;

              axpy_sub (a + i * n + k + 1, a + k * n + k + 1, l, k1 - k - 1);
            }
        }

      if (k1 == n)
        break;

      /* U12 = L11⁻¹ A12 */
      for (gsize k = k0; k < k1; k++)
        for (gsize i = k + 1; i < k1; i++)
          axpy_sub (a + i * n + k1, a + k * n + k1, a[i * n + k], n - k1);

      /* A22 −= L21 U12 */
      gemm_sub (a + k1 * n + k1, a + k1 * n + k0, a + k0 * n + k1,
                n - k1, n - k1, k1 - k0, n, FALSE);
    }

  /* L y = P b (unit lower), then U x = y */
  for (gsize i = 1; i < n; i++)
    for (gsize k = 0; k < i; k++)
      axpy_sub (b + i * nrhs, b + k * nrhs, a[i * n + k], nrhs);
  for (gsize i = n; i-- > 0;)
    {
      double inv = 1.0 / a[i * n + i];

      for (gsize k = i + 1; k < n; k++)
        axpy_sub (b + i * nrhs, b + k * nrhs, a[i * n + k], nrhs);
      for (gsize r = 0; r < nrhs; r++)
        b[i * nrhs + r] *= inv;
    }
  return TRUE;
}

BW_HOT gboolean
bw_linalg_cholesky_solve (double *a,
                          gsize   n,
                          double *b,
                          gsize   nrhs)
{
  /* Right-looking, lower triangle, row-major; the trailing update uses
   * the upper triangle of A as scratch for L21ᵀ so gemm_sub can run on
   * contiguous rows. */
  for (gsize k0 = 0; k0 < n; k0 += NB)
    {
      gsize k1 = MIN (n, k0 + NB);

      for (gsize k = k0; k < k1; k++)
        {
          double d = a[k * n + k], inv;

          for (gsize j = k0; j < k; j++)
            d -= a[k * n + j] * a[k * n + j];
          if (!(d > 0))
            return FALSE;
          d = sqrt (d);
          a[k * n + k] = d;
          inv = 1.0 / d;
          for (gsize i = k + 1; i < n; i++)
            {
              double s = a[i * n + k];

              for (gsize j = k0; j < k; j++)
                s -= a[i * n + j] * a[k * n + j];
              a[i * n + k] = s * inv;
            }
        }
      if (k1 == n)
        break;

      /* the transpose of L21 (columns k0 … k1−1, rows k1 …) into rows
       * k0 … k1−1, columns k1 … (upper triangle, unused otherwise) */
      for (gsize k = k0; k < k1; k++)
        for (gsize i = k1; i < n; i++)
          a[k * n + i] = a[i * n + k];
      /* A22 −= L21 L21ᵀ, the lower triangle (and a little above it) */
      gemm_sub (a + k1 * n + k1, a + k1 * n + k0, a + k0 * n + k1,
                n - k1, n - k1, k1 - k0, n, TRUE);
    }

  /* L y = b, then Lᵀ x = y */
  for (gsize i = 0; i < n; i++)
    {
      double inv = 1.0 / a[i * n + i];

      for (gsize k = 0; k < i; k++)
        axpy_sub (b + i * nrhs, b + k * nrhs, a[i * n + k], nrhs);
      for (gsize r = 0; r < nrhs; r++)
        b[i * nrhs + r] *= inv;
    }
  for (gsize i = n; i-- > 0;)
    {
      double inv = 1.0 / a[i * n + i];

      for (gsize r = 0; r < nrhs; r++)
        b[i * nrhs + r] *= inv;
      for (gsize k = 0; k < i; k++)
        axpy_sub (b + k * nrhs, b + i * nrhs, a[i * n + k], nrhs);
    }
  return TRUE;
}

BW_HOT void
bw_linalg_distances (const double *dt,
                     gsize         p,
                     gsize         ld,
                     gsize         m,
                     const double *z,
                     double       *out)
{
  gsize j = 0;

  for (; j + 8 <= m; j += 8)
    {
      v4d s0 = { 0 }, s1 = { 0 };

      for (gsize c = 0; c < p; c++)
        {
          v4d zc = (v4d) { 0 } + z[c];
          v4d d0 = zc - load4 (dt + c * ld + j), d1 = zc - load4 (dt + c * ld + j + 4);

          s0 += d0 * d0;
          s1 += d1 * d1;
        }
      store4 (out + j, s0);
      store4 (out + j + 4, s1);
    }
  for (; j < m; j++)
    {
      double s = 0;

      for (gsize c = 0; c < p; c++)
        {
          double d = z[c] - dt[c * ld + j];

          s += d * d;
        }
      out[j] = s;
    }
  for (j = 0; j < m; j++)
    out[j] = sqrt (out[j]);
}

BW_HOT void
bw_linalg_skab_kernel (const double *restrict dt,
                       gsize                  p,
                       gsize                  ld,
                       gsize                  m,
                       const double *restrict z,
                       double                 znorm,
                       const double *restrict norm,
                       double       *restrict out)
{
  gsize j = 0;

  for (; j + 8 <= m; j += 8)
    {
      v4d s0 = { 0 }, s1 = { 0 };

      for (gsize c = 0; c < p; c++)
        {
          v4d zc = (v4d) { 0 } + z[c];
          v4d d0 = zc - load4 (dt + c * ld + j), d1 = zc - load4 (dt + c * ld + j + 4);

          s0 += d0 * d0;
          s1 += d1 * d1;
        }
      store4 (out + j, s0);
      store4 (out + j + 4, s1);
    }
  for (; j < m; j++)
    {
      double s = 0;

      for (gsize c = 0; c < p; c++)
        {
          double d = z[c] - dt[c * ld + j];

          s += d * d;
        }
      out[j] = s;
    }
  /* written to vectorise: no branch. Both norms 0 means both states are
   * 0, the distance too, and 0 / DBL_MIN gives the similarity 1. */
  for (j = 0; j < m; j++)
    out[j] = 1.0 - sqrt (out[j]) / (norm[j] + znorm + DBL_MIN);
}

BW_HOT void
bw_linalg_skab_similarity (double       *restrict d,
                           const double *restrict norm,
                           double        znorm,
                           gsize         m)
{
  for (gsize j = 0; j < m; j++)
    {
      double den = norm[j] + znorm;

      d[j] = den > 0 ? 1.0 - d[j] / den : 1.0;
    }
}

BW_HOT void
bw_linalg_gemv (const double *w,
                gsize         p,
                gsize         m,
                const double *k,
                double       *out)
{
  for (gsize c = 0; c < p; c++)
    {
      const double *row = w + c * m;
      v4d s0 = { 0 }, s1 = { 0 };
      double s;
      gsize j = 0;

      for (; j + 8 <= m; j += 8)
        {
          s0 += load4 (row + j) * load4 (k + j);
          s1 += load4 (row + j + 4) * load4 (k + j + 4);
        }
      s0 += s1;
      s = s0[0] + s0[1] + s0[2] + s0[3];
      for (; j < m; j++)
        s += row[j] * k[j];
      out[c] = s;
    }
}

static const double *sort_values;

static int
compare_idx (const void *a,
             const void *b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;
  double vx = sort_values[x], vy = sort_values[y];

  if (vx != vy)
    return vx < vy ? -1 : 1;
  return (x > y) - (x < y);
}

void
bw_linalg_argsort (const double *values,
                   guint        *idx,
                   gsize         n)
{
  static GMutex lock;

  /* qsort has no user data; the index tiebreak keeps it stable */
  g_mutex_lock (&lock);
  sort_values = values;
  qsort (idx, n, sizeof (guint), compare_idx);
  sort_values = NULL;
  g_mutex_unlock (&lock);
}
