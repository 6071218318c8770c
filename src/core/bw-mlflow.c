/* bw-mlflow.c: experiment tracking in MLflow's file-store layout
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The files match what mlflow.store.tracking.file_store.FileStore writes:
 * meta.yaml with the keys sorted as PyYAML dumps them, run status as
 * RunStatus integers (RUNNING 1, FINISHED 3, FAILED 4), source_type 4
 * (LOCAL), times in milliseconds, metric lines "<timestamp> <value> <step>"
 * with the value as Python's repr() writes it.
 */
#define G_LOG_DOMAIN "bw-mlflow"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "bw-error.h"
#include "bw-features.h"
#include "bw-mlflow.h"

#define RUN_STATUS_RUNNING  1
#define RUN_STATUS_FINISHED 3
#define RUN_STATUS_FAILED   4
#define SOURCE_TYPE_LOCAL   4

struct _BwMlflowRun
{
  char   *root;
  char   *experiment_id;
  char   *run_id;
  char   *run_name;
  char   *dir;
  char   *user;
  gint64  start_ms;
};

/* a YAML scalar as PyYAML's safe_dump writes a str */
static char *
yaml_str (const char *s)
{
  static const char *const reserved[] = {
    "true", "false", "yes", "no", "on", "off", "null", "y", "n", "~", NULL,
  };
  gboolean plain = *s != '\0' && (g_ascii_isalpha (*s) || *s == '/' || *s == '_');
  g_autofree char *lower = g_ascii_strdown (s, -1);
  GString *out;

  for (const char *c = s; *c && plain; c++)
    plain = g_ascii_isalnum (*c) || strchr ("_-./", *c) != NULL ||
            (*c == ':' && c[1] != ' ' && c[1] != '\0');
  if (plain && g_strv_contains (reserved, lower))
    plain = FALSE;
  if (plain)
    return g_strdup (s);
  out = g_string_new ("'");
  for (const char *c = s; *c; c++)
    {
      if (*c == '\'')
        g_string_append_c (out, '\'');
      g_string_append_c (out, *c);
    }
  g_string_append_c (out, '\'');
  return g_string_free (out, FALSE);
}

static char *
yaml_unquote (const char *v)
{
  gsize len = strlen (v);

  if (len >= 2 && v[0] == '\'' && v[len - 1] == '\'')
    {
      GString *out = g_string_new (NULL);
      for (gsize i = 1; i + 1 < len; i++)
        {
          g_string_append_c (out, v[i]);
          if (v[i] == '\'' && v[i + 1] == '\'')
            i++;
        }
      return g_string_free (out, FALSE);
    }
  if (len >= 2 && v[0] == '"' && v[len - 1] == '"')
    return g_strndup (v + 1, len - 2);
  return g_strdup (v);
}

/* the value of a top-level "key: value" line of a meta.yaml */
static char *
yaml_get (const char *path,
          const char *key)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  gsize klen = strlen (key);

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (strncmp (lines[i], key, klen) == 0 && lines[i][klen] == ':')
      return yaml_unquote (g_strstrip (lines[i] + klen + 1));
  return NULL;
}

static gboolean
write_file (const char *path,
            const char *data,
            gssize      len,
            GError    **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "Cannot create %s: %s",
                   dir, g_strerror (e));
      return FALSE;
    }
  return g_file_set_contents (path, data, len, error);
}

static char *
file_uri (const char *path)
{
  g_autofree char *abs = g_canonicalize_filename (path, NULL);
  return g_filename_to_uri (abs, NULL, NULL);
}

