/* bw-detector-iforest.c: Isolation Forest (Liu, Ting and Zhou, 2008)
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-detector-iforest"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bw-classic-detectors.h"
#include "bw-error.h"

/*
 * Each tree is grown to depth D = ceil(log2 ψ) and then stored as a
 * complete binary tree of that depth: below a leaf reached early every
 * split goes left, and the bottom slot that leads to holds the leaf's path
 * length h = depth + c(n). Scoring a row is then D branch-free
 * steps per tree. The trees as grown (pre-order) are what model files keep.
 */

#define MAX_DEPTH 12

typedef struct
{
  /* as grown, pre-order: feature ≥ 0 with threshold, or feature −1 with
   * the path length of the leaf */
  GArray *feature;     /* int */
  GArray *value;       /* double: threshold or path length */
} GrownTree;

typedef struct
{
  double  value;            /* go right when x[feature] > value */
  guint32 feature;
  guint32 unused;
} Node;

struct _BwIForestDetector
{
  BwDetector parent_instance;

  /* parameters */
  guint   n_trees;
  guint   max_samples;
  double  contamination;
  double  score_threshold_param;

  /* learned */
  guint      p;
  guint      psi;           /* subsample size used */
  guint      depth;         /* D */
  GrownTree *grown;         /* n_trees */
  guint      n_grown;
  Node      *nodes;         /* n_grown × (2^D − 1) */
  float     *leaf_h;        /* n_grown × 2^D */
  double     threshold;
};

G_DEFINE_FINAL_TYPE (BwIForestDetector, bw_iforest_detector, BW_TYPE_DETECTOR)

