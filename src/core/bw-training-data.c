/* bw-training-data.c: rows of normal running to fit an anomaly model on
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-training-data"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <gio/gio.h>

#include "bw-error.h"
#include "bw-tags.h"
#include "bw-time.h"
#include "bw-training-data.h"
#include "bw-ledger.h"
#include "bw-wire.h"

#define DEFAULT_PERIOD_US  (100 * G_GINT64_CONSTANT (1000))
#define DEFAULT_STARTUP_US (10 * BW_USEC_PER_SEC)

void
bw_training_data_free (BwTrainingData *data)
{
  if (data == NULL)
    return;
  g_strfreev (data->names);
  g_free (data->time_us);
  g_free (data->running);
  g_clear_pointer (&data->x, gsl_matrix_free);
  g_free (data);
}

/* Rows go through here, in time order: the stop and start-up exclusions */
typedef struct
{
  gint64   startup_us;
  guint    n_cols;
  GArray  *values;      /* double, kept rows × n_cols */
  GArray  *times;       /* gint64 */
  GArray  *running;     /* double, with keep_all */
  gboolean keep_all;
  int      state;       /* -1 unknown, 0 stopped, 1 running */
  gint64   started_us;  /* start of the current run, or G_MININT64 */
  guint64  seen, stopped, startup;
} Filter;

static void
filter_init (Filter  *f,
             guint    n_cols,
             gint64   startup_us,
             gboolean keep_all)
{
  memset (f, 0, sizeof *f);
  f->keep_all = keep_all;
  f->running = g_array_new (FALSE, FALSE, sizeof (double));
  f->n_cols = n_cols;
  f->startup_us = startup_us;
  f->values = g_array_new (FALSE, FALSE, sizeof (double));
  f->times = g_array_new (FALSE, FALSE, sizeof (gint64));
  f->state = -1;
  f->started_us = G_MININT64;
}

static void
filter_clear (Filter *f)
{
  g_clear_pointer (&f->values, g_array_unref);
  g_clear_pointer (&f->times, g_array_unref);
  g_clear_pointer (&f->running, g_array_unref);
}

/* @running: NAN when the source has no running signal */
static void
filter_row (Filter       *f,
            gint64        time_us,
            const double *row,
            double        running)
{
  f->seen++;
  if (f->keep_all)
    g_array_append_val (f->running, running);
  else if (!isnan (running))
    {
      if (running < 0.5)
        {
          f->state = 0;
          f->stopped++;
          return;
        }
      if (f->state == 0)
        f->started_us = time_us;   /* a start: the belt was stopped before */
      f->state = 1;
      if (f->started_us != G_MININT64 && time_us - f->started_us < f->startup_us)
        {
          f->startup++;
          return;
        }
    }
  g_array_append_vals (f->values, row, f->n_cols);
  g_array_append_val (f->times, time_us);
}

static BwTrainingData *
filter_finish (Filter  *f,
               char   **names,
               GError **error)
{
  g_autoptr(BwTrainingData) data = g_new0 (BwTrainingData, 1);
  guint n = f->times->len;

  data->names = names;
  data->rows_seen = f->seen;
  data->rows_stopped = f->stopped;
  data->rows_startup = f->startup;
  if (n < 2)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   "only %u rows of normal running (%" G_GUINT64_FORMAT " read, %" G_GUINT64_FORMAT
                   " stopped, %" G_GUINT64_FORMAT " starting up)",
                   n, f->seen, f->stopped, f->startup);
      return NULL;
    }
  data->n_rows = n;
  data->time_us = g_memdup2 (f->times->data, n * sizeof (gint64));
  data->x = gsl_matrix_alloc (n, f->n_cols);
  memcpy (data->x->data, f->values->data, (gsize) n * f->n_cols * sizeof (double));
  if (f->keep_all && f->running->len == n && n > 0 && !isnan (g_array_index (f->running, double, 0)))
    data->running = g_memdup2 (f->running->data, n * sizeof (double));
  return g_steal_pointer (&data);
}

/* A tag the detectors use by default: the analog ones */
static gboolean
is_default_feature (const char *name)
{
  int tag = bw_tag_from_name (name, -1);

  return !(tag >= 0 && tag < BW_N_STANDARD_TAGS && bw_tag_is_binary (tag));
}

