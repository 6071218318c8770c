/* bwd-service.c: the monitoring service — ledger, monitor, sources, API
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bwd-service"

#include "config.h"

#include <gio/gio.h>

#include "bw-error.h"
#include "bw-time.h"
#include "bwd-service-private.h"

enum { SIGNAL_FINISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (BwdService, bwd_service, G_TYPE_OBJECT)

#define LIVE_INTERVAL_MS        250
#define MAINTENANCE_INTERVAL_S  1

static void
monitor_event_cb (BwMonitor  *monitor,
                  BwEvent    *event,
                  BwdService *self)
{
  bwd_service_dispatch_event (self, event);
}

void
bwd_service_dispatch_event (BwdService *self,
                            BwEvent    *event)
{
  if (g_str_equal (event->type, BW_EVENT_STOP_STARTED))
    {
      JsonObject *stop = json_object_get_object_member (event->data, "stop");
      g_message ("%s stopped at %s, first-out %s", event->conveyor,
                 json_object_get_string_member_with_default (stop, "start", "?"),
                 json_object_get_string_member_with_default (event->data, "trigger", "?"));
    }
  bwd_stream_broadcast (self, event);
  if (self->kafka)
    bwd_kafka_produce_event (self->kafka, event);
}

static gboolean
live_tick_cb (gpointer data)
{
  BwdService *self = data;
  g_autoptr(GPtrArray) events = bw_monitor_take_live_events (self->monitor);

  for (guint i = 0; i < events->len; i++)
    bwd_stream_broadcast (self, events->pdata[i]);
  return G_SOURCE_CONTINUE;
}

static gboolean
maintenance_cb (gpointer data)
{
  BwdService *self = data;
  static gint64 last_prune = 0;
  gint64 now = bw_time_now ();

  /* writes that failed (a full disk, a lost database) are retried here */
  if (bw_monitor_get_pending (self->monitor) > 0)
    bw_monitor_flush (self->monitor, NULL);

  if (now - last_prune > BW_USEC_PER_HOUR)
    {
      g_autoptr(GError) error = NULL;
      gint64 hist = self->config->history_retention_us ? now - self->config->history_retention_us : 0;
      gint64 ev = self->config->event_retention_us ? now - self->config->event_retention_us : 0;

      last_prune = now;
      if ((hist || ev) && bw_ledger_begin (self->ledger, &error))
        {
          if (!bw_ledger_prune (self->ledger, hist, ev, &error) || !bw_ledger_commit (self->ledger, &error))
            {
              bw_ledger_rollback (self->ledger);
              g_warning ("pruning old history failed: %s", error->message);
            }
        }
      else if (error)
        g_warning ("pruning old history failed: %s", error->message);
    }
  return G_SOURCE_CONTINUE;
}

void
bwd_service_source_finished (BwdService *self)
{
  self->eof = TRUE;
  bw_monitor_finish (self->monitor);
  bw_monitor_flush (self->monitor, NULL);
  g_message ("source finished");
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
}

static void
bwd_service_dispose (GObject *object)
{
  BwdService *self = BWD_SERVICE (object);

  bwd_service_shutdown (self);

  G_OBJECT_CLASS (bwd_service_parent_class)->dispose (object);
}

static void
bwd_service_finalize (GObject *object)
{
  BwdService *self = BWD_SERVICE (object);

  g_clear_pointer (&self->clients, g_ptr_array_unref);
  g_clear_pointer (&self->classifier, bwd_classifier_free);
  g_clear_pointer (&self->anomaly, bwd_anomaly_free);
  g_clear_object (&self->monitor);
  g_clear_pointer (&self->ledger, bw_ledger_close);
  g_clear_pointer (&self->config, bw_config_free);

  G_OBJECT_CLASS (bwd_service_parent_class)->finalize (object);
}

