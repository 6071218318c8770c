/* main.c: beltwatchd, the Beltwatch monitoring service
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beltwatchd"

#include "config.h"

#include <locale.h>
#include <stdio.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "bw-config.h"
#include "bw-error.h"
#include "bwd-service.h"

static GMainLoop *loop;
static int exit_status;

static gboolean
quit_signal_cb (gpointer data)
{
  g_message ("%s received, shutting down", (const char *) data);
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
reload_signal_cb (gpointer data)
{
  g_message ("SIGHUP received, loading the models again");
  bwd_service_reload (data);
  return G_SOURCE_CONTINUE;
}

static void
finished_cb (BwdService *service,
             gpointer    data)
{
  g_main_loop_quit (loop);
}

static void
log_handler (const char     *domain,
             GLogLevelFlags  level,
             const char     *message,
             gpointer        data)
{
  gboolean verbose = GPOINTER_TO_INT (data);
  const char *prefix;

  if ((level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) && !verbose)
    return;
  switch (level & G_LOG_LEVEL_MASK)
    {
    case G_LOG_LEVEL_ERROR: prefix = "<3>"; break;
    case G_LOG_LEVEL_CRITICAL: prefix = "<3>"; break;
    case G_LOG_LEVEL_WARNING: prefix = "<4>"; break;
    case G_LOG_LEVEL_MESSAGE: prefix = "<5>"; break;
    case G_LOG_LEVEL_INFO: prefix = "<6>"; break;
    default: prefix = "<7>"; break;
    }
  /* systemd reads the <N> priority prefix; on a terminal it is harmless */
  fprintf (stderr, "%s%s: %s\n", prefix, domain ? domain : "beltwatchd", message);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config_path = NULL, *db = NULL, *listen = NULL, *source = NULL, *replay = NULL;
  gboolean exit_at_eof = FALSE, version = FALSE, verbose = FALSE, check_config = FALSE;
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, "Read the configuration from FILE", "FILE" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "SQLite ledger file (overrides [storage])", "FILE" },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen, "Listen on ADDR:PORT (default 127.0.0.1:8470)", "ADDR:PORT" },
    { "source", 0, 0, G_OPTION_ARG_STRING, &source, "simulator, replay:FILE, kafka or none", "SOURCE" },
    { "replay", 0, 0, G_OPTION_ARG_FILENAME, &replay, "Replay a JSON Lines file as fast as possible", "FILE" },
    { "exit-at-eof", 0, 0, G_OPTION_ARG_NONE, &exit_at_eof, "With a replay: exit when the file is processed", NULL },
    { "check-config", 0, 0, G_OPTION_ARG_NONE, &check_config, "Check the configuration and exit", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Log debugging messages", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BwdService) service = NULL;
  BwConfig *config;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  ctx = g_option_context_new ("— the Beltwatch monitoring service");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx,
    "beltwatchd reads conveyor samples (the built-in simulated line by default, a\n"
    "JSON Lines replay file or Kafka), detects stops and their first-out trigger,\n"
    "keeps the downtime ledger and serves the HTTP API and WebSocket event stream.\n"
    "Command-line options override the configuration file.");
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "beltwatchd: %s\n", error->message);
      return 2;
    }
  if (version)
    {
      printf ("beltwatchd %s\n", PACKAGE_VERSION);
      return 0;
    }
  g_log_set_default_handler (log_handler, GINT_TO_POINTER (verbose));

  config = config_path ? bw_config_new_from_file (config_path, &error) : bw_config_new_default ();
  if (config == NULL)
    {
      fprintf (stderr, "beltwatchd: %s\n", error->message);
      return 2;
    }
  if ((listen && !bw_config_parse_listen (config, listen, &error)) ||
      (source && !bw_config_parse_source (config, source, &error)))
    {
      fprintf (stderr, "beltwatchd: %s\n", error->message);
      bw_config_free (config);
      return 2;
    }
  if (db)
    {
      g_free (config->storage_backend);
      config->storage_backend = g_strdup ("sqlite");
      g_free (config->db_path);
      config->db_path = g_strdup (db);
    }
  if (replay)
    {
      config->source = BW_SOURCE_REPLAY;
      g_free (config->replay_file);
      config->replay_file = g_strdup (replay);
      config->replay_speed = 0;
    }
  if (exit_at_eof && config->source != BW_SOURCE_REPLAY)
    {
      fprintf (stderr, "beltwatchd: --exit-at-eof needs a replay source\n");
      bw_config_free (config);
      return 2;
    }
  if (check_config)
    {
      printf ("%s: configuration OK\n", config_path ? config_path : "built-in defaults");
      bw_config_free (config);
      return 0;
    }

  loop = g_main_loop_new (NULL, FALSE);
  service = bwd_service_new (config, &error);
  if (service == NULL)
    {
      fprintf (stderr, "beltwatchd: %s\n", error->message);
      g_main_loop_unref (loop);
      return 1;
    }
  if (exit_at_eof)
    g_signal_connect (service, "finished", G_CALLBACK (finished_cb), NULL);
  if (!bwd_service_start (service, exit_at_eof, &error))
    {
      fprintf (stderr, "beltwatchd: %s\n", error->message);
      g_main_loop_unref (loop);
      return 1;
    }

  g_unix_signal_add (SIGTERM, quit_signal_cb, (gpointer) "SIGTERM");
  g_unix_signal_add (SIGINT, quit_signal_cb, (gpointer) "SIGINT");
  g_unix_signal_add (SIGHUP, reload_signal_cb, service);

  g_main_loop_run (loop);

  /* finish the writes in flight, close cleanly */
  bwd_service_shutdown (service);
  g_clear_object (&service);
  g_main_loop_unref (loop);
  g_message ("stopped");
  return exit_status;
}
