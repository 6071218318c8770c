/* bw-nn.c: parameters, optimisers, dense layers, activations, losses and the
 * training loop of the neural-network layer
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-nn"

#include "config.h"

#include <math.h>
#include <string.h>

#include "bw-error.h"
#include "bw-nn.h"
#include "bw-nn-private.h"

#ifdef BW_HAVE_OPENBLAS
/* OpenBLAS's Fortran entry point: GSL's CBLAS also defines cblas_sgemm, and
 * the one linked first would win; sgemm_ exists only in OpenBLAS. */
extern void sgemm_ (const char *transa, const char *transb,
                    const int *m, const int *n, const int *k,
                    const float *alpha, const float *a, const int *lda,
                    const float *b, const int *ldb,
                    const float *beta, float *c, const int *ldc);
extern void openblas_set_num_threads (int n);
#else
#include <gsl/gsl_cblas.h>
#endif

/* ---- random numbers: xoshiro256** seeded by splitmix64 ---------------- */

static guint64
splitmix64 (guint64 *x)
{
  guint64 z = (*x += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static inline guint64
rotl (guint64 x,
      int     k)
{
  return (x << k) | (x >> (64 - k));
}

static guint64
rng_next (BwNnRng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

void
bw_nn_rng_init (BwNnRng *rng,
                guint64  seed)
{
  guint64 x = seed;

  for (guint i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&x);
  rng->have_spare = FALSE;
  rng->spare = 0;
}

double
bw_nn_rng_uniform (BwNnRng *rng)
{
  return (rng_next (rng) >> 11) * (1.0 / 9007199254740992.0);
}

double
bw_nn_rng_normal (BwNnRng *rng)
{
  double u, v, s;

  if (rng->have_spare)
    {
      rng->have_spare = FALSE;
      return rng->spare;
    }
  do
    {
      u = 2 * bw_nn_rng_uniform (rng) - 1;
      v = 2 * bw_nn_rng_uniform (rng) - 1;
      s = u * u + v * v;
    }
  while (s >= 1 || s == 0);
  s = sqrt (-2 * log (s) / s);
  rng->spare = v * s;
  rng->have_spare = TRUE;
  return u * s;
}

guint
bw_nn_rng_below (BwNnRng *rng,
                 guint    n)
{
  return (guint) (bw_nn_rng_uniform (rng) * n);
}

void
bw_nn_rng_shuffle (BwNnRng *rng,
                   guint   *v,
                   guint    n)
{
  for (guint i = n; i > 1; i--)
    {
      guint j = bw_nn_rng_below (rng, i);
      guint t = v[i - 1];

      v[i - 1] = v[j];
      v[j] = t;
    }
}

/* ---- matrix product ---------------------------------------------------- */

void
bw_nn_gemm (gboolean     ta,
            gboolean     tb,
            int          m,
            int          n,
            int          k,
            float        alpha,
            const float *a,
            int          lda,
            const float *b,
            int          ldb,
            float        beta,
            float       *c,
            int          ldc)
{
  if (m <= 0 || n <= 0)
    return;
  if (k <= 0)
    {
      for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
          c[(gsize) i * ldc + j] = beta == 0 ? 0 : beta * c[(gsize) i * ldc + j];
      return;
    }
#ifdef BW_HAVE_OPENBLAS
  {
    static gsize once = 0;
    /* row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ */
    char tra = ta ? 'T' : 'N';
    char trb = tb ? 'T' : 'N';

    if (g_once_init_enter (&once))
      {
        /* the speed targets are per core; results must not depend on
         * how a sum was split between threads */
        openblas_set_num_threads (1);
        g_once_init_leave (&once, 1);
      }
    sgemm_ (&trb, &tra, &n, &m, &k, &alpha, b, &ldb, a, &lda, &beta, c, &ldc);
  }
#else
  cblas_sgemm (CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
               tb ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb,
               beta, c, ldc);
#endif
}

const char *
bw_nn_blas_name (void)
{
#ifdef BW_HAVE_OPENBLAS
  return "OpenBLAS";
#else
  return "GSL CBLAS";
#endif
}

/* ---- parameters -------------------------------------------------------- */

struct _BwNnParams
{
  GPtrArray *items;
};

static void
param_free (gpointer data)
{
  BwNnParam *p = data;

  g_free (p->name);
  g_free (p->w);
  g_free (p->g);
  g_free (p->m);
  g_free (p->v);
  g_free (p);
}

BwNnParams *
bw_nn_params_new (void)
{
  BwNnParams *params = g_new0 (BwNnParams, 1);

  params->items = g_ptr_array_new_with_free_func (param_free);
  return params;
}

void
bw_nn_params_free (BwNnParams *params)
{
  if (params == NULL)
    return;
  g_ptr_array_unref (params->items);
  g_free (params);
}

BwNnParam *
bw_nn_params_add (BwNnParams *params,
                  const char *name,
                  gsize       size)
{
  BwNnParam *p = g_new0 (BwNnParam, 1);

  p->name = g_strdup (name);
  p->size = size;
  p->w = g_new0 (float, size);
  p->g = g_new0 (float, size);
  p->m = g_new0 (float, size);
  p->v = g_new0 (float, size);
  g_ptr_array_add (params->items, p);
  return p;
}

guint
bw_nn_params_len (BwNnParams *params)
{
  return params->items->len;
}

BwNnParam *
bw_nn_params_get (BwNnParams *params,
                  guint       i)
{
  return g_ptr_array_index (params->items, i);
}

gsize
bw_nn_params_count (BwNnParams *params)
{
  gsize n = 0;

  for (guint i = 0; i < params->items->len; i++)
    n += bw_nn_params_get (params, i)->size;
  return n;
}

void
bw_nn_params_zero_grad (BwNnParams *params)
{
  for (guint i = 0; i < params->items->len; i++)
    {
      BwNnParam *p = bw_nn_params_get (params, i);

      memset (p->g, 0, p->size * sizeof (float));
    }
}

void
bw_nn_params_reset_state (BwNnParams *params)
{
  for (guint i = 0; i < params->items->len; i++)
    {
      BwNnParam *p = bw_nn_params_get (params, i);

      memset (p->m, 0, p->size * sizeof (float));
      memset (p->v, 0, p->size * sizeof (float));
    }
}

void
bw_nn_params_copy_values (BwNnParams *dst,
                          BwNnParams *src)
{
  g_return_if_fail (dst->items->len == src->items->len);
  for (guint i = 0; i < src->items->len; i++)
    {
      BwNnParam *d = bw_nn_params_get (dst, i);
      BwNnParam *s = bw_nn_params_get (src, i);

      g_return_if_fail (d->size == s->size);
      memcpy (d->w, s->w, s->size * sizeof (float));
    }
}

float *
bw_nn_params_snapshot (BwNnParams *params)
{
  float *snap = g_new (float, MAX (bw_nn_params_count (params), 1));
  gsize off = 0;

  for (guint i = 0; i < params->items->len; i++)
    {
      BwNnParam *p = bw_nn_params_get (params, i);

      memcpy (snap + off, p->w, p->size * sizeof (float));
      off += p->size;
    }
  return snap;
}

void
bw_nn_params_restore (BwNnParams  *params,
                      const float *snapshot)
{
  gsize off = 0;

  for (guint i = 0; i < params->items->len; i++)
    {
      BwNnParam *p = bw_nn_params_get (params, i);

      memcpy (p->w, snapshot + off, p->size * sizeof (float));
      off += p->size;
    }
}

JsonNode *
bw_nn_params_to_json (BwNnParams *params)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  for (guint i = 0; i < params->items->len; i++)
    {
      BwNnParam *p = bw_nn_params_get (params, i);
      g_autofree guint32 *le = g_new (guint32, MAX (p->size, 1));
      g_autofree char *b64 = NULL;

      for (gsize j = 0; j < p->size; j++)
        {
          guint32 bits;

          memcpy (&bits, &p->w[j], sizeof bits);
          le[j] = GUINT32_TO_LE (bits);
        }
      b64 = g_base64_encode ((const guchar *) le, p->size * sizeof (guint32));
      json_builder_set_member_name (b, p->name);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "size");
      json_builder_add_int_value (b, (gint64) p->size);
      json_builder_set_member_name (b, "data");
      json_builder_add_string_value (b, b64);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
bw_nn_params_from_json (BwNnParams  *params,
                        JsonNode    *node,
                        GError     **error)
{
  JsonObject *obj;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "weights: expected an object");
      return FALSE;
    }
  obj = json_node_get_object (node);
  for (guint i = 0; i < params->items->len; i++)
    {
      BwNnParam *p = bw_nn_params_get (params, i);
      JsonNode *member = json_object_get_member (obj, p->name);
      JsonObject *po;
      const char *data;
      g_autofree guchar *raw = NULL;
      gsize len = 0;

      if (member == NULL || !JSON_NODE_HOLDS_OBJECT (member))
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                       "weights: missing tensor “%s”", p->name);
          return FALSE;
        }
      po = json_node_get_object (member);
      if (json_object_get_int_member_with_default (po, "size", -1) != (gint64) p->size)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                       "weights: tensor “%s” has the wrong size (expected %" G_GSIZE_FORMAT ")",
                       p->name, p->size);
          return FALSE;
        }
      data = json_object_get_string_member_with_default (po, "data", NULL);
      if (data == NULL)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                       "weights: tensor “%s” has no data", p->name);
          return FALSE;
        }
      raw = g_base64_decode (data, &len);
      if (len != p->size * sizeof (guint32))
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                       "weights: tensor “%s” holds %" G_GSIZE_FORMAT " bytes, expected %"
                       G_GSIZE_FORMAT, p->name, len, p->size * sizeof (guint32));
          return FALSE;
        }
      for (gsize j = 0; j < p->size; j++)
        {
          guint32 bits;

          memcpy (&bits, raw + 4 * j, sizeof bits);
          bits = GUINT32_FROM_LE (bits);
          memcpy (&p->w[j], &bits, sizeof bits);
          if (!isfinite (p->w[j]))
            {
              g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                           "weights: tensor “%s” holds a non-finite value", p->name);
              return FALSE;
            }
        }
    }
  return TRUE;
}

