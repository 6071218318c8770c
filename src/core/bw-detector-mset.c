/* bw-detector-mset.c: Multivariate State Estimation Technique
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-detector-mset"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bw-classic-detectors.h"
#include "bw-error.h"
#include "bw-linalg.h"

/*
 * The estimate of a state x from the memory matrix D (m states × p):
 *   x̂ = Dᵀ G⁻¹ k(x),  G_ij = s(d_i, d_j),  k_j(x) = s(x, d_j)
 * W = Dᵀ G⁻¹ (p × m) is computed once at fit, so scoring a row costs m
 * similarity evaluations and one p × m product, whatever came before.
 */

#define MAX_AUTO_MEMORY 1500

typedef enum
{
  BW_MSET_SIMILARITY_SKAB,
  BW_MSET_SIMILARITY_GAUSSIAN,
} BwMsetSimilarity;

typedef enum
{
  BW_MSET_RESIDUAL_RELATIVE,
  BW_MSET_RESIDUAL_ABSOLUTE,
} BwMsetResidual;

struct _BwMsetDetector
{
  BwDetector parent_instance;

  /* parameters */
  guint            memory_size;
  gboolean         standardize;
  BwMsetSimilarity similarity;
  double           bandwidth;
  BwMsetResidual   residual;
  double           threshold;
  double           ridge;

  /* learned */
  guint   p;
  guint   m;
  double *mu;        /* p: internal standardisation (or 0) */
  double *sigma;     /* p: (or 1) */
  double *dt;        /* p × m: memory, feature-major */
  double *dnorm;     /* m */
  double *w;         /* p × m */

  /* scratch */
  double *k;         /* m */
  double *z;         /* p */
  double *xhat;      /* p */
};

G_DEFINE_FINAL_TYPE (BwMsetDetector, bw_mset_detector, BW_TYPE_DETECTOR)

enum {
  PROP_0,
  PROP_MEMORY_SIZE,
  PROP_STANDARDIZE,
  PROP_SIMILARITY,
  PROP_BANDWIDTH,
  PROP_RESIDUAL,
  PROP_THRESHOLD,
  PROP_RIDGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
bw_mset_similarity_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type))
    {
      static const GEnumValue values[] = {
        { BW_MSET_SIMILARITY_SKAB, "BW_MSET_SIMILARITY_SKAB", "skab" },
        { BW_MSET_SIMILARITY_GAUSSIAN, "BW_MSET_SIMILARITY_GAUSSIAN", "gaussian" },
        { 0, NULL, NULL }
      };
      GType t = g_enum_register_static (g_intern_static_string ("BwMsetSimilarity"), values);

      g_once_init_leave (&type, t);
    }
  return type;
}

static GType
bw_mset_residual_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type))
    {
      static const GEnumValue values[] = {
        { BW_MSET_RESIDUAL_RELATIVE, "BW_MSET_RESIDUAL_RELATIVE", "relative" },
        { BW_MSET_RESIDUAL_ABSOLUTE, "BW_MSET_RESIDUAL_ABSOLUTE", "absolute" },
        { 0, NULL, NULL }
      };
      GType t = g_enum_register_static (g_intern_static_string ("BwMsetResidual"), values);

      g_once_init_leave (&type, t);
    }
  return type;
}

static void
clear_learned (BwMsetDetector *self)
{
  g_clear_pointer (&self->mu, g_free);
  g_clear_pointer (&self->sigma, g_free);
  g_clear_pointer (&self->dt, g_free);
  g_clear_pointer (&self->dnorm, g_free);
  g_clear_pointer (&self->w, g_free);
  g_clear_pointer (&self->k, g_free);
  g_clear_pointer (&self->z, g_free);
  g_clear_pointer (&self->xhat, g_free);
  self->p = self->m = 0;
}

/* Similarities of state @z (norm @znorm) with the first @m memory states */
static void
similarities (BwMsetDetector *self,
              const double   *z,
              double          znorm,
              guint           m,
              double         *out)
{
  const guint p = self->p;

  if (self->similarity == BW_MSET_SIMILARITY_SKAB)
    {
      bw_linalg_skab_kernel (self->dt, p, self->m, m, z, znorm, self->dnorm, out);
      return;
    }

  bw_linalg_distances (self->dt, p, self->m, m, z, out);
  {
    double g = -0.5 / (self->bandwidth * self->bandwidth);

    for (guint j = 0; j < m; j++)
      out[j] = exp (g * out[j] * out[j]);
  }
}

