/* test-nn.c: gradients of every layer against finite differences, the
 * optimisers, serialisation and seeded determinism; the inference paths
 * and their kernels against the forward passes
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "bw-nn.h"
#include "bw-nn-private.h"

/* A layer under test: forward() fills ctx->y from ctx->x; backward() takes
 * dL/dy = ctx->r and fills parameter gradients and ctx->dx. The loss is
 * L = Σ r·y, so its gradient is exact and cheap. */
typedef struct Case Case;
struct Case
{
  BwNnParams *params;
  BwNnRng     rng;
  float      *x, *dx, *y, *r;
  gsize       nx, ny;
  void      (*forward)  (Case *c);
  void      (*backward) (Case *c);
  gpointer    layer;
  int         a, b, t, h, w;       /* shapes, per case */
  float      *aux;                 /* extra state */
};

static double
loss_of (Case *c)
{
  double s = 0;

  c->forward (c);
  for (gsize i = 0; i < c->ny; i++)
    s += (double) c->r[i] * c->y[i];
  return s;
}

static void
check_one (const char *what,
           gsize       j,
           double      num,
           double      ana)
{
  double tol = 2e-2 * MAX (1.0, fabs (num) + fabs (ana)) + 1e-3;

  if (fabs (num - ana) > tol)
    g_error ("%s[%" G_GSIZE_FORMAT "]: numeric %.6g, analytic %.6g", what, j, num, ana);
}

/* central difference of the loss in *v; NAN when two step sizes disagree,
 * which happens only when a ReLU kink lies within the step */
static double
numeric (Case  *c,
         float *v)
{
  const float eps = 2e-3f;
  float keep = *v;
  double d[2];

  for (int k = 0; k < 2; k++)
    {
      float e = k == 0 ? eps : eps / 4;
      double lp, lm;

      *v = keep + e;
      lp = loss_of (c);
      *v = keep - e;
      lm = loss_of (c);
      d[k] = (lp - lm) / (2 * e);
    }
  *v = keep;
  if (fabs (d[0] - d[1]) > 1e-2 * MAX (1.0, fabs (d[0])) + 1e-3)
    return NAN;
  return d[0];
}

static void
run_check (Case *c)
{
  BwNnRng pick;
  guint checked = 0, kinks = 0;

  c->r = g_new (float, c->ny);
  c->dx = g_new0 (float, c->nx);
  for (gsize i = 0; i < c->ny; i++)
    c->r[i] = (float) bw_nn_rng_normal (&c->rng);

  bw_nn_params_zero_grad (c->params);
  c->forward (c);
  c->backward (c);

  bw_nn_rng_init (&pick, 99);
  for (guint p = 0; p < bw_nn_params_len (c->params); p++)
    {
      BwNnParam *prm = bw_nn_params_get (c->params, p);

      if (g_str_has_suffix (prm->name, "moving_mean") || g_str_has_suffix (prm->name, "moving_variance"))
        continue;
      for (guint n = 0; n < MIN (prm->size, 12); n++)
        {
          gsize j = prm->size <= 12 ? n : bw_nn_rng_below (&pick, (guint) prm->size);
          double num = numeric (c, &prm->w[j]);

          if (isnan (num))
            {
              kinks++;
              continue;
            }
          check_one (prm->name, j, num, prm->g[j]);
          checked++;
        }
    }
  for (guint n = 0; n < MIN (c->nx, 16); n++)
    {
      gsize j = c->nx <= 16 ? n : bw_nn_rng_below (&pick, (guint) c->nx);
      double num = numeric (c, &c->x[j]);

      if (isnan (num))
        {
          kinks++;
          continue;
        }
      check_one ("input", j, num, c->dx[j]);
      checked++;
    }
  g_assert_cmpuint (checked, >, 0);
  g_assert_cmpuint (kinks, <=, checked / 10);
  g_free (c->r);
  g_free (c->dx);
}

static void
case_setup (Case  *c,
            gsize  nx,
            gsize  ny)
{
  memset (c, 0, sizeof *c);
  c->params = bw_nn_params_new ();
  bw_nn_rng_init (&c->rng, 7);
  c->nx = nx;
  c->ny = ny;
  c->x = g_new (float, nx);
  c->y = g_new0 (float, ny);
  for (gsize i = 0; i < nx; i++)
    c->x[i] = (float) bw_nn_rng_normal (&c->rng);
}

static void
case_teardown (Case *c)
{
  bw_nn_params_free (c->params);
  g_free (c->x);
  g_free (c->y);
  g_free (c->aux);
}

/* ---- dense + activation -------------------------------------------------- */

static void
dense_fwd (Case *c)
{
  BwNnDense *d = c->layer;

  bw_nn_dense_forward (d, c->x, c->a, c->aux);
  bw_nn_act_forward (c->b, c->aux, c->y, c->ny);
}

static void
dense_bwd (Case *c)
{
  BwNnDense *d = c->layer;
  g_autofree float *dz = g_new (float, c->ny);

  bw_nn_act_backward (c->b, c->aux, c->y, c->r, dz, c->ny);
  bw_nn_dense_backward (d, c->x, dz, c->a, c->dx);
}

