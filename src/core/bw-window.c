/* bw-window.c
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-window"

#include "config.h"

#include <math.h>

#include "bw-error.h"
#include "bw-time.h"
#include "bw-window.h"

G_DEFINE_BOXED_TYPE (BwWindow, bw_window, bw_window_ref, bw_window_unref)

/**
 * bw_window_new:
 *
 * Returns: (transfer full): a window with every value NAN
 */
BwWindow *
bw_window_new (gint64       stop_us,
               gint64       t0_us,
               gint64       period_us,
               guint        n,
               guint        n_tags,
               const char **tags)
{
  BwWindow *self;

  g_return_val_if_fail (period_us > 0, NULL);

  self = g_atomic_rc_box_new0 (BwWindow);
  self->stop_us = stop_us;
  self->t0_us = t0_us;
  self->period_us = period_us;
  self->n = n;
  self->n_tags = n_tags;
  self->tags = g_new0 (char *, n_tags + 1);
  self->values = g_new0 (float *, n_tags);
  for (guint i = 0; i < n_tags; i++)
    {
      self->tags[i] = g_strdup (tags[i]);
      self->values[i] = g_new (float, MAX (n, 1));
      for (guint j = 0; j < n; j++)
        self->values[i][j] = NAN;
    }
  return self;
}

BwWindow *
bw_window_ref (BwWindow *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_atomic_rc_box_acquire (self);
}

static void
window_clear (gpointer data)
{
  BwWindow *self = data;

  for (guint i = 0; i < self->n_tags; i++)
    g_free (self->values[i]);
  g_free (self->values);
  g_strfreev (self->tags);
}

void
bw_window_unref (BwWindow *self)
{
  g_return_if_fail (self != NULL);
  g_atomic_rc_box_release_full (self, window_clear);
}

int
bw_window_find_tag (const BwWindow *self,
                    const char     *tag)
{
  g_return_val_if_fail (self != NULL, -1);

  for (guint i = 0; i < self->n_tags; i++)
    if (g_str_equal (self->tags[i], tag))
      return (int) i;
  return -1;
}

/**
 * bw_window_get_values:
 *
 * Returns: (nullable): the @n values of @tag, or %NULL if the window lacks it
 */
const float *
bw_window_get_values (const BwWindow *self,
                      const char     *tag)
{
  int i = bw_window_find_tag (self, tag);
  return i < 0 ? NULL : self->values[i];
}

/**
 * bw_window_index_at:
 *
 * Returns: the grid index of the last point at or before @time_us, clamped to
 *   the window
 */
guint
bw_window_index_at (const BwWindow *self,
                    gint64          time_us)
{
  gint64 i;

  g_return_val_if_fail (self != NULL, 0);

  if (self->n == 0 || time_us <= self->t0_us)
    return 0;
  i = (time_us - self->t0_us) / self->period_us;
  return (guint) MIN (i, (gint64) self->n - 1);
}

/**
 * bw_window_to_json:
 *
 * `{"stop": RFC3339, "t0": RFC3339, "period_ms": 100, "n": N,
 *   "tags": {"belt_speed": [v, …, null], …}}`; NAN is written as null.
 */
JsonNode *
bw_window_to_json (const BwWindow *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  char buf[BW_TIME_FORMAT_LEN];

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "stop");
  json_builder_add_string_value (b, bw_time_format (self->stop_us, buf));
  json_builder_set_member_name (b, "t0");
  json_builder_add_string_value (b, bw_time_format (self->t0_us, buf));
  json_builder_set_member_name (b, "period_ms");
  json_builder_add_double_value (b, self->period_us / 1000.0);
  json_builder_set_member_name (b, "n");
  json_builder_add_int_value (b, self->n);
  json_builder_set_member_name (b, "tags");
  json_builder_begin_object (b);
  for (guint i = 0; i < self->n_tags; i++)
    {
      json_builder_set_member_name (b, self->tags[i]);
      json_builder_begin_array (b);
      for (guint j = 0; j < self->n; j++)
        {
          if (isfinite (self->values[i][j]))
            json_builder_add_double_value (b, self->values[i][j]);
          else
            json_builder_add_null_value (b);
        }
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/**
 * bw_window_from_json:
 *
 * Returns: (transfer full) (nullable): the window written by bw_window_to_json()
 */
BwWindow *
bw_window_from_json (JsonNode  *node,
                     GError   **error)
{
  JsonObject *obj, *tags_obj;
  g_autoptr(GList) members = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  gint64 stop_us, t0_us;
  double period_ms;
  gint64 n;
  BwWindow *self;
  guint k = 0;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    goto bad;
  obj = json_node_get_object (node);
  if (!json_object_has_member (obj, "tags") || !json_object_has_member (obj, "n") ||
      !json_object_has_member (obj, "t0") || !json_object_has_member (obj, "stop") ||
      !json_object_has_member (obj, "period_ms"))
    goto bad;
  if (!bw_time_parse (json_object_get_string_member_with_default (obj, "stop", ""), -1, &stop_us) ||
      !bw_time_parse (json_object_get_string_member_with_default (obj, "t0", ""), -1, &t0_us))
    goto bad;
  period_ms = json_object_get_double_member (obj, "period_ms");
  n = json_object_get_int_member (obj, "n");
  if (!(period_ms > 0) || n < 0 || n > 10000000)
    goto bad;
  tags_obj = json_object_get_object_member (obj, "tags");
  if (tags_obj == NULL)
    goto bad;
  members = json_object_get_members (tags_obj);
  for (GList *l = members; l; l = l->next)
    g_ptr_array_add (names, l->data);

  self = bw_window_new (stop_us, t0_us, (gint64) llround (period_ms * 1000), (guint) n,
                        names->len, (const char **) names->pdata);
  for (GList *l = members; l; l = l->next, k++)
    {
      JsonArray *arr = json_object_get_array_member (tags_obj, l->data);
      if (arr == NULL || json_array_get_length (arr) != (guint) n)
        {
          bw_window_unref (self);
          goto bad;
        }
      for (guint j = 0; j < (guint) n; j++)
        {
          JsonNode *v = json_array_get_element (arr, j);
          self->values[k][j] = JSON_NODE_HOLDS_VALUE (v) ? (float) json_node_get_double (v) : NAN;
        }
    }
  return self;

bad:
  g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "Not a signal window");
  return NULL;
}
