/* beltwatch-ml.c: offline model work — detectors, the SKAB benchmark, the
 * stop-cause classifier, experiment tracking, ledger export
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beltwatch-ml"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "bw-ml.h"

/* One line per subcommand; the implementations are in bw-ml-*.c */
#define BW_ML_COMMANDS(X) \
  X (report, "Write a downtime report (PDF, CSV or JSON) from a ledger or a server") \
  X (stops, "Print the stops of a ledger (JSON or CSV)") \
  X (train_classifier, "Train the stop-cause classifier and record the run (MLflow layout)") \
  X (skab, "Run an anomaly detector on the SKAB benchmark") \
  X (fit, "Fit an anomaly model on normal running (CSV, replay file or ledger history)") \
  X (score, "Run an anomaly model over recorded data and print its anomalies")

#define DECLARE(name, summary) int bw_ml_##name##_main (int argc, char **argv);
BW_ML_COMMANDS (DECLARE)
#undef DECLARE

#define ENTRY(name, summary) { #name, summary, bw_ml_##name##_main },
static const BwMlCommand commands[] = {
  BW_ML_COMMANDS (ENTRY)
};
#undef ENTRY

static void
usage (FILE *out)
{
  fprintf (out, "Usage: beltwatch-ml COMMAND [OPTION…]\n\nCommands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *name = g_strdelimit (g_strdup (commands[i].name), "_", '-');
      fprintf (out, "  %-20s %s\n", name, commands[i].summary);
    }
  fprintf (out, "\nRun 'beltwatch-ml COMMAND --help' for a command's options.\n");
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? 2 : 0;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      printf ("beltwatch-ml %s\n", PACKAGE_VERSION);
      return 0;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *name = g_strdelimit (g_strdup (commands[i].name), "_", '-');

      if (g_str_equal (argv[1], name))
        {
          g_autofree char *prgname = g_strdup_printf ("beltwatch-ml %s", name);
          g_set_prgname (prgname);
          argv[1] = prgname;
          return commands[i].main (argc - 1, argv + 1);
        }
    }

  fprintf (stderr, "beltwatch-ml: unknown command “%s”\n\n", argv[1]);
  usage (stderr);
  return 2;
}
