/* bench-service.c: beltwatchd's figures — ingest throughput (with json-glib's
 * tree parser as the baseline, measured in the same run), the latency from a
 * sample that stops a belt to stop.started at a WebSocket client, and the
 * memory of 20 conveyors with a one-hour ring
 *
 *   bench-service throughput [--minutes N] [--runs N]
 *   bench-service latency [--stops N]
 *   bench-service memory [--conveyors N] [--minutes N]
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>

#include "bw-config.h"
#include "bw-ledger.h"
#include "bw-monitor.h"
#include "bw-simulator.h"
#include "bw-tags.h"
#include "bw-time.h"
#include "bw-wire.h"
#include "bwd-service.h"

#define T0 G_GINT64_CONSTANT (1795766400000000)

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
median (GArray *a)
{
  g_array_sort (a, compare_double);
  return g_array_index (a, double, a->len / 2);
}

static double
percentile (GArray *a,
            double  p)
{
  guint i;

  g_array_sort (a, compare_double);
  i = (guint) (p * (a->len - 1) + 0.5);
  return g_array_index (a, double, MIN (i, a->len - 1));
}

static char *
make_recording (int     minutes,
                guint   conveyors,
                gsize  *n_lines,
                guint64 *n_samples)
{
  BwSimParams p;
  g_autoptr(BwSimulator) sim = NULL;
  GString *out = g_string_new (NULL);
  GString **msgs;

  bw_sim_params_init (&p);
  p.n_conveyors = conveyors;
  p.start_us = T0;
  p.stop_interval_us = 4 * BW_USEC_PER_MIN;
  sim = bw_simulator_new (&p);
  msgs = g_new (GString *, conveyors);
  for (guint i = 0; i < conveyors; i++)
    msgs[i] = g_string_new (NULL);
  *n_lines = 0;
  while (bw_simulator_get_time (sim) < T0 + minutes * BW_USEC_PER_MIN)
    {
      bw_simulator_tick_message (sim, msgs);
      for (guint i = 0; i < conveyors; i++)
        {
          g_string_append_len (out, msgs[i]->str, msgs[i]->len);
          g_string_append_c (out, '\n');
          (*n_lines)++;
        }
    }
  *n_samples = (guint64) *n_lines * BW_N_STANDARD_TAGS;
  for (guint i = 0; i < conveyors; i++)
    g_string_free (msgs[i], TRUE);
  g_free (msgs);
  return g_string_free (out, FALSE);
}

static guint64
parse_json_glib (const char *buf)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *p = buf;
  guint64 n = 0;

  while (*p)
    {
      const char *nl = strchr (p, '\n');
      JsonArray *a;

      if (!json_parser_load_from_data (parser, p, nl - p, NULL))
        g_error ("json-glib failed");
      a = json_node_get_array (json_parser_get_root (parser));
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonObject *o = json_array_get_object_element (a, i);
          gint64 t;
          const char *ts = json_object_get_string_member (o, "Timestamp");
          const char *id = json_object_get_string_member (o, "ItemId");
          double v = json_object_get_double_member (o, "Value");
          if (bw_time_parse (ts, -1, &t) && id && v == v)
            n++;
        }
      p = nl + 1;
    }
  return n;
}

static void
noop_cb (const char *item, gsize len, gint64 t, double v, gpointer data)
{
  (*(guint64 *) data)++;
}

static guint64
parse_wire (const char *buf)
{
  const char *p = buf;
  guint64 n = 0;
  BwWireStats st = { 0 };

  while (*p)
    {
      const char *nl = strchr (p, '\n');
      bw_wire_parse_message (p, (gsize) (nl - p), noop_cb, NULL, &n, &st);
      p = nl + 1;
    }
  return n;
}

static guint64
full_path (const char *buf,
           const char *db)
{
  g_autoptr(BwConfig) config = bw_config_new_default ();
  g_autoptr(BwLedger) ledger = bw_ledger_open_sqlite (db, NULL);
  g_autoptr(BwMonitor) m = bw_monitor_new (config, ledger, NULL);
  const char *p = buf;
  guint lines = 0;

  bw_monitor_set_check_future (m, FALSE);
  while (*p)
    {
      const char *nl = strchr (p, '\n');
      bw_monitor_ingest_message (m, p, (gsize) (nl - p));
      if (++lines % 4096 == 0)
        bw_monitor_flush (m, NULL);
      p = nl + 1;
    }
  bw_monitor_finish (m);
  if (!bw_monitor_flush (m, NULL))
    g_error ("flush failed");
  return bw_monitor_get_stats (m)->samples;
}

static int
throughput (int minutes,
            int runs)
{
  gsize lines;
  guint64 samples;
  g_autofree char *buf = make_recording (minutes, 3, &lines, &samples);
  g_autofree char *dir = g_dir_make_tmp ("bw-bench-XXXXXX", NULL);
  g_autoptr(GArray) base = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) wire = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) full = g_array_new (FALSE, FALSE, sizeof (double));

  printf ("recording: %d min of 3 conveyors, %" G_GSIZE_FORMAT " messages, %" G_GUINT64_FORMAT
          " samples, %.1f MB\n", minutes, lines, samples, strlen (buf) / 1e6);
  for (int r = 0; r < runs; r++)
    {
      g_autofree char *db = g_strdup_printf ("%s/run%d.sqlite", dir, r);
      gint64 t0 = g_get_monotonic_time ();
      double s;

      g_assert_cmpuint (parse_json_glib (buf), ==, samples);
      s = (g_get_monotonic_time () - t0) / 1e6;
      g_array_append_val (base, (double) { samples / s });

      t0 = g_get_monotonic_time ();
      g_assert_cmpuint (parse_wire (buf), ==, samples);
      s = (g_get_monotonic_time () - t0) / 1e6;
      g_array_append_val (wire, (double) { samples / s });

      t0 = g_get_monotonic_time ();
      g_assert_cmpuint (full_path (buf, db), ==, samples);
      s = (g_get_monotonic_time () - t0) / 1e6;
      g_array_append_val (full, (double) { samples / s });
      for (const char *suffix = ""; ; suffix = suffix[0] ? NULL : "-wal")
        {
          g_autofree char *f = g_strconcat (db, suffix, NULL);
          g_unlink (f);
          if (!suffix)
            break;
        }
      {
        g_autofree char *f = g_strconcat (db, "-shm", NULL);
        g_unlink (f);
      }
    }
  g_rmdir (dir);
  printf ("median of %d runs, samples/s on one core:\n", runs);
  printf ("  json-glib tree parser (baseline):      %12.0f\n", median (base));
  printf ("  beltwatch streaming parser alone:      %12.0f\n", median (wire));
  printf ("  parse + stop detection + ledger:       %12.0f\n", median (full));
  return 0;
}

/* ---- latency ---- */