static gboolean
bw_mset_detector_fit (BwDetector       *detector,
                      const gsl_matrix *x,
                      GError          **error)
{
  BwMsetDetector *self = BW_MSET_DETECTOR (detector);
  gsize n = x->size1;
  guint p = x->size2, m;
  g_autofree guint *pick = NULL;
  g_autofree double *g = NULL;
  g_autofree double *rhs = NULL;

  clear_learned (self);
  /* the solve is cubic in the memory: "all" means at most MAX_AUTO_MEMORY */
  m = self->memory_size == 0 ? MIN (n, MAX_AUTO_MEMORY) : MIN (self->memory_size, n);
  self->p = p;
  self->m = m;
  self->mu = g_new0 (double, p);
  self->sigma = g_new (double, p);
  for (guint c = 0; c < p; c++)
    self->sigma[c] = 1;

  if (self->standardize)
    for (guint c = 0; c < p; c++)
      {
        double s = 0, ss = 0;

        for (gsize i = 0; i < n; i++)
          s += gsl_matrix_get (x, i, c);
        self->mu[c] = s / n;
        for (gsize i = 0; i < n; i++)
          {
            double d = gsl_matrix_get (x, i, c) - self->mu[c];

            ss += d * d;
          }
        self->sigma[c] = sqrt (ss / n);
        if (!(self->sigma[c] > 0))
          self->sigma[c] = 1;
      }

  /* memory states: all rows, or m rows evenly spread over the training
   * rows sorted by their norm (so the extremes are kept) */
  pick = g_new (guint, m);
  if (m == n)
    for (guint j = 0; j < m; j++)
      pick[j] = j;
  else
    {
      g_autofree double *norm = g_new (double, n);
      g_autofree guint *order = g_new (guint, n);

      for (gsize i = 0; i < n; i++)
        {
          double s = 0;

          for (guint c = 0; c < p; c++)
            {
              double v = (gsl_matrix_get (x, i, c) - self->mu[c]) / self->sigma[c];

              s += v * v;
            }
          norm[i] = s;
          order[i] = i;
        }
      bw_linalg_argsort (norm, order, n);
      for (guint j = 0; j < m; j++)
        pick[j] = order[m > 1 ? (gsize) ((double) j * (n - 1) / (m - 1) + 0.5) : 0];
    }

  self->dt = g_new (double, (gsize) p * m);
  self->dnorm = g_new (double, m);
  for (guint j = 0; j < m; j++)
    {
      double s = 0;

      for (guint c = 0; c < p; c++)
        {
          double v = (gsl_matrix_get (x, pick[j], c) - self->mu[c]) / self->sigma[c];

          self->dt[(gsize) c * m + j] = v;
          s += v * v;
        }
      self->dnorm[j] = sqrt (s);
    }

  /* G (m × m, row-major) and the right-hand side Dᵀ as m × p */
  g = g_new (double, (gsize) m * m);
  self->z = g_new (double, p);
  self->xhat = g_new (double, p);
  self->k = g_new (double, m);
  for (guint i = 0; i < m; i++)
    {
      for (guint c = 0; c < p; c++)
        self->z[c] = self->dt[(gsize) c * m + i];
      /* the lower triangle, then mirrored */
      similarities (self, self->z, self->dnorm[i], i + 1, g + (gsize) i * m);
      g[(gsize) i * m + i] = 1.0 + self->ridge;
      for (guint j = 0; j < i; j++)
        g[(gsize) j * m + i] = g[(gsize) i * m + j];
    }
  rhs = g_new (double, (gsize) m * p);
  for (guint j = 0; j < m; j++)
    for (guint c = 0; c < p; c++)
      rhs[(gsize) j * p + c] = self->dt[(gsize) c * m + j];

  /* G X = Dᵀ; then W = Xᵀ (G symmetric). G is positive definite in
   * practice (on every SKAB file): Cholesky costs half of LU; LU with
   * partial pivoting is the fallback. */
  {
    g_autofree double *g2 = g_memdup2 (g, (gsize) m * m * sizeof (double));
    g_autofree double *r2 = g_memdup2 (rhs, (gsize) m * p * sizeof (double));

    if (bw_linalg_cholesky_solve (g2, m, r2, p))
      memcpy (rhs, r2, (gsize) m * p * sizeof (double));
    else if (!bw_linalg_lu_solve (g, m, rhs, p))
      {
        g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                     "MSET: the similarity matrix of the memory states is singular "
                     "(duplicate states? raise “ridge”)");
        return FALSE;
      }
  }
  self->w = g_new (double, (gsize) p * m);
  for (guint j = 0; j < m; j++)
    for (guint c = 0; c < p; c++)
      {
        double v = rhs[(gsize) j * p + c];

        if (!isfinite (v))
          {
            g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                         "MSET: the similarity matrix is numerically singular; raise “ridge”");
            return FALSE;
          }
        self->w[(gsize) c * m + j] = v;
      }
  return TRUE;
}

