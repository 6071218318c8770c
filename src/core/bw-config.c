/* bw-config.c
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-config"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "bw-config.h"
#include "bw-error.h"
#include "bw-tags.h"
#include "bw-time.h"

typedef struct
{
  GKeyFile   *user;      /* may be NULL */
  GKeyFile   *defaults;
  const char *text;      /* the user's file text, for line numbers */
  const char *name;      /* the user's file name */
} Ctx;

static const char *known_keys[][16] = {
  { "server", "listen", NULL },
  { "storage", "backend", "path", "conninfo", "history-retention", "event-retention", NULL },
  { "source", "type", "replay-file", "replay-speed", "future-tolerance", NULL },
  { "simulator", "conveyors", "seed", "first-id", "stop-interval", "duration-scale", NULL },
  { "detection", "zero-speed", "zero-speed-time", "micro-stop", "first-out-window", "stale-timeout",
    "window-before", "window-after", "ring", "auto-add-conveyors", NULL },
  { "classifier", "model", "tracking-dir", "run-id", NULL },
  { "conveyor", "name", "tags", "zero-speed", "zero-speed-time", "micro-stop", "first-out-window",
    "stale-timeout", "window-before", "window-after", "ring", "detector-model", NULL },
  { "cause", "name", "planned", NULL },
  { "reports", "plant", "section", "timezone", "shifts", "md-cluster-trips", "md-cluster-window", "md-history", NULL },
};

GBytes *
bw_config_get_defaults (void)
{
  return g_resources_lookup_data ("/io/github/beltwatch/core/default-config.ini",
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
}

/* The 1-based line of [group] key=…, or of [group] when key is NULL; 0 if absent */
static guint
find_line (const char *text,
           const char *group,
           const char *key)
{
  g_auto(GStrv) lines = NULL;
  gboolean in_group = FALSE;

  if (text == NULL)
    return 0;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      char *l = g_strstrip (lines[i]);

      if (*l == '[')
        {
          char *close = strchr (l, ']');
          if (close)
            {
              *close = '\0';
              in_group = g_str_equal (l + 1, group);
              if (in_group && key == NULL)
                return i + 1;
            }
          continue;
        }
      if (in_group && key && *l != '#')
        {
          char *eq = strchr (l, '=');
          if (eq)
            {
              *eq = '\0';
              g_strchomp (l);
              /* locale variants name[ru] count as the key */
              char *br = strchr (l, '[');
              if (br)
                *br = '\0';
              if (g_str_equal (l, key))
                return i + 1;
            }
        }
    }
  return 0;
}

static void G_GNUC_PRINTF (5, 6)
set_error (Ctx         *ctx,
           GError     **error,
           const char  *group,
           const char  *key,
           const char  *format,
           ...)
{
  g_autofree char *msg = NULL;
  guint line = find_line (ctx->text, group, key);
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);

  if (line)
    g_set_error (error, BW_ERROR, BW_ERROR_CONFIG, "%s:%u: [%s] %s: %s",
                 ctx->name, line, group, key ? key : "", msg);
  else
    g_set_error (error, BW_ERROR, BW_ERROR_CONFIG, "%s: [%s] %s: %s",
                 ctx->name ? ctx->name : "configuration", group, key ? key : "", msg);
}

static char *
lookup (Ctx        *ctx,
        const char *group,
        const char *fallback_group,
        const char *key)
{
  if (ctx->user && g_key_file_has_key (ctx->user, group, key, NULL))
    return g_key_file_get_value (ctx->user, group, key, NULL);
  if (fallback_group)
    return NULL;
  if (g_key_file_has_key (ctx->defaults, group, key, NULL))
    return g_key_file_get_value (ctx->defaults, group, key, NULL);
  return NULL;
}

static gboolean
get_string (Ctx         *ctx,
            const char  *group,
            const char  *key,
            char       **out,
            GError     **error)
{
  char *v = lookup (ctx, group, NULL, key);

  if (v == NULL)
    v = g_strdup ("");
  g_strstrip (v);
  g_free (*out);
  *out = v;
  return TRUE;
}

static gboolean
get_duration (Ctx         *ctx,
              const char  *group,
              gboolean     optional,
              const char  *key,
              gint64      *out,
              GError     **error)
{
  g_autofree char *v = lookup (ctx, group, optional ? group : NULL, key);

  if (v == NULL)
    return TRUE;
  g_strstrip (v);
  if (!bw_duration_parse (v, out))
    {
      set_error (ctx, error, group, key,
                 "“%s” is not a duration (examples: 500ms, 2s, 5m, 1h, 30d)", v);
      return FALSE;
    }
  return TRUE;
}

