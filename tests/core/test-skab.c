/* test-skab.c: SKAB loading, changepoints and metrics on small cases
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "bw-error.h"
#include "bw-skab.h"
#include "bw-time.h"

#define SEC G_GINT64_CONSTANT (1000000)

/* SKAB's scoring curve at a sample, written out independently */
static double
curve (double a_tp,
       double a_fp,
       int    k)
{
  double x = -G_PI / 2 + k * G_PI / 999;

  return (a_tp - a_fp) / 2 * (-tanh (x) / tanh (G_PI / 2)) + (a_tp - a_fp) / 2 + a_fp;
}

typedef struct
{
  gint64 t[200];
  guint8 true_a[200], true_cp[200], pred_a[200], pred_cp[200];
} Case;

static void
case_init (Case *c)
{
  memset (c, 0, sizeof *c);
  for (int i = 0; i < 200; i++)
    c->t[i] = 1600000000 * SEC + i * SEC;
}

static BwSkabMetrics
score_case (Case *c)
{
  BwSkabMetrics m;

  bw_skab_metrics_init (&m);
  bw_skab_metrics_add (&m, c->t, c->true_a, c->true_cp, c->pred_a, c->pred_cp, 200);
  bw_skab_metrics_finish (&m);
  return m;
}

static void
test_nab (void)
{
  Case c;
  BwSkabMetrics m;

  /* one changepoint at 50 s: window [50 s, 110 s] */
  case_init (&c);
  c.true_cp[50] = 1;

  m = score_case (&c);
  g_assert_cmpuint (m.n_windows, ==, 1);
  g_assert_cmpuint (m.missed_cps, ==, 1);
  for (int p = 0; p < BW_NAB_N_PROFILES; p++)
    g_assert_cmpfloat_with_epsilon (m.nab[p], 0, 1e-12);

  c.pred_cp[50] = 1;
  m = score_case (&c);
  for (int p = 0; p < BW_NAB_N_PROFILES; p++)
    g_assert_cmpfloat_with_epsilon (m.nab[p], 100, 1e-9);

  /* plus a false changepoint before the window */
  c.pred_cp[10] = 1;
  m = score_case (&c);
  g_assert_cmpuint (m.nab_fps, ==, 1);
  g_assert_cmpfloat_with_epsilon (m.nab[BW_NAB_STANDARD], 100 * (0.89 + 1) / 2, 1e-9);
  g_assert_cmpfloat_with_epsilon (m.nab[BW_NAB_LOW_FP], 100 * (0.78 + 1) / 2, 1e-9);
  g_assert_cmpfloat_with_epsilon (m.nab[BW_NAB_LOW_FN], 100 * (0.89 + 2) / 3, 1e-9);

  /* only the first prediction in a window counts; later ones are free */
  c.pred_cp[10] = 0;
  c.pred_cp[50] = 0;
  c.pred_cp[80] = 1;
  c.pred_cp[100] = 1;
  m = score_case (&c);
  g_assert_cmpuint (m.nab_fps, ==, 0);
  g_assert_cmpfloat_with_epsilon (m.nab[BW_NAB_STANDARD], 100 * (curve (1, -0.11, 500) + 1) / 2, 1e-9);

  /* at the very end of the window: the last sample of the curve */
  c.pred_cp[80] = 0;
  c.pred_cp[100] = 0;
  c.pred_cp[110] = 1;
  m = score_case (&c);
  g_assert_cmpfloat_with_epsilon (m.nab[BW_NAB_STANDARD], 100 * (-0.11 + 1) / 2, 1e-9);
  /* just after it: a miss and a false positive */
  c.pred_cp[110] = 0;
  c.pred_cp[111] = 1;
  m = score_case (&c);
  g_assert_cmpuint (m.missed_cps, ==, 1);
  g_assert_cmpuint (m.nab_fps, ==, 1);
}

