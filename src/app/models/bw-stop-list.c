/* bw-stop-list.c: the stops of a period, kept live — the journal's model
 *
 * The stops overlapping [from, to) that match the conveyor and cause
 * filter, newest first, read from GET /api/v1/stops (paged) and kept up to
 * date by the line's stop events. Totals count each stop inside the period
 * only, an open stop up to now.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-stop-list"

#include "config.h"

#include "bw-json.h"
#include "bw-event.h"
#include "bw-stop-list.h"
#include "bw-time.h"

#define PAGE 2000

struct _BwStopList
{
  GObject       parent_instance;

  BwLine       *line;         /* owned */
  GListStore   *store;        /* BwStop, newest first */
  GCancellable *cancellable;  /* the load under way */
  gint64        from_us;
  gint64        to_us;
  GStrv         conveyors;    /* NULL: all */
  char         *cause;        /* NULL: all */
  GPtrArray    *loading;      /* BwStop being read */
  char         *error;
};

enum
{
  PROP_0,
  PROP_LOADING,
  N_PROPS
};

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (BwStopList, bw_stop_list, G_TYPE_OBJECT)

static void load_page (BwStopList *self, guint offset);

/**
 * bw_stop_list_matches:
 *
 * Returns: whether @stop belongs in the list: it overlaps the period and
 *   matches the conveyor and cause filters
 */
gboolean
bw_stop_list_matches (BwStopList *self,
                      BwStop     *stop)
{
  g_return_val_if_fail (BW_IS_STOP_LIST (self), FALSE);

  if (stop->start_us >= self->to_us)
    return FALSE;
  if (!bw_stop_is_open (stop) && stop->end_us <= self->from_us)
    return FALSE;
  if (self->conveyors && !g_strv_contains ((const char * const *) self->conveyors, stop->conveyor))
    return FALSE;
  if (self->cause)
    {
      if (g_str_equal (self->cause, BW_CAUSE_FILTER_UNCLASSIFIED))
        return stop->cause == NULL;
      return g_strcmp0 (stop->cause, self->cause) == 0;
    }
  return TRUE;
}

/**
 * bw_stop_list_clipped_duration:
 *
 * Returns: the part of @stop inside the period, an open stop up to @now_us
 */
gint64
bw_stop_list_clipped_duration (BwStopList *self,
                               BwStop     *stop,
                               gint64      now_us)
{
  gint64 a, b;

  g_return_val_if_fail (BW_IS_STOP_LIST (self), 0);
  a = MAX (stop->start_us, self->from_us);
  b = MIN (bw_stop_is_open (stop) ? now_us : stop->end_us, self->to_us);
  return MAX (0, b - a);
}

static void
emit_changed (BwStopList *self)
{
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
set_loading (BwStopList *self,
             gboolean    loading)
{
  if ((self->loading != NULL) == loading)
    return;
  if (loading)
    self->loading = g_ptr_array_new_with_free_func (g_object_unref);
  else
    g_clear_pointer (&self->loading, g_ptr_array_unref);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
page_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = bw_client_get_finish (BW_CLIENT (source), result, &error);
  BwStopList *self;
  JsonObject *obj;
  JsonArray *arr;
  guint n, offset, total;

  if (node == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self = user_data;
      g_free (self->error);
      self->error = g_strdup (error->message);
      set_loading (self, FALSE);
      emit_changed (self);
      return;
    }
  self = user_data;
  obj = json_node_get_object (node);
  arr = bw_json_array_member (obj, "stops");
  n = arr ? json_array_get_length (arr) : 0;
  for (guint i = 0; i < n; i++)
    {
      BwStop *stop = bw_stop_new_from_json (json_array_get_object_element (arr, i), NULL);
      if (stop)
        g_ptr_array_add (self->loading, stop);
    }
  offset = (guint) json_object_get_int_member_with_default (obj, "offset", 0);
  total = (guint) json_object_get_int_member_with_default (obj, "total", 0);
  if (n > 0 && offset + n < total)
    {
      load_page (self, offset + n);
      return;
    }
  g_clear_pointer (&self->error, g_free);
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       self->loading->pdata, self->loading->len);
  set_loading (self, FALSE);
  emit_changed (self);
}

