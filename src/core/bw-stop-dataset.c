/* bw-stop-dataset.c: labelled stops for training the cause classifier
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-stop-dataset"

#include "config.h"

#include <math.h>
#include <string.h>

#include "bw-classifier.h"
#include "bw-error.h"
#include "bw-time.h"

struct _BwStopDataset
{
  GPtrArray *stops;   /* BwLabelledStop* */
};

static void
labelled_stop_free (gpointer data)
{
  BwLabelledStop *s = data;

  bw_window_unref (s->window);
  g_free ((char *) s->context.conveyor);
  g_free ((char *) s->context.trigger);
  g_free (s->cause);
  g_free (s->group);
  g_free (s);
}

BwStopDataset *
bw_stop_dataset_new (void)
{
  BwStopDataset *self = g_new0 (BwStopDataset, 1);

  self->stops = g_ptr_array_new_with_free_func (labelled_stop_free);
  return self;
}

void
bw_stop_dataset_free (BwStopDataset *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->stops);
  g_free (self);
}

/**
 * bw_stop_dataset_add:
 * @window: (transfer none): the stop's window; the dataset takes a reference
 */
void
bw_stop_dataset_add (BwStopDataset       *self,
                     BwWindow            *window,
                     const BwStopContext *context,
                     const char          *cause,
                     const char          *group)
{
  BwLabelledStop *s;

  g_return_if_fail (self != NULL && window != NULL && context != NULL && cause != NULL);

  s = g_new0 (BwLabelledStop, 1);
  s->window = bw_window_ref (window);
  s->context = *context;
  s->context.conveyor = g_strdup (context->conveyor ? context->conveyor : "");
  s->context.trigger = g_strdup (context->trigger ? context->trigger : "none");
  s->cause = g_strdup (cause);
  s->group = g_strdup (group);
  g_ptr_array_add (self->stops, s);
}

guint
bw_stop_dataset_get_n_stops (const BwStopDataset *self)
{
  return self->stops->len;
}

const BwLabelledStop *
bw_stop_dataset_get (const BwStopDataset *self,
                     guint                index)
{
  g_return_val_if_fail (index < self->stops->len, NULL);
  return g_ptr_array_index (self->stops, index);
}

/* ---- JSON Lines ---------------------------------------------------------- */

static void
add_number_or_null (JsonBuilder *b,
                    const char  *name,
                    double       v)
{
  json_builder_set_member_name (b, name);
  if (isfinite (v))
    json_builder_add_double_value (b, v);
  else
    json_builder_add_null_value (b);
}

/**
 * bw_stop_dataset_save_jsonl:
 *
 * One stop per line: `{"cause", "group", "context": {…}, "window": {…}}`,
 * the window as bw_window_to_json() writes it.
 */
gboolean
bw_stop_dataset_save_jsonl (const BwStopDataset *self,
                            const char          *path,
                            GError             **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  char buf[BW_TIME_FORMAT_LEN];

  for (guint i = 0; i < self->stops->len; i++)
    {
      const BwLabelledStop *s = g_ptr_array_index (self->stops, i);
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *line = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "cause");
      json_builder_add_string_value (b, s->cause);
      json_builder_set_member_name (b, "group");
      if (s->group)
        json_builder_add_string_value (b, s->group);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "context");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "conveyor");
      json_builder_add_string_value (b, s->context.conveyor);
      json_builder_set_member_name (b, "trigger");
      json_builder_add_string_value (b, s->context.trigger);
      json_builder_set_member_name (b, "start");
      json_builder_add_string_value (b, bw_time_format (s->context.start_us, buf));
      add_number_or_null (b, "since_last_stop_s", s->context.since_last_stop_s);
      json_builder_set_member_name (b, "md_trips_last_hour");
      json_builder_add_int_value (b, s->context.md_trips_last_hour);
      add_number_or_null (b, "load_before", s->context.load_before);
      add_number_or_null (b, "md_background", s->context.md_background);
      add_number_or_null (b, "md_peak", s->context.md_peak);
      json_builder_end_object (b);
      json_builder_set_member_name (b, "window");
      json_builder_add_value (b, bw_window_to_json (s->window));
      json_builder_end_object (b);

      root = json_builder_get_root (b);
      json_generator_set_root (gen, root);
      line = json_generator_to_data (gen, NULL);
      g_string_append (out, line);
      g_string_append_c (out, '\n');
    }
  return g_file_set_contents (path, out->str, out->len, error);
}

