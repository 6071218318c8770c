/* bw-anomaly-model.c: a fitted anomaly detector with everything around it
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-anomaly-model"

#include "config.h"

#include <math.h>
#include <string.h>

#include "bw-anomaly-model.h"
#include "bw-detector-registry.h"
#include "bw-error.h"
#include "bw-rolling.h"
#include "bw-time.h"

typedef enum
{
  SCALER_NONE,
  SCALER_STANDARD,
} ScalerKind;

struct _BwAnomalyModel
{
  GObject parent_instance;

  char        *algorithm;
  char       **features;         /* NULL-terminated, n_features */
  guint        n_features;
  char        *training_source;
  gint64       period_us;
  guint        training_rows;
  char        *created;

  JsonNode    *columns_spec;     /* configured "columns" (names or indices), or NULL */
  guint       *sel;              /* the columns the detector sees, when fitted */
  guint        n_sel;

  ScalerKind   scaler;
  double      *mean;             /* n_sel, when fitted */
  double      *scale;

  BwDetector  *detector;         /* owned */

  BwFilterSpec score_filter;
  BwFilterSpec decision_filter;
  BwFilterSpec changepoint_filter;
  double       threshold_scale;
  double       threshold;        /* absolute; NAN = detector × scale */
  BwAlarmSpec  alarm;

  /* streaming */
  BwRolling    score_roll;
  BwRolling    decision_roll;
  double      *scaled;           /* n_sel scratch */
};

G_DEFINE_FINAL_TYPE (BwAnomalyModel, bw_anomaly_model, G_TYPE_OBJECT)

static const char *filter_names[] = { "none", "mean", "median", "max" };

static void
bw_anomaly_model_finalize (GObject *object)
{
  BwAnomalyModel *self = BW_ANOMALY_MODEL (object);

  g_free (self->algorithm);
  g_strfreev (self->features);
  g_free (self->training_source);
  g_free (self->created);
  g_free (self->mean);
  g_free (self->scale);
  g_free (self->scaled);
  g_free (self->sel);
  g_clear_pointer (&self->columns_spec, json_node_unref);
  g_clear_object (&self->detector);
  bw_rolling_destroy (&self->score_roll);
  bw_rolling_destroy (&self->decision_roll);

  G_OBJECT_CLASS (bw_anomaly_model_parent_class)->finalize (object);
}

static void
bw_anomaly_model_class_init (BwAnomalyModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bw_anomaly_model_finalize;
}

static void
bw_anomaly_model_init (BwAnomalyModel *self)
{
  self->scaler = SCALER_STANDARD;
  self->threshold_scale = 1.0;
  self->threshold = NAN;
  self->alarm.hold_s = 10.0;
  self->alarm.release_s = 30.0;
  self->alarm.clear_ratio = 0.8;
}

/* Filters ---------------------------------------------------------------- */

static gboolean
filter_active (const BwFilterSpec *spec)
{
  return spec->kind != BW_FILTER_NONE && spec->window > 1;
}

