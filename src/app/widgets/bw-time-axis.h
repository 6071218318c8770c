/* bw-time-axis.h: tick positions and labels for a time axis in local time
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

guint  bw_time_axis_ticks        (double      t0_ms,
                                  double      t1_ms,
                                  double      width,
                                  double      min_spacing,
                                  GTimeZone  *tz,
                                  gint64     *ticks,
                                  guint       max_ticks,
                                  gint64     *step_ms);
gint64 bw_time_axis_pick_step    (double      t0_ms,
                                  double      t1_ms,
                                  double      width,
                                  double      min_spacing);
char  *bw_time_axis_format_tick  (gint64      t_ms,
                                  gint64      step_ms,
                                  GTimeZone  *tz);
char  *bw_time_axis_format_full  (gint64      t_ms,
                                  double      precision_ms,
                                  GTimeZone  *tz);

G_END_DECLS