static gboolean
write_experiment_meta (const char *root,
                       const char *id,
                       const char *name,
                       GError    **error)
{
  g_autofree char *dir = g_build_filename (root, id, NULL);
  g_autofree char *path = g_build_filename (dir, "meta.yaml", NULL);
  g_autofree char *uri = file_uri (dir);
  g_autofree char *qid = yaml_str (id), *qname = yaml_str (name), *quri = yaml_str (uri);
  g_autofree char *text = NULL;
  gint64 now = g_get_real_time () / 1000;

  /* experiment ids look like integers, so PyYAML quotes them */
  g_free (qid);
  qid = g_strdup_printf ("'%s'", id);
  text = g_strdup_printf ("artifact_location: %s\n"
                          "creation_time: %" G_GINT64_FORMAT "\n"
                          "experiment_id: %s\n"
                          "last_update_time: %" G_GINT64_FORMAT "\n"
                          "lifecycle_stage: active\n"
                          "name: %s\n",
                          quri, now, qid, now, qname);
  return write_file (path, text, -1, error);
}

static gboolean
valid_key (const char *key)
{
  if (key == NULL || *key == '\0' || strlen (key) > 250 || g_str_has_prefix (key, "/") ||
      strstr (key, "..") != NULL)
    return FALSE;
  for (const char *c = key; *c; c++)
    if (!(g_ascii_isalnum (*c) || strchr ("_-. /", *c)))
      return FALSE;
  return TRUE;
}

static char *
find_experiment (const char *root,
                 const char *name)
{
  g_autoptr(GDir) d = g_dir_open (root, 0, NULL);
  const char *entry;

  if (d == NULL)
    return NULL;
  while ((entry = g_dir_read_name (d)))
    {
      g_autofree char *meta = g_build_filename (root, entry, "meta.yaml", NULL);
      g_autofree char *n = NULL;

      if (entry[0] == '.')
        continue;
      n = yaml_get (meta, "name");
      if (n && g_str_equal (n, name))
        return g_strdup (entry);
    }
  return NULL;
}

static char *
new_experiment_id (void)
{
  /* MLflow's FileStore: an 18-digit random integer */
  GString *s = g_string_new (NULL);

  g_string_append_c (s, '1' + g_random_int_range (0, 9));
  for (int i = 1; i < 18; i++)
    g_string_append_c (s, '0' + g_random_int_range (0, 10));
  return g_string_free (s, FALSE);
}

static gboolean
write_run_meta (BwMlflowRun *self,
                int          status,
                gint64       end_ms,
                GError     **error)
{
  g_autofree char *path = g_build_filename (self->dir, "meta.yaml", NULL);
  g_autofree char *art = g_build_filename (self->dir, "artifacts", NULL);
  g_autofree char *uri = file_uri (art);
  g_autofree char *quri = yaml_str (uri), *qname = yaml_str (self->run_name);
  g_autofree char *quser = yaml_str (self->user), *end = NULL, *text = NULL;

  end = end_ms < 0 ? g_strdup ("null") : g_strdup_printf ("%" G_GINT64_FORMAT, end_ms);
  text = g_strdup_printf ("artifact_uri: %s\n"
                          "end_time: %s\n"
                          "entry_point_name: ''\n"
                          "experiment_id: '%s'\n"
                          "lifecycle_stage: active\n"
                          "run_id: %s\n"
                          "run_name: %s\n"
                          "run_uuid: %s\n"
                          "source_name: ''\n"
                          "source_type: %d\n"
                          "source_version: ''\n"
                          "start_time: %" G_GINT64_FORMAT "\n"
                          "status: %d\n"
                          "tags: []\n"
                          "user_id: %s\n",
                          quri, end, self->experiment_id, self->run_id, qname, self->run_id,
                          SOURCE_TYPE_LOCAL, self->start_ms, status, quser);
  return write_file (path, text, -1, error);
}

void
bw_mlflow_run_free (BwMlflowRun *self)
{
  if (self == NULL)
    return;
  g_free (self->root);
  g_free (self->experiment_id);
  g_free (self->run_id);
  g_free (self->run_name);
  g_free (self->dir);
  g_free (self->user);
  g_free (self);
}

