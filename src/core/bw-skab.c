/* bw-skab.c: the SKAB benchmark: data, protocol, metrics
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-skab"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "bw-anomaly-model.h"
#include "bw-error.h"
#include "bw-skab.h"
#include "bw-time.h"

/* Loading ------------------------------------------------------------------ */

void
bw_skab_file_free (BwSkabFile *file)
{
  if (file == NULL)
    return;
  g_free (file->subfolder);
  g_free (file->name);
  g_free (file->path);
  g_strfreev (file->feature_names);
  g_free (file->time_us);
  g_clear_pointer (&file->x, gsl_matrix_free);
  g_free (file->anomaly);
  g_free (file->changepoint);
  g_free (file);
}

static gboolean
parse_double (const char *text,
              double     *out)
{
  char *end = NULL;

  if (*text == '\0')
    return FALSE;
  errno = 0;
  *out = g_ascii_strtod (text, &end);
  return end != text && *end == '\0' && errno != ERANGE && isfinite (*out);
}

static gboolean
parse_label (const char *text,
             guint8     *out)
{
  double v;

  if (!parse_double (text, &v) || (v != 0.0 && v != 1.0))
    return FALSE;
  *out = v == 1.0;
  return TRUE;
}

BwSkabFile *
bw_skab_file_load (const char *path,
                   GError    **error)
{
  g_autoptr(BwSkabFile) file = g_new0 (BwSkabFile, 1);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) header = NULL;
  g_autofree int *feature_col = NULL;
  g_autofree char *dir = NULL;
  int time_col = -1, anomaly_col = -1, cp_col = -1;
  guint n_cols, n_features = 0, n_lines, row;
  gsize len;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  if (memchr (contents, '\0', len) != NULL)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "%s: not a text file", path);
      return NULL;
    }

  file->path = g_strdup (path);
  file->name = g_path_get_basename (path);
  dir = g_path_get_dirname (path);
  file->subfolder = g_path_get_basename (dir);

  lines = g_strsplit (contents, "\n", -1);
  n_lines = g_strv_length (lines);
  for (guint i = 0; i < n_lines; i++)
    {
      gsize l = strlen (lines[i]);

      if (l > 0 && lines[i][l - 1] == '\r')
        lines[i][l - 1] = '\0';
    }
  while (n_lines > 0 && lines[n_lines - 1][0] == '\0')
    n_lines--;
  if (n_lines < 2)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "%s: no data rows", path);
      return NULL;
    }

  header = g_strsplit (lines[0], ";", -1);
  n_cols = g_strv_length (header);
  feature_col = g_new (int, n_cols);
  file->feature_names = g_new0 (char *, n_cols + 1);
  for (guint c = 0; c < n_cols; c++)
    {
      if (g_str_equal (header[c], "datetime"))
        time_col = c;
      else if (g_str_equal (header[c], "anomaly"))
        anomaly_col = c;
      else if (g_str_equal (header[c], "changepoint"))
        cp_col = c;
      else
        {
          feature_col[n_features] = c;
          file->feature_names[n_features++] = g_strdup (header[c]);
        }
    }
  if (time_col < 0 || n_features == 0 || (anomaly_col < 0) != (cp_col < 0))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   "%s: expected columns datetime, the sensors, and anomaly with changepoint "
                   "or neither", path);
      return NULL;
    }

  file->n_rows = n_lines - 1;
  file->time_us = g_new (gint64, file->n_rows);
  file->x = gsl_matrix_alloc (file->n_rows, n_features);
  if (anomaly_col >= 0)
    {
      file->anomaly = g_new (guint8, file->n_rows);
      file->changepoint = g_new (guint8, file->n_rows);
    }

  for (row = 0; row < file->n_rows; row++)
    {
      g_auto(GStrv) f = g_strsplit (lines[row + 1], ";", -1);
      guint line = row + 2;

      if (g_strv_length (f) != n_cols)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                       "%s:%u: %u fields, expected %u", path, line, g_strv_length (f), n_cols);
          return NULL;
        }
      if (!bw_time_parse (f[time_col], -1, &file->time_us[row]))
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                       "%s:%u: bad time “%s”", path, line, f[time_col]);
          return NULL;
        }
      if (row > 0 && file->time_us[row] <= file->time_us[row - 1])
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                       "%s:%u: time does not increase", path, line);
          return NULL;
        }
      for (guint j = 0; j < n_features; j++)
        if (!parse_double (f[feature_col[j]], gsl_matrix_ptr (file->x, row, j)))
          {
            g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                         "%s:%u: “%s” is not a finite number (%s)",
                         path, line, f[feature_col[j]], file->feature_names[j]);
            return NULL;
          }
      if (anomaly_col >= 0 &&
          (!parse_label (f[anomaly_col], &file->anomaly[row]) ||
           !parse_label (f[cp_col], &file->changepoint[row])))
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                       "%s:%u: labels must be 0 or 1", path, line);
          return NULL;
        }
    }

  return g_steal_pointer (&file);
}

