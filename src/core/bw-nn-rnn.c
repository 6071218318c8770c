/* bw-nn-rnn.c: LSTM, ConvLSTM2D and MSCRED's temporal attention, with
 * backpropagation through time
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-nn"

#include "config.h"

#include <math.h>
#include <string.h>

#include "bw-nn.h"
#include "bw-nn-private.h"

static inline float
sigmoidf (float x)
{
  return 1 / (1 + expf (-x));
}

static inline float
act_apply (BwNnAct act,
           float   x)
{
  return act == BW_NN_ACT_RELU ? (x > 0 ? x : 0) : _bw_nn_tanh (x);
}

/* derivative from the activation's output (tanh) or input sign (relu) */
static inline float
act_grad (BwNnAct act,
          float   in,
          float   out)
{
  return act == BW_NN_ACT_RELU ? (in > 0 ? 1.0f : 0.0f) : 1 - out * out;
}

/* gates [n × 4H] pre-activations → activations, then the cell update */
static void
cell_forward (BwNnAct      act,
              float       *gates,
              const float *c_prev,
              float       *c,
              float       *act_c,
              float       *h,
              int          n,
              int          hidden)
{
  for (int r = 0; r < n; r++)
    {
      float *z = gates + (gsize) r * 4 * hidden;

      for (int j = 0; j < hidden; j++)
        {
          gsize at = (gsize) r * hidden + j;
          float i = sigmoidf (z[j]);
          float f = sigmoidf (z[hidden + j]);
          float g = act_apply (act, z[2 * hidden + j]);
          float o = sigmoidf (z[3 * hidden + j]);
          float cn = f * c_prev[at] + i * g;
          float ac = act_apply (act, cn);

          z[j] = i;
          z[hidden + j] = f;
          z[2 * hidden + j] = g;
          z[3 * hidden + j] = o;
          c[at] = cn;
          act_c[at] = ac;
          h[at] = o * ac;
        }
    }
}

/* dh: gradient at h_t (consumed); dc_next: gradient at c_t in, c_{t−1} out */
static void
cell_backward (BwNnAct      act,
               const float *gates,
               const float *c_prev,
               const float *c,
               const float *act_c,
               const float *dh,
               float       *dc_next,
               float       *dz,
               int          n,
               int          hidden)
{
  for (int r = 0; r < n; r++)
    {
      const float *z = gates + (gsize) r * 4 * hidden;
      float *d = dz + (gsize) r * 4 * hidden;

      for (int j = 0; j < hidden; j++)
        {
          gsize at = (gsize) r * hidden + j;
          float i = z[j], f = z[hidden + j], g = z[2 * hidden + j], o = z[3 * hidden + j];
          float ac = act_c[at];
          float dc = dc_next[at] + dh[at] * o * act_grad (act, c[at], ac);

          d[3 * hidden + j] = dh[at] * ac * o * (1 - o);
          d[j] = dc * g * i * (1 - i);
          d[2 * hidden + j] = dc * i * act_grad (act, g, g);
          d[hidden + j] = dc * c_prev[at] * f * (1 - f);
          dc_next[at] = dc * f;
        }
    }
}

/* ---- LSTM -------------------------------------------------------------- */

void
bw_nn_lstm_init (BwNnLstm   *l,
                 BwNnParams *params,
                 const char *name,
                 int         in,
                 int         hidden,
                 BwNnAct     act,
                 BwNnRng    *rng)
{
  g_autofree char *wn = g_strconcat (name, ".kernel", NULL);
  g_autofree char *un = g_strconcat (name, ".recurrent_kernel", NULL);
  g_autofree char *bn = g_strconcat (name, ".bias", NULL);

  g_return_if_fail (act == BW_NN_ACT_TANH || act == BW_NN_ACT_RELU);
  memset (l, 0, sizeof *l);
  l->in = in;
  l->hidden = hidden;
  l->act = act;
  l->w = bw_nn_params_add (params, wn, (gsize) in * 4 * hidden);
  l->u = bw_nn_params_add (params, un, (gsize) hidden * 4 * hidden);
  l->b = bw_nn_params_add (params, bn, 4 * hidden);
  bw_nn_init_glorot_uniform (l->w->w, l->w->size, in, 4 * hidden, rng);
  bw_nn_init_orthogonal (l->u->w, hidden, 4 * hidden, rng);
  for (int j = 0; j < hidden; j++)
    l->b->w[hidden + j] = 1;
}