static BwRollingKind
rolling_kind (BwFilterKind kind)
{
  switch (kind)
    {
    case BW_FILTER_MEAN:
      return BW_ROLLING_MEAN;
    case BW_FILTER_MEDIAN:
      return BW_ROLLING_MEDIAN;
    case BW_FILTER_MAX:
    case BW_FILTER_NONE:
    default:
      return BW_ROLLING_MAX;
    }
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

void
bw_filter_apply (const BwFilterSpec *spec,
                 const double       *in,
                 double             *out,
                 gsize               n)
{
  g_return_if_fail (spec != NULL);

  if (!filter_active (spec))
    {
      if (out != in)
        memcpy (out, in, n * sizeof (double));
      return;
    }

  if (!spec->centered)
    {
      BwRolling r = { 0 };

      bw_rolling_init (&r, rolling_kind (spec->kind), spec->window);
      for (gsize i = 0; i < n; i++)
        out[i] = bw_rolling_push (&r, in[i]);
      bw_rolling_destroy (&r);
      return;
    }

  /* Centered: rows t − w/2 … t + w − w/2 − 1, NANs skipped, partial at the
   * edges (MATLAB's movmean with nanflag "omitnan", as SKAB's MSET uses). */
  {
    gsize w = spec->window, before = w / 2, after = w - w / 2 - 1;
    g_autofree double *tmp = g_new (double, n);
    g_autofree double *win = g_new (double, w);

    for (gsize t = 0; t < n; t++)
      {
        gsize lo = t >= before ? t - before : 0;
        gsize hi = MIN (n - 1, t + after);
        gsize m = 0;

        for (gsize i = lo; i <= hi; i++)
          if (!isnan (in[i]))
            win[m++] = in[i];
        if (m == 0)
          {
            tmp[t] = NAN;
            continue;
          }
        switch (spec->kind)
          {
          case BW_FILTER_MEAN:
            {
              double s = 0;

              for (gsize i = 0; i < m; i++)
                s += win[i];
              tmp[t] = s / m;
            }
            break;
          case BW_FILTER_MEDIAN:
            qsort (win, m, sizeof (double), compare_doubles);
            tmp[t] = m % 2 ? win[m / 2] : 0.5 * (win[m / 2 - 1] + win[m / 2]);
            break;
          case BW_FILTER_MAX:
          case BW_FILTER_NONE:
          default:
            {
              double mx = win[0];

              for (gsize i = 1; i < m; i++)
                mx = MAX (mx, win[i]);
              tmp[t] = mx;
            }
            break;
          }
      }
    memcpy (out, tmp, n * sizeof (double));
  }
}

gboolean
bw_filter_spec_from_json (JsonNode     *node,
                          BwFilterSpec *out,
                          GError      **error)
{
  JsonObject *obj;
  const char *kind;
  gint64 window;
  guint i;

  memset (out, 0, sizeof *out);
  out->window = 1;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "a filter is an object {kind, window, centered}");
      return FALSE;
    }
  obj = json_node_get_object (node);
  kind = json_object_get_string_member_with_default (obj, "kind", "none");
  for (i = 0; i < G_N_ELEMENTS (filter_names); i++)
    if (g_str_equal (kind, filter_names[i]))
      break;
  if (i == G_N_ELEMENTS (filter_names))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   "unknown filter kind “%s” (none, mean, median, max)", kind);
      return FALSE;
    }
  window = json_object_get_int_member_with_default (obj, "window", 1);
  /* a filter that is off is saved with window 0 */
  if (window < (i == BW_FILTER_NONE ? 0 : 1) || window > 100000)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "filter window must be 1–100000 rows");
      return FALSE;
    }
  out->kind = (BwFilterKind) i;
  out->window = (guint) window;
  out->centered = json_object_get_boolean_member_with_default (obj, "centered", FALSE);
  return TRUE;
}

JsonNode *
bw_filter_spec_to_json (const BwFilterSpec *spec)
{
  JsonObject *obj = json_object_new ();
  JsonNode *node;

  json_object_set_string_member (obj, "kind", filter_names[spec->kind]);
  json_object_set_int_member (obj, "window", MAX (spec->window, 1));
  json_object_set_boolean_member (obj, "centered", spec->centered);
  node = json_node_init_object (json_node_alloc (), obj);
  json_object_unref (obj);
  return node;
}

/* Construction ----------------------------------------------------------- */

static void
setup_stream (BwAnomalyModel *self)
{
  if (filter_active (&self->score_filter))
    bw_rolling_init (&self->score_roll, rolling_kind (self->score_filter.kind),
                     self->score_filter.window);
  else
    bw_rolling_destroy (&self->score_roll);
  if (filter_active (&self->decision_filter))
    bw_rolling_init (&self->decision_roll, rolling_kind (self->decision_filter.kind),
                     self->decision_filter.window);
  else
    bw_rolling_destroy (&self->decision_roll);
}

static gboolean
get_number (JsonObject *obj,
            const char *name,
            double     *out,
            GError    **error)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL)
    return TRUE;
  if (JSON_NODE_HOLDS_NULL (node))
    {
      *out = NAN;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) ||
      (json_node_get_value_type (node) != G_TYPE_DOUBLE &&
       json_node_get_value_type (node) != G_TYPE_INT64) ||
      !isfinite (json_node_get_double (node)))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "“%s” must be a number", name);
      return FALSE;
    }
  *out = json_node_get_double (node);
  return TRUE;
}

static gboolean
parse_alarm (JsonNode    *node,
             BwAlarmSpec *alarm,
             GError     **error)
{
  JsonObject *obj;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "“alarm” must be an object");
      return FALSE;
    }
  obj = json_node_get_object (node);
  if (!get_number (obj, "hold-s", &alarm->hold_s, error) ||
      !get_number (obj, "release-s", &alarm->release_s, error) ||
      !get_number (obj, "clear-ratio", &alarm->clear_ratio, error))
    return FALSE;
  if (!(alarm->hold_s >= 0) || !(alarm->release_s >= 0) ||
      !(alarm->clear_ratio > 0 && alarm->clear_ratio <= 1))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   "alarm: hold-s and release-s must be ≥ 0 and clear-ratio in (0, 1]");
      return FALSE;
    }
  return TRUE;
}

