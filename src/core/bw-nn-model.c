/* bw-nn-model.c: the six neural anomaly detectors of SKAB's notebooks
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-nn-model"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bw-error.h"
#include "bw-nn.h"
#include "bw-nn-model.h"
#include "bw-nn-private.h"

#define N_SCRATCH 80
#define MSCRED_SCALES 3
#define MSCRED_STEPS 5
static const int mscred_windows[MSCRED_SCALES] = { 5, 10, 30 };
#define MSCRED_HISTORY 30                     /* the longest window */

struct _BwNnModel
{
  BwNnModelConfig cfg;
  guint           nf;
  BwNnParams     *params;
  BwNnRng         rng;
  BwNnOptimizer   opt;
  double          threshold;
  gboolean        fitted;
  float          *loss_history;
  guint           n_epochs;

  /* layers; which are used depends on the kind */
  BwNnDense       dense[6];
  BwNnBatchNorm   bn[4];
  BwNnLstm        lstm[3];
  BwNnConv        conv[5];
  BwNnDropout     drop[2];
  BwNnConv        enc[4], dec[4];
  BwNnConvLstm    clstm[4];

  /* MSCRED: min–max scaling of the rows, learned on the training rows */
  double         *mm_min, *mm_max;
  int             pad;               /* sensors padded to a multiple of 8 */

  /* the series under training or scoring: rows × nf, or signature
   * matrices for MSCRED (n × pad × pad × scales) */
  float          *series;
  guint           series_len;
  gsize           series_alloc;

  float          *scratch[N_SCRATCH];
  gsize           scratch_size[N_SCRATCH];

  /* streaming */
  float          *recent;            /* the last rows, oldest first */
  guint           n_recent;
  double         *recent_scores;     /* the last window scores */
  guint           n_recent_scores;
};

/* ---- configuration -------------------------------------------------------- */

static const char *kind_names[] = { "ae", "lstm", "lstm-ae", "lstm-vae", "conv-ae", "mscred" };

const char *
bw_nn_model_kind_to_string (BwNnModelKind kind)
{
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (kind_names), NULL);
  return kind_names[kind];
}

gboolean
bw_nn_model_kind_from_string (const char    *name,
                              BwNnModelKind *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (g_strcmp0 (name, kind_names[i]) == 0)
      {
        *kind = (BwNnModelKind) i;
        return TRUE;
      }
  return FALSE;
}

void
bw_nn_model_config_reference (BwNnModelConfig *c,
                              BwNnModelKind    kind)
{
  memset (c, 0, sizeof *c);
  c->kind = kind;
  c->seed = 0;
  switch (kind)
    {
    case BW_NN_MODEL_AE:
      /* Vanilla_AE.ipynb: [5, 4, 2, 0.005, 32], MAE, 40 epochs,
       * validation 0.2, patience 3, UCL = q0.99 · 5/2 */
      c->window = 1;
      c->width = 5;
      c->epochs = 40;
      c->batch_size = 32;
      c->validation_split = 0.2f;
      c->patience = 3;
      c->learning_rate = 0.005f;
      c->shuffle = TRUE;
      c->quantile = 0.99;
      c->ucl_factor = 2.5;
      break;
    case BW_NN_MODEL_LSTM:
      /* Vanilla_LSTM.ipynb: 5 steps, LSTM(100, relu)×2, 25 epochs, batch
       * 32, validation 0.2, unshuffled, patience 10, UCL = q0.99 · 5 */
      c->window = 5;
      c->width = 100;
      c->epochs = 25;
      c->batch_size = 32;
      c->validation_split = 0.2f;
      c->patience = 10;
      c->learning_rate = 0.001f;
      c->shuffle = FALSE;
      c->quantile = 0.99;
      c->ucl_factor = 5;
      break;
    case BW_NN_MODEL_LSTM_AE:
      /* LSTM_AE.ipynb: 10 steps, LSTM(100, relu) encoder and decoder,
       * 100 epochs, batch 32, validation 0.1, unshuffled, patience 5,
       * UCL = q0.99 · 3/2 */
      c->window = 10;
      c->width = 100;
      c->epochs = 100;
      c->batch_size = 32;
      c->validation_split = 0.1f;
      c->patience = 5;
      c->learning_rate = 0.001f;
      c->shuffle = FALSE;
      c->quantile = 0.99;
      c->ucl_factor = 1.5;
      break;
    case BW_NN_MODEL_LSTM_VAE:
      /* LSTM_VAE.ipynb: 5 steps, LSTM(32), latent 100, RMSprop, batch 1,
       * 20 epochs, validation 0.1, patience 5, UCL = q0.999 · 3/2 */
      c->window = 5;
      c->width = 32;
      c->epochs = 20;
      c->batch_size = 1;
      c->validation_split = 0.1f;
      c->patience = 5;
      c->learning_rate = 0.001f;
      c->shuffle = TRUE;
      c->quantile = 0.999;
      c->ucl_factor = 1.5;
      break;
    case BW_NN_MODEL_CONV_AE:
      /* Conv_AE.ipynb: 60 steps, Conv1D 32/16 (k 7, stride 2) and back,
       * dropout 0.2, 100 epochs, batch 32, validation 0.1, patience 5,
       * UCL = q0.999 · 4/3 */
      c->window = 60;
      c->width = 32;
      c->epochs = 100;
      c->batch_size = 32;
      c->validation_split = 0.1f;
      c->patience = 5;
      c->learning_rate = 0.001f;
      c->shuffle = TRUE;
      c->quantile = 0.999;
      c->ucl_factor = 4.0 / 3.0;
      c->dropout = 0.2f;
      break;
    case BW_NN_MODEL_MSCRED:
      /* mscred.ipynb: signature matrices of windows 5, 10, 30, 5 steps,
       * filters 32–256, Adam 1e-3. The notebook's 25 epochs of batch 200
       * are 50 updates; 5 epochs of batch 32 are 60 updates for a fifth
       * of the arithmetic, which keeps all six models within ten minutes
       * of one core. UCL = q0.99 · 3/2 of the training scores. */
      c->window = MSCRED_STEPS;
      c->width = 32;
      c->epochs = 5;
      c->batch_size = 32;
      c->validation_split = 0;
      c->patience = 0;
      c->learning_rate = 0.001f;
      c->shuffle = TRUE;
      c->quantile = 0.99;
      c->ucl_factor = 1.5;
      break;
    default:
      g_assert_not_reached ();
    }
}

gboolean
bw_nn_model_config_set (BwNnModelConfig *c,
                        const char      *name,
                        const char      *value,
                        GError         **error)
{
  char *end = NULL;
  double v;

  BwNnModelConfig copy = *c;

  if (g_str_equal (name, "shuffle"))
    {
      if (g_strcmp0 (value, "true") != 0 && g_strcmp0 (value, "false") != 0)
        goto bad;
      c->shuffle = g_str_equal (value, "true");
      return TRUE;
    }
  v = g_ascii_strtod (value, &end);
  if (end == value || *end != '\0' || !isfinite (v) || v < 0)
    goto bad;
  if (g_str_equal (name, "window") && v >= 1 && v <= 1000)
    c->window = (int) v;
  else if (g_str_equal (name, "epochs") && v >= 1 && v <= 100000)
    c->epochs = (guint) v;
  else if (g_str_equal (name, "batch-size") && v >= 1 && v <= 100000)
    c->batch_size = (guint) v;
  else if (g_str_equal (name, "validation-split") && v < 1)
    c->validation_split = (float) v;
  else if (g_str_equal (name, "patience") && v <= 100000)
    c->patience = (guint) v;
  else if (g_str_equal (name, "learning-rate") && v > 0 && v < 10)
    c->learning_rate = (float) v;
  else if (g_str_equal (name, "quantile") && v > 0 && v <= 1)
    c->quantile = v;
  else if (g_str_equal (name, "ucl-factor") && v > 0)
    c->ucl_factor = v;
  else if (g_str_equal (name, "width") && v >= 1 && v <= 4096)
    c->width = (int) v;
  else if (g_str_equal (name, "dropout") && v < 1)
    c->dropout = (float) v;
  else if (g_str_equal (name, "seed"))
    c->seed = (guint64) v;
  else
    goto bad;
  if (c->kind == BW_NN_MODEL_CONV_AE && c->window % 4 != 0)
    {
      *c = copy;
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   "conv-ae: the window must be a multiple of 4");
      return FALSE;
    }
  return TRUE;

bad:
  g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
               "%s: bad value “%s” for option “%s”",
               bw_nn_model_kind_to_string (c->kind), value, name);
  return FALSE;
}

JsonNode *
bw_nn_model_config_to_json (const BwNnModelConfig *c)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, bw_nn_model_kind_to_string (c->kind));
#define INT_MEMBER(n, v) json_builder_set_member_name (b, n); json_builder_add_int_value (b, v);
#define DBL_MEMBER(n, v) json_builder_set_member_name (b, n); json_builder_add_double_value (b, v);
  INT_MEMBER ("window", c->window);
  INT_MEMBER ("epochs", c->epochs);
  INT_MEMBER ("batch-size", c->batch_size);
  DBL_MEMBER ("validation-split", c->validation_split);
  INT_MEMBER ("patience", c->patience);
  DBL_MEMBER ("learning-rate", c->learning_rate);
  json_builder_set_member_name (b, "shuffle");
  json_builder_add_boolean_value (b, c->shuffle);
  DBL_MEMBER ("quantile", c->quantile);
  DBL_MEMBER ("ucl-factor", c->ucl_factor);
  INT_MEMBER ("width", c->width);
  DBL_MEMBER ("dropout", c->dropout);
  INT_MEMBER ("seed", (gint64) c->seed);
