/* bw-detector-ensemble.c: several pipelines voting
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-detector-ensemble"

#include "config.h"

#include <math.h>
#include <string.h>

#include "bw-anomaly-model.h"
#include "bw-classic-detectors.h"
#include "bw-error.h"

typedef enum
{
  BW_VOTE_ANY,
  BW_VOTE_MAJORITY,
  BW_VOTE_ALL,
  BW_VOTE_MEAN,
} BwVote;

struct _BwEnsembleDetector
{
  BwDetector parent_instance;

  /* parameters */
  char      *members;      /* comma-separated registry names */
  BwVote     vote;

  /* learned */
  GPtrArray *models;       /* BwAnomalyModel, one per member */
};

G_DEFINE_FINAL_TYPE (BwEnsembleDetector, bw_ensemble_detector, BW_TYPE_DETECTOR)

enum {
  PROP_0,
  PROP_MEMBERS,
  PROP_VOTE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ensembles of ensembles are fine, cycles are not */
static int nesting;

static GType
bw_vote_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type))
    {
      static const GEnumValue values[] = {
        { BW_VOTE_ANY, "BW_VOTE_ANY", "any" },
        { BW_VOTE_MAJORITY, "BW_VOTE_MAJORITY", "majority" },
        { BW_VOTE_ALL, "BW_VOTE_ALL", "all" },
        { BW_VOTE_MEAN, "BW_VOTE_MEAN", "mean" },
        { 0, NULL, NULL }
      };
      GType t = g_enum_register_static (g_intern_static_string ("BwVote"), values);

      g_once_init_leave (&type, t);
    }
  return type;
}

static gboolean
bw_ensemble_detector_fit (BwDetector       *detector,
                          const gsl_matrix *x,
                          GError          **error)
{
  BwEnsembleDetector *self = BW_ENSEMBLE_DETECTOR (detector);
  g_auto(GStrv) names = NULL;
  gboolean ok = TRUE;

  g_ptr_array_set_size (self->models, 0);
  if (self->members == NULL || self->members[0] == '\0')
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "ensemble: no members");
      return FALSE;
    }
  if (nesting > 4)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "ensemble: members nest too deep (a cycle?)");
      return FALSE;
    }

  nesting++;
  names = g_strsplit (self->members, ",", -1);
  for (guint i = 0; ok && names[i] != NULL; i++)
    {
      g_autoptr(BwAnomalyModel) model = NULL;

      g_strstrip (names[i]);
      model = bw_anomaly_model_new_for_algorithm (names[i], error);
      if (model == NULL || !bw_anomaly_model_fit (model, x, error))
        {
          g_prefix_error (error, "ensemble member “%s”: ", names[i]);
          ok = FALSE;
          break;
        }
      g_ptr_array_add (self->models, g_steal_pointer (&model));
    }
  nesting--;
  return ok;
}

static double
combine (BwEnsembleDetector *self,
         guint               votes,
         double              ratio_sum)
{
  if (self->vote == BW_VOTE_MEAN)
    return ratio_sum / self->models->len;
  return votes;
}

static double
bw_ensemble_detector_score_row (BwDetector   *detector,
                                const double *row)
{
  BwEnsembleDetector *self = (BwEnsembleDetector *) detector;
  guint votes = 0;
  double ratio_sum = 0;

  for (guint i = 0; i < self->models->len; i++)
    {
      BwAnomalyResult r;

      bw_anomaly_model_push (g_ptr_array_index (self->models, i), row, &r);
      votes += r.decision;
      if (isfinite (r.score) && r.threshold > 0)
        ratio_sum += r.score / r.threshold;
    }
  return combine (self, votes, ratio_sum);
}

static gboolean
bw_ensemble_detector_score (BwDetector       *detector,
                            const gsl_matrix *x,
                            gsl_vector       *out,
                            GError          **error)
{
  BwEnsembleDetector *self = (BwEnsembleDetector *) detector;
  gsize n = x->size1;
  g_autofree guint *votes = g_new0 (guint, n);
  g_autofree double *ratio = g_new0 (double, n);
  g_autofree guint8 *decisions = g_new (guint8, n);
  g_autoptr(gsl_vector) scores = gsl_vector_alloc (n);

  for (guint m = 0; m < self->models->len; m++)
    {
      BwAnomalyModel *model = g_ptr_array_index (self->models, m);
      double threshold = bw_anomaly_model_get_threshold (model);

      if (!bw_anomaly_model_score (model, x, scores, decisions, error))
        return FALSE;
      for (gsize i = 0; i < n; i++)
        {
          double s = gsl_vector_get (scores, i);

          votes[i] += decisions[i];
          if (isfinite (s) && threshold > 0)
            ratio[i] += s / threshold;
        }
    }
  for (gsize i = 0; i < n; i++)
    gsl_vector_set (out, i, combine (self, votes[i], ratio[i]));
  return TRUE;
}