static int
find_name (char       **names,
           guint        n,
           const char  *name)
{
  for (guint i = 0; i < n; i++)
    if (g_str_equal (names[i], name))
      return i;
  return -1;
}

/* CSV ----------------------------------------------------------------------- */

static gboolean
parse_number (const char *text,
              double     *out)
{
  char *end = NULL;

  while (*text == ' ')
    text++;
  if (*text == '\0')
    return FALSE;
  errno = 0;
  *out = g_ascii_strtod (text, &end);
  while (*end == ' ')
    end++;
  return end != text && *end == '\0' && errno != ERANGE && isfinite (*out);
}

BwTrainingData *
bw_training_data_from_csv (const char              *path,
                           const BwTrainingOptions *options,
                           GError                 **error)
{
  static const BwTrainingOptions defaults = { 0 };
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) header = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree int *cols = NULL;
  g_autofree double *row = NULL;
  const char *sep;
  int time_col = -1, running_col = -1;
  guint n_header, n_lines;
  gint64 period, startup;
  Filter f;
  BwTrainingData *data;
  gsize len;

  g_return_val_if_fail (path != NULL, NULL);

  if (options == NULL)
    options = &defaults;
  period = options->period_us > 0 ? options->period_us : DEFAULT_PERIOD_US;
  startup = options->startup_us < 0 ? 0 : options->startup_us > 0 ? options->startup_us : DEFAULT_STARTUP_US;

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  if (memchr (contents, '\0', len) != NULL)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "%s: not a text file", path);
      return NULL;
    }
  lines = g_strsplit (contents, "\n", -1);
  n_lines = g_strv_length (lines);
  for (guint i = 0; i < n_lines; i++)
    g_strchomp (lines[i]);
  while (n_lines > 0 && lines[n_lines - 1][0] == '\0')
    n_lines--;
  if (n_lines < 2)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "%s: no data rows", path);
      return NULL;
    }

  sep = strchr (lines[0], ';') != NULL ? ";" : ",";
  header = g_strsplit (lines[0], sep, -1);
  n_header = g_strv_length (header);
  for (guint c = 0; c < n_header; c++)
    {
      g_strstrip (header[c]);
      if (g_ascii_strcasecmp (header[c], "time") == 0 ||
          g_ascii_strcasecmp (header[c], "timestamp") == 0 ||
          g_ascii_strcasecmp (header[c], "datetime") == 0)
        time_col = c;
      else if (g_str_equal (header[c], "running"))
        running_col = c;
    }

  /* the feature columns */
  cols = g_new (int, n_header);
  if (options->tags != NULL)
    for (guint i = 0; options->tags[i] != NULL; i++)
      {
        int c = find_name (header, n_header, options->tags[i]);

        if (c < 0)
          {
            g_set_error (error, BW_ERROR, BW_ERROR_NOT_FOUND,
                         "%s: no column “%s”", path, options->tags[i]);
            return NULL;
          }
        cols[names->len] = c;
        g_ptr_array_add (names, g_strdup (header[c]));
      }
  else
    for (guint c = 0; c < n_header; c++)
      if ((int) c != time_col && (int) c != running_col && header[c][0] != '\0' &&
          is_default_feature (header[c]))
        {
          cols[names->len] = c;
          g_ptr_array_add (names, g_strdup (header[c]));
        }
  if (names->len == 0)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "%s: no feature columns", path);
      return NULL;
    }
  g_ptr_array_add (names, NULL);

  row = g_new (double, names->len);
  filter_init (&f, names->len - 1, startup, options->keep_all);
  for (guint i = 1; i < n_lines; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], sep, -1);
      double running = NAN;
      gint64 t = (gint64) (i - 1) * period;

      if (lines[i][0] == '\0')
        continue;
      if (g_strv_length (fields) != n_header)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                       "%s:%u: %u fields, the header has %u", path, i + 1,
                       g_strv_length (fields), n_header);
          filter_clear (&f);
          return NULL;
        }
      if (time_col >= 0 && !bw_time_parse (g_strstrip (fields[time_col]), -1, &t))
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                       "%s:%u: bad time “%s”", path, i + 1, fields[time_col]);
          filter_clear (&f);
          return NULL;
        }
      if (running_col >= 0 && !parse_number (fields[running_col], &running))
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                       "%s:%u: running must be 0 or 1", path, i + 1);
          filter_clear (&f);
          return NULL;
        }
      for (guint j = 0; j + 1 < names->len; j++)
        if (!parse_number (fields[cols[j]], &row[j]))
          {
            g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                         "%s:%u: “%s” is not a finite number (%s)", path, i + 1,
                         fields[cols[j]], (char *) names->pdata[j]);
            filter_clear (&f);
            return NULL;
          }
      filter_row (&f, t, row, running);
    }

  data = filter_finish (&f, (char **) g_ptr_array_steal (names, NULL), error);
  filter_clear (&f);
  if (data == NULL)
    g_prefix_error (error, "%s: ", path);
  return data;
}

