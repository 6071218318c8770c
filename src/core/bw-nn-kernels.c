/* bw-nn-kernels.c: the neural layer's elementwise and copying kernels
 *
 * The loops between the matrix products: LSTM cells, ReLU, the columns of
 * the 1-D convolutions, bias rows. They run once per value of every layer,
 * so they are built vectorised whatever the build type, and each in three
 * versions (AVX-512, AVX2 with FMA, baseline) of which the loader picks the
 * one the CPU runs.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-nn"

#pragma GCC optimize ("O3")

#include "config.h"

#include <math.h>
#include <string.h>

#include "bw-nn.h"
#include "bw-nn-private.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__has_attribute)
# if __has_attribute(target_clones)
#  define BW_HOT __attribute__ ((target_clones ("arch=x86-64-v4", "arch=x86-64-v3", "default")))
# endif
#endif
#ifndef BW_HOT
# define BW_HOT
#endif

/* 16-wide vectors: one AVX-512 register, two AVX2 or four SSE2 ones */
#pragma GCC diagnostic ignored "-Wpsabi"
typedef float v16sf __attribute__ ((vector_size (64)));
typedef int v16si __attribute__ ((vector_size (64)));

#define INLINE static inline __attribute__ ((always_inline))

INLINE v16sf
splat (float x)
{
  return (v16sf) { 0 } + x;
}

INLINE v16sf
load16 (const float *p)
{
  v16sf v;

  memcpy (&v, p, sizeof v);
  return v;
}

INLINE void
store16 (float *p,
         v16sf  v)
{
  memcpy (p, &v, sizeof v);
}

/* the first @n (< 16) values, the others zero */
INLINE v16sf
load_part (const float *p,
           int          n)
{
  float t[16] = { 0 };

  memcpy (t, p, n * sizeof (float));
  return load16 (t);
}

INLINE void
store_part (float *p,
            v16sf  v,
            int    n)
{
  float t[16];

  store16 (t, v);
  memcpy (p, t, n * sizeof (float));
}

/* mask ? a : b, lane by lane (C has no vector ?:) */
INLINE v16sf
select16 (v16si m,
          v16sf a,
          v16sf b)
{
  return (v16sf) ((m & (v16si) a) | (~m & (v16si) b));
}

/* x > 0 ? x : 0, as the scalar code (NaN and −0 give 0) */
INLINE v16sf
relu16 (v16sf x)
{
  return select16 (x > splat (0), x, splat (0));
}

/* e^x to about one unit in the last place: Cody–Waite reduction by ln 2
 * and Cephes' polynomial; +inf above the float range, 0 below it, NaN
 * stays NaN. The scale 2^n is applied in two halves so that the whole
 * float range, subnormals included, comes out right. */
INLINE v16sf
exp16 (v16sf x)
{
  const v16sf hi = splat (88.72283935546875f), lo = splat (-103.97208f);
  v16si over = x > hi, under = x < lo, nan = x != x;
  v16sf xc = select16 (over, hi, select16 (under, lo, x));
  v16sf n = xc * splat (1.44269504088896341f) + splat (12582912.0f);
  v16sf r, r2, p;
  v16si ni, n1, n2;

  n -= splat (12582912.0f);                   /* round to nearest */
  r = xc - n * splat (0.693359375f);
  r = r - n * splat (-2.12194440e-4f);
  r2 = r * r;
  p = splat (1.9875691500e-4f);
  p = p * r + splat (1.3981999507e-3f);
  p = p * r + splat (8.3334519073e-3f);
  p = p * r + splat (4.1665795894e-2f);
  p = p * r + splat (1.6666665459e-1f);
  p = p * r + splat (5.0000001201e-1f);
  p = p * r2 + r + splat (1.0f);
  ni = __builtin_convertvector (n, v16si);
  n1 = ni >> 1;
  n2 = ni - n1;
  p = p * (v16sf) ((n1 + 127) << 23) * (v16sf) ((n2 + 127) << 23);
  p = select16 (over, splat (INFINITY), p);
  p = select16 (under, splat (0), p);
  return select16 (nan, x, p);
}

/* e^x for the sigmoid: clamped to the float range rather than overflowing,
 * which only moves 1 / (1 + e^x) from 0 to 3·10⁻³⁹ */