/* The pipeline settings shared by registry configs and model files */
static gboolean
apply_config (BwAnomalyModel *self,
              JsonObject     *config,
              gboolean        model_file,
              GError        **error)
{
  static const char *known[] = {
    "detector", "columns", "scaler", "score-filter", "threshold-scale", "threshold",
    "decision-filter", "changepoint-filter", "alarm", "description",
  };
  g_autoptr(GList) members = NULL;
  JsonNode *scaler;

  if (config == NULL)
    return TRUE;

  if (!model_file)
    {
      members = json_object_get_members (config);
      for (GList *l = members; l != NULL; l = l->next)
        {
          gboolean ok = FALSE;

          for (guint i = 0; i < G_N_ELEMENTS (known); i++)
            ok |= g_str_equal (l->data, known[i]);
          if (!ok)
            {
              g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                           "unknown configuration member “%s”", (const char *) l->data);
              return FALSE;
            }
        }
    }

  if (json_object_has_member (config, "columns"))
    {
      JsonNode *cols = json_object_get_member (config, "columns");

      if (!JSON_NODE_HOLDS_ARRAY (cols) || json_array_get_length (json_node_get_array (cols)) == 0)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                       "“columns” must be a list of feature names or indices");
          return FALSE;
        }
      for (guint i = 0; i < json_array_get_length (json_node_get_array (cols)); i++)
        {
          JsonNode *e = json_array_get_element (json_node_get_array (cols), i);
          GType t = JSON_NODE_HOLDS_VALUE (e) ? json_node_get_value_type (e) : G_TYPE_INVALID;

          if (t != G_TYPE_STRING && !(t == G_TYPE_INT64 && json_node_get_int (e) >= 0))
            {
              g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                           "“columns” must be a list of feature names or indices");
              return FALSE;
            }
        }
      g_clear_pointer (&self->columns_spec, json_node_unref);
      self->columns_spec = json_node_copy (cols);
    }

  scaler = json_object_get_member (config, "scaler");
  if (scaler != NULL)
    {
      const char *kind = NULL;

      if (JSON_NODE_HOLDS_VALUE (scaler) && json_node_get_value_type (scaler) == G_TYPE_STRING)
        kind = json_node_get_string (scaler);
      else if (JSON_NODE_HOLDS_OBJECT (scaler))
        kind = json_object_get_string_member_with_default (json_node_get_object (scaler), "kind", NULL);
      if (g_strcmp0 (kind, "standard") == 0)
        self->scaler = SCALER_STANDARD;
      else if (g_strcmp0 (kind, "none") == 0)
        self->scaler = SCALER_NONE;
      else
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "scaler must be “standard” or “none”");
          return FALSE;
        }
    }

  if (!bw_filter_spec_from_json (json_object_get_member (config, "score-filter"),
                                 &self->score_filter, error) ||
      !bw_filter_spec_from_json (json_object_get_member (config, "decision-filter"),
                                 &self->decision_filter, error) ||
      !bw_filter_spec_from_json (json_object_get_member (config, "changepoint-filter"),
                                 &self->changepoint_filter, error))
    return FALSE;
  if (self->decision_filter.centered)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "the decision filter cannot be centered");
      return FALSE;
    }

  if (!get_number (config, "threshold-scale", &self->threshold_scale, error) ||
      !get_number (config, "threshold", &self->threshold, error))
    return FALSE;
  if (!(self->threshold_scale > 0))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "threshold-scale must be > 0");
      return FALSE;
    }
  if (!parse_alarm (json_object_get_member (config, "alarm"), &self->alarm, error))
    return FALSE;

  setup_stream (self);
  return TRUE;
}

BwAnomalyModel *
bw_anomaly_model_new (BwDetector *detector,
                      JsonObject *config,
                      GError    **error)
{
  g_autoptr(BwAnomalyModel) self = NULL;

  g_return_val_if_fail (BW_IS_DETECTOR (detector), NULL);

  self = g_object_new (BW_TYPE_ANOMALY_MODEL, NULL);
  self->detector = detector;
  if (!apply_config (self, config, FALSE, error))
    return NULL;
  return g_steal_pointer (&self);
}

BwAnomalyModel *
bw_anomaly_model_new_for_algorithm (const char *algorithm,
                                    GError    **error)
{
  return bw_anomaly_model_new_for_algorithm_full (algorithm, NULL, error);
}

static void
merge_config (JsonObject *config,
              JsonObject *overrides)
{
  g_autoptr(GList) members = json_object_get_members (overrides);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *value = json_object_get_member (overrides, name);
      JsonNode *old = json_object_get_member (config, name);

      if (g_str_equal (name, "detector") && old != NULL &&
          JSON_NODE_HOLDS_OBJECT (old) && JSON_NODE_HOLDS_OBJECT (value))
        {
          g_autoptr(GList) params = json_object_get_members (json_node_get_object (value));

          for (GList *p = params; p != NULL; p = p->next)
            json_object_set_member (json_node_get_object (old), p->data,
                                    json_node_copy (json_object_get_member (json_node_get_object (value), p->data)));
        }
      else
        json_object_set_member (config, name, json_node_copy (value));
    }
}

