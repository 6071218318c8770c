/* bw-nn-conv.c: same-padded 2-D (and so 1-D) convolution and transposed
 * convolution through im2col and one matrix product
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-nn"

#include "config.h"

#include <string.h>

#include "bw-nn.h"

#define MAX_TAPS 16

/* The "long" side is the convolution's input (the transposed convolution's
 * output); the "short" side the other one. Short position o reads long
 * position o·s + tap − pad_before. Taps that never hit the long side (a
 * 1×1 map under a 2×2 kernel) are left out of the product. */
typedef struct
{
  int long_h, long_w, short_h, short_w;
  int sh, sw, ph, pw;
  int n_ti, n_tj;
  int ti[MAX_TAPS], tj[MAX_TAPS];
  gboolean all_taps;
} Geom;

static void
geom_dim (int  len_long,
          int  len_short,
          int  k,
          int  s,
          int *pad,
          int *n_taps,
          int *taps)
{
  int total = MAX ((len_short - 1) * s + k - len_long, 0);

  *pad = total / 2;
  *n_taps = 0;
  for (int t = 0; t < k; t++)
    {
      gboolean hit = FALSE;

      for (int o = 0; o < len_short && !hit; o++)
        {
          int at = o * s + t - *pad;

          hit = at >= 0 && at < len_long;
        }
      if (hit)
        taps[(*n_taps)++] = t;
    }
}

static void
geom_init (Geom     *g,
           BwNnConv *c,
           int       h,
           int       w)
{
  if (c->transposed)
    {
      g->short_h = h;
      g->short_w = w;
      g->long_h = h * c->sh;
      g->long_w = w * c->sw;
    }
  else
    {
      g->long_h = h;
      g->long_w = w;
      g->short_h = (h + c->sh - 1) / c->sh;
      g->short_w = (w + c->sw - 1) / c->sw;
    }
  g->sh = c->sh;
  g->sw = c->sw;
  geom_dim (g->long_h, g->short_h, c->kh, c->sh, &g->ph, &g->n_ti, g->ti);
  geom_dim (g->long_w, g->short_w, c->kw, c->sw, &g->pw, &g->n_tj, g->tj);
  g->all_taps = g->n_ti == c->kh && g->n_tj == c->kw;
}

/* cols [B·short_h·short_w × taps·ch] from the long tensor [B×long_h×long_w×ch] */
static void
im2col (const Geom  *g,
        const float *x,
        int          batch,
        int          ch,
        float       *cols)
{
  int ntaps = g->n_ti * g->n_tj;
  gsize row_len = (gsize) ntaps * ch;

  for (int b = 0; b < batch; b++)
    for (int oh = 0; oh < g->short_h; oh++)
      for (int ow = 0; ow < g->short_w; ow++)
        {
          float *row = cols + (((gsize) b * g->short_h + oh) * g->short_w + ow) * row_len;

          for (int a = 0; a < g->n_ti; a++)
            {
              int ih = oh * g->sh + g->ti[a] - g->ph;

              for (int e = 0; e < g->n_tj; e++)
                {
                  int iw = ow * g->sw + g->tj[e] - g->pw;
                  float *dst = row + (gsize) (a * g->n_tj + e) * ch;

                  if (ih < 0 || ih >= g->long_h || iw < 0 || iw >= g->long_w)
                    memset (dst, 0, ch * sizeof (float));
                  else
                    memcpy (dst, x + (((gsize) b * g->long_h + ih) * g->long_w + iw) * ch,
                            ch * sizeof (float));
                }
            }
        }
}

/* the adjoint of im2col: adds cols into the long tensor */
static void
col2im (const Geom  *g,
        const float *cols,
        int          batch,
        int          ch,
        float       *x)
{
  int ntaps = g->n_ti * g->n_tj;
  gsize row_len = (gsize) ntaps * ch;

  for (int b = 0; b < batch; b++)
    for (int oh = 0; oh < g->short_h; oh++)
      for (int ow = 0; ow < g->short_w; ow++)
        {
          const float *row = cols + (((gsize) b * g->short_h + oh) * g->short_w + ow) * row_len;

          for (int a = 0; a < g->n_ti; a++)
            {
              int ih = oh * g->sh + g->ti[a] - g->ph;

              if (ih < 0 || ih >= g->long_h)
                continue;
              for (int e = 0; e < g->n_tj; e++)
                {
                  int iw = ow * g->sw + g->tj[e] - g->pw;
                  const float *src = row + (gsize) (a * g->n_tj + e) * ch;
                  float *dst;

                  if (iw < 0 || iw >= g->long_w)
                    continue;
                  dst = x + (((gsize) b * g->long_h + ih) * g->long_w + iw) * ch;
                  for (int k = 0; k < ch; k++)
                    dst[k] += src[k];
                }
            }
        }
}

