/* bw-chart-data.c: chart data from the service and the bookkeeping of what
 * time ranges are loaded
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-chart-data"

#include "config.h"

#include <math.h>

#include "bw-chart-data.h"
#include "bw-error.h"
#include "bw-time.h"

/* coverage keeps at most this many spans; the coarsest go first */
#define MAX_SPANS 256

static void
signals_series_free (gpointer data)
{
  BwSignalsSeries *s = data;

  g_free (s->tag);
  g_array_unref (s->buckets);
  g_free (s);
}

void
bw_signals_response_free (BwSignalsResponse *response)
{
  if (response == NULL)
    return;
  g_free (response->conveyor);
  g_ptr_array_unref (response->series);
  g_free (response);
}

static gboolean
get_time_member (JsonObject  *o,
                 const char  *name,
                 gint64      *out_ms,
                 GError     **error)
{
  JsonNode *n = json_object_get_member (o, name);
  const char *s;
  gint64 us;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "Signals: “%s” is missing or not a string", name);
      return FALSE;
    }
  s = json_node_get_string (n);
  if (!bw_time_parse (s, -1, &us))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "Signals: “%s” is not an RFC 3339 time: %s", name, s);
      return FALSE;
    }
  *out_ms = us / 1000;
  return TRUE;
}

static gboolean
node_number (JsonNode *n,
             double   *out)
{
  GType type;

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    {
      *out = NAN;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (n))
    return FALSE;
  type = json_node_get_value_type (n);
  if (type == G_TYPE_DOUBLE)
    *out = json_node_get_double (n);
  else if (type == G_TYPE_INT64)
    *out = (double) json_node_get_int (n);
  else
    return FALSE;
  return isfinite (*out);
}

static JsonArray *
get_array_member (JsonObject  *o,
                  const char  *name,
                  guint        expect_len,
                  const char  *tag,
                  GError     **error)
{
  JsonNode *n = json_object_get_member (o, name);
  JsonArray *a;

  if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "Signals: series “%s” has no array “%s”", tag, name);
      return NULL;
    }
  a = json_node_get_array (n);
  if (expect_len != G_MAXUINT && json_array_get_length (a) != expect_len)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   "Signals: series “%s” has %u “%s” for %u times", tag,
                   json_array_get_length (a), name, expect_len);
      return NULL;
    }
  return a;
}

/**
 * bw_signals_response_parse:
 * @root: the body of a GET /api/v1/signals answer
 *
 * Returns: (transfer full): the answer, or %NULL with @error set (BW_ERROR_INVALID)
 *   when it is malformed: wrong types, arrays of different lengths, times out
 *   of order, non-finite numbers
 */