static void
test_dense (void)
{
  BwNnAct acts[] = { BW_NN_ACT_LINEAR, BW_NN_ACT_TANH, BW_NN_ACT_SIGMOID, BW_NN_ACT_SELU,
                     BW_NN_ACT_RELU };

  for (guint i = 0; i < G_N_ELEMENTS (acts); i++)
    {
      Case c;
      BwNnDense d;

      case_setup (&c, 5 * 4, 5 * 3);
      bw_nn_dense_init (&d, c.params, "dense", 4, 3, &c.rng);
      c.layer = &d;
      c.a = 5;
      c.b = acts[i];
      c.aux = g_new (float, c.ny);
      c.forward = dense_fwd;
      c.backward = dense_bwd;
      run_check (&c);
      case_teardown (&c);
    }
}

/* ---- convolutions -------------------------------------------------------- */

static void
conv_fwd (Case *c)
{
  bw_nn_conv_forward (c->layer, c->x, c->a, c->h, c->w, c->y);
}

static void
conv_bwd (Case *c)
{
  bw_nn_conv_backward (c->layer, c->x, c->a, c->h, c->w, c->r, c->dx);
}

static void
check_conv (int      batch,
            int      h,
            int      w,
            int      cin,
            int      cout,
            int      kh,
            int      kw,
            int      sh,
            int      sw,
            gboolean transposed,
            int      expect_h,
            int      expect_w)
{
  Case c;
  BwNnConv conv;
  BwNnParams *tmp = bw_nn_params_new ();
  BwNnRng rng;
  int oh, ow;

  bw_nn_rng_init (&rng, 1);
  bw_nn_conv_init (&conv, tmp, "probe", cin, cout, kh, kw, sh, sw, transposed, &rng);
  bw_nn_conv_out_size (&conv, h, w, &oh, &ow);
  g_assert_cmpint (oh, ==, expect_h);
  g_assert_cmpint (ow, ==, expect_w);
  bw_nn_conv_clear (&conv);
  bw_nn_params_free (tmp);

  case_setup (&c, (gsize) batch * h * w * cin, (gsize) batch * oh * ow * cout);
  bw_nn_conv_init (&conv, c.params, "conv", cin, cout, kh, kw, sh, sw, transposed, &c.rng);
  for (int k = 0; k < cout; k++)
    conv.b->w[k] = (float) bw_nn_rng_normal (&c.rng);
  c.layer = &conv;
  c.a = batch;
  c.h = h;
  c.w = w;
  c.forward = conv_fwd;
  c.backward = conv_bwd;
  run_check (&c);
  bw_nn_conv_clear (&conv);
  case_teardown (&c);
}

static void
test_conv (void)
{
  /* Conv-AE's 1-D layers: 60 → 30 → 15 and back */
  check_conv (2, 1, 12, 3, 4, 1, 7, 1, 2, FALSE, 1, 6);
  check_conv (2, 1, 7, 3, 2, 1, 7, 1, 2, FALSE, 1, 4);
  check_conv (2, 1, 6, 4, 3, 1, 7, 1, 2, TRUE, 1, 12);
  check_conv (1, 1, 9, 2, 1, 1, 7, 1, 1, TRUE, 1, 9);
  /* MSCRED's 2-D layers */
  check_conv (2, 4, 4, 3, 5, 3, 3, 2, 2, FALSE, 2, 2);
  check_conv (2, 2, 2, 3, 4, 2, 2, 2, 2, FALSE, 1, 1);
  check_conv (2, 1, 1, 4, 3, 2, 2, 1, 1, FALSE, 1, 1);   /* taps dropped */
  check_conv (2, 1, 1, 4, 3, 2, 2, 2, 2, TRUE, 2, 2);
  check_conv (2, 2, 2, 3, 2, 3, 3, 2, 2, TRUE, 4, 4);
}

/* a known value: a 1-D same convolution with a [1, 1, 1] kernel sums neighbours */
static void
test_conv_values (void)
{
  g_autoptr(BwNnParams) params = bw_nn_params_new ();
  BwNnConv conv;
  BwNnRng rng;
  float x[5] = { 1, 2, 3, 4, 5 };
  float y[5], yt[10];
  float expect[5] = { 3, 6, 9, 12, 9 };

  bw_nn_rng_init (&rng, 1);
  bw_nn_conv_init (&conv, params, "c", 1, 1, 1, 3, 1, 1, FALSE, &rng);
  for (int k = 0; k < 3; k++)
    conv.w->w[k] = 1;
  bw_nn_conv_forward (&conv, x, 1, 1, 5, y);
  for (int i = 0; i < 5; i++)
    g_assert_cmpfloat_with_epsilon (y[i], expect[i], 1e-6);
  bw_nn_conv_clear (&conv);

  /* transposed, stride 2, kernel [1, 1]: every input lands on two outputs */
  bw_nn_conv_init (&conv, params, "t", 1, 1, 1, 2, 1, 2, TRUE, &rng);
  conv.w->w[0] = 1;
  conv.w->w[1] = 1;
  bw_nn_conv_forward (&conv, x, 1, 1, 5, yt);
  for (int i = 0; i < 10; i++)
    g_assert_cmpfloat_with_epsilon (yt[i], x[i / 2], 1e-6);
  bw_nn_conv_clear (&conv);
}