#undef INT_MEMBER
#undef DBL_MEMBER
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
config_from_json (BwNnModelConfig *c,
                  JsonObject      *o,
                  GError         **error)
{
  const char *kind = json_object_get_string_member_with_default (o, "kind", NULL);
  BwNnModelKind k;
  static const char *keys[] = { "window", "epochs", "batch-size", "validation-split", "patience",
                                "learning-rate", "quantile", "ucl-factor", "width", "dropout",
                                "seed" };

  if (kind == NULL || !bw_nn_model_kind_from_string (kind, &k))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "model: unknown kind “%s”",
                   kind ? kind : "(none)");
      return FALSE;
    }
  bw_nn_model_config_reference (c, k);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      JsonNode *n = json_object_get_member (o, keys[i]);
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      if (n == NULL)
        continue;
      if (json_node_get_value_type (n) != G_TYPE_INT64 && json_node_get_value_type (n) != G_TYPE_DOUBLE)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "model: “%s” is not a number", keys[i]);
          return FALSE;
        }
      g_ascii_dtostr (buf, sizeof buf, json_node_get_double (n));
      if (!bw_nn_model_config_set (c, keys[i], buf, error))
        return FALSE;
    }
  c->shuffle = json_object_get_boolean_member_with_default (o, "shuffle", c->shuffle);
  return TRUE;
}

/* ---- construction ------------------------------------------------------- */

static float *
scratch (BwNnModel *m,
         int        id,
         gsize      n)
{
  g_assert (id < N_SCRATCH);
  if (n > m->scratch_size[id])
    {
      m->scratch[id] = g_renew (float, m->scratch[id], n);
      m->scratch_size[id] = n;
    }
  return m->scratch[id];
}

