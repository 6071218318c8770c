/* fuzz-config.c: libFuzzer harness for the configuration parser
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>

#include "bw-config.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  char *text = g_strndup ((const char *) data, size);
  GError *error = NULL;
  BwConfig *c = bw_config_new_from_data (text, "fuzz.ini", &error);

  bw_config_free (c);
  g_clear_error (&error);
  g_free (text);
  return 0;
}
