/* bench-nn-skab.c: trains and runs a neural detector on SKAB's 34 files
 * under the benchmark protocol (fit on rows 0–399 of each file, score the
 * rest), writes the per-file predictions in beltwatch-ml skab's format and
 * prints the training time and the scoring speed.
 *
 *   bench-nn-skab --data DIR --algorithm NAME [--out DIR] [--seed N]
 *                 [--set OPTION=VALUE …] [--files N]
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "bw-nn.h"
#include "bw-nn-model.h"

#define N_TRAIN 400

typedef struct
{
  GPtrArray *times;     /* datetime strings */
  GArray    *x;         /* rows × 8 doubles */
  guint      cols;
} Series;

static gboolean
read_series (const char *path,
             Series     *s,
             GError    **error)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  s->times = g_ptr_array_new_with_free_func (g_free);
  s->x = g_array_new (FALSE, FALSE, sizeof (double));
  s->cols = 8;
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = NULL;

      g_strchomp (lines[i]);
      if (lines[i][0] == '\0')
        continue;
      f = g_strsplit (lines[i], ";", -1);
      if (g_strv_length (f) < 9)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%u: too few fields", path, i + 1);
          return FALSE;
        }
      g_ptr_array_add (s->times, g_strdup (f[0]));
      for (guint c = 1; c <= 8; c++)
        {
          double v = g_ascii_strtod (f[c], NULL);

          g_array_append_val (s->x, v);
        }
    }
  return TRUE;
}

static void
series_clear (Series *s)
{
  g_clear_pointer (&s->times, g_ptr_array_unref);
  if (s->x != NULL)
    g_array_free (s->x, TRUE);
  s->x = NULL;
}