BwAnomalyModel *
bw_anomaly_model_new_for_algorithm_full (const char *algorithm,
                                         JsonObject *overrides,
                                         GError    **error)
{
  const BwDetectorEntry *entry;
  g_autoptr(JsonObject) config = NULL;
  g_autoptr(BwDetector) detector = NULL;
  BwAnomalyModel *self;
  JsonNode *dparams;

  g_return_val_if_fail (algorithm != NULL, NULL);

  entry = bw_detector_registry_lookup (algorithm);
  if (entry == NULL)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_NOT_FOUND,
                   "unknown algorithm “%s” (see `beltwatch-ml skab --list`)", algorithm);
      return NULL;
    }
  config = bw_detector_entry_parse_config (entry, error);
  if (config == NULL)
    return NULL;
  if (overrides != NULL)
    merge_config (config, overrides);

  detector = g_object_new (entry->get_type (), NULL);
  dparams = json_object_get_member (config, "detector");
  if (dparams != NULL)
    {
      if (!JSON_NODE_HOLDS_OBJECT (dparams))
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                       "configuration of “%s”: detector must be an object", algorithm);
          return NULL;
        }
      if (!bw_detector_set_params (detector, json_node_get_object (dparams), error))
        {
          g_prefix_error (error, "configuration of “%s”: ", algorithm);
          return NULL;
        }
    }

  self = bw_anomaly_model_new (g_steal_pointer (&detector), config, error);
  if (self == NULL)
    {
      g_prefix_error (error, "configuration of “%s”: ", algorithm);
      return NULL;
    }
  self->algorithm = g_strdup (algorithm);
  return self;
}

/* Accessors ---------------------------------------------------------------- */

gboolean
bw_anomaly_model_set_features (BwAnomalyModel     *self,
                               const char * const *names,
                               GError            **error)
{
  guint n;

  g_return_val_if_fail (BW_IS_ANOMALY_MODEL (self), FALSE);
  g_return_val_if_fail (names != NULL, FALSE);

  n = g_strv_length ((char **) names);
  if (n == 0)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "a model needs at least one feature");
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < i; j++)
      if (g_str_equal (names[i], names[j]))
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "feature “%s” is listed twice", names[i]);
          return FALSE;
        }
  if (bw_anomaly_model_is_fitted (self) && n != self->n_features)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_CONFLICT,
                   "the model was fitted on %u features, not %u", self->n_features, n);
      return FALSE;
    }
  g_strfreev (self->features);
  self->features = g_strdupv ((char **) names);
  self->n_features = n;
  return TRUE;
}

const char * const *
bw_anomaly_model_get_features (BwAnomalyModel *self)
{
  g_return_val_if_fail (BW_IS_ANOMALY_MODEL (self), NULL);

  return (const char * const *) self->features;
}

guint
bw_anomaly_model_get_n_features (BwAnomalyModel *self)
{
  g_return_val_if_fail (BW_IS_ANOMALY_MODEL (self), 0);

  return self->n_features;
}

const char *
bw_anomaly_model_get_algorithm (BwAnomalyModel *self)
{
  g_return_val_if_fail (BW_IS_ANOMALY_MODEL (self), NULL);

  return self->algorithm;
}

BwDetector *
bw_anomaly_model_get_detector (BwAnomalyModel *self)
{
  g_return_val_if_fail (BW_IS_ANOMALY_MODEL (self), NULL);

  return self->detector;
}

gboolean
bw_anomaly_model_is_fitted (BwAnomalyModel *self)
{
  g_return_val_if_fail (BW_IS_ANOMALY_MODEL (self), FALSE);

  return bw_detector_is_fitted (self->detector) && self->mean != NULL;
}

double
bw_anomaly_model_get_threshold (BwAnomalyModel *self)
{
  g_return_val_if_fail (BW_IS_ANOMALY_MODEL (self), NAN);

  if (isfinite (self->threshold))
    return self->threshold;
  return bw_detector_get_threshold (self->detector) * self->threshold_scale;
}

void
bw_anomaly_model_get_alarm (BwAnomalyModel *self,
                            BwAlarmSpec    *out)
{
  g_return_if_fail (BW_IS_ANOMALY_MODEL (self));

  *out = self->alarm;
}

void
bw_anomaly_model_set_alarm (BwAnomalyModel    *self,
                            const BwAlarmSpec *alarm)
{
  g_return_if_fail (BW_IS_ANOMALY_MODEL (self));
  g_return_if_fail (alarm->hold_s >= 0 && alarm->release_s >= 0);
  g_return_if_fail (alarm->clear_ratio > 0 && alarm->clear_ratio <= 1);

  self->alarm = *alarm;
}

void
bw_anomaly_model_get_changepoint_filter (BwAnomalyModel *self,
                                         BwFilterSpec   *out)
{
  g_return_if_fail (BW_IS_ANOMALY_MODEL (self));

  *out = self->changepoint_filter;
}