static double
bw_mset_detector_score_row (BwDetector   *detector,
                            const double *row)
{
  BwMsetDetector *self = BW_MSET_DETECTOR (detector);
  const guint p = self->p, m = self->m;
  double *xhat = self->xhat;
  double znorm = 0, err = 0, est = 0;

  for (guint c = 0; c < p; c++)
    {
      if (!isfinite (row[c]))
        return NAN;
      self->z[c] = (row[c] - self->mu[c]) / self->sigma[c];
      znorm += self->z[c] * self->z[c];
    }
  similarities (self, self->z, sqrt (znorm), m, self->k);
  bw_linalg_gemv (self->w, p, m, self->k, xhat);

  for (guint c = 0; c < p; c++)
    {
      /* back to input units */
      double v = xhat[c] * self->sigma[c] + self->mu[c];
      double d = row[c] - v;

      err += d * d;
      est += v * v;
    }
  err = sqrt (err);
  if (self->residual == BW_MSET_RESIDUAL_ABSOLUTE)
    return err;
  return est > 0 ? err / sqrt (est) : INFINITY;
}

static gboolean
bw_mset_detector_score (BwDetector       *detector,
                        const gsl_matrix *x,
                        gsl_vector       *out,
                        GError          **error)
{
  for (gsize i = 0; i < x->size1; i++)
    gsl_vector_set (out, i, bw_mset_detector_score_row (detector, gsl_matrix_const_ptr (x, i, 0)));
  return TRUE;
}

static double
bw_mset_detector_get_threshold (BwDetector *detector)
{
  return BW_MSET_DETECTOR (detector)->threshold;
}

static JsonNode *
bw_mset_detector_save_state (BwDetector *detector)
{
  BwMsetDetector *self = BW_MSET_DETECTOR (detector);
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "memory-states");
  json_builder_add_int_value (b, self->m);
  json_builder_set_member_name (b, "mean");
  json_builder_add_value (b, bw_json_from_doubles (self->mu, self->p));
  json_builder_set_member_name (b, "scale");
  json_builder_add_value (b, bw_json_from_doubles (self->sigma, self->p));
  json_builder_set_member_name (b, "memory");
  json_builder_add_value (b, bw_json_from_doubles (self->dt, (gsize) self->p * self->m));
  json_builder_set_member_name (b, "weights");
  json_builder_add_value (b, bw_json_from_doubles (self->w, (gsize) self->p * self->m));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
bw_mset_detector_load_state (BwDetector *detector,
                             JsonNode   *state,
                             GError    **error)
{
  BwMsetDetector *self = BW_MSET_DETECTOR (detector);
  guint p = bw_detector_get_n_features (detector);
  JsonObject *obj;
  gint64 m;
  gsize pm;

  clear_learned (self);
  if (!JSON_NODE_HOLDS_OBJECT (state))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "state is not an object");
      return FALSE;
    }
  obj = json_node_get_object (state);
  m = json_object_get_int_member_with_default (obj, "memory-states", 0);
  if (m < 1 || m > 100000)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "bad number of memory states");
      return FALSE;
    }
  self->p = p;
  self->m = m;
  pm = (gsize) p * m;
  self->mu = g_new (double, p);
  self->sigma = g_new (double, p);
  self->dt = g_new (double, pm);
  self->w = g_new (double, pm);
  self->dnorm = g_new (double, m);
  self->k = g_new (double, m);
  self->z = g_new (double, p);
  self->xhat = g_new (double, p);
  if (!bw_json_to_doubles (json_object_get_member (obj, "mean"), self->mu, p, error) ||
      !bw_json_to_doubles (json_object_get_member (obj, "scale"), self->sigma, p, error) ||
      !bw_json_to_doubles (json_object_get_member (obj, "memory"), self->dt, pm, error) ||
      !bw_json_to_doubles (json_object_get_member (obj, "weights"), self->w, pm, error))
    return FALSE;
  for (guint c = 0; c < p; c++)
    if (!isfinite (self->mu[c]) || !(self->sigma[c] > 0) || !isfinite (self->sigma[c]))
      {
        g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "bad scaling");
        return FALSE;
      }
  for (gsize i = 0; i < pm; i++)
    if (!isfinite (self->dt[i]) || !isfinite (self->w[i]))
      {
        g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "bad memory or weights");
        return FALSE;
      }
  for (guint j = 0; j < m; j++)
    {
      double s = 0;

      for (guint c = 0; c < p; c++)
        s += self->dt[(gsize) c * m + j] * self->dt[(gsize) c * m + j];
      self->dnorm[j] = sqrt (s);
    }
  return TRUE;
}

