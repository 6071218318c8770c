/* bw-time.h: timestamps as microseconds since the Unix epoch, UTC
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BW_USEC_PER_SEC  G_GINT64_CONSTANT (1000000)
#define BW_USEC_PER_MIN  (60 * BW_USEC_PER_SEC)
#define BW_USEC_PER_HOUR (3600 * BW_USEC_PER_SEC)
#define BW_USEC_PER_DAY  (86400 * BW_USEC_PER_SEC)

/* Buffer large enough for bw_time_format() */
#define BW_TIME_FORMAT_LEN 32

gboolean bw_time_parse        (const char *text,
                               gssize      len,
                               gint64     *out_us);
char    *bw_time_format       (gint64      time_us,
                               char       *buf);
char    *bw_time_to_string    (gint64      time_us);
gint64   bw_time_now          (void);
gboolean bw_duration_parse    (const char *text,
                               gint64     *out_us);
gint64   bw_time_from_civil   (int         year,
                               int         month,
                               int         day,
                               int         hour,
                               int         minute,
                               double      second);

G_END_DECLS