static int
cmp_num (gconstpointer a,
         gconstpointer b)
{
  const char *x = *(const char **) a, *y = *(const char **) b;

  return (int) g_ascii_strtoll (x, NULL, 10) - (int) g_ascii_strtoll (y, NULL, 10);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *data = NULL, *algorithm = NULL, *out = NULL;
  g_auto(GStrv) sets = NULL;
  gint64 seed = 0;
  int max_files = 0;
  GOptionEntry entries[] = {
    { "data", 0, 0, G_OPTION_ARG_FILENAME, &data, "SKAB data folder", "DIR" },
    { "algorithm", 0, 0, G_OPTION_ARG_STRING, &algorithm, "ae, lstm, lstm-ae, lstm-vae, conv-ae, mscred", "NAME" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, "where to write the predictions", "DIR" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "random seed", "N" },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets, "change an option", "NAME=VALUE" },
    { "files", 0, 0, G_OPTION_ARG_INT, &max_files, "only the first N files", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- neural detectors on SKAB");
  g_autoptr(GError) error = NULL;
  const char *folders[] = { "valve1", "valve2", "other" };
  BwNnModelConfig cfg;
  BwNnModelKind kind;
  double fit_total = 0, score_total = 0;
  gsize n_weights = 0;
  guint64 scored_rows = 0;
  guint files = 0;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (data == NULL)
    data = g_strdup (g_getenv ("BW_SKAB_DATA"));
  if (data == NULL || algorithm == NULL || !bw_nn_model_kind_from_string (algorithm, &kind))
    {
      g_printerr ("need --data and a valid --algorithm\n");
      return 2;
    }
  bw_nn_model_config_reference (&cfg, kind);
  cfg.seed = (guint64) seed;
  for (guint i = 0; sets != NULL && sets[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (sets[i], "=", 2);

      if (g_strv_length (kv) != 2 || !bw_nn_model_config_set (&cfg, kv[0], kv[1], &error))
        {
          g_printerr ("--set %s: %s\n", sets[i], error ? error->message : "expected NAME=VALUE");
          return 2;
        }
    }

  for (guint d = 0; d < G_N_ELEMENTS (folders); d++)
    {
      g_autofree char *dir = g_build_filename (data, folders[d], NULL);
      g_autoptr(GDir) gd = g_dir_open (dir, 0, &error);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      if (gd == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      while ((name = g_dir_read_name (gd)) != NULL)
        if (g_str_has_suffix (name, ".csv"))
          g_ptr_array_add (names, g_strdup (name));
      g_ptr_array_sort (names, cmp_num);

      for (guint f = 0; f < names->len; f++)
        {
          const char *fname = g_ptr_array_index (names, f);
          g_autofree char *path = g_build_filename (dir, fname, NULL);
          Series s = { 0 };
          g_autoptr(BwNnModel) model = NULL;
          g_autofree double *x = NULL, *scores = NULL;
          double mean[8], sd[8];
          guint rows;
          gint64 t0, t1, t2;

          if (max_files > 0 && files >= (guint) max_files)
            break;
          if (!read_series (path, &s, &error))
            {
              g_printerr ("%s\n", error->message);
              return 1;
            }
          rows = s.times->len;
          x = g_new (double, (gsize) rows * 8);
          /* StandardScaler on the training rows (population deviation) */
          for (int c = 0; c < 8; c++)
            {
              double m = 0, v = 0;

              for (guint r = 0; r < N_TRAIN; r++)
                m += g_array_index (s.x, double, r * 8 + c);
              m /= N_TRAIN;
              for (guint r = 0; r < N_TRAIN; r++)
                {
                  double t = g_array_index (s.x, double, r * 8 + c) - m;

                  v += t * t;
                }
              mean[c] = m;
              sd[c] = sqrt (v / N_TRAIN);
              if (sd[c] == 0)
                sd[c] = 1;
            }
          for (guint r = 0; r < rows; r++)
            for (int c = 0; c < 8; c++)
              x[r * 8 + c] = (g_array_index (s.x, double, r * 8 + c) - mean[c]) / sd[c];

          model = bw_nn_model_new (&cfg, 8);
          n_weights = bw_nn_model_get_n_weights (model);
          t0 = g_get_monotonic_time ();
          if (!bw_nn_model_fit (model, x, N_TRAIN, &error))
            {
              g_printerr ("%s: %s\n", path, error->message);
              return 1;
            }
          t1 = g_get_monotonic_time ();
          scores = g_new (double, rows);
          if (!bw_nn_model_score (model, x, rows, scores, &error))
            {
              g_printerr ("%s: %s\n", path, error->message);
              return 1;
            }
          t2 = g_get_monotonic_time ();
          fit_total += (t1 - t0) / 1e6;
          score_total += (t2 - t1) / 1e6;
          scored_rows += rows;
          {
            guint ep;

            bw_nn_model_get_loss_history (model, &ep);
            g_print ("%s/%s: fit %.2f s (%u epochs), score %u rows %.3f s, threshold %.4g\n",
                     folders[d], fname, (t1 - t0) / 1e6, ep, rows, (t2 - t1) / 1e6,
                     bw_nn_model_get_threshold (model));
          }

          if (out != NULL)
            {
              g_autofree char *odir = g_build_filename (out, folders[d], NULL);
              g_autofree char *opath = g_build_filename (odir, fname, NULL);
              g_autoptr(GString) csv = g_string_new ("datetime;anomaly;changepoint\n");
              int prev = -1;

              g_mkdir_with_parents (odir, 0755);
              for (guint r = N_TRAIN; r < rows; r++)
                {
                  int a = scores[r] > bw_nn_model_get_threshold (model);
                  int cp = prev < 0 ? a : abs (a - prev);

                  g_string_append_printf (csv, "%s;%d;%d\n",
                                          (char *) g_ptr_array_index (s.times, r), a, cp);
                  prev = a;
                }
              if (!g_file_set_contents (opath, csv->str, csv->len, &error))
                {
                  g_printerr ("%s\n", error->message);
                  return 1;
                }
            }
          series_clear (&s);
          files++;
        }
    }
  g_print ("%s: %u files, training %.1f s, scoring %.3f s (%.0f rows/s), %" G_GSIZE_FORMAT
           " weights, %s\n", algorithm, files, fit_total, score_total,
           scored_rows / MAX (score_total, 1e-9), n_weights, bw_nn_blas_name ());
  return 0;
}