BwSignalsResponse *
bw_signals_response_parse (JsonNode  *root,
                           GError   **error)
{
  g_autoptr(BwSignalsResponse) r = NULL;
  JsonObject *o;
  JsonNode *n;
  JsonArray *series;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, BW_ERROR, BW_ERROR_INVALID, "Signals: the answer is not a JSON object");
      return NULL;
    }
  o = json_node_get_object (root);

  r = g_new0 (BwSignalsResponse, 1);
  r->series = g_ptr_array_new_with_free_func (signals_series_free);
  r->conveyor = g_strdup (json_object_get_string_member_with_default (o, "conveyor", ""));
  if (!get_time_member (o, "from", &r->from_ms, error) ||
      !get_time_member (o, "to", &r->to_ms, error))
    return NULL;
  if (r->from_ms >= r->to_ms)
    {
      g_set_error_literal (error, BW_ERROR, BW_ERROR_INVALID, "Signals: “from” is not before “to”");
      return NULL;
    }
  r->points = (guint) CLAMP (json_object_get_int_member_with_default (o, "points", 0), 0, G_MAXUINT);

  n = json_object_get_member (o, "series");
  if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n))
    {
      g_set_error_literal (error, BW_ERROR, BW_ERROR_INVALID, "Signals: no “series” array");
      return NULL;
    }
  series = json_node_get_array (n);

  for (guint i = 0; i < json_array_get_length (series); i++)
    {
      JsonNode *sn = json_array_get_element (series, i);
      JsonObject *so;
      JsonArray *t, *mn, *mean, *mx;
      BwSignalsSeries *s;
      const char *tag;
      guint len;

      if (!JSON_NODE_HOLDS_OBJECT (sn))
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "Signals: series %u is not an object", i);
          return NULL;
        }
      so = json_node_get_object (sn);
      tag = json_object_get_string_member_with_default (so, "tag", NULL);
      if (tag == NULL || *tag == '\0')
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "Signals: series %u has no tag", i);
          return NULL;
        }
      if ((t = get_array_member (so, "t", G_MAXUINT, tag, error)) == NULL)
        return NULL;
      len = json_array_get_length (t);
      if ((mn = get_array_member (so, "min", len, tag, error)) == NULL ||
          (mean = get_array_member (so, "mean", len, tag, error)) == NULL ||
          (mx = get_array_member (so, "max", len, tag, error)) == NULL)
        return NULL;

      s = g_new0 (BwSignalsSeries, 1);
      s->tag = g_strdup (tag);
      s->buckets = g_array_sized_new (FALSE, FALSE, sizeof (BwSeriesBucket), len);
      g_ptr_array_add (r->series, s);

      for (guint k = 0; k < len; k++)
        {
          BwSeriesBucket bk;
          double tt;

          if (!node_number (json_array_get_element (t, k), &tt) || isnan (tt) ||
              !node_number (json_array_get_element (mn, k), &bk.min) ||
              !node_number (json_array_get_element (mean, k), &bk.mean) ||
              !node_number (json_array_get_element (mx, k), &bk.max))
            {
              g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                           "Signals: series “%s” has a bad number at %u", tag, k);
              return NULL;
            }
          bk.t = (gint64) tt;
          if (k > 0 && bk.t < g_array_index (s->buckets, BwSeriesBucket, k - 1).t)
            {
              g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                           "Signals: series “%s” goes back in time at %u", tag, k);
              return NULL;
            }
          g_array_append_val (s->buckets, bk);
        }
    }

  return g_steal_pointer (&r);
}

BwSignalsResponse *
bw_signals_response_parse_data (const char  *data,
                                gssize       length,
                                GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (data != NULL, NULL);

  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "Signals: not JSON: %s", local_error->message);
      return NULL;
    }
  return bw_signals_response_parse (json_parser_get_root (parser), error);
}

BwSignalsSeries *
bw_signals_response_find (BwSignalsResponse *response,
                          const char        *tag)
{
  g_return_val_if_fail (response != NULL, NULL);
  g_return_val_if_fail (tag != NULL, NULL);

  for (guint i = 0; i < response->series->len; i++)
    {
      BwSignalsSeries *s = response->series->pdata[i];

      if (g_str_equal (s->tag, tag))
        return s;
    }
  return NULL;
}

/* ms per bucket */
double
bw_signals_response_resolution (BwSignalsResponse *response)
{
  guint points;

  g_return_val_if_fail (response != NULL, 0);

  points = response->points;
  if (points == 0 && response->series->len > 0)
    points = ((BwSignalsSeries *) response->series->pdata[0])->buckets->len;
  return (double) (response->to_ms - response->from_ms) / MAX (points, 1);
}

/**
 * bw_samples_event_parse:
 * @event: a `samples` event of the stream (or just its `tags` object)
 * @n_bad: (out) (optional): samples skipped as malformed
 *
 * Calls @func for every `[t_ms, value]` of every tag (a null value is a gap:
 * NAN). Malformed samples are counted and skipped, never fatal.
 *
 * Returns: %FALSE when @event has no tags object at all
 */