void
bw_nn_conv_init (BwNnConv   *c,
                 BwNnParams *params,
                 const char *name,
                 int         cin,
                 int         cout,
                 int         kh,
                 int         kw,
                 int         sh,
                 int         sw,
                 gboolean    transposed,
                 BwNnRng    *rng)
{
  g_autofree char *wn = g_strconcat (name, ".kernel", NULL);
  g_autofree char *bn = g_strconcat (name, ".bias", NULL);
  int taps = kh * kw;

  g_return_if_fail (kh <= MAX_TAPS && kw <= MAX_TAPS);
  memset (c, 0, sizeof *c);
  c->cin = cin;
  c->cout = cout;
  c->kh = kh;
  c->kw = kw;
  c->sh = sh;
  c->sw = sw;
  c->transposed = transposed;
  c->w = bw_nn_params_add (params, wn, (gsize) taps * cin * cout);
  c->b = bw_nn_params_add (params, bn, cout);
  /* Keras' glorot_uniform on a conv kernel: fans are taps·channels */
  bw_nn_init_glorot_uniform (c->w->w, c->w->size, taps * cin, taps * cout, rng);
}

void
bw_nn_conv_clear (BwNnConv *c)
{
  g_clear_pointer (&c->cols, g_free);
  c->cols_size = 0;
}

void
bw_nn_conv_out_size (BwNnConv *c,
                     int       h,
                     int       w,
                     int      *out_h,
                     int      *out_w)
{
  if (c->transposed)
    {
      *out_h = h * c->sh;
      *out_w = w * c->sw;
    }
  else
    {
      *out_h = (h + c->sh - 1) / c->sh;
      *out_w = (w + c->sw - 1) / c->sw;
    }
}

static float *
workspace (BwNnConv *c,
           gsize     n)
{
  /* room for the columns and, when taps are dropped, the packed kernel
   * and its gradient */
  gsize need = n + 2 * c->w->size;

  if (need > c->cols_size)
    {
      c->cols = g_renew (float, c->cols, need);
      c->cols_size = need;
    }
  return c->cols;
}

/* the kernel rows (conv) or column blocks (transposed) of the active taps */
static void
pack_kernel (BwNnConv   *c,
             const Geom *g,
             const float *w,
             float       *packed)
{
  int t = 0;

  for (int a = 0; a < g->n_ti; a++)
    for (int e = 0; e < g->n_tj; e++, t++)
      {
        int tap = g->ti[a] * c->kw + g->tj[e];

        if (!c->transposed)
          memcpy (packed + (gsize) t * c->cin * c->cout, w + (gsize) tap * c->cin * c->cout,
                  (gsize) c->cin * c->cout * sizeof (float));
        else
          {
            int ntaps = g->n_ti * g->n_tj;

            for (int i = 0; i < c->cin; i++)
              memcpy (packed + ((gsize) i * ntaps + t) * c->cout,
                      w + ((gsize) i * c->kh * c->kw + tap) * c->cout,
                      c->cout * sizeof (float));
          }
      }
}

static void
unpack_add_grad (BwNnConv    *c,
                 const Geom  *g,
                 const float *packed,
                 float       *grad)
{
  int t = 0;
  int ntaps = g->n_ti * g->n_tj;

  for (int a = 0; a < g->n_ti; a++)
    for (int e = 0; e < g->n_tj; e++, t++)
      {
        int tap = g->ti[a] * c->kw + g->tj[e];

        if (!c->transposed)
          {
            const float *src = packed + (gsize) t * c->cin * c->cout;
            float *dst = grad + (gsize) tap * c->cin * c->cout;

            for (gsize k = 0; k < (gsize) c->cin * c->cout; k++)
              dst[k] += src[k];
          }
        else
          for (int i = 0; i < c->cin; i++)
            {
              const float *src = packed + ((gsize) i * ntaps + t) * c->cout;
              float *dst = grad + ((gsize) i * c->kh * c->kw + tap) * c->cout;

              for (int k = 0; k < c->cout; k++)
                dst[k] += src[k];
            }
      }
}