void
bw_nn_lstm_clear (BwNnLstm *l)
{
  g_clear_pointer (&l->gates, g_free);
  g_clear_pointer (&l->c, g_free);
  g_clear_pointer (&l->h, g_free);
  g_clear_pointer (&l->act_c, g_free);
  g_clear_pointer (&l->dz, g_free);
  l->cache_steps_batch = 0;
}

void
bw_nn_lstm_forward (BwNnLstm    *l,
                    const float *x,
                    int          batch,
                    int          steps,
                    gboolean     sequences,
                    float       *y)
{
  int hid = l->hidden, g4 = 4 * hid;
  gsize tb = (gsize) steps * batch, bh = (gsize) batch * hid;

  if (tb > l->cache_steps_batch)
    {
      l->gates = g_renew (float, l->gates, tb * g4);
      l->dz = g_renew (float, l->dz, tb * g4);
      l->c = g_renew (float, l->c, (tb + batch) * hid);
      l->h = g_renew (float, l->h, (tb + batch) * hid);
      l->act_c = g_renew (float, l->act_c, tb * hid);
      l->cache_steps_batch = tb;
    }
  l->batch = batch;
  l->steps = steps;
  memset (l->c, 0, bh * sizeof (float));
  memset (l->h, 0, bh * sizeof (float));

  for (int t = 0; t < steps; t++)
    {
      float *z = l->gates + (gsize) t * batch * g4;

      _bw_nn_fill_rows (z, l->b->w, batch, g4);
      bw_nn_gemm (FALSE, FALSE, batch, g4, l->in, 1, x + (gsize) t * l->in, steps * l->in,
                  l->w->w, g4, 1, z, g4);
      if (t > 0)
        bw_nn_gemm (FALSE, FALSE, batch, g4, hid, 1, l->h + t * bh, hid, l->u->w, g4, 1, z, g4);
      cell_forward (l->act, z, l->c + t * bh, l->c + (t + 1) * bh, l->act_c + t * bh,
                    l->h + (t + 1) * bh, batch, hid);
      if (sequences)
        for (int r = 0; r < batch; r++)
          memcpy (y + ((gsize) r * steps + t) * hid, l->h + (t + 1) * bh + (gsize) r * hid,
                  hid * sizeof (float));
    }
  if (!sequences)
    memcpy (y, l->h + steps * bh, bh * sizeof (float));
}

void
bw_nn_lstm_backward (BwNnLstm    *l,
                     const float *x,
                     const float *dy,
                     gboolean     sequences,
                     float       *dx)
{
  int batch = l->batch, steps = l->steps, hid = l->hidden, g4 = 4 * hid;
  gsize bh = (gsize) batch * hid;
  g_autofree float *dh = g_new0 (float, bh);
  g_autofree float *dc = g_new0 (float, bh);

  for (int t = steps - 1; t >= 0; t--)
    {
      float *dz = l->dz + (gsize) t * batch * g4;

      if (sequences)
        for (int r = 0; r < batch; r++)
          for (int j = 0; j < hid; j++)
            dh[(gsize) r * hid + j] += dy[((gsize) r * steps + t) * hid + j];
      else if (t == steps - 1)
        for (gsize k = 0; k < bh; k++)
          dh[k] += dy[k];

      cell_backward (l->act, l->gates + (gsize) t * batch * g4, l->c + t * bh,
                     l->c + (t + 1) * bh, l->act_c + t * bh, dh, dc, dz, batch, hid);
      for (int r = 0; r < batch; r++)
        for (int j = 0; j < g4; j++)
          l->b->g[j] += dz[(gsize) r * g4 + j];
      bw_nn_gemm (TRUE, FALSE, l->in, g4, batch, 1, x + (gsize) t * l->in, steps * l->in,
                  dz, g4, 1, l->w->g, g4);
      if (dx != NULL)
        bw_nn_gemm (FALSE, TRUE, batch, l->in, g4, 1, dz, g4, l->w->w, g4, 0,
                    dx + (gsize) t * l->in, steps * l->in);
      if (t > 0)
        {
          bw_nn_gemm (TRUE, FALSE, hid, g4, batch, 1, l->h + t * bh, hid, dz, g4, 1, l->u->g, g4);
          bw_nn_gemm (FALSE, TRUE, batch, hid, g4, 1, dz, g4, l->u->w, g4, 0, dh, hid);
        }
    }
}