static void
bw_mset_detector_finalize (GObject *object)
{
  clear_learned (BW_MSET_DETECTOR (object));

  G_OBJECT_CLASS (bw_mset_detector_parent_class)->finalize (object);
}

static void
bw_mset_detector_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  BwMsetDetector *self = BW_MSET_DETECTOR (object);

  switch (prop_id)
    {
    case PROP_MEMORY_SIZE:
      g_value_set_uint (value, self->memory_size);
      break;
    case PROP_STANDARDIZE:
      g_value_set_boolean (value, self->standardize);
      break;
    case PROP_SIMILARITY:
      g_value_set_enum (value, self->similarity);
      break;
    case PROP_BANDWIDTH:
      g_value_set_double (value, self->bandwidth);
      break;
    case PROP_RESIDUAL:
      g_value_set_enum (value, self->residual);
      break;
    case PROP_THRESHOLD:
      g_value_set_double (value, self->threshold);
      break;
    case PROP_RIDGE:
      g_value_set_double (value, self->ridge);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bw_mset_detector_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  BwMsetDetector *self = BW_MSET_DETECTOR (object);

  switch (prop_id)
    {
    case PROP_MEMORY_SIZE:
      self->memory_size = g_value_get_uint (value);
      break;
    case PROP_STANDARDIZE:
      self->standardize = g_value_get_boolean (value);
      break;
    case PROP_SIMILARITY:
      self->similarity = g_value_get_enum (value);
      break;
    case PROP_BANDWIDTH:
      self->bandwidth = g_value_get_double (value);
      break;
    case PROP_RESIDUAL:
      self->residual = g_value_get_enum (value);
      break;
    case PROP_THRESHOLD:
      self->threshold = g_value_get_double (value);
      break;
    case PROP_RIDGE:
      self->ridge = g_value_get_double (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  g_object_notify_by_pspec (object, pspec);
}

static void
bw_mset_detector_class_init (BwMsetDetectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  BwDetectorClass *detector_class = BW_DETECTOR_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                      G_PARAM_STATIC_STRINGS;

  object_class->finalize = bw_mset_detector_finalize;
  object_class->get_property = bw_mset_detector_get_property;
  object_class->set_property = bw_mset_detector_set_property;

  detector_class->fit = bw_mset_detector_fit;
  detector_class->score = bw_mset_detector_score;
  detector_class->score_row = bw_mset_detector_score_row;
  detector_class->get_threshold = bw_mset_detector_get_threshold;
  detector_class->save_state = bw_mset_detector_save_state;
  detector_class->load_state = bw_mset_detector_load_state;

  properties[PROP_MEMORY_SIZE] =
    g_param_spec_uint ("memory-size", NULL,
                       "Memory states kept from the training rows (0 = all, at most 1500)",
                       0, 20000, 0, flags);
  properties[PROP_STANDARDIZE] =
    g_param_spec_boolean ("standardize", NULL,
                          "Standardise the input internally and measure the residual in input units",
                          FALSE, flags);
  properties[PROP_SIMILARITY] =
    g_param_spec_enum ("similarity", NULL,
                       "Similarity operator: 1 − ‖x−y‖/(‖x‖+‖y‖) (skab) or Gaussian",
                       bw_mset_similarity_get_type (), BW_MSET_SIMILARITY_SKAB, flags);
  properties[PROP_BANDWIDTH] =
    g_param_spec_double ("bandwidth", NULL, "Width of the Gaussian similarity",
                         1e-6, 1e6, 1.0, flags);
  properties[PROP_RESIDUAL] =
    g_param_spec_enum ("residual", NULL,
                       "Score: ‖x − x̂‖ / ‖x̂‖ (relative) or ‖x − x̂‖ (absolute)",
                       bw_mset_residual_get_type (), BW_MSET_RESIDUAL_RELATIVE, flags);
  properties[PROP_THRESHOLD] =
    g_param_spec_double ("threshold", NULL, "Residual above which a row is anomalous",
                         0.0, G_MAXDOUBLE, 0.01, flags);
  properties[PROP_RIDGE] =
    g_param_spec_double ("ridge", NULL,
                         "Added to the diagonal of the similarity matrix (regularisation)",
                         0.0, 1e3, 0.0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bw_mset_detector_init (BwMsetDetector *self)
{
}