enum {
  PROP_0,
  PROP_N_TREES,
  PROP_MAX_SAMPLES,
  PROP_CONTAMINATION,
  PROP_SCORE_THRESHOLD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* average path length of an unsuccessful search in a binary search tree of
 * n points: the normalisation c(n) of the paper */
static double
average_path_length (double n)
{
  if (n <= 1)
    return 0;
  if (n <= 2)
    return 1;
  return 2.0 * (log (n - 1.0) + 0.5772156649015329) - 2.0 * (n - 1.0) / n;
}

static void
clear_learned (BwIForestDetector *self)
{
  for (guint t = 0; t < self->n_grown; t++)
    {
      g_array_unref (self->grown[t].feature);
      g_array_unref (self->grown[t].value);
    }
  g_clear_pointer (&self->grown, g_free);
  g_clear_pointer (&self->nodes, g_free);
  g_clear_pointer (&self->leaf_h, g_free);
  self->n_grown = 0;
  self->p = self->psi = self->depth = 0;
}

typedef struct
{
  const double     *xt;       /* feature-major copy of the rows: xt[f * n + i] */
  gsize             n;
  guint            *idx;      /* row indices of the subsample, permuted in place */
  guint            *right;    /* scratch for partitioning */
  guint            *feat;     /* scratch: feature order */
  guint64           rng[4];   /* xoshiro256** state, seeded from the detector's GRand */
  guint             p;
  guint             max_depth;
  GrownTree        *tree;
} Grower;

static inline guint64
rotl (guint64 x,
      int     k)
{
  return (x << k) | (x >> (64 - k));
}

/* xoshiro256** (Blackman and Vigna): cheap enough to call per node */
static inline guint64
next_u64 (Grower *g)
{
  guint64 *s = g->rng;
  guint64 result = rotl (s[1] * 5, 7) * 9, t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

/* uniform in [0, n) (Lemire's multiply-shift, bias below 2⁻³²·n) */
static inline guint
next_below (Grower *g,
            guint   n)
{
  return (guint) (((next_u64 (g) >> 32) * (guint64) n) >> 32);
}

/* uniform in [0, 1) with 53 random bits */
static inline double
next_double (Grower *g)
{
  return (next_u64 (g) >> 11) * (1.0 / 9007199254740992.0);
}

static void
grow (Grower *g,
      guint   lo,
      guint   hi,
      guint   depth)
{
  guint n = hi - lo;
  int feature = -1;
  double fmin = 0, fmax = 0, threshold;
  guint mid;

  if (n > 1 && depth < g->max_depth)
    {
      /* draw features without replacement until one is not constant here */
      for (guint j = 0; j < g->p; j++)
        g->feat[j] = j;
      for (guint left = g->p; left > 0; left--)
        {
          guint pick = next_below (g, left);
          guint f = g->feat[pick];

          g->feat[pick] = g->feat[left - 1];
          const double *col = g->xt + f * g->n;

          fmin = fmax = col[g->idx[lo]];
          for (guint i = lo + 1; i < hi; i++)
            {
              double v = col[g->idx[i]];

              fmin = MIN (fmin, v);
              fmax = MAX (fmax, v);
            }
          if (fmax > fmin)
            {
              feature = f;
              break;
            }
        }
    }

  if (feature < 0)
    {
      double h = depth + average_path_length (n);

      g_array_append_val (g->tree->feature, feature);
      g_array_append_val (g->tree->value, h);
      return;
    }

  threshold = fmin + next_double (g) * (fmax - fmin);
  if (threshold >= fmax)
    threshold = fmin;
  g_array_append_val (g->tree->feature, feature);
  g_array_append_val (g->tree->value, threshold);

  /* partition, stable and without branches: x ≤ threshold to the left */
  {
    const double *col = g->xt + feature * g->n;
    guint n_right = 0;

    mid = lo;
    for (guint i = lo; i < hi; i++)
      {
        guint v = g->idx[i];
        gboolean left = col[v] <= threshold;

        g->idx[mid] = v;
        g->right[n_right] = v;
        mid += left;
        n_right += !left;
      }
    memcpy (g->idx + mid, g->right, n_right * sizeof (guint));
  }
  grow (g, lo, mid, depth + 1);
  grow (g, mid, hi, depth + 1);
}

/* Lay out grown tree @t as a complete tree of depth D. Returns the index
 * after the subtree in the pre-order arrays, or 0 on malformed input. */
static guint
flatten (BwIForestDetector *self,
         const GrownTree   *tree,
         guint              pos,
         guint              slot,     /* node index in the complete tree */
         guint              depth,
         Node              *nodes,
         float             *leaf)
{
  guint n_internal = (1u << self->depth) - 1;
  int f;
  double v;

  if (pos >= tree->feature->len)
    return 0;
  f = g_array_index (tree->feature, int, pos);
  v = g_array_index (tree->value, double, pos);

  if (f < 0 || depth == self->depth)
    {
      /* a leaf: below it every split goes left (x > ∞ never holds), and
       * the leftmost bottom slot under it holds h; the other slots under
       * it are never reached */
      guint bottom = slot;

      if (f >= 0)
        return 0;   /* a split at the bottom cannot happen */
      while (bottom < n_internal)
        {
          nodes[bottom].feature = 0;
          nodes[bottom].value = INFINITY;
          bottom = 2 * bottom + 1;
        }
      leaf[bottom - n_internal] = (float) v;
      return pos + 1;
    }

  if ((guint) f >= self->p || !isfinite (v))
    return 0;
  nodes[slot].feature = f;
  nodes[slot].value = v;
  pos = flatten (self, tree, pos + 1, 2 * slot + 1, depth + 1, nodes, leaf);
  if (pos == 0)
    return 0;
  return flatten (self, tree, pos, 2 * slot + 2, depth + 1, nodes, leaf);
}

static gboolean
build_layout (BwIForestDetector *self,
              GError           **error)
{
  gsize n_internal = ((gsize) 1 << self->depth) - 1, n_leaf = (gsize) 1 << self->depth;

  g_clear_pointer (&self->nodes, g_free);
  g_clear_pointer (&self->leaf_h, g_free);
  self->nodes = g_new0 (Node, n_internal * self->n_grown);
  self->leaf_h = g_new0 (float, n_leaf * self->n_grown);
  for (guint t = 0; t < self->n_grown; t++)
    {
      guint end = flatten (self, &self->grown[t], 0, 0, 0,
                           self->nodes + t * n_internal,
                           self->leaf_h + t * n_leaf);

      if (end != self->grown[t].feature->len)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "tree %u is malformed", t);
          return FALSE;
        }
    }
  return TRUE;
}

/* Scores of @n rows (row-major, @stride apart). Eight rows go down each
 * tree together, their node indices in registers, so their independent
 * walks overlap in the CPU. */