/**
 * bw_mlflow_run_start:
 * @root: the tracking directory (`mlruns`); created with the Default
 *   experiment when missing
 * @experiment_name: created when the store has no experiment of that name
 * @run_name: (nullable): shown in the MLflow UI
 *
 * Returns: (transfer full) (nullable): the running run
 */
BwMlflowRun *
bw_mlflow_run_start (const char *root,
                     const char *experiment_name,
                     const char *run_name,
                     GError    **error)
{
  g_autoptr(BwMlflowRun) self = g_new0 (BwMlflowRun, 1);
  g_autofree char *default_meta = g_build_filename (root, "0", "meta.yaml", NULL);
  g_autofree char *trash = g_build_filename (root, ".trash", NULL);
  g_autofree char *uuid = NULL;
  char **parts;

  g_return_val_if_fail (experiment_name != NULL && *experiment_name != '\0', NULL);

  if (!g_file_test (default_meta, G_FILE_TEST_EXISTS) &&
      !write_experiment_meta (root, "0", "Default", error))
    return NULL;
  if (g_mkdir_with_parents (trash, 0755) != 0)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_STORAGE, "Cannot create %s", trash);
      return NULL;
    }

  self->root = g_strdup (root);
  self->experiment_id = find_experiment (root, experiment_name);
  if (self->experiment_id == NULL)
    {
      self->experiment_id = new_experiment_id ();
      if (!write_experiment_meta (root, self->experiment_id, experiment_name, error))
        return NULL;
    }
  uuid = g_uuid_string_random ();
  parts = g_strsplit (uuid, "-", -1);
  self->run_id = g_strjoinv ("", parts);
  g_strfreev (parts);
  self->run_name = g_strdup (run_name ? run_name : self->run_id);
  self->user = g_strdup (g_get_user_name ());
  self->dir = g_build_filename (root, self->experiment_id, self->run_id, NULL);
  self->start_ms = g_get_real_time () / 1000;

  for (guint i = 0; i < 4; i++)
    {
      const char *sub[] = { "params", "metrics", "tags", "artifacts" };
      g_autofree char *d = g_build_filename (self->dir, sub[i], NULL);
      if (g_mkdir_with_parents (d, 0755) != 0)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_STORAGE, "Cannot create %s", d);
          return NULL;
        }
    }
  if (!write_run_meta (self, RUN_STATUS_RUNNING, -1, error) ||
      !bw_mlflow_run_set_tag (self, "mlflow.runName", self->run_name, error) ||
      !bw_mlflow_run_set_tag (self, "mlflow.user", self->user, error) ||
      !bw_mlflow_run_set_tag (self, "mlflow.source.type", "LOCAL", error) ||
      !bw_mlflow_run_set_tag (self, "mlflow.source.name", g_get_prgname () ? g_get_prgname () : "beltwatch", error) ||
      !bw_mlflow_run_set_tag (self, "beltwatch.version", PACKAGE_VERSION, error))
    return NULL;
  return g_steal_pointer (&self);
}

const char *
bw_mlflow_run_get_id (BwMlflowRun *self)
{
  return self->run_id;
}

const char *
bw_mlflow_run_get_experiment_id (BwMlflowRun *self)
{
  return self->experiment_id;
}

const char *
bw_mlflow_run_get_dir (BwMlflowRun *self)
{
  return self->dir;
}

static gboolean
write_keyed (BwMlflowRun *self,
             const char  *folder,
             const char  *key,
             const char  *value,
             GError     **error)
{
  g_autofree char *path = NULL;

  if (!valid_key (key))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "Invalid MLflow key “%s”", key ? key : "");
      return FALSE;
    }
  path = g_build_filename (self->dir, folder, key, NULL);
  return write_file (path, value, -1, error);
}

gboolean
bw_mlflow_run_log_param (BwMlflowRun *self,
                         const char  *key,
                         const char  *value,
                         GError     **error)
{
  return write_keyed (self, "params", key, value, error);
}

gboolean
bw_mlflow_run_set_tag (BwMlflowRun *self,
                       const char  *key,
                       const char  *value,
                       GError     **error)
{
  return write_keyed (self, "tags", key, value, error);
}