void
bw_anomaly_model_set_period_us (BwAnomalyModel *self,
                                gint64          period_us)
{
  g_return_if_fail (BW_IS_ANOMALY_MODEL (self));
  g_return_if_fail (period_us > 0);
  self->period_us = period_us;
}

gint64
bw_anomaly_model_get_period_us (BwAnomalyModel *self)
{
  g_return_val_if_fail (BW_IS_ANOMALY_MODEL (self), 100000);
  return self->period_us > 0 ? self->period_us : 100000;
}

void
bw_anomaly_model_set_training_source (BwAnomalyModel *self,
                                      const char     *source)
{
  g_return_if_fail (BW_IS_ANOMALY_MODEL (self));

  g_free (self->training_source);
  self->training_source = g_strdup (source);
}

/* Fitting and scoring ------------------------------------------------------ */

/* The columns the detector sees, from "columns" or all @p of them */
static guint *
resolve_columns (BwAnomalyModel *self,
                 guint           p,
                 guint          *n_out,
                 GError        **error)
{
  g_autofree guint *sel = NULL;
  JsonArray *cols;
  guint n;

  if (self->columns_spec == NULL)
    {
      sel = g_new (guint, p);
      for (guint j = 0; j < p; j++)
        sel[j] = j;
      *n_out = p;
      return g_steal_pointer (&sel);
    }

  cols = json_node_get_array (self->columns_spec);
  n = json_array_get_length (cols);
  sel = g_new (guint, n);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *e = json_array_get_element (cols, i);

      if (json_node_get_value_type (e) == G_TYPE_INT64)
        {
          if (json_node_get_int (e) >= p)
            {
              g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                           "column %" G_GINT64_FORMAT " does not exist (%u features)",
                           json_node_get_int (e), p);
              return NULL;
            }
          sel[i] = json_node_get_int (e);
        }
      else
        {
          const char *name = json_node_get_string (e);
          guint j;

          for (j = 0; self->features != NULL && j < self->n_features; j++)
            if (g_str_equal (self->features[j], name))
              break;
          if (self->features == NULL || j == self->n_features)
            {
              g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                           "the model has no feature “%s”", name);
              return NULL;
            }
          sel[i] = j;
        }
      for (guint k = 0; k < i; k++)
        if (sel[k] == sel[i])
          {
            g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "a column is selected twice");
            return NULL;
          }
    }
  *n_out = n;
  return g_steal_pointer (&sel);
}

gboolean
bw_anomaly_model_fit (BwAnomalyModel   *self,
                      const gsl_matrix *raw,
                      GError          **error)
{
  g_autoptr(gsl_matrix) scaled = NULL;
  g_autofree double *mean = NULL;
  g_autofree double *scale = NULL;
  g_autofree guint *sel = NULL;
  gsize n, p;
  guint q;
  char buf[BW_TIME_FORMAT_LEN];

  g_return_val_if_fail (BW_IS_ANOMALY_MODEL (self), FALSE);
  g_return_val_if_fail (raw != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  n = raw->size1;
  p = raw->size2;
  if (self->features != NULL && p != self->n_features)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   "training rows have %" G_GSIZE_FORMAT " columns for %u features",
                   p, self->n_features);
      return FALSE;
    }
  if (n < 2 || p < 1)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "too few training rows");
      return FALSE;
    }

  sel = resolve_columns (self, p, &q, error);
  if (sel == NULL)
    return FALSE;

  /* the selected columns, checked, then scaled */
  scaled = gsl_matrix_alloc (n, q);
  for (gsize i = 0; i < n; i++)
    {
      const double *row = raw->data + i * raw->tda;
      double *dst = scaled->data + i * scaled->tda;

      for (gsize j = 0; j < q; j++)
        {
          if (!isfinite (row[sel[j]]))
            {
              g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                           "training row %" G_GSIZE_FORMAT ", column %u"
                           " is not a finite number", i, sel[j]);
              return FALSE;
            }
          dst[j] = row[sel[j]];
        }
    }

  mean = g_new0 (double, q);
  scale = g_new0 (double, q);
  if (self->scaler == SCALER_STANDARD)
    {
      for (gsize i = 0; i < n; i++)
        for (gsize j = 0; j < q; j++)
          mean[j] += scaled->data[i * scaled->tda + j];
      for (gsize j = 0; j < q; j++)
        mean[j] /= n;
      for (gsize i = 0; i < n; i++)
        for (gsize j = 0; j < q; j++)
          {
            double d = scaled->data[i * scaled->tda + j] - mean[j];

            scale[j] += d * d;
          }
      for (gsize j = 0; j < q; j++)
        {
          /* population standard deviation; 1 for a constant column */
          scale[j] = sqrt (scale[j] / n);
          if (!(scale[j] > 0) || scale[j] < 1e-12 * MAX (fabs (mean[j]), 1e-300))
            scale[j] = 1;
        }
      for (gsize i = 0; i < n; i++)
        for (gsize j = 0; j < q; j++)
          {
            double *v = scaled->data + i * scaled->tda + j;

            *v = (*v - mean[j]) / scale[j];
          }
    }
  else
    for (gsize j = 0; j < q; j++)
      scale[j] = 1;

  if (!bw_detector_fit (self->detector, scaled, error))
    return FALSE;

  if (self->features == NULL)
    {
      self->features = g_new0 (char *, p + 1);
      for (gsize j = 0; j < p; j++)
        self->features[j] = g_strdup_printf ("x%" G_GSIZE_FORMAT, j + 1);
      self->n_features = p;
    }
  g_free (self->mean);
  g_free (self->scale);
  g_free (self->scaled);
  g_free (self->sel);
  self->mean = g_steal_pointer (&mean);
  self->scale = g_steal_pointer (&scale);
  self->sel = g_steal_pointer (&sel);
  self->n_sel = q;
  self->scaled = g_new (double, q);
  self->training_rows = n;
  g_free (self->created);
  self->created = g_strdup (bw_time_format (bw_time_now (), buf));
  bw_anomaly_model_reset (self);
  return TRUE;
}

