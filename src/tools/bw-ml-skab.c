/* bw-ml-skab.c: `beltwatch-ml skab`, the SKAB benchmark
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beltwatch-ml"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bw-detector-registry.h"
#include "bw-skab.h"

int bw_ml_skab_main (int argc, char **argv);

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static guint64
count_rows (GPtrArray *files)
{
  guint64 n = 0;

  for (guint i = 0; i < files->len; i++)
    n += ((BwSkabFile *) g_ptr_array_index (files, i))->n_rows;
  return n;
}

/* CPU time of this thread: the machines are shared, and rows per CPU
 * second on one core is what the figures claim */
static double
thread_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
run_bench (GPtrArray              *files,
           const BwSkabRunOptions *options,
           int                     repeats)
{
  g_autofree double *rate = g_new (double, repeats);
  guint64 rows = count_rows (files);

  for (int r = 0; r < repeats; r++)
    {
      g_autoptr(GError) error = NULL;
      double t0 = thread_seconds ();

      if (!bw_skab_run (files, options, NULL, &error))
        {
          fprintf (stderr, "beltwatch-ml skab: %s\n", error->message);
          return 1;
        }
      rate[r] = rows / (thread_seconds () - t0);
    }
  qsort (rate, repeats, sizeof (double), compare_doubles);
  printf ("%s: %" G_GUINT64_FORMAT " rows (%u files), fit + score, %d runs, CPU time: "
          "median %.0f rows/s (min %.0f, max %.0f)\n",
          options->algorithm, rows, files->len, repeats,
          repeats % 2 ? rate[repeats / 2] : 0.5 * (rate[repeats / 2 - 1] + rate[repeats / 2]),
          rate[0], rate[repeats - 1]);
  return 0;
}

int
bw_ml_skab_main (int    argc,
                 char **argv)
{
  g_autofree char *data = NULL;
  g_autofree char *algorithm = NULL;
  g_autofree char *out = NULL;
  g_autofree char *evaluate = NULL;
  g_autofree char *config = NULL;
  g_auto(GStrv) table = NULL;
  gboolean list = FALSE, quiet = FALSE;
  gint64 seed = -1;
  int bench = 0;
  const GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data, "SKAB data directory (default $BW_SKAB_DATA or ../shared/data/skab)", "DIR" },
    { "algorithm", 'a', 0, G_OPTION_ARG_STRING, &algorithm, "Algorithm to run (see --list)", "NAME" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Write OUT/<subfolder>/<file>.csv", "DIR" },
    { "list", 'l', 0, G_OPTION_ARG_NONE, &list, "Print the algorithm names, one per line", NULL },
    { "evaluate", 'e', 0, G_OPTION_ARG_FILENAME, &evaluate, "Print the metrics of an output directory", "DIR" },
    { "table", 't', 0, G_OPTION_ARG_STRING_ARRAY, &table, "Print one Markdown table row per algorithm (repeatable)", "NAME" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Seed for randomised detectors", "N" },
    { "config", 'c', 0, G_OPTION_ARG_STRING, &config, "JSON object overriding the algorithm's configuration", "JSON" },
    { "bench", 'b', 0, G_OPTION_ARG_INT, &bench, "Time fit + score over all files N times; print rows/s", "N" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Do not print the metrics after a run", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(JsonObject) overrides = NULL;
  BwSkabRunOptions options = { 0 };
  BwSkabMetrics metrics;

  context = g_option_context_new ("- run a detector on the SKAB benchmark");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "Per file: fit on the first 400 rows, score the rest. Prints F1, FAR, MAR and\n"
    "the NAB scores (standard, LowFP, LowFN; 60 s windows to the right).");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 2;
    }

  if (list)
    {
      g_autoptr(GPtrArray) all = bw_detector_registry_list ();

      for (guint i = 0; i < all->len; i++)
        printf ("%s\n", ((const BwDetectorEntry *) g_ptr_array_index (all, i))->name);
      return 0;
    }

  if (algorithm == NULL && evaluate == NULL && table == NULL)
    {
      fprintf (stderr, "%s: give --algorithm NAME, --evaluate DIR, --table NAME or --list\n", argv[0]);
      return 2;
    }
  if (seed < -1)
    {
      fprintf (stderr, "%s: --seed must be ≥ 0\n", argv[0]);
      return 2;
    }
  if (config != NULL)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *root;

      if (!json_parser_load_from_data (parser, config, -1, &error))
        {
          fprintf (stderr, "%s: --config: %s\n", argv[0], error->message);
          return 2;
        }
      root = json_parser_get_root (parser);
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          fprintf (stderr, "%s: --config wants a JSON object\n", argv[0]);
          return 2;
        }
      overrides = json_object_ref (json_node_get_object (root));
    }

  if (data == NULL)
    data = g_strdup (g_getenv ("BW_SKAB_DATA") ? g_getenv ("BW_SKAB_DATA") : "../shared/data/skab");
  files = bw_skab_load_dir (data, &error);
  if (files == NULL)
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 1;
    }

  if (evaluate != NULL)
    {
      g_autofree char *text = NULL;

      if (!bw_skab_evaluate_dir (files, evaluate, &metrics, &error))
        {
          fprintf (stderr, "%s: %s\n", argv[0], error->message);
          return 1;
        }
      text = bw_skab_metrics_format (&metrics);
      fputs (text, stdout);
      return 0;
    }

  options.set_seed = seed >= 0;
  options.seed = seed >= 0 ? (guint64) seed : 0;
  options.overrides = overrides;

  if (table != NULL)
    {
      printf ("| algorithm | F1 | FAR, %% | MAR, %% | NAB standard | NAB LowFP | NAB LowFN |\n"
              "|---|---|---|---|---|---|---|\n");
      for (guint i = 0; table[i] != NULL; i++)
        {
          g_autofree char *row = NULL;

          options.algorithm = table[i];
          if (!bw_skab_run (files, &options, &metrics, &error))
            {
              fprintf (stderr, "%s: %s\n", argv[0], error->message);
              return 1;
            }
          row = bw_skab_metrics_table_row (&metrics, table[i]);
          printf ("%s\n", row);
        }
      return 0;
    }

  options.algorithm = algorithm;
  if (bench > 0)
    return run_bench (files, &options, bench);

  options.out_dir = out;
  if (!bw_skab_run (files, &options, &metrics, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 1;
    }
  if (!quiet)
    {
      g_autofree char *text = bw_skab_metrics_format (&metrics);

      printf ("algorithm      %s\n", algorithm);
      fputs (text, stdout);
    }
  return 0;
}