/* ---- LSTM -------------------------------------------------------------- */

static void
lstm_fwd (Case *c)
{
  bw_nn_lstm_forward (c->layer, c->x, c->a, c->t, c->b, c->y);
}

static void
lstm_bwd (Case *c)
{
  bw_nn_lstm_backward (c->layer, c->x, c->r, c->b, c->dx);
}

static void
check_lstm (BwNnAct  act,
            gboolean sequences)
{
  Case c;
  BwNnLstm lstm;
  int batch = 3, steps = 4, in = 3, hid = 5;

  case_setup (&c, (gsize) batch * steps * in, (gsize) batch * (sequences ? steps : 1) * hid);
  bw_nn_lstm_init (&lstm, c.params, "lstm", in, hid, act, &c.rng);
  for (gsize k = 0; k < lstm.b->size; k++)
    lstm.b->w[k] += 0.3f * (float) bw_nn_rng_normal (&c.rng);
  c.layer = &lstm;
  c.a = batch;
  c.t = steps;
  c.b = sequences;
  c.forward = lstm_fwd;
  c.backward = lstm_bwd;
  run_check (&c);
  bw_nn_lstm_clear (&lstm);
  case_teardown (&c);
}

static void
test_lstm (void)
{
  check_lstm (BW_NN_ACT_TANH, TRUE);
  check_lstm (BW_NN_ACT_TANH, FALSE);
  check_lstm (BW_NN_ACT_RELU, TRUE);
  check_lstm (BW_NN_ACT_RELU, FALSE);
}

/* ---- ConvLSTM ------------------------------------------------------------ */

static void
clstm_fwd (Case *c)
{
  bw_nn_conv_lstm_forward (c->layer, c->x, c->a, c->t, c->h, c->w, c->y);
}

static void
clstm_bwd (Case *c)
{
  bw_nn_conv_lstm_backward (c->layer, c->r, c->dx);
}

static void
check_conv_lstm (int side)
{
  Case c;
  BwNnConvLstm cl;
  int batch = 2, steps = 3, cin = 2, cout = 3;

  case_setup (&c, (gsize) batch * steps * side * side * cin,
              (gsize) batch * steps * side * side * cout);
  bw_nn_conv_lstm_init (&cl, c.params, "clstm", cin, cout, 2, &c.rng);
  c.layer = &cl;
  c.a = batch;
  c.t = steps;
  c.h = side;
  c.w = side;
  c.forward = clstm_fwd;
  c.backward = clstm_bwd;
  run_check (&c);
  bw_nn_conv_lstm_clear (&cl);
  case_teardown (&c);
}

static void
test_conv_lstm (void)
{
  check_conv_lstm (2);
  check_conv_lstm (1);
}

/* ---- attention -------------------------------------------------------- */

static void
att_fwd (Case *c)
{
  bw_nn_attention_forward (c->x, c->a, c->t, c->h, c->aux, c->y);
}

static void
att_bwd (Case *c)
{
  memset (c->dx, 0, c->nx * sizeof (float));
  bw_nn_attention_backward (c->x, c->a, c->t, c->h, c->aux, c->r, c->dx);
}

static void
test_attention (void)
{
  Case c;
  int batch = 2, steps = 5, dim = 6;

  case_setup (&c, (gsize) batch * steps * dim, (gsize) batch * dim);
  c.a = batch;
  c.t = steps;
  c.h = dim;
  c.aux = g_new (float, batch * steps);
  c.forward = att_fwd;
  c.backward = att_bwd;
  run_check (&c);
  /* the weights are a distribution */
  for (int b = 0; b < batch; b++)
    {
      double s = 0;

      for (int k = 0; k < steps; k++)
        s += c.aux[b * steps + k];
      g_assert_cmpfloat_with_epsilon (s, 1, 1e-5);
    }
  case_teardown (&c);
}

/* ---- batch normalisation ---------------------------------------------- */

static void
bn_fwd (Case *c)
{
  bw_nn_batch_norm_forward (c->layer, c->x, c->a, TRUE, c->y);
}

static void
bn_bwd (Case *c)
{
  bw_nn_batch_norm_backward (c->layer, c->r, c->a, c->dx);
}

static void
test_batch_norm (void)
{
  Case c;
  BwNnBatchNorm bn;
  int rows = 6, dim = 3;
  float out[3];

  case_setup (&c, (gsize) rows * dim, (gsize) rows * dim);
  bw_nn_batch_norm_init (&bn, c.params, "bn", dim);
  for (int j = 0; j < dim; j++)
    {
      bn.gamma->w[j] = 0.5f + j;
      bn.beta->w[j] = 0.1f * j;
    }
  c.layer = &bn;
  c.a = rows;
  c.forward = bn_fwd;
  c.backward = bn_bwd;
  run_check (&c);

  /* training moves the moving statistics; inference uses them */
  g_assert_cmpfloat (bn.mean->w[0], !=, 0);
  bw_nn_batch_norm_forward (&bn, c.x, 1, FALSE, out);
  g_assert_true (isfinite (out[0]));
  bw_nn_batch_norm_clear (&bn);
  case_teardown (&c);
}

/* ---- dropout: one mask, replayed for every evaluation ------------------- */