void
bw_anomaly_model_reset (BwAnomalyModel *self)
{
  g_return_if_fail (BW_IS_ANOMALY_MODEL (self));

  bw_detector_reset (self->detector);
  if (self->score_roll.buf != NULL)
    bw_rolling_clear (&self->score_roll);
  if (self->decision_roll.buf != NULL)
    bw_rolling_clear (&self->decision_roll);
}

static inline gboolean
decide (BwAnomalyModel *self,
        double          score,
        double          threshold)
{
  gboolean d = isfinite (score) && score > threshold;

  if (self->decision_roll.buf != NULL)
    {
      double v = bw_rolling_push (&self->decision_roll, d ? 1.0 : 0.0);

      d = isfinite (v) && v > 0.5;
    }
  return d;
}

static inline double
smooth (BwAnomalyModel *self,
        double          raw)
{
  if (self->score_roll.buf != NULL)
    return bw_rolling_push (&self->score_roll, raw);
  return raw;
}

void
bw_anomaly_model_push (BwAnomalyModel  *self,
                       const double    *raw_row,
                       BwAnomalyResult *out)
{
  double raw;

  g_return_if_fail (BW_IS_ANOMALY_MODEL (self));
  g_return_if_fail (raw_row != NULL && out != NULL);

  out->threshold = bw_anomaly_model_get_threshold (self);
  if (!bw_anomaly_model_is_fitted (self))
    {
      out->raw_score = out->score = NAN;
      out->decision = FALSE;
      return;
    }

  for (guint j = 0; j < self->n_sel; j++)
    self->scaled[j] = (raw_row[self->sel[j]] - self->mean[j]) / self->scale[j];
  raw = bw_detector_score_row (self->detector, self->scaled);
  out->raw_score = raw;
  out->score = smooth (self, raw);
  out->decision = decide (self, out->score, out->threshold);
}

gboolean
bw_anomaly_model_score (BwAnomalyModel   *self,
                        const gsl_matrix *raw,
                        gsl_vector       *scores,
                        guint8           *decisions,
                        GError          **error)
{
  g_autoptr(gsl_matrix) scaled = NULL;
  g_autoptr(gsl_vector) rs = NULL;
  gsize n;
  double threshold;

  g_return_val_if_fail (BW_IS_ANOMALY_MODEL (self), FALSE);
  g_return_val_if_fail (raw != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!bw_anomaly_model_is_fitted (self))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_CONFLICT, "the model is not fitted");
      return FALSE;
    }
  n = raw->size1;
  if (raw->size2 != self->n_features)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   "rows have %" G_GSIZE_FORMAT " columns for %u features",
                   raw->size2, self->n_features);
      return FALSE;
    }
  if (scores != NULL && scores->size != n)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "score vector has the wrong length");
      return FALSE;
    }
  bw_anomaly_model_reset (self);
  if (n == 0)
    return TRUE;

  scaled = gsl_matrix_alloc (n, self->n_sel);
  for (gsize i = 0; i < n; i++)
    {
      const double *src = raw->data + i * raw->tda;
      double *dst = scaled->data + i * scaled->tda;

      for (guint j = 0; j < self->n_sel; j++)
        dst[j] = (src[self->sel[j]] - self->mean[j]) / self->scale[j];
    }
  rs = gsl_vector_alloc (n);
  if (!bw_detector_score (self->detector, scaled, rs, error))
    return FALSE;

  threshold = bw_anomaly_model_get_threshold (self);
  if (self->score_filter.centered && filter_active (&self->score_filter))
    {
      bw_filter_apply (&self->score_filter, rs->data, rs->data, n);
      for (gsize i = 0; i < n; i++)
        {
          gboolean d = decide (self, rs->data[i], threshold);

          if (decisions != NULL)
            decisions[i] = d;
        }
    }
  else
    for (gsize i = 0; i < n; i++)
      {
        double s = smooth (self, rs->data[i]);
        gboolean d = decide (self, s, threshold);

        rs->data[i] = s;
        if (decisions != NULL)
          decisions[i] = d;
      }

  if (scores != NULL)
    gsl_vector_memcpy (scores, rs);
  return TRUE;
}