static double
member_double (JsonObject *o,
               const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return NAN;
  return json_node_get_double (n);
}

/**
 * bw_stop_dataset_load_jsonl:
 *
 * Reads the file bw_stop_dataset_save_jsonl() writes (the simulator's and
 * the ledger's exports use the same form).
 *
 * Returns: (transfer full) (nullable): the stops, or %NULL with @error set
 *   naming the first bad line
 */
BwStopDataset *
bw_stop_dataset_load_jsonl (const char *path,
                            GError    **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(BwStopDataset) self = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  self = bw_stop_dataset_new ();
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_autoptr(GError) local = NULL;
      g_autoptr(BwWindow) window = NULL;
      JsonObject *o, *ctx;
      BwStopContext c = { 0 };
      const char *cause, *start;

      if (*g_strstrip (lines[i]) == '\0')
        continue;
      if (!json_parser_load_from_data (parser, lines[i], -1, &local))
        goto bad;
      if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        goto bad;
      o = json_node_get_object (json_parser_get_root (parser));
      cause = json_object_get_string_member_with_default (o, "cause", NULL);
      if (cause == NULL || *cause == '\0' || !json_object_has_member (o, "window") ||
          !json_object_has_member (o, "context") ||
          !JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, "context")))
        goto bad;
      window = bw_window_from_json (json_object_get_member (o, "window"), &local);
      if (window == NULL)
        goto bad;
      ctx = json_object_get_object_member (o, "context");
      c.conveyor = json_object_get_string_member_with_default (ctx, "conveyor", "");
      c.trigger = json_object_get_string_member_with_default (ctx, "trigger", "none");
      start = json_object_get_string_member_with_default (ctx, "start", NULL);
      if (start == NULL || !bw_time_parse (start, -1, &c.start_us))
        c.start_us = window->stop_us;
      c.since_last_stop_s = member_double (ctx, "since_last_stop_s");
      c.md_trips_last_hour = (guint) MAX (0, json_object_get_int_member_with_default (ctx, "md_trips_last_hour", 0));
      c.load_before = member_double (ctx, "load_before");
      c.md_background = member_double (ctx, "md_background");
      c.md_peak = member_double (ctx, "md_peak");
      bw_stop_dataset_add (self, window, &c, cause,
                           json_object_get_string_member_with_default (o, "group", NULL));
      continue;

    bad:
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "%s:%u: not a labelled stop%s%s",
                   path, i + 1, local ? ": " : "", local ? local->message : "");
      return NULL;
    }
  return g_steal_pointer (&self);
}

/* ---- synthetic stops ----------------------------------------------------- */

/* Stops with a distinct, noisy signal shape per cause, for developing and
 * testing the classifier without a simulator or a ledger. Two causes share
 * the metal-detector trigger and differ only in the detector signal's shape
 * (a narrow, chattering spike for a false trip, a smooth bump as an object
 * passes for a real one), as on a real line. */

static double
gauss (GRand *r)
{
  double u1 = g_rand_double (r), u2 = g_rand_double (r);
  return sqrt (-2.0 * log (MAX (u1, 1e-300))) * cos (2.0 * G_PI * u2);
}

static const char *const synth_tags[] = {
  "belt_speed", "motor_current", "load", "md_signal", "vibration",
};

enum { SPEED, CURRENT, LOAD, MD, VIB };