static void
load_page (BwStopList *self,
           guint       offset)
{
  GString *path = g_string_new ("/api/v1/stops?order=desc");
  char t[BW_TIME_FORMAT_LEN];

  g_string_append_printf (path, "&limit=%u&offset=%u", PAGE, offset);
  g_string_append_printf (path, "&from=%s", bw_time_format (self->from_us, t));
  g_string_append_printf (path, "&to=%s", bw_time_format (self->to_us, t));
  if (self->conveyors && self->conveyors[0])
    {
      g_autofree char *joined = g_strjoinv (",", self->conveyors);
      g_autofree char *escaped = g_uri_escape_string (joined, ",", FALSE);
      g_string_append_printf (path, "&conveyor=%s", escaped);
    }
  if (self->cause)
    {
      g_autofree char *escaped = g_uri_escape_string (self->cause, NULL, FALSE);
      g_string_append_printf (path, "&cause=%s", escaped);
    }
  bw_client_get_async (bw_line_get_client (self->line), path->str, self->cancellable, page_cb, self);
  g_string_free (path, TRUE);
}

/**
 * bw_stop_list_reload:
 *
 * Reads the stops of the filter again from the server.
 */
void
bw_stop_list_reload (BwStopList *self)
{
  g_return_if_fail (BW_IS_STOP_LIST (self));

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_loading (self, FALSE);
  set_loading (self, TRUE);
  load_page (self, 0);
}

/**
 * bw_stop_list_set_filter:
 * @conveyors: (nullable): conveyor ids; %NULL or empty for all
 * @cause: (nullable): a cause code, BW_CAUSE_FILTER_UNCLASSIFIED, or %NULL
 *   for all
 */
void
bw_stop_list_set_filter (BwStopList         *self,
                         gint64              from_us,
                         gint64              to_us,
                         const char * const *conveyors,
                         const char         *cause)
{
  g_return_if_fail (BW_IS_STOP_LIST (self));

  self->from_us = from_us;
  self->to_us = to_us;
  g_clear_pointer (&self->conveyors, g_strfreev);
  if (conveyors && conveyors[0])
    self->conveyors = g_strdupv ((char **) conveyors);
  g_free (self->cause);
  self->cause = cause && cause[0] ? g_strdup (cause) : NULL;
  /* the rows of another filter are wrong from now on */
  g_list_store_remove_all (self->store);
  bw_stop_list_reload (self);
}

void
bw_stop_list_get_period (BwStopList *self,
                         gint64     *from_us,
                         gint64     *to_us)
{
  g_return_if_fail (BW_IS_STOP_LIST (self));
  *from_us = self->from_us;
  *to_us = self->to_us;
}

static int
find_stop (BwStopList *self,
           gint64      id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BwStop) s = g_list_model_get_item (G_LIST_MODEL (self->store), i);
      if (s->id == id)
        return (int) i;
    }
  return -1;
}

static void
stop_event_cb (BwLine     *line,
               const char *type,
               BwStop     *stop,
               BwStopList *self)
{
  int i = find_stop (self, stop->id);
  gboolean match = bw_stop_list_matches (self, stop);

  if (self->loading)
    {
      /* a load is under way: it may or may not have this change; read again */
      bw_stop_list_reload (self);
      return;
    }
  if (i >= 0 && match)
    g_list_store_splice (self->store, i, 1, (gpointer *) &stop, 1);
  else if (i >= 0)
    g_list_store_remove (self->store, i);
  else if (match)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
      guint k;

      for (k = 0; k < n; k++)
        {
          g_autoptr(BwStop) s = g_list_model_get_item (G_LIST_MODEL (self->store), k);
          if (s->start_us < stop->start_us)
            break;
        }
      g_list_store_insert (self->store, k, stop);
    }
  else
    return;
  emit_changed (self);
}

GListModel *
bw_stop_list_get_model (BwStopList *self)
{
  g_return_val_if_fail (BW_IS_STOP_LIST (self), NULL);
  return G_LIST_MODEL (self->store);
}

gboolean
bw_stop_list_is_loading (BwStopList *self)
{
  g_return_val_if_fail (BW_IS_STOP_LIST (self), FALSE);
  return self->loading != NULL;
}

const char *
bw_stop_list_get_error (BwStopList *self)
{
  g_return_val_if_fail (BW_IS_STOP_LIST (self), NULL);
  return self->error;
}