double
bw_anomaly_result_alarm_score (const BwAnomalyResult *r)
{
  g_return_val_if_fail (r != NULL, NAN);

  if (!isfinite (r->threshold))
    return NAN;
  if (r->decision)
    {
      /* above the threshold, however the decision filter got there */
      double above = r->threshold + MAX (fabs (r->threshold), 1.0) * 1e-9;

      return isfinite (r->score) ? MAX (r->score, above) : above;
    }
  return isfinite (r->score) ? MIN (r->score, r->threshold) : NAN;
}

/* Model files ------------------------------------------------------------------ */

JsonNode *
bw_anomaly_model_to_json (BwAnomalyModel *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (BW_IS_ANOMALY_MODEL (self), NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, BW_ANOMALY_MODEL_FORMAT);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, BW_ANOMALY_MODEL_VERSION);
  json_builder_set_member_name (b, "algorithm");
  if (self->algorithm)
    json_builder_add_string_value (b, self->algorithm);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "created");
  if (self->created)
    json_builder_add_string_value (b, self->created);
  else
    json_builder_add_null_value (b);

  json_builder_set_member_name (b, "features");
  json_builder_begin_array (b);
  for (guint j = 0; j < self->n_features; j++)
    json_builder_add_string_value (b, self->features[j]);
  json_builder_end_array (b);

  if (self->sel != NULL)
    {
      /* the detector's columns, by name */
      json_builder_set_member_name (b, "columns");
      json_builder_begin_array (b);
      for (guint j = 0; j < self->n_sel; j++)
        json_builder_add_string_value (b, self->features[self->sel[j]]);
      json_builder_end_array (b);
    }
  else if (self->columns_spec != NULL)
    {
      json_builder_set_member_name (b, "columns");
      json_builder_add_value (b, json_node_copy (self->columns_spec));
    }

  json_builder_set_member_name (b, "scaler");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, self->scaler == SCALER_STANDARD ? "standard" : "none");
  if (self->mean != NULL)
    {
      json_builder_set_member_name (b, "mean");
      json_builder_add_value (b, bw_json_from_doubles (self->mean, self->n_sel));
      json_builder_set_member_name (b, "scale");
      json_builder_add_value (b, bw_json_from_doubles (self->scale, self->n_sel));
    }
  json_builder_end_object (b);

  json_builder_set_member_name (b, "detector");
  json_builder_add_value (b, bw_detector_save (self->detector));

  json_builder_set_member_name (b, "score-filter");
  json_builder_add_value (b, bw_filter_spec_to_json (&self->score_filter));
  json_builder_set_member_name (b, "threshold-scale");
  json_builder_add_double_value (b, self->threshold_scale);
  json_builder_set_member_name (b, "threshold");
  if (isfinite (self->threshold))
    json_builder_add_double_value (b, self->threshold);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "decision-filter");
  json_builder_add_value (b, bw_filter_spec_to_json (&self->decision_filter));
  json_builder_set_member_name (b, "changepoint-filter");
  json_builder_add_value (b, bw_filter_spec_to_json (&self->changepoint_filter));

  json_builder_set_member_name (b, "alarm");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "hold-s");
  json_builder_add_double_value (b, self->alarm.hold_s);
  json_builder_set_member_name (b, "release-s");
  json_builder_add_double_value (b, self->alarm.release_s);
  json_builder_set_member_name (b, "clear-ratio");
  json_builder_add_double_value (b, self->alarm.clear_ratio);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "training");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "rows");
  json_builder_add_int_value (b, self->training_rows);
  json_builder_set_member_name (b, "source");
  if (self->training_source)
    json_builder_add_string_value (b, self->training_source);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "period-ms");
  json_builder_add_double_value (b, bw_anomaly_model_get_period_us (self) / 1000.0);
  json_builder_end_object (b);

  json_builder_end_object (b);
  return json_builder_get_root (b);
}

