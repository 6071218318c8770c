/* bench-app.c: the desktop app's benchmarks
 *
 *   bench-app latency [--alarms N] [--conveyors N]
 *     Event → notification sent: from the moment beltwatchd emits a
 *     stop.started (an emission hook on the monitor's "event" signal, before
 *     the service broadcasts it) to the moment the app's notification has
 *     been accepted by the notification daemon (dunst, on a private bus).
 *     The service runs in this process on loopback, fed samples of N
 *     conveyors at 10 Hz in real time; a belt stops every --every ms; the app
 *     (its main window with every card and chart) acknowledges each alarm
 *     once notified, so the alarm list, banner and horn do their work too.
 *
 *   bench-app rss [--seconds N] [--conveyors N]
 *     The resident memory of the real beltwatch binary with N conveyors
 *     live (a beltwatchd running its simulated line of N conveyors, a stop
 *     every few minutes), sampled every 10 s; the CPU time it used.
 *
 * Both need an X display (Xvfb).
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bench-app"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bw-app-harness.h"
#include "bw-monitor.h"
#include "bw-time.h"
#include "bwd-service.h"

#define TICK_MS      100
static guint stop_every = 20;   /* ticks between two stops */
#define STOP_TICKS   20     /* 2 s stopped */
#define REST_TICKS   30     /* at least 3 s running between stops */
#define WARMUP       10

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
percentile (GArray *a,
            double  p)
{
  guint i = (guint) (p * (a->len - 1) + 0.5);

  return g_array_index (a, double, MIN (i, a->len - 1));
}

/* ---- latency ---- */

typedef struct
{
  BwHarness     *h;
  BwdService    *service;
  BwMonitor     *monitor;
  guint          n_conveyors;
  guint          tick;
  int           *stopped_at;     /* tick the belt stopped, -1 running */
  int           *started_at;     /* tick it last started */
  guint          next;           /* rotation */
  GHashTable    *emitted;        /* alarm id → gint64* monotonic */
  GHashTable    *received;       /* alarm id → gint64*: the app has the event */
  GHashTable    *notified;       /* alarm id → gint64*: sent before its EVENT line was read */
  GArray        *latencies;      /* double ms */
  GArray        *to_app;         /* event → the app's client has it, ms */
  GArray        *in_app;         /* the app has it → notification sent, ms */
  guint          wanted;
  guint          sent;
  gint64         last_beat;
  GArray        *stalls;         /* double ms: gaps of the app's main loop */
} Latency;

/* the app's main loop should turn every 10 ms: how long did it not? */
static gboolean
beat_cb (gpointer data)
{
  Latency *l = data;
  gint64 now = g_get_monotonic_time ();

  if (l->last_beat)
    {
      double gap = (now - l->last_beat) / 1000.0;
      g_array_append_val (l->stalls, gap);
    }
  l->last_beat = now;
  return G_SOURCE_CONTINUE;
}

static gboolean
event_hook (GSignalInvocationHint *hint,
            guint                  n_params,
            const GValue          *params,
            gpointer               data)
{
  BwEvent *event = g_value_get_boxed (&params[1]);

  if (g_strcmp0 (event->type, BW_EVENT_STOP_STARTED) == 0 && json_object_has_member (event->data, "alarm_id"))
    {
      /* CLOCK_MONOTONIC is the machine's: the app's process compares */
      printf ("EVENT %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n",
              json_object_get_int_member (event->data, "alarm_id"), g_get_monotonic_time ());
      fflush (stdout);
    }
  return TRUE;
}

static gboolean
client_event_hook (GSignalInvocationHint *hint,
                   guint                  n_params,
                   const GValue          *params,
                   gpointer               data)
{
  Latency *l = data;
  BwEvent *event = g_value_get_boxed (&params[1]);

  if (g_strcmp0 (event->type, BW_EVENT_STOP_STARTED) == 0 && json_object_has_member (event->data, "alarm_id"))
    {
      gint64 *t = g_new (gint64, 1);
      gint64 *id = g_new (gint64, 1);

      *t = g_get_monotonic_time ();
      *id = json_object_get_int_member (event->data, "alarm_id");
      g_hash_table_insert (l->received, id, t);
    }
  return TRUE;
}

static void
record (Latency *l,
        gint64   alarm_id,
        gint64   emitted,
        gint64   sent)
{
  gint64 *r = g_hash_table_lookup (l->received, &alarm_id);

  if (++l->sent > WARMUP)
    {
      double ms = (sent - emitted) / 1000.0;

      g_array_append_val (l->latencies, ms);
      if (r)
        {
          double a = (*r - emitted) / 1000.0, b = (sent - *r) / 1000.0;
          g_array_append_val (l->to_app, a);
          g_array_append_val (l->in_app, b);
        }
    }
  g_hash_table_remove (l->received, &alarm_id);
  g_hash_table_remove (l->emitted, &alarm_id);
}