typedef struct
{
  GMainContext *ctx;
  char         *url;
  GMutex        lock;
  GCond         cond;
  gboolean      ready;
  GArray       *received;   /* gint64 monotonic receive times of stop.started */
  gboolean      quit;
} Client;

static void
ws_message_cb (SoupWebsocketConnection *ws,
               gint                     type,
               GBytes                  *message,
               Client                  *c)
{
  gint64 now = g_get_monotonic_time ();
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  if (g_strstr_len (data, (gssize) MIN (len, 64), "\"stop.started\"") != NULL)
    {
      g_mutex_lock (&c->lock);
      g_array_append_val (c->received, now);
      g_cond_signal (&c->cond);
      g_mutex_unlock (&c->lock);
    }
}

static void
ws_connected_cb (GObject      *source,
                 GAsyncResult *res,
                 gpointer      data)
{
  Client *c = data;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), res, &error);

  if (ws == NULL)
    g_error ("websocket: %s", error->message);
  g_signal_connect (ws, "message", G_CALLBACK (ws_message_cb), c);
  g_mutex_lock (&c->lock);
  c->ready = TRUE;
  g_cond_signal (&c->cond);
  g_mutex_unlock (&c->lock);
}

static gpointer
client_thread (gpointer data)
{
  Client *c = data;
  g_autoptr(GProxyResolver) direct = g_simple_proxy_resolver_new (NULL, NULL);
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) msg = NULL;

  g_main_context_push_thread_default (c->ctx);
  session = soup_session_new_with_options ("proxy-resolver", direct, NULL);
  msg = soup_message_new ("GET", c->url);
  soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL, ws_connected_cb, c);
  while (!g_atomic_int_get (&c->quit))
    g_main_context_iteration (c->ctx, TRUE);
  g_main_context_pop_thread_default (c->ctx);
  return NULL;
}

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_REMOVE;
}