static void
test_nab_overlap (void)
{
  Case c;
  BwSkabMetrics m;

  /* changepoints 30 s apart: the second window is cut to [110 s, 140 s],
   * so a detection at 80 s belongs to the first */
  case_init (&c);
  c.true_cp[50] = 1;
  c.true_cp[80] = 1;
  c.pred_cp[80] = 1;
  m = score_case (&c);
  g_assert_cmpuint (m.n_windows, ==, 2);
  g_assert_cmpuint (m.missed_cps, ==, 1);
  g_assert_cmpuint (m.nab_fps, ==, 0);
  g_assert_cmpfloat_with_epsilon (m.nab[BW_NAB_STANDARD],
                                  100 * (curve (1, -0.11, 500) - 1 + 2) / 4, 1e-9);

  /* the cut window scores against its cut length: 125 s is half of it */
  c.pred_cp[125] = 1;
  m = score_case (&c);
  g_assert_cmpuint (m.missed_cps, ==, 0);
  g_assert_cmpfloat_with_epsilon (m.nab[BW_NAB_STANDARD],
                                  100 * (curve (1, -0.11, 500) * 2 + 2) / 4, 1e-9);

  /* no windows at all: every prediction is false */
  case_init (&c);
  c.pred_cp[3] = c.pred_cp[4] = 1;
  m = score_case (&c);
  g_assert_cmpuint (m.nab_fps, ==, 2);
  g_assert_cmpfloat (m.nab[BW_NAB_STANDARD], ==, 0);
}

static void
test_binary (void)
{
  Case c;
  BwSkabMetrics m;

  case_init (&c);
  for (int i = 100; i < 150; i++)
    c.true_a[i] = 1;
  for (int i = 120; i < 170; i++)
    c.pred_a[i] = 1;
  m = score_case (&c);
  /* TP 30, FP 20, FN 20, TN 130 */
  g_assert_cmpuint (m.tp, ==, 30);
  g_assert_cmpuint (m.fp, ==, 20);
  g_assert_cmpuint (m.fn, ==, 20);
  g_assert_cmpuint (m.tn, ==, 130);
  g_assert_cmpfloat_with_epsilon (m.f1, 30.0 / (30 + 20), 1e-12);
  g_assert_cmpfloat_with_epsilon (m.far, 100.0 * 20 / 150, 1e-12);
  g_assert_cmpfloat_with_epsilon (m.mar, 100.0 * 20 / 50, 1e-12);

  {
    g_autofree char *row = bw_skab_metrics_table_row (&m, "x");
    g_autofree char *text = bw_skab_metrics_format (&m);

    g_assert_cmpstr (row, ==, "| x | 0.60 | 13.33 | 40.00 | 0.00 | 0.00 | 0.00 |");
    g_assert_nonnull (strstr (text, "F1             0.60"));
  }
}

static void
test_changepoints (void)
{
  const guint8 a[] = { 0, 1, 1, 0, 0, 1 };
  const guint8 b[] = { 1, 1, 0 };
  const guint8 prefix[] = { 1, 0 };
  const guint8 c[] = { 0, 0, 1, 0, 0, 0 };
  guint8 out[6];

  bw_skab_changepoints (a, 6, NULL, 0, 1, out);
  g_assert_cmpmem (out, 6, ((guint8[]) { 0, 1, 0, 1, 0, 1 }), 6);
  bw_skab_changepoints (b, 3, NULL, 0, 1, out);
  g_assert_cmpmem (out, 3, ((guint8[]) { 1, 0, 1 }), 3);
  /* rolling maximum of 3 over the prefix and the rows */
  bw_skab_changepoints (c, 6, prefix, 2, 3, out);
  g_assert_cmpmem (out, 6, ((guint8[]) { 1, 1, 1, 0, 0, 1 }), 6);
  bw_skab_changepoints (c, 6, NULL, 0, 3, out);
  g_assert_cmpmem (out, 6, ((guint8[]) { 0, 0, 1, 0, 0, 1 }), 6);
}

static char *
write_tmp (const char *dir,
           const char *name,
           const char *text)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

#define HEADER "datetime;Accelerometer1RMS;Accelerometer2RMS;Current;Pressure;Temperature;" \
               "Thermocouple;Voltage;Volume Flow RateRMS;anomaly;changepoint"

