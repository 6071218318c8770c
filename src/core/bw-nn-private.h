/* bw-nn-private.h: helpers shared by the files of the neural-network layer
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <math.h>

#include "bw-nn.h"

/* tanh through one expf: glibc's tanhf goes through expm1f, several times
 * slower, and the recurrent cells spend most of their non-matrix time here */
static inline float
_bw_nn_tanh (float x)
{
  float e;

  if (x > 9.0f)
    return 1.0f;
  if (x < -9.0f)
    return -1.0f;
  if (fabsf (x) < 0.005f)
    return x - x * x * x / 3.0f;
  e = expf (2.0f * x);
  return (e - 1.0f) / (e + 1.0f);
}

/* ---- kernels (bw-nn-kernels.c, vectorised for the running CPU) -------- */

/* e^x and _bw_nn_tanh() to about one unit in the last place */
void _bw_nn_vexp             (const float *x,
                              float       *y,
                              gsize        n);
void _bw_nn_vtanh            (const float *x,
                              float       *y,
                              gsize        n);
/* an LSTM cell for inference: @z [n × 4H] pre-activations (i, f, g, o),
 * plus @add [n × 4H] when non-NULL, @c_prev [n × H] the previous cell
 * state, @c the new one (not @c_prev), @h the output */
void _bw_nn_lstm_cell_infer  (BwNnAct      act,
                              const float *z,
                              const float *add,
                              const float *c_prev,
                              float       *c,
                              float       *h,
                              int          n,
                              int          hidden);
void _bw_nn_relu             (const float *x,
                              float       *y,
                              gsize        n);
void _bw_nn_relu_backward    (const float *x,
                              const float *dy,
                              float       *dx,
                              gsize        n);
/* @rows copies of @row (@len values) */
void _bw_nn_fill_rows        (float       *y,
                              const float *row,
                              gsize        rows,
                              int          len);
/* the columns of a 1-D (transposed) convolution: short position o, tap e
 * reads long position o·stride + taps[e] − pad */
void _bw_nn_im2col_1d        (const float *x,
                              int          batch,
                              int          long_w,
                              int          short_w,
                              int          stride,
                              int          pad,
                              const int   *taps,
                              int          n_taps,
                              int          ch,
                              float       *cols);
void _bw_nn_col2im_1d        (const float *cols,
                              int          batch,
                              int          long_w,
                              int          short_w,
                              int          stride,
                              int          pad,
                              const int   *taps,
                              int          n_taps,
                              int          ch,
                              float       *x);
/* C = A·B, or C + A·B with @accumulate (row-major, no transposes): for the
 * inference paths; AVX-512 where the CPU has it, BLAS elsewhere */
void _bw_nn_gemm_infer       (int          m,
                              int          n,
                              int          k,
                              const float *a,
                              int          lda,
                              const float *b,
                              int          ldb,
                              gboolean     accumulate,
                              float       *c,
                              int          ldc);