static void
sent_cb (BwNotifier *notifier,
         gint64      alarm_id,
         Latency    *l)
{
  /* when the notification daemon took it (on the notification thread) */
  gint64 now = bw_notifier_get_last_sent_time (notifier);
  gint64 *t = g_hash_table_lookup (l->emitted, &alarm_id);

  if (t)
    record (l, alarm_id, *t, now);
  else
    {
      /* the service's line about it is still in the pipe */
      gint64 *k = g_new (gint64, 1), *v = g_new (gint64, 1);
      *k = alarm_id;
      *v = now;
      g_hash_table_insert (l->notified, k, v);
    }
  /* the supervisor acknowledges: the notification goes, the horn stops */
  g_action_group_activate_action (G_ACTION_GROUP (l->h->app), "acknowledge-alarm", g_variant_new_int64 (alarm_id));
}

static void
ingest (Latency    *l,
        guint       c,
        const char *tag,
        gint64      t,
        double      v)
{
  char item[64];
  int n = g_snprintf (item, sizeof item, "CV-%u.%s", 101 + c, tag);

  bw_monitor_ingest_item (l->monitor, item, n, t, v);
}

static gboolean
tick_cb (gpointer data)
{
  Latency *l = data;
  gint64 t = bw_time_now ();
  int stopping = -1;

  l->tick++;
  /* one belt stops every STOP_EVERY ticks, each after a rest */
  if (l->tick % stop_every == 0)
    for (guint k = 0; k < l->n_conveyors; k++)
      {
        guint c = (l->next + k) % l->n_conveyors;
        if (l->stopped_at[c] < 0 && (int) l->tick - l->started_at[c] >= REST_TICKS)
          {
            stopping = (int) c;
            l->stopped_at[c] = (int) l->tick;
            l->next = c + 1;
            break;
          }
      }

  bw_monitor_begin_batch (l->monitor);
  for (guint c = 0; c < l->n_conveyors; c++)
    {
      gboolean stopped = l->stopped_at[c] >= 0;
      double jitter = g_random_double_range (-1, 1);

      if (stopped && (int) l->tick - l->stopped_at[c] >= STOP_TICKS)
        {
          l->stopped_at[c] = -1;
          l->started_at[c] = (int) l->tick;
          stopped = FALSE;
        }
      ingest (l, c, "md_trip", t, (int) c == stopping ? 1 : 0);
      ingest (l, c, "running", t, stopped ? 0 : 1);
      ingest (l, c, "belt_speed", t, stopped ? 0 : 2.4 + 0.02 * jitter);
      ingest (l, c, "motor_current", t, stopped ? 0 : 190 + 3 * jitter);
      ingest (l, c, "load", t, stopped ? 0 : 820 + 20 * jitter);
      ingest (l, c, "md_signal", t, (int) c == stopping ? 140 : 22 + 2 * jitter);
      ingest (l, c, "vibration", t, stopped ? 0.2 : 3 + 0.3 * jitter);
    }
  bw_monitor_flush (l->monitor, NULL);
  return G_SOURCE_CONTINUE;
}

static gboolean
enough (gpointer data)
{
  Latency *l = data;

  return l->latencies->len >= l->wanted;
}

/* the service's process: beltwatchd's code fed samples in real time; it
 * prints "PORT n", then "EVENT alarm-id monotonic-µs" as each stop.started
 * leaves it */
static int
run_serve (guint conveyors,
           guint port,
           const char *db)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ini = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  BwConfig *config;
  Latency l = { 0 };

  l.n_conveyors = conveyors;
  l.stopped_at = g_new (int, conveyors);
  l.started_at = g_new0 (int, conveyors);
  for (guint c = 0; c < conveyors; c++)
    l.stopped_at[c] = -1;
  ini = g_strdup_printf ("[server]\nlisten=127.0.0.1:%u\n[storage]\npath=%s\n[source]\ntype=none\n", port, db);
  config = bw_config_new_from_data (ini, "bench.ini", &error);
  g_assert_no_error (error);
  l.service = bwd_service_new (config, &error);
  g_assert_no_error (error);
  g_assert_true (bwd_service_start (l.service, FALSE, &error));
  l.monitor = bwd_service_get_monitor (l.service);
  g_signal_add_emission_hook (g_signal_lookup ("event", BW_TYPE_MONITOR), 0, event_hook, &l, NULL);
  g_timeout_add (TICK_MS, tick_cb, &l);
  printf ("PORT %u\n", port);
  fflush (stdout);
  g_main_loop_run (loop);
  return 0;
}