static int
compare_numeric_names (gconstpointer a,
                       gconstpointer b)
{
  const char *x = *(const char * const *) a;
  const char *y = *(const char * const *) b;
  gint64 nx = g_ascii_strtoll (x, NULL, 10), ny = g_ascii_strtoll (y, NULL, 10);

  if (nx != ny)
    return nx < ny ? -1 : 1;
  return strcmp (x, y);
}

GPtrArray *
bw_skab_load_dir (const char *dir,
                  GError    **error)
{
  static const char *subfolders[] = { "valve1", "valve2", "other" };
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_skab_file_free);

  g_return_val_if_fail (dir != NULL, NULL);

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_NOT_FOUND, "%s: no such directory", dir);
      return NULL;
    }

  for (guint s = 0; s < G_N_ELEMENTS (subfolders); s++)
    {
      g_autofree char *sub = g_build_filename (dir, subfolders[s], NULL);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GDir) d = NULL;
      const char *name;

      if (!g_file_test (sub, G_FILE_TEST_IS_DIR))
        continue;
      d = g_dir_open (sub, 0, error);
      if (d == NULL)
        return NULL;
      while ((name = g_dir_read_name (d)) != NULL)
        if (g_str_has_suffix (name, ".csv"))
          g_ptr_array_add (names, g_strdup (name));
      g_ptr_array_sort (names, compare_numeric_names);

      for (guint i = 0; i < names->len; i++)
        {
          g_autofree char *path = g_build_filename (sub, g_ptr_array_index (names, i), NULL);
          BwSkabFile *file = bw_skab_file_load (path, error);

          if (file == NULL)
            return NULL;
          if (file->anomaly == NULL)
            {
              g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "%s: no labels", path);
              bw_skab_file_free (file);
              return NULL;
            }
          g_ptr_array_add (files, file);
        }
    }

  if (files->len == 0)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_NOT_FOUND,
                   "%s: no SKAB files (valve1/, valve2/, other/)", dir);
      return NULL;
    }
  return g_steal_pointer (&files);
}

/* Changepoints ----------------------------------------------------------- */

void
bw_skab_changepoints (const guint8 *anomaly,
                      gsize         n,
                      const guint8 *prefix,
                      gsize         n_prefix,
                      guint         max_window,
                      guint8       *out_cp)
{
  g_autofree guint8 *smoothed = NULL;
  const guint8 *a = anomaly;

  if (n == 0)
    return;

  if (max_window > 1)
    {
      /* rolling(max_window).max().fillna(0) over prefix + anomaly */
      smoothed = g_new (guint8, n);
      for (gsize t = 0; t < n; t++)
        {
          gsize pos = n_prefix + t;   /* position in the joined sequence */
          guint8 m = 0;

          if (pos + 1 >= max_window)
            for (gsize k = pos + 1 - max_window; k <= pos; k++)
              m |= k < n_prefix ? prefix[k] : anomaly[k - n_prefix];
          smoothed[t] = m;
        }
      a = smoothed;
    }

  out_cp[0] = a[0];
  for (gsize t = 1; t < n; t++)
    out_cp[t] = a[t] != a[t - 1];
}

/* Metrics ------------------------------------------------------------------- */

static const double nab_profiles[BW_NAB_N_PROFILES][3] = {
  /* A_tp, A_fp, A_fn */
  { 1.0, -0.11, -1.0 },
  { 1.0, -0.22, -1.0 },
  { 1.0, -0.11, -2.0 },
};

void
bw_skab_metrics_init (BwSkabMetrics *m)
{
  memset (m, 0, sizeof *m);
}