static void
score_rows (BwIForestDetector *self,
            const double      *rows,
            gsize              stride,
            gsize              n,
            double            *out)
{
  const guint depth = self->depth;
  const gsize n_internal = ((gsize) 1 << depth) - 1, n_leaf = (gsize) 1 << depth;
  const double norm = 1.0 / (self->n_grown * average_path_length (self->psi));

  for (gsize r0 = 0; r0 < n; r0 += 8)
    {
      gsize lanes = MIN (8, n - r0);
      const double *x0, *x1, *x2, *x3, *x4, *x5, *x6, *x7;
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;

#define ROW(k) (rows + (r0 + MIN ((gsize) (k), lanes - 1)) * stride)
      x0 = ROW (0); x1 = ROW (1); x2 = ROW (2); x3 = ROW (3);
      x4 = ROW (4); x5 = ROW (5); x6 = ROW (6); x7 = ROW (7);
#undef ROW

      for (guint t = 0; t < self->n_grown; t++)
        {
          const Node *nd = self->nodes + t * n_internal;
          const float *lh = self->leaf_h + t * n_leaf - n_internal;
          gsize i0 = 0, i1 = 0, i2 = 0, i3 = 0, i4 = 0, i5 = 0, i6 = 0, i7 = 0;

          for (guint d = 0; d < depth; d++)
            {
#define STEP(i, x) i = 2 * i + 1 + (x[nd[i].feature] > nd[i].value)
              STEP (i0, x0); STEP (i1, x1); STEP (i2, x2); STEP (i3, x3);
              STEP (i4, x4); STEP (i5, x5); STEP (i6, x6); STEP (i7, x7);
#undef STEP
            }
          s0 += lh[i0]; s1 += lh[i1]; s2 += lh[i2]; s3 += lh[i3];
          s4 += lh[i4]; s5 += lh[i5]; s6 += lh[i6]; s7 += lh[i7];
        }
      {
        double s[8] = { s0, s1, s2, s3, s4, s5, s6, s7 };

        for (gsize r = 0; r < lanes; r++)
          out[r0 + r] = exp2 (-s[r] * norm);
      }
    }
}

static double
score_one (BwIForestDetector *self,
           const double      *row)
{
  const guint depth = self->depth;
  const gsize n_internal = ((gsize) 1 << depth) - 1, n_leaf = (gsize) 1 << depth;
  double sum = 0;

  for (guint t = 0; t < self->n_grown; t++)
    {
      const Node *nd = self->nodes + t * n_internal;
      gsize i = 0;

      for (guint d = 0; d < depth; d++)
        i = 2 * i + 1 + (row[nd[i].feature] > nd[i].value);
      sum += self->leaf_h[t * n_leaf + (i - n_internal)];
    }
  return exp2 (-sum / (self->n_grown * average_path_length (self->psi)));
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static gboolean
bw_iforest_detector_fit (BwDetector       *detector,
                         const gsl_matrix *x,
                         GError          **error)
{
  BwIForestDetector *self = BW_IFOREST_DETECTOR (detector);
  GRand *rand = bw_detector_get_rand (detector);
  g_autofree guint *all = NULL;
  g_autofree guint *feat = NULL;
  g_autofree guint *right = NULL;
  g_autofree double *train = NULL;
  g_autofree double *xt = NULL;
  gsize n = x->size1;
  Grower g;

  clear_learned (self);
  if (x->size2 > 255)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "Isolation Forest: at most 255 features");
      return FALSE;
    }
  self->p = x->size2;
  self->psi = MIN (self->max_samples, n);
  self->depth = MAX (1, (guint) ceil (log2 (MAX (self->psi, 2))));
  self->depth = MIN (self->depth, MAX_DEPTH);

  all = g_new (guint, n);
  right = g_new (guint, n);
  feat = g_new (guint, self->p);
  xt = g_new (double, n * self->p);
  for (gsize i = 0; i < n; i++)
    for (guint f = 0; f < self->p; f++)
      xt[f * n + i] = x->data[i * x->tda + f];
  self->grown = g_new0 (GrownTree, self->n_trees);
  g.xt = xt;
  g.n = n;
  g.right = right;
  g.feat = feat;
  for (guint i = 0; i < 4; i++)
    {
      guint64 hi = g_rand_int (rand);

      g.rng[i] = (hi << 32) | g_rand_int (rand);
    }
  g.p = self->p;
  g.max_depth = self->depth;

  for (guint t = 0; t < self->n_trees; t++)
    {
      /* a subsample of ψ rows without replacement: partial Fisher–Yates */
      for (gsize i = 0; i < n; i++)
        all[i] = i;
      for (guint i = 0; i < self->psi; i++)
        {
          guint j = i + next_below (&g, n - i);
          guint tmp = all[i];

          all[i] = all[j];
          all[j] = tmp;
        }
      self->grown[t].feature = g_array_sized_new (FALSE, FALSE, sizeof (int), 2 * self->psi);
      self->grown[t].value = g_array_sized_new (FALSE, FALSE, sizeof (double), 2 * self->psi);
      self->n_grown = t + 1;
      g.idx = all;
      g.tree = &self->grown[t];
      grow (&g, 0, self->psi, 0);
    }
  if (!build_layout (self, error))
    return FALSE;

  if (self->score_threshold_param > 0)
    self->threshold = self->score_threshold_param;
  else if (self->contamination <= 0)
    self->threshold = 0.5;
  else
    {
      /* the (1 − contamination) quantile of the training scores, linear
       * interpolation between order statistics */
      double pos, frac;
      gsize k;

      train = g_new (double, n);
      score_rows (self, x->data, x->tda, n, train);
      qsort (train, n, sizeof (double), compare_doubles);
      pos = (1 - self->contamination) * (n - 1);
      k = (gsize) floor (pos);
      frac = pos - k;
      self->threshold = k + 1 < n ? train[k] + frac * (train[k + 1] - train[k]) : train[n - 1];
    }
  return TRUE;
}