void
bw_stop_list_get_totals (BwStopList *self,
                         gint64      now_us,
                         guint      *n_stops,
                         gint64     *downtime_us,
                         guint      *n_unclassified)
{
  guint n, unclassified = 0;
  gint64 total = 0;

  g_return_if_fail (BW_IS_STOP_LIST (self));

  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BwStop) s = g_list_model_get_item (G_LIST_MODEL (self->store), i);
      total += bw_stop_list_clipped_duration (self, s, now_us);
      if (s->cause == NULL)
        unclassified++;
    }
  if (n_stops)
    *n_stops = n;
  if (downtime_us)
    *downtime_us = total;
  if (n_unclassified)
    *n_unclassified = unclassified;
}

static int
cause_total_compare (gconstpointer a,
                     gconstpointer b)
{
  const BwCauseTotal *x = a, *y = b;

  return x->downtime_us < y->downtime_us ? 1 : x->downtime_us > y->downtime_us ? -1 : 0;
}

/**
 * bw_stop_list_get_cause_totals:
 *
 * Returns: (transfer full) (element-type BwCauseTotal): downtime by the
 *   operator's cause, largest first; the codes point into the list's stops
 *   and stay valid until the list changes
 */
GArray *
bw_stop_list_get_cause_totals (BwStopList *self,
                               gint64      now_us)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (BwCauseTotal));
  guint n;

  g_return_val_if_fail (BW_IS_STOP_LIST (self), out);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BwStop) s = g_list_model_get_item (G_LIST_MODEL (self->store), i);
      BwCauseTotal *t = NULL;

      for (guint k = 0; k < out->len; k++)
        if (g_strcmp0 (g_array_index (out, BwCauseTotal, k).code, s->cause) == 0)
          t = &g_array_index (out, BwCauseTotal, k);
      if (t == NULL)
        {
          BwCauseTotal fresh = { s->cause, 0, 0 };
          g_array_append_val (out, fresh);
          t = &g_array_index (out, BwCauseTotal, out->len - 1);
        }
      t->count++;
      t->downtime_us += bw_stop_list_clipped_duration (self, s, now_us);
    }
  g_array_sort (out, cause_total_compare);
  return out;
}

/**
 * bw_stop_list_dup_stops:
 *
 * Returns: (transfer full) (element-type BwStop): the stops, oldest first
 */
GPtrArray *
bw_stop_list_dup_stops (BwStopList *self)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);
  guint n;

  g_return_val_if_fail (BW_IS_STOP_LIST (self), out);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  for (guint i = n; i-- > 0;)
    g_ptr_array_add (out, g_list_model_get_item (G_LIST_MODEL (self->store), i));
  return out;
}

/* ---- GObject ---- */

static void
bw_stop_list_dispose (GObject *object)
{
  BwStopList *self = BW_STOP_LIST (object);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  if (self->line)
    g_signal_handlers_disconnect_by_data (self->line, self);
  g_clear_object (&self->line);
  G_OBJECT_CLASS (bw_stop_list_parent_class)->dispose (object);
}

static void
bw_stop_list_finalize (GObject *object)
{
  BwStopList *self = BW_STOP_LIST (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_pointer (&self->loading, g_ptr_array_unref);
  g_strfreev (self->conveyors);
  g_free (self->cause);
  g_free (self->error);
  G_OBJECT_CLASS (bw_stop_list_parent_class)->finalize (object);
}

static void
bw_stop_list_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  BwStopList *self = BW_STOP_LIST (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bw_stop_list_class_init (BwStopListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bw_stop_list_dispose;
  object_class->finalize = bw_stop_list_finalize;
  object_class->get_property = bw_stop_list_get_property;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* the stops or the totals changed */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
bw_stop_list_init (BwStopList *self)
{
  self->store = g_list_store_new (BW_TYPE_STOP);
}

BwStopList *
bw_stop_list_new (BwLine *line)
{
  BwStopList *self;

  g_return_val_if_fail (BW_IS_LINE (line), NULL);

  self = g_object_new (BW_TYPE_STOP_LIST, NULL);
  self->line = g_object_ref (line);
  g_signal_connect (line, "stop-event", G_CALLBACK (stop_event_cb), self);
  return self;
}
