/* bw-nn.h: a small neural-network layer for the anomaly detectors
 *
 * Plain C, float32, batch-major row-major tensors (channels last), explicit
 * forward and backward passes per layer. A layer keeps what its backward
 * pass needs from its last forward pass, so a model calls forward on its
 * layers in order and backward in reverse order. Parameters live in a
 * BwNnParams store that the optimisers and the serialisation walk.
 *
 * Matrix products go through bw_nn_gemm(), which uses OpenBLAS when the
 * build found it (one thread) and GSL's CBLAS otherwise.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* ---- random numbers: a seeded stream shared by a model ---------------- */

typedef struct
{
  guint64 s[4];
  gboolean have_spare;
  double   spare;
} BwNnRng;

void    bw_nn_rng_init    (BwNnRng *rng,
                           guint64  seed);
double  bw_nn_rng_uniform (BwNnRng *rng);        /* [0, 1) */
double  bw_nn_rng_normal  (BwNnRng *rng);        /* N(0, 1) */
guint   bw_nn_rng_below   (BwNnRng *rng,
                           guint    n);
void    bw_nn_rng_shuffle (BwNnRng *rng,
                           guint   *v,
                           guint    n);

/* ---- matrix product ---------------------------------------------------- */

/* C[m×n] = alpha · op(A)·op(B) + beta · C, row-major, op = transpose if t* */
void bw_nn_gemm (gboolean     ta,
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
                 int          ldc);

const char *bw_nn_blas_name (void);

/* ---- parameters -------------------------------------------------------- */

typedef struct
{
  char  *name;
  gsize  size;
  float *w;     /* value */
  float *g;     /* gradient, accumulated by backward passes */
  float *m;     /* optimiser state */
  float *v;
} BwNnParam;

typedef struct _BwNnParams BwNnParams;

BwNnParams *bw_nn_params_new         (void);
void        bw_nn_params_free        (BwNnParams  *params);
BwNnParam  *bw_nn_params_add         (BwNnParams  *params,
                                      const char  *name,
                                      gsize        size);
guint       bw_nn_params_len         (BwNnParams  *params);
BwNnParam  *bw_nn_params_get         (BwNnParams  *params,
                                      guint        i);
gsize       bw_nn_params_count       (BwNnParams  *params);
void        bw_nn_params_zero_grad   (BwNnParams  *params);
void        bw_nn_params_reset_state (BwNnParams  *params);
/* copies every value from @src into @dst (same layout): best-weights keeping */
void        bw_nn_params_copy_values (BwNnParams  *dst,
                                      BwNnParams  *src);
float      *bw_nn_params_snapshot    (BwNnParams  *params);
void        bw_nn_params_restore     (BwNnParams  *params,
                                      const float *snapshot);
/* {"name": {"shape": n, "data": base64 of little-endian float32}, …} */
JsonNode   *bw_nn_params_to_json     (BwNnParams  *params);
gboolean    bw_nn_params_from_json   (BwNnParams  *params,
                                      JsonNode    *node,
                                      GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwNnParams, bw_nn_params_free)

void bw_nn_init_glorot_uniform (float   *w,
                                gsize    n,
                                int      fan_in,
                                int      fan_out,
                                BwNnRng *rng);
/* rows×cols with orthonormal columns (or rows when rows < cols) */
void bw_nn_init_orthogonal     (float   *w,
                                int      rows,
                                int      cols,
                                BwNnRng *rng);

/* ---- optimisers -------------------------------------------------------- */

typedef enum
{
  BW_NN_OPT_ADAM,
  BW_NN_OPT_RMSPROP,
} BwNnOptKind;

typedef struct
{
  BwNnOptKind kind;
  float       lr;
  float       beta1;   /* Adam */
  float       beta2;   /* Adam; RMSprop's rho */
  float       eps;
  guint64     step;
} BwNnOptimizer;

void bw_nn_optimizer_init (BwNnOptimizer *opt,
                           BwNnOptKind    kind,
                           float          lr);
/* one update from the accumulated gradients */
void bw_nn_optimizer_step (BwNnOptimizer *opt,
                           BwNnParams    *params);