static void
build (BwNnModel *m)
{
  BwNnModelConfig *c = &m->cfg;
  int nf = (int) m->nf, w = c->width;
  BwNnRng *rng = &m->rng;
  BwNnParams *p = m->params;

  switch (c->kind)
    {
    case BW_NN_MODEL_AE:
      {
        /* in → w → w−1 → ⌈w/2⌉−1 (bottleneck) → w−1 → w → in; SKAB's [5, 4, 2] */
        int sizes[6] = { nf, w, MAX (w - 1, 1), MAX ((w + 1) / 2 - 1, 1), MAX (w - 1, 1), w };

        for (int i = 0; i < 6; i++)
          {
            g_autofree char *name = g_strdup_printf ("dense%d", i);

            bw_nn_dense_init (&m->dense[i], p, name, sizes[i], i == 5 ? nf : sizes[i + 1], rng);
          }
        bw_nn_batch_norm_init (&m->bn[0], p, "bn0", sizes[1]);
        bw_nn_batch_norm_init (&m->bn[1], p, "bn1", sizes[2]);
        bw_nn_batch_norm_init (&m->bn[2], p, "bn2", sizes[4]);
        bw_nn_batch_norm_init (&m->bn[3], p, "bn3", sizes[5]);
      }
      break;
    case BW_NN_MODEL_LSTM:
      bw_nn_lstm_init (&m->lstm[0], p, "lstm0", nf, w, BW_NN_ACT_RELU, rng);
      bw_nn_lstm_init (&m->lstm[1], p, "lstm1", w, w, BW_NN_ACT_RELU, rng);
      bw_nn_dense_init (&m->dense[0], p, "dense", w, nf, rng);
      break;
    case BW_NN_MODEL_LSTM_AE:
      bw_nn_lstm_init (&m->lstm[0], p, "encoder", nf, w, BW_NN_ACT_RELU, rng);
      bw_nn_lstm_init (&m->lstm[1], p, "decoder", w, w, BW_NN_ACT_RELU, rng);
      bw_nn_dense_init (&m->dense[0], p, "output", w, nf, rng);
      break;
    case BW_NN_MODEL_LSTM_VAE:
      bw_nn_lstm_init (&m->lstm[0], p, "encoder", nf, w, BW_NN_ACT_TANH, rng);
      bw_nn_dense_init (&m->dense[0], p, "z_mean", w, 100, rng);
      bw_nn_dense_init (&m->dense[1], p, "z_log_var", w, 100, rng);
      bw_nn_lstm_init (&m->lstm[1], p, "decoder_h", 100, w, BW_NN_ACT_TANH, rng);
      bw_nn_lstm_init (&m->lstm[2], p, "decoder_mean", w, nf, BW_NN_ACT_TANH, rng);
      break;
    case BW_NN_MODEL_CONV_AE:
      bw_nn_conv_init (&m->conv[0], p, "conv0", nf, w, 1, 7, 1, 2, FALSE, rng);
      bw_nn_conv_init (&m->conv[1], p, "conv1", w, w / 2, 1, 7, 1, 2, FALSE, rng);
      bw_nn_conv_init (&m->conv[2], p, "deconv0", w / 2, w / 2, 1, 7, 1, 2, TRUE, rng);
      bw_nn_conv_init (&m->conv[3], p, "deconv1", w / 2, w, 1, 7, 1, 2, TRUE, rng);
      bw_nn_conv_init (&m->conv[4], p, "deconv2", w, nf, 1, 7, 1, 1, TRUE, rng);
      m->drop[0].rate = c->dropout;
      m->drop[1].rate = c->dropout;
      break;
    case BW_NN_MODEL_MSCRED:
      {
        int ch[4] = { w, 2 * w, 4 * w, 8 * w };
        int ks[4] = { 3, 3, 2, 2 };
        int st[4] = { 1, 2, 2, 2 };

        m->pad = (nf + 7) / 8 * 8;
        for (int i = 0; i < 4; i++)
          {
            g_autofree char *en = g_strdup_printf ("conv%d", i + 1);
            g_autofree char *cn = g_strdup_printf ("convLSTM%d", i + 1);

            bw_nn_conv_init (&m->enc[i], p, en, i == 0 ? MSCRED_SCALES : ch[i - 1], ch[i],
                             ks[i], ks[i], st[i], st[i], FALSE, rng);
            bw_nn_conv_lstm_init (&m->clstm[i], p, cn, ch[i], ch[i], 2, rng);
          }
        /* deconv4: 8w → 4w; deconv3: 8w (4w + 4w) → 2w; deconv2: 4w → w;
         * deconv1: 2w → scales */
        bw_nn_conv_init (&m->dec[3], p, "deconv4", ch[3], ch[2], 2, 2, 2, 2, TRUE, rng);
        bw_nn_conv_init (&m->dec[2], p, "deconv3", 2 * ch[2], ch[1], 2, 2, 2, 2, TRUE, rng);
        bw_nn_conv_init (&m->dec[1], p, "deconv2", 2 * ch[1], ch[0], 3, 3, 2, 2, TRUE, rng);
        bw_nn_conv_init (&m->dec[0], p, "deconv1", 2 * ch[0], MSCRED_SCALES, 3, 3, 1, 1, TRUE, rng);
        m->mm_min = g_new0 (double, m->nf);
        m->mm_max = g_new0 (double, m->nf);
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

BwNnModel *
bw_nn_model_new (const BwNnModelConfig *config,
                 guint                  n_features)
{
  BwNnModel *m;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (n_features > 0, NULL);

  m = g_new0 (BwNnModel, 1);
  m->cfg = *config;
  m->nf = n_features;
  m->params = bw_nn_params_new ();
  bw_nn_rng_init (&m->rng, config->seed);
  bw_nn_optimizer_init (&m->opt,
                        config->kind == BW_NN_MODEL_LSTM_VAE ? BW_NN_OPT_RMSPROP : BW_NN_OPT_ADAM,
                        config->learning_rate);
  build (m);
  m->threshold = INFINITY;
  return m;
}

void
bw_nn_model_free (BwNnModel *m)
{
  if (m == NULL)
    return;
  for (int i = 0; i < 4; i++)
    bw_nn_batch_norm_clear (&m->bn[i]);
  for (int i = 0; i < 3; i++)
    bw_nn_lstm_clear (&m->lstm[i]);
  for (int i = 0; i < 5; i++)
    bw_nn_conv_clear (&m->conv[i]);
  for (int i = 0; i < 2; i++)
    bw_nn_dropout_clear (&m->drop[i]);
  for (int i = 0; i < 4; i++)
    {
      bw_nn_conv_clear (&m->enc[i]);
      bw_nn_conv_clear (&m->dec[i]);
      bw_nn_conv_lstm_clear (&m->clstm[i]);
    }
  for (int i = 0; i < N_SCRATCH; i++)
    g_free (m->scratch[i]);
  bw_nn_params_free (m->params);
  g_free (m->loss_history);
  g_free (m->mm_min);
  g_free (m->mm_max);
  g_free (m->series);
  g_free (m->recent);
  g_free (m->recent_scores);
  g_free (m);
}

const BwNnModelConfig *
bw_nn_model_get_config (BwNnModel *m)
{
  return &m->cfg;
}

guint
bw_nn_model_get_n_features (BwNnModel *m)
{
  return m->nf;
}

gsize
bw_nn_model_get_n_weights (BwNnModel *m)
{
  return bw_nn_params_count (m->params);
}

const float *
bw_nn_model_get_loss_history (BwNnModel *m,
                              guint     *n_epochs)
{
  *n_epochs = m->n_epochs;
  return m->loss_history;
}

/* ---- the series and its samples ----------------------------------------- */

/* rows each sample spans, and the samples of a series of @rows rows */
static guint
sample_span (BwNnModel *m)
{
  switch (m->cfg.kind)
    {
    case BW_NN_MODEL_AE:
      return 1;
    case BW_NN_MODEL_LSTM:
      return m->cfg.window + 1;
    case BW_NN_MODEL_MSCRED:
      return MSCRED_HISTORY + MSCRED_STEPS;   /* matrices at t = 30 … 34 */
    default:
      return m->cfg.window;
    }
}

static guint
n_samples (BwNnModel *m,
           guint      rows)
{
  guint span = sample_span (m);

  return rows >= span ? rows - span + 1 : 0;
}

/* MSCRED's signature matrices: for each time t ≥ 30 and window w, the
 * inner products of the (min–max scaled) sensors over rows t−w … t−1,
 * divided by w; zero-padded to pad × pad */
static void
mscred_signatures (BwNnModel    *m,
                   const double *x,
                   guint         rows,
                   float        *out)
{
  int nf = (int) m->nf, pad = m->pad;
  g_autofree double *s = g_new (double, (gsize) rows * nf);

  for (guint r = 0; r < rows; r++)
    for (int f = 0; f < nf; f++)
      {
        double span = m->mm_max[f] - m->mm_min[f];

        s[(gsize) r * nf + f] = span > 0 ? (x[(gsize) r * nf + f] - m->mm_min[f]) / span : 0;
      }
  for (guint t = MSCRED_HISTORY; t < rows; t++)
    {
      float *mat = out + (gsize) (t - MSCRED_HISTORY) * pad * pad * MSCRED_SCALES;

      memset (mat, 0, (gsize) pad * pad * MSCRED_SCALES * sizeof (float));
      for (int k = 0; k < MSCRED_SCALES; k++)
        {
          int win = mscred_windows[k];

          for (int i = 0; i < nf; i++)
            for (int j = i; j < nf; j++)
              {
                double dot = 0;

                for (guint r = t - win; r < t; r++)
                  dot += s[(gsize) r * nf + i] * s[(gsize) r * nf + j];
                mat[((gsize) i * pad + j) * MSCRED_SCALES + k] = (float) (dot / win);
                mat[((gsize) j * pad + i) * MSCRED_SCALES + k] = (float) (dot / win);
              }
        }
    }
}

/* loads a series for training or scoring */
static void
set_series (BwNnModel    *m,
            const double *x,
            guint         rows)
{
  gsize need;

  if (m->cfg.kind == BW_NN_MODEL_MSCRED)
    {
      guint n = rows > MSCRED_HISTORY ? rows - MSCRED_HISTORY : 0;

      need = (gsize) n * m->pad * m->pad * MSCRED_SCALES;
      if (need > m->series_alloc)
        {
          m->series = g_renew (float, m->series, MAX (need, 1));
          m->series_alloc = need;
        }
      mscred_signatures (m, x, rows, m->series);
    }
  else
    {
      need = (gsize) rows * m->nf;
      if (need > m->series_alloc)
        {
          m->series = g_renew (float, m->series, MAX (need, 1));
          m->series_alloc = need;
        }
      for (gsize i = 0; i < need; i++)
        m->series[i] = (float) x[i];
    }
  m->series_len = rows;
}

/* ---- forward and backward passes ------------------------------------------ *
 * forward(): builds the batch of samples idx[0..n) into scratch 0, runs the
 * model, leaves the output in scratch 1 and the target in scratch 2, and
 * returns the loss; backward() follows the same forward. */

enum { S_IN, S_OUT, S_TARGET, S_DOUT, S_A, S_B, S_C, S_D, S_E, S_F, S_G, S_H, S_I, S_J, S_K,
       S_L, S_M, S_N, S_O, S_P, S_Q, S_R, S_S, S_T, S_U, S_V, S_W, S_X };

static void
gather_windows (BwNnModel   *m,
                const guint *idx,
                guint        n,
                guint        len,
                float       *dst)
{
  gsize row = (gsize) len * m->nf;

  for (guint i = 0; i < n; i++)
    memcpy (dst + i * row, m->series + (gsize) idx[i] * m->nf, row * sizeof (float));
}

static float
ae_pass (BwNnModel   *m,
         const guint *idx,
         guint        n,
         gboolean     train,
         gboolean     backward)
{
  int nf = (int) m->nf;
  float *x = scratch (m, S_IN, (gsize) n * nf);
  float *pre[6], *post[6], *norm[4];
  float *cur = x;
  float loss;
  /* dense i → (bn, relu) for i ∈ {0, 1, 3, 4}; dense 2 and 5 are linear */
  const int bn_of[6] = { 0, 1, -1, 2, 3, -1 };

  gather_windows (m, idx, n, 1, x);
  for (int i = 0; i < 6; i++)
    {
      int out = m->dense[i].out;

      pre[i] = scratch (m, S_A + i, (gsize) n * out);
      bw_nn_dense_forward (&m->dense[i], cur, n, pre[i]);
      if (bn_of[i] >= 0)
        {
          norm[bn_of[i]] = scratch (m, S_G + bn_of[i], (gsize) n * out);
          post[i] = scratch (m, S_K + i, (gsize) n * out);
          bw_nn_batch_norm_forward (&m->bn[bn_of[i]], pre[i], n, train, norm[bn_of[i]]);
          bw_nn_act_forward (BW_NN_ACT_RELU, norm[bn_of[i]], post[i], (gsize) n * out);
        }
      else
        post[i] = pre[i];
      cur = post[i];
    }
  memcpy (scratch (m, S_OUT, (gsize) n * nf), cur, (gsize) n * nf * sizeof (float));
  memcpy (scratch (m, S_TARGET, (gsize) n * nf), x, (gsize) n * nf * sizeof (float));
  if (!backward)
    return bw_nn_mae_loss (cur, x, (gsize) n * nf, NULL);

  {
    float *d = scratch (m, S_DOUT, (gsize) n * 8 * MAX (nf, m->cfg.width));
    float *dprev = scratch (m, S_Q, (gsize) n * 8 * MAX (nf, m->cfg.width));

    loss = bw_nn_mae_loss (cur, x, (gsize) n * nf, d);
    for (int i = 5; i >= 0; i--)
      {
        int out = m->dense[i].out;
        const float *input = i == 0 ? x : post[i - 1];

        if (bn_of[i] >= 0)
          {
            bw_nn_act_backward (BW_NN_ACT_RELU, norm[bn_of[i]], post[i], d, d, (gsize) n * out);
            bw_nn_batch_norm_backward (&m->bn[bn_of[i]], d, n, d);
          }
        bw_nn_dense_backward (&m->dense[i], input, d, n, i == 0 ? NULL : dprev);
        if (i > 0)
          {
            float *t = d;

            d = dprev;
            dprev = t;
          }
      }
  }
  return loss;
}

static float
lstm_pass (BwNnModel   *m,
           const guint *idx,
           guint        n,
           gboolean     train,
           gboolean     backward)
{
  int nf = (int) m->nf, steps = m->cfg.window, w = m->cfg.width;
  float *x = scratch (m, S_IN, (gsize) n * steps * nf);
  float *h0 = scratch (m, S_A, (gsize) n * steps * w);
  float *h1 = scratch (m, S_B, (gsize) n * w);
  float *out = scratch (m, S_OUT, (gsize) n * nf);
  float *target = scratch (m, S_TARGET, (gsize) n * nf);
  float loss;

  gather_windows (m, idx, n, steps, x);
  for (guint i = 0; i < n; i++)
    memcpy (target + (gsize) i * nf, m->series + ((gsize) idx[i] + steps) * nf, nf * sizeof (float));
  bw_nn_lstm_forward (&m->lstm[0], x, n, steps, TRUE, h0);
  bw_nn_lstm_forward (&m->lstm[1], h0, n, steps, FALSE, h1);
  bw_nn_dense_forward (&m->dense[0], h1, n, out);
  if (!backward)
    return bw_nn_mae_loss (out, target, (gsize) n * nf, NULL);

  {
    float *dout = scratch (m, S_DOUT, (gsize) n * nf);
    float *dh1 = scratch (m, S_C, (gsize) n * w);
    float *dh0 = scratch (m, S_D, (gsize) n * steps * w);

    loss = bw_nn_mae_loss (out, target, (gsize) n * nf, dout);
    bw_nn_dense_backward (&m->dense[0], h1, dout, n, dh1);
    bw_nn_lstm_backward (&m->lstm[1], h0, dh1, FALSE, dh0);
    bw_nn_lstm_backward (&m->lstm[0], x, dh0, TRUE, NULL);
  }
  return loss;
}

static void
repeat_vector (const float *v,
               int          n,
               int          steps,
               int          dim,
               float       *out)
{
  for (int i = 0; i < n; i++)
    for (int t = 0; t < steps; t++)
      memcpy (out + ((gsize) i * steps + t) * dim, v + (gsize) i * dim, dim * sizeof (float));
}

static void
repeat_vector_backward (const float *dout,
                        int          n,
                        int          steps,
                        int          dim,
                        float       *dv)
{
  memset (dv, 0, (gsize) n * dim * sizeof (float));
  for (int i = 0; i < n; i++)
    for (int t = 0; t < steps; t++)
      for (int d = 0; d < dim; d++)
        dv[(gsize) i * dim + d] += dout[((gsize) i * steps + t) * dim + d];
}

static float
lstm_ae_pass (BwNnModel   *m,
              const guint *idx,
              guint        n,
              gboolean     train,
              gboolean     backward)
{
  int nf = (int) m->nf, steps = m->cfg.window, w = m->cfg.width;
  float *x = scratch (m, S_IN, (gsize) n * steps * nf);
  float *enc = scratch (m, S_A, (gsize) n * w);
  float *rep = scratch (m, S_B, (gsize) n * steps * w);
  float *dec = scratch (m, S_C, (gsize) n * steps * w);
  float *out = scratch (m, S_OUT, (gsize) n * steps * nf);
  float loss;

  gather_windows (m, idx, n, steps, x);
  memcpy (scratch (m, S_TARGET, (gsize) n * steps * nf), x, (gsize) n * steps * nf * sizeof (float));
  bw_nn_lstm_forward (&m->lstm[0], x, n, steps, FALSE, enc);
  repeat_vector (enc, n, steps, w, rep);
  bw_nn_lstm_forward (&m->lstm[1], rep, n, steps, TRUE, dec);
  bw_nn_dense_forward (&m->dense[0], dec, n * steps, out);
  if (!backward)
    return bw_nn_mae_loss (out, x, (gsize) n * steps * nf, NULL);

  {
    float *dout = scratch (m, S_DOUT, (gsize) n * steps * nf);
    float *ddec = scratch (m, S_D, (gsize) n * steps * w);
    float *drep = scratch (m, S_E, (gsize) n * steps * w);
    float *denc = scratch (m, S_F, (gsize) n * w);

    loss = bw_nn_mae_loss (out, x, (gsize) n * steps * nf, dout);
    bw_nn_dense_backward (&m->dense[0], dec, dout, n * steps, ddec);
    bw_nn_lstm_backward (&m->lstm[1], rep, ddec, TRUE, drep);
    repeat_vector_backward (drep, n, steps, w, denc);
    bw_nn_lstm_backward (&m->lstm[0], x, denc, FALSE, NULL);
  }
  return loss;
}

static float
lstm_vae_pass (BwNnModel   *m,
               const guint *idx,
               guint        n,
               gboolean     train,
               gboolean     backward)
{
  int nf = (int) m->nf, steps = m->cfg.window, w = m->cfg.width, lat = 100;
  float *x = scratch (m, S_IN, (gsize) n * steps * nf);
  float *h = scratch (m, S_A, (gsize) n * w);
  float *mu = scratch (m, S_B, (gsize) n * lat);
  float *lv = scratch (m, S_C, (gsize) n * lat);
  float *eps = scratch (m, S_D, (gsize) n * lat);
  float *z = scratch (m, S_E, (gsize) n * lat);
  float *rep = scratch (m, S_F, (gsize) n * steps * lat);
  float *dh = scratch (m, S_G, (gsize) n * steps * w);
  float *out = scratch (m, S_OUT, (gsize) n * steps * nf);
  float loss;

  gather_windows (m, idx, n, steps, x);
  memcpy (scratch (m, S_TARGET, (gsize) n * steps * nf), x, (gsize) n * steps * nf * sizeof (float));
  bw_nn_lstm_forward (&m->lstm[0], x, n, steps, FALSE, h);
  bw_nn_dense_forward (&m->dense[0], h, n, mu);
  bw_nn_dense_forward (&m->dense[1], h, n, lv);
  /* sampling while training; the mean when scoring, so scores repeat */
  for (gsize i = 0; i < (gsize) n * lat; i++)
    eps[i] = train ? (float) bw_nn_rng_normal (&m->rng) : 0;
  bw_nn_reparam_forward (mu, lv, eps, z, (gsize) n * lat);
  repeat_vector (z, n, steps, lat, rep);
  bw_nn_lstm_forward (&m->lstm[1], rep, n, steps, TRUE, dh);
  bw_nn_lstm_forward (&m->lstm[2], dh, n, steps, TRUE, out);
  if (!backward)
    return bw_nn_mse_loss (out, x, (gsize) n * steps * nf, NULL)
      + bw_nn_kl_loss (mu, lv, (gsize) n * lat, 1, NULL, NULL);

  {
    float *dout = scratch (m, S_DOUT, (gsize) n * steps * nf);
    float *ddh = scratch (m, S_H, (gsize) n * steps * w);
    float *drep = scratch (m, S_I, (gsize) n * steps * lat);
    float *dz = scratch (m, S_J, (gsize) n * lat);
    float *dmu = scratch (m, S_K, (gsize) n * lat);
    float *dlv = scratch (m, S_L, (gsize) n * lat);
    float *dhh = scratch (m, S_M, (gsize) n * w);
    float *dhh2 = scratch (m, S_N, (gsize) n * w);

    loss = bw_nn_mse_loss (out, x, (gsize) n * steps * nf, dout);
    memset (dmu, 0, (gsize) n * lat * sizeof (float));
    memset (dlv, 0, (gsize) n * lat * sizeof (float));
    loss += bw_nn_kl_loss (mu, lv, (gsize) n * lat, 1, dmu, dlv);
    bw_nn_lstm_backward (&m->lstm[2], dh, dout, TRUE, ddh);
    bw_nn_lstm_backward (&m->lstm[1], rep, ddh, TRUE, drep);
    repeat_vector_backward (drep, n, steps, lat, dz);
    bw_nn_reparam_backward (lv, eps, dz, dmu, dlv, (gsize) n * lat);
    bw_nn_dense_backward (&m->dense[0], h, dmu, n, dhh);
    bw_nn_dense_backward (&m->dense[1], h, dlv, n, dhh2);
    for (gsize i = 0; i < (gsize) n * w; i++)
      dhh[i] += dhh2[i];
    bw_nn_lstm_backward (&m->lstm[0], x, dhh, FALSE, NULL);
  }
  return loss;
}

static float
conv_ae_pass (BwNnModel   *m,
              const guint *idx,
              guint        n,
              gboolean     train,
              gboolean     backward)
{
  int nf = (int) m->nf, len = m->cfg.window;
  /* lengths and channels through the five layers */
  int lens[6], chans[6];
  float *pre[5], *post[5];
  float *x = scratch (m, S_IN, (gsize) n * len * nf);
  float loss;

  lens[0] = len;
  chans[0] = nf;
  for (int i = 0; i < 5; i++)
    {
      int oh, ow;

      bw_nn_conv_out_size (&m->conv[i], 1, lens[i], &oh, &ow);
      lens[i + 1] = ow;
      chans[i + 1] = m->conv[i].cout;
    }
  gather_windows (m, idx, n, len, x);
  memcpy (scratch (m, S_TARGET, (gsize) n * len * nf), x, (gsize) n * len * nf * sizeof (float));
  for (int i = 0; i < 5; i++)
    {
      gsize sz = (gsize) n * lens[i + 1] * chans[i + 1];

      pre[i] = scratch (m, S_A + i, sz);
      post[i] = i < 4 ? scratch (m, S_F + i, sz) : pre[i];
      bw_nn_conv_forward (&m->conv[i], i == 0 ? x : post[i - 1], n, 1, lens[i], pre[i]);
      if (i < 4)
        {
          bw_nn_act_forward (BW_NN_ACT_RELU, pre[i], post[i], sz);
          /* dropout after the first convolution and the first deconvolution */
          if (i == 0 || i == 2)
            bw_nn_dropout_forward (&m->drop[i / 2], post[i], sz, train, &m->rng);
        }
    }
  memcpy (scratch (m, S_OUT, (gsize) n * len * nf), post[4], (gsize) n * len * nf * sizeof (float));
  if (!backward)
    return bw_nn_mse_loss (post[4], x, (gsize) n * len * nf, NULL);

  {
    gsize biggest = 0;
    float *d, *dprev;

    for (int i = 0; i <= 5; i++)
      biggest = MAX (biggest, (gsize) n * lens[i] * chans[i]);
    d = scratch (m, S_DOUT, biggest);
    dprev = scratch (m, S_J, biggest);
    loss = bw_nn_mse_loss (post[4], x, (gsize) n * len * nf, d);
    for (int i = 4; i >= 0; i--)
      {
        gsize sz = (gsize) n * lens[i + 1] * chans[i + 1];

        if (i < 4)
          {
            if (i == 0 || i == 2)
              bw_nn_dropout_backward (&m->drop[i / 2], d, sz);
            bw_nn_act_backward (BW_NN_ACT_RELU, pre[i], post[i], d, d, sz);
          }
        bw_nn_conv_backward (&m->conv[i], i == 0 ? x : post[i - 1], n, 1, lens[i], d,
                             i == 0 ? NULL : dprev);
        if (i > 0)
          {
            float *t = d;

            d = dprev;
            dprev = t;
          }
      }
  }
  return loss;
}

/* [rows × a] and [rows × b] side by side → [rows × (a + b)] */
static void
concat_channels (const float *x,
                 int          a,
                 const float *y,
                 int          b,
                 gsize        rows,
                 float       *out)
{
  for (gsize r = 0; r < rows; r++)
    {
      memcpy (out + r * (a + b), x + r * a, a * sizeof (float));
      memcpy (out + r * (a + b) + a, y + r * b, b * sizeof (float));
    }
}

static void
split_channels (const float *in,
                int          a,
                int          b,
                gsize        rows,
                float       *x,
                float       *y)
{
  for (gsize r = 0; r < rows; r++)
    {
      if (x != NULL)
        memcpy (x + r * a, in + r * (a + b), a * sizeof (float));
      memcpy (y + r * b, in + r * (a + b) + a, b * sizeof (float));
    }
}

/* the side of the square maps and their channels, at the input (0) and
 * after each of the encoder's four convolutions */
static void
mscred_geometry (BwNnModel *m,
                 int        side[5],
                 int        ch[5])
{
  side[0] = m->pad;
  ch[0] = MSCRED_SCALES;
  for (int i = 0; i < 4; i++)
    {
      int oh, ow;

      bw_nn_conv_out_size (&m->enc[i], side[i], side[i], &oh, &ow);
      side[i + 1] = oh;
      ch[i + 1] = m->enc[i].cout;
    }
}

static float
mscred_pass (BwNnModel   *m,
             const guint *idx,
             guint        n,
             gboolean     train,
             gboolean     backward)
{
  int pad = m->pad, T = MSCRED_STEPS, S = MSCRED_SCALES;
  gsize mat = (gsize) pad * pad * S;
  int side[5], ch[5];
  float *enc_pre[4], *enc_out[4], *cl_out[4], *att[4], *alpha[4];
  float *dec_pre[4], *dec_out[4], *cat[3];
  float *x = scratch (m, S_IN, (gsize) n * T * mat);
  float *target = scratch (m, S_TARGET, (gsize) n * mat);
  float loss;

  mscred_geometry (m, side, ch);
  for (guint i = 0; i < n; i++)
    {
      memcpy (x + (gsize) i * T * mat, m->series + (gsize) idx[i] * mat, T * mat * sizeof (float));
      memcpy (target + (gsize) i * mat, m->series + ((gsize) idx[i] + T - 1) * mat,
              mat * sizeof (float));
    }

  /* encoder, frame by frame, then a ConvLSTM and attention per scale */
  for (int i = 0; i < 4; i++)
    {
      gsize sz = (gsize) n * T * side[i + 1] * side[i + 1] * ch[i + 1];
      gsize d = (gsize) side[i + 1] * side[i + 1] * ch[i + 1];

      enc_pre[i] = scratch (m, 4 + i, sz);
      enc_out[i] = scratch (m, 8 + i, sz);
      cl_out[i] = scratch (m, 12 + i, sz);
      att[i] = scratch (m, 16 + i, (gsize) n * d);
      alpha[i] = scratch (m, 20 + i, (gsize) n * T);
      bw_nn_conv_forward (&m->enc[i], i == 0 ? x : enc_out[i - 1], n * T, side[i], side[i],
                          enc_pre[i]);
      bw_nn_act_forward (BW_NN_ACT_SELU, enc_pre[i], enc_out[i], sz);
      bw_nn_conv_lstm_forward (&m->clstm[i], enc_out[i], n, T, side[i + 1], side[i + 1], cl_out[i]);
      bw_nn_attention_forward (cl_out[i], n, T, (int) d, alpha[i], att[i]);
    }
  /* decoder with skip connections to the attended maps */
  for (int i = 3; i >= 0; i--)
    {
      const float *in = i == 3 ? att[3] : cat[i];
      gsize sz = (gsize) n * side[i] * side[i] * m->dec[i].cout;

      dec_pre[i] = scratch (m, 24 + i, sz);
      dec_out[i] = i == 0 ? scratch (m, S_OUT, sz) : scratch (m, 28 + i, sz);
      bw_nn_conv_forward (&m->dec[i], in, n, side[i + 1], side[i + 1], dec_pre[i]);
      bw_nn_act_forward (BW_NN_ACT_SELU, dec_pre[i], dec_out[i], sz);
      if (i > 0)
        {
          cat[i - 1] = scratch (m, 32 + i - 1, (gsize) n * side[i] * side[i] * 2 * ch[i]);
          concat_channels (dec_out[i], m->dec[i].cout, att[i - 1], ch[i],
                           (gsize) n * side[i] * side[i], cat[i - 1]);
        }
    }
  if (!backward)
    return bw_nn_mse_loss (dec_out[0], target, (gsize) n * mat, NULL);

  {
    float *d = scratch (m, S_DOUT, (gsize) n * mat);
    float *datt[4];
    float *denc_next = NULL;

    loss = bw_nn_mse_loss (dec_out[0], target, (gsize) n * mat, d);
    for (int i = 0; i <= 3; i++)
      {
        gsize rows_i = (gsize) n * side[i] * side[i];
        gsize sz = rows_i * m->dec[i].cout;
        const float *in = i == 3 ? att[3] : cat[i];
        float *din = scratch (m, 36 + (i % 2),
                              (gsize) n * side[i + 1] * side[i + 1] * m->dec[i].cin);

        bw_nn_act_backward (BW_NN_ACT_SELU, dec_pre[i], dec_out[i], d, d, sz);
        bw_nn_conv_backward (&m->dec[i], in, n, side[i + 1], side[i + 1], d, din);
        if (i < 3)
          {
            gsize rows_n = (gsize) n * side[i + 1] * side[i + 1];

            d = scratch (m, 38 + (i % 2), rows_n * m->dec[i + 1].cout);
            datt[i] = scratch (m, 40 + i, rows_n * ch[i + 1]);
            split_channels (din, m->dec[i + 1].cout, ch[i + 1], rows_n, d, datt[i]);
          }
        else
          {
            datt[3] = scratch (m, 43, (gsize) n * ch[4]);
            memcpy (datt[3], din, (gsize) n * ch[4] * sizeof (float));
          }
      }
    /* back through attention, ConvLSTMs and the encoder, deepest first */
    for (int i = 3; i >= 0; i--)
      {
        gsize d_i = (gsize) side[i + 1] * side[i + 1] * ch[i + 1];
        gsize sz = (gsize) n * T * d_i;
        float *dcl = scratch (m, 44, sz);
        float *denc = scratch (m, 47, sz);

        memset (dcl, 0, sz * sizeof (float));
        bw_nn_attention_backward (cl_out[i], n, T, (int) d_i, alpha[i], datt[i], dcl);
        bw_nn_conv_lstm_backward (&m->clstm[i], dcl, denc);
        if (denc_next != NULL)
          for (gsize k = 0; k < sz; k++)
            denc[k] += denc_next[k];
        bw_nn_act_backward (BW_NN_ACT_SELU, enc_pre[i], enc_out[i], denc, denc, sz);
        if (i > 0)
          {
            float *dprev = scratch (m, 45 + (i % 2), (gsize) n * T * side[i] * side[i] * ch[i]);

            bw_nn_conv_backward (&m->enc[i], enc_out[i - 1], n * T, side[i], side[i], denc, dprev);
            denc_next = dprev;
          }
        else
          bw_nn_conv_backward (&m->enc[0], x, n * T, side[0], side[0], denc, NULL);
      }
  }
  return loss;
}

static float
run_pass (BwNnModel   *m,
          const guint *idx,
          guint        n,
          gboolean     train,
          gboolean     backward)
{
  switch (m->cfg.kind)
    {
    case BW_NN_MODEL_AE:
      return ae_pass (m, idx, n, train, backward);
    case BW_NN_MODEL_LSTM:
      return lstm_pass (m, idx, n, train, backward);
    case BW_NN_MODEL_LSTM_AE:
      return lstm_ae_pass (m, idx, n, train, backward);
    case BW_NN_MODEL_LSTM_VAE:
      return lstm_vae_pass (m, idx, n, train, backward);
    case BW_NN_MODEL_CONV_AE:
      return conv_ae_pass (m, idx, n, train, backward);
    case BW_NN_MODEL_MSCRED:
      return mscred_pass (m, idx, n, train, backward);
    default:
      g_assert_not_reached ();
    }
}

static float
batch_cb (gpointer     model,
          const guint *idx,
          guint        n,
          gboolean     train)
{
  return run_pass (model, idx, n, train, train);
}

/* per-sample scores from the last run_pass(): SKAB's residuals */
static void
sample_scores (BwNnModel *m,
               guint      n,
               double    *out)
{
  const float *y = m->scratch[S_OUT], *t = m->scratch[S_TARGET];
  int nf = (int) m->nf;

  for (guint i = 0; i < n; i++)
    {
      double s = 0;

      switch (m->cfg.kind)
        {
        case BW_NN_MODEL_AE:
        case BW_NN_MODEL_LSTM:
          /* Σ over sensors of |x − x̂| */
          for (int f = 0; f < nf; f++)
            s += fabs (y[(gsize) i * nf + f] - t[(gsize) i * nf + f]);
          break;
        case BW_NN_MODEL_MSCRED:
          {
            gsize mat = (gsize) m->pad * m->pad * MSCRED_SCALES;

            /* squared reconstruction error of the newest signature matrices */
            for (gsize k = 0; k < mat; k++)
              {
                double d = y[i * mat + k] - t[i * mat + k];

                s += d * d;
              }
          }
          break;
        default:
          {
            int len = m->cfg.window;

            /* Σ over sensors of the mean over the window of |x − x̂| */
            for (int k = 0; k < len * nf; k++)
              s += fabs (y[((gsize) i * len) * nf + k] - t[((gsize) i * len) * nf + k]);
            s /= len;
          }
        }
      out[i] = s;
    }
}

/* scores of every sample of the loaded series through run_pass(), the
 * forward pass training uses; the reference for the batch paths below */
static double *
reference_sample_scores (BwNnModel *m,
                         guint     *n_out)
{
  guint n = n_samples (m, m->series_len);
  double *out = g_new (double, MAX (n, 1));
  guint chunk = m->cfg.kind == BW_NN_MODEL_MSCRED ? 64 : 512;
  g_autofree guint *idx = g_new (guint, chunk);

  for (guint start = 0; start < n; start += chunk)
    {
      guint len = MIN (chunk, n - start);

      for (guint i = 0; i < len; i++)
        idx[i] = start + i;
      run_pass (m, idx, len, FALSE, FALSE);
      sample_scores (m, len, out + start);
    }
  *n_out = n;
  return out;
}

/* ---- batch scoring -------------------------------------------------------- *
 * Every sample of a series at once, in chunks of consecutive samples: the
 * arithmetic of run_pass() without what only training needs (the caches of
 * the backward pass, the loss), and what overlapping windows share done
 * once: an LSTM's input products x·W + b once per row of the series rather
 * than once per window and step, a decoder's constant input once per
 * window rather than once per step. The scores equal run_pass()'s up to
 * float rounding (the cells' exponentials differ from expf() by about one
 * unit in the last place). */

/* scratch buffers of the batch paths (the passes above use 0–47) */
enum { B_PROJ = 48, B_WORK, B_H, B_Q, B_HALL, B_Z2, B_OUT, B_MU, B_LV, B_X, B_CONV,
       B_ENC = B_CONV + 5, B_ENC_OUT = B_ENC + 2, B_CL = B_ENC_OUT + 2, B_ATT = B_CL + 1,
       B_DEC = B_ATT + 4, B_CAT = B_DEC + 4, B_END = B_CAT + 3 };
G_STATIC_ASSERT (B_END <= N_SCRATCH);

/* Σ over the window's rows and sensors of |x̂ − x|, over the window's
 * length: the order of sample_scores() */
static void
window_scores (BwNnModel   *m,
               const float *y,
               guint        start,
               guint        len,
               double      *out)
{
  int nf = (int) m->nf, T = m->cfg.window;

  for (guint i = 0; i < len; i++)
    {
      double s = 0;

      for (int t = 0; t < T; t++)
        {
          const float *yr = y + ((gsize) t * len + i) * nf;
          const float *xr = m->series + ((gsize) start + i + t) * nf;

          for (int f = 0; f < nf; f++)
            s += fabs (yr[f] - xr[f]);
        }
      out[i] = s / T;
    }
}

static float *
lstm_work (BwNnModel *m,
           BwNnLstm  *l,
           guint      batch)
{
  return scratch (m, B_WORK, (gsize) batch * 8 * MAX (l->hidden, m->cfg.width));
}

#define LSTM_CHUNK 192

static void
batch_scores_lstm (BwNnModel *m,
                   guint      n,
                   double    *out)
{
  int nf = (int) m->nf, T = m->cfg.window, H = m->cfg.width, g4 = 4 * H;
  float *proj = scratch (m, B_PROJ, (gsize) m->series_len * g4);

  bw_nn_lstm_project (&m->lstm[0], m->series, m->series_len, proj);
  for (guint start = 0; start < n; start += LSTM_CHUNK)
    {
      guint len = MIN (LSTM_CHUNK, n - start);
      float *work = lstm_work (m, &m->lstm[0], len);
      float *h0 = scratch (m, B_HALL, (gsize) T * len * H);
      float *z1 = scratch (m, B_Z2, (gsize) T * len * g4);
      float *h1 = scratch (m, B_H, (gsize) len * H);
      float *y = scratch (m, B_OUT, (gsize) len * nf);

      bw_nn_lstm_infer (&m->lstm[0], proj + (gsize) start * g4, g4, len, T, h0, NULL, work);
      bw_nn_lstm_project (&m->lstm[1], h0, (gsize) T * len, z1);
      bw_nn_lstm_infer (&m->lstm[1], z1, (gsize) len * g4, len, T, NULL, h1, work);
      bw_nn_dense_forward (&m->dense[0], h1, len, y);
      /* Σ over sensors of |x − x̂| of the row after the window */
      for (guint i = 0; i < len; i++)
        {
          const float *xr = m->series + ((gsize) start + i + T) * nf;
          double s = 0;

          for (int f = 0; f < nf; f++)
            s += fabs (y[(gsize) i * nf + f] - xr[f]);
          out[start + i] = s;
        }
    }
}

static void
batch_scores_lstm_ae (BwNnModel *m,
                      guint      n,
                      double    *out)
{
  int nf = (int) m->nf, T = m->cfg.window, H = m->cfg.width, g4 = 4 * H;
  float *proj = scratch (m, B_PROJ, (gsize) m->series_len * g4);

  bw_nn_lstm_project (&m->lstm[0], m->series, m->series_len, proj);
  for (guint start = 0; start < n; start += LSTM_CHUNK)
    {
      guint len = MIN (LSTM_CHUNK, n - start);
      float *work = lstm_work (m, &m->lstm[0], len);
      float *enc = scratch (m, B_H, (gsize) len * H);
      float *q = scratch (m, B_Q, (gsize) len * g4);
      float *dec = scratch (m, B_HALL, (gsize) T * len * H);
      float *y = scratch (m, B_OUT, (gsize) T * len * nf);

      bw_nn_lstm_infer (&m->lstm[0], proj + (gsize) start * g4, g4, len, T, NULL, enc, work);
      /* the decoder's input is the encoding at every step */
      bw_nn_lstm_project (&m->lstm[1], enc, len, q);
      bw_nn_lstm_infer (&m->lstm[1], q, 0, len, T, dec, NULL, work);
      bw_nn_dense_forward (&m->dense[0], dec, T * len, y);
      window_scores (m, y, start, len, out + start);
    }
}

static void
batch_scores_lstm_vae (BwNnModel *m,
                       guint      n,
                       double    *out)
{
  int nf = (int) m->nf, T = m->cfg.window, H = m->cfg.width, g4 = 4 * H, lat = 100;
  int g4m = 4 * m->lstm[2].hidden;
  float *proj = scratch (m, B_PROJ, (gsize) m->series_len * g4);

  bw_nn_lstm_project (&m->lstm[0], m->series, m->series_len, proj);
  for (guint start = 0; start < n; start += LSTM_CHUNK)
    {
      guint len = MIN (LSTM_CHUNK, n - start);
      float *work = scratch (m, B_WORK, (gsize) len * 8 * MAX (H, nf));
      float *h = scratch (m, B_H, (gsize) len * H);
      float *mu = scratch (m, B_MU, (gsize) len * lat);
      float *lv = scratch (m, B_LV, (gsize) len * lat);
      float *q = scratch (m, B_Q, (gsize) len * g4);
      float *dh = scratch (m, B_HALL, (gsize) T * len * H);
      float *zm = scratch (m, B_Z2, (gsize) T * len * g4m);
      float *y = scratch (m, B_OUT, (gsize) T * len * nf);
      gsize nl = (gsize) len * lat;

      bw_nn_lstm_infer (&m->lstm[0], proj + (gsize) start * g4, g4, len, T, NULL, h, work);
      bw_nn_dense_forward (&m->dense[0], h, len, mu);
      bw_nn_dense_forward (&m->dense[1], h, len, lv);
      /* z = μ + e^{½·log σ²}·0, as the forward pass scores */
      for (gsize i = 0; i < nl; i++)
        lv[i] = 0.5f * lv[i];
      _bw_nn_vexp (lv, lv, nl);
      for (gsize i = 0; i < nl; i++)
        mu[i] = mu[i] + lv[i] * 0.0f;
      bw_nn_lstm_project (&m->lstm[1], mu, len, q);
      bw_nn_lstm_infer (&m->lstm[1], q, 0, len, T, dh, NULL, work);
      bw_nn_lstm_project (&m->lstm[2], dh, (gsize) T * len, zm);
      bw_nn_lstm_infer (&m->lstm[2], zm, (gsize) len * g4m, len, T, y, NULL, work);
      window_scores (m, y, start, len, out + start);
    }
}

#define CONV_CHUNK 32

static void
batch_scores_conv_ae (BwNnModel *m,
                      guint      n,
                      double    *out)
{
  int nf = (int) m->nf, N = m->cfg.window;
  int lens[6], chans[6];

  lens[0] = N;
  chans[0] = nf;
  for (int i = 0; i < 5; i++)
    {
      int oh, ow;

      bw_nn_conv_out_size (&m->conv[i], 1, lens[i], &oh, &ow);
      lens[i + 1] = ow;
      chans[i + 1] = m->conv[i].cout;
    }
  for (guint start = 0; start < n; start += CONV_CHUNK)
    {
      guint len = MIN (CONV_CHUNK, n - start);
      float *x = scratch (m, B_X, (gsize) len * N * nf);
      const float *cur = x;

      /* the windows, one after the other */
      for (guint i = 0; i < len; i++)
        memcpy (x + (gsize) i * N * nf, m->series + ((gsize) start + i) * nf,
                (gsize) N * nf * sizeof (float));
      for (int i = 0; i < 5; i++)
        {
          gsize sz = (gsize) len * lens[i + 1] * chans[i + 1];
          float *y = scratch (m, B_CONV + i, sz);

          bw_nn_conv_infer (&m->conv[i], cur, len, 1, lens[i], y);
          /* ReLU; dropout is the identity when scoring */
          if (i < 4)
            _bw_nn_relu (y, y, sz);
          cur = y;
        }
      /* the output is [window × row × sensor]: window_scores() wants the
       * rows first */
      for (guint i = 0; i < len; i++)
        {
          double s = 0;

          for (int k = 0; k < N * nf; k++)
            s += fabs (cur[(gsize) i * N * nf + k] - x[(gsize) i * N * nf + k]);
          out[start + i] = s / N;
        }
    }
}

/* MSCRED: the windows of a chunk are consecutive, so their frames are
 * too; each frame goes through the encoder once (not once for each of the
 * five windows holding it), and through the x half of each ConvLSTM's
 * gates once (bw_nn_conv_lstm_infer_windows()). */
#define MSCRED_CHUNK 128

static void
batch_scores_mscred (BwNnModel *m,
                     guint      n,
                     double    *out)
{
  int pad = m->pad, T = MSCRED_STEPS, S = MSCRED_SCALES;
  gsize mat = (gsize) pad * pad * S;
  int side[5], ch[5];

  mscred_geometry (m, side, ch);
  for (guint start = 0; start < n; start += MSCRED_CHUNK)
    {
      guint len = MIN (MSCRED_CHUNK, n - start);
      int frames = (int) len + T - 1;
      const float *in = m->series + (gsize) start * mat;
      float *att[4], *cat[3];
      const float *y;

      for (int i = 0; i < 4; i++)
        {
          gsize d = (gsize) side[i + 1] * side[i + 1] * ch[i + 1];
          float *pre = scratch (m, B_ENC + (i % 2), (gsize) frames * d);
          float *enc = scratch (m, B_ENC_OUT + (i % 2), (gsize) frames * d);
          float *cl = scratch (m, B_CL, (gsize) len * T * d);
          float *alpha = scratch (m, B_Q, (gsize) len * T);

          bw_nn_conv_infer (&m->enc[i], in, frames, side[i], side[i], pre);
          bw_nn_act_forward (BW_NN_ACT_SELU, pre, enc, (gsize) frames * d);
          bw_nn_conv_lstm_infer_windows (&m->clstm[i], enc, frames, T, side[i + 1], side[i + 1], cl);
          att[i] = scratch (m, B_ATT + i, (gsize) len * d);
          bw_nn_attention_forward (cl, (int) len, T, (int) d, alpha, att[i]);
          in = enc;
        }
      /* the decoder, once per window, as in mscred_pass() */
      for (int i = 3; i >= 0; i--)
        {
          const float *din = i == 3 ? att[3] : cat[i];
          gsize sz = (gsize) len * side[i] * side[i] * m->dec[i].cout;
          float *dec = scratch (m, B_DEC + i, sz);

          bw_nn_conv_infer (&m->dec[i], din, (int) len, side[i + 1], side[i + 1], dec);
          bw_nn_act_forward (BW_NN_ACT_SELU, dec, dec, sz);
          if (i > 0)
            {
              cat[i - 1] = scratch (m, B_CAT + i - 1, (gsize) len * side[i] * side[i] * 2 * ch[i]);
              concat_channels (dec, m->dec[i].cout, att[i - 1], ch[i],
                               (gsize) len * side[i] * side[i], cat[i - 1]);
            }
        }
      y = m->scratch[B_DEC];
      /* squared reconstruction error of the window's newest matrices */
      for (guint b = 0; b < len; b++)
        {
          const float *t = m->series + ((gsize) start + b + T - 1) * mat;
          double s = 0;

          for (gsize k = 0; k < mat; k++)
            {
              double d = y[b * mat + k] - t[k];

              s += d * d;
            }
          out[start + b] = s;
        }
    }
}

/* scores of every sample of the loaded series */
static double *
all_sample_scores (BwNnModel *m,
                   guint     *n_out)
{
  guint n = n_samples (m, m->series_len);
  double *out;

  switch (m->cfg.kind)
    {
    case BW_NN_MODEL_LSTM:
      out = g_new (double, MAX (n, 1));
      batch_scores_lstm (m, n, out);
      break;
    case BW_NN_MODEL_LSTM_AE:
      out = g_new (double, MAX (n, 1));
      batch_scores_lstm_ae (m, n, out);
      break;
    case BW_NN_MODEL_LSTM_VAE:
      out = g_new (double, MAX (n, 1));
      batch_scores_lstm_vae (m, n, out);
      break;
    case BW_NN_MODEL_CONV_AE:
      out = g_new (double, MAX (n, 1));
      batch_scores_conv_ae (m, n, out);
      break;
    case BW_NN_MODEL_MSCRED:
      out = g_new (double, MAX (n, 1));
      batch_scores_mscred (m, n, out);
      break;
    default:
      /* the feed-forward autoencoder's samples share nothing */
      return reference_sample_scores (m, n_out);
    }
  *n_out = n;
  return out;
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* pandas' default quantile: linear interpolation between order statistics */
static double
quantile (const double *v,
          guint         n,
          double        q)
{
  g_autofree double *s = g_memdup2 (v, n * sizeof (double));
  double pos, frac;
  guint lo;

  qsort (s, n, sizeof (double), cmp_double);
  pos = q * (n - 1);
  lo = (guint) floor (pos);
  frac = pos - lo;
  if (lo + 1 >= n)
    return s[n - 1];
  return s[lo] + frac * (s[lo + 1] - s[lo]);
}

gboolean
bw_nn_model_fit (BwNnModel    *m,
                 const double *x,
                 guint         rows,
                 GError      **error)
{
  BwNnFitConfig fc;
  BwNnFitReport rep;
  guint n;
  g_autofree double *scores = NULL;

  g_return_val_if_fail (m != NULL, FALSE);
  g_return_val_if_fail (x != NULL, FALSE);

  for (gsize i = 0; i < (gsize) rows * m->nf; i++)
    if (!isfinite (x[i]))
      {
        g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                     "%s: training data holds a non-finite value",
                     bw_nn_model_kind_to_string (m->cfg.kind));
        return FALSE;
      }
  if (n_samples (m, rows) < 4)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   "%s: %u training rows are too few (a sample spans %u rows)",
                   bw_nn_model_kind_to_string (m->cfg.kind), rows, sample_span (m));
      return FALSE;
    }

  if (m->cfg.kind == BW_NN_MODEL_MSCRED)
    for (guint f = 0; f < m->nf; f++)
      {
        m->mm_min[f] = INFINITY;
        m->mm_max[f] = -INFINITY;
        for (guint r = 0; r < rows; r++)
          {
            m->mm_min[f] = MIN (m->mm_min[f], x[(gsize) r * m->nf + f]);
            m->mm_max[f] = MAX (m->mm_max[f], x[(gsize) r * m->nf + f]);
          }
      }
  set_series (m, x, rows);
  n = n_samples (m, rows);

  bw_nn_fit_config_init (&fc);
  fc.epochs = m->cfg.epochs;
  fc.batch_size = m->cfg.batch_size;
  fc.validation_split = m->cfg.validation_split;
  fc.patience = m->cfg.patience;
  fc.shuffle = m->cfg.shuffle;
  if (m->cfg.kind == BW_NN_MODEL_LSTM)
    {
      /* ReduceLROnPlateau(factor=0.1, patience=5, min_lr=1e-4) and Keras'
       * default min_delta=1e-4 */
      fc.lr_factor = 0.1f;
      fc.lr_patience = 5;
      fc.lr_min = 1e-4f;
      fc.lr_min_delta = 1e-4f;
    }
  else if (m->cfg.kind == BW_NN_MODEL_MSCRED)
    {
      /* ReduceLROnPlateau(monitor="loss", factor=0.8, patience=6), Keras'
       * default min_delta=1e-4 */
      fc.lr_factor = 0.8f;
      fc.lr_patience = 6;
      fc.lr_min = 1e-6f;
      fc.lr_min_delta = 1e-4f;
      fc.lr_on_train_loss = TRUE;
    }
  g_clear_pointer (&m->loss_history, g_free);
  bw_nn_fit (m->params, &m->opt, &fc, n, &m->rng, batch_cb, m, &rep);
  m->loss_history = rep.loss_history;
  m->n_epochs = rep.epochs_run;
  if (!isfinite (rep.last_loss))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_FAILED, "%s: training diverged",
                   bw_nn_model_kind_to_string (m->cfg.kind));
      return FALSE;
    }

  /* the control limit from the training rows' scores */
  scores = all_sample_scores (m, &n);
  m->threshold = quantile (scores, n, m->cfg.quantile) * m->cfg.ucl_factor;
  m->fitted = TRUE;
  bw_nn_model_reset (m);
  return TRUE;
}