gboolean
bw_samples_event_parse (JsonNode      *event,
                        BwSampleFunc   func,
                        gpointer       user_data,
                        guint         *n_bad,
                        GError       **error)
{
  JsonObject *o, *tags;
  JsonNode *n;
  GList *members;
  guint bad = 0;

  g_return_val_if_fail (func != NULL, FALSE);

  if (n_bad)
    *n_bad = 0;
  if (event == NULL || !JSON_NODE_HOLDS_OBJECT (event))
    {
      g_set_error_literal (error, BW_ERROR, BW_ERROR_INVALID, "Samples: not a JSON object");
      return FALSE;
    }
  o = json_node_get_object (event);
  n = json_object_get_member (o, "tags");
  if (n != NULL)
    {
      if (!JSON_NODE_HOLDS_OBJECT (n))
        {
          g_set_error_literal (error, BW_ERROR, BW_ERROR_INVALID, "Samples: “tags” is not an object");
          return FALSE;
        }
      tags = json_node_get_object (n);
    }
  else if (json_object_has_member (o, "type"))
    {
      g_set_error_literal (error, BW_ERROR, BW_ERROR_INVALID, "Samples: the event has no “tags”");
      return FALSE;
    }
  else
    tags = o;

  members = json_object_get_members (tags);
  for (GList *l = members; l; l = l->next)
    {
      const char *tag = l->data;
      JsonNode *an = json_object_get_member (tags, tag);
      JsonArray *a;

      if (!JSON_NODE_HOLDS_ARRAY (an))
        {
          bad++;
          continue;
        }
      a = json_node_get_array (an);
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonNode *pn = json_array_get_element (a, i);
          JsonArray *pair;
          double t, v;

          if (!JSON_NODE_HOLDS_ARRAY (pn) ||
              json_array_get_length (pair = json_node_get_array (pn)) != 2 ||
              !node_number (json_array_get_element (pair, 0), &t) || isnan (t) ||
              !node_number (json_array_get_element (pair, 1), &v))
            {
              bad++;
              continue;
            }
          func (tag, (gint64) t, v, user_data);
        }
    }
  g_list_free (members);

  if (bad > 0)
    g_debug ("Skipped %u malformed samples", bad);
  if (n_bad)
    *n_bad = bad;
  return TRUE;
}

/* ---- coverage ---- */

struct _BwCoverage
{
  GArray *spans;  /* BwCoverageSpan, sorted, disjoint */
};

BwCoverage *
bw_coverage_new (void)
{
  BwCoverage *self = g_new0 (BwCoverage, 1);

  self->spans = g_array_new (FALSE, FALSE, sizeof (BwCoverageSpan));
  return self;
}

void
bw_coverage_free (BwCoverage *coverage)
{
  if (coverage == NULL)
    return;
  g_array_unref (coverage->spans);
  g_free (coverage);
}

void
bw_coverage_clear (BwCoverage *coverage)
{
  g_return_if_fail (coverage != NULL);

  g_array_set_size (coverage->spans, 0);
}

guint
bw_coverage_get_n_spans (BwCoverage *coverage)
{
  g_return_val_if_fail (coverage != NULL, 0);

  return coverage->spans->len;
}

const BwCoverageSpan *
bw_coverage_get_span (BwCoverage *coverage,
                      guint       i)
{
  g_return_val_if_fail (coverage != NULL, NULL);
  g_return_val_if_fail (i < coverage->spans->len, NULL);

  return &g_array_index (coverage->spans, BwCoverageSpan, i);
}

static int
compare_spans (gconstpointer a,
               gconstpointer b)
{
  const BwCoverageSpan *x = a, *y = b;

  return x->from_ms < y->from_ms ? -1 : x->from_ms > y->from_ms;
}

/* [from, to) less every span of @spans finer than @resolution (coarser spans
 * are ignored when @finer_only, none otherwise) */
static GArray *
subtract (GArray *spans,
          gint64  from,
          gint64  to,
          double  resolution,
          gboolean finer_only)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (BwCoverageSpan));
  gint64 cur = from;

  for (guint i = 0; i < spans->len && cur < to; i++)
    {
      const BwCoverageSpan *s = &g_array_index (spans, BwCoverageSpan, i);

      if (s->to_ms <= cur || (finer_only && s->resolution_ms >= resolution))
        continue;
      if (s->from_ms >= to)
        break;
      if (s->from_ms > cur)
        {
          BwCoverageSpan piece = { cur, s->from_ms, resolution };

          g_array_append_val (out, piece);
        }
      cur = MAX (cur, s->to_ms);
    }
  if (cur < to)
    {
      BwCoverageSpan piece = { cur, to, resolution };

      g_array_append_val (out, piece);
    }
  return out;
}

/**
 * bw_coverage_add:
 *
 * Marks [@from_ms, @to_ms) as loaded at @resolution_ms. Where it overlaps a
 * span already there, the finer of the two counts.
 */
