/* bw-live-conveyor.h: one conveyor as the control room sees it
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
 * BwLiveState:
 * @BW_LIVE_UNKNOWN: no fresh data (stale, or no connection): never
 *   shown as running
 */
typedef enum
{
  BW_LIVE_UNKNOWN,
  BW_LIVE_RUNNING,
  BW_LIVE_STOPPED,
} BwLiveState;

/* A point of a live series: data time in ms since the epoch */
typedef struct
{
  gint64 t_ms;
  double v;
} BwPoint;

/* The tags the app keeps a live series of */
#define BW_LIVE_TAGS { "belt_speed", "motor_current", "load", "md_signal", "vibration", "running" }
#define BW_N_LIVE_TAGS 6

#define BW_TYPE_LIVE_STATE (bw_live_state_get_type ())
#define BW_TYPE_LIVE_CONVEYOR (bw_live_conveyor_get_type ())

G_DECLARE_FINAL_TYPE (BwLiveConveyor, bw_live_conveyor, BW, LIVE_CONVEYOR, GObject)

GType            bw_live_state_get_type       (void) G_GNUC_CONST;
BwLiveState  bw_live_state_from_name      (const char   *name);

BwLiveConveyor      *bw_live_conveyor_new                  (const char   *id);
const char      *bw_live_conveyor_get_id               (BwLiveConveyor   *self);
const char      *bw_live_conveyor_get_name             (BwLiveConveyor   *self);
BwLiveState  bw_live_conveyor_get_state            (BwLiveConveyor   *self);
BwLiveState  bw_live_conveyor_get_server_state     (BwLiveConveyor   *self);
BwStop          *bw_live_conveyor_get_open_stop        (BwLiveConveyor   *self);
BwStop          *bw_live_conveyor_get_last_stop        (BwLiveConveyor   *self);
double           bw_live_conveyor_get_value            (BwLiveConveyor   *self,
                                                   const char   *tag);
gint64           bw_live_conveyor_get_last_sample      (BwLiveConveyor   *self);
gint64           bw_live_conveyor_get_downtime_today   (BwLiveConveyor   *self,
                                                   gint64        data_now_us);
guint            bw_live_conveyor_get_stops_today      (BwLiveConveyor   *self);
gboolean         bw_live_conveyor_get_anomaly          (BwLiveConveyor   *self,
                                                   double       *score,
                                                   double       *threshold,
                                                   const char  **detector);

void             bw_live_conveyor_apply_snapshot       (BwLiveConveyor   *self,
                                                   JsonObject   *object,
                                                   gint64        mono_now);
void             bw_live_conveyor_apply_samples        (BwLiveConveyor   *self,
                                                   JsonObject   *data,
                                                   gint64        mono_now);
void             bw_live_conveyor_stop_started         (BwLiveConveyor   *self,
                                                   BwStop       *stop);
void             bw_live_conveyor_stop_changed         (BwLiveConveyor   *self,
                                                   BwStop       *stop,
                                                   gint64        today_start_us);
void             bw_live_conveyor_set_anomaly          (BwLiveConveyor   *self,
                                                   const char   *detector,
                                                   double        score,
                                                   double        threshold,
                                                   gboolean      active,
                                                   gint64        time_us);
void             bw_live_conveyor_refresh              (BwLiveConveyor   *self,
                                                   gboolean      connected,
                                                   gint64        mono_now);

GArray          *bw_live_conveyor_get_series           (BwLiveConveyor   *self,
                                                   const char   *tag);
GArray          *bw_live_conveyor_get_anomaly_series   (BwLiveConveyor   *self);
void             bw_live_conveyor_set_series_window    (BwLiveConveyor   *self,
                                                   gint64        window_ms);

G_END_DECLS