void
bw_nn_lstm_project (BwNnLstm    *l,
                    const float *x,
                    gsize        rows,
                    float       *z)
{
  int g4 = 4 * l->hidden;

  _bw_nn_fill_rows (z, l->b->w, rows, g4);
  _bw_nn_gemm_infer ((int) rows, g4, l->in, x, l->in, l->w->w, g4, TRUE, z, g4);
}

void
bw_nn_lstm_infer (BwNnLstm    *l,
                  const float *zin,
                  gsize        zin_step,
                  int          batch,
                  int          steps,
                  float       *h_all,
                  float       *h_last,
                  float       *work)
{
  int hid = l->hidden, g4 = 4 * hid;
  gsize bh = (gsize) batch * hid;
  float *z = work, *c = work + (gsize) batch * g4, *hbuf = c + 2 * bh;
  const float *hprev = NULL;

  memset (c, 0, bh * sizeof (float));
  for (int t = 0; t < steps; t++)
    {
      float *ht = h_all != NULL ? h_all + (gsize) t * bh : hbuf + (gsize) (t % 2) * bh;
      const float *zt = zin + (gsize) t * zin_step;
      float *cp = c + (gsize) (t % 2) * bh, *cn = c + (gsize) ((t + 1) % 2) * bh;

      /* the forward pass's sums, (b + x·W) + h·U, each rounded once */
      if (t == 0)
        _bw_nn_lstm_cell_infer (l->act, zt, NULL, cp, cn, ht, batch, hid);
      else
        {
          _bw_nn_gemm_infer (batch, g4, hid, hprev, hid, l->u->w, g4, FALSE, z, g4);
          _bw_nn_lstm_cell_infer (l->act, z, zt, cp, cn, ht, batch, hid);
        }
      hprev = ht;
    }
  if (h_last != NULL && steps > 0)
    memcpy (h_last, hprev, bh * sizeof (float));
}

/* ---- ConvLSTM2D --------------------------------------------------------- */

void
bw_nn_conv_lstm_init (BwNnConvLstm *l,
                      BwNnParams   *params,
                      const char   *name,
                      int           cin,
                      int           cout,
                      int           k,
                      BwNnRng      *rng)
{
  memset (l, 0, sizeof *l);
  l->cin = cin;
  l->cout = cout;
  bw_nn_conv_init (&l->conv, params, name, cin + cout, 4 * cout, k, k, 1, 1, FALSE, rng);
  for (int j = 0; j < cout; j++)
    l->conv.b->w[cout + j] = 1;
}

void
bw_nn_conv_lstm_clear (BwNnConvLstm *l)
{
  bw_nn_conv_clear (&l->conv);
  g_clear_pointer (&l->concat, g_free);
  g_clear_pointer (&l->gates, g_free);
  g_clear_pointer (&l->c, g_free);
  g_clear_pointer (&l->hs, g_free);
  g_clear_pointer (&l->act_c, g_free);
  g_clear_pointer (&l->dz, g_free);
  g_clear_pointer (&l->dconcat, g_free);
  l->cache_size = 0;
}

void
bw_nn_conv_lstm_forward (BwNnConvLstm *l,
                         const float  *x,
                         int           batch,
                         int           steps,
                         int           h,
                         int           w,
                         float        *y)
{
  int cin = l->cin, co = l->cout, cc = cin + co;
  gsize pos = (gsize) batch * h * w;      /* rows of one step */
  gsize hw = (gsize) h * w;
  gsize need = (gsize) steps * pos;

  if (need > l->cache_size)
    {
      l->concat = g_renew (float, l->concat, need * cc);
      l->gates = g_renew (float, l->gates, need * 4 * co);
      l->c = g_renew (float, l->c, (need + pos) * co);
      l->hs = g_renew (float, l->hs, (need + pos) * co);
      l->act_c = g_renew (float, l->act_c, need * co);
      l->dz = g_renew (float, l->dz, pos * 4 * co);
      l->dconcat = g_renew (float, l->dconcat, pos * cc);
      l->cache_size = need;
    }
  l->batch = batch;
  l->steps = steps;
  l->h = h;
  l->w = w;
  memset (l->c, 0, pos * co * sizeof (float));
  memset (l->hs, 0, pos * co * sizeof (float));

  for (int t = 0; t < steps; t++)
    {
      float *cat = l->concat + (gsize) t * pos * cc;
      float *z = l->gates + (gsize) t * pos * 4 * co;
      const float *hprev = l->hs + (gsize) t * pos * co;

      for (int b = 0; b < batch; b++)
        for (gsize p = 0; p < hw; p++)
          {
            gsize row = (gsize) b * hw + p;

            memcpy (cat + row * cc, x + (((gsize) b * steps + t) * hw + p) * cin,
                    cin * sizeof (float));
            memcpy (cat + row * cc + cin, hprev + row * co, co * sizeof (float));
          }
      bw_nn_conv_forward (&l->conv, cat, batch, h, w, z);
      /* ConvLSTM2D's candidate and output activation is tanh */
      cell_forward (BW_NN_ACT_TANH, z, l->c + (gsize) t * pos * co,
                    l->c + (gsize) (t + 1) * pos * co, l->act_c + (gsize) t * pos * co,
                    l->hs + (gsize) (t + 1) * pos * co, (int) pos, co);
      for (int b = 0; b < batch; b++)
        memcpy (y + ((gsize) b * steps + t) * hw * co,
                l->hs + (gsize) (t + 1) * pos * co + (gsize) b * hw * co,
                hw * co * sizeof (float));
    }
}