/* ---- activations ------------------------------------------------------- */

typedef enum
{
  BW_NN_ACT_LINEAR,
  BW_NN_ACT_RELU,
  BW_NN_ACT_TANH,
  BW_NN_ACT_SIGMOID,
  BW_NN_ACT_SELU,
} BwNnAct;

void bw_nn_act_forward  (BwNnAct      act,
                         const float *x,
                         float       *y,
                         gsize        n);
/* dx = dy · f'(x); @y = f(x) (as given by forward); dx may alias dy */
void bw_nn_act_backward (BwNnAct      act,
                         const float *x,
                         const float *y,
                         const float *dy,
                         float       *dx,
                         gsize        n);

/* ---- dense: y[B×out] = x[B×in]·W[in×out] + b --------------------------- */

typedef struct
{
  int        in, out;
  BwNnParam *w, *b;
} BwNnDense;

void bw_nn_dense_init     (BwNnDense   *d,
                           BwNnParams  *params,
                           const char  *name,
                           int          in,
                           int          out,
                           BwNnRng     *rng);
void bw_nn_dense_forward  (BwNnDense   *d,
                           const float *x,
                           int          batch,
                           float       *y);
/* accumulates dW, db; writes dx when non-NULL */
void bw_nn_dense_backward (BwNnDense   *d,
                           const float *x,
                           const float *dy,
                           int          batch,
                           float       *dx);

/* ---- 2-D convolution and transposed convolution, "same" padding ------- *
 * x is [B×H×W×Cin]; a 1-D convolution is H = 1, kh = 1, sh = 1.
 * Convolution: output ceil(H/sh)×ceil(W/sw); transposed: H·sh×W·sw, the
 * adjoint of a same-padded convolution of that output size (as Keras). */

typedef struct
{
  int        cin, cout, kh, kw, sh, sw;
  gboolean   transposed;
  BwNnParam *w;   /* conv: [kh·kw·cin × cout]; transposed: [cin × kh·kw·cout] */
  BwNnParam *b;   /* [cout] */
  /* workspace */
  float     *cols;
  gsize      cols_size;
} BwNnConv;

void bw_nn_conv_init      (BwNnConv    *c,
                           BwNnParams  *params,
                           const char  *name,
                           int          cin,
                           int          cout,
                           int          kh,
                           int          kw,
                           int          sh,
                           int          sw,
                           gboolean     transposed,
                           BwNnRng     *rng);
void bw_nn_conv_clear     (BwNnConv    *c);
void bw_nn_conv_out_size  (BwNnConv    *c,
                           int          h,
                           int          w,
                           int         *out_h,
                           int         *out_w);
void bw_nn_conv_forward   (BwNnConv    *c,
                           const float *x,
                           int          batch,
                           int          h,
                           int          w,
                           float       *y);
/* the forward pass with the inference products (bw_nn_lstm_infer()) */
void bw_nn_conv_infer     (BwNnConv    *c,
                           const float *x,
                           int          batch,
                           int          h,
                           int          w,
                           float       *y);
void bw_nn_conv_backward  (BwNnConv    *c,
                           const float *x,
                           int          batch,
                           int          h,
                           int          w,
                           const float *dy,
                           float       *dx);

/* ---- LSTM (Keras gate order i, f, c, o; sigmoid gates) ---------------- */

typedef struct
{
  int        in, hidden;
  BwNnAct    act;          /* candidate and output activation: tanh or relu */
  BwNnParam *w;            /* [in × 4H] */
  BwNnParam *u;            /* [H × 4H] */
  BwNnParam *b;            /* [4H], forget-gate bias starts at 1 */
  /* cache of the last forward pass, [T][B][…] */
  int        batch, steps;
  float     *gates;        /* post-activation i, f, g, o: T·B·4H */
  float     *c;            /* (T+1)·B·H, c[0] = 0 */
  float     *h;            /* (T+1)·B·H */
  float     *act_c;        /* T·B·H */
  float     *dz;           /* T·B·4H */
  gsize      cache_steps_batch;
} BwNnLstm;

