/* bw-detector-t2.c: Hotelling's T², and T² with Q on principal components
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-detector-t2"

#include "config.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>

#include "bw-classic-detectors.h"
#include "bw-error.h"
#include "bw-rolling.h"

typedef enum
{
  BW_Q_LIMIT_JACKSON_MUDHOLKAR,
  BW_Q_LIMIT_SKAB,
} BwQLimit;

struct _BwT2Detector
{
  BwDetector parent_instance;

  /* parameters */
  gboolean pca;
  double   explained_variance;
  guint    n_components_param;
  double   confidence;
  guint    median_window;
  BwQLimit q_limit_kind;

  /* learned */
  guint    p;               /* features kept (non-constant) */
  guint   *cols;            /* their indices */
  guint    k;               /* components in the T² space */
  double  *mean;            /* p */
  double  *basis;           /* k × p, row j = eigenvector j */
  double  *inv_lambda;      /* k */
  double   t2_limit;
  double   q_limit;         /* 0 when there is no residual space */
  guint    n_train;

  /* streaming */
  BwRolling t2_win;
  BwRolling q_win;
  double  *z;               /* p, scratch */
};

G_DEFINE_FINAL_TYPE (BwT2Detector, bw_t2_detector, BW_TYPE_DETECTOR)

enum {
  PROP_0,
  PROP_PCA,
  PROP_EXPLAINED_VARIANCE,
  PROP_N_COMPONENTS,
  PROP_CONFIDENCE,
  PROP_MEDIAN_WINDOW,
  PROP_Q_LIMIT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
bw_q_limit_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type))
    {
      static const GEnumValue values[] = {
        { BW_Q_LIMIT_JACKSON_MUDHOLKAR, "BW_Q_LIMIT_JACKSON_MUDHOLKAR", "jackson-mudholkar" },
        { BW_Q_LIMIT_SKAB, "BW_Q_LIMIT_SKAB", "skab" },
        { 0, NULL, NULL }
      };
      GType t = g_enum_register_static (g_intern_static_string ("BwQLimit"), values);

      g_once_init_leave (&type, t);
    }
  return type;
}

static void
clear_learned (BwT2Detector *self)
{
  g_clear_pointer (&self->cols, g_free);
  g_clear_pointer (&self->mean, g_free);
  g_clear_pointer (&self->basis, g_free);
  g_clear_pointer (&self->inv_lambda, g_free);
  g_clear_pointer (&self->z, g_free);
  self->p = self->k = 0;
  self->t2_limit = self->q_limit = 0;
}

static void
setup_windows (BwT2Detector *self)
{
  bw_rolling_init (&self->t2_win, BW_ROLLING_MEDIAN, MAX (self->median_window, 1));
  bw_rolling_init (&self->q_win, BW_ROLLING_MEDIAN, MAX (self->median_window, 1));
}

/* Upper control limit of T² for m components from n rows (Tracy et al.) */
/* LAPACK's general eigensolver (reference LAPACK, as numpy uses) */
extern void dgeev_ (const char *jobvl, const char *jobvr, const int *n, double *a,
                    const int *lda, double *wr, double *wi, double *vl, const int *ldvl,
                    double *vr, const int *ldvr, double *work, const int *lwork, int *info);

/* The eigenvalues of a covariance matrix in the order a general
 * (non-symmetric) eigensolver returns them, unsorted: SKAB sums the
 * "residual" eigenvalues in that order. NULL if the solver fails. */
static double *
general_eigenvalues (const gsl_matrix *cov)
{
  int n = cov->size1, lwork = 16 * n, info = 0, one = 1;
  g_autofree double *a = g_new (double, (gsize) n * n);
  g_autofree double *wr = g_new (double, n);
  g_autofree double *wi = g_new (double, n);
  g_autofree double *work = g_new (double, lwork);
  double dummy = 0;

  /* column-major; the matrix is symmetric anyway */
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      a[(gsize) j * n + i] = gsl_matrix_get (cov, i, j);
  dgeev_ ("N", "N", &n, a, &n, wr, wi, &dummy, &one, &dummy, &one, work, &lwork, &info);
  if (info != 0)
    return NULL;
  return g_steal_pointer (&wr);
}

