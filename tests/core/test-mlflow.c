/* test-mlflow.c
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "bw-error.h"
#include "bw-mlflow.h"


/* a fresh directory per test, removed with its files at the end */
static const char *
test_dir (void)
{
  static char *dir;

  if (dir == NULL)
    dir = g_dir_make_tmp ("bw-test-XXXXXX", NULL);
  return dir;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *e;

  while (d && (e = g_dir_read_name (d)))
    {
      g_autofree char *child = g_build_filename (path, e, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static char *
read_file (const char *a,
           const char *b,
           const char *c,
           const char *d)
{
  g_autofree char *path = g_build_filename (a, b, c, d, NULL);
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

static void
test_layout (void)
{
  g_autofree char *root = g_build_filename (test_dir (), "mlruns", NULL);
  g_autoptr(BwMlflowRun) run = NULL, run2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *meta = NULL, *dmeta = NULL, *emeta = NULL, *param = NULL, *metric = NULL;
  g_autofree char *tag = NULL, *art = NULL, *found = NULL, *expected_uri = NULL;
  g_auto(GStrv) lines = NULL;
  const char *id, *exp;

  run = bw_mlflow_run_start (root, "stop-classifier", "first run", &error);
  g_assert_no_error (error);
  id = bw_mlflow_run_get_id (run);
  exp = bw_mlflow_run_get_experiment_id (run);
  g_assert_cmpuint (strlen (id), ==, 32);
  g_assert_cmpuint (strlen (exp), ==, 18);

  /* the Default experiment and the trash, as MLflow creates them */
  dmeta = read_file (root, "0", "meta.yaml", NULL);
  g_assert_nonnull (strstr (dmeta, "experiment_id: '0'\n"));
  g_assert_nonnull (strstr (dmeta, "name: Default\n"));
  g_assert_nonnull (strstr (dmeta, "lifecycle_stage: active\n"));
  {
    g_autofree char *trash = g_build_filename (root, ".trash", NULL);
    g_assert_true (g_file_test (trash, G_FILE_TEST_IS_DIR));
  }

  emeta = read_file (root, exp, "meta.yaml", NULL);
  g_assert_nonnull (strstr (emeta, "name: stop-classifier\n"));
  expected_uri = g_strdup_printf ("artifact_location: file://%s/%s\n", root, exp);
  g_assert_nonnull (strstr (emeta, expected_uri));

  g_assert_true (bw_mlflow_run_log_param (run, "max_features", "120", &error));
  g_assert_true (bw_mlflow_run_log_metric (run, "macro_f1", 0.5, 0, &error));
  g_assert_true (bw_mlflow_run_log_metric (run, "macro_f1", 0.1, 1, &error));
  g_assert_true (bw_mlflow_run_set_tag (run, "beltwatch.note", "x", &error));
  g_assert_true (bw_mlflow_run_log_artifact (run, BW_MLFLOW_MODEL_ARTIFACT, "{}", 2, &error));
  g_assert_no_error (error);

  meta = read_file (bw_mlflow_run_get_dir (run), "meta.yaml", NULL, NULL);
  g_assert_nonnull (strstr (meta, "status: 1\n"));
  g_assert_nonnull (strstr (meta, "end_time: null\n"));
  g_assert_true (bw_mlflow_run_end (run, TRUE, &error));
  g_free (meta);
  meta = read_file (bw_mlflow_run_get_dir (run), "meta.yaml", NULL, NULL);
  lines = g_strsplit (meta, "\n", -1);
  /* PyYAML's sorted keys */
  g_assert_true (g_str_has_prefix (lines[0], "artifact_uri: file://"));
  g_assert_true (g_str_has_prefix (lines[1], "end_time: 1"));
  g_assert_cmpstr (lines[2], ==, "entry_point_name: ''");
  g_assert_true (g_str_has_prefix (lines[3], "experiment_id: '"));
  g_assert_cmpstr (lines[4], ==, "lifecycle_stage: active");
  g_assert_true (g_str_has_prefix (lines[5], "run_id: "));
  g_assert_cmpstr (lines[6], ==, "run_name: 'first run'");
  g_assert_true (g_str_has_prefix (lines[7], "run_uuid: "));
  g_assert_cmpstr (lines[9], ==, "source_type: 4");
  g_assert_cmpstr (lines[12], ==, "status: 3");
  g_assert_cmpstr (lines[13], ==, "tags: []");

  param = read_file (bw_mlflow_run_get_dir (run), "params", "max_features", NULL);
  g_assert_cmpstr (param, ==, "120");
  metric = read_file (bw_mlflow_run_get_dir (run), "metrics", "macro_f1", NULL);
  {
    g_auto(GStrv) m = g_strsplit (metric, "\n", -1);
    g_auto(GStrv) f0 = g_strsplit (m[0], " ", -1);
    g_auto(GStrv) f1 = g_strsplit (m[1], " ", -1);
    g_assert_cmpuint (g_strv_length (f0), ==, 3);
    g_assert_cmpstr (f0[1], ==, "0.5");
    g_assert_cmpstr (f0[2], ==, "0");
    g_assert_cmpstr (f1[1], ==, "0.1");
    g_assert_cmpstr (f1[2], ==, "1");
    g_assert_cmpstr (m[2], ==, "");
  }
  tag = read_file (bw_mlflow_run_get_dir (run), "tags", "mlflow.runName", NULL);
  g_assert_cmpstr (tag, ==, "first run");

  /* a second run lands in the same experiment */
  run2 = bw_mlflow_run_start (root, "stop-classifier", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bw_mlflow_run_get_experiment_id (run2), ==, exp);
  g_assert_cmpstr (bw_mlflow_run_get_id (run2), !=, id);

  found = bw_mlflow_find_artifact (root, id, BW_MLFLOW_MODEL_ARTIFACT, &error);
  g_assert_no_error (error);
  art = g_build_filename (root, exp, id, "artifacts", BW_MLFLOW_MODEL_ARTIFACT, NULL);
  g_assert_cmpstr (found, ==, art);
}

static void
test_errors (void)
{
  g_autofree char *root = g_build_filename (test_dir (), "mlruns", NULL);
  g_autoptr(BwMlflowRun) run = bw_mlflow_run_start (root, "e", NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *p = NULL;
  g_autoptr(BwClassifier) c = NULL;

  g_assert_false (bw_mlflow_run_log_param (run, "../escape", "x", &error));
  g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (bw_mlflow_run_log_metric (run, "", 1, 0, &error));
  g_clear_error (&error);

  p = bw_mlflow_find_artifact (root, "../../etc", "x", &error);
  g_assert_null (p);
  g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
  g_clear_error (&error);
  p = bw_mlflow_find_artifact (root, "0123456789abcdef0123456789abcdef", "x", &error);
  g_assert_error (error, BW_ERROR, BW_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* the run exists but logged no model */
  c = bw_mlflow_load_classifier (root, bw_mlflow_run_get_id (run), &error);
  g_assert_null (c);
  g_assert_error (error, BW_ERROR, BW_ERROR_NOT_FOUND);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/mlflow/layout", test_layout);
  g_test_add_func ("/mlflow/errors", test_errors);
  {
    int rc = g_test_run ();
    remove_tree (test_dir ());
    return rc;
  }
}