void
bw_nn_init_glorot_uniform (float   *w,
                           gsize    n,
                           int      fan_in,
                           int      fan_out,
                           BwNnRng *rng)
{
  double limit = sqrt (6.0 / MAX (fan_in + fan_out, 1));

  for (gsize i = 0; i < n; i++)
    w[i] = (float) ((2 * bw_nn_rng_uniform (rng) - 1) * limit);
}

void
bw_nn_init_orthogonal (float   *w,
                       int      rows,
                       int      cols,
                       BwNnRng *rng)
{
  /* Gram–Schmidt on the longer side of a normal random matrix */
  gboolean flip = rows < cols;
  int n = flip ? cols : rows;   /* vector length */
  int k = flip ? rows : cols;   /* number of vectors */
  g_autofree double *q = g_new (double, (gsize) n * k);

  for (int j = 0; j < k; j++)
    {
      double *v = q + (gsize) j * n;
      double norm = 0;

      for (int i = 0; i < n; i++)
        v[i] = bw_nn_rng_normal (rng);
      for (int pass = 0; pass < 2; pass++)
        for (int p = 0; p < j; p++)
          {
            double *u = q + (gsize) p * n;
            double dot = 0;

            for (int i = 0; i < n; i++)
              dot += u[i] * v[i];
            for (int i = 0; i < n; i++)
              v[i] -= dot * u[i];
          }
      for (int i = 0; i < n; i++)
        norm += v[i] * v[i];
      norm = sqrt (norm);
      for (int i = 0; i < n; i++)
        v[i] /= norm > 0 ? norm : 1;
    }
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < cols; c++)
      w[(gsize) r * cols + c] = (float) (flip ? q[(gsize) r * n + c] : q[(gsize) c * n + r]);
}