/* SKAB's scoring curve, sampled at 1000 points over the window */
static double
nab_curve (double a_tp,
           double a_fp,
           int    event)
{
  double x = -M_PI / 2 + event * (M_PI / 999.0);

  return (a_tp - a_fp) / 2 * -tanh (x) / tanh (M_PI / 2) + (a_tp - a_fp) / 2 + a_fp;
}

void
bw_skab_metrics_add (BwSkabMetrics *m,
                     const gint64  *time_us,
                     const guint8  *true_anomaly,
                     const guint8  *true_cp,
                     const guint8  *pred_anomaly,
                     const guint8  *pred_cp,
                     gsize          n)
{
  g_autofree gint64 *left = NULL;
  g_autofree gint64 *right = NULL;
  g_autofree gint64 *pred = NULL;
  g_autofree gint64 *tp_time = NULL;
  gsize n_win = 0, n_pred = 0, n_fp = 0, n_fn = 0;

  g_return_if_fail (m != NULL);

  for (gsize i = 0; i < n; i++)
    {
      gboolean t = true_anomaly[i] == 1, p = pred_anomaly[i] == 1;

      if (t && p)
        m->tp++;
      else if (!t && p)
        m->fp++;
      else if (t && !p)
        m->fn++;
      else
        m->tn++;
      n_win += true_cp[i] == 1;
      n_pred += pred_cp[i] == 1;
    }

  /* detection windows [t, t + 60 s], the next window cut to start where
   * the previous one ends when they overlap */
  left = g_new (gint64, MAX (n_win, 1));
  right = g_new (gint64, MAX (n_win, 1));
  tp_time = g_new (gint64, MAX (n_win, 1));
  pred = g_new (gint64, MAX (n_pred, 1));
  n_win = n_pred = 0;
  for (gsize i = 0; i < n; i++)
    {
      if (true_cp[i] == 1)
        {
          left[n_win] = time_us[i];
          right[n_win] = time_us[i] + BW_SKAB_NAB_WINDOW_US;
          n_win++;
        }
      if (pred_cp[i] == 1)
        pred[n_pred++] = time_us[i];
    }
  for (gsize w = 0; w + 1 < n_win; w++)
    if (right[w] >= left[w + 1])
      left[w + 1] = right[w];

  if (n_win == 0)
    n_fp = n_pred;
  else
    {
      for (gsize k = 0; k < n_pred; k++)
        if (pred[k] < left[0])
          n_fp++;
      for (gsize w = 0; w < n_win; w++)
        {
          tp_time[w] = G_MININT64;
          for (gsize k = 0; k < n_pred; k++)
            if (pred[k] >= left[w] && pred[k] <= right[w])
              {
                tp_time[w] = pred[k];
                break;
              }
          if (tp_time[w] == G_MININT64)
            n_fn++;
          if (w + 1 < n_win)
            {
              for (gsize k = 0; k < n_pred; k++)
                if (pred[k] > right[w] && pred[k] < left[w + 1])
                  n_fp++;
            }
        }
      for (gsize k = 0; k < n_pred; k++)
        if (pred[k] > right[n_win - 1])
          n_fp++;
    }

  for (int p = 0; p < BW_NAB_N_PROFILES; p++)
    {
      double a_tp = nab_profiles[p][0], a_fp = nab_profiles[p][1], a_fn = nab_profiles[p][2];
      double s = a_fp * n_fp + a_fn * n_fn;

      for (gsize w = 0; w < n_win; w++)
        if (tp_time[w] != G_MININT64)
          {
            double frac = (double) (tp_time[w] - left[w]) / (double) (right[w] - left[w]);
            int event = (int) (frac * 1000);

            if (event >= 1000)
              event = 999;
            s += nab_curve (a_tp, a_fp, event);
          }
      m->nab_score[p] += s;
      m->nab_null[p] += n_win * a_fn;
      m->nab_perfect[p] += n_win * a_tp;
    }

  m->n_files++;
  m->n_windows += n_win;
  m->missed_cps += n_fn;
  m->nab_fps += n_fp;
}

void
bw_skab_metrics_finish (BwSkabMetrics *m)
{
  double tp = m->tp, fp = m->fp, fn = m->fn, tn = m->tn;

  m->f1 = tp + (fp + fn) / 2 > 0 ? tp / (tp + (fp + fn) / 2) : 0;
  m->far = fp + tn > 0 ? fp / (fp + tn) * 100 : 0;
  m->mar = fn + tp > 0 ? fn / (fn + tp) * 100 : 0;
  for (int p = 0; p < BW_NAB_N_PROFILES; p++)
    {
      double den = m->nab_perfect[p] - m->nab_null[p];

      m->nab[p] = den != 0 ? 100 * (m->nab_score[p] - m->nab_null[p]) / den : 0;
    }
}