static gboolean
get_double (Ctx         *ctx,
            const char  *group,
            gboolean     optional,
            const char  *key,
            double       min,
            double       max,
            double      *out,
            GError     **error)
{
  g_autofree char *v = lookup (ctx, group, optional ? group : NULL, key);
  char *end;
  double d;

  if (v == NULL)
    return TRUE;
  g_strstrip (v);
  d = g_ascii_strtod (v, &end);
  if (*v == '\0' || *end != '\0' || !isfinite (d))
    {
      set_error (ctx, error, group, key, "“%s” is not a number", v);
      return FALSE;
    }
  if (d < min || d > max)
    {
      set_error (ctx, error, group, key, "%g is out of range (%g to %g)", d, min, max);
      return FALSE;
    }
  *out = d;
  return TRUE;
}

static gboolean
get_int (Ctx         *ctx,
         const char  *group,
         const char  *key,
         gint64       min,
         gint64       max,
         gint64      *out,
         GError     **error)
{
  g_autofree char *v = lookup (ctx, group, NULL, key);
  g_autoptr(GError) local = NULL;
  gint64 n;

  if (v == NULL)
    return TRUE;
  g_strstrip (v);
  if (!g_ascii_string_to_signed (v, 10, G_MININT64, G_MAXINT64, &n, &local))
    {
      set_error (ctx, error, group, key, "“%s” is not a whole number", v);
      return FALSE;
    }
  if (n < min || n > max)
    {
      set_error (ctx, error, group, key, "%" G_GINT64_FORMAT " is out of range (%" G_GINT64_FORMAT
                 " to %" G_GINT64_FORMAT ")", n, min, max);
      return FALSE;
    }
  *out = n;
  return TRUE;
}

static gboolean
get_bool (Ctx         *ctx,
          const char  *group,
          const char  *key,
          gboolean    *out,
          GError     **error)
{
  g_autofree char *v = lookup (ctx, group, NULL, key);

  if (v == NULL)
    return TRUE;
  g_strstrip (v);
  if (g_ascii_strcasecmp (v, "true") == 0 || g_str_equal (v, "1") || g_ascii_strcasecmp (v, "yes") == 0)
    *out = TRUE;
  else if (g_ascii_strcasecmp (v, "false") == 0 || g_str_equal (v, "0") || g_ascii_strcasecmp (v, "no") == 0)
    *out = FALSE;
  else
    {
      set_error (ctx, error, group, key, "“%s” is not true or false", v);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_detection (Ctx               *ctx,
                 const char        *group,
                 gboolean           optional,
                 BwDetectionParams *d,
                 GError           **error)
{
  if (!get_double (ctx, group, optional, "zero-speed", 0, 100, &d->zero_speed, error) ||
      !get_duration (ctx, group, optional, "zero-speed-time", &d->zero_speed_time_us, error) ||
      !get_duration (ctx, group, optional, "micro-stop", &d->micro_stop_us, error) ||
      !get_duration (ctx, group, optional, "first-out-window", &d->first_out_window_us, error) ||
      !get_duration (ctx, group, optional, "stale-timeout", &d->stale_timeout_us, error) ||
      !get_duration (ctx, group, optional, "window-before", &d->window_before_us, error) ||
      !get_duration (ctx, group, optional, "window-after", &d->window_after_us, error) ||
      !get_duration (ctx, group, optional, "ring", &d->ring_us, error))
    return FALSE;
  if (d->window_before_us > 10 * BW_USEC_PER_MIN || d->window_after_us > 10 * BW_USEC_PER_MIN)
    {
      set_error (ctx, error, group, "window-before",
                 "signal windows longer than 10 minutes are not supported");
      return FALSE;
    }
  if (d->ring_us < d->window_before_us)
    {
      set_error (ctx, error, group, "ring", "the ring must be at least as long as window-before");
      return FALSE;
    }
  return TRUE;
}

gboolean
bw_config_parse_listen (BwConfig    *self,
                        const char  *text,
                        GError     **error)
{
  const char *colon = strrchr (text, ':');
  guint64 port;
  g_autofree char *host = NULL;

  if (colon == NULL)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_CONFIG, "“%s” is not ADDRESS:PORT", text);
      return FALSE;
    }
  host = g_strndup (text, (gsize) (colon - text));
  if (host[0] == '[' && host[strlen (host) - 1] == ']')
    {
      char *inner = g_strndup (host + 1, strlen (host) - 2);
      g_free (host);
      host = inner;
    }
  if (!g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &port, NULL))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_CONFIG, "“%s” is not a port number", colon + 1);
      return FALSE;
    }
  g_free (self->listen_host);
  self->listen_host = *host ? g_steal_pointer (&host) : g_strdup ("127.0.0.1");
  self->listen_port = (guint) port;
  return TRUE;
}