static void
bwd_service_class_init (BwdServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bwd_service_dispose;
  object_class->finalize = bwd_service_finalize;

  /**
   * BwdService::finished:
   * The source has no more data (end of a replay file).
   */
  signals[SIGNAL_FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
bwd_service_init (BwdService *self)
{
  self->clients = g_ptr_array_new ();
  self->started_us = bw_time_now ();
}

/**
 * bwd_service_new:
 * @config: (transfer full)
 *
 * Opens the ledger (creating or migrating it) and sets up the monitor.
 */
BwdService *
bwd_service_new (BwConfig  *config,
                 GError   **error)
{
  g_autoptr(BwdService) self = g_object_new (BWD_TYPE_SERVICE, NULL);
  g_autofree char *where = NULL;

  self->config = config;
  self->ledger = bw_ledger_open_for_config (config, error);
  if (self->ledger == NULL)
    return NULL;
  where = bw_ledger_describe (self->ledger);
  g_message ("ledger: %s (schema version %d)", where, bw_ledger_get_schema_version (self->ledger));

  self->monitor = bw_monitor_new (config, self->ledger, error);
  if (self->monitor == NULL)
    return NULL;
  g_signal_connect (self->monitor, "event", G_CALLBACK (monitor_event_cb), self);

  self->classifier = bwd_classifier_new (self, error);
  if (self->classifier == NULL)
    return NULL;
  self->anomaly = bwd_anomaly_new (self);
  return g_steal_pointer (&self);
}

static gboolean
check_password (const char *stored,
                const char *given)
{
  if (g_str_has_prefix (stored, "sha256:"))
    {
      g_autofree char *hex = g_compute_checksum_for_string (G_CHECKSUM_SHA256, given, -1);
      return g_ascii_strcasecmp (stored + 7, hex) == 0;
    }
  return g_str_equal (stored, given);
}

static gboolean
auth_cb (SoupAuthDomain    *domain,
         SoupServerMessage *msg,
         const char        *username,
         const char        *password,
         gpointer           user_data)
{
  BwdService *self = user_data;
  const char *stored = g_hash_table_lookup (self->config->users, username);

  return stored != NULL && check_password (stored, password);
}

static gboolean
listen_on (BwdService  *self,
           GError     **error)
{
  g_autoptr(GSocketAddress) addr = NULL;
  const char *host = self->config->listen_host;

  if (g_str_equal (host, "localhost"))
    host = "127.0.0.1";
  addr = g_inet_socket_address_new_from_string (host, self->config->listen_port);
  if (addr == NULL)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_CONFIG, "“%s” is not an IP address to listen on",
                   self->config->listen_host);
      return FALSE;
    }
  if (!soup_server_listen (self->server, addr, 0, error))
    {
      g_prefix_error (error, "Cannot listen on %s:%u: ", self->config->listen_host, self->config->listen_port);
      return FALSE;
    }
  return TRUE;
}

/**
 * bwd_service_start:
 * @exit_at_eof: emit ::finished (and stop reading) at the end of a replay
 *
 * Starts listening and reading the configured source.
 */
gboolean
bwd_service_start (BwdService  *self,
                   gboolean     exit_at_eof,
                   GError     **error)
{
  g_autofree char *url = NULL;
  g_autofree char *src = NULL;

  self->exit_at_eof = exit_at_eof;
  self->server = soup_server_new ("server-header", "beltwatchd/" PACKAGE_VERSION " ", NULL);
  if (g_hash_table_size (self->config->users) > 0)
    {
      SoupAuthDomain *domain = soup_auth_domain_basic_new ("realm", "Beltwatch", NULL);

      soup_auth_domain_add_path (domain, "/api");
      soup_auth_domain_add_path (domain, "/metrics");
      soup_auth_domain_remove_path (domain, "/api/v1/health");
      soup_auth_domain_basic_set_auth_callback (domain, auth_cb, self, NULL);
      soup_server_add_auth_domain (self->server, domain);
      g_object_unref (domain);
    }
  bwd_http_register (self);
  bwd_stream_register (self);

  if (!listen_on (self, error))
    return FALSE;

  if (!bwd_sources_start (self, error))
    return FALSE;

  bw_monitor_set_collect_live (self->monitor, !exit_at_eof);
  if (!exit_at_eof)
    self->live_source_id = g_timeout_add (LIVE_INTERVAL_MS, live_tick_cb, self);
  self->maintenance_source_id = g_timeout_add_seconds (MAINTENANCE_INTERVAL_S, maintenance_cb, self);

  url = bwd_service_get_url (self);
  src = bwd_sources_describe (self);
  g_message ("listening on %s, source: %s", url, src);
  return TRUE;
}

/**
 * bwd_service_shutdown:
 *
 * Stops the sources, stores what is in flight and closes the clients.
 * Safe to call more than once.
 */
void
bwd_service_shutdown (BwdService *self)
{
  if (self->shut_down)
    return;
  self->shut_down = TRUE;

  bwd_sources_stop (self);
  g_clear_handle_id (&self->live_source_id, g_source_remove);
  g_clear_handle_id (&self->maintenance_source_id, g_source_remove);
  if (self->monitor)
    {
      g_autoptr(GError) error = NULL;

      bw_monitor_finish (self->monitor);
      if (!bw_monitor_flush (self->monitor, &error))
        g_warning ("at shutdown, %u changes could not be stored: %s",
                   bw_monitor_get_pending (self->monitor), error->message);
    }
  g_clear_pointer (&self->kafka, bwd_kafka_free);
  bwd_stream_close_all (self);
  if (self->server)
    {
      soup_server_disconnect (self->server);
      g_clear_object (&self->server);
    }
}

guint
bwd_service_get_port (BwdService *self)
{
  GSList *uris;
  guint port = 0;

  if (self->server == NULL)
    return 0;
  uris = soup_server_get_uris (self->server);
  if (uris)
    port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return port;
}

char *
bwd_service_get_url (BwdService *self)
{
  const char *host = self->config->listen_host;
  gboolean v6 = strchr (host, ':') != NULL;

  return g_strdup_printf ("http://%s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "", bwd_service_get_port (self));
}

struct _BwMonitor *
bwd_service_get_monitor (BwdService *self)
{
  return self->monitor;
}

/**
 * bwd_service_reload:
 *
 * Loads the models again (SIGHUP).
 */
void
bwd_service_reload (BwdService *self)
{
  g_autoptr(GError) error = NULL;

  if (self->classifier && !bwd_classifier_reload (self->classifier, &error))
    g_warning ("%s", error->message);
  if (self->anomaly)
    bwd_anomaly_reload (self->anomaly);
}