BwAnomalyModel *
bw_anomaly_model_from_json (JsonNode *node,
                            GError  **error)
{
  g_autoptr(BwAnomalyModel) self = NULL;
  g_autoptr(GPtrArray) names = NULL;
  JsonObject *obj, *scaler;
  JsonNode *features, *dnode, *snode, *training;
  const char *format;
  gint64 version;

  g_return_val_if_fail (node != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "a model file is a JSON object");
      return NULL;
    }
  obj = json_node_get_object (node);
  format = json_object_get_string_member_with_default (obj, "format", NULL);
  if (g_strcmp0 (format, BW_ANOMALY_MODEL_FORMAT) != 0)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "not a Beltwatch anomaly model");
      return NULL;
    }
  version = json_object_get_int_member_with_default (obj, "version", 0);
  if (version != BW_ANOMALY_MODEL_VERSION)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_UNSUPPORTED,
                   "model file version %" G_GINT64_FORMAT " is not supported (this is version %d)",
                   version, BW_ANOMALY_MODEL_VERSION);
      return NULL;
    }

  dnode = json_object_get_member (obj, "detector");
  if (dnode == NULL)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "model file has no detector");
      return NULL;
    }
  self = g_object_new (BW_TYPE_ANOMALY_MODEL, NULL);
  self->detector = bw_detector_load (dnode, error);
  if (self->detector == NULL)
    return NULL;

  if (!apply_config (self, obj, TRUE, error))
    return NULL;
  self->algorithm = g_strdup (json_object_get_string_member_with_default (obj, "algorithm", NULL));
  self->created = g_strdup (json_object_get_string_member_with_default (obj, "created", NULL));

  features = json_object_get_member (obj, "features");
  if (features == NULL || !JSON_NODE_HOLDS_ARRAY (features))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "model file has no feature list");
      return NULL;
    }
  names = g_ptr_array_new ();
  for (guint i = 0; i < json_array_get_length (json_node_get_array (features)); i++)
    {
      JsonNode *e = json_array_get_element (json_node_get_array (features), i);

      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "feature names must be strings");
          return NULL;
        }
      g_ptr_array_add (names, (gpointer) json_node_get_string (e));
    }
  g_ptr_array_add (names, NULL);
  if (!bw_anomaly_model_set_features (self, (const char * const *) names->pdata, error))
    return NULL;

  if (bw_detector_is_fitted (self->detector))
    {
      guint q = self->n_features;

      self->sel = resolve_columns (self, self->n_features, &q, error);
      if (self->sel == NULL)
        return NULL;
      self->n_sel = q;
      if (bw_detector_get_n_features (self->detector) != q)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                       "the detector has %u features, the model selects %u",
                       bw_detector_get_n_features (self->detector), q);
          return NULL;
        }
      snode = json_object_get_member (obj, "scaler");
      if (snode == NULL || !JSON_NODE_HOLDS_OBJECT (snode))
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "model file has no scaler");
          return NULL;
        }
      scaler = json_node_get_object (snode);
      self->mean = g_new (double, q);
      self->scale = g_new (double, q);
      if (!bw_json_to_doubles (json_object_get_member (scaler, "mean"), self->mean, q, error) ||
          !bw_json_to_doubles (json_object_get_member (scaler, "scale"), self->scale, q, error))
        {
          g_prefix_error (error, "scaler: ");
          return NULL;
        }
      for (guint j = 0; j < q; j++)
        if (!isfinite (self->mean[j]) || !(self->scale[j] > 0) || !isfinite (self->scale[j]))
          {
            g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "scaler: bad values");
            return NULL;
          }
      self->scaled = g_new (double, q);
    }

  training = json_object_get_member (obj, "training");
  if (training != NULL && JSON_NODE_HOLDS_OBJECT (training))
    {
      JsonObject *t = json_node_get_object (training);

      self->training_rows = (guint) CLAMP (json_object_get_int_member_with_default (t, "rows", 0), 0, G_MAXUINT);
      self->training_source = g_strdup (json_object_get_string_member_with_default (t, "source", NULL));
      {
        double ms = json_object_get_double_member_with_default (t, "period-ms", 100);
        if (ms >= 1 && ms <= 3600000)
          self->period_us = (gint64) llround (ms * 1000);
      }
    }

  bw_anomaly_model_reset (self);
  return g_steal_pointer (&self);
}

gboolean
bw_anomaly_model_save (BwAnomalyModel *self,
                       const char     *path,
                       GError        **error)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  gsize len;

  g_return_val_if_fail (BW_IS_ANOMALY_MODEL (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  root = bw_anomaly_model_to_json (self);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, &len);
  return g_file_set_contents (path, text, len, error);
}

BwAnomalyModel *
bw_anomaly_model_load (const char *path,
                       GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  BwAnomalyModel *self;

  g_return_val_if_fail (path != NULL, NULL);

  if (!json_parser_load_from_file (parser, path, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "%s: empty file", path);
      return NULL;
    }
  self = bw_anomaly_model_from_json (json_parser_get_root (parser), error);
  if (self == NULL)
    g_prefix_error (error, "%s: ", path);
  return self;
}
