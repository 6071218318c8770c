/* test-training-data.c: normal-running rows from CSV and replay files
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "bw-error.h"
#include "bw-time.h"
#include "bw-training-data.h"
#include "bw-wire.h"

static char *
scratch (const char *name,
         const char *text)
{
  char *path;

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  path = g_build_filename (g_get_user_cache_dir (), name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

#define T0 G_GINT64_CONSTANT (1795766400000000)   /* 2026-11-27T08:00:00Z */
#define MS G_GINT64_CONSTANT (1000)

/* A replay of conveyor CV-1 (and some of CV-2): speed 2 + 0.01·k per
 * second, current sampled every 250 ms, stopped from 20 s to 30 s */
static char *
make_replay (gboolean with_second_conveyor)
{
  GString *s = g_string_new (NULL);

  for (gint64 ms = 0; ms < 60000; ms += 50)
    {
      gint64 t = T0 + ms * MS;
      gboolean running = !(ms >= 20000 && ms < 30000);
      gboolean first = TRUE;

      g_string_append_c (s, '[');
#define ADD(conv, tag, v) do { if (!first) g_string_append_c (s, ','); first = FALSE; \
                               bw_wire_append_sample (s, conv, tag, t, v); } while (0)
      if (ms % 1000 == 0)
        ADD ("CV-1", "belt_speed", running ? 2 + 0.01 * (ms / 1000) : 0);
      if (ms % 250 == 0)
        ADD ("CV-1", "motor_current", running ? 100 + ms / 250 : 0);
      if (ms % 500 == 0)
        {
          ADD ("CV-1", "running", running);
          ADD ("CV-1", "md_trip", 0);
        }
      if (with_second_conveyor && ms % 1000 == 0)
        ADD ("CV-2", "belt_speed", 3);
#undef ADD
      g_string_append (s, "]\n");
      if (ms == 1000)
        g_string_append (s, "not json at all\n\n");
    }
  return g_string_free (s, FALSE);
}

