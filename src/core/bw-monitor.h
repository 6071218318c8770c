/* bw-monitor.h: the line as the service sees it
 *
 * The monitor turns samples into conveyor state, stops, alarms and events.
 * What it decides is queued and written to the ledger in one transaction by
 * bw_monitor_flush(); only then are the events emitted (the "event" signal),
 * so a client never sees an event that the ledger would not give back to it
 * after a restart. If the ledger cannot be written (a full disk, a server
 * that went away), the queue is kept and written at the next flush.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "bw-alarm.h"
#include "bw-config.h"
#include "bw-event.h"
#include "bw-ledger.h"
#include "bw-ring.h"
#include "bw-stop.h"
#include "bw-window.h"
#include "bw-wire.h"

G_BEGIN_DECLS

typedef enum
{
  BW_CONVEYOR_UNKNOWN,   /* no data yet, or stale */
  BW_CONVEYOR_RUNNING,
  BW_CONVEYOR_STOPPED,
} BwConveyorState;

typedef struct _BwConveyor BwConveyor;

/**
 * BwStopClassifyFunc:
 * @stop: the stop being opened; set its suggested_cause,
 *   suggested_probability and suggested_model
 * @window: the signals up to the stop (grid points after the data seen so
 *   far are NAN)
 * @context: the stop's context
 *
 * Called when a stop opens, before stop.started is sent.
 */
typedef void (*BwStopClassifyFunc) (BwStop              *stop,
                                    const BwWindow      *window,
                                    const BwStopContext *context,
                                    gpointer             user_data);

/**
 * BwSampleHookFunc:
 * Called for each accepted sample (after the conveyor's state is updated),
 * e.g. to feed anomaly detectors.
 */
typedef void (*BwSampleHookFunc) (BwConveyor *conveyor,
                                  guint       tag,
                                  gint64      time_us,
                                  double      value,
                                  gpointer    user_data);

#define BW_TYPE_MONITOR (bw_monitor_get_type ())

G_DECLARE_FINAL_TYPE (BwMonitor, bw_monitor, BW, MONITOR, GObject)

BwMonitor        *bw_monitor_new                (const BwConfig     *config,
                                                 BwLedger           *ledger,
                                                 GError            **error);
void              bw_monitor_set_classifier     (BwMonitor          *self,
                                                 BwStopClassifyFunc  func,
                                                 gpointer            user_data,
                                                 GDestroyNotify      destroy);
void              bw_monitor_set_sample_hook    (BwMonitor          *self,
                                                 BwSampleHookFunc    func,
                                                 gpointer            user_data,
                                                 GDestroyNotify      destroy);
void              bw_monitor_set_check_future   (BwMonitor          *self,
                                                 gboolean            check);
gsize             bw_monitor_ingest_message     (BwMonitor          *self,
                                                 const char         *buf,
                                                 gsize               len);
void              bw_monitor_begin_batch        (BwMonitor          *self);
gboolean          bw_monitor_ingest_item        (BwMonitor          *self,
                                                 const char         *item,
                                                 gsize               item_len,
                                                 gint64              time_us,
                                                 double              value);
gboolean          bw_monitor_ingest_sample      (BwMonitor          *self,
                                                 const char         *conveyor,
                                                 const char         *tag,
                                                 gint64              time_us,
                                                 double              value);
gboolean          bw_monitor_flush              (BwMonitor          *self,
                                                 GError            **error);
void              bw_monitor_finish             (BwMonitor          *self);
guint             bw_monitor_get_pending        (BwMonitor          *self);
const BwWireStats *bw_monitor_get_stats         (BwMonitor          *self);
guint64           bw_monitor_get_stops_opened   (BwMonitor          *self);
guint64           bw_monitor_get_alarms_raised  (BwMonitor          *self);
guint64           bw_monitor_get_flush_failures (BwMonitor          *self);
const char       *bw_monitor_get_last_error     (BwMonitor          *self);
gint64            bw_monitor_get_last_seq       (BwMonitor          *self);
BwLedger         *bw_monitor_get_ledger         (BwMonitor          *self);
const BwConfig   *bw_monitor_get_config         (BwMonitor          *self);

guint             bw_monitor_get_n_conveyors    (BwMonitor          *self);
BwConveyor       *bw_monitor_get_conveyor       (BwMonitor          *self,
                                                 guint               i);
BwConveyor       *bw_monitor_find_conveyor      (BwMonitor          *self,
                                                 const char         *id);
BwConveyor       *bw_monitor_add_conveyor       (BwMonitor          *self,
                                                 const char         *id,
                                                 const char         *name);

gboolean          bw_monitor_acknowledge_alarm  (BwMonitor          *self,
                                                 gint64              alarm_id,
                                                 const char         *who,
                                                 BwAlarm           **out_alarm,
                                                 GError            **error);
gboolean          bw_monitor_classify_stop      (BwMonitor          *self,
                                                 gint64              stop_id,
                                                 const char         *cause,
                                                 const char         *comment,
                                                 const char         *who,
                                                 BwStop            **out_stop,
                                                 GError            **error);
gboolean          bw_monitor_is_known_cause     (BwMonitor          *self,
                                                 const char         *cause);
void              bw_monitor_raise_anomaly      (BwMonitor          *self,
                                                 BwConveyor         *conveyor,
                                                 const char         *detector,
                                                 gint64              time_us,
                                                 double              score,
                                                 double              threshold,
                                                 gboolean            active);
void              bw_monitor_queue_offset       (BwMonitor          *self,
                                                 const char         *source,
                                                 int                 part,
                                                 gint64              next_offset);

void              bw_monitor_add_live_score     (BwMonitor          *self,
                                                 BwConveyor         *conveyor,
                                                 const char         *detector,
                                                 gint64              time_us,
                                                 double              score,
                                                 double              threshold);
void              bw_monitor_set_collect_live   (BwMonitor          *self,
                                                 gboolean            collect);
GPtrArray        *bw_monitor_take_live_events   (BwMonitor          *self);

/* conveyors */
const char       *bw_conveyor_get_id            (BwConveyor         *self);
const char       *bw_conveyor_get_name          (BwConveyor         *self);
BwConveyorState   bw_conveyor_get_state         (BwConveyor         *self,
                                                 gint64              wall_now_us);
const char       *bw_conveyor_state_name        (BwConveyorState     state);
BwStop           *bw_conveyor_get_open_stop     (BwConveyor         *self);
guint             bw_conveyor_get_n_tags        (BwConveyor         *self);
const char       *bw_conveyor_get_tag_name      (BwConveyor         *self,
                                                 guint               tag);
int               bw_conveyor_find_tag          (BwConveyor         *self,
                                                 const char         *name);
const BwRing     *bw_conveyor_get_ring          (BwConveyor         *self,
                                                 guint               tag);
gboolean          bw_conveyor_get_last          (BwConveyor         *self,
                                                 guint               tag,
                                                 gint64             *time_us,
                                                 double             *value);
gint64            bw_conveyor_get_last_time     (BwConveyor         *self);
gsize             bw_conveyor_get_memory        (BwConveyor         *self);
BwWindow         *bw_conveyor_capture_window    (BwConveyor         *self,
                                                 gint64              stop_us);
gpointer          bw_conveyor_get_user_data     (BwConveyor         *self);
void              bw_conveyor_set_user_data     (BwConveyor         *self,
                                                 gpointer            data,
                                                 GDestroyNotify      destroy);

G_END_DECLS