INLINE v16sf
exp16_clamped (v16sf x)
{
  v16sf n, r, r2, p;
  v16si ni, n1, n2;

  x = select16 (x > splat (88.72283935546875f), splat (88.72283935546875f), x);
  x = select16 (x < splat (-103.97208f), splat (-103.97208f), x);
  n = x * splat (1.44269504088896341f) + splat (12582912.0f);
  n -= splat (12582912.0f);
  r = x - n * splat (0.693359375f);
  r = r - n * splat (-2.12194440e-4f);
  r2 = r * r;
  p = splat (1.9875691500e-4f);
  p = p * r + splat (1.3981999507e-3f);
  p = p * r + splat (8.3334519073e-3f);
  p = p * r + splat (4.1665795894e-2f);
  p = p * r + splat (1.6666665459e-1f);
  p = p * r + splat (5.0000001201e-1f);
  p = p * r2 + r + splat (1.0f);
  ni = __builtin_convertvector (n, v16si);
  n1 = ni >> 1;
  n2 = ni - n1;
  return p * (v16sf) ((n1 + 127) << 23) * (v16sf) ((n2 + 127) << 23);
}

INLINE v16sf
sigmoid16 (v16sf x)
{
  return splat (1) / (splat (1) + exp16_clamped (-x));
}

/* the branches of _bw_nn_tanh() */
INLINE v16sf
tanh16 (v16sf x)
{
  v16sf e = exp16 (x + x);
  v16sf y = (e - splat (1)) / (e + splat (1));
  v16sf small = x - x * x * x / splat (3);
  v16sf ax = select16 (x < splat (0), -x, x);

  y = select16 (ax < splat (0.005f), small, y);
  y = select16 (x > splat (9), splat (1), y);
  return select16 (x < splat (-9), splat (-1), y);
}

BW_HOT void
_bw_nn_vexp (const float *x,
             float       *y,
             gsize        n)
{
  gsize i = 0;

  for (; i + 16 <= n; i += 16)
    store16 (y + i, exp16 (load16 (x + i)));
  if (i < n)
    store_part (y + i, exp16 (load_part (x + i, n - i)), n - i);
}

BW_HOT void
_bw_nn_vtanh (const float *x,
              float       *y,
              gsize        n)
{
  gsize i = 0;

  for (; i + 16 <= n; i += 16)
    store16 (y + i, tanh16 (load16 (x + i)));
  if (i < n)
    store_part (y + i, tanh16 (load_part (x + i, n - i)), n - i);
}

/* 16 units of an LSTM cell: gates from pre-activations (plus @add), the
 * new cell state and output. @len < 16: the first @len units only. */
INLINE void
cell16 (gboolean     relu,
        const float *z,
        const float *add,
        int          hidden,
        const float *c_prev,
        float       *c,
        float       *h,
        int          len)
{
  v16sf zi, zf, zg, zo, cp, i, f, g, o, cn, ac;

  if (len == 16)
    {
      zi = load16 (z);
      zf = load16 (z + hidden);
      zg = load16 (z + 2 * hidden);
      zo = load16 (z + 3 * hidden);
      cp = load16 (c_prev);
      if (add != NULL)
        {
          zi += load16 (add);
          zf += load16 (add + hidden);
          zg += load16 (add + 2 * hidden);
          zo += load16 (add + 3 * hidden);
        }
    }
  else
    {
      zi = load_part (z, len);
      zf = load_part (z + hidden, len);
      zg = load_part (z + 2 * hidden, len);
      zo = load_part (z + 3 * hidden, len);
      cp = load_part (c_prev, len);
      if (add != NULL)
        {
          zi += load_part (add, len);
          zf += load_part (add + hidden, len);
          zg += load_part (add + 2 * hidden, len);
          zo += load_part (add + 3 * hidden, len);
        }
    }
  i = sigmoid16 (zi);
  f = sigmoid16 (zf);
  o = sigmoid16 (zo);
  g = relu ? relu16 (zg) : tanh16 (zg);
  cn = f * cp + i * g;
  ac = relu ? relu16 (cn) : tanh16 (cn);
  if (len == 16)
    {
      store16 (c, cn);
      store16 (h, o * ac);
    }
  else
    {
      store_part (c, cn, len);
      store_part (h, o * ac, len);
    }
}

/* one row: blocks of 16 units; a last partial block is done again as the
 * last 16 units, which only rewrites the same values (the new cell state
 * goes to its own buffer) */
