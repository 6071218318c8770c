/* bw-detector.c: the anomaly-detector base class
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-detector"

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>

#include "bw-detector.h"
#include "bw-detector-registry.h"
#include "bw-error.h"

typedef struct
{
  guint64  seed;
  GRand   *rand;      /* owned; made on first use after each (re)seed */
  guint    n_features;
  gboolean fitted;
} BwDetectorPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (BwDetector, bw_detector, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SEED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
reseed (BwDetector *self)
{
  BwDetectorPrivate *priv = bw_detector_get_instance_private (self);

  /* seeding a Mersenne Twister is not free: do it when it is used */
  g_clear_pointer (&priv->rand, g_rand_free);
}

static gboolean
bw_detector_real_score (BwDetector       *self,
                        const gsl_matrix *x,
                        gsl_vector       *out,
                        GError          **error)
{
  BwDetectorClass *klass = BW_DETECTOR_GET_CLASS (self);

  if (klass->score_row == NULL)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_UNSUPPORTED,
                   "%s implements neither score() nor score_row()",
                   G_OBJECT_TYPE_NAME (self));
      return FALSE;
    }
  bw_detector_reset (self);
  for (gsize i = 0; i < x->size1; i++)
    gsl_vector_set (out, i, klass->score_row (self, gsl_matrix_const_ptr (x, i, 0)));
  return TRUE;
}

static void
bw_detector_finalize (GObject *object)
{
  BwDetector *self = BW_DETECTOR (object);
  BwDetectorPrivate *priv = bw_detector_get_instance_private (self);

  g_clear_pointer (&priv->rand, g_rand_free);

  G_OBJECT_CLASS (bw_detector_parent_class)->finalize (object);
}

static void
bw_detector_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  BwDetector *self = BW_DETECTOR (object);

  switch (prop_id)
    {
    case PROP_SEED:
      g_value_set_uint64 (value, bw_detector_get_seed (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bw_detector_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  BwDetector *self = BW_DETECTOR (object);

  switch (prop_id)
    {
    case PROP_SEED:
      bw_detector_set_seed (self, g_value_get_uint64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bw_detector_class_init (BwDetectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bw_detector_finalize;
  object_class->get_property = bw_detector_get_property;
  object_class->set_property = bw_detector_set_property;

  klass->score = bw_detector_real_score;

  /* GSL's default error handler aborts the process; detectors check
   * the status codes instead. */
  gsl_set_error_handler_off ();

  properties[PROP_SEED] =
    g_param_spec_uint64 ("seed", NULL,
                         "Seed of the random generator (detectors that use randomness)",
                         0, G_MAXINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bw_detector_init (BwDetector *self)
{
  reseed (self);
}

guint64
bw_detector_get_seed (BwDetector *self)
{
  BwDetectorPrivate *priv = bw_detector_get_instance_private (self);

  g_return_val_if_fail (BW_IS_DETECTOR (self), 0);

  return priv->seed;
}

void
bw_detector_set_seed (BwDetector *self,
                      guint64     seed)
{
  BwDetectorPrivate *priv = bw_detector_get_instance_private (self);

  g_return_if_fail (BW_IS_DETECTOR (self));

  if (priv->seed == seed)
    return;
  priv->seed = seed;
  reseed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEED]);
}

GRand *
bw_detector_get_rand (BwDetector *self)
{
  BwDetectorPrivate *priv = bw_detector_get_instance_private (self);

  g_return_val_if_fail (BW_IS_DETECTOR (self), NULL);

  if (priv->rand == NULL)
    {
      guint32 words[2] = { (guint32) (priv->seed & 0xffffffffu), (guint32) (priv->seed >> 32) };

      priv->rand = g_rand_new_with_seed_array (words, 2);
    }
  return priv->rand;
}

gboolean
bw_detector_is_fitted (BwDetector *self)
{
  BwDetectorPrivate *priv = bw_detector_get_instance_private (self);

  g_return_val_if_fail (BW_IS_DETECTOR (self), FALSE);

  return priv->fitted;
}

guint
bw_detector_get_n_features (BwDetector *self)
{
  BwDetectorPrivate *priv = bw_detector_get_instance_private (self);

  g_return_val_if_fail (BW_IS_DETECTOR (self), 0);

  return priv->n_features;
}

static gboolean
check_finite (const gsl_matrix *x,
              GError          **error)
{
  for (gsize i = 0; i < x->size1; i++)
    {
      const double *row = gsl_matrix_const_ptr (x, i, 0);

      for (gsize j = 0; j < x->size2; j++)
        if (!isfinite (row[j]))
          {
            g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                         "row %" G_GSIZE_FORMAT ", column %" G_GSIZE_FORMAT
                         " is not a finite number", i, j);
            return FALSE;
          }
    }
  return TRUE;
}

gboolean
bw_detector_fit (BwDetector       *self,
                 const gsl_matrix *x,
                 GError          **error)
{
  BwDetectorPrivate *priv = bw_detector_get_instance_private (self);

  g_return_val_if_fail (BW_IS_DETECTOR (self), FALSE);
  g_return_val_if_fail (x != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (x->size1 < 2 || x->size2 < 1)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   "%s needs at least 2 rows and 1 column to fit, got %" G_GSIZE_FORMAT
                   " × %" G_GSIZE_FORMAT, G_OBJECT_TYPE_NAME (self), x->size1, x->size2);
      return FALSE;
    }
  if (!check_finite (x, error))
    return FALSE;

  priv->fitted = FALSE;
  priv->n_features = x->size2;
  reseed (self);
  if (!BW_DETECTOR_GET_CLASS (self)->fit (self, x, error))
    return FALSE;
  priv->fitted = TRUE;
  bw_detector_reset (self);
  return TRUE;
}

static gboolean
check_ready (BwDetector *self,
             gsize       n_cols,
             GError    **error)
{
  BwDetectorPrivate *priv = bw_detector_get_instance_private (self);

  if (!priv->fitted)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_CONFLICT,
                   "%s is not fitted", G_OBJECT_TYPE_NAME (self));
      return FALSE;
    }
  if (n_cols != priv->n_features)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   "%s was fitted on %u features, got %" G_GSIZE_FORMAT,
                   G_OBJECT_TYPE_NAME (self), priv->n_features, n_cols);
      return FALSE;
    }
  return TRUE;
}