/* Quantile of the F distribution by bisection on its CDF:
 * gsl_cdf_fdist_Pinv() fails to converge for some degrees of freedom. */
static double
f_quantile (double p,
            double nu1,
            double nu2)
{
  double lo = 0, hi = 1;

  while (gsl_cdf_fdist_P (hi, nu1, nu2) < p && hi < 1e12)
    hi *= 2;
  for (int i = 0; i < 200 && hi - lo > 1e-13 * hi; i++)
    {
      double mid = 0.5 * (lo + hi);

      if (gsl_cdf_fdist_P (mid, nu1, nu2) < p)
        lo = mid;
      else
        hi = mid;
    }
  return 0.5 * (lo + hi);
}

static double
t2_limit (guint  m,
          guint  n,
          double confidence)
{
  /* the same few limits come up again and again (SKAB: 8 features, 400
   * rows): remember the last ones */
  static struct { guint m, n; double confidence, limit; } memo[8];
  static guint next;
  static GMutex lock;
  double c, limit;

  g_mutex_lock (&lock);
  for (guint i = 0; i < G_N_ELEMENTS (memo); i++)
    if (memo[i].m == m && memo[i].n == n && memo[i].confidence == confidence)
      {
        limit = memo[i].limit;
        g_mutex_unlock (&lock);
        return limit;
      }
  g_mutex_unlock (&lock);

  c = f_quantile (confidence, m, n - m);
  limit = (double) m * (n - 1) * (n + 1) / ((double) n * (n - m)) * c;

  g_mutex_lock (&lock);
  memo[next].m = m;
  memo[next].n = n;
  memo[next].confidence = confidence;
  memo[next].limit = limit;
  next = (next + 1) % G_N_ELEMENTS (memo);
  g_mutex_unlock (&lock);
  return limit;
}

/* Jackson and Mudholkar (1979), from the residual eigenvalues */
static double
q_limit (const double *lambda,
         guint         from,
         guint         p,
         double        confidence,
         BwQLimit      kind)
{
  double theta[3] = { 0, 0, 0 };
  double h0, c;

  if (kind == BW_Q_LIMIT_SKAB)
    {
      /* SKAB's control-charts code raises the sum, not the eigenvalues */
      double s = 0;

      for (guint j = from; j < p; j++)
        s += lambda[j];
      theta[0] = s;
      theta[1] = s * s;
      theta[2] = s * s * s;
    }
  else
    for (guint j = from; j < p; j++)
      {
        double l = MAX (lambda[j], 0);

        theta[0] += l;
        theta[1] += l * l;
        theta[2] += l * l * l;
      }
  if (theta[0] <= 0 || theta[1] <= 0)
    return 0;

  h0 = 1 - 2 * theta[0] * theta[2] / (3 * theta[1] * theta[1]);
  if (h0 <= 1e-6)
    h0 = 1e-6;
  c = gsl_cdf_ugaussian_Pinv (confidence);
  return theta[0] * pow (c * sqrt (2 * theta[1] * h0 * h0) / theta[0] + 1
                         + theta[1] * h0 * (h0 - 1) / (theta[0] * theta[0]),
                         1 / h0);
}