/* Inference over the windows of a series of frames: window b is frames
 * b … b + steps − 1 from a zero state. The gates' pre-activations are a
 * convolution of [x_t, h_{t−1}], i.e. one of x_t plus one of h_{t−1}: the
 * first, with the bias, is done once per frame instead of once per window
 * and step, the second once per window and step after the first (h_{−1} is
 * zero). The kernel rows of a tap are x's channels, then h's. */
void
bw_nn_conv_lstm_infer_windows (BwNnConvLstm *l,
                               const float  *x,
                               int           frames,
                               int           steps,
                               int           h,
                               int           w,
                               float        *y)
{
  int cin = l->cin, co = l->cout, cc = cin + co, g4 = 4 * co;
  int taps = l->conv.kh * l->conv.kw;
  int windows = frames - steps + 1;
  gsize hw = (gsize) h * w, pos = (gsize) windows * hw;
  BwNnParam wx = { 0 }, wh = { 0 }, bz = { 0 };
  BwNnConv cx = l->conv, ch = l->conv;
  float *zx, *z, *c_prev, *c_next, *hcur;

  g_return_if_fail (windows >= 1);

  wx.size = (gsize) taps * cin * g4;
  wh.size = (gsize) taps * co * g4;
  bz.size = g4;
  wx.w = g_new (float, wx.size);
  wh.w = g_new (float, wh.size);
  bz.w = g_new0 (float, bz.size);
  for (int t = 0; t < taps; t++)
    {
      memcpy (wx.w + (gsize) t * cin * g4, l->conv.w->w + (gsize) t * cc * g4,
              (gsize) cin * g4 * sizeof (float));
      memcpy (wh.w + (gsize) t * co * g4, l->conv.w->w + ((gsize) t * cc + cin) * g4,
              (gsize) co * g4 * sizeof (float));
    }
  cx.cin = cin;
  cx.w = &wx;
  cx.cols = NULL;
  cx.cols_size = 0;
  ch.cin = co;
  ch.w = &wh;
  ch.b = &bz;
  ch.cols = NULL;
  ch.cols_size = 0;

  zx = g_new (float, (gsize) frames * hw * g4);
  z = g_new (float, pos * g4);
  c_prev = g_new0 (float, pos * co);
  c_next = g_new (float, pos * co);
  hcur = g_new (float, pos * co);

  bw_nn_conv_infer (&cx, x, frames, h, w, zx);
  for (int t = 0; t < steps; t++)
    {
      /* the x part of window b's step t is frame b + t's */
      const float *zxt = zx + (gsize) t * hw * g4;
      float *tmp;

      if (t == 0)
        _bw_nn_lstm_cell_infer (BW_NN_ACT_TANH, zxt, NULL, c_prev, c_next, hcur, (int) pos, co);
      else
        {
          bw_nn_conv_infer (&ch, hcur, windows, h, w, z);
          _bw_nn_lstm_cell_infer (BW_NN_ACT_TANH, z, zxt, c_prev, c_next, hcur, (int) pos, co);
        }
      tmp = c_prev;
      c_prev = c_next;
      c_next = tmp;
      for (int b = 0; b < windows; b++)
        memcpy (y + ((gsize) b * steps + t) * hw * co, hcur + (gsize) b * hw * co,
                hw * co * sizeof (float));
    }

  bw_nn_conv_clear (&cx);
  bw_nn_conv_clear (&ch);
  g_free (wx.w);
  g_free (wh.w);
  g_free (bz.w);
  g_free (zx);
  g_free (z);
  g_free (c_prev);
  g_free (c_next);
  g_free (hcur);
}