gboolean
bw_detector_score (BwDetector       *self,
                   const gsl_matrix *x,
                   gsl_vector       *out,
                   GError          **error)
{
  g_return_val_if_fail (BW_IS_DETECTOR (self), FALSE);
  g_return_val_if_fail (x != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_ready (self, x->size2, error))
    return FALSE;
  if (out->size != x->size1)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   "score vector has %" G_GSIZE_FORMAT " elements for %" G_GSIZE_FORMAT " rows",
                   out->size, x->size1);
      return FALSE;
    }
  if (x->size1 == 0)
    {
      bw_detector_reset (self);
      return TRUE;
    }
  return BW_DETECTOR_GET_CLASS (self)->score (self, x, out, error);
}

double
bw_detector_get_threshold (BwDetector *self)
{
  BwDetectorPrivate *priv = bw_detector_get_instance_private (self);

  g_return_val_if_fail (BW_IS_DETECTOR (self), NAN);

  if (!priv->fitted)
    return NAN;
  return BW_DETECTOR_GET_CLASS (self)->get_threshold (self);
}

void
bw_detector_reset (BwDetector *self)
{
  BwDetectorClass *klass;

  g_return_if_fail (BW_IS_DETECTOR (self));

  klass = BW_DETECTOR_GET_CLASS (self);
  if (klass->reset != NULL)
    klass->reset (self);
}

double
bw_detector_score_row (BwDetector   *self,
                       const double *row)
{
  BwDetectorPrivate *priv = bw_detector_get_instance_private (self);
  BwDetectorClass *klass;

  g_return_val_if_fail (BW_IS_DETECTOR (self), NAN);
  g_return_val_if_fail (row != NULL, NAN);

  klass = BW_DETECTOR_GET_CLASS (self);
  if (!priv->fitted || klass->score_row == NULL)
    return NAN;
  return klass->score_row (self, row);
}

/* Parameters ------------------------------------------------------------ */

static GParamSpec *
find_param (BwDetector *self,
            const char *name,
            GError    **error)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (self), name);

  if (pspec == NULL || !(pspec->flags & G_PARAM_WRITABLE) || !(pspec->flags & G_PARAM_READABLE))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   "%s has no parameter “%s”", G_OBJECT_TYPE_NAME (self), name);
      return NULL;
    }
  return pspec;
}