gboolean
bw_config_parse_source (BwConfig    *self,
                        const char  *text,
                        GError     **error)
{
  if (g_str_equal (text, "simulator"))
    self->source = BW_SOURCE_SIMULATOR;
  else if (g_str_equal (text, "kafka"))
    self->source = BW_SOURCE_KAFKA;
  else if (g_str_equal (text, "none"))
    self->source = BW_SOURCE_NONE;
  else if (g_str_equal (text, "replay"))
    self->source = BW_SOURCE_REPLAY;
  else if (g_str_has_prefix (text, "replay:") && text[7] != '\0')
    {
      self->source = BW_SOURCE_REPLAY;
      g_free (self->replay_file);
      self->replay_file = g_strdup (text + 7);
    }
  else
    {
      g_set_error (error, BW_ERROR, BW_ERROR_CONFIG,
                   "“%s” is not a source (simulator, replay:FILE, kafka or none)", text);
      return FALSE;
    }
  return TRUE;
}

char *
bw_config_default_db_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "beltwatch", "ledger.sqlite", NULL);
}

static void
conveyor_config_free (gpointer data)
{
  BwConveyorConfig *c = data;

  g_free (c->id);
  g_free (c->name);
  g_strfreev (c->extra_tags);
  g_free (c->detector_model);
  g_free (c);
}

static void
cause_config_free (gpointer data)
{
  BwCauseConfig *c = data;

  g_free (c->code);
  g_free (c->name);
  g_free (c->name_ru);
  g_free (c);
}

static gboolean
valid_id (const char *id)
{
  if (*id == '\0' || strlen (id) > 64)
    return FALSE;
  for (const char *p = id; *p; p++)
    if (!(g_ascii_isalnum (*p) || *p == '-' || *p == '_'))
      return FALSE;
  return TRUE;
}

/* Reports lines that are neither comments, groups nor key=value pairs,
 * with their number: GKeyFile's own message does not name the line. */
