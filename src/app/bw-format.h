/* bw-format.h: how the app writes times, durations and values
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char       *bw_format_duration       (gint64      us);
char       *bw_format_elapsed        (gint64      us);
char       *bw_format_time           (gint64      time_us);
char       *bw_format_date_time      (gint64      time_us);
char       *bw_format_date           (gint64      time_us);
char       *bw_format_value          (double      value,
                                      const char *tag);
char       *bw_format_probability    (double      p);
const char *bw_format_unit           (const char *tag);
const char *bw_format_cause          (const char *code);
const char *bw_format_trigger        (const char *trigger);
gboolean    bw_parse_local_date_time (const char *text,
                                      gint64     *out_us);

G_END_DECLS
