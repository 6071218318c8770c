/* bench-nn-skab.c: trains and runs a neural detector on SKAB's 34 files
 * under the benchmark protocol (fit on rows 0–399 of each file, score the
 * rest), writes the per-file predictions in beltwatch-ml skab's format and
 * prints the training time and the scoring speed.
 *
 *   bench-nn-skab --data DIR --algorithm NAME [--out DIR] [--seed N]
 *                 [--set OPTION=VALUE …] [--files N] [--score-repeats N]
 *                 [--baseline] [--columns I,J,…]
 *
 * Times are CPU seconds of the thread (the machines are shared; OpenBLAS
 * runs on the calling thread), wall seconds beside them. Scoring is timed
 * --score-repeats times over all files and the median reported; with
 * --baseline the per-window forward pass (what streaming uses) scores every
 * window too, timed the same way, and the two paths' scores are compared,
 * beside how much the per-window scores move when the inputs move by one
 * unit in the last place (what rounding alone does to them).
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib/gstdio.h>

#include "bw-nn.h"
#include "bw-nn-model.h"

#define N_TRAIN 400

static double
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
cmp_double (gconstpointer a,
            gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (const double *v,
        int           n)
{
  g_autofree double *s = g_memdup2 (v, n * sizeof (double));

  qsort (s, n, sizeof (double), cmp_double);
  return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

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
  gboolean baseline = FALSE;
  g_autofree char *columns = NULL;
  int col[8], ncol = 8;
  int repeats = 3;
  double max_rel = 0, max_abs = 0, max_ulp = 0, fit_wall = 0;
  guint64 flips = 0, samples = 0;
  g_autofree double *score_cpu = NULL, *base_cpu = NULL;
  GOptionEntry entries[] = {
    { "data", 0, 0, G_OPTION_ARG_FILENAME, &data, "SKAB data folder", "DIR" },
    { "algorithm", 0, 0, G_OPTION_ARG_STRING, &algorithm, "ae, lstm, lstm-ae, lstm-vae, conv-ae, mscred", "NAME" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, "where to write the predictions", "DIR" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "random seed", "N" },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets, "change an option", "NAME=VALUE" },
    { "files", 0, 0, G_OPTION_ARG_INT, &max_files, "only the first N files", "N" },
    { "score-repeats", 0, 0, G_OPTION_ARG_INT, &repeats, "times to score each file (3)", "N" },
    { "columns", 0, 0, G_OPTION_ARG_STRING, &columns,
      "only these sensor columns, 0–7 (conv-ae-tuned: 0,1,3,7)", "I,J,…" },
    { "baseline", 0, 0, G_OPTION_ARG_NONE, &baseline,
      "also score every window through the per-window forward pass and compare", NULL },
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
  for (int c = 0; c < 8; c++)
    col[c] = c;
  if (columns != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (columns, ",", -1);

      ncol = 0;
      for (guint i = 0; parts[i] != NULL; i++)
        {
          gint64 c = g_ascii_strtoll (parts[i], NULL, 10);

          if (ncol == 8 || c < 0 || c > 7)
            {
              g_printerr ("--columns: up to 8 indices 0–7\n");
              return 2;
            }
          col[ncol++] = (int) c;
        }
      if (ncol == 0)
        {
          g_printerr ("--columns: no column\n");
          return 2;
        }
    }
  if (repeats < 1 || repeats > 1000)
    {
      g_printerr ("--score-repeats: 1 to 1000\n");
      return 2;
    }
  score_cpu = g_new0 (double, repeats);
  base_cpu = g_new0 (double, repeats);
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
          gint64 w0, w1;
          double c0, c1, c_score = 0, file_rel = -1, file_ulp = 0;

          if (max_files > 0 && files >= (guint) max_files)
            break;
          if (!read_series (path, &s, &error))
            {
              g_printerr ("%s\n", error->message);
              return 1;
            }
          rows = s.times->len;
          x = g_new (double, (gsize) rows * ncol);
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
            for (int c = 0; c < ncol; c++)
              x[r * ncol + c] = (g_array_index (s.x, double, r * 8 + col[c]) - mean[col[c]])
                                / sd[col[c]];

          model = bw_nn_model_new (&cfg, ncol);
          n_weights = bw_nn_model_get_n_weights (model);
          w0 = g_get_monotonic_time ();
          c0 = cpu_seconds ();
          if (!bw_nn_model_fit (model, x, N_TRAIN, &error))
            {
              g_printerr ("%s: %s\n", path, error->message);
              return 1;
            }
          c1 = cpu_seconds ();
          w1 = g_get_monotonic_time ();
          scores = g_new (double, rows);
          for (int k = 0; k < repeats; k++)
            {
              double t = cpu_seconds ();

              if (!bw_nn_model_score (model, x, rows, scores, &error))
                {
                  g_printerr ("%s: %s\n", path, error->message);
                  return 1;
                }
              t = cpu_seconds () - t;
              score_cpu[k] += t;
              c_score += t / repeats;
            }
          if (baseline)
            {
              g_autofree double *fast = NULL, *ref = NULL;
              guint nf = 0, nr = 0;

              for (int k = 0; k < repeats; k++)
                {
                  double t = cpu_seconds ();

                  g_clear_pointer (&ref, g_free);
                  ref = bw_nn_model_score_samples (model, x, rows, TRUE, &nr, &error);
                  base_cpu[k] += cpu_seconds () - t;
                }
              fast = bw_nn_model_score_samples (model, x, rows, FALSE, &nf, &error);
              if (ref == NULL || fast == NULL || nf != nr)
                {
                  g_printerr ("%s: %s\n", path, error ? error->message : "sample counts differ");
                  return 1;
                }
              file_rel = 0;
              for (guint i = 0; i < nr; i++)
                {
                  double thr = bw_nn_model_get_threshold (model);

                  flips += (fast[i] > thr) != (ref[i] > thr);
                  samples++;
                  max_abs = MAX (max_abs, fabs (fast[i] - ref[i]));
                  file_rel = MAX (file_rel, fabs (fast[i] - ref[i]) / MAX (fabs (ref[i]), 1e-30));
                }
              max_rel = MAX (max_rel, file_rel);
              /* how far rounding alone moves the per-window scores: the
               * inputs one unit in the last place up */
              {
                g_autofree double *xp = g_memdup2 (x, (gsize) rows * ncol * sizeof (double));
                g_autofree double *moved = NULL;
                guint nm = 0;

                for (gsize q = 0; q < (gsize) rows * ncol; q++)
                  xp[q] = nextafterf ((float) x[q], INFINITY);
                moved = bw_nn_model_score_samples (model, xp, rows, TRUE, &nm, &error);
                file_ulp = 0;
                for (guint i = 0; moved != NULL && i < nr; i++)
                  file_ulp = MAX (file_ulp, fabs (moved[i] - ref[i]) / MAX (fabs (ref[i]), 1e-30));
                max_ulp = MAX (max_ulp, file_ulp);
              }
            }
          fit_total += c1 - c0;
          fit_wall += (w1 - w0) / 1e6;
          scored_rows += rows;
          {
            guint ep;

            bw_nn_model_get_loss_history (model, &ep);
            g_print ("%s/%s: fit %.2f s (%u epochs), score %u rows %.4f s, threshold %.4g",
                     folders[d], fname, c1 - c0, ep, rows, c_score,
                     bw_nn_model_get_threshold (model));
            if (file_rel >= 0)
              g_print (", batch and per-window scores %.2g apart, inputs one ulp up move the"
                       " latter %.2g (relative)", file_rel, file_ulp);
            g_print ("\n");
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
  score_total = median (score_cpu, repeats);
  g_print ("%s: %u files, training %.1f s (wall %.1f s), scoring %.3f s (%.0f rows/s), %"
           G_GSIZE_FORMAT " weights, %s\n", algorithm, files, fit_total, fit_wall, score_total,
           scored_rows / MAX (score_total, 1e-9), n_weights, bw_nn_blas_name ());
  if (baseline)
    {
      double base_total = median (base_cpu, repeats);

      g_print ("%s: per-window forward pass %.3f s (%.0f rows/s), batch path %.1fx as fast;"
               " scores differ by at most %.2g (%.2g relative); the inputs one ulp up move"
               " the per-window scores by up to %.2g relative; %" G_GUINT64_FORMAT " of %"
               G_GUINT64_FORMAT " samples on the other side of the limit\n", algorithm, base_total,
               scored_rows / MAX (base_total, 1e-9), base_total / MAX (score_total, 1e-9),
               max_abs, max_rel, max_ulp, flips, samples);
    }
  return 0;
}
