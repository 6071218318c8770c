/* fuzz-wire.c: libFuzzer harness for the sample wire parser
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I../../src/core -I../../_build \
 *     fuzz-wire.c ../../src/core/bw-wire.c ../../src/core/bw-time.c $(pkg-config --cflags --libs glib-2.0) -lm
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>
#include <string.h>

#include "bw-wire.h"

static void
sample_cb (const char *item, gsize len, gint64 t, double v, gpointer data)
{
  /* touch everything handed out */
  volatile char c = len ? item[len - 1] : 0;
  (void) c;
  (void) t;
  if (v != v)
    __builtin_trap ();   /* NaN must never be handed on */
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  BwWireStats stats = { 0 };
  /* a copy of exactly size bytes: reads past the end are caught */
  char *buf = g_memdup2 (data, size ? size : 1);

  bw_wire_parse_message (buf, size, sample_cb, NULL, NULL, &stats);
  g_free (buf);
  return 0;
}
