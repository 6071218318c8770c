/* bw-linalg.h: the few dense kernels the detectors spend their time in
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Solve A X = B in place by LU with partial pivoting. @a is n × n
 * row-major (destroyed), @b is n × nrhs row-major (becomes X). FALSE if a
 * pivot is exactly zero. */
gboolean bw_linalg_lu_solve         (double       *a,
                                     gsize         n,
                                     double       *b,
                                     gsize         nrhs);

/* Solve A X = B for symmetric positive definite A by Cholesky; same
 * layout as bw_linalg_lu_solve(). FALSE (and @a, @b undefined) if A is
 * not positive definite. */
gboolean bw_linalg_cholesky_solve   (double       *a,
                                     gsize         n,
                                     double       *b,
                                     gsize         nrhs);

/* out[j] = ‖z − column j of @dt‖, j < m, for @dt p rows of @ld values
 * (row c holds feature c of every column). */
void     bw_linalg_distances        (const double *dt,
                                     gsize         p,
                                     gsize         ld,
                                     gsize         m,
                                     const double *z,
                                     double       *out);

/* out[j] = 1 − ‖z − column j‖ / (norm[j] + znorm), 1 when both norms are
 * 0: bw_linalg_distances() and bw_linalg_skab_similarity() in one pass */
void     bw_linalg_skab_kernel      (const double *dt,
                                     gsize         p,
                                     gsize         ld,
                                     gsize         m,
                                     const double *z,
                                     double        znorm,
                                     const double *norm,
                                     double       *out);

/* In place: d[j] → 1 − d[j] / (norm[j] + znorm), 1 when both norms are 0 */
void     bw_linalg_skab_similarity  (double       *d,
                                     const double *norm,
                                     double        znorm,
                                     gsize         m);

/* out = W k for W p × m row-major */
void     bw_linalg_gemv             (const double *w,
                                     gsize         p,
                                     gsize         m,
                                     const double *k,
                                     double       *out);

/* Sort @idx (0 … n−1 on entry) by @values ascending, stable. */
void     bw_linalg_argsort          (const double *values,
                                     guint        *idx,
                                     gsize         n);

G_END_DECLS