static void
synth_stop (GRand      *r,
            const char *cause,
            gint64      stop_us,
            BwWindow  **out_window,
            BwStopContext *c)
{
  const guint before = 600, after = 300, n = before + after;
  BwWindow *w = bw_window_new (stop_us, stop_us - before * G_GINT64_CONSTANT (100000), 100000, n,
                               G_N_ELEMENTS (synth_tags), (const char **) synth_tags);
  double speed0 = 2.5 + 0.05 * gauss (r), load0 = 700 + 150 * g_rand_double (r);
  double md_bg = 25 + 10 * g_rand_double (r), vib0 = 2.5 + 0.8 * g_rand_double (r);
  double md_noise = 3.0, coast = 2.0 + 2.0 * g_rand_double (r);
  guint event = before - 1 - g_rand_int_range (r, 0, 8);   /* the trip's last sample */
  gboolean is_false = g_str_equal (cause, "md_false_trip");
  gboolean is_object = g_str_equal (cause, "foreign_object");
  double ramp_start = 0, load_end = load0, bump_h = 0, bump_w = 0;
  int failure_kind = g_rand_int_range (r, 0, 4);
  guint stop_i = before;
  guint wide = g_rand_double (r) < 0.08 ? 2 + g_rand_int_range (r, 0, 4) : 0;

  c->trigger = "none";
  if (is_false || is_object)
    c->trigger = "md_trip";
  else if (g_str_equal (cause, "failure"))
    c->trigger = (const char *[]) { "overload", "slip", "misalign", "chute_block" }[failure_kind];
  else if (g_str_equal (cause, "other"))
    c->trigger = g_rand_boolean (r) ? "pullcord" : "none";

  if (is_false)
    {
      md_noise = 5.0 + 6.0 * g_rand_double (r);    /* make-and-break loops chatter */
      md_bg += 8 * g_rand_double (r);
      vib0 += 0.6 * g_rand_double (r);
    }
  if (is_object)
    {
      bump_h = 110 + 160 * g_rand_double (r);
      bump_w = 4 + 8 * g_rand_double (r);          /* samples: 0.4 to 1.2 s */
      if (g_rand_double (r) < 0.08)
        {
          bump_w = 1.5 + g_rand_double (r);        /* a small object close to the coil */
          md_noise = 4 + 4 * g_rand_double (r);
        }
    }
  if (g_str_equal (cause, "process"))
    {
      ramp_start = 150 + 300 * g_rand_double (r);  /* feed runs out */
      load_end = load0 * 0.1 * g_rand_double (r);
    }
  if (g_str_equal (cause, "planned"))
    {
      ramp_start = 20 + 100 * g_rand_double (r);   /* belt emptied well before */
      load_end = 0;
    }

  for (guint j = 0; j < n; j++)
    {
      double t_after = ((double) j - stop_i) / 10.0, load, speed, cur, md, vib;

      /* load: nominal, or tapering for process and planned stops */
      load = load0 + 25 * gauss (r) + 40 * sin (j / 37.0);
      if (ramp_start > 0 && j > ramp_start)
        {
          double f = MIN (1.0, (j - ramp_start) / 120.0);
          load = load * (1 - f) + load_end * f + 5 * gauss (r);
        }
      speed = speed0 + 0.01 * gauss (r);
      vib = vib0 + 0.15 * gauss (r);
      md = md_bg + md_noise * gauss (r);

      if (g_str_equal (cause, "failure"))
        {
          double lead = (double) stop_i - j;   /* samples before the stop */
          switch (failure_kind)
            {
            case 0:   /* overload: current climbs over the last seconds */
              if (lead < 80 && lead > 0)
                load *= 1.0 + (80 - lead) / 80.0 * 0.6;
              break;
            case 1:   /* slip: speed sags before the under-speed switch trips */
              if (lead < 60 && lead > 0)
                speed *= 1.0 - (60 - lead) / 60.0 * 0.3;
              break;
            case 2:   /* misalignment: vibration grows */
              vib += MAX (0.0, (300 - lead) / 300.0) * 3.0;
              break;
            default:  /* chute blockage: load on the scale collapses, current rises */
              if (lead < 50 && lead > 0)
                load *= 0.3;
              break;
            }
        }
      if (is_false && j >= event - 1 - wide && j <= event)
        md = 100 + 40 * g_rand_double (r);
      if (is_false && j < event && g_rand_double (r) < 0.02)
        md += 30 + 30 * g_rand_double (r);          /* sub-trip chatter */
      if (is_object)
        {
          double d = ((double) j - event) / bump_w;
          md += bump_h * exp (-0.5 * d * d * 4);
        }

      cur = 20 + 0.08 * load + 2 * gauss (r);
      if (g_str_equal (cause, "failure") && failure_kind == 0)
        cur += MAX (0.0, 80 - ((double) stop_i - j)) * 0.9;
      if (g_str_equal (cause, "failure") && failure_kind == 3)
        cur += MAX (0.0, 50 - ((double) stop_i - j)) * 0.8;
      if (t_after >= 0)
        {
          double f = exp (-t_after / coast);
          speed *= f;
          cur = cur * (t_after < 0.2 ? 1 : 0.02);
          load *= f;
          vib = vib * f + 0.3 * fabs (gauss (r)) * (1 - f);
        }
      w->values[SPEED][j] = speed;
      w->values[CURRENT][j] = cur;
      w->values[LOAD][j] = MAX (0.0, load);
      w->values[MD][j] = MAX (0.0, md);
      w->values[VIB][j] = MAX (0.0, vib);
    }

  /* a few gaps, as a real stream has */
  for (int g = 0; g < 3; g++)
    {
      guint tag = g_rand_int_range (r, 0, G_N_ELEMENTS (synth_tags));
      guint at = g_rand_int_range (r, 0, n - 5);
      for (guint j = at; j < at + 3; j++)
        w->values[tag][j] = NAN;
    }

  c->conveyor = "CV-101";
  c->start_us = stop_us;
  c->since_last_stop_s = g_str_equal (cause, "planned") ? 3600 * (4 + 8 * g_rand_double (r))
                                                        : 60 * (5 + 300 * g_rand_double (r));
  c->md_trips_last_hour = is_false ? g_rand_int_range (r, 0, 9) : g_rand_int_range (r, 0, 3);
  c->load_before = load0;
  c->md_background = md_bg;
  {
    double peak = -INFINITY;
    for (guint j = before - 100; j <= before + 10; j++)
      if (isfinite (w->values[MD][j]))
        peak = MAX (peak, w->values[MD][j]);
    c->md_peak = peak;
  }
  *out_window = w;
}