static void
test_load (void)
{
  const char *tmp = g_get_user_cache_dir ();
  g_autofree char *crlf = write_tmp (tmp, "valve1/0.csv",
    HEADER "\r\n"
    "2020-03-09 10:14:33;0.0265878;0.0401113;1.3302;0.054711;79.3366;26.0199;233.062;32.0;0.0;0.0\r\n"
    "2020-03-09 10:14:34;0.0261697;0.0404525;1.35399;0.382638;79.5158;26.0258;236.04;32.0;1.0;1.0\r\n");
  g_autofree char *free_ = write_tmp (tmp, "free/anomaly-free.csv",
    "datetime;a;b\n2020-02-08 13:30:47;1;2\n2020-02-08 13:30:48;3;-4.5e-1\n\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(BwSkabFile) f = bw_skab_file_load (crlf, &error);
  g_autoptr(BwSkabFile) g = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (f->n_rows, ==, 2);
  g_assert_cmpstr (f->subfolder, ==, "valve1");
  g_assert_cmpstr (f->name, ==, "0.csv");
  g_assert_cmpuint (g_strv_length (f->feature_names), ==, 8);
  g_assert_cmpstr (f->feature_names[7], ==, "Volume Flow RateRMS");
  g_assert_cmpint (f->time_us[1] - f->time_us[0], ==, SEC);
  g_assert_cmpint (f->time_us[0], ==, bw_time_from_civil (2020, 3, 9, 10, 14, 33));
  g_assert_cmpfloat (gsl_matrix_get (f->x, 1, 6), ==, 236.04);
  g_assert_cmpint (f->anomaly[0], ==, 0);
  g_assert_cmpint (f->anomaly[1], ==, 1);
  g_assert_cmpint (f->changepoint[1], ==, 1);

  g = bw_skab_file_load (free_, &error);
  g_assert_no_error (error);
  g_assert_null (g->anomaly);
  g_assert_cmpuint (g->n_rows, ==, 2);
  g_assert_cmpfloat (gsl_matrix_get (g->x, 1, 1), ==, -0.45);
}

static void
test_load_errors (void)
{
  const char *bad[] = {
    "",
    HEADER "\n",
    "a;b\n1;2\n",
    HEADER "\n2020-03-09 10:14:33;1;2;3;4;5;6;7;8;0.0\n",
    HEADER "\n2020-03-09 10:14:33;1;2;3;4;5;6;7;x;0.0;0.0\n",
    HEADER "\n2020-03-09 10:14:33;1;2;3;4;5;6;7;nan;0.0;0.0\n",
    HEADER "\n2020-03-09 10:14:33;1;2;3;4;5;6;7;1e999;0.0;0.0\n",
    HEADER "\n2020-03-09 10:14:33;1;2;3;4;5;6;7;8;2.0;0.0\n",
    HEADER "\n2020-13-09 10:14:33;1;2;3;4;5;6;7;8;0.0;0.0\n",
    HEADER "\n2020-03-09 10:14:33;1;2;3;4;5;6;7;8;0.0;0.0\n2020-03-09 10:14:33;1;2;3;4;5;6;7;8;0.0;0.0\n",
    "datetime;a;anomaly\n2020-03-09 10:14:33;1;0\n",
  };
  const char *tmp = g_get_user_cache_dir ();

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = write_tmp (tmp, "bad.csv", bad[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(BwSkabFile) f = bw_skab_file_load (path, &error);

      g_test_message ("case %u: %s", i, error ? error->message : "(loaded)");
      g_assert_null (f);
      g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autofree char *missing = g_build_filename (tmp, "missing.csv", NULL);

    g_assert_null (bw_skab_file_load (missing, &error));
    g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    g_clear_error (&error);
    g_assert_null (bw_skab_load_dir (missing, &error));
    g_assert_error (error, BW_ERROR, BW_ERROR_NOT_FOUND);
  }
}

/* A small benchmark of the same shape: a correlated process, and from
 * row 450 on a fault that breaks the correlation */
static char *
synthetic_file (guint seed,
                guint n)
{
  g_autoptr(GString) s = g_string_new (HEADER "\n");
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  for (guint i = 0; i < n; i++)
    {
      double a = g_rand_double_range (rand, -1, 1), b = g_rand_double_range (rand, -1, 1);
      gboolean fault = i >= 450 && i < 480;
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (1600000000 + i);
      g_autofree char *when = g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");

      g_string_append_printf (s, "%s;%.6f;%.6f;%.6f;%.6f;%.6f;%.6f;%.6f;%.6f;%s;%s\n", when,
                              0.03 + 0.001 * a, 0.04 + 0.001 * a, 1 + 0.1 * b, 0.5 + 0.1 * b,
                              70 + a + b, 25 + 0.5 * a, 230 + b, 32 + 2 * a + (fault ? 9 : 0),
                              fault ? "1.0" : "0.0", i == 450 || i == 480 ? "1.0" : "0.0");
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
test_run_and_evaluate (void)
{
  g_autofree char *data = g_build_filename (g_get_user_cache_dir (), "skab", NULL);
  g_autofree char *out = g_build_filename (g_get_user_cache_dir (), "out", NULL);
  g_autofree char *f1 = synthetic_file (1, 520);
  g_autofree char *f2 = synthetic_file (2, 600);
  g_autofree char *p1 = write_tmp (data, "valve2/3.csv", f1);
  g_autofree char *p2 = write_tmp (data, "other/10.csv", f2);
  g_autofree char *p3 = write_tmp (data, "other/9.csv", f1);
  g_autofree char *prediction = NULL;
  g_autofree char *pred_path = g_build_filename (out, "other", "10.csv", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = bw_skab_load_dir (data, &error);
  BwSkabRunOptions options = { .algorithm = "t2q", .out_dir = out };
  BwSkabMetrics run, eval;
  g_auto(GStrv) lines = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (files->len, ==, 3);
  g_assert_cmpstr (((BwSkabFile *) files->pdata[0])->subfolder, ==, "valve2");
  g_assert_cmpstr (((BwSkabFile *) files->pdata[1])->name, ==, "9.csv");
  g_assert_cmpstr (((BwSkabFile *) files->pdata[2])->name, ==, "10.csv");

  g_assert_true (bw_skab_run (files, &options, &run, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (run.n_files, ==, 3);
  g_assert_cmpuint (run.tp + run.fp + run.fn + run.tn, ==, 120 + 200 + 120);
  g_assert_cmpuint (run.n_windows, ==, 6);
  /* the fault is plain to see */
  g_assert_cmpuint (run.tp, >=, 60);
  g_assert_cmpfloat (run.f1, >, 0.5);

  g_assert_true (g_file_get_contents (pred_path, &prediction, NULL, NULL));
  lines = g_strsplit (prediction, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "datetime;anomaly;changepoint");
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 200 + 1);
  g_assert_true (g_str_has_prefix (lines[1], "2020-09-13 12:33:20;"));

  g_assert_true (bw_skab_evaluate_dir (files, out, &eval, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (eval.tp, ==, run.tp);
  g_assert_cmpuint (eval.fp, ==, run.fp);
  g_assert_cmpfloat (eval.nab[BW_NAB_STANDARD], ==, run.nab[BW_NAB_STANDARD]);

  /* a damaged prediction is refused */
  g_assert_true (g_file_set_contents (pred_path, "datetime;anomaly;changepoint\n", -1, NULL));
  g_assert_false (bw_skab_evaluate_dir (files, out, &eval, &error));
  g_assert_error (error, BW_ERROR, BW_ERROR_INVALID);
  g_clear_error (&error);

  options.algorithm = "no-such-thing";
  g_assert_false (bw_skab_run (files, &options, &run, &error));
  g_assert_error (error, BW_ERROR, BW_ERROR_NOT_FOUND);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/skab/nab", test_nab);
  g_test_add_func ("/skab/nab-overlap", test_nab_overlap);
  g_test_add_func ("/skab/binary", test_binary);
  g_test_add_func ("/skab/changepoints", test_changepoints);
  g_test_add_func ("/skab/load", test_load);
  g_test_add_func ("/skab/load-errors", test_load_errors);
  g_test_add_func ("/skab/run-and-evaluate", test_run_and_evaluate);

  return g_test_run ();
}