/**
 * bw_mlflow_run_log_metric:
 *
 * Appends one point to the metric's history.
 */
gboolean
bw_mlflow_run_log_metric (BwMlflowRun *self,
                          const char  *key,
                          double       value,
                          gint64       step,
                          GError     **error)
{
  g_autofree char *path = NULL, *v = NULL, *line = NULL, *old = NULL, *all = NULL;

  if (!valid_key (key))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "Invalid MLflow key “%s”", key ? key : "");
      return FALSE;
    }
  path = g_build_filename (self->dir, "metrics", key, NULL);
  v = bw_features_format_param (value);
  line = g_strdup_printf ("%" G_GINT64_FORMAT " %s %" G_GINT64_FORMAT "\n",
                          g_get_real_time () / 1000, v, step);
  if (!g_file_get_contents (path, &old, NULL, NULL))
    old = g_strdup ("");
  all = g_strconcat (old, line, NULL);
  return write_file (path, all, -1, error);
}

/**
 * bw_mlflow_run_log_artifact:
 * @relpath: path under the run's artifacts folder, e.g. `model/x.json`
 */
gboolean
bw_mlflow_run_log_artifact (BwMlflowRun *self,
                            const char  *relpath,
                            const char  *data,
                            gsize        len,
                            GError     **error)
{
  g_autofree char *path = NULL;

  if (!valid_key (relpath))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "Invalid artifact path “%s”", relpath);
      return FALSE;
    }
  path = g_build_filename (self->dir, "artifacts", relpath, NULL);
  return write_file (path, data, len, error);
}

gboolean
bw_mlflow_run_end (BwMlflowRun *self,
                   gboolean     success,
                   GError     **error)
{
  return write_run_meta (self, success ? RUN_STATUS_FINISHED : RUN_STATUS_FAILED,
                         g_get_real_time () / 1000, error);
}

/**
 * bw_mlflow_find_artifact:
 *
 * Returns: (transfer full) (nullable): the path of @relpath among the
 *   artifacts of run @run_id, whichever experiment holds it
 */
char *
bw_mlflow_find_artifact (const char *root,
                         const char *run_id,
                         const char *relpath,
                         GError    **error)
{
  g_autoptr(GDir) d = NULL;
  const char *entry;

  for (const char *c = run_id; *c; c++)
    if (!g_ascii_isalnum (*c))
      {
        g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "Invalid run id “%s”", run_id);
        return NULL;
      }
  if (*run_id == '\0' || !valid_key (relpath))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "Invalid run id or artifact path");
      return NULL;
    }
  d = g_dir_open (root, 0, error);
  if (d == NULL)
    return NULL;
  while ((entry = g_dir_read_name (d)))
    {
      g_autofree char *meta = g_build_filename (root, entry, run_id, "meta.yaml", NULL);
      g_autofree char *path = NULL;

      if (entry[0] == '.' || !g_file_test (meta, G_FILE_TEST_IS_REGULAR))
        continue;
      path = g_build_filename (root, entry, run_id, "artifacts", relpath, NULL);
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, BW_ERROR, BW_ERROR_NOT_FOUND, "Run %s has no artifact %s",
                       run_id, relpath);
          return NULL;
        }
      return g_steal_pointer (&path);
    }
  g_set_error (error, BW_ERROR, BW_ERROR_NOT_FOUND, "No run %s in %s", run_id, root);
  return NULL;
}

/**
 * bw_mlflow_load_classifier:
 *
 * Returns: (transfer full) (nullable): the model logged by run @run_id
 */
BwClassifier *
bw_mlflow_load_classifier (const char *root,
                           const char *run_id,
                           GError    **error)
{
  g_autofree char *path = bw_mlflow_find_artifact (root, run_id, BW_MLFLOW_MODEL_ARTIFACT, error);

  return path ? bw_classifier_load (path, error) : NULL;
}