static void
test_replay (void)
{
  g_autofree char *text = make_replay (TRUE);
  g_autofree char *path = scratch ("replay.jsonl", text);
  g_autoptr(GError) error = NULL;
  g_autoptr(BwTrainingData) data = NULL;
  BwTrainingOptions options = { .conveyor = "CV-1" };

  data = bw_training_data_from_replay (path, &options, &error);
  g_assert_no_error (error);
  /* running and the binary md_trip are not features */
  g_assert_cmpstrv (data->names, ((const char *[]) { "belt_speed", "motor_current", NULL }));
  /* 598 grid points, 0 s … 59.7 s (the last sample is at 59.75 s); 100
   * stopped, then 100 starting up (10 s) */
  g_assert_cmpuint (data->rows_seen, ==, 598);
  g_assert_cmpuint (data->rows_stopped, ==, 100);
  g_assert_cmpuint (data->rows_startup, ==, 100);
  g_assert_cmpuint (data->n_rows, ==, 398);
  g_assert_cmpuint (data->samples_rejected, >, 0);
  g_assert_null (data->running);

  /* sample-and-hold on the 100 ms grid */
  g_assert_cmpint (data->time_us[0], ==, T0);
  g_assert_cmpfloat (gsl_matrix_get (data->x, 0, 0), ==, 2.0);
  g_assert_cmpint (data->time_us[17], ==, T0 + 1700 * MS);
  g_assert_cmpfloat (gsl_matrix_get (data->x, 17, 0), ==, 2.01);
  g_assert_cmpfloat (gsl_matrix_get (data->x, 17, 1), ==, 106);
  /* after the stop and the start-up: from 40 s on */
  g_assert_cmpint (data->time_us[200], ==, T0 + 40000 * MS);
  g_assert_cmpfloat (gsl_matrix_get (data->x, 200, 0), ==, 2.40);

  /* keep everything, for scoring */
  {
    g_autoptr(BwTrainingData) all = NULL;
    const char *tags[] = { "motor_current", NULL };

    options.keep_all = TRUE;
    options.tags = tags;
    all = bw_training_data_from_replay (path, &options, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (all->n_rows, ==, 598);
    g_assert_nonnull (all->running);
    g_assert_cmpfloat (all->running[250], ==, 0);
    g_assert_cmpfloat (all->running[350], ==, 1);
    g_assert_cmpuint (all->x->size2, ==, 1);
  }
}

static void
test_replay_errors (void)
{
  g_autofree char *two = make_replay (TRUE);
  g_autofree char *path = scratch ("two.jsonl", two);
  g_autofree char *empty = scratch ("empty.jsonl", "\n[]\n");
  g_autofree char *missing = g_build_filename (g_get_user_cache_dir (), "missing.jsonl", NULL);
  g_autoptr(GError) error = NULL;
  const char *bad_tag[] = { "belt_speed", "no_such_tag", NULL };
  BwTrainingOptions options = { 0 };

  /* two conveyors and no choice */
  g_assert_null (bw_training_data_from_replay (path, &options, &error));
  g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
  g_clear_error (&error);

  options.conveyor = "CV-9";
  g_assert_null (bw_training_data_from_replay (path, &options, &error));
  g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
  g_clear_error (&error);

  options.conveyor = "CV-1";
  options.tags = bad_tag;
  g_assert_null (bw_training_data_from_replay (path, &options, &error));
  g_assert_error (error, BW_ERROR, BW_ERROR_NOT_FOUND);
  g_clear_error (&error);

  options.tags = NULL;
  g_assert_null (bw_training_data_from_replay (empty, &options, &error));
  g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_null (bw_training_data_from_replay (missing, &options, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_csv (void)
{
  g_autofree char *path = scratch ("train.csv",
    "time,belt_speed,motor_current,running,overload\n"
    "2026-11-27T08:00:00Z,2.0,100,1,0\n"
    "2026-11-27T08:00:01Z,2.1,101,1,0\n"
    "2026-11-27T08:00:02Z,0,0,0,0\n"
    "2026-11-27T08:00:03Z,1.0,150,1,0\n"
    "2026-11-27T08:00:13Z,2.2,102,1,0\n"
    "2026-11-27T08:00:14Z,2.3,103,1,0\n");
  g_autofree char *semi = scratch ("semi.csv", "a;b\n1;2\n3;4\n5;6\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(BwTrainingData) data = NULL;
  g_autoptr(BwTrainingData) plain = NULL;

  data = bw_training_data_from_csv (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (data->names, ((const char *[]) { "belt_speed", "motor_current", NULL }));
  /* the stop and the first 10 s after the start are left out */
  g_assert_cmpuint (data->rows_seen, ==, 6);
  g_assert_cmpuint (data->rows_stopped, ==, 1);
  g_assert_cmpuint (data->rows_startup, ==, 1);
  g_assert_cmpuint (data->n_rows, ==, 4);
  g_assert_cmpfloat (gsl_matrix_get (data->x, 2, 1), ==, 102);
  g_assert_cmpint (data->time_us[3], ==, bw_time_from_civil (2026, 11, 27, 8, 0, 14));

  plain = bw_training_data_from_csv (semi, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plain->n_rows, ==, 3);
  g_assert_cmpfloat (gsl_matrix_get (plain->x, 2, 1), ==, 6);
}

static void
test_csv_errors (void)
{
  const char *bad[] = {
    "",
    "a,b\n",
    "a,b\n1,2\n3\n",
    "a,b\n1,x\n3,4\n",
    "a,b\n1,nan\n3,4\n",
    "time,a\nyesterday,1\n2026-11-27T08:00:00Z,2\n",
    "running\n1\n1\n",
    "a,running\n1,1\n2,0\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = scratch ("bad.csv", bad[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(BwTrainingData) data = bw_training_data_from_csv (path, NULL, &error);

      g_test_message ("case %u: %s", i, error ? error->message : "(loaded)");
      g_assert_null (data);
      g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
    }

  {
    const char *tags[] = { "nope", NULL };
    BwTrainingOptions options = { .tags = tags };
    g_autofree char *path = scratch ("ok.csv", "a,b\n1,2\n3,4\n");
    g_autoptr(GError) error = NULL;

    g_assert_null (bw_training_data_from_csv (path, &options, &error));
    g_assert_error (error, BW_ERROR, BW_ERROR_NOT_FOUND);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/training-data/replay", test_replay);
  g_test_add_func ("/training-data/replay-errors", test_replay_errors);
  g_test_add_func ("/training-data/csv", test_csv);
  g_test_add_func ("/training-data/csv-errors", test_csv_errors);

  return g_test_run ();
}