/* Replay ---------------------------------------------------------------------- */

typedef struct
{
  gint64 t;
  double v;
} Sample;

typedef struct
{
  const char  *conveyor;     /* wanted, or NULL */
  char        *seen;         /* the conveyor taken when none was asked for */
  GHashTable  *others;       /* other conveyors seen (names) */
  GHashTable  *index;        /* tag → GUINT_TO_POINTER (i + 1) */
  GPtrArray   *tags;         /* names */
  GPtrArray   *series;       /* GArray of Sample per tag */
  guint64      rejected;
} Collector;

static void
collect_sample (const char *item,
                gsize       item_len,
                gint64      time_us,
                double      value,
                gpointer    user_data)
{
  Collector *c = user_data;
  const char *dot = NULL, *want;
  gsize conveyor_len, tag_len;
  char tag[256];
  GArray *series;
  gpointer idx;

  for (gsize i = item_len; i > 0; i--)
    if (item[i - 1] == '.')
      {
        dot = item + i - 1;
        break;
      }
  conveyor_len = dot ? (gsize) (dot - item) : 0;
  tag_len = dot ? item_len - conveyor_len - 1 : 0;
  if (dot == NULL || conveyor_len == 0 || tag_len == 0 || tag_len >= sizeof tag)
    {
      c->rejected++;
      return;
    }

  /* this hot path allocates nothing for samples it keeps */
  want = c->conveyor != NULL ? c->conveyor : c->seen;
  if (want == NULL)
    want = c->seen = g_strndup (item, conveyor_len);
  if (strlen (want) != conveyor_len || memcmp (want, item, conveyor_len) != 0)
    {
      if (c->conveyor == NULL)
        g_hash_table_add (c->others, g_strndup (item, conveyor_len));
      return;
    }
  if (c->seen == NULL)
    c->seen = g_strndup (item, conveyor_len);

  memcpy (tag, dot + 1, tag_len);
  tag[tag_len] = '\0';
  idx = g_hash_table_lookup (c->index, tag);
  if (idx == NULL)
    {
      g_ptr_array_add (c->tags, g_strdup (tag));
      g_ptr_array_add (c->series, g_array_new (FALSE, FALSE, sizeof (Sample)));
      idx = GUINT_TO_POINTER (c->tags->len);
      g_hash_table_insert (c->index, g_strdup (tag), idx);
    }
  series = g_ptr_array_index (c->series, GPOINTER_TO_UINT (idx) - 1);
  if (series->len > 0 && time_us < g_array_index (series, Sample, series->len - 1).t)
    {
      c->rejected++;   /* going backwards */
      return;
    }
  g_array_append_vals (series, &(Sample) { time_us, value }, 1);
}

static void
count_bad (BwBadReason reason,
           gsize       offset,
           gpointer    user_data)
{
  ((Collector *) user_data)->rejected++;
}