static gboolean
bw_t2_detector_fit (BwDetector       *detector,
                    const gsl_matrix *x,
                    GError          **error)
{
  BwT2Detector *self = BW_T2_DETECTOR (detector);
  g_autoptr(gsl_matrix) cov = NULL;
  g_autoptr(gsl_matrix) evec = NULL;
  g_autoptr(gsl_vector) eval = NULL;
  gsl_eigen_symmv_workspace *ws;
  g_autofree double *skab_order = NULL;
  g_autofree double *xc = NULL;
  gsize n = x->size1, p_all = x->size2;
  double total, tol;
  guint p, k, rank;

  clear_learned (self);

  /* drop constant columns, as SKAB's pipeline does */
  self->cols = g_new (guint, p_all);
  p = 0;
  for (gsize j = 0; j < p_all; j++)
    {
      double first = gsl_matrix_get (x, 0, j);

      for (gsize i = 1; i < n; i++)
        if (x->data[i * x->tda + j] != first)
          {
            self->cols[p++] = j;
            break;
          }
    }
  if (p == 0)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "T²: every feature is constant");
      return FALSE;
    }
  if (n <= p + 1)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   "T²: %" G_GSIZE_FORMAT " rows are too few for %u features", n, p);
      return FALSE;
    }
  self->p = p;

  /* centred copy of the kept columns, then the covariance (n − 1) */
  xc = g_new (double, n * p);
  self->mean = g_new0 (double, p);
  for (gsize i = 0; i < n; i++)
    {
      const double *row = x->data + i * x->tda;

      for (guint j = 0; j < p; j++)
        self->mean[j] += xc[i * p + j] = row[self->cols[j]];
    }
  for (guint j = 0; j < p; j++)
    self->mean[j] /= n;
  for (gsize i = 0; i < n; i++)
    for (guint j = 0; j < p; j++)
      xc[i * p + j] -= self->mean[j];

  cov = gsl_matrix_calloc (p, p);
  for (gsize i = 0; i < n; i++)
    {
      const double *r = xc + i * p;

      for (guint a = 0; a < p; a++)
        {
          double *c = cov->data + a * cov->tda;

          for (guint b = 0; b <= a; b++)
            c[b] += r[a] * r[b];
        }
    }
  for (guint a = 0; a < p; a++)
    for (guint b = 0; b <= a; b++)
      {
        double v = gsl_matrix_get (cov, a, b) / (n - 1);

        gsl_matrix_set (cov, a, b, v);
        gsl_matrix_set (cov, b, a, v);
      }

  if (self->pca && self->q_limit_kind == BW_Q_LIMIT_SKAB)
    skab_order = general_eigenvalues (cov);

  eval = gsl_vector_alloc (p);
  evec = gsl_matrix_alloc (p, p);
  ws = gsl_eigen_symmv_alloc (p);
  gsl_eigen_symmv (cov, eval, evec, ws);
  gsl_eigen_symmv_free (ws);
  gsl_eigen_symmv_sort (eval, evec, GSL_EIGEN_SORT_VAL_DESC);

  total = 0;
  for (guint j = 0; j < p; j++)
    total += MAX (gsl_vector_get (eval, j), 0);
  tol = gsl_vector_get (eval, 0) * p * 1e-12;
  rank = 0;
  while (rank < p && gsl_vector_get (eval, rank) > tol)
    rank++;
  if (rank == 0)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "T²: the training rows have no variance");
      return FALSE;
    }

  if (!self->pca)
    k = rank;
  else if (self->n_components_param > 0)
    k = MIN (self->n_components_param, rank);
  else
    {
      /* the fewest components whose share of the variance exceeds the
       * target (scikit-learn's rule) */
      double cum = 0;

      k = 0;
      while (k < p)
        {
          cum += MAX (gsl_vector_get (eval, k), 0) / total;
          k++;
          if (cum > self->explained_variance)
            break;
        }
      k = MIN (k, rank);
    }
  self->k = k;

  self->basis = g_new (double, (gsize) k * p);
  self->inv_lambda = g_new (double, k);
  for (guint c = 0; c < k; c++)
    {
      self->inv_lambda[c] = 1.0 / gsl_vector_get (eval, c);
      for (guint j = 0; j < p; j++)
        self->basis[c * p + j] = gsl_matrix_get (evec, j, c);
    }

  self->t2_limit = t2_limit (k, n, self->confidence);
  self->q_limit = 0;
  if (self->pca && k < p)
    self->q_limit = q_limit (skab_order ? skab_order : eval->data, k, p, self->confidence,
                             self->q_limit_kind);
  self->n_train = n;
  self->z = g_new (double, p);
  setup_windows (self);
  return TRUE;
}