void bw_nn_lstm_init     (BwNnLstm    *l,
                          BwNnParams  *params,
                          const char  *name,
                          int          in,
                          int          hidden,
                          BwNnAct      act,
                          BwNnRng     *rng);
void bw_nn_lstm_clear    (BwNnLstm    *l);
/* x [B×T×in] → y [B×T×H] when @sequences, else the last step [B×H] */
void bw_nn_lstm_forward  (BwNnLstm    *l,
                          const float *x,
                          int          batch,
                          int          steps,
                          gboolean     sequences,
                          float       *y);
void bw_nn_lstm_backward (BwNnLstm    *l,
                          const float *x,
                          const float *dy,
                          gboolean     sequences,
                          float       *dx);

/* Inference without the caches of the backward pass. project: the input
 * products z = x·W + b of @rows rows [rows × 4H]. infer: @batch sequences
 * of @steps steps from their input products, sequence r's at step t in the
 * row zin + t·@zin_step + r·4H (@zin_step 0: the same input every step);
 * the outputs of every step go to @h_all [T×B×H] and the last step's to
 * @h_last [B×H], each when non-NULL. @work holds B·8H floats.
 * The arithmetic is the forward pass's, the cells' exponentials to about
 * one unit in the last place. */
void bw_nn_lstm_project  (BwNnLstm    *l,
                          const float *x,
                          gsize        rows,
                          float       *z);
void bw_nn_lstm_infer    (BwNnLstm    *l,
                          const float *zin,
                          gsize        zin_step,
                          int          batch,
                          int          steps,
                          float       *h_all,
                          float       *h_last,
                          float       *work);

/* ---- ConvLSTM2D: LSTM whose products are same-padded 2-D convolutions - */

typedef struct
{
  int        cin, cout, h, w;
  BwNnConv   conv;          /* [x_t, h_{t-1}] → 4·cout gates */
  int        batch, steps;
  float     *concat;        /* T·B·h·w·(cin+cout) */
  float     *gates;         /* T·B·h·w·4cout */
  float     *c;             /* (T+1)·B·h·w·cout */
  float     *hs;            /* (T+1)·B·h·w·cout */
  float     *act_c;         /* T·B·h·w·cout */
  float     *dz;            /* B·h·w·4cout */
  float     *dconcat;       /* B·h·w·(cin+cout) */
  gsize      cache_size;
} BwNnConvLstm;

void bw_nn_conv_lstm_init     (BwNnConvLstm *l,
                               BwNnParams   *params,
                               const char   *name,
                               int           cin,
                               int           cout,
                               int           k,
                               BwNnRng      *rng);
void bw_nn_conv_lstm_clear    (BwNnConvLstm *l);
/* x [B×T×h×w×cin] → y [B×T×h×w×cout] (all steps) */
void bw_nn_conv_lstm_forward  (BwNnConvLstm *l,
                               const float  *x,
                               int           batch,
                               int           steps,
                               int           h,
                               int           w,
                               float        *y);
/* inference over every window of @steps consecutive frames of x
 * [frames×h×w×cin], each from a zero state → y [windows×steps×h×w×cout],
 * windows = frames − steps + 1 */
void bw_nn_conv_lstm_infer_windows (BwNnConvLstm *l,
                                    const float  *x,
                                    int           frames,
                                    int           steps,
                                    int           h,
                                    int           w,
                                    float        *y);
void bw_nn_conv_lstm_backward (BwNnConvLstm *l,
                               const float  *dy,
                               float        *dx);

/* ---- temporal attention of MSCRED -------------------------------------- *
 * x [B×T×D]: e_k = <x_k, x_T>/T, a = softmax(e), y [B×D] = Σ a_k x_k */
void bw_nn_attention_forward  (const float *x,
                               int          batch,
                               int          steps,
                               int          dim,
                               float       *alpha,
                               float       *y);
/* adds the input gradient into @dx */
void bw_nn_attention_backward (const float *x,
                               int          batch,
                               int          steps,
                               int          dim,
                               const float *alpha,
                               const float *dy,
                               float       *dx);

