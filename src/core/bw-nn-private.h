/* bw-nn-private.h: helpers shared by the files of the neural-network layer
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <math.h>

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