static void
drop_fwd (Case *c)
{
  BwNnRng rng;

  memcpy (c->y, c->x, c->nx * sizeof (float));
  bw_nn_rng_init (&rng, 5);
  bw_nn_dropout_forward (c->layer, c->y, c->nx, TRUE, &rng);
}

static void
drop_bwd (Case *c)
{
  memcpy (c->dx, c->r, c->nx * sizeof (float));
  bw_nn_dropout_backward (c->layer, c->dx, c->nx);
}

static void
test_dropout (void)
{
  Case c;
  BwNnDropout d = { .rate = 0.2f };
  guint zeros = 0;
  float copy[100];
  BwNnRng rng;

  case_setup (&c, 100, 100);
  c.layer = &d;
  c.forward = drop_fwd;
  c.backward = drop_bwd;
  run_check (&c);
  for (int i = 0; i < 100; i++)
    zeros += c.y[i] == 0;
  g_assert_cmpuint (zeros, >, 5);
  g_assert_cmpuint (zeros, <, 40);
  /* inference leaves the values alone */
  memcpy (copy, c.x, sizeof copy);
  bw_nn_rng_init (&rng, 1);
  bw_nn_dropout_forward (&d, copy, 100, FALSE, &rng);
  g_assert_cmpmem (copy, sizeof copy, c.x, sizeof copy);
  bw_nn_dropout_clear (&d);
  case_teardown (&c);
}

/* ---- VAE: reparameterisation and KL on x = [mu, logvar] ----------------- */

static void
vae_fwd (Case *c)
{
  gsize n = c->ny;

  bw_nn_reparam_forward (c->x, c->x + n, c->aux, c->y, n);
}

static void
vae_bwd (Case *c)
{
  gsize n = c->ny;

  memset (c->dx, 0, 2 * n * sizeof (float));
  bw_nn_reparam_backward (c->x + n, c->aux, c->r, c->dx, c->dx + n, n);
}

static void
test_reparam (void)
{
  Case c;
  gsize n = 8;
  float mu[4] = { 0.5f, -1, 0, 2 }, lv[4] = { 0, 0.5f, -1, 0.2f };
  float dmu[4] = { 0 }, dlv[4] = { 0 };
  const float eps = 1e-3f;

  case_setup (&c, 2 * n, n);
  c.aux = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    c.aux[i] = (float) bw_nn_rng_normal (&c.rng);
  c.forward = vae_fwd;
  c.backward = vae_bwd;
  run_check (&c);
  case_teardown (&c);

  /* KL: zero at the prior, and its gradient by differences */
  {
    float z0[2] = { 0, 0 };

    g_assert_cmpfloat_with_epsilon (bw_nn_kl_loss (z0, z0, 2, 1, NULL, NULL), 0, 1e-7);
  }
  bw_nn_kl_loss (mu, lv, 4, 1, dmu, dlv);
  for (int i = 0; i < 4; i++)
    {
      float keep = mu[i];
      double num;

      mu[i] = keep + eps;
      num = bw_nn_kl_loss (mu, lv, 4, 1, NULL, NULL);
      mu[i] = keep - eps;
      num -= bw_nn_kl_loss (mu, lv, 4, 1, NULL, NULL);
      mu[i] = keep;
      check_one ("kl.mu", i, num / (2 * eps), dmu[i]);
      keep = lv[i];
      lv[i] = keep + eps;
      num = bw_nn_kl_loss (mu, lv, 4, 1, NULL, NULL);
      lv[i] = keep - eps;
      num -= bw_nn_kl_loss (mu, lv, 4, 1, NULL, NULL);
      lv[i] = keep;
      check_one ("kl.logvar", i, num / (2 * eps), dlv[i]);
    }
}

/* ---- losses --------------------------------------------------------------- */

static void
test_losses (void)
{
  float y[3] = { 1, -2, 0.5f }, t[3] = { 0, 0, 1 }, dy[3];
  const float eps = 1e-3f;

  g_assert_cmpfloat_with_epsilon (bw_nn_mse_loss (y, t, 3, dy), (1 + 4 + 0.25) / 3, 1e-6);
  for (int i = 0; i < 3; i++)
    {
      float keep = y[i];
      double num;

      y[i] = keep + eps;
      num = bw_nn_mse_loss (y, t, 3, NULL);
      y[i] = keep - eps;
      num -= bw_nn_mse_loss (y, t, 3, NULL);
      y[i] = keep;
      check_one ("mse", i, num / (2 * eps), dy[i]);
    }
  g_assert_cmpfloat_with_epsilon (bw_nn_mae_loss (y, t, 3, dy), (1 + 2 + 0.5) / 3, 1e-6);
  g_assert_cmpfloat_with_epsilon (dy[1], -1.0 / 3, 1e-6);
}

/* ---- training: Adam and RMSprop fit a small regression ------------------ */

typedef struct
{
  BwNnParams *params;
  BwNnDense   d1, d2;
  float      *x, *t;
  float       h[64 * 8], hh[64 * 8], y[64], dy[64], dh[64 * 8];
} Reg;

