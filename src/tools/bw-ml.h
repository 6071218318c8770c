/* bw-ml.h: subcommands of beltwatch-ml
 *
 * Each subcommand lives in its own bw-ml-<name>.c and is listed once in the
 * table of beltwatch-ml.c. It receives argv with argv[0] = "beltwatch-ml NAME"
 * and returns the process exit status (0 ok, 1 failure, 2 usage error).
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *name;
  const char *summary;   /* one line, English (tool output is not translated) */
  int       (*main)     (int argc, char **argv);
} BwMlCommand;

G_END_DECLS