static void read_line (Latency *l, GDataInputStream *in);

static void
line_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Latency *l = data;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, NULL);
  gint64 id, t;

  if (line == NULL)
    return;
  if (sscanf (line, "EVENT %" G_GINT64_FORMAT " %" G_GINT64_FORMAT, &id, &t) == 2)
    {
      gint64 *sent = g_hash_table_lookup (l->notified, &id);

      if (sent)
        {
          record (l, id, t, *sent);
          g_hash_table_remove (l->notified, &id);
        }
      else
        {
          gint64 *k = g_new (gint64, 1), *v = g_new (gint64, 1);
          *k = id;
          *v = t;
          g_hash_table_insert (l->emitted, k, v);
        }
    }
  read_line (l, G_DATA_INPUT_STREAM (source));
}

static void
read_line (Latency          *l,
           GDataInputStream *in)
{
  g_data_input_stream_read_line_async (in, G_PRIORITY_HIGH, NULL, line_read_cb, l);
}

static int
run_latency (guint alarms,
             guint conveyors)
{
  g_autoptr(BwHarness) h = bw_harness_new ("bench");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *n = g_strdup_printf ("%u", conveyors);
  g_autofree char *port = g_strdup_printf ("%u", h->port);
  g_autofree char *every = g_strdup_printf ("%u", stop_every * TICK_MS);
  g_autofree char *first = NULL;
  Latency l = { 0 };
  guint client_hook, beat;
  gint64 start;

  l.h = h;
  l.wanted = alarms;
  l.emitted = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  l.received = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  l.notified = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  l.latencies = g_array_new (FALSE, FALSE, sizeof (double));
  l.to_app = g_array_new (FALSE, FALSE, sizeof (double));
  l.in_app = g_array_new (FALSE, FALSE, sizeof (double));

  bw_harness_start_dunst (h);
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                             exe, "serve", "--conveyors", n, "--port", port, "--db", h->db, "--every", every, NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  first = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (first, "PORT "));
  read_line (&l, in);
  bw_harness_iterate (1000);

  bw_harness_start_app (h);
  l.stalls = g_array_new (FALSE, FALSE, sizeof (double));
  beat = g_timeout_add (10, beat_cb, &l);
  client_hook = g_signal_add_emission_hook (g_signal_lookup ("event", BW_TYPE_CLIENT), 0, client_event_hook, &l, NULL);
  g_signal_connect (bw_context_get_notifier (bw_application_get_context (h->app)), "sent", G_CALLBACK (sent_cb), &l);

  start = g_get_monotonic_time ();
  if (!bw_harness_wait (enough, &l, (alarms + WARMUP) * TICK_MS * stop_every * 3 + 30000))
    g_printerr ("only %u alarms notified\n", l.latencies->len);
  g_signal_remove_emission_hook (g_signal_lookup ("event", BW_TYPE_CLIENT), client_hook);
  g_source_remove (beat);

  g_array_sort (l.latencies, compare_double);
  if (l.latencies->len == 0)
    return 1;
  printf ("event → notification sent, %u alarms (%u conveyors at 10 Hz, %.0f s, renderer %s): "
          "p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\n",
          l.latencies->len, conveyors, (g_get_monotonic_time () - start) / 1e6,
          g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "default",
          percentile (l.latencies, 0.5), percentile (l.latencies, 0.9), percentile (l.latencies, 0.99),
          g_array_index (l.latencies, double, l.latencies->len - 1));
  g_array_sort (l.to_app, compare_double);
  g_array_sort (l.in_app, compare_double);
  if (l.to_app->len)
    printf ("  of which event → the app's client has it: p50 %.1f ms, p99 %.1f ms; "
            "the app → notification sent: p50 %.1f ms, p99 %.1f ms\n",
            percentile (l.to_app, 0.5), percentile (l.to_app, 0.99),
            percentile (l.in_app, 0.5), percentile (l.in_app, 0.99));
  g_array_sort (l.stalls, compare_double);
  printf ("  the app's main loop (a 10 ms timer): gap p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
          percentile (l.stalls, 0.5), percentile (l.stalls, 0.99), g_array_index (l.stalls, double, l.stalls->len - 1));

  bw_harness_stop_app (h);
  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);
  g_hash_table_unref (l.emitted);
  g_hash_table_unref (l.received);
  g_hash_table_unref (l.notified);
  g_array_unref (l.latencies);
  g_array_unref (l.to_app);
  g_array_unref (l.in_app);
  g_array_unref (l.stalls);
  return 0;
}

/* ---- memory ---- */

