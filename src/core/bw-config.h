/* bw-config.h: the service configuration (GKeyFile)
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Detection parameters; [detection] holds the defaults, a [conveyor ID]
 * group may override any of them. */
typedef struct
{
  double zero_speed;          /* m/s */
  gint64 zero_speed_time_us;
  gint64 micro_stop_us;
  gint64 first_out_window_us;
  gint64 stale_timeout_us;
  gint64 window_before_us;
  gint64 window_after_us;
  gint64 ring_us;
} BwDetectionParams;

typedef struct
{
  char               *id;
  char               *name;
  char              **extra_tags;  /* tags besides the standard ones */
  BwDetectionParams   detection;
  char               *detector_model;  /* anomaly model file, or NULL */
} BwConveyorConfig;

typedef struct
{
  char   *code;
  char   *name;       /* English */
  char   *name_ru;
  gboolean planned;
} BwCauseConfig;

typedef enum
{
  BW_SOURCE_SIMULATOR,
  BW_SOURCE_REPLAY,
  BW_SOURCE_KAFKA,
  BW_SOURCE_NONE,
} BwSourceType;

typedef struct
{
  char               *path;            /* the file read, or NULL for defaults only */

  char               *listen_host;
  guint               listen_port;
  GHashTable         *users;           /* name → password or sha256:HEX */

  char               *storage_backend; /* "sqlite" or "postgresql" */
  char               *db_path;
  char               *pg_conninfo;
  gint64              history_retention_us;
  gint64              event_retention_us;

  BwSourceType        source;
  char               *replay_file;
  double              replay_speed;
  gint64              future_tolerance_us;

  guint               sim_conveyors;
  guint64             sim_seed;
  char               *sim_first_id;
  gint64              sim_stop_interval_us;
  double              sim_duration_scale;

  char               *kafka_topic;
  char               *kafka_events_topic;
  guint               kafka_batch_size;
  GHashTable         *kafka_properties; /* librdkafka properties, passed through */

  BwDetectionParams   detection;
  gboolean            auto_add_conveyors;
  GPtrArray          *conveyors;       /* BwConveyorConfig* */
  GPtrArray          *causes;          /* BwCauseConfig* */

  char               *classifier_model;
  char               *classifier_tracking_dir;
  char               *classifier_run_id;
} BwConfig;

BwConfig                *bw_config_new_default      (void);
BwConfig                *bw_config_new_from_file    (const char        *path,
                                                     GError           **error);
BwConfig                *bw_config_new_from_data    (const char        *data,
                                                     const char        *name,
                                                     GError           **error);
void                     bw_config_free             (BwConfig          *self);
const BwConveyorConfig  *bw_config_find_conveyor    (const BwConfig    *self,
                                                     const char        *id);
gboolean                 bw_config_parse_source     (BwConfig          *self,
                                                     const char        *text,
                                                     GError           **error);
gboolean                 bw_config_parse_listen     (BwConfig          *self,
                                                     const char        *text,
                                                     GError           **error);
char                    *bw_config_default_db_path  (void);
GBytes                  *bw_config_get_defaults     (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwConfig, bw_config_free)

G_END_DECLS