static int
latency (int n_stops)
{
  g_autofree char *dir = g_dir_make_tmp ("bw-bench-XXXXXX", NULL);
  g_autofree char *text = g_strdup_printf ("[server]\nlisten=127.0.0.1:0\n[storage]\npath=%s/l.sqlite\n"
                                           "[source]\ntype=none\n[conveyor CV-1]\nname=One\n", dir);
  g_autoptr(GError) error = NULL;
  BwConfig *config = bw_config_new_from_data (text, "bench.ini", &error);
  g_autoptr(BwdService) service = bwd_service_new (config, &error);
  g_autoptr(GArray) lat = g_array_new (FALSE, FALSE, sizeof (double));
  Client c = { 0 };
  GThread *thread;
  BwMonitor *m;
  gint64 t = bw_time_now ();

  g_assert_no_error (error);
  g_assert_true (bwd_service_start (service, FALSE, &error));
  m = bwd_service_get_monitor (service);
  /* the data runs ahead of the clock here: 2 s of signals per stop */
  bw_monitor_set_check_future (m, FALSE);
  c.ctx = g_main_context_new ();
  c.received = g_array_new (FALSE, FALSE, sizeof (gint64));
  {
    g_autofree char *base = bwd_service_get_url (service);
    c.url = g_strdup_printf ("ws%s/api/v1/stream?samples=0", base + 4);
  }
  g_mutex_init (&c.lock);
  g_cond_init (&c.cond);
  thread = g_thread_new ("client", client_thread, &c);
  while (TRUE)
    {
      gboolean ready;
      g_main_context_iteration (NULL, FALSE);
      g_mutex_lock (&c.lock);
      ready = c.ready;
      g_mutex_unlock (&c.lock);
      if (ready)
        break;
      g_usleep (1000);
    }

  for (int i = 0; i < n_stops + 5; i++)
    {
      char msg[512];
      char ts[BW_TIME_FORMAT_LEN];
      gint64 sent;
      guint before;

      /* the belt runs for a while … */
      for (int k = 0; k < 20; k++, t += 100000)
        {
          g_snprintf (msg, sizeof msg, "[{\"Timestamp\":\"%s\",\"ItemId\":\"CV-1.running\",\"Value\":1},"
                      "{\"Timestamp\":\"%s\",\"ItemId\":\"CV-1.belt_speed\",\"Value\":2.5}]",
                      bw_time_format (t, ts), ts);
          bw_monitor_ingest_message (m, msg, strlen (msg));
          bw_monitor_flush (m, NULL);
        }
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_mutex_lock (&c.lock);
      before = c.received->len;
      g_mutex_unlock (&c.lock);

      /* … and this message stops it: the clock starts when it arrives */
      g_snprintf (msg, sizeof msg, "[{\"Timestamp\":\"%s\",\"ItemId\":\"CV-1.md_trip\",\"Value\":1},"
                  "{\"Timestamp\":\"%s\",\"ItemId\":\"CV-1.running\",\"Value\":0}]",
                  bw_time_format (t, ts), ts);
      t += 100000;
      sent = g_get_monotonic_time ();
      bw_monitor_ingest_message (m, msg, strlen (msg));
      bw_monitor_flush (m, NULL);
      for (;;)
        {
          gboolean got;
          g_main_context_iteration (NULL, FALSE);
          g_mutex_lock (&c.lock);
          got = c.received->len > before;
          g_mutex_unlock (&c.lock);
          if (got)
            break;
        }
      if (i >= 5)  /* warm-up */
        g_array_append_val (lat, (double) { (g_array_index (c.received, gint64, before) - sent) / 1000.0 });
      /* the interlock is reset before the next start */
      g_snprintf (msg, sizeof msg, "[{\"Timestamp\":\"%s\",\"ItemId\":\"CV-1.md_trip\",\"Value\":0}]",
                  bw_time_format (t, ts));
      bw_monitor_ingest_message (m, msg, strlen (msg));
    }
  g_atomic_int_set (&c.quit, TRUE);
  g_main_context_invoke (c.ctx, wake_cb, NULL);
  g_thread_join (thread);
  bwd_service_shutdown (service);
  g_free (c.url);
  g_array_unref (c.received);
  g_main_context_unref (c.ctx);
  g_mutex_clear (&c.lock);
  g_cond_clear (&c.cond);
  printf ("sample that stops a belt → stop.started at a WebSocket client on localhost, %d stops:\n", n_stops);
  printf ("  p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", percentile (lat, 0.5), percentile (lat, 0.99),
          percentile (lat, 1.0));
  return 0;
}

/* ---- memory ---- */