static gboolean
proc_status (GPid        pid,
             const char *key,
             double     *mb)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *text = NULL;
  const char *p;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (p = strstr (text, key)) == NULL)
    return FALSE;
  *mb = g_ascii_strtod (p + strlen (key) + 1, NULL) / 1024.0;
  return TRUE;
}

static double
proc_cpu_s (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) f = NULL;
  const char *p;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (p = strrchr (text, ')')) == NULL)
    return 0;
  f = g_strsplit (p + 2, " ", -1);
  /* fields 14 and 15 of stat: utime, stime (from the state, field 3) */
  return (g_ascii_strtod (f[11], NULL) + g_ascii_strtod (f[12], NULL)) / sysconf (_SC_CLK_TCK);
}

static int
run_rss (guint seconds,
         guint conveyors)
{
  g_autoptr(BwHarness) h = bw_harness_new ("bench-rss");
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GSubprocess) daemon = NULL, app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ini = g_build_filename (h->dir, "sim.ini", NULL);
  g_autofree char *conf = g_strdup_printf ("[simulator]\nconveyors=%u\nstop-interval=3m\n", conveyors);
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", h->port);
  g_autofree char *log = g_build_filename (h->dir, "app.log", NULL);
  GPid pid;
  double rss = 0, hwm = 0;

  bw_harness_start_dunst (h);
  g_assert_true (g_file_set_contents (ini, conf, -1, &error));
  daemon = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, bw_harness_tool ("beltwatchd"),
                             "--config", ini, "--db", h->db, "--listen", listen, NULL);
  g_assert_no_error (error);
  bw_harness_iterate (1500);

  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
  g_subprocess_launcher_setenv (launcher, "GTK_A11Y", "none", TRUE);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  app = g_subprocess_launcher_spawn (launcher, &error, bw_harness_tool ("beltwatch"), "--server", h->url, NULL);
  g_assert_no_error (error);
  pid = atoi (g_subprocess_get_identifier (app));

  printf ("beltwatch with %u conveyors live:\n", conveyors);
  for (guint s = 10; s <= seconds; s += 10)
    {
      bw_harness_iterate (10000);
      g_assert_cmpint (kill (pid, 0), ==, 0);   /* still running */
      proc_status (pid, "VmRSS:", &rss);
      proc_status (pid, "VmHWM:", &hwm);
      if (s == 10 || s % 60 == 0 || s == seconds)
        printf ("  %4u s: RSS %.1f MB (peak %.1f MB), CPU %.1f s\n", s, rss, hwm, proc_cpu_s (pid));
      fflush (stdout);
    }
  printf ("RSS after %u s: %.1f MB, peak %.1f MB; CPU %.1f %% of one core\n", seconds, rss, hwm,
          100.0 * proc_cpu_s (pid) / seconds);
  g_subprocess_send_signal (app, SIGTERM);
  g_subprocess_wait (app, NULL, NULL);
  g_subprocess_send_signal (daemon, SIGTERM);
  g_subprocess_wait (daemon, NULL, NULL);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  gint64 alarms = 200, conveyors = 20, seconds = 600, port = 0, every = 2000;
  g_autofree char *db = NULL;
  GOptionEntry entries[] = {
    { "port", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT64, &port, "Port (serve)", "N" },
    { "db", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &db, "Ledger (serve)", "FILE" },
    { "alarms", 0, 0, G_OPTION_ARG_INT64, &alarms, "Alarms to measure (latency)", "N" },
    { "conveyors", 0, 0, G_OPTION_ARG_INT64, &conveyors, "Conveyors on the line", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_INT64, &seconds, "How long to run (rss)", "N" },
    { "every", 0, 0, G_OPTION_ARG_INT64, &every, "A stop every N ms (latency; default 2000)", "MS" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("latency|rss — the desktop app's benchmarks");
  g_autoptr(GError) error = NULL;

  g_setenv ("GTK_A11Y", "none", TRUE);
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc != 2)
    {
      g_printerr ("%s\n", error ? error->message : "latency or rss?");
      return 2;
    }
  stop_every = MAX (1, (guint) (every / TICK_MS));
  if (g_str_equal (argv[1], "serve"))
    return run_serve ((guint) conveyors, (guint) port, db);
  if (!bw_harness_can_run ())
    {
      g_printerr ("needs an X display, dunst, sox and dbus-daemon\n");
      return 77;
    }
  if (g_str_equal (argv[1], "latency"))
    return run_latency ((guint) alarms, (guint) conveyors);
  if (g_str_equal (argv[1], "rss"))
    return run_rss ((guint) seconds, (guint) conveyors);
  g_printerr ("latency or rss?\n");
  return 2;
}