INLINE void
cell_row (gboolean     relu,
          const float *z,
          const float *add,
          int          hidden,
          const float *c_prev,
          float       *c,
          float       *h)
{
  int j = 0;

  if (hidden < 16)
    {
      cell16 (relu, z, add, hidden, c_prev, c, h, hidden);
      return;
    }
  for (; j + 16 <= hidden; j += 16)
    cell16 (relu, z + j, add != NULL ? add + j : NULL, hidden, c_prev + j, c + j, h + j, 16);
  if (j < hidden)
    {
      j = hidden - 16;
      cell16 (relu, z + j, add != NULL ? add + j : NULL, hidden, c_prev + j, c + j, h + j, 16);
    }
}

BW_HOT void
_bw_nn_lstm_cell_infer (BwNnAct      act,
                        const float *z,
                        const float *add,
                        const float *c_prev,
                        float       *c,
                        float       *h,
                        int          n,
                        int          hidden)
{
  gboolean relu = act == BW_NN_ACT_RELU;

  for (int r = 0; r < n; r++)
    {
      gsize zo = (gsize) r * 4 * hidden, co = (gsize) r * hidden;

      /* the four variants, each a loop of its own */
      if (relu && add != NULL)
        cell_row (TRUE, z + zo, add + zo, hidden, c_prev + co, c + co, h + co);
      else if (relu)
        cell_row (TRUE, z + zo, NULL, hidden, c_prev + co, c + co, h + co);
      else if (add != NULL)
        cell_row (FALSE, z + zo, add + zo, hidden, c_prev + co, c + co, h + co);
      else
        cell_row (FALSE, z + zo, NULL, hidden, c_prev + co, c + co, h + co);
    }
}

BW_HOT void
_bw_nn_relu (const float *x,
             float       *y,
             gsize        n)
{
  for (gsize i = 0; i < n; i++)
    y[i] = x[i] > 0 ? x[i] : 0;
}

BW_HOT void
_bw_nn_relu_backward (const float *x,
                      const float *dy,
                      float       *dx,
                      gsize        n)
{
  for (gsize i = 0; i < n; i++)
    dx[i] = x[i] > 0 ? dy[i] : 0;
}

BW_HOT void
_bw_nn_fill_rows (float       *y,
                  const float *row,
                  gsize        rows,
                  int          len)
{
  for (gsize r = 0; r < rows; r++)
    for (int k = 0; k < len; k++)
      y[r * len + k] = row[k];
}

BW_HOT void
_bw_nn_im2col_1d (const float *x,
                  int          batch,
                  int          long_w,
                  int          short_w,
                  int          stride,
                  int          pad,
                  const int   *taps,
                  int          n_taps,
                  int          ch,
                  float       *cols)
{
  gsize row_len = (gsize) n_taps * ch;

  for (int b = 0; b < batch; b++)
    for (int o = 0; o < short_w; o++)
      {
        float *row = cols + ((gsize) b * short_w + o) * row_len;

        for (int e = 0; e < n_taps; e++)
          {
            int at = o * stride + taps[e] - pad;
            float *dst = row + (gsize) e * ch;

            if (at < 0 || at >= long_w)
              for (int k = 0; k < ch; k++)
                dst[k] = 0;
            else
              {
                const float *src = x + ((gsize) b * long_w + at) * ch;

                for (int k = 0; k < ch; k++)
                  dst[k] = src[k];
              }
          }
      }
}

/* the adjoint: adds the columns into x, in the order of the 2-D code */
BW_HOT void
_bw_nn_col2im_1d (const float *cols,
                  int          batch,
                  int          long_w,
                  int          short_w,
                  int          stride,
                  int          pad,
                  const int   *taps,
                  int          n_taps,
                  int          ch,
                  float       *x)
{
  gsize row_len = (gsize) n_taps * ch;

  for (int b = 0; b < batch; b++)
    for (int o = 0; o < short_w; o++)
      {
        const float *row = cols + ((gsize) b * short_w + o) * row_len;

        for (int e = 0; e < n_taps; e++)
          {
            int at = o * stride + taps[e] - pad;
            const float *src = row + (gsize) e * ch;
            float *dst;

            if (at < 0 || at >= long_w)
              continue;
            dst = x + ((gsize) b * long_w + at) * ch;
            for (int k = 0; k < ch; k++)
              dst[k] += src[k];
          }
      }
}

/* ---- matrix product for inference ---------------------------------------- *
 * C = A·B, or C + A·B, row-major, with an AVX-512 kernel when the CPU has
 * it: tiles of 8 rows × 32 columns in sixteen registers, the sum over k
 * from zero in order, added to C at the end as BLAS does. OpenBLAS picks
 * its kernels by CPU model and takes newer AVX-512 CPUs for AVX2 ones;
 * elsewhere the product goes to BLAS. */

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
# define HAVE_GEMM_AVX512 1