double
bw_nn_model_get_threshold (BwNnModel *m)
{
  return m->threshold;
}

static gboolean
is_window_model (BwNnModel *m)
{
  return m->cfg.kind == BW_NN_MODEL_LSTM_AE || m->cfg.kind == BW_NN_MODEL_LSTM_VAE
    || m->cfg.kind == BW_NN_MODEL_CONV_AE;
}

guint
bw_nn_model_get_lag (BwNnModel *m)
{
  return is_window_model (m) && m->cfg.window >= 2 ? m->cfg.window - 2 : 0;
}

gboolean
bw_nn_model_score (BwNnModel    *m,
                   const double *x,
                   guint         rows,
                   double       *out,
                   GError      **error)
{
  g_autofree double *s = NULL;
  guint n, span;

  g_return_val_if_fail (m != NULL, FALSE);
  if (!m->fitted)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_CONFLICT, "%s: not fitted",
                   bw_nn_model_kind_to_string (m->cfg.kind));
      return FALSE;
    }
  for (gsize i = 0; i < (gsize) rows * m->nf; i++)
    if (!isfinite (x[i]))
      {
        g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                     "%s: data holds a non-finite value at row %" G_GSIZE_FORMAT,
                     bw_nn_model_kind_to_string (m->cfg.kind), i / m->nf);
        return FALSE;
      }
  set_series (m, x, rows);
  s = all_sample_scores (m, &n);
  span = sample_span (m);

  for (guint r = 0; r < rows; r++)
    {
      if (!is_window_model (m))
        /* the sample whose newest row is r */
        out[r] = r + 1 >= span && n > 0 ? s[r + 1 - span] : 0;
      else
        {
          /* SKAB: row r is anomalous when the windows starting at
           * r − N + 1 … r − 1 all are; the smallest of their scores */
          int N = m->cfg.window;
          int lo = MAX ((int) r - N + 1, 0), hi = MIN ((int) r - 1, (int) n - 1);
          double v = INFINITY;

          if (hi < lo)
            hi = lo = MIN ((int) r, (int) n - 1);
          for (int k = lo; k <= hi && k >= 0; k++)
            v = MIN (v, s[k]);
          out[r] = isfinite (v) ? v : 0;
        }
    }
  return TRUE;
}