char *
bw_skab_metrics_format (const BwSkabMetrics *m)
{
  return g_strdup_printf ("files          %u\n"
                          "F1             %.2f\n"
                          "FAR, %%         %.2f\n"
                          "MAR, %%         %.2f\n"
                          "NAB standard   %.2f\n"
                          "NAB LowFP      %.2f\n"
                          "NAB LowFN      %.2f\n"
                          "TP FP FN TN    %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
                          " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\n"
                          "changepoints   %u (missed %u, false %u)\n",
                          m->n_files, m->f1, m->far, m->mar,
                          m->nab[BW_NAB_STANDARD], m->nab[BW_NAB_LOW_FP], m->nab[BW_NAB_LOW_FN],
                          m->tp, m->fp, m->fn, m->tn,
                          m->n_windows, m->missed_cps, m->nab_fps);
}

char *
bw_skab_metrics_table_row (const BwSkabMetrics *m,
                           const char          *name)
{
  return g_strdup_printf ("| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |",
                          name, m->f1, m->far, m->mar,
                          m->nab[BW_NAB_STANDARD], m->nab[BW_NAB_LOW_FP], m->nab[BW_NAB_LOW_FN]);
}

/* Output files ---------------------------------------------------------------- */

gboolean
bw_skab_write_prediction (const char   *path,
                          const gint64 *time_us,
                          const guint8 *anomaly,
                          const guint8 *changepoint,
                          gsize         n,
                          GError      **error)
{
  g_autoptr(GString) s = g_string_sized_new (32 * (n + 1));

  g_string_append (s, "datetime;anomaly;changepoint\n");
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (time_us[i] / BW_USEC_PER_SEC);
      g_autofree char *text = NULL;

      if (dt == NULL)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "time out of range");
          return FALSE;
        }
      text = g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");
      g_string_append_printf (s, "%s;%d;%d\n", text, anomaly[i] ? 1 : 0, changepoint[i] ? 1 : 0);
    }
  return g_file_set_contents (path, s->str, s->len, error);
}

static gboolean
read_prediction (const char       *path,
                 const BwSkabFile *truth,
                 guint8           *anomaly,
                 guint8           *changepoint,
                 GError          **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint n_lines, n_test = truth->n_rows - BW_SKAB_TRAIN_ROWS;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return FALSE;
  lines = g_strsplit (contents, "\n", -1);
  n_lines = g_strv_length (lines);
  for (guint i = 0; i < n_lines; i++)
    g_strchomp (lines[i]);
  while (n_lines > 0 && lines[n_lines - 1][0] == '\0')
    n_lines--;
  if (n_lines == 0 || !g_str_equal (lines[0], "datetime;anomaly;changepoint"))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   "%s: expected the header datetime;anomaly;changepoint", path);
      return FALSE;
    }
  if (n_lines - 1 != n_test)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   "%s: %u rows, the test part of %s has %u", path, n_lines - 1, truth->name, n_test);
      return FALSE;
    }
  for (guint i = 0; i < n_test; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i + 1], ";", -1);
      gint64 t;

      if (g_strv_length (f) != 3 || !bw_time_parse (f[0], -1, &t) ||
          !parse_label (f[1], &anomaly[i]) || !parse_label (f[2], &changepoint[i]))
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "%s:%u: malformed row", path, i + 2);
          return FALSE;
        }
      if (t != truth->time_us[BW_SKAB_TRAIN_ROWS + i])
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                       "%s:%u: time does not match the data", path, i + 2);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
check_file (const BwSkabFile *file,
            GError          **error)
{
  if (file->n_rows <= BW_SKAB_TRAIN_ROWS || file->anomaly == NULL)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   "%s: needs labels and more than %d rows", file->path, BW_SKAB_TRAIN_ROWS);
      return FALSE;
    }
  return TRUE;
}