static gboolean
value_from_json (GParamSpec *pspec,
                 JsonNode   *node,
                 GValue     *value,
                 GError    **error)
{
  GType type = G_PARAM_SPEC_VALUE_TYPE (pspec);
  GType fundamental = G_TYPE_FUNDAMENTAL (type);

  g_value_init (value, type);

  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType vtype = json_node_get_value_type (node);

      switch (fundamental)
        {
        case G_TYPE_BOOLEAN:
          if (vtype == G_TYPE_BOOLEAN)
            {
              g_value_set_boolean (value, json_node_get_boolean (node));
              goto validate;
            }
          break;

        case G_TYPE_INT:
        case G_TYPE_UINT:
        case G_TYPE_INT64:
        case G_TYPE_UINT64:
          if (vtype == G_TYPE_INT64 ||
              (vtype == G_TYPE_DOUBLE && json_node_get_double (node) == floor (json_node_get_double (node))))
            {
              double d = vtype == G_TYPE_INT64 ? (double) json_node_get_int (node)
                                               : json_node_get_double (node);
              gint64 i = vtype == G_TYPE_INT64 ? json_node_get_int (node) : (gint64) d;

              if ((fundamental == G_TYPE_UINT || fundamental == G_TYPE_UINT64) && i < 0)
                break;
              if (fundamental == G_TYPE_INT)
                {
                  if (i < G_MININT || i > G_MAXINT)
                    break;
                  g_value_set_int (value, (int) i);
                }
              else if (fundamental == G_TYPE_UINT)
                {
                  if (i > G_MAXUINT)
                    break;
                  g_value_set_uint (value, (guint) i);
                }
              else if (fundamental == G_TYPE_INT64)
                g_value_set_int64 (value, i);
              else
                g_value_set_uint64 (value, (guint64) i);
              goto validate;
            }
          break;

        case G_TYPE_DOUBLE:
          if (vtype == G_TYPE_INT64 || vtype == G_TYPE_DOUBLE)
            {
              g_value_set_double (value, json_node_get_double (node));
              goto validate;
            }
          break;

        case G_TYPE_STRING:
          if (vtype == G_TYPE_STRING)
            {
              g_value_set_string (value, json_node_get_string (node));
              goto validate;
            }
          break;

        case G_TYPE_ENUM:
          if (vtype == G_TYPE_STRING)
            {
              g_autoptr(GEnumClass) eclass = g_type_class_ref (type);
              GEnumValue *ev = g_enum_get_value_by_nick (eclass, json_node_get_string (node));

              if (ev != NULL)
                {
                  g_value_set_enum (value, ev->value);
                  goto validate;
                }
            }
          break;

        default:
          break;
        }
    }
  else if (JSON_NODE_HOLDS_NULL (node) && fundamental == G_TYPE_STRING)
    {
      g_value_set_string (value, NULL);
      goto validate;
    }

  g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
               "parameter “%s” wants a %s", pspec->name, g_type_name (type));
  g_value_unset (value);
  return FALSE;

validate:
  if (g_param_value_validate (pspec, value))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   "parameter “%s” is out of range", pspec->name);
      g_value_unset (value);
      return FALSE;
    }
  return TRUE;
}

gboolean
bw_detector_set_params (BwDetector *self,
                        JsonObject *params,
                        GError    **error)
{
  g_autoptr(GList) members = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GArray) values = NULL;

  g_return_val_if_fail (BW_IS_DETECTOR (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (params == NULL)
    return TRUE;

  /* validate everything before changing anything */
  names = g_ptr_array_new ();
  values = g_array_new (FALSE, TRUE, sizeof (GValue));
  g_array_set_clear_func (values, (GDestroyNotify) g_value_unset);
  members = json_object_get_members (params);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      GParamSpec *pspec = find_param (self, name, error);
      GValue value = G_VALUE_INIT;

      if (pspec == NULL)
        return FALSE;
      if (!value_from_json (pspec, json_object_get_member (params, name), &value, error))
        return FALSE;
      g_ptr_array_add (names, (gpointer) pspec->name);
      g_array_append_val (values, value);
    }

  g_object_setv (G_OBJECT (self), names->len, (const char **) names->pdata,
                 (const GValue *) values->data);
  return TRUE;
}

