/* bw-conveyor.h: one conveyor as the control room sees it
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "bw-stop.h"

G_BEGIN_DECLS

/**
 * BwConveyorState:
 * @BW_CONVEYOR_UNKNOWN: no fresh data (stale, or no connection): never
 *   shown as running
 */
typedef enum
{
  BW_CONVEYOR_UNKNOWN,
  BW_CONVEYOR_RUNNING,
  BW_CONVEYOR_STOPPED,
} BwConveyorState;

/* A point of a live series: data time in ms since the epoch */
typedef struct
{
  gint64 t_ms;
  double v;
} BwPoint;

/* The tags the app keeps a live series of */
#define BW_LIVE_TAGS { "belt_speed", "motor_current", "load", "md_signal", "vibration", "running" }
#define BW_N_LIVE_TAGS 6

#define BW_TYPE_CONVEYOR_STATE (bw_conveyor_state_get_type ())
#define BW_TYPE_CONVEYOR (bw_conveyor_get_type ())

G_DECLARE_FINAL_TYPE (BwConveyor, bw_conveyor, BW, CONVEYOR, GObject)

GType            bw_conveyor_state_get_type       (void) G_GNUC_CONST;
BwConveyorState  bw_conveyor_state_from_name      (const char   *name);

BwConveyor      *bw_conveyor_new                  (const char   *id);
const char      *bw_conveyor_get_id               (BwConveyor   *self);
const char      *bw_conveyor_get_name             (BwConveyor   *self);
BwConveyorState  bw_conveyor_get_state            (BwConveyor   *self);
BwConveyorState  bw_conveyor_get_server_state     (BwConveyor   *self);
BwStop          *bw_conveyor_get_open_stop        (BwConveyor   *self);
BwStop          *bw_conveyor_get_last_stop        (BwConveyor   *self);
double           bw_conveyor_get_value            (BwConveyor   *self,
                                                   const char   *tag);
gint64           bw_conveyor_get_last_sample      (BwConveyor   *self);
gint64           bw_conveyor_get_downtime_today   (BwConveyor   *self,
                                                   gint64        data_now_us);
guint            bw_conveyor_get_stops_today      (BwConveyor   *self);
gboolean         bw_conveyor_get_anomaly          (BwConveyor   *self,
                                                   double       *score,
                                                   double       *threshold,
                                                   const char  **detector);

void             bw_conveyor_apply_snapshot       (BwConveyor   *self,
                                                   JsonObject   *object,
                                                   gint64        mono_now);
void             bw_conveyor_apply_samples        (BwConveyor   *self,
                                                   JsonObject   *data,
                                                   gint64        mono_now);
void             bw_conveyor_stop_started         (BwConveyor   *self,
                                                   BwStop       *stop);
void             bw_conveyor_stop_changed         (BwConveyor   *self,
                                                   BwStop       *stop,
                                                   gint64        today_start_us);
void             bw_conveyor_set_anomaly          (BwConveyor   *self,
                                                   const char   *detector,
                                                   double        score,
                                                   double        threshold,
                                                   gboolean      active,
                                                   gint64        time_us);
void             bw_conveyor_refresh              (BwConveyor   *self,
                                                   gboolean      connected,
                                                   gint64        mono_now);

GArray          *bw_conveyor_get_series           (BwConveyor   *self,
                                                   const char   *tag);
GArray          *bw_conveyor_get_anomaly_series   (BwConveyor   *self);
void             bw_conveyor_set_series_window    (BwConveyor   *self,
                                                   gint64        window_ms);

G_END_DECLS