static inline void
statistics (BwT2Detector *self,
            const double *row,
            double       *out_t2,
            double       *out_q)
{
  const guint p = self->p, k = self->k;
  double *z = self->z;
  double t2 = 0, proj2 = 0, norm2 = 0;

  for (guint j = 0; j < p; j++)
    {
      z[j] = row[self->cols[j]] - self->mean[j];
      norm2 += z[j] * z[j];
    }
  for (guint c = 0; c < k; c++)
    {
      const double *v = self->basis + (gsize) c * p;
      double u = 0;

      for (guint j = 0; j < p; j++)
        u += v[j] * z[j];
      t2 += u * u * self->inv_lambda[c];
      proj2 += u * u;
    }
  *out_t2 = t2;
  *out_q = MAX (norm2 - proj2, 0);
}

static double
bw_t2_detector_score_row (BwDetector   *detector,
                          const double *row)
{
  BwT2Detector *self = (BwT2Detector *) detector;
  double t2, q;

  for (guint j = 0; j < self->p; j++)
    if (!isfinite (row[self->cols[j]]))
      {
        bw_rolling_push (&self->t2_win, NAN);
        bw_rolling_push (&self->q_win, NAN);
        return NAN;
      }

  statistics (self, row, &t2, &q);
  if (self->median_window > 1)
    {
      t2 = bw_rolling_push (&self->t2_win, t2);
      q = bw_rolling_push (&self->q_win, q);
    }
  if (self->q_limit > 0)
    return MAX (t2 / self->t2_limit, q / self->q_limit);
  return t2;
}

static gboolean
bw_t2_detector_score (BwDetector       *detector,
                      const gsl_matrix *x,
                      gsl_vector       *out,
                      GError          **error)
{
  BwT2Detector *self = (BwT2Detector *) detector;
  gsize n = x->size1, w = MAX (self->median_window, 1);
  g_autofree double *t2 = g_new (double, n);
  g_autofree double *q = g_new (double, n);

  for (gsize i = 0; i < n; i++)
    {
      const double *row = x->data + i * x->tda;
      gboolean finite = TRUE;

      for (guint j = 0; j < self->p; j++)
        finite &= isfinite (row[self->cols[j]]);
      if (finite)
        statistics (self, row, &t2[i], &q[i]);
      else
        t2[i] = q[i] = NAN;
    }

  /* leave the stream where the batch ends */
  bw_rolling_clear (&self->t2_win);
  bw_rolling_clear (&self->q_win);
  if (w > 1)
    {
      for (gsize i = n > w ? n - w : 0; i < n; i++)
        {
          bw_rolling_push (&self->t2_win, t2[i]);
          bw_rolling_push (&self->q_win, q[i]);
        }
      bw_rolling_median_batch (t2, t2, n, w);
      bw_rolling_median_batch (q, q, n, w);
    }

  for (gsize i = 0; i < n; i++)
    gsl_vector_set (out, i, self->q_limit > 0 ? MAX (t2[i] / self->t2_limit, q[i] / self->q_limit)
                                              : t2[i]);
  return TRUE;
}

static double
bw_t2_detector_get_threshold (BwDetector *detector)
{
  BwT2Detector *self = BW_T2_DETECTOR (detector);

  return self->q_limit > 0 ? 1.0 : self->t2_limit;
}

static void
bw_t2_detector_reset (BwDetector *detector)
{
  BwT2Detector *self = BW_T2_DETECTOR (detector);

  bw_rolling_clear (&self->t2_win);
  bw_rolling_clear (&self->q_win);
}