double *
bw_nn_model_score_samples (BwNnModel    *m,
                           const double *x,
                           guint         rows,
                           gboolean      per_window,
                           guint        *n_out,
                           GError      **error)
{
  g_return_val_if_fail (m != NULL, NULL);
  g_return_val_if_fail (n_out != NULL, NULL);
  if (!m->fitted)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_CONFLICT, "%s: not fitted",
                   bw_nn_model_kind_to_string (m->cfg.kind));
      return NULL;
    }
  for (gsize i = 0; i < (gsize) rows * m->nf; i++)
    if (!isfinite (x[i]))
      {
        g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                     "%s: data holds a non-finite value at row %" G_GSIZE_FORMAT,
                     bw_nn_model_kind_to_string (m->cfg.kind), i / m->nf);
        return NULL;
      }
  set_series (m, x, rows);
  return per_window ? reference_sample_scores (m, n_out) : all_sample_scores (m, n_out);
}

/* ---- streaming ------------------------------------------------------------ */

void
bw_nn_model_reset (BwNnModel *m)
{
  g_clear_pointer (&m->recent, g_free);
  g_clear_pointer (&m->recent_scores, g_free);
  m->n_recent = 0;
  m->n_recent_scores = 0;
}

double
bw_nn_model_score_row (BwNnModel    *m,
                       const double *row)
{
  guint span = sample_span (m);
  g_autofree double *xd = NULL;
  guint idx = 0;
  double s;

  g_return_val_if_fail (m->fitted, NAN);
  if (m->recent == NULL)
    {
      m->recent = g_new (float, (gsize) span * m->nf);
      m->recent_scores = g_new (double, MAX (m->cfg.window, 1));
    }
  if (m->n_recent == span)
    {
      memmove (m->recent, m->recent + m->nf, (gsize) (span - 1) * m->nf * sizeof (float));
      m->n_recent--;
    }
  for (guint f = 0; f < m->nf; f++)
    m->recent[(gsize) m->n_recent * m->nf + f] = (float) row[f];
  m->n_recent++;
  if (m->n_recent < span)
    return NAN;

  /* one sample over the newest rows */
  xd = g_new (double, (gsize) span * m->nf);
  for (gsize i = 0; i < (gsize) span * m->nf; i++)
    xd[i] = m->recent[i];
  set_series (m, xd, span);
  run_pass (m, &idx, 1, FALSE, FALSE);
  sample_scores (m, 1, &s);
  if (!is_window_model (m))
    return s;

  {
    guint keep = MAX (m->cfg.window - 1, 1);
    double v = INFINITY;

    if (m->n_recent_scores == keep)
      {
        memmove (m->recent_scores, m->recent_scores + 1, (keep - 1) * sizeof (double));
        m->n_recent_scores--;
      }
    m->recent_scores[m->n_recent_scores++] = s;
    for (guint i = 0; i < m->n_recent_scores; i++)
      v = MIN (v, m->recent_scores[i]);
    return v;
  }
}