static long
status_kb (const char *field)
{
  g_autofree char *s = NULL;
  const char *p;

  g_file_get_contents ("/proc/self/status", &s, NULL, NULL);
  p = s ? strstr (s, field) : NULL;
  return p ? strtol (p + strlen (field), NULL, 10) : -1;
}

typedef struct
{
  BwMonitor   *monitor;
  char      ***items;
} MemFeed;

static void
mem_cb (guint conveyor, BwTag tag, gint64 t, double v, gpointer data)
{
  MemFeed *f = data;
  const char *item = f->items[conveyor][tag];
  bw_monitor_ingest_item (f->monitor, item, strlen (item), t, v);
}

static int
memory (guint conveyors,
        int   minutes)
{
  g_autofree char *dir = g_dir_make_tmp ("bw-bench-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "l.sqlite", NULL);
  g_autoptr(BwConfig) config = bw_config_new_default ();
  g_autoptr(BwLedger) ledger = bw_ledger_open_sqlite (db, NULL);
  g_autoptr(BwMonitor) m = bw_monitor_new (config, ledger, NULL);
  g_autoptr(BwSimulator) sim = NULL;
  MemFeed f = { m, NULL };
  BwSimParams p;
  long before = status_kb ("VmRSS:");
  gsize rings = 0;

  bw_sim_params_init (&p);
  p.n_conveyors = conveyors;
  p.start_us = bw_time_now () - minutes * BW_USEC_PER_MIN;
  p.stop_interval_us = 10 * BW_USEC_PER_MIN;
  sim = bw_simulator_new (&p);
  f.items = g_new0 (char **, conveyors);
  for (guint i = 0; i < conveyors; i++)
    {
      f.items[i] = g_new0 (char *, BW_N_STANDARD_TAGS + 1);
      for (int k = 0; k < BW_N_STANDARD_TAGS; k++)
        f.items[i][k] = g_strconcat (bw_simulator_get_conveyor_id (sim, i), ".", bw_tag_name (k), NULL);
    }
  bw_monitor_set_check_future (m, FALSE);
  for (int tick = 0; tick < minutes * 600; tick++)
    {
      bw_monitor_begin_batch (m);
      bw_simulator_step (sim, mem_cb, &f);
      if (tick % 100 == 0)
        bw_monitor_flush (m, NULL);
    }
  bw_monitor_flush (m, NULL);
  for (guint i = 0; i < bw_monitor_get_n_conveyors (m); i++)
    rings += bw_conveyor_get_memory (bw_monitor_get_conveyor (m, i));
  printf ("%u conveyors × %d tags × 10 Hz, %d minutes into a %s ring:\n", conveyors, BW_N_STANDARD_TAGS,
          minutes, "1 h");
  printf ("  RSS %.1f MB (peak %.1f MB; %.1f MB before the line started), rings %.1f MB\n",
          status_kb ("VmRSS:") / 1024.0, status_kb ("VmHWM:") / 1024.0, before / 1024.0, rings / 1048576.0);
  for (guint i = 0; i < conveyors; i++)
    g_strfreev (f.items[i]);
  g_free (f.items);
  return 0;
}

static void
quiet_log (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
}

int
main (int   argc,
      char *argv[])
{
  int minutes = 60, runs = 5, stops = 500, conveyors = 20;
  GOptionEntry entries[] = {
    { "minutes", 0, 0, G_OPTION_ARG_INT, &minutes, "Minutes of data", "N" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Repetitions", "N" },
    { "stops", 0, 0, G_OPTION_ARG_INT, &stops, "Stops to time", "N" },
    { "conveyors", 0, 0, G_OPTION_ARG_INT, &conveyors, "Conveyors", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("throughput|latency|memory");
  g_autoptr(GError) error = NULL;

  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL);
  g_log_set_handler ("bw-monitor", G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO, quiet_log, NULL);
  g_log_set_handler ("bwd-service", G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO, quiet_log, NULL);
  g_log_set_handler ("bwd-classifier", G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO, quiet_log, NULL);
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc < 2)
    {
      fprintf (stderr, "usage: bench-service throughput|latency|memory [options]\n");
      return 2;
    }
  if (g_str_equal (argv[1], "throughput"))
    return throughput (minutes, runs);
  if (g_str_equal (argv[1], "latency"))
    return latency (stops);
  if (g_str_equal (argv[1], "memory"))
    return memory ((guint) conveyors, minutes);
  fprintf (stderr, "unknown benchmark %s\n", argv[1]);
  return 2;
}