/* ---- optimisers -------------------------------------------------------- */

void
bw_nn_optimizer_init (BwNnOptimizer *opt,
                      BwNnOptKind    kind,
                      float          lr)
{
  /* Keras defaults */
  opt->kind = kind;
  opt->lr = lr;
  opt->beta1 = 0.9f;
  opt->beta2 = kind == BW_NN_OPT_ADAM ? 0.999f : 0.9f;
  opt->eps = 1e-7f;
  opt->step = 0;
}

void
bw_nn_optimizer_step (BwNnOptimizer *opt,
                      BwNnParams    *params)
{
  opt->step++;
  if (opt->kind == BW_NN_OPT_ADAM)
    {
      double c1 = 1 - pow (opt->beta1, (double) opt->step);
      double c2 = 1 - pow (opt->beta2, (double) opt->step);
      float lr_t = (float) (opt->lr * sqrt (c2) / c1);
      float b1 = opt->beta1, b2 = opt->beta2, eps = opt->eps;

      for (guint i = 0; i < bw_nn_params_len (params); i++)
        {
          BwNnParam *p = bw_nn_params_get (params, i);

          for (gsize j = 0; j < p->size; j++)
            {
              float g = p->g[j];

              p->m[j] = b1 * p->m[j] + (1 - b1) * g;
              p->v[j] = b2 * p->v[j] + (1 - b2) * g * g;
              p->w[j] -= lr_t * p->m[j] / (sqrtf (p->v[j]) + eps);
            }
        }
    }
  else
    {
      float rho = opt->beta2, lr = opt->lr, eps = opt->eps;

      for (guint i = 0; i < bw_nn_params_len (params); i++)
        {
          BwNnParam *p = bw_nn_params_get (params, i);

          for (gsize j = 0; j < p->size; j++)
            {
              float g = p->g[j];

              p->v[j] = rho * p->v[j] + (1 - rho) * g * g;
              p->w[j] -= lr * g / (sqrtf (p->v[j]) + eps);
            }
        }
    }
}