void
bw_nn_conv_lstm_backward (BwNnConvLstm *l,
                          const float  *dy,
                          float        *dx)
{
  int batch = l->batch, steps = l->steps, cin = l->cin, co = l->cout, cc = cin + co;
  gsize hw = (gsize) l->h * l->w, pos = (gsize) batch * hw;
  g_autofree float *dh = g_new0 (float, pos * co);
  g_autofree float *dc = g_new0 (float, pos * co);

  for (int t = steps - 1; t >= 0; t--)
    {
      for (int b = 0; b < batch; b++)
        {
          const float *src = dy + ((gsize) b * steps + t) * hw * co;
          float *dst = dh + (gsize) b * hw * co;

          for (gsize k = 0; k < hw * co; k++)
            dst[k] += src[k];
        }
      cell_backward (BW_NN_ACT_TANH, l->gates + (gsize) t * pos * 4 * co,
                     l->c + (gsize) t * pos * co, l->c + (gsize) (t + 1) * pos * co,
                     l->act_c + (gsize) t * pos * co, dh, dc, l->dz, (int) pos, co);
      bw_nn_conv_backward (&l->conv, l->concat + (gsize) t * pos * cc, batch, l->h, l->w,
                           l->dz, l->dconcat);
      for (gsize row = 0; row < pos; row++)
        {
          gsize b = row / hw, p = row % hw;

          if (dx != NULL)
            memcpy (dx + (((gsize) b * steps + t) * hw + p) * cin, l->dconcat + row * cc,
                    cin * sizeof (float));
          memcpy (dh + row * co, l->dconcat + row * cc + cin, co * sizeof (float));
        }
    }
}

/* ---- attention ---------------------------------------------------------- */

void
bw_nn_attention_forward (const float *x,
                         int          batch,
                         int          steps,
                         int          dim,
                         float       *alpha,
                         float       *y)
{
  for (int b = 0; b < batch; b++)
    {
      const float *xb = x + (gsize) b * steps * dim;
      const float *last = xb + (gsize) (steps - 1) * dim;
      float *a = alpha + (gsize) b * steps;
      float *yb = y + (gsize) b * dim;
      double mx = -INFINITY, sum = 0;

      for (int k = 0; k < steps; k++)
        {
          double e = 0;

          for (int d = 0; d < dim; d++)
            e += (double) xb[(gsize) k * dim + d] * last[d];
          a[k] = (float) (e / steps);
          mx = MAX (mx, a[k]);
        }
      for (int k = 0; k < steps; k++)
        {
          a[k] = (float) exp (a[k] - mx);
          sum += a[k];
        }
      memset (yb, 0, dim * sizeof (float));
      for (int k = 0; k < steps; k++)
        {
          a[k] = (float) (a[k] / sum);
          for (int d = 0; d < dim; d++)
            yb[d] += a[k] * xb[(gsize) k * dim + d];
        }
    }
}

void
bw_nn_attention_backward (const float *x,
                          int          batch,
                          int          steps,
                          int          dim,
                          const float *alpha,
                          const float *dy,
                          float       *dx)
{
  g_autofree double *da = g_new (double, steps);

  for (int b = 0; b < batch; b++)
    {
      const float *xb = x + (gsize) b * steps * dim;
      const float *last = xb + (gsize) (steps - 1) * dim;
      const float *a = alpha + (gsize) b * steps;
      const float *dyb = dy + (gsize) b * dim;
      float *dxb = dx + (gsize) b * steps * dim;
      double dot = 0;

      for (int k = 0; k < steps; k++)
        {
          double s = 0;

          for (int d = 0; d < dim; d++)
            s += (double) dyb[d] * xb[(gsize) k * dim + d];
          da[k] = s;
          dot += a[k] * s;
        }
      for (int k = 0; k < steps; k++)
        for (int d = 0; d < dim; d++)
          dxb[(gsize) k * dim + d] += a[k] * dyb[d];
      for (int k = 0; k < steps; k++)
        {
          float de = (float) (a[k] * (da[k] - dot) / steps);

          for (int d = 0; d < dim; d++)
            {
              dxb[(gsize) k * dim + d] += de * last[d];
              dxb[(gsize) (steps - 1) * dim + d] += de * xb[(gsize) k * dim + d];
            }
        }
    }
}