/* a float in every lane; written out, as GCC turns only this form into
 * one broadcast */
#define BCAST16(x) \
  ({ float s_ = (x); (v16sf) { s_, s_, s_, s_, s_, s_, s_, s_, s_, s_, s_, s_, s_, s_, s_, s_ }; })

INLINE void
put16 (float    *p,
       v16sf     v,
       gboolean  accumulate)
{
  if (accumulate)
    v = load16 (p) + v;
  store16 (p, v);
}

/* the accumulators stay in registers only when they are named */
#define ROWS8(X) X (0) X (1) X (2) X (3) X (4) X (5) X (6) X (7)

__attribute__ ((target ("arch=x86-64-v4"))) static void
gemm_avx512 (int          m,
             int          n,
             int          k,
             const float *a,
             int          lda,
             const float *b,
             int          ldb,
             gboolean     accumulate,
             float       *c,
             int          ldc)
{
  int j = 0;

  for (; j + 32 <= n; j += 32)
    {
      int i = 0;

      for (; i + 8 <= m; i += 8)
        {
          const float *ai = a + (gsize) i * lda;
          float *ci = c + (gsize) i * ldc + j;
#define DECL2(r) v16sf acc##r##0 = splat (0), acc##r##1 = splat (0);
          ROWS8 (DECL2)

          for (int p = 0; p < k; p++)
            {
              const float *bp = b + (gsize) p * ldb + j;
              v16sf b0 = load16 (bp), b1 = load16 (bp + 16), av;
#define FMA2(r) av = BCAST16 (ai[(gsize) r * lda + p]); acc##r##0 += av * b0; acc##r##1 += av * b1;
              ROWS8 (FMA2)
            }
#define PUT2(r) put16 (ci + (gsize) r * ldc, acc##r##0, accumulate); \
                put16 (ci + (gsize) r * ldc + 16, acc##r##1, accumulate);
          ROWS8 (PUT2)
        }
      for (; i < m; i++)
        {
          v16sf acc0 = splat (0), acc1 = splat (0);

          for (int p = 0; p < k; p++)
            {
              const float *bp = b + (gsize) p * ldb + j;
              v16sf av = BCAST16 (a[(gsize) i * lda + p]);

              acc0 += av * load16 (bp);
              acc1 += av * load16 (bp + 16);
            }
          put16 (c + (gsize) i * ldc + j, acc0, accumulate);
          put16 (c + (gsize) i * ldc + j + 16, acc1, accumulate);
        }
    }
  for (; j + 16 <= n; j += 16)
    {
      int i = 0;

      for (; i + 8 <= m; i += 8)
        {
          const float *ai = a + (gsize) i * lda;
          float *ci = c + (gsize) i * ldc + j;
#define DECL1(r) v16sf acc##r = splat (0);
          ROWS8 (DECL1)

          for (int p = 0; p < k; p++)
            {
              v16sf b0 = load16 (b + (gsize) p * ldb + j);
#define FMA1(r) acc##r += BCAST16 (ai[(gsize) r * lda + p]) * b0;
              ROWS8 (FMA1)
            }
#define PUT1(r) put16 (ci + (gsize) r * ldc, acc##r, accumulate);
          ROWS8 (PUT1)
        }
      for (; i < m; i++)
        {
          v16sf acc0 = splat (0);

          for (int p = 0; p < k; p++)
            acc0 += BCAST16 (a[(gsize) i * lda + p]) * load16 (b + (gsize) p * ldb + j);
          put16 (c + (gsize) i * ldc + j, acc0, accumulate);
        }
    }
}
#endif

void
_bw_nn_gemm_infer (int          m,
                   int          n,
                   int          k,
                   const float *a,
                   int          lda,
                   const float *b,
                   int          ldb,
                   gboolean     accumulate,
                   float       *c,
                   int          ldc)
{
#ifdef HAVE_GEMM_AVX512
  static int have_avx512 = -1;

  if (have_avx512 < 0)
    {
      __builtin_cpu_init ();
      have_avx512 = __builtin_cpu_supports ("x86-64-v4") ? 1 : 0;
    }
  if (have_avx512 && n % 16 == 0)
    {
      gemm_avx512 (m, n, k, a, lda, b, ldb, accumulate, c, ldc);
      return;
    }
#endif
  bw_nn_gemm (FALSE, FALSE, m, n, k, 1, a, lda, b, ldb, accumulate ? 1 : 0, c, ldc);
}