static double
bw_ensemble_detector_get_threshold (BwDetector *detector)
{
  BwEnsembleDetector *self = BW_ENSEMBLE_DETECTOR (detector);
  double n = self->models->len;

  switch (self->vote)
    {
    case BW_VOTE_ANY:
      return 0.5;
    case BW_VOTE_MAJORITY:
      return n / 2;        /* strictly more than half the votes */
    case BW_VOTE_ALL:
      return n - 0.5;
    case BW_VOTE_MEAN:
    default:
      return 1.0;
    }
}

static void
bw_ensemble_detector_reset (BwDetector *detector)
{
  BwEnsembleDetector *self = BW_ENSEMBLE_DETECTOR (detector);

  for (guint i = 0; i < self->models->len; i++)
    bw_anomaly_model_reset (g_ptr_array_index (self->models, i));
}

static JsonNode *
bw_ensemble_detector_save_state (BwDetector *detector)
{
  BwEnsembleDetector *self = BW_ENSEMBLE_DETECTOR (detector);
  JsonArray *array = json_array_new ();
  JsonNode *node;

  for (guint i = 0; i < self->models->len; i++)
    json_array_add_element (array, bw_anomaly_model_to_json (g_ptr_array_index (self->models, i)));
  node = json_node_init_array (json_node_alloc (), array);
  json_array_unref (array);
  return node;
}

static gboolean
bw_ensemble_detector_load_state (BwDetector *detector,
                                 JsonNode   *state,
                                 GError    **error)
{
  BwEnsembleDetector *self = BW_ENSEMBLE_DETECTOR (detector);
  guint n_features = bw_detector_get_n_features (detector);
  JsonArray *array;

  g_ptr_array_set_size (self->models, 0);
  if (!JSON_NODE_HOLDS_ARRAY (state) || json_array_get_length (json_node_get_array (state)) == 0)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "ensemble: state is not a list of models");
      return FALSE;
    }
  if (nesting > 4)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "ensemble: members nest too deep");
      return FALSE;
    }
  array = json_node_get_array (state);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      BwAnomalyModel *model;

      nesting++;
      model = bw_anomaly_model_from_json (json_array_get_element (array, i), error);
      nesting--;
      if (model == NULL)
        {
          g_prefix_error (error, "ensemble member %u: ", i);
          return FALSE;
        }
      g_ptr_array_add (self->models, model);
      if (!bw_anomaly_model_is_fitted (model) || bw_anomaly_model_get_n_features (model) != n_features)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                       "ensemble member %u is not fitted on %u features", i, n_features);
          return FALSE;
        }
    }
  return TRUE;
}

static void
bw_ensemble_detector_finalize (GObject *object)
{
  BwEnsembleDetector *self = BW_ENSEMBLE_DETECTOR (object);

  g_clear_pointer (&self->models, g_ptr_array_unref);
  g_free (self->members);

  G_OBJECT_CLASS (bw_ensemble_detector_parent_class)->finalize (object);
}

static void
bw_ensemble_detector_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  BwEnsembleDetector *self = BW_ENSEMBLE_DETECTOR (object);

  switch (prop_id)
    {
    case PROP_MEMBERS:
      g_value_set_string (value, self->members);
      break;
    case PROP_VOTE:
      g_value_set_enum (value, self->vote);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bw_ensemble_detector_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  BwEnsembleDetector *self = BW_ENSEMBLE_DETECTOR (object);

  switch (prop_id)
    {
    case PROP_MEMBERS:
      g_free (self->members);
      self->members = g_value_dup_string (value);
      break;
    case PROP_VOTE:
      self->vote = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  g_object_notify_by_pspec (object, pspec);
}

static void
bw_ensemble_detector_class_init (BwEnsembleDetectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  BwDetectorClass *detector_class = BW_DETECTOR_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                      G_PARAM_STATIC_STRINGS;

  object_class->finalize = bw_ensemble_detector_finalize;
  object_class->get_property = bw_ensemble_detector_get_property;
  object_class->set_property = bw_ensemble_detector_set_property;

  detector_class->fit = bw_ensemble_detector_fit;
  detector_class->score = bw_ensemble_detector_score;
  detector_class->score_row = bw_ensemble_detector_score_row;
  detector_class->get_threshold = bw_ensemble_detector_get_threshold;
  detector_class->reset = bw_ensemble_detector_reset;
  detector_class->save_state = bw_ensemble_detector_save_state;
  detector_class->load_state = bw_ensemble_detector_load_state;

  properties[PROP_MEMBERS] =
    g_param_spec_string ("members", NULL,
                         "Registered algorithms to combine, comma-separated",
                         NULL, flags);
  properties[PROP_VOTE] =
    g_param_spec_enum ("vote", NULL,
                       "Anomalous when any, a majority or all members decide so, or when the "
                       "mean of score/threshold exceeds 1",
                       bw_vote_get_type (), BW_VOTE_ANY, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bw_ensemble_detector_init (BwEnsembleDetector *self)
{
  self->models = g_ptr_array_new_with_free_func (g_object_unref);
}