static float
reg_batch (gpointer     model,
           const guint *idx,
           guint        n,
           gboolean     train)
{
  Reg *r = model;
  float xb[64 * 2], tb[64];
  float loss;

  for (guint i = 0; i < n; i++)
    {
      xb[2 * i] = r->x[2 * idx[i]];
      xb[2 * i + 1] = r->x[2 * idx[i] + 1];
      tb[i] = r->t[idx[i]];
    }
  bw_nn_dense_forward (&r->d1, xb, n, r->h);
  bw_nn_act_forward (BW_NN_ACT_TANH, r->h, r->hh, n * 8);
  bw_nn_dense_forward (&r->d2, r->hh, n, r->y);
  loss = bw_nn_mse_loss (r->y, tb, n, train ? r->dy : NULL);
  if (train)
    {
      bw_nn_dense_backward (&r->d2, r->hh, r->dy, n, r->dh);
      bw_nn_act_backward (BW_NN_ACT_TANH, r->h, r->hh, r->dh, r->dh, n * 8);
      bw_nn_dense_backward (&r->d1, xb, r->dh, n, NULL);
    }
  return loss;
}

static float *
train_regression (BwNnOptKind kind,
                  guint64     seed,
                  float      *first,
                  float      *last)
{
  Reg r = { 0 };
  BwNnRng rng;
  BwNnOptimizer opt;
  BwNnFitConfig cfg;
  BwNnFitReport rep;
  float *snap;

  r.params = bw_nn_params_new ();
  r.x = g_new (float, 2 * 200);
  r.t = g_new (float, 200);
  bw_nn_rng_init (&rng, seed);
  for (int i = 0; i < 200; i++)
    {
      r.x[2 * i] = (float) (2 * bw_nn_rng_uniform (&rng) - 1);
      r.x[2 * i + 1] = (float) (2 * bw_nn_rng_uniform (&rng) - 1);
      r.t[i] = sinf (2 * r.x[2 * i]) + r.x[2 * i + 1] * r.x[2 * i + 1];
    }
  bw_nn_dense_init (&r.d1, r.params, "d1", 2, 8, &rng);
  bw_nn_dense_init (&r.d2, r.params, "d2", 8, 1, &rng);
  bw_nn_optimizer_init (&opt, kind, 0.01f);
  bw_nn_fit_config_init (&cfg);
  cfg.epochs = 60;
  cfg.batch_size = 32;
  cfg.validation_split = 0.1f;
  cfg.patience = 10;
  bw_nn_fit (r.params, &opt, &cfg, 200, &rng, reg_batch, &r, &rep);
  *first = rep.first_loss;
  *last = rep.last_loss;
  g_assert_cmpuint (rep.epochs_run, >, 5);
  g_free (rep.loss_history);
  snap = bw_nn_params_snapshot (r.params);
  bw_nn_params_free (r.params);
  g_free (r.x);
  g_free (r.t);
  return snap;
}

static void
test_fit (void)
{
  float first, last;
  g_autofree float *a = train_regression (BW_NN_OPT_ADAM, 3, &first, &last);
  g_autofree float *b = NULL;
  g_autofree float *c = NULL;

  g_test_message ("adam: %g → %g", first, last);
  g_assert_cmpfloat (last, <, 0.3 * first);
  /* the same seed gives the same weights, bit for bit */
  b = train_regression (BW_NN_OPT_ADAM, 3, &first, &last);
  g_assert_cmpmem (a, 33 * sizeof (float), b, 33 * sizeof (float));
  c = train_regression (BW_NN_OPT_RMSPROP, 3, &first, &last);
  g_test_message ("rmsprop: %g → %g", first, last);
  g_assert_cmpfloat (last, <, 0.3 * first);
}

/* ---- serialisation -------------------------------------------------------- */

