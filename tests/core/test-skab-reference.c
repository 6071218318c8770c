/* test-skab-reference.c: the detectors on the SKAB benchmark itself
 *
 * The reference configurations must reproduce SKAB's published F1 within
 * 0.01, and the tuned ones must beat every published entry. Needs the
 * data ($BW_SKAB_DATA); skipped without it.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "bw-skab.h"

static GPtrArray *files;

static void
test_data (void)
{
  guint rows = 0, anomalous = 0, cps = 0;

  g_assert_cmpuint (files->len, ==, 34);
  for (guint i = 0; i < files->len; i++)
    {
      BwSkabFile *f = g_ptr_array_index (files, i);

      g_assert_cmpuint (g_strv_length (f->feature_names), ==, 8);
      for (guint r = BW_SKAB_TRAIN_ROWS; r < f->n_rows; r++)
        {
          rows++;
          anomalous += f->anomaly[r];
          cps += f->changepoint[r];
        }
    }
  /* the figures of the data's README */
  g_assert_cmpuint (rows, ==, 23801);
  g_assert_cmpuint (anomalous, ==, 12771);
  g_assert_cmpuint (cps, ==, 127);
}

typedef struct
{
  const char *algorithm;
  double      f1;          /* published, or the target */
  gboolean    at_least;    /* a target rather than a reproduction */
  double      nab;         /* NAB standard at least, when at_least */
} Expect;

static void
test_algorithm (gconstpointer data)
{
  const Expect *e = data;
  g_autoptr(GError) error = NULL;
  BwSkabRunOptions options = { .algorithm = e->algorithm };
  BwSkabMetrics m;

  g_assert_true (bw_skab_run (files, &options, &m, &error));
  g_assert_no_error (error);
  g_test_message ("%s: F1 %.4f FAR %.2f MAR %.2f NAB %.2f / %.2f / %.2f", e->algorithm,
                  m.f1, m.far, m.mar, m.nab[BW_NAB_STANDARD], m.nab[BW_NAB_LOW_FP], m.nab[BW_NAB_LOW_FN]);
  if (e->at_least)
    {
      g_assert_cmpfloat (m.f1, >=, e->f1);
      g_assert_cmpfloat (m.nab[BW_NAB_STANDARD], >=, e->nab);
    }
  else
    /* published figures are rounded to two decimals */
    g_assert_cmpfloat (fabs (round (m.f1 * 100) / 100 - e->f1), <=, 0.01 + 1e-9);
}

int
main (int   argc,
      char *argv[])
{
  static const Expect expect[] = {
    { "t2", 0.66 },
    { "t2q", 0.76 },
    { "iforest", 0.29 },
    { "mset", 0.78 },
    { "mset-tuned", 0.80, TRUE, 33 },
    { "ensemble", 0.80, TRUE, 33 },
  };
  const char *dir = g_getenv ("BW_SKAB_DATA");
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  if (dir == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("no SKAB data (set BW_SKAB_DATA)");
      return g_test_run ();
    }
  files = bw_skab_load_dir (dir, &error);
  g_assert_no_error (error);

  g_test_add_func ("/skab-reference/data", test_data);
  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      g_autofree char *path = g_strdup_printf ("/skab-reference/%s", expect[i].algorithm);

      g_test_add_data_func (path, &expect[i], test_algorithm);
    }

  status = g_test_run ();
  g_ptr_array_unref (files);
  return status;
}