/* ---- save and load ---------------------------------------------------- */

JsonNode *
bw_nn_model_save (BwNnModel *m)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, "beltwatch-nn-model");
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, BW_NN_MODEL_FORMAT_VERSION);
  json_builder_set_member_name (b, "config");
  json_builder_add_value (b, bw_nn_model_config_to_json (&m->cfg));
  json_builder_set_member_name (b, "n_features");
  json_builder_add_int_value (b, m->nf);
  json_builder_set_member_name (b, "fitted");
  json_builder_add_boolean_value (b, m->fitted);
  json_builder_set_member_name (b, "threshold");
  json_builder_add_double_value (b, isfinite (m->threshold) ? m->threshold : 0);
  if (m->cfg.kind == BW_NN_MODEL_MSCRED)
    {
      json_builder_set_member_name (b, "minmax");
      json_builder_begin_array (b);
      for (guint f = 0; f < m->nf; f++)
        {
          json_builder_add_double_value (b, isfinite (m->mm_min[f]) ? m->mm_min[f] : 0);
          json_builder_add_double_value (b, isfinite (m->mm_max[f]) ? m->mm_max[f] : 0);
        }
      json_builder_end_array (b);
    }
  json_builder_set_member_name (b, "weights");
  json_builder_add_value (b, bw_nn_params_to_json (m->params));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