static JsonNode *
bw_t2_detector_save_state (BwDetector *detector)
{
  BwT2Detector *self = BW_T2_DETECTOR (detector);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree double *cols = g_new (double, self->p);

  for (guint j = 0; j < self->p; j++)
    cols[j] = self->cols[j];

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "columns");
  json_builder_add_value (b, bw_json_from_doubles (cols, self->p));
  json_builder_set_member_name (b, "components");
  json_builder_add_int_value (b, self->k);
  json_builder_set_member_name (b, "mean");
  json_builder_add_value (b, bw_json_from_doubles (self->mean, self->p));
  json_builder_set_member_name (b, "basis");
  json_builder_add_value (b, bw_json_from_doubles (self->basis, (gsize) self->k * self->p));
  json_builder_set_member_name (b, "inverse-eigenvalues");
  json_builder_add_value (b, bw_json_from_doubles (self->inv_lambda, self->k));
  json_builder_set_member_name (b, "t2-limit");
  json_builder_add_double_value (b, self->t2_limit);
  json_builder_set_member_name (b, "q-limit");
  json_builder_add_double_value (b, self->q_limit);
  json_builder_set_member_name (b, "training-rows");
  json_builder_add_int_value (b, self->n_train);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
bw_t2_detector_load_state (BwDetector *detector,
                           JsonNode   *state,
                           GError    **error)
{
  BwT2Detector *self = BW_T2_DETECTOR (detector);
  guint n_features = bw_detector_get_n_features (detector);
  g_autofree double *cols = NULL;
  JsonObject *obj;
  JsonNode *node;
  gint64 k;
  guint p;

  clear_learned (self);
  if (!JSON_NODE_HOLDS_OBJECT (state))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "state is not an object");
      return FALSE;
    }
  obj = json_node_get_object (state);
  node = json_object_get_member (obj, "columns");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "no columns");
      return FALSE;
    }
  p = json_array_get_length (json_node_get_array (node));
  k = json_object_get_int_member_with_default (obj, "components", -1);
  if (p < 1 || p > n_features || k < 1 || k > p)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "bad columns or components");
      return FALSE;
    }
  cols = g_new (double, p);
  if (!bw_json_to_doubles (node, cols, p, error))
    return FALSE;
  self->p = p;
  self->k = k;
  self->cols = g_new (guint, p);
  for (guint j = 0; j < p; j++)
    {
      if (!(cols[j] >= 0 && cols[j] < n_features) || cols[j] != floor (cols[j]))
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "bad column index");
          return FALSE;
        }
      self->cols[j] = (guint) cols[j];
    }
  self->mean = g_new (double, p);
  self->basis = g_new (double, (gsize) k * p);
  self->inv_lambda = g_new (double, k);
  self->z = g_new (double, p);
  if (!bw_json_to_doubles (json_object_get_member (obj, "mean"), self->mean, p, error) ||
      !bw_json_to_doubles (json_object_get_member (obj, "basis"), self->basis, (gsize) k * p, error) ||
      !bw_json_to_doubles (json_object_get_member (obj, "inverse-eigenvalues"), self->inv_lambda, k, error))
    return FALSE;
  self->t2_limit = json_object_get_double_member_with_default (obj, "t2-limit", NAN);
  self->q_limit = json_object_get_double_member_with_default (obj, "q-limit", NAN);
  self->n_train = json_object_get_int_member_with_default (obj, "training-rows", 0);
  if (!(self->t2_limit > 0) || !(self->q_limit >= 0))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "bad control limits");
      return FALSE;
    }
  for (gsize i = 0; i < p; i++)
    if (!isfinite (self->mean[i]))
      {
        g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "bad mean");
        return FALSE;
      }
  for (gsize i = 0; i < (gsize) k * p; i++)
    if (!isfinite (self->basis[i]))
      {
        g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "bad basis");
        return FALSE;
      }
  for (gsize i = 0; i < (gsize) k; i++)
    if (!isfinite (self->inv_lambda[i]))
      {
        g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "bad eigenvalues");
        return FALSE;
      }
  setup_windows (self);
  return TRUE;
}