void
bw_coverage_add (BwCoverage *coverage,
                 gint64      from_ms,
                 gint64      to_ms,
                 double      resolution_ms)
{
  g_autoptr(GArray) out = NULL;
  g_autoptr(GArray) fresh = NULL;
  GArray *old;

  g_return_if_fail (coverage != NULL);

  if (from_ms >= to_ms)
    return;
  old = coverage->spans;
  out = g_array_new (FALSE, FALSE, sizeof (BwCoverageSpan));

  /* old spans keep what the new one does not cover better */
  for (guint i = 0; i < old->len; i++)
    {
      const BwCoverageSpan *s = &g_array_index (old, BwCoverageSpan, i);

      if (s->to_ms <= from_ms || s->from_ms >= to_ms || s->resolution_ms < resolution_ms)
        g_array_append_val (out, *s);
      else
        {
          if (s->from_ms < from_ms)
            {
              BwCoverageSpan left = { s->from_ms, from_ms, s->resolution_ms };

              g_array_append_val (out, left);
            }
          if (s->to_ms > to_ms)
            {
              BwCoverageSpan right = { to_ms, s->to_ms, s->resolution_ms };

              g_array_append_val (out, right);
            }
        }
    }
  /* the new span, less the finer old ones */
  fresh = subtract (old, from_ms, to_ms, resolution_ms, TRUE);
  g_array_append_vals (out, fresh->data, fresh->len);
  g_array_sort (out, compare_spans);

  /* merge touching spans of the same resolution */
  g_array_set_size (old, 0);
  for (guint i = 0; i < out->len; i++)
    {
      const BwCoverageSpan *s = &g_array_index (out, BwCoverageSpan, i);
      BwCoverageSpan *last = old->len ? &g_array_index (old, BwCoverageSpan, old->len - 1) : NULL;

      if (last && last->to_ms >= s->from_ms && last->resolution_ms == s->resolution_ms)
        last->to_ms = MAX (last->to_ms, s->to_ms);
      else
        g_array_append_val (old, *s);
    }

  /* bounded: forget the coarsest spans first */
  while (old->len > MAX_SPANS)
    {
      guint worst = 0;

      for (guint i = 1; i < old->len; i++)
        if (g_array_index (old, BwCoverageSpan, i).resolution_ms >
            g_array_index (old, BwCoverageSpan, worst).resolution_ms)
          worst = i;
      g_array_remove_index (old, worst);
    }
}

/**
 * bw_coverage_missing:
 *
 * Returns: (transfer full): the parts of [@from_ms, @to_ms) not loaded at
 *   @resolution_ms or finer, as #BwCoverageSpan in time order
 */
GArray *
bw_coverage_missing (BwCoverage *coverage,
                     gint64      from_ms,
                     gint64      to_ms,
                     double      resolution_ms)
{
  g_autoptr(GArray) good = NULL;

  g_return_val_if_fail (coverage != NULL, NULL);

  good = g_array_new (FALSE, FALSE, sizeof (BwCoverageSpan));
  for (guint i = 0; i < coverage->spans->len; i++)
    {
      const BwCoverageSpan *s = &g_array_index (coverage->spans, BwCoverageSpan, i);

      if (s->resolution_ms <= resolution_ms)
        g_array_append_val (good, *s);
    }
  return subtract (good, from_ms, to_ms, resolution_ms, FALSE);
}

/* the smallest range holding every missing part; %FALSE when nothing is */
gboolean
bw_coverage_missing_hull (BwCoverage *coverage,
                          gint64      from_ms,
                          gint64      to_ms,
                          double      resolution_ms,
                          gint64     *miss_from_ms,
                          gint64     *miss_to_ms)
{
  g_autoptr(GArray) missing = NULL;

  g_return_val_if_fail (coverage != NULL, FALSE);

  if (from_ms >= to_ms)
    return FALSE;
  missing = bw_coverage_missing (coverage, from_ms, to_ms, resolution_ms);
  if (missing->len == 0)
    return FALSE;
  if (miss_from_ms)
    *miss_from_ms = g_array_index (missing, BwCoverageSpan, 0).from_ms;
  if (miss_to_ms)
    *miss_to_ms = g_array_index (missing, BwCoverageSpan, missing->len - 1).to_ms;
  return TRUE;
}
