/* bw-error.h: the core library's error domain
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BW_ERROR (bw_error_quark ())

typedef enum
{
  BW_ERROR_FAILED,
  BW_ERROR_INVALID,      /* malformed input: a message, a file, a request */
  BW_ERROR_NOT_FOUND,
  BW_ERROR_CONFIG,       /* a broken configuration file */
  BW_ERROR_STORAGE,      /* the ledger could not be read or written */
  BW_ERROR_CONFLICT,     /* a state change that is not allowed now */
  BW_ERROR_UNSUPPORTED,
} BwError;

GQuark bw_error_quark (void);

G_END_DECLS