BwTrainingData *
bw_training_data_from_replay (const char              *path,
                              const BwTrainingOptions *options,
                              GError                 **error)
{
  static const BwTrainingOptions defaults = { 0 };
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) fin = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree int *use = NULL;
  g_autofree guint *cursor = NULL;
  g_autofree double *row = NULL;
  Collector c = { 0 };
  BwWireStats stats = { 0 };
  BwTrainingData *data = NULL;
  int running = -1;
  gint64 period, startup, start = G_MININT64, end = G_MININT64;
  Filter f;
  char *line;
  gsize len;

  g_return_val_if_fail (path != NULL, NULL);

  if (options == NULL)
    options = &defaults;
  period = options->period_us > 0 ? options->period_us : DEFAULT_PERIOD_US;
  startup = options->startup_us < 0 ? 0 : options->startup_us > 0 ? options->startup_us : DEFAULT_STARTUP_US;

  file = g_file_new_for_path (path);
  fin = g_file_read (file, NULL, error);
  if (fin == NULL)
    return NULL;
  in = g_data_input_stream_new (G_INPUT_STREAM (fin));
  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_ANY);

  c.conveyor = options->conveyor;
  c.others = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  c.index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  c.tags = g_ptr_array_new_with_free_func (g_free);
  c.series = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);

  while ((line = g_data_input_stream_read_line (in, &len, NULL, error)) != NULL)
    {
      if (len > 0)
        bw_wire_parse_message (line, len, collect_sample, count_bad, &c, &stats);
      g_free (line);
    }
  if (error != NULL && *error != NULL)
    goto out;

  if (c.seen == NULL)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   c.conveyor ? "%s: no samples of conveyor %s" : "%s: no samples%s",
                   path, c.conveyor ? c.conveyor : "");
      goto out;
    }
  if (c.conveyor == NULL && g_hash_table_size (c.others) > 0)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   "%s: several conveyors (%s and %u more): say which one",
                   path, c.seen, g_hash_table_size (c.others));
      goto out;
    }

  /* the kept tags, in the order asked for or seen */
  use = g_new (int, c.tags->len + 1);
  if (options->tags != NULL)
    for (guint i = 0; options->tags[i] != NULL; i++)
      {
        int t = find_name ((char **) c.tags->pdata, c.tags->len, options->tags[i]);

        if (t < 0)
          {
            g_set_error (error, BW_ERROR, BW_ERROR_NOT_FOUND,
                         "%s: conveyor %s has no tag “%s”", path, c.seen, options->tags[i]);
            goto out;
          }
        use[names->len] = t;
        g_ptr_array_add (names, g_strdup (options->tags[i]));
      }
  else
    for (guint t = 0; t < c.tags->len; t++)
      if (is_default_feature (g_ptr_array_index (c.tags, t)))
        {
          use[names->len] = t;
          g_ptr_array_add (names, g_strdup (g_ptr_array_index (c.tags, t)));
        }
  if (names->len == 0)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "%s: no analog tags for %s", path, c.seen);
      goto out;
    }
  running = find_name ((char **) c.tags->pdata, c.tags->len, "running");

  /* the grid: from where every kept tag (and running) has a value */
  for (guint k = 0; k <= names->len; k++)
    {
      int t = k < names->len ? use[k] : running;
      GArray *s;

      if (t < 0)
        continue;
      s = g_ptr_array_index (c.series, t);
      start = MAX (start, g_array_index (s, Sample, 0).t);
      end = MAX (end, g_array_index (s, Sample, s->len - 1).t);
    }
  /* round up to the grid */
  {
    gint64 rem = ((start % period) + period) % period;

    if (rem != 0)
      start += period - rem;
  }

  g_ptr_array_add (names, NULL);
  row = g_new (double, names->len);
  cursor = g_new0 (guint, c.tags->len);
  filter_init (&f, names->len - 1, startup, options->keep_all);
  for (gint64 g = start; g <= end; g += period)
    {
      double r = NAN;

      /* sample-and-hold: the last sample at or before g */
      for (guint k = 0; k <= names->len - 1; k++)
        {
          int t = k < names->len - 1 ? use[k] : running;
          GArray *s;

          if (t < 0)
            continue;
          s = g_ptr_array_index (c.series, t);
          while (cursor[t] + 1 < s->len && g_array_index (s, Sample, cursor[t] + 1).t <= g)
            cursor[t]++;
          if (k < names->len - 1)
            row[k] = g_array_index (s, Sample, cursor[t]).v;
          else
            r = g_array_index (s, Sample, cursor[t]).v;
        }
      filter_row (&f, g, row, r);
    }
  if (running < 0)
    g_message ("%s: conveyor %s has no running tag; every row counts as running", path, c.seen);

  data = filter_finish (&f, (char **) g_ptr_array_steal (names, NULL), error);
  filter_clear (&f);
  if (data == NULL)
    g_prefix_error (error, "%s: ", path);
  else
    data->samples_rejected = c.rejected;