static void
test_params_json (void)
{
  g_autoptr(BwNnParams) a = bw_nn_params_new ();
  g_autoptr(BwNnParams) b = bw_nn_params_new ();
  g_autoptr(BwNnParams) c = bw_nn_params_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  BwNnRng rng;
  BwNnDense da, db, dc;
  JsonObject *obj;

  bw_nn_rng_init (&rng, 1);
  bw_nn_dense_init (&da, a, "d", 3, 2, &rng);
  bw_nn_dense_init (&db, b, "d", 3, 2, &rng);
  bw_nn_dense_init (&dc, c, "d", 4, 2, &rng);
  da.b->w[1] = -1.5f;
  node = bw_nn_params_to_json (a);
  g_assert_true (bw_nn_params_from_json (b, node, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (da.w->w, 6 * sizeof (float), db.w->w, 6 * sizeof (float));
  g_assert_cmpfloat (db.b->w[1], ==, -1.5f);
  g_assert_cmpuint (bw_nn_params_count (a), ==, 8);

  /* a shape mismatch and a broken tensor are errors, not crashes */
  g_assert_false (bw_nn_params_from_json (c, node, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  obj = json_object_get_object_member (json_node_get_object (node), "d.bias");
  json_object_set_string_member (obj, "data", "AAAA");
  g_assert_false (bw_nn_params_from_json (b, node, &error));
  g_assert_nonnull (error);
  (void) dc;
}

static void
test_orthogonal (void)
{
  float w[4 * 12];
  BwNnRng rng;

  bw_nn_rng_init (&rng, 4);
  bw_nn_init_orthogonal (w, 4, 12, &rng);
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++)
      {
        double dot = 0;

        for (int k = 0; k < 12; k++)
          dot += w[i * 12 + k] * w[j * 12 + k];
        g_assert_cmpfloat_with_epsilon (dot, i == j ? 1 : 0, 1e-5);
      }
}

static void
test_gemm (void)
{
  float a[6] = { 1, 2, 3, 4, 5, 6 };       /* 2×3 */
  float b[6] = { 1, 0, 0, 1, 1, 1 };       /* 3×2 */
  float c[4];
  float expect[4] = { 4, 5, 10, 11 };

  bw_nn_gemm (FALSE, FALSE, 2, 2, 3, 1, a, 3, b, 2, 0, c, 2);
  g_assert_cmpmem (c, sizeof c, expect, sizeof expect);
  /* transposed operands: (aᵀ)ᵀ·(bᵀ)ᵀ */
  {
    float at[6] = { 1, 4, 2, 5, 3, 6 }, bt[6] = { 1, 0, 1, 0, 1, 1 };

    bw_nn_gemm (TRUE, TRUE, 2, 2, 3, 1, at, 2, bt, 3, 0, c, 2);
    g_assert_cmpmem (c, sizeof c, expect, sizeof expect);
  }
  g_test_message ("BLAS: %s", bw_nn_blas_name ());
}

/* ---- inference kernels ------------------------------------------------------ */

/* distance in units in the last place between two finite floats */
static double
ulps (float a,
      float b)
{
  gint32 ia, ib;

  memcpy (&ia, &a, sizeof ia);
  memcpy (&ib, &b, sizeof ib);
  if (ia < 0)
    ia = G_MININT32 - ia;
  if (ib < 0)
    ib = G_MININT32 - ib;
  return fabs ((double) ia - (double) ib);
}

static void
test_kernel_exp (void)
{
  enum { N = 20011 };
  g_autofree float *x = g_new (float, N);
  g_autofree float *y = g_new (float, N);
  float special[] = { INFINITY, -INFINITY, NAN, 0.0f, -0.0f, 88.7f, 88.8f, -87.3f,
                      -103.0f, -104.0f, 1e-30f };
  float ys[G_N_ELEMENTS (special)];
  double worst = 0;

  /* the range that matters: the sigmoid's and tanh's arguments */
  for (int i = 0; i < N; i++)
    x[i] = -100.0f + 188.0f * i / (N - 1);
  /* an odd count: the last values go through the partial vector */
  _bw_nn_vexp (x, y, N);
  for (int i = 0; i < N; i++)
    {
      float e = expf (x[i]);

      if (e < 1e-37f)
        g_assert_cmpfloat (fabsf (y[i] - e), <=, 1e-44f);
      else
        worst = MAX (worst, ulps (y[i], e));
    }
  g_test_message ("e^x: at most %.0f units in the last place from expf()", worst);
  g_assert_cmpfloat (worst, <=, 2);

  _bw_nn_vexp (special, ys, G_N_ELEMENTS (special));
  g_assert_true (isinf (ys[0]) && ys[0] > 0);
  g_assert_cmpfloat (ys[1], ==, 0);
  g_assert_true (isnan (ys[2]));
  g_assert_cmpfloat (ys[3], ==, 1);
  g_assert_cmpfloat (ys[4], ==, 1);
  g_assert_cmpfloat (ulps (ys[5], expf (88.7f)), <=, 2);   /* near the largest float */
  g_assert_true (isinf (ys[6]));
  g_assert_cmpfloat (ulps (ys[7], expf (-87.3f)), <=, 2);
  g_assert_cmpfloat (fabsf (ys[8] - expf (-103.0f)), <=, 1e-44f);
  g_assert_cmpfloat (ys[9], ==, 0);
  g_assert_cmpfloat (ys[10], ==, 1);
}

static void
test_kernel_tanh (void)
{
  enum { N = 4001 };
  g_autofree float *x = g_new (float, N);
  g_autofree float *y = g_new (float, N);
  double worst = 0;

  for (int i = 0; i < N; i++)
    x[i] = -12.0f + 24.0f * i / (N - 1);
  x[N / 2] = 0.003f;             /* the polynomial branch */
  _bw_nn_vtanh (x, y, N);
  for (int i = 0; i < N; i++)
    worst = MAX (worst, fabsf (y[i] - _bw_nn_tanh (x[i])));
  g_test_message ("tanh: at most %.2g from the scalar one", worst);
  g_assert_cmpfloat (worst, <=, 5e-7);
}

static void
fill_normal (float   *v,
             gsize    n,
             BwNnRng *rng)
{
  for (gsize i = 0; i < n; i++)
    v[i] = (float) bw_nn_rng_normal (rng);
}

static double
max_diff (const float *a,
          const float *b,
          gsize        n)
{
  double d = 0;

  for (gsize i = 0; i < n; i++)
    d = MAX (d, fabsf (a[i] - b[i]));
  return d;
}

/* shapes with every tail: rows past the last 8, columns past the last 32
 * and 16, and the widths the models use */
static void
test_gemm_infer (void)
{
  struct { int m, n, k; } shapes[] = { { 13, 48, 37 }, { 8, 32, 1 }, { 3, 16, 5 }, { 21, 400, 100 },
                                       { 9, 56, 32 }, { 1, 7, 3 }, { 17, 128, 32 } };
  BwNnRng rng;

  bw_nn_rng_init (&rng, 5);
  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    for (int accumulate = 0; accumulate <= 1; accumulate++)
      {
        int m = shapes[s].m, n = shapes[s].n, k = shapes[s].k;
        g_autofree float *a = g_new (float, (gsize) m * k);
        g_autofree float *b = g_new (float, (gsize) k * n);
        g_autofree float *c = g_new (float, (gsize) m * n);
        g_autofree float *ref = g_new (float, (gsize) m * n);

        fill_normal (a, (gsize) m * k, &rng);
        fill_normal (b, (gsize) k * n, &rng);
        fill_normal (c, (gsize) m * n, &rng);
        memcpy (ref, c, (gsize) m * n * sizeof (float));
        bw_nn_gemm (FALSE, FALSE, m, n, k, 1, a, k, b, n, accumulate, ref, n);
        _bw_nn_gemm_infer (m, n, k, a, k, b, n, accumulate, c, n);
        /* sums of k products of unit normals: float rounding is ~k·2⁻²⁴·√k */
        g_assert_cmpfloat (max_diff (c, ref, (gsize) m * n), <=, 1e-6 * k * sqrt (k) + 1e-6);
      }
}

/* project + infer give the forward pass's outputs, for both activations,
 * a changing input and a constant one (the decoders' repeated encoding) */
static void
check_lstm_infer (BwNnAct act,
                  int     in,
                  int     hid)
{
  g_autoptr(BwNnParams) params = bw_nn_params_new ();
  BwNnLstm lstm;
  BwNnRng rng;
  int batch = 11, steps = 6, g4 = 4 * hid;
  g_autofree float *x = g_new (float, (gsize) batch * steps * in);
  g_autofree float *xt = g_new (float, (gsize) steps * batch * in);
  g_autofree float *y = g_new (float, (gsize) batch * steps * hid);
  g_autofree float *z = g_new (float, (gsize) steps * batch * g4);
  g_autofree float *h = g_new (float, (gsize) steps * batch * hid);
  g_autofree float *last = g_new (float, (gsize) batch * hid);
  g_autofree float *work = g_new (float, (gsize) batch * 8 * hid);
  double d = 0;

  bw_nn_rng_init (&rng, 9);
  bw_nn_lstm_init (&lstm, params, "lstm", in, hid, act, &rng);
  for (gsize k = 0; k < lstm.b->size; k++)
    lstm.b->w[k] += 0.3f * (float) bw_nn_rng_normal (&rng);
  fill_normal (x, (gsize) batch * steps * in, &rng);
  bw_nn_lstm_forward (&lstm, x, batch, steps, TRUE, y);

  /* the inputs step by step: [T × B × in] */
  for (int t = 0; t < steps; t++)
    for (int r = 0; r < batch; r++)
      memcpy (xt + ((gsize) t * batch + r) * in, x + ((gsize) r * steps + t) * in,
              in * sizeof (float));
  bw_nn_lstm_project (&lstm, xt, (gsize) steps * batch, z);
  bw_nn_lstm_infer (&lstm, z, (gsize) batch * g4, batch, steps, h, last, work);
  for (int t = 0; t < steps; t++)
    for (int r = 0; r < batch; r++)
      d = MAX (d, max_diff (h + ((gsize) t * batch + r) * hid, y + ((gsize) r * steps + t) * hid,
                            hid));
  d = MAX (d, max_diff (last, h + (gsize) (steps - 1) * batch * hid, (gsize) batch * hid));
  g_test_message ("LSTM(%d to %d, %s): at most %.2g from the forward pass", in, hid,
                  act == BW_NN_ACT_RELU ? "relu" : "tanh", d);
  g_assert_cmpfloat (d, <=, 1e-5);

  /* the same input at every step */
  for (int r = 0; r < batch; r++)
    for (int t = 1; t < steps; t++)
      memcpy (x + ((gsize) r * steps + t) * in, x + (gsize) r * steps * in, in * sizeof (float));
  bw_nn_lstm_forward (&lstm, x, batch, steps, TRUE, y);
  for (int r = 0; r < batch; r++)
    memcpy (xt + (gsize) r * in, x + (gsize) r * steps * in, in * sizeof (float));
  bw_nn_lstm_project (&lstm, xt, batch, z);
  bw_nn_lstm_infer (&lstm, z, 0, batch, steps, h, NULL, work);
  d = 0;
  for (int t = 0; t < steps; t++)
    for (int r = 0; r < batch; r++)
      d = MAX (d, max_diff (h + ((gsize) t * batch + r) * hid, y + ((gsize) r * steps + t) * hid,
                            hid));
  g_assert_cmpfloat (d, <=, 1e-5);
  bw_nn_lstm_clear (&lstm);
}

static void
test_lstm_infer (void)
{
  /* hidden sizes below, at and between multiples of the vectors' 16 */
  check_lstm_infer (BW_NN_ACT_TANH, 3, 5);
  check_lstm_infer (BW_NN_ACT_TANH, 8, 32);
  check_lstm_infer (BW_NN_ACT_RELU, 8, 37);
  check_lstm_infer (BW_NN_ACT_RELU, 20, 100);
}

static void
test_conv_infer (void)
{
  struct { int w, cin, cout, s; gboolean t; } cases[] = {
    { 60, 8, 32, 2, FALSE }, { 15, 16, 16, 2, TRUE }, { 60, 32, 8, 1, TRUE }, { 30, 4, 6, 2, FALSE },
  };
  BwNnRng rng;

  bw_nn_rng_init (&rng, 4);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(BwNnParams) params = bw_nn_params_new ();
      BwNnConv conv;
      int batch = 5, oh, ow;
      gsize nx = (gsize) batch * cases[i].w * cases[i].cin, ny;
      g_autofree float *x = g_new (float, nx);
      g_autofree float *y = NULL, *yi = NULL;

      bw_nn_conv_init (&conv, params, "c", cases[i].cin, cases[i].cout, 1, 7, 1, cases[i].s,
                       cases[i].t, &rng);
      fill_normal (conv.b->w, conv.b->size, &rng);
      bw_nn_conv_out_size (&conv, 1, cases[i].w, &oh, &ow);
      ny = (gsize) batch * ow * cases[i].cout;
      y = g_new (float, ny);
      yi = g_new (float, ny);
      fill_normal (x, nx, &rng);
      bw_nn_conv_forward (&conv, x, batch, 1, cases[i].w, y);
      bw_nn_conv_infer (&conv, x, batch, 1, cases[i].w, yi);
      g_assert_cmpfloat (max_diff (y, yi, ny), <=, 1e-5);
      bw_nn_conv_clear (&conv);
    }
}

/* ConvLSTM over the windows of a series of frames, the x half of the gates
 * shared between windows: each window as the forward pass computes it
 * alone. Maps of 4 × 4, 2 × 2 and 1 × 1 (where the 2 × 2 kernel keeps one
 * tap), a window of one step and windows as long as the series. */
static void
test_conv_lstm_windows (void)
{
  struct { int side, cin, cout, frames, steps; } cases[] = {
    { 4, 3, 5, 9, 5 }, { 2, 6, 4, 7, 3 }, { 1, 8, 8, 6, 5 }, { 4, 2, 3, 4, 1 }, { 2, 3, 3, 4, 4 },
  };
  BwNnRng rng;

  bw_nn_rng_init (&rng, 5);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(BwNnParams) params = bw_nn_params_new ();
      BwNnConvLstm l;
      int hw = cases[i].side * cases[i].side, T = cases[i].steps;
      int windows = cases[i].frames - T + 1;
      gsize frame_in = (gsize) hw * cases[i].cin, frame_out = (gsize) hw * cases[i].cout;
      g_autofree float *x = g_new (float, cases[i].frames * frame_in);
      g_autofree float *y = g_new (float, windows * T * frame_out);
      g_autofree float *one = g_new (float, T * frame_out);
      double worst = 0;

      bw_nn_conv_lstm_init (&l, params, "cl", cases[i].cin, cases[i].cout, 2, &rng);
      fill_normal (l.conv.b->w, l.conv.b->size, &rng);
      fill_normal (x, cases[i].frames * frame_in, &rng);
      bw_nn_conv_lstm_infer_windows (&l, x, cases[i].frames, T, cases[i].side, cases[i].side, y);
      for (int b = 0; b < windows; b++)
        {
          bw_nn_conv_lstm_forward (&l, x + b * frame_in, 1, T, cases[i].side, cases[i].side, one);
          worst = MAX (worst, max_diff (one, y + (gsize) b * T * frame_out, T * frame_out));
        }
      g_test_message ("%dx%d, %d -> %d channels, %d windows of %d: at most %.2g apart",
                      cases[i].side, cases[i].side, cases[i].cin, cases[i].cout, windows, T, worst);
      g_assert_cmpfloat (worst, <=, 1e-5);
      bw_nn_conv_lstm_clear (&l);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/nn/gemm", test_gemm);
  g_test_add_func ("/nn/orthogonal", test_orthogonal);
  g_test_add_func ("/nn/grad/dense", test_dense);
  g_test_add_func ("/nn/grad/conv", test_conv);
  g_test_add_func ("/nn/conv-values", test_conv_values);
  g_test_add_func ("/nn/grad/lstm", test_lstm);
  g_test_add_func ("/nn/grad/conv-lstm", test_conv_lstm);
  g_test_add_func ("/nn/grad/attention", test_attention);
  g_test_add_func ("/nn/grad/batch-norm", test_batch_norm);
  g_test_add_func ("/nn/grad/dropout", test_dropout);
  g_test_add_func ("/nn/grad/reparam-kl", test_reparam);
  g_test_add_func ("/nn/losses", test_losses);
  g_test_add_func ("/nn/fit", test_fit);
  g_test_add_func ("/nn/params-json", test_params_json);
  g_test_add_func ("/nn/infer/exp", test_kernel_exp);
  g_test_add_func ("/nn/infer/tanh", test_kernel_tanh);
  g_test_add_func ("/nn/infer/gemm", test_gemm_infer);
  g_test_add_func ("/nn/infer/lstm", test_lstm_infer);
  g_test_add_func ("/nn/infer/conv", test_conv_infer);
  g_test_add_func ("/nn/infer/conv-lstm-windows", test_conv_lstm_windows);
  return g_test_run ();
}