void
bw_nn_conv_forward (BwNnConv    *c,
                    const float *x,
                    int          batch,
                    int          h,
                    int          w,
                    float       *y)
{
  Geom g;
  int ntaps, m;
  gsize cols_n;
  float *cols, *kernel;

  geom_init (&g, c, h, w);
  ntaps = g.n_ti * g.n_tj;
  m = batch * g.short_h * g.short_w;
  cols_n = (gsize) m * ntaps * (c->transposed ? c->cout : c->cin);
  cols = workspace (c, cols_n);
  kernel = c->w->w;
  if (!g.all_taps)
    {
      kernel = cols + cols_n;
      pack_kernel (c, &g, c->w->w, kernel);
    }

  if (!c->transposed)
    {
      im2col (&g, x, batch, c->cin, cols);
      for (int r = 0; r < m; r++)
        memcpy (y + (gsize) r * c->cout, c->b->w, c->cout * sizeof (float));
      bw_nn_gemm (FALSE, FALSE, m, c->cout, ntaps * c->cin, 1, cols, ntaps * c->cin,
                  kernel, c->cout, 1, y, c->cout);
    }
  else
    {
      gsize n_out = (gsize) batch * g.long_h * g.long_w;

      bw_nn_gemm (FALSE, FALSE, m, ntaps * c->cout, c->cin, 1, x, c->cin,
                  kernel, ntaps * c->cout, 0, cols, ntaps * c->cout);
      for (gsize r = 0; r < n_out; r++)
        memcpy (y + r * c->cout, c->b->w, c->cout * sizeof (float));
      col2im (&g, cols, batch, c->cout, y);
    }
}

void
bw_nn_conv_backward (BwNnConv    *c,
                     const float *x,
                     int          batch,
                     int          h,
                     int          w,
                     const float *dy,
                     float       *dx)
{
  Geom g;
  int ntaps, m;
  gsize cols_n, n_dy;
  float *cols, *kernel, *kgrad;

  geom_init (&g, c, h, w);
  ntaps = g.n_ti * g.n_tj;
  m = batch * g.short_h * g.short_w;
  cols_n = (gsize) m * ntaps * (c->transposed ? c->cout : c->cin);
  cols = workspace (c, cols_n);
  kernel = c->w->w;
  kgrad = c->w->g;
  if (!g.all_taps)
    {
      kernel = cols + cols_n;
      kgrad = kernel + c->w->size;
      pack_kernel (c, &g, c->w->w, kernel);
      memset (kgrad, 0, c->w->size * sizeof (float));
    }
  n_dy = c->transposed ? (gsize) batch * g.long_h * g.long_w : (gsize) m;
  for (gsize r = 0; r < n_dy; r++)
    for (int k = 0; k < c->cout; k++)
      c->b->g[k] += dy[r * c->cout + k];

  if (!c->transposed)
    {
      im2col (&g, x, batch, c->cin, cols);
      bw_nn_gemm (TRUE, FALSE, ntaps * c->cin, c->cout, m, 1, cols, ntaps * c->cin,
                  dy, c->cout, 1, kgrad, c->cout);
      if (dx != NULL)
        {
          bw_nn_gemm (FALSE, TRUE, m, ntaps * c->cin, c->cout, 1, dy, c->cout,
                      kernel, c->cout, 0, cols, ntaps * c->cin);
          memset (dx, 0, (gsize) batch * h * w * c->cin * sizeof (float));
          col2im (&g, cols, batch, c->cin, dx);
        }
    }
  else
    {
      im2col (&g, dy, batch, c->cout, cols);
      bw_nn_gemm (TRUE, FALSE, c->cin, ntaps * c->cout, m, 1, x, c->cin,
                  cols, ntaps * c->cout, 1, kgrad, ntaps * c->cout);
      if (dx != NULL)
        bw_nn_gemm (FALSE, TRUE, m, c->cin, ntaps * c->cout, 1, cols, ntaps * c->cout,
                    kernel, ntaps * c->cout, 0, dx, c->cin);
    }
  if (!g.all_taps)
    unpack_add_grad (c, &g, kgrad, c->w->g);
}
