/* bw-stop-list.h: the stops of a period, kept live — the journal's model
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "bw-line.h"

G_BEGIN_DECLS

#define BW_CAUSE_FILTER_UNCLASSIFIED "unclassified"

typedef struct
{
  const char *code;       /* NULL: unclassified */
  guint       count;
  gint64      downtime_us;
} BwCauseTotal;

#define BW_TYPE_STOP_LIST (bw_stop_list_get_type ())

G_DECLARE_FINAL_TYPE (BwStopList, bw_stop_list, BW, STOP_LIST, GObject)

BwStopList  *bw_stop_list_new              (BwLine             *line);
GListModel  *bw_stop_list_get_model        (BwStopList         *self);
void         bw_stop_list_set_filter       (BwStopList         *self,
                                            gint64              from_us,
                                            gint64              to_us,
                                            const char * const *conveyors,
                                            const char         *cause);
void         bw_stop_list_get_period       (BwStopList         *self,
                                            gint64             *from_us,
                                            gint64             *to_us);
void         bw_stop_list_reload           (BwStopList         *self);
gboolean     bw_stop_list_is_loading       (BwStopList         *self);
const char  *bw_stop_list_get_error        (BwStopList         *self);
gboolean     bw_stop_list_matches          (BwStopList         *self,
                                            BwStop             *stop);
gint64       bw_stop_list_clipped_duration (BwStopList         *self,
                                            BwStop             *stop,
                                            gint64              now_us);
void         bw_stop_list_get_totals       (BwStopList         *self,
                                            gint64              now_us,
                                            guint              *n_stops,
                                            gint64             *downtime_us,
                                            guint              *n_unclassified);
GArray      *bw_stop_list_get_cause_totals (BwStopList         *self,
                                            gint64              now_us);
GPtrArray   *bw_stop_list_dup_stops        (BwStopList         *self);

G_END_DECLS