/**
 * bw_stop_dataset_new_synthetic:
 *
 * Returns: (transfer full): @n_stops synthetic labelled stops, causes drawn
 *   with the shares of a typical crusher feed (false trips most common)
 */
BwStopDataset *
bw_stop_dataset_new_synthetic (guint   n_stops,
                               guint64 seed)
{
  static const struct { const char *cause; double share; } mix[] = {
    { "md_false_trip", 0.35 }, { "foreign_object", 0.20 }, { "failure", 0.15 },
    { "process", 0.15 }, { "planned", 0.10 }, { "other", 0.05 },
  };
  BwStopDataset *self = bw_stop_dataset_new ();
  GRand *r = g_rand_new_with_seed_array ((const guint32[]) { seed & 0xffffffff, seed >> 32 }, 2);
  g_autofree char *group = g_strdup_printf ("synthetic-%" G_GUINT64_FORMAT, seed);
  gint64 t = bw_time_from_civil (2026, 1, 1, 0, 0, 0);

  for (guint i = 0; i < n_stops; i++)
    {
      double u = g_rand_double (r), acc = 0;
      const char *cause = mix[G_N_ELEMENTS (mix) - 1].cause;
      BwWindow *w = NULL;
      BwStopContext c = { 0 };

      /* every cause at least once in small sets, then by share */
      if (i < G_N_ELEMENTS (mix))
        cause = mix[i].cause;
      else
        for (guint k = 0; k < G_N_ELEMENTS (mix); k++)
          {
            acc += mix[k].share;
            if (u < acc)
              {
                cause = mix[k].cause;
                break;
              }
          }
      t += BW_USEC_PER_MIN * (10 + g_rand_int_range (r, 0, 120));
      synth_stop (r, cause, t, &w, &c);
      bw_stop_dataset_add (self, w, &c, cause, group);
      bw_window_unref (w);
    }
  g_rand_free (r);
  return self;
}