static gboolean
check_syntax (Ctx     *ctx,
              GError **error)
{
  g_auto(GStrv) lines = g_strsplit (ctx->text, "\n", -1);
  gboolean seen_group = FALSE;

  for (guint i = 0; lines[i]; i++)
    {
      char *l = g_strstrip (lines[i]);

      if (*l == '\0' || *l == '#' || *l == ';')
        continue;
      if (*l == '[')
        {
          if (l[strlen (l) - 1] != ']' || strlen (l) < 3)
            {
              g_set_error (error, BW_ERROR, BW_ERROR_CONFIG,
                           "%s:%u: “%s” is not a valid [group] header", ctx->name, i + 1, l);
              return FALSE;
            }
          seen_group = TRUE;
          continue;
        }
      if (strchr (l, '=') == NULL || *l == '=')
        {
          g_set_error (error, BW_ERROR, BW_ERROR_CONFIG,
                       "%s:%u: “%s” is not a key=value line", ctx->name, i + 1, l);
          return FALSE;
        }
      if (!seen_group)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_CONFIG,
                       "%s:%u: “%s” comes before any [group]", ctx->name, i + 1, l);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
check_keys (Ctx     *ctx,
            GError **error)
{
  g_auto(GStrv) groups = g_key_file_get_groups (ctx->user, NULL);

  for (guint g = 0; groups[g]; g++)
    {
      const char *group = groups[g];
      const char *kind = group;
      g_autofree char *prefix = NULL;
      const char * const *keys = NULL;
      g_auto(GStrv) present = NULL;

      if (g_str_equal (group, "kafka") || g_str_equal (group, "users"))
        continue;
      if (g_str_has_prefix (group, "conveyor ") || g_str_has_prefix (group, "cause "))
        {
          const char *id = strchr (group, ' ') + 1;
          prefix = g_strndup (group, (gsize) (id - group - 1));
          kind = prefix;
          if (!valid_id (id))
            {
              set_error (ctx, error, group, NULL,
                         "“%s” is not a valid id (letters, digits, - and _, at most 64)", id);
              return FALSE;
            }
        }
      for (guint k = 0; k < G_N_ELEMENTS (known_keys); k++)
        if (g_str_equal (known_keys[k][0], kind))
          keys = &known_keys[k][1];
      if (keys == NULL)
        {
          set_error (ctx, error, group, NULL, "unknown group");
          return FALSE;
        }
      present = g_key_file_get_keys (ctx->user, group, NULL, NULL);
      for (guint i = 0; present[i]; i++)
        {
          g_autofree char *base = g_strdup (present[i]);
          char *br = strchr (base, '[');
          if (br)
            *br = '\0';
          if (!g_strv_contains (keys, base))
            {
              set_error (ctx, error, group, base, "unknown key");
              return FALSE;
            }
        }
    }
  return TRUE;
}

static BwConfig *
parse (Ctx     *ctx,
       GError **error)
{
  g_autoptr(BwConfig) self = g_new0 (BwConfig, 1);
  g_autofree char *listen = NULL, *source = NULL, *backend = NULL;
  gint64 n;

  self->path = ctx->text ? g_strdup (ctx->name) : NULL;
  self->users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->kafka_properties = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->conveyors = g_ptr_array_new_with_free_func (conveyor_config_free);
  self->causes = g_ptr_array_new_with_free_func (cause_config_free);

  if (ctx->user && (!check_syntax (ctx, error) || !check_keys (ctx, error)))
    return NULL;

  if (!get_string (ctx, "server", "listen", &listen, error))
    return NULL;
  {
    g_autoptr(GError) local = NULL;
    if (!bw_config_parse_listen (self, listen, &local))
      {
        set_error (ctx, error, "server", "listen", "%s", local->message);
        return NULL;
      }
  }

  if (ctx->user && g_key_file_has_group (ctx->user, "users"))
    {
      g_auto(GStrv) names = g_key_file_get_keys (ctx->user, "users", NULL, NULL);
      for (guint i = 0; names[i]; i++)
        {
          char *v = g_key_file_get_value (ctx->user, "users", names[i], NULL);
          g_hash_table_insert (self->users, g_strdup (names[i]), g_strstrip (v));
        }
    }

  if (!get_string (ctx, "storage", "backend", &backend, error) ||
      !get_string (ctx, "storage", "path", &self->db_path, error) ||
      !get_string (ctx, "storage", "conninfo", &self->pg_conninfo, error) ||
      !get_duration (ctx, "storage", FALSE, "history-retention", &self->history_retention_us, error) ||
      !get_duration (ctx, "storage", FALSE, "event-retention", &self->event_retention_us, error))
    return NULL;
  if (!g_str_equal (backend, "sqlite") && !g_str_equal (backend, "postgresql"))
    {
      set_error (ctx, error, "storage", "backend", "“%s” is not sqlite or postgresql", backend);
      return NULL;
    }
  if (g_str_equal (backend, "postgresql") && *self->pg_conninfo == '\0')
    {
      set_error (ctx, error, "storage", "conninfo", "the postgresql backend needs a conninfo");
      return NULL;
    }
  self->storage_backend = g_steal_pointer (&backend);
  if (*self->db_path == '\0')
    {
      g_free (self->db_path);
      self->db_path = bw_config_default_db_path ();
    }

  if (!get_string (ctx, "source", "type", &source, error) ||
      !get_string (ctx, "source", "replay-file", &self->replay_file, error) ||
      !get_double (ctx, "source", FALSE, "replay-speed", 0, 1e6, &self->replay_speed, error) ||
      !get_duration (ctx, "source", FALSE, "future-tolerance", &self->future_tolerance_us, error))
    return NULL;
  {
    g_autoptr(GError) local = NULL;
    if (!bw_config_parse_source (self, source, &local))
      {
        set_error (ctx, error, "source", "type", "%s", local->message);
        return NULL;
      }
  }
  if (self->source == BW_SOURCE_REPLAY && *self->replay_file == '\0')
    {
      set_error (ctx, error, "source", "replay-file", "the replay source needs a replay-file");
      return NULL;
    }

  n = 3;
  if (!get_int (ctx, "simulator", "conveyors", 1, 200, &n, error))
    return NULL;
  self->sim_conveyors = (guint) n;
  n = 1;
  if (!get_int (ctx, "simulator", "seed", 0, G_MAXINT64, &n, error))
    return NULL;
  self->sim_seed = (guint64) n;
  if (!get_string (ctx, "simulator", "first-id", &self->sim_first_id, error) ||
      !get_duration (ctx, "simulator", FALSE, "stop-interval", &self->sim_stop_interval_us, error) ||
      !get_double (ctx, "simulator", FALSE, "duration-scale", 0.001, 100, &self->sim_duration_scale, error))
    return NULL;
  if (!valid_id (self->sim_first_id))
    {
      set_error (ctx, error, "simulator", "first-id", "“%s” is not a valid conveyor id", self->sim_first_id);
      return NULL;
    }
  if (self->sim_stop_interval_us < 10 * BW_USEC_PER_SEC)
    {
      set_error (ctx, error, "simulator", "stop-interval", "must be at least 10s");
      return NULL;
    }

  /* [kafka]: Beltwatch's own keys, and everything else for librdkafka */
  {
    g_autofree char *batch = NULL;
    GKeyFile *files[] = { ctx->defaults, ctx->user };

    for (guint f = 0; f < G_N_ELEMENTS (files); f++)
      {
        g_auto(GStrv) keys = NULL;
        if (files[f] == NULL || !g_key_file_has_group (files[f], "kafka"))
          continue;
        keys = g_key_file_get_keys (files[f], "kafka", NULL, NULL);
        for (guint i = 0; keys[i]; i++)
          {
            char *v;
            if (g_str_equal (keys[i], "topic") || g_str_equal (keys[i], "events-topic") ||
                g_str_equal (keys[i], "batch-size"))
              continue;
            v = g_key_file_get_value (files[f], "kafka", keys[i], NULL);
            g_hash_table_insert (self->kafka_properties, g_strdup (keys[i]), g_strstrip (v));
          }
      }
    n = 1000;
    if (!get_string (ctx, "kafka", "topic", &self->kafka_topic, error) ||
        !get_string (ctx, "kafka", "events-topic", &self->kafka_events_topic, error) ||
        !get_int (ctx, "kafka", "batch-size", 1, 1000000, &n, error))
      return NULL;
    self->kafka_batch_size = (guint) n;
    if (*self->kafka_topic == '\0')
      {
        set_error (ctx, error, "kafka", "topic", "must not be empty");
        return NULL;
      }
  }

  if (!parse_detection (ctx, "detection", FALSE, &self->detection, error) ||
      !get_bool (ctx, "detection", "auto-add-conveyors", &self->auto_add_conveyors, error) ||
      !get_string (ctx, "classifier", "model", &self->classifier_model, error) ||
      !get_string (ctx, "classifier", "tracking-dir", &self->classifier_tracking_dir, error) ||
      !get_string (ctx, "classifier", "run-id", &self->classifier_run_id, error))
    return NULL;
  if (*self->classifier_run_id && *self->classifier_tracking_dir == '\0')
    {
      set_error (ctx, error, "classifier", "tracking-dir", "a run-id needs the MLflow tracking-dir it is in");
      return NULL;
    }

  if (ctx->user)
    {
      g_auto(GStrv) groups = g_key_file_get_groups (ctx->user, NULL);

      for (guint g = 0; groups[g]; g++)
        {
          if (g_str_has_prefix (groups[g], "conveyor "))
            {
              BwConveyorConfig *c = g_new0 (BwConveyorConfig, 1);
              g_autofree char *tags = NULL;

              c->id = g_strdup (groups[g] + strlen ("conveyor "));
              c->detection = self->detection;
              g_ptr_array_add (self->conveyors, c);
              c->name = g_key_file_get_locale_string (ctx->user, groups[g], "name", NULL, NULL);
              if (c->name == NULL)
                c->name = g_strdup (c->id);
              g_strstrip (c->name);
              tags = g_key_file_get_value (ctx->user, groups[g], "tags", NULL);
              c->extra_tags = g_strsplit (tags ? tags : "", ";", -1);
              /* drop empty items and standard names */
              {
                guint w = 0;
                for (guint i = 0; c->extra_tags[i]; i++)
                  {
                    char *t = g_strstrip (c->extra_tags[i]);
                    if (*t == '\0' || bw_tag_from_name (t, -1) >= 0)
                      {
                        g_free (t);
                        continue;
                      }
                    if (!valid_id (t))
                      {
                        set_error (ctx, error, groups[g], "tags", "“%s” is not a valid tag name", t);
                        for (guint j = i; c->extra_tags[j]; j++)
                          g_free (c->extra_tags[j]);
                        c->extra_tags[w] = NULL;
                        return NULL;
                      }
                    c->extra_tags[w++] = t;
                  }
                c->extra_tags[w] = NULL;
              }
              c->detector_model = g_key_file_get_value (ctx->user, groups[g], "detector-model", NULL);
              if (c->detector_model)
                g_strstrip (c->detector_model);
              if (!parse_detection (ctx, groups[g], TRUE, &c->detection, error))
                return NULL;
            }
          else if (g_str_has_prefix (groups[g], "cause "))
            {
              BwCauseConfig *c = g_new0 (BwCauseConfig, 1);

              c->code = g_strdup (groups[g] + strlen ("cause "));
              g_ptr_array_add (self->causes, c);
              c->name = g_key_file_get_value (ctx->user, groups[g], "name", NULL);
              c->name_ru = g_key_file_get_value (ctx->user, groups[g], "name[ru]", NULL);
              if (c->name == NULL)
                {
                  set_error (ctx, error, groups[g], NULL, "a cause needs a name");
                  return NULL;
                }
              c->planned = bw_cause_is_planned (c->code);
              if (!get_bool (ctx, groups[g], "planned", &c->planned, error))
                return NULL;
            }
        }
    }

  return g_steal_pointer (&self);
}

static GKeyFile *
load_defaults (void)
{
  g_autoptr(GBytes) bytes = bw_config_get_defaults ();
  GKeyFile *kf = g_key_file_new ();
  g_autoptr(GError) error = NULL;

  g_assert (bytes != NULL);
  if (!g_key_file_load_from_bytes (kf, bytes, G_KEY_FILE_NONE, &error))
    g_error ("built-in configuration is broken: %s", error->message);
  return kf;
}

BwConfig *
bw_config_new_default (void)
{
  g_autoptr(GKeyFile) defaults = load_defaults ();
  Ctx ctx = { NULL, defaults, NULL, "built-in defaults" };
  g_autoptr(GError) error = NULL;
  BwConfig *self = parse (&ctx, &error);

  if (self == NULL)
    g_error ("built-in configuration is broken: %s", error->message);
  return self;
}

/**
 * bw_config_new_from_data:
 * @name: the file name used in error messages
 *
 * Reads a configuration on top of the built-in defaults.
 */
BwConfig *
bw_config_new_from_data (const char  *data,
                         const char  *name,
                         GError     **error)
{
  g_autoptr(GKeyFile) defaults = load_defaults ();
  g_autoptr(GKeyFile) user = g_key_file_new ();
  Ctx ctx = { user, defaults, data, name };
  g_autoptr(GError) local = NULL;
  BwConfig *self;

  if (!g_utf8_validate (data, -1, NULL))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_CONFIG, "%s: not valid UTF-8 text", name);
      return NULL;
    }
  if (!check_syntax (&ctx, error))
    return NULL;
  if (!g_key_file_load_from_data (user, data, (gsize) -1, G_KEY_FILE_KEEP_TRANSLATIONS, &local))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_CONFIG, "%s: %s", name, local->message);
      return NULL;
    }
  self = parse (&ctx, error);
  return self;
}