gboolean
bw_skab_evaluate_dir (GPtrArray     *files,
                      const char    *out_dir,
                      BwSkabMetrics *metrics,
                      GError       **error)
{
  g_return_val_if_fail (files != NULL && out_dir != NULL && metrics != NULL, FALSE);

  bw_skab_metrics_init (metrics);
  for (guint f = 0; f < files->len; f++)
    {
      const BwSkabFile *file = g_ptr_array_index (files, f);
      g_autofree char *path = g_build_filename (out_dir, file->subfolder, file->name, NULL);
      g_autofree guint8 *anomaly = NULL;
      g_autofree guint8 *cp = NULL;
      gsize n_test;

      if (!check_file (file, error))
        return FALSE;
      n_test = file->n_rows - BW_SKAB_TRAIN_ROWS;
      anomaly = g_new (guint8, n_test);
      cp = g_new (guint8, n_test);
      if (!read_prediction (path, file, anomaly, cp, error))
        return FALSE;
      bw_skab_metrics_add (metrics, file->time_us + BW_SKAB_TRAIN_ROWS,
                           file->anomaly + BW_SKAB_TRAIN_ROWS,
                           file->changepoint + BW_SKAB_TRAIN_ROWS,
                           anomaly, cp, n_test);
    }
  bw_skab_metrics_finish (metrics);
  return TRUE;
}

/* The protocol ----------------------------------------------------------------- */

gboolean
bw_skab_run (GPtrArray              *files,
             const BwSkabRunOptions *options,
             BwSkabMetrics          *metrics,
             GError                **error)
{
  g_return_val_if_fail (files != NULL && options != NULL && options->algorithm != NULL, FALSE);

  if (metrics != NULL)
    bw_skab_metrics_init (metrics);

  for (guint f = 0; f < files->len; f++)
    {
      const BwSkabFile *file = g_ptr_array_index (files, f);
      g_autoptr(BwAnomalyModel) model = NULL;
      g_autofree guint8 *decisions = NULL;
      g_autofree guint8 *cp = NULL;
      BwFilterSpec cp_filter;
      gsize n_test;

      if (!check_file (file, error))
        return FALSE;

      model = bw_anomaly_model_new_for_algorithm_full (options->algorithm, options->overrides, error);
      if (model == NULL)
        return FALSE;
      if (options->set_seed)
        bw_detector_set_seed (bw_anomaly_model_get_detector (model), options->seed);
      if (!bw_anomaly_model_set_features (model, (const char * const *) file->feature_names, error))
        return FALSE;

      {
        gsl_matrix_const_view train =
          gsl_matrix_const_submatrix (file->x, 0, 0, BW_SKAB_TRAIN_ROWS, file->x->size2);

        if (!bw_anomaly_model_fit (model, &train.matrix, error))
          {
            g_prefix_error (error, "%s/%s: ", file->subfolder, file->name);
            return FALSE;
          }
      }

      decisions = g_new (guint8, file->n_rows);
      if (!bw_anomaly_model_score (model, file->x, NULL, decisions, error))
        {
          g_prefix_error (error, "%s/%s: ", file->subfolder, file->name);
          return FALSE;
        }

      n_test = file->n_rows - BW_SKAB_TRAIN_ROWS;
      cp = g_new (guint8, n_test);
      bw_anomaly_model_get_changepoint_filter (model, &cp_filter);
      bw_skab_changepoints (decisions + BW_SKAB_TRAIN_ROWS, n_test,
                            decisions, BW_SKAB_TRAIN_ROWS,
                            cp_filter.kind == BW_FILTER_MAX ? cp_filter.window : 1, cp);

      if (options->out_dir != NULL)
        {
          g_autofree char *sub = g_build_filename (options->out_dir, file->subfolder, NULL);
          g_autofree char *path = g_build_filename (sub, file->name, NULL);

          if (g_mkdir_with_parents (sub, 0755) != 0)
            {
              int errsv = errno;

              g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                           "%s: %s", sub, g_strerror (errsv));
              return FALSE;
            }
          if (!bw_skab_write_prediction (path, file->time_us + BW_SKAB_TRAIN_ROWS,
                                         decisions + BW_SKAB_TRAIN_ROWS, cp, n_test, error))
            return FALSE;
        }

      if (metrics != NULL)
        bw_skab_metrics_add (metrics, file->time_us + BW_SKAB_TRAIN_ROWS,
                             file->anomaly + BW_SKAB_TRAIN_ROWS,
                             file->changepoint + BW_SKAB_TRAIN_ROWS,
                             decisions + BW_SKAB_TRAIN_ROWS, cp, n_test);
    }

  if (metrics != NULL)
    bw_skab_metrics_finish (metrics);
  return TRUE;
}