static void
bw_t2_detector_finalize (GObject *object)
{
  BwT2Detector *self = BW_T2_DETECTOR (object);

  clear_learned (self);
  bw_rolling_destroy (&self->t2_win);
  bw_rolling_destroy (&self->q_win);

  G_OBJECT_CLASS (bw_t2_detector_parent_class)->finalize (object);
}

static void
bw_t2_detector_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BwT2Detector *self = BW_T2_DETECTOR (object);

  switch (prop_id)
    {
    case PROP_PCA:
      g_value_set_boolean (value, self->pca);
      break;
    case PROP_EXPLAINED_VARIANCE:
      g_value_set_double (value, self->explained_variance);
      break;
    case PROP_N_COMPONENTS:
      g_value_set_uint (value, self->n_components_param);
      break;
    case PROP_CONFIDENCE:
      g_value_set_double (value, self->confidence);
      break;
    case PROP_MEDIAN_WINDOW:
      g_value_set_uint (value, self->median_window);
      break;
    case PROP_Q_LIMIT:
      g_value_set_enum (value, self->q_limit_kind);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bw_t2_detector_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  BwT2Detector *self = BW_T2_DETECTOR (object);

  switch (prop_id)
    {
    case PROP_PCA:
      self->pca = g_value_get_boolean (value);
      break;
    case PROP_EXPLAINED_VARIANCE:
      self->explained_variance = g_value_get_double (value);
      break;
    case PROP_N_COMPONENTS:
      self->n_components_param = g_value_get_uint (value);
      break;
    case PROP_CONFIDENCE:
      self->confidence = g_value_get_double (value);
      break;
    case PROP_MEDIAN_WINDOW:
      self->median_window = g_value_get_uint (value);
      setup_windows (self);
      break;
    case PROP_Q_LIMIT:
      self->q_limit_kind = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  g_object_notify_by_pspec (object, pspec);
}

static void
bw_t2_detector_class_init (BwT2DetectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  BwDetectorClass *detector_class = BW_DETECTOR_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                      G_PARAM_STATIC_STRINGS;

  object_class->finalize = bw_t2_detector_finalize;
  object_class->get_property = bw_t2_detector_get_property;
  object_class->set_property = bw_t2_detector_set_property;

  detector_class->fit = bw_t2_detector_fit;
  detector_class->score = bw_t2_detector_score;
  detector_class->score_row = bw_t2_detector_score_row;
  detector_class->get_threshold = bw_t2_detector_get_threshold;
  detector_class->reset = bw_t2_detector_reset;
  detector_class->save_state = bw_t2_detector_save_state;
  detector_class->load_state = bw_t2_detector_load_state;

  properties[PROP_PCA] =
    g_param_spec_boolean ("pca", NULL,
                          "Reduce to principal components and add the Q statistic",
                          FALSE, flags);
  properties[PROP_EXPLAINED_VARIANCE] =
    g_param_spec_double ("explained-variance", NULL,
                         "Share of the training variance the components must exceed (pca)",
                         0.01, 1.0, 0.85, flags);
  properties[PROP_N_COMPONENTS] =
    g_param_spec_uint ("n-components", NULL,
                       "Fixed number of components (pca); 0 = by explained variance",
                       0, 4096, 0, flags);
  properties[PROP_CONFIDENCE] =
    g_param_spec_double ("confidence", NULL,
                         "Confidence level of the control limits",
                         0.5, 0.999999999, 0.999, flags);
  properties[PROP_MEDIAN_WINDOW] =
    g_param_spec_uint ("median-window", NULL,
                       "Trailing median of T² and Q over this many rows (1 = none)",
                       1, 10000, 1, flags);
  properties[PROP_Q_LIMIT] =
    g_param_spec_enum ("q-limit", NULL,
                       "Q control limit: Jackson–Mudholkar, or SKAB's variant of it",
                       bw_q_limit_get_type (), BW_Q_LIMIT_JACKSON_MUDHOLKAR, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bw_t2_detector_init (BwT2Detector *self)
{
  self->median_window = 1;
  setup_windows (self);
}