/* ---- activations ------------------------------------------------------- */

#define SELU_ALPHA 1.6732632423543772f
#define SELU_SCALE 1.0507009873554805f

void
bw_nn_act_forward (BwNnAct      act,
                   const float *x,
                   float       *y,
                   gsize        n)
{
  switch (act)
    {
    case BW_NN_ACT_LINEAR:
      if (y != x)
        memcpy (y, x, n * sizeof (float));
      break;
    case BW_NN_ACT_RELU:
      for (gsize i = 0; i < n; i++)
        y[i] = x[i] > 0 ? x[i] : 0;
      break;
    case BW_NN_ACT_TANH:
      for (gsize i = 0; i < n; i++)
        y[i] = _bw_nn_tanh (x[i]);
      break;
    case BW_NN_ACT_SIGMOID:
      for (gsize i = 0; i < n; i++)
        y[i] = 1 / (1 + expf (-x[i]));
      break;
    case BW_NN_ACT_SELU:
      for (gsize i = 0; i < n; i++)
        y[i] = x[i] > 0 ? SELU_SCALE * x[i] : SELU_SCALE * SELU_ALPHA * (expf (x[i]) - 1);
      break;
    default:
      g_assert_not_reached ();
    }
}

void
bw_nn_act_backward (BwNnAct      act,
                    const float *x,
                    const float *y,
                    const float *dy,
                    float       *dx,
                    gsize        n)
{
  switch (act)
    {
    case BW_NN_ACT_LINEAR:
      if (dx != dy)
        memcpy (dx, dy, n * sizeof (float));
      break;
    case BW_NN_ACT_RELU:
      for (gsize i = 0; i < n; i++)
        dx[i] = x[i] > 0 ? dy[i] : 0;
      break;
    case BW_NN_ACT_TANH:
      for (gsize i = 0; i < n; i++)
        dx[i] = dy[i] * (1 - y[i] * y[i]);
      break;
    case BW_NN_ACT_SIGMOID:
      for (gsize i = 0; i < n; i++)
        dx[i] = dy[i] * y[i] * (1 - y[i]);
      break;
    case BW_NN_ACT_SELU:
      for (gsize i = 0; i < n; i++)
        dx[i] = x[i] > 0 ? dy[i] * SELU_SCALE : dy[i] * (y[i] + SELU_SCALE * SELU_ALPHA);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* ---- dense ------------------------------------------------------------ */

void
bw_nn_dense_init (BwNnDense  *d,
                  BwNnParams *params,
                  const char *name,
                  int         in,
                  int         out,
                  BwNnRng    *rng)
{
  g_autofree char *wn = g_strconcat (name, ".kernel", NULL);
  g_autofree char *bn = g_strconcat (name, ".bias", NULL);

  d->in = in;
  d->out = out;
  d->w = bw_nn_params_add (params, wn, (gsize) in * out);
  d->b = bw_nn_params_add (params, bn, out);
  bw_nn_init_glorot_uniform (d->w->w, d->w->size, in, out, rng);
}

void
bw_nn_dense_forward (BwNnDense   *d,
                     const float *x,
                     int          batch,
                     float       *y)
{
  for (int r = 0; r < batch; r++)
    memcpy (y + (gsize) r * d->out, d->b->w, d->out * sizeof (float));
  bw_nn_gemm (FALSE, FALSE, batch, d->out, d->in, 1, x, d->in, d->w->w, d->out, 1, y, d->out);
}

void
bw_nn_dense_backward (BwNnDense   *d,
                      const float *x,
                      const float *dy,
                      int          batch,
                      float       *dx)
{
  bw_nn_gemm (TRUE, FALSE, d->in, d->out, batch, 1, x, d->in, dy, d->out, 1, d->w->g, d->out);
  for (int r = 0; r < batch; r++)
    for (int j = 0; j < d->out; j++)
      d->b->g[j] += dy[(gsize) r * d->out + j];
  if (dx != NULL)
    bw_nn_gemm (FALSE, TRUE, batch, d->in, d->out, 1, dy, d->out, d->w->w, d->out, 0, dx, d->in);
}

/* ---- batch normalisation ---------------------------------------------- */

void
bw_nn_batch_norm_init (BwNnBatchNorm *bn,
                       BwNnParams    *params,
                       const char    *name,
                       int            dim)
{
  g_autofree char *gn = g_strconcat (name, ".gamma", NULL);
  g_autofree char *bname = g_strconcat (name, ".beta", NULL);
  g_autofree char *mn = g_strconcat (name, ".moving_mean", NULL);
  g_autofree char *vn = g_strconcat (name, ".moving_variance", NULL);

  memset (bn, 0, sizeof *bn);
  bn->dim = dim;
  bn->momentum = 0.99f;
  bn->eps = 1e-3f;
  bn->gamma = bw_nn_params_add (params, gn, dim);
  bn->beta = bw_nn_params_add (params, bname, dim);
  bn->mean = bw_nn_params_add (params, mn, dim);
  bn->var = bw_nn_params_add (params, vn, dim);
  for (int j = 0; j < dim; j++)
    {
      bn->gamma->w[j] = 1;
      bn->var->w[j] = 1;
    }
}

void
bw_nn_batch_norm_clear (BwNnBatchNorm *bn)
{
  g_clear_pointer (&bn->xhat, g_free);
  g_clear_pointer (&bn->inv_std, g_free);
}

void
bw_nn_batch_norm_forward (BwNnBatchNorm *bn,
                          const float   *x,
                          int            rows,
                          gboolean       train,
                          float         *y)
{
  int d = bn->dim;

  if (!train)
    {
      for (int j = 0; j < d; j++)
        {
          float s = bn->gamma->w[j] / sqrtf (bn->var->w[j] + bn->eps);

          for (int r = 0; r < rows; r++)
            y[(gsize) r * d + j] = (x[(gsize) r * d + j] - bn->mean->w[j]) * s + bn->beta->w[j];
        }
      return;
    }

  if (rows > bn->batch)
    {
      bn->xhat = g_renew (float, bn->xhat, (gsize) rows * d);
      bn->batch = rows;
    }
  if (bn->inv_std == NULL)
    bn->inv_std = g_new (float, d);
  for (int j = 0; j < d; j++)
    {
      double mean = 0, var = 0;
      float inv;

      for (int r = 0; r < rows; r++)
        mean += x[(gsize) r * d + j];
      mean /= rows;
      for (int r = 0; r < rows; r++)
        {
          double t = x[(gsize) r * d + j] - mean;

          var += t * t;
        }
      var /= rows;
      inv = (float) (1 / sqrt (var + bn->eps));
      bn->inv_std[j] = inv;
      for (int r = 0; r < rows; r++)
        {
          float xh = (float) (x[(gsize) r * d + j] - mean) * inv;

          bn->xhat[(gsize) r * d + j] = xh;
          y[(gsize) r * d + j] = bn->gamma->w[j] * xh + bn->beta->w[j];
        }
      /* Keras keeps the moving variance with the biased batch variance */
      bn->mean->w[j] = bn->momentum * bn->mean->w[j] + (1 - bn->momentum) * (float) mean;
      bn->var->w[j] = bn->momentum * bn->var->w[j] + (1 - bn->momentum) * (float) var;
    }
}

void
bw_nn_batch_norm_backward (BwNnBatchNorm *bn,
                           const float   *dy,
                           int            rows,
                           float         *dx)
{
  int d = bn->dim;

  for (int j = 0; j < d; j++)
    {
      double sum_dy = 0, sum_dy_xh = 0;
      float g = bn->gamma->w[j];

      for (int r = 0; r < rows; r++)
        {
          sum_dy += dy[(gsize) r * d + j];
          sum_dy_xh += dy[(gsize) r * d + j] * bn->xhat[(gsize) r * d + j];
        }
      bn->gamma->g[j] += (float) sum_dy_xh;
      bn->beta->g[j] += (float) sum_dy;
      if (dx != NULL)
        for (int r = 0; r < rows; r++)
          {
            gsize at = (gsize) r * d + j;

            dx[at] = (float) (g * bn->inv_std[j] / rows
                              * (rows * dy[at] - sum_dy - bn->xhat[at] * sum_dy_xh));
          }
    }
}

/* ---- dropout ---------------------------------------------------------- */

void
bw_nn_dropout_clear (BwNnDropout *d)
{
  g_clear_pointer (&d->mask, g_free);
  d->size = 0;
}

void
bw_nn_dropout_forward (BwNnDropout *d,
                       float       *x,
                       gsize        n,
                       gboolean     train,
                       BwNnRng     *rng)
{
  float keep = 1 - d->rate;

  if (!train || d->rate <= 0)
    return;
  if (n > d->size)
    {
      d->mask = g_renew (float, d->mask, n);
      d->size = n;
    }
  for (gsize i = 0; i < n; i++)
    {
      d->mask[i] = bw_nn_rng_uniform (rng) < keep ? 1 / keep : 0;
      x[i] *= d->mask[i];
    }
}

void
bw_nn_dropout_backward (BwNnDropout *d,
                        float       *dx,
                        gsize        n)
{
  if (d->rate <= 0 || d->mask == NULL)
    return;
  for (gsize i = 0; i < n; i++)
    dx[i] *= d->mask[i];
}

/* ---- VAE --------------------------------------------------------------- */

void
bw_nn_reparam_forward (const float *mu,
                       const float *logvar,
                       const float *eps,
                       float       *z,
                       gsize        n)
{
  for (gsize i = 0; i < n; i++)
    z[i] = mu[i] + expf (0.5f * logvar[i]) * eps[i];
}

void
bw_nn_reparam_backward (const float *logvar,
                        const float *eps,
                        const float *dz,
                        float       *dmu,
                        float       *dlogvar,
                        gsize        n)
{
  for (gsize i = 0; i < n; i++)
    {
      dmu[i] += dz[i];
      dlogvar[i] += dz[i] * 0.5f * expf (0.5f * logvar[i]) * eps[i];
    }
}

float
bw_nn_kl_loss (const float *mu,
               const float *logvar,
               gsize        n,
               float        weight,
               float       *dmu,
               float       *dlogvar)
{
  double sum = 0;

  for (gsize i = 0; i < n; i++)
    {
      float e = expf (logvar[i]);

      sum += 1 + logvar[i] - mu[i] * mu[i] - e;
      if (dmu != NULL)
        {
          dmu[i] += weight * mu[i] / n;
          dlogvar[i] += weight * -0.5f * (1 - e) / n;
        }
    }
  return (float) (-0.5 * sum / n * weight);
}

/* ---- losses ------------------------------------------------------------ */

float
bw_nn_mse_loss (const float *y,
                const float *target,
                gsize        n,
                float       *dy)
{
  double sum = 0;

  for (gsize i = 0; i < n; i++)
    {
      float d = y[i] - target[i];

      sum += d * d;
      if (dy != NULL)
        dy[i] = 2 * d / n;
    }
  return (float) (sum / n);
}

float
bw_nn_mae_loss (const float *y,
                const float *target,
                gsize        n,
                float       *dy)
{
  double sum = 0;

  for (gsize i = 0; i < n; i++)
    {
      float d = y[i] - target[i];

      sum += fabsf (d);
      if (dy != NULL)
        dy[i] = (d > 0 ? 1.0f : d < 0 ? -1.0f : 0.0f) / n;
    }
  return (float) (sum / n);
}

/* ---- training loop ---------------------------------------------------- */

void
bw_nn_fit_config_init (BwNnFitConfig *config)
{
  memset (config, 0, sizeof *config);
  config->epochs = 10;
  config->batch_size = 32;
  config->shuffle = TRUE;
  config->lr_min = 0;
}

static float
run_epoch (const guint  *idx,
           guint         n,
           guint         batch_size,
           gboolean      train,
           BwNnParams   *params,
           BwNnOptimizer *opt,
           BwNnBatchFunc func,
           gpointer      model)
{
  double sum = 0;

  for (guint start = 0; start < n; start += batch_size)
    {
      guint len = MIN (batch_size, n - start);
      float loss;

      if (train)
        bw_nn_params_zero_grad (params);
      loss = func (model, idx + start, len, train);
      if (train)
        bw_nn_optimizer_step (opt, params);
      sum += (double) loss * len;
    }
  return n > 0 ? (float) (sum / n) : 0;
}

void
bw_nn_fit (BwNnParams          *params,
           BwNnOptimizer       *opt,
           const BwNnFitConfig *config,
           guint                n_samples,
           BwNnRng             *rng,
           BwNnBatchFunc        func,
           gpointer             model,
           BwNnFitReport       *report)
{
  guint n_val = (guint) (n_samples * config->validation_split);
  guint n_train = n_samples - n_val;
  g_autofree guint *train_idx = g_new (guint, MAX (n_train, 1));
  g_autofree guint *val_idx = g_new (guint, MAX (n_val, 1));
  g_autofree float *best = NULL;
  float best_val = INFINITY, best_monitor = INFINITY;
  guint wait = 0, lr_wait = 0, epoch;
  GArray *history = g_array_new (FALSE, FALSE, sizeof (float));

  if (n_train == 0)
    {
      n_train = n_samples;
      n_val = 0;
      train_idx = g_renew (guint, train_idx, MAX (n_train, 1));
    }
  for (guint i = 0; i < n_train; i++)
    train_idx[i] = i;
  for (guint i = 0; i < n_val; i++)
    val_idx[i] = n_train + i;

  for (epoch = 0; epoch < config->epochs; epoch++)
    {
      float loss, val_loss, monitor;

      if (config->shuffle)
        bw_nn_rng_shuffle (rng, train_idx, n_train);
      loss = run_epoch (train_idx, n_train, config->batch_size, TRUE, params, opt, func, model);
      g_array_append_val (history, loss);
      val_loss = n_val > 0
        ? run_epoch (val_idx, n_val, MAX (config->batch_size, 256), FALSE, params, opt, func, model)
        : loss;
      g_debug ("epoch %u: loss %.6g, val_loss %.6g", epoch + 1, loss, val_loss);

      if (!isfinite (loss))
        break;

      if (config->lr_factor > 0)
        {
          monitor = config->lr_on_train_loss ? loss : val_loss;
          if (monitor < best_monitor)
            {
              best_monitor = monitor;
              lr_wait = 0;
            }
          else if (++lr_wait >= config->lr_patience)
            {
              opt->lr = MAX (opt->lr * config->lr_factor, config->lr_min);
              lr_wait = 0;
            }
        }

      if (val_loss < best_val)
        {
          best_val = val_loss;
          wait = 0;
          if (config->restore_best)
            {
              g_free (best);
              best = bw_nn_params_snapshot (params);
            }
        }
      else if (config->patience > 0 && ++wait >= config->patience)
        {
          epoch++;
          break;
        }
    }
  if (config->restore_best && best != NULL)
    bw_nn_params_restore (params, best);

  if (report != NULL)
    {
      report->epochs_run = history->len;
      report->first_loss = history->len > 0 ? g_array_index (history, float, 0) : NAN;
      report->last_loss = history->len > 0 ? g_array_index (history, float, history->len - 1) : NAN;
      report->best_val_loss = best_val;
      report->loss_history = (float *) g_array_free (history, FALSE);
    }
  else
    g_array_free (history, TRUE);
}