gboolean
bw_detector_set_param_string (BwDetector *self,
                              const char *name,
                              const char *text,
                              GError    **error)
{
  g_autoptr(JsonObject) params = json_object_new ();
  GParamSpec *pspec;
  GType fundamental;

  g_return_val_if_fail (BW_IS_DETECTOR (self), FALSE);
  g_return_val_if_fail (name != NULL && text != NULL, FALSE);

  pspec = find_param (self, name, error);
  if (pspec == NULL)
    return FALSE;
  fundamental = G_TYPE_FUNDAMENTAL (G_PARAM_SPEC_VALUE_TYPE (pspec));

  if (fundamental == G_TYPE_STRING || fundamental == G_TYPE_ENUM)
    json_object_set_string_member (params, name, text);
  else if (fundamental == G_TYPE_BOOLEAN)
    {
      if (g_ascii_strcasecmp (text, "true") == 0 || g_str_equal (text, "1"))
        json_object_set_boolean_member (params, name, TRUE);
      else if (g_ascii_strcasecmp (text, "false") == 0 || g_str_equal (text, "0"))
        json_object_set_boolean_member (params, name, FALSE);
      else
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                       "parameter “%s” wants true or false, got “%s”", name, text);
          return FALSE;
        }
    }
  else
    {
      char *end = NULL;
      double d = g_ascii_strtod (text, &end);

      if (end == text || *end != '\0' || !isfinite (d))
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                       "parameter “%s” wants a number, got “%s”", name, text);
          return FALSE;
        }
      if (fundamental == G_TYPE_DOUBLE)
        json_object_set_double_member (params, name, d);
      else if (fundamental == G_TYPE_UINT64 || fundamental == G_TYPE_INT64)
        {
          gint64 i;

          if (!g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &i, NULL))
            {
              g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                           "parameter “%s” wants an integer, got “%s”", name, text);
              return FALSE;
            }
          json_object_set_int_member (params, name, i);
        }
      else if (d == floor (d) && fabs (d) < 9.0e15)
        json_object_set_int_member (params, name, (gint64) d);
      else
        json_object_set_double_member (params, name, d);
    }
  return bw_detector_set_params (self, params, error);
}

static JsonNode *
value_to_json (const GValue *value)
{
  GType type = G_VALUE_TYPE (value);

  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_BOOLEAN:
      return json_node_init_boolean (json_node_alloc (), g_value_get_boolean (value));
    case G_TYPE_INT:
      return json_node_init_int (json_node_alloc (), g_value_get_int (value));
    case G_TYPE_UINT:
      return json_node_init_int (json_node_alloc (), g_value_get_uint (value));
    case G_TYPE_INT64:
      return json_node_init_int (json_node_alloc (), g_value_get_int64 (value));
    case G_TYPE_UINT64:
      return json_node_init_int (json_node_alloc (), (gint64) g_value_get_uint64 (value));
    case G_TYPE_DOUBLE:
      return json_node_init_double (json_node_alloc (), g_value_get_double (value));
    case G_TYPE_STRING:
      if (g_value_get_string (value) == NULL)
        return json_node_init_null (json_node_alloc ());
      return json_node_init_string (json_node_alloc (), g_value_get_string (value));
    case G_TYPE_ENUM:
      {
        g_autoptr(GEnumClass) eclass = g_type_class_ref (type);
        GEnumValue *ev = g_enum_get_value (eclass, g_value_get_enum (value));

        return json_node_init_string (json_node_alloc (), ev ? ev->value_nick : "");
      }
    default:
      return json_node_init_null (json_node_alloc ());
    }
}

static gboolean
is_param (GParamSpec *pspec)
{
  GType fundamental = G_TYPE_FUNDAMENTAL (G_PARAM_SPEC_VALUE_TYPE (pspec));

  if ((pspec->flags & G_PARAM_READWRITE) != G_PARAM_READWRITE)
    return FALSE;
  return fundamental == G_TYPE_BOOLEAN || fundamental == G_TYPE_INT ||
         fundamental == G_TYPE_UINT || fundamental == G_TYPE_INT64 ||
         fundamental == G_TYPE_UINT64 || fundamental == G_TYPE_DOUBLE ||
         fundamental == G_TYPE_STRING || fundamental == G_TYPE_ENUM;
}