out:
  g_free (c.seen);
  g_hash_table_unref (c.others);
  g_hash_table_unref (c.index);
  g_ptr_array_unref (c.tags);
  g_ptr_array_unref (c.series);
  return data;
}

/* Ledger -------------------------------------------------------------------- */

/**
 * bw_training_data_from_ledger:
 * @from_us: start of the history to use (0: a week before @to_us)
 * @to_us: end (0: now)
 *
 * Rows of the ledger's per-second history (each second's mean) of one
 * conveyor. Seconds in which the belt was stopped (the running tag's minimum
 * below 0.5) and the start-up seconds after are left out, as are seconds
 * where a tag has no data. A model fitted on these rows works on one-second
 * rows: give it a row period of 1 s.
 */
BwTrainingData *
bw_training_data_from_ledger (BwLedger                *ledger,
                              const char              *conveyor,
                              gint64                   from_us,
                              gint64                   to_us,
                              const BwTrainingOptions *options,
                              GError                 **error)
{
  static const BwTrainingOptions defaults = { 0 };
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GPtrArray) series = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr(GArray) running = NULL;
  gint64 startup_us;
  Filter f;
  BwTrainingData *data;
  g_autofree guint *pos = NULL;
  guint rpos = 0;

  if (options == NULL)
    options = &defaults;
  if (to_us == 0)
    to_us = g_get_real_time ();
  if (from_us == 0)
    from_us = to_us - 7 * BW_USEC_PER_DAY;
  startup_us = options->startup_us < 0 ? 0 : options->startup_us ? options->startup_us : DEFAULT_STARTUP_US;

  if (options->tags)
    for (guint i = 0; options->tags[i]; i++)
      g_ptr_array_add (names, g_strdup (options->tags[i]));
  else
    for (int t = 0; t < BW_N_STANDARD_TAGS; t++)
      if (is_default_feature (bw_tag_name (t)))
        g_ptr_array_add (names, g_strdup (bw_tag_name (t)));
  for (guint i = 0; i < names->len; i++)
    {
      GArray *h = bw_ledger_get_history (ledger, conveyor, names->pdata[i], from_us, to_us, error);
      if (h == NULL)
        {
          g_ptr_array_foreach (names, (GFunc) g_free, NULL);
          return NULL;
        }
      if (h->len == 0)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "the ledger has no history of %s.%s in that period",
                       conveyor, (char *) names->pdata[i]);
          g_array_unref (h);
          g_ptr_array_foreach (names, (GFunc) g_free, NULL);
          return NULL;
        }
      g_ptr_array_add (series, h);
    }
  running = bw_ledger_get_history (ledger, conveyor, "running", from_us, to_us, error);
  if (running == NULL)
    {
      g_ptr_array_foreach (names, (GFunc) g_free, NULL);
      return NULL;
    }

  /* walk the seconds of the first series; the others are merged by time */
  filter_init (&f, names->len, startup_us, FALSE);
  pos = g_new0 (guint, names->len);
  {
    GArray *first = series->pdata[0];
    g_autofree double *row = g_new (double, names->len);

    for (guint k = 0; k < first->len; k++)
      {
        gint64 t = g_array_index (first, BwHistoryPoint, k).time_us;
        double run = NAN;
        gboolean complete = TRUE;

        for (guint j = 0; j < names->len && complete; j++)
          {
            GArray *h = series->pdata[j];
            while (pos[j] < h->len && g_array_index (h, BwHistoryPoint, pos[j]).time_us < t)
              pos[j]++;
            if (pos[j] < h->len && g_array_index (h, BwHistoryPoint, pos[j]).time_us == t)
              row[j] = g_array_index (h, BwHistoryPoint, pos[j]).mean;
            else
              complete = FALSE;
          }
        while (rpos < running->len && g_array_index (running, BwHistoryPoint, rpos).time_us < t)
          rpos++;
        if (rpos < running->len && g_array_index (running, BwHistoryPoint, rpos).time_us == t)
          run = g_array_index (running, BwHistoryPoint, rpos).min >= 0.5 ? 1 : 0;
        if (complete)
          filter_row (&f, t, row, run);
      }
  }
  g_ptr_array_add (names, NULL);
  data = filter_finish (&f, (char **) g_ptr_array_steal (names, NULL), error);
  filter_clear (&f);
  return data;
}