/* ---- batch normalisation over the last axis (Keras defaults) ----------- */

typedef struct
{
  int        dim;
  float      momentum, eps;
  BwNnParam *gamma, *beta, *mean, *var;   /* mean, var: moving statistics */
  int        batch;
  float     *xhat, *inv_std;
} BwNnBatchNorm;

void bw_nn_batch_norm_init     (BwNnBatchNorm *bn,
                                BwNnParams    *params,
                                const char    *name,
                                int            dim);
void bw_nn_batch_norm_clear    (BwNnBatchNorm *bn);
void bw_nn_batch_norm_forward  (BwNnBatchNorm *bn,
                                const float   *x,
                                int            rows,
                                gboolean       train,
                                float         *y);
void bw_nn_batch_norm_backward (BwNnBatchNorm *bn,
                                const float   *dy,
                                int            rows,
                                float         *dx);

/* ---- dropout ---------------------------------------------------------- */

typedef struct
{
  float  rate;
  float *mask;
  gsize  size;
} BwNnDropout;

void bw_nn_dropout_clear    (BwNnDropout *d);
/* in place; identity when !train */
void bw_nn_dropout_forward  (BwNnDropout *d,
                             float       *x,
                             gsize        n,
                             gboolean     train,
                             BwNnRng     *rng);
void bw_nn_dropout_backward (BwNnDropout *d,
                             float       *dx,
                             gsize        n);

/* ---- VAE reparameterisation: z = mu + exp(logvar/2)·eps --------------- */

void  bw_nn_reparam_forward  (const float *mu,
                              const float *logvar,
                              const float *eps,
                              float       *z,
                              gsize        n);
void  bw_nn_reparam_backward (const float *logvar,
                              const float *eps,
                              const float *dz,
                              float       *dmu,
                              float       *dlogvar,
                              gsize        n);
/* KL(q‖N(0,1)) = −½·mean(1 + logvar − mu² − e^logvar) over @n values,
 * times @weight; adds the gradient (times @weight) into dmu, dlogvar */
float bw_nn_kl_loss          (const float *mu,
                              const float *logvar,
                              gsize        n,
                              float        weight,
                              float       *dmu,
                              float       *dlogvar);

/* ---- losses: mean over @n values; gradient into @dy when non-NULL ----- */

float bw_nn_mse_loss (const float *y,
                      const float *target,
                      gsize        n,
                      float       *dy);
float bw_nn_mae_loss (const float *y,
                      const float *target,
                      gsize        n,
                      float       *dy);

/* ---- training loop ---------------------------------------------------- */

/* Runs the model on the samples @idx[0..n): forward, and when @train also
 * backward (accumulating gradients). Returns the batch's mean loss. */
typedef float (*BwNnBatchFunc) (gpointer     model,
                                const guint *idx,
                                guint        n,
                                gboolean     train);

typedef struct
{
  guint    epochs;
  guint    batch_size;
  float    validation_split;   /* Keras: the last fraction of the samples */
  guint    patience;           /* early stopping on the validation loss; 0: off */
  gboolean restore_best;
  gboolean shuffle;
  /* ReduceLROnPlateau: 0 factor means off */
  float    lr_factor;
  guint    lr_patience;
  float    lr_min;
  float    lr_min_delta;       /* what counts as better: a fall of more than this */
  gboolean lr_on_train_loss;   /* monitor "loss" instead of "val_loss" */
} BwNnFitConfig;

typedef struct
{
  guint  epochs_run;
  float  first_loss;
  float  last_loss;
  float  best_val_loss;
  float *loss_history;         /* epochs_run training losses, g_free() */
} BwNnFitReport;

void bw_nn_fit_config_init (BwNnFitConfig *config);
void bw_nn_fit             (BwNnParams          *params,
                            BwNnOptimizer       *opt,
                            const BwNnFitConfig *config,
                            guint                n_samples,
                            BwNnRng             *rng,
                            BwNnBatchFunc        func,
                            gpointer             model,
                            BwNnFitReport       *report);

G_END_DECLS