JsonObject *
bw_detector_get_params (BwDetector *self)
{
  g_autofree GParamSpec **pspecs = NULL;
  JsonObject *params;
  guint n;

  g_return_val_if_fail (BW_IS_DETECTOR (self), NULL);

  params = json_object_new ();
  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (self), &n);
  for (guint i = 0; i < n; i++)
    {
      GValue value = G_VALUE_INIT;

      if (!is_param (pspecs[i]))
        continue;
      g_value_init (&value, G_PARAM_SPEC_VALUE_TYPE (pspecs[i]));
      g_object_get_property (G_OBJECT (self), pspecs[i]->name, &value);
      json_object_set_member (params, pspecs[i]->name, value_to_json (&value));
      g_value_unset (&value);
    }
  return params;
}

JsonNode *
bw_detector_describe (BwDetector *self)
{
  g_autofree GParamSpec **pspecs = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint n;

  g_return_val_if_fail (BW_IS_DETECTOR (self), NULL);

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (self), &n);
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    {
      GParamSpec *p = pspecs[i];
      GType type = G_PARAM_SPEC_VALUE_TYPE (p);
      GType fundamental = G_TYPE_FUNDAMENTAL (type);
      GValue value = G_VALUE_INIT;

      if (!is_param (p))
        continue;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, p->name);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, fundamental == G_TYPE_ENUM ? "enum" : g_type_name (fundamental));

      g_value_init (&value, type);
      g_object_get_property (G_OBJECT (self), p->name, &value);
      json_builder_set_member_name (b, "value");
      json_builder_add_value (b, value_to_json (&value));
      g_value_unset (&value);

      json_builder_set_member_name (b, "default");
      json_builder_add_value (b, value_to_json (g_param_spec_get_default_value (p)));

#define RANGE(PTYPE, CAST, ADD) \
      if (G_IS_PARAM_SPEC_##PTYPE (p)) \
        { \
          json_builder_set_member_name (b, "minimum"); \
          ADD (b, CAST (G_PARAM_SPEC_##PTYPE (p)->minimum)); \
          json_builder_set_member_name (b, "maximum"); \
          ADD (b, CAST (G_PARAM_SPEC_##PTYPE (p)->maximum)); \
        }
      RANGE (INT, (gint64), json_builder_add_int_value)
      RANGE (UINT, (gint64), json_builder_add_int_value)
      RANGE (INT64, (gint64), json_builder_add_int_value)
      RANGE (DOUBLE, (double), json_builder_add_double_value)
#undef RANGE

      if (fundamental == G_TYPE_ENUM)
        {
          g_autoptr(GEnumClass) eclass = g_type_class_ref (type);

          json_builder_set_member_name (b, "choices");
          json_builder_begin_array (b);
          for (guint k = 0; k < eclass->n_values; k++)
            json_builder_add_string_value (b, eclass->values[k].value_nick);
          json_builder_end_array (b);
        }

      json_builder_set_member_name (b, "description");
      json_builder_add_string_value (b, g_param_spec_get_blurb (p) ? g_param_spec_get_blurb (p) : "");
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

JsonNode *
bw_detector_save (BwDetector *self)
{
  BwDetectorPrivate *priv = bw_detector_get_instance_private (self);
  BwDetectorClass *klass;
  JsonObject *obj;
  JsonNode *node;

  g_return_val_if_fail (BW_IS_DETECTOR (self), NULL);

  klass = BW_DETECTOR_GET_CLASS (self);
  obj = json_object_new ();
  json_object_set_string_member (obj, "type", G_OBJECT_TYPE_NAME (self));
  json_object_set_object_member (obj, "params", bw_detector_get_params (self));
  json_object_set_boolean_member (obj, "fitted", priv->fitted);
  json_object_set_int_member (obj, "n-features", priv->n_features);
  if (priv->fitted && klass->save_state != NULL)
    {
      JsonNode *state = klass->save_state (self);

      if (state != NULL)
        json_object_set_member (obj, "state", state);
    }
  node = json_node_init_object (json_node_alloc (), obj);
  json_object_unref (obj);
  return node;
}

BwDetector *
bw_detector_load (JsonNode *node,
                  GError  **error)
{
  g_autoptr(BwDetector) self = NULL;
  BwDetectorPrivate *priv;
  JsonObject *obj;
  JsonNode *params, *state;
  const char *type_name;
  GType type;
  gint64 n_features;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "detector: not a JSON object");
      return NULL;
    }
  obj = json_node_get_object (node);
  type_name = json_object_get_string_member_with_default (obj, "type", NULL);
  if (type_name == NULL)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "detector: no type");
      return NULL;
    }
  bw_detector_registry_ensure_types ();
  type = g_type_from_name (type_name);
  if (type == G_TYPE_INVALID || !g_type_is_a (type, BW_TYPE_DETECTOR) || G_TYPE_IS_ABSTRACT (type))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_NOT_FOUND,
                   "detector: unknown type “%s”", type_name);
      return NULL;
    }

  self = g_object_new (type, NULL);
  params = json_object_get_member (obj, "params");
  if (params != NULL)
    {
      if (!JSON_NODE_HOLDS_OBJECT (params))
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "detector: params is not an object");
          return NULL;
        }
      if (!bw_detector_set_params (self, json_node_get_object (params), error))
        return NULL;
    }

  if (!json_object_get_boolean_member_with_default (obj, "fitted", FALSE))
    return g_steal_pointer (&self);

  priv = bw_detector_get_instance_private (self);
  n_features = json_object_get_int_member_with_default (obj, "n-features", 0);
  if (n_features < 1 || n_features > 1 << 20)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "detector: bad n-features");
      return NULL;
    }
  priv->n_features = (guint) n_features;
  state = json_object_get_member (obj, "state");
  if (BW_DETECTOR_GET_CLASS (self)->load_state != NULL)
    {
      if (state == NULL)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "detector: fitted but no state");
          return NULL;
        }
      if (!BW_DETECTOR_GET_CLASS (self)->load_state (self, state, error))
        {
          g_prefix_error (error, "%s: ", type_name);
          return NULL;
        }
    }
  priv->fitted = TRUE;
  bw_detector_reset (self);
  return g_steal_pointer (&self);
}