static double
bw_iforest_detector_score_row (BwDetector   *detector,
                               const double *row)
{
  BwIForestDetector *self = (BwIForestDetector *) detector;

  for (guint j = 0; j < self->p; j++)
    if (!isfinite (row[j]))
      return NAN;
  return score_one (self, row);
}

static gboolean
bw_iforest_detector_score (BwDetector       *detector,
                           const gsl_matrix *x,
                           gsl_vector       *out,
                           GError          **error)
{
  BwIForestDetector *self = (BwIForestDetector *) detector;
  g_autofree double *s = g_new (double, x->size1);

  score_rows (self, x->data, x->tda, x->size1, s);
  for (gsize i = 0; i < x->size1; i++)
    {
      const double *row = x->data + i * x->tda;

      for (guint j = 0; j < self->p; j++)
        if (!isfinite (row[j]))
          s[i] = NAN;
      gsl_vector_set (out, i, s[i]);
    }
  return TRUE;
}

static double
bw_iforest_detector_get_threshold (BwDetector *detector)
{
  return BW_IFOREST_DETECTOR (detector)->threshold;
}

static JsonNode *
bw_iforest_detector_save_state (BwDetector *detector)
{
  BwIForestDetector *self = BW_IFOREST_DETECTOR (detector);
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "subsample");
  json_builder_add_int_value (b, self->psi);
  json_builder_set_member_name (b, "depth");
  json_builder_add_int_value (b, self->depth);
  json_builder_set_member_name (b, "threshold");
  json_builder_add_double_value (b, self->threshold);
  json_builder_set_member_name (b, "trees");
  json_builder_begin_array (b);
  for (guint t = 0; t < self->n_grown; t++)
    {
      GrownTree *tree = &self->grown[t];
      g_autofree double *f = g_new (double, tree->feature->len);

      for (guint i = 0; i < tree->feature->len; i++)
        f[i] = g_array_index (tree->feature, int, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "feature");
      json_builder_add_value (b, bw_json_from_doubles (f, tree->feature->len));
      json_builder_set_member_name (b, "value");
      json_builder_add_value (b, bw_json_from_doubles ((double *) (void *) tree->value->data,
                                                       tree->value->len));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
bw_iforest_detector_load_state (BwDetector *detector,
                                JsonNode   *state,
                                GError    **error)
{
  BwIForestDetector *self = BW_IFOREST_DETECTOR (detector);
  JsonObject *obj;
  JsonArray *trees;
  gint64 psi, depth;

  clear_learned (self);
  if (!JSON_NODE_HOLDS_OBJECT (state))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "state is not an object");
      return FALSE;
    }
  obj = json_node_get_object (state);
  psi = json_object_get_int_member_with_default (obj, "subsample", 0);
  depth = json_object_get_int_member_with_default (obj, "depth", 0);
  self->threshold = json_object_get_double_member_with_default (obj, "threshold", NAN);
  if (psi < 1 || depth < 1 || depth > MAX_DEPTH || !isfinite (self->threshold) ||
      !json_object_has_member (obj, "trees") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "trees")))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "bad forest header");
      return FALSE;
    }
  trees = json_object_get_array_member (obj, "trees");
  if (json_array_get_length (trees) == 0 || json_array_get_length (trees) > 100000)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "bad number of trees");
      return FALSE;
    }
  self->p = bw_detector_get_n_features (detector);
  self->psi = psi;
  self->depth = depth;
  self->grown = g_new0 (GrownTree, json_array_get_length (trees));
  for (guint t = 0; t < json_array_get_length (trees); t++)
    {
      JsonNode *tn = json_array_get_element (trees, t);
      JsonObject *to;
      JsonNode *fn, *vn;
      guint len;
      g_autofree double *f = NULL;

      self->grown[t].feature = g_array_new (FALSE, FALSE, sizeof (int));
      self->grown[t].value = g_array_new (FALSE, FALSE, sizeof (double));
      self->n_grown = t + 1;
      if (!JSON_NODE_HOLDS_OBJECT (tn))
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "tree %u is not an object", t);
          return FALSE;
        }
      to = json_node_get_object (tn);
      fn = json_object_get_member (to, "feature");
      vn = json_object_get_member (to, "value");
      if (fn == NULL || !JSON_NODE_HOLDS_ARRAY (fn))
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "tree %u has no features", t);
          return FALSE;
        }
      len = json_array_get_length (json_node_get_array (fn));
      if (len == 0 || len >= (2u << depth))
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "tree %u has a bad size", t);
          return FALSE;
        }
      f = g_new (double, len);
      g_array_set_size (self->grown[t].feature, len);
      g_array_set_size (self->grown[t].value, len);
      if (!bw_json_to_doubles (fn, f, len, error) ||
          !bw_json_to_doubles (vn, (double *) (void *) self->grown[t].value->data, len, error))
        return FALSE;
      for (guint i = 0; i < len; i++)
        {
          if (f[i] != floor (f[i]) || f[i] < -1 || f[i] >= self->p)
            {
              g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "tree %u: bad feature index", t);
              return FALSE;
            }
          g_array_index (self->grown[t].feature, int, i) = (int) f[i];
        }
    }
  return build_layout (self, error);
}