BwNnModel *
bw_nn_model_load (JsonNode  *node,
                  GError   **error)
{
  JsonObject *o, *co;
  BwNnModelConfig cfg;
  g_autoptr(BwNnModel) m = NULL;
  gint64 nf;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    goto bad;
  o = json_node_get_object (node);
  if (g_strcmp0 (json_object_get_string_member_with_default (o, "format", NULL),
                 "beltwatch-nn-model") != 0)
    goto bad;
  if (json_object_get_int_member_with_default (o, "version", 0) != BW_NN_MODEL_FORMAT_VERSION)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_UNSUPPORTED,
                   "neural model: unsupported format version %" G_GINT64_FORMAT,
                   json_object_get_int_member_with_default (o, "version", 0));
      return NULL;
    }
  co = json_object_get_object_member (o, "config");
  if (co == NULL || !config_from_json (&cfg, co, error))
    {
      if (error != NULL && *error == NULL)
        goto bad;
      return NULL;
    }
  nf = json_object_get_int_member_with_default (o, "n_features", 0);
  if (nf < 1 || nf > 4096)
    goto bad;
  m = bw_nn_model_new (&cfg, (guint) nf);
  if (!bw_nn_params_from_json (m->params, json_object_get_member (o, "weights"), error))
    return NULL;
  m->threshold = json_object_get_double_member_with_default (o, "threshold", NAN);
  m->fitted = json_object_get_boolean_member_with_default (o, "fitted", FALSE);
  if (m->fitted && !isfinite (m->threshold))
    goto bad;
  if (cfg.kind == BW_NN_MODEL_MSCRED)
    {
      JsonArray *a = json_object_get_array_member (o, "minmax");

      if (a == NULL || json_array_get_length (a) != 2 * (guint) nf)
        goto bad;
      for (gint64 f = 0; f < nf; f++)
        {
          m->mm_min[f] = json_array_get_double_element (a, 2 * f);
          m->mm_max[f] = json_array_get_double_element (a, 2 * f + 1);
        }
    }
  return g_steal_pointer (&m);

bad:
  g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "not a neural model file");
  return NULL;
}
