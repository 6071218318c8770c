/* bwd-service-private.h: what the service's parts share
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "bw-config.h"
#include "bw-ledger.h"
#include "bw-monitor.h"
#include "bw-simulator.h"
#include "bwd-service.h"

G_BEGIN_DECLS

typedef struct _BwdKafka BwdKafka;
typedef struct _BwdClassifier BwdClassifier;
typedef struct _BwdAnomaly BwdAnomaly;

struct _BwdService
{
  GObject       parent_instance;

  BwConfig     *config;          /* owned */
  BwLedger     *ledger;          /* owned */
  BwMonitor    *monitor;         /* owned */
  SoupServer   *server;          /* owned */
  GPtrArray    *clients;         /* BwdClient*, WebSocket clients */
  gint64        started_us;
  gboolean      exit_at_eof;
  gboolean      eof;
  gboolean      shut_down;
  guint64       ws_messages_sent;
  guint64       http_requests;

  /* the in-process simulator */
  BwSimulator  *sim;
  char       ***sim_items;
  guint         sim_source_id;

  /* replay */
  GMappedFile  *replay;
  gsize         replay_pos;
  guint64       replay_line;
  guint         replay_source_id;
  gint64        replay_wall0;
  gint64        replay_data0;

  /* Kafka */
  BwdKafka     *kafka;

  BwdClassifier *classifier;
  BwdAnomaly    *anomaly;

  guint         live_source_id;
  guint         maintenance_source_id;
};

/* bwd-http.c */
void      bwd_http_register      (BwdService *self);

/* bwd-reports.c */
void      bwd_reports_register   (BwdService *self);

/* bwd-stream.c */
void      bwd_stream_register    (BwdService *self);
void      bwd_stream_broadcast   (BwdService *self,
                                  BwEvent    *event);
void      bwd_stream_close_all   (BwdService *self);
guint     bwd_stream_get_n_clients (BwdService *self);

/* bwd-sources.c */
gboolean  bwd_sources_start      (BwdService *self,
                                  GError    **error);
void      bwd_sources_stop       (BwdService *self);
char     *bwd_sources_describe   (BwdService *self);

/* bwd-kafka.c */
BwdKafka *bwd_kafka_new          (BwdService *self,
                                  GError    **error);
void      bwd_kafka_free         (BwdKafka   *kafka);
void      bwd_kafka_produce_event (BwdKafka  *kafka,
                                  BwEvent    *event);
void      bwd_kafka_append_metrics (BwdKafka *kafka,
                                   GString  *out);
gboolean  bwd_kafka_is_consuming (BwdKafka   *kafka);

/* bwd-classifier.c */
BwdClassifier *bwd_classifier_new       (BwdService    *self,
                                         GError       **error);
void           bwd_classifier_free      (BwdClassifier *k);
gboolean       bwd_classifier_reload    (BwdClassifier *k,
                                         GError       **error);
void           bwd_classifier_append_metrics (BwdClassifier *k,
                                              GString       *out);
const char    *bwd_classifier_get_name  (BwdClassifier *k);

/* bwd-anomaly.c */
BwdAnomaly    *bwd_anomaly_new          (BwdService    *self);
void           bwd_anomaly_free         (BwdAnomaly    *a);
void           bwd_anomaly_reload       (BwdAnomaly    *a);
void           bwd_anomaly_append_metrics (BwdAnomaly  *a,
                                           GString     *out);

/* bwd-metrics.c */
char     *bwd_metrics_render     (BwdService *self);

/* the monitor's events go to the WebSocket clients and to Kafka */
void      bwd_service_dispatch_event (BwdService *self,
                                      BwEvent    *event);
void      bwd_service_source_finished (BwdService *self);

G_END_DECLS