static void
bw_iforest_detector_finalize (GObject *object)
{
  clear_learned (BW_IFOREST_DETECTOR (object));

  G_OBJECT_CLASS (bw_iforest_detector_parent_class)->finalize (object);
}

static void
bw_iforest_detector_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  BwIForestDetector *self = BW_IFOREST_DETECTOR (object);

  switch (prop_id)
    {
    case PROP_N_TREES:
      g_value_set_uint (value, self->n_trees);
      break;
    case PROP_MAX_SAMPLES:
      g_value_set_uint (value, self->max_samples);
      break;
    case PROP_CONTAMINATION:
      g_value_set_double (value, self->contamination);
      break;
    case PROP_SCORE_THRESHOLD:
      g_value_set_double (value, self->score_threshold_param);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bw_iforest_detector_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  BwIForestDetector *self = BW_IFOREST_DETECTOR (object);

  switch (prop_id)
    {
    case PROP_N_TREES:
      self->n_trees = g_value_get_uint (value);
      break;
    case PROP_MAX_SAMPLES:
      self->max_samples = g_value_get_uint (value);
      break;
    case PROP_CONTAMINATION:
      self->contamination = g_value_get_double (value);
      break;
    case PROP_SCORE_THRESHOLD:
      self->score_threshold_param = g_value_get_double (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  g_object_notify_by_pspec (object, pspec);
}

static void
bw_iforest_detector_class_init (BwIForestDetectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  BwDetectorClass *detector_class = BW_DETECTOR_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                      G_PARAM_STATIC_STRINGS;

  object_class->finalize = bw_iforest_detector_finalize;
  object_class->get_property = bw_iforest_detector_get_property;
  object_class->set_property = bw_iforest_detector_set_property;

  detector_class->fit = bw_iforest_detector_fit;
  detector_class->score = bw_iforest_detector_score;
  detector_class->score_row = bw_iforest_detector_score_row;
  detector_class->get_threshold = bw_iforest_detector_get_threshold;
  detector_class->save_state = bw_iforest_detector_save_state;
  detector_class->load_state = bw_iforest_detector_load_state;

  properties[PROP_N_TREES] =
    g_param_spec_uint ("n-trees", NULL, "Number of isolation trees",
                       1, 10000, 100, flags);
  properties[PROP_MAX_SAMPLES] =
    g_param_spec_uint ("max-samples", NULL,
                       "Rows drawn (without replacement) to grow each tree",
                       2, 1u << MAX_DEPTH, 256, flags);
  properties[PROP_CONTAMINATION] =
    g_param_spec_double ("contamination", NULL,
                         "Expected share of anomalies in the training rows; sets the threshold "
                         "at that quantile of their scores (0 = the paper's 0.5)",
                         0.0, 0.5, 0.0, flags);
  properties[PROP_SCORE_THRESHOLD] =
    g_param_spec_double ("score-threshold", NULL,
                         "Fixed score threshold in (0, 1); 0 = from contamination",
                         0.0, 1.0, 0.0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bw_iforest_detector_init (BwIForestDetector *self)
{
}