/* JSON helpers ------------------------------------------------------------ */

JsonNode *
bw_json_from_doubles (const double *v,
                      gsize         n)
{
  JsonArray *array = json_array_sized_new (n);
  JsonNode *node;

  for (gsize i = 0; i < n; i++)
    {
      /* JSON has no NaN/inf: store them as null */
      if (isfinite (v[i]))
        json_array_add_double_element (array, v[i]);
      else
        json_array_add_null_element (array);
    }
  node = json_node_init_array (json_node_alloc (), array);
  json_array_unref (array);
  return node;
}

gboolean
bw_json_to_doubles (JsonNode *node,
                    double   *out,
                    gsize     n,
                    GError  **error)
{
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "expected an array of %" G_GSIZE_FORMAT " numbers", n);
      return FALSE;
    }
  array = json_node_get_array (node);
  if (json_array_get_length (array) != n)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   "expected %" G_GSIZE_FORMAT " numbers, got %u", n, json_array_get_length (array));
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    {
      JsonNode *e = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_NULL (e))
        out[i] = NAN;
      else if (JSON_NODE_HOLDS_VALUE (e) &&
               (json_node_get_value_type (e) == G_TYPE_DOUBLE || json_node_get_value_type (e) == G_TYPE_INT64))
        out[i] = json_node_get_double (e);
      else
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "element %" G_GSIZE_FORMAT " is not a number", i);
          return FALSE;
        }
    }
  return TRUE;
}

JsonNode *
bw_json_from_matrix (const gsl_matrix *m)
{
  JsonArray *rows = json_array_sized_new (m->size1);
  JsonNode *node;

  for (gsize i = 0; i < m->size1; i++)
    json_array_add_element (rows, bw_json_from_doubles (gsl_matrix_const_ptr (m, i, 0), m->size2));
  node = json_node_init_array (json_node_alloc (), rows);
  json_array_unref (rows);
  return node;
}

gsl_matrix *
bw_json_to_matrix (JsonNode *node,
                   gsize     rows,
                   gsize     cols,
                   GError  **error)
{
  g_autoptr(gsl_matrix) m = NULL;
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "expected a matrix (array of rows)");
      return NULL;
    }
  array = json_node_get_array (node);
  if (json_array_get_length (array) != rows || rows == 0 || cols == 0)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   "expected %" G_GSIZE_FORMAT " rows, got %u", rows, json_array_get_length (array));
      return NULL;
    }
  m = gsl_matrix_alloc (rows, cols);
  for (gsize i = 0; i < rows; i++)
    if (!bw_json_to_doubles (json_array_get_element (array, i), gsl_matrix_ptr (m, i, 0), cols, error))
      {
        g_prefix_error (error, "row %" G_GSIZE_FORMAT ": ", i);
        return NULL;
      }
  return g_steal_pointer (&m);
}