BwConfig *
bw_config_new_from_file (const char  *path,
                         GError     **error)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) local = NULL;

  if (!g_file_get_contents (path, &data, NULL, &local))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_CONFIG, "Cannot read the configuration: %s", local->message);
      return NULL;
    }
  return bw_config_new_from_data (data, path, error);
}

void
bw_config_free (BwConfig *self)
{
  if (self == NULL)
    return;
  g_free (self->path);
  g_free (self->listen_host);
  g_clear_pointer (&self->users, g_hash_table_unref);
  g_free (self->storage_backend);
  g_free (self->db_path);
  g_free (self->pg_conninfo);
  g_free (self->replay_file);
  g_free (self->sim_first_id);
  g_free (self->kafka_topic);
  g_free (self->kafka_events_topic);
  g_clear_pointer (&self->kafka_properties, g_hash_table_unref);
  g_clear_pointer (&self->conveyors, g_ptr_array_unref);
  g_clear_pointer (&self->causes, g_ptr_array_unref);
  g_free (self->classifier_model);
  g_free (self->classifier_tracking_dir);
  g_free (self->classifier_run_id);
  g_free (self);
}

const BwConveyorConfig *
bw_config_find_conveyor (const BwConfig *self,
                         const char     *id)
{
  for (guint i = 0; i < self->conveyors->len; i++)
    {
      const BwConveyorConfig *c = g_ptr_array_index (self->conveyors, i);
      if (g_str_equal (c->id, id))
        return c;
    }
  return NULL;
}
