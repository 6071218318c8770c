/* bw-ml-stops.c: `beltwatch-ml stops` (filled in with the ledger)
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beltwatch-ml"

#include "config.h"

#include <stdio.h>

int bw_ml_stops_main (int argc, char **argv);

int
bw_ml_stops_main (int    argc,
                  char **argv)
{
  fprintf (stderr, "%s: the ledger is not built yet\n", argv[0]);
  return 1;
}
