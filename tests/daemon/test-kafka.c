/* test-kafka.c: the Kafka source on librdkafka's mock cluster, which speaks
 * the real protocol; beltwatchd runs as a separate process and is killed
 * mid-stream
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "bw-ledger.h"
#include "bw-simulator.h"
#include "bw-time.h"

#define T0 G_GINT64_CONSTANT (1795766400000000)

typedef struct
{
  char               *dir;
  char               *db;
  char               *ini;
  rd_kafka_t         *host;      /* owns the mock cluster */
  rd_kafka_mock_cluster_t *mock;
  rd_kafka_t         *producer;
  const char         *bootstraps;
  BwSimulator        *sim;
  GString           **msgs;
  guint               n_conveyors;
  guint64             produced;
  guint               port;
} Fixture;

static void
produce_minutes (Fixture *f,
                 int      minutes)
{
  gint64 end = bw_simulator_get_time (f->sim) + minutes * BW_USEC_PER_MIN;

  while (bw_simulator_get_time (f->sim) < end)
    {
      bw_simulator_tick_message (f->sim, f->msgs);
      for (guint i = 0; i < f->n_conveyors; i++)
        {
          const char *key = bw_simulator_get_conveyor_id (f->sim, i);
          rd_kafka_resp_err_t err;
          do
            {
              /* keyed by conveyor, one partition each: the mock cluster keeps
               * only a few megabytes per partition */
              err = rd_kafka_producev (f->producer, RD_KAFKA_V_TOPIC ("data"),
                                       RD_KAFKA_V_PARTITION ((int32_t) i),
                                       RD_KAFKA_V_KEY (key, strlen (key)),
                                       RD_KAFKA_V_VALUE (f->msgs[i]->str, f->msgs[i]->len),
                                       RD_KAFKA_V_MSGFLAGS (RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
              if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
                rd_kafka_poll (f->producer, 50);
            }
          while (err == RD_KAFKA_RESP_ERR__QUEUE_FULL);
          g_assert_cmpint (err, ==, 0);
          f->produced++;
        }
    }
  g_assert_cmpint (rd_kafka_flush (f->producer, 30000), ==, 0);
}

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  rd_kafka_conf_t *conf = rd_kafka_conf_new ();
  char errstr[256];
  BwSimParams p;
  g_autofree char *text = NULL;

  f->dir = g_dir_make_tmp ("bw-kafka-XXXXXX", NULL);
  f->db = g_build_filename (f->dir, "ledger.sqlite", NULL);
  f->ini = g_build_filename (f->dir, "beltwatchd.ini", NULL);

  f->host = rd_kafka_new (RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  g_assert_nonnull (f->host);
  f->mock = rd_kafka_mock_cluster_new (f->host, 1);
  g_assert_nonnull (f->mock);
  f->bootstraps = rd_kafka_mock_cluster_bootstraps (f->mock);
  g_assert_cmpint (rd_kafka_mock_topic_create (f->mock, "data", 3, 1), ==, 0);
  g_assert_cmpint (rd_kafka_mock_topic_create (f->mock, "events", 1, 1), ==, 0);

  conf = rd_kafka_conf_new ();
  g_assert_cmpint (rd_kafka_conf_set (conf, "bootstrap.servers", f->bootstraps, errstr, sizeof errstr), ==, 0);
  g_assert_cmpint (rd_kafka_conf_set (conf, "compression.codec", "lz4", errstr, sizeof errstr), ==, 0);
  f->producer = rd_kafka_new (RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  g_assert_nonnull (f->producer);

  bw_sim_params_init (&p);
  p.seed = 5;
  p.start_us = T0;
  p.stop_interval_us = 2 * BW_USEC_PER_MIN;
  p.duration_scale = 0.03;
  f->sim = bw_simulator_new (&p);
  f->n_conveyors = bw_simulator_get_n_conveyors (f->sim);
  f->msgs = g_new (GString *, f->n_conveyors);
  for (guint i = 0; i < f->n_conveyors; i++)
    f->msgs[i] = g_string_new (NULL);

  f->port = 20000 + g_random_int_range (0, 20000);
  text = g_strdup_printf ("[server]\nlisten=127.0.0.1:%u\n"
                          "[storage]\npath=%s\n"
                          "[source]\ntype=kafka\n"
                          "[kafka]\nbootstrap.servers=%s\ngroup.id=beltwatch-test\ntopic=data\n"
                          "events-topic=events\nbatch-size=500\n"
                          /* a killed member leaves the group after this */
                          "session.timeout.ms=6000\nheartbeat.interval.ms=500\n"
                          /* events wait 2 s in the producer: a kill loses them */
                          "linger.ms=2000\n",
                          f->port, f->db, f->bootstraps);
  g_assert_true (g_file_set_contents (f->ini, text, -1, NULL));
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  for (guint i = 0; i < f->n_conveyors; i++)
    g_string_free (f->msgs[i], TRUE);
  g_free (f->msgs);
  bw_simulator_free (f->sim);
  rd_kafka_destroy (f->producer);
  rd_kafka_mock_cluster_destroy (f->mock);
  rd_kafka_destroy (f->host);
  {
    const char *names[] = { "ledger.sqlite", "ledger.sqlite-wal", "ledger.sqlite-shm", "beltwatchd.ini", "daemon.log" };
    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autofree char *p = g_build_filename (f->dir, names[i], NULL);
        g_unlink (p);
      }
  }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->db);
  g_free (f->ini);
}

static GPid
start_daemon (Fixture *f)
{
  g_autofree char *bin = g_build_filename (g_getenv ("BW_BUILD_ROOT"), "src", "daemon", "beltwatchd", NULL);
  g_autofree char *log = g_build_filename (f->dir, "daemon.log", NULL);
  const char *argv[] = { bin, "--config", f->ini, NULL };
  g_autoptr(GError) error = NULL;
  GPid pid;
  int out = g_open (log, O_WRONLY | O_CREAT | O_APPEND, 0644);

  g_assert_true (g_spawn_async_with_fds (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                         &pid, -1, out, out, &error));
  g_assert_no_error (error);
  close (out);
  return pid;
}

/* messages consumed, from the service's /metrics; -1 if it does not answer */
static gint64
consumed (Fixture *f)
{
  g_autofree char *cmd = g_strdup_printf ("curl -s http://127.0.0.1:%u/metrics", f->port);
  g_autofree char *out = NULL;
  const char *p;

  if (!g_spawn_command_line_sync (cmd, &out, NULL, NULL, NULL) || out == NULL)
    return -1;
  p = strstr (out, "\nbeltwatch_kafka_messages_total ");
  return p ? g_ascii_strtoll (p + strlen ("\nbeltwatch_kafka_messages_total "), NULL, 10) : -1;
}

static gint64
ledger_offsets_total (Fixture *f)
{
  g_autoptr(BwLedger) l = bw_ledger_open_sqlite_readonly (f->db, NULL);
  g_autoptr(GHashTable) off = NULL;
  GHashTableIter iter;
  gpointer v;
  gint64 total = 0;

  if (l == NULL)
    return 0;
  off = bw_ledger_get_offsets (l, "kafka:data", NULL);
  if (off == NULL)
    return 0;
  g_hash_table_iter_init (&iter, off);
  while (g_hash_table_iter_next (&iter, NULL, &v))
    total += *(gint64 *) v;
  return total;
}

static void
wait_for (Fixture *f,
          gint64 (*what) (Fixture *),
          gint64   target,
          int      seconds)
{
  for (int i = 0; i < seconds * 10; i++)
    {
      if (what (f) >= target)
        return;
      g_usleep (100000);
    }
  g_error ("waited %d s: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT, seconds, what (f), target);
}

static void
check_stops_against_truth (Fixture *f)
{
  g_autoptr(BwLedger) l = bw_ledger_open_sqlite_readonly (f->db, NULL);
  BwStopQuery q = { .ascending = TRUE };
  g_autoptr(GPtrArray) stops = bw_ledger_list_stops (l, &q, NULL, NULL);
  GPtrArray *truths = bw_simulator_get_truth (f->sim);
  guint n_truth = 0;

  for (guint i = 0; i < truths->len; i++)
    {
      BwSimTruth *t = truths->pdata[i];
      guint found = 0;

      if (t->start_us == 0)
        continue;
      n_truth++;
      for (guint k = 0; k < stops->len; k++)
        {
          BwStop *s = stops->pdata[k];
          if (g_str_equal (s->conveyor, t->conveyor) && s->start_us == t->start_us)
            {
              found++;
              g_assert_cmpstr (s->trigger, ==, t->trigger);
              if (t->end_us)
                g_assert_cmpint (s->end_us, ==, t->end_us);
            }
        }
      if (found != 1)
        g_error ("%s stop at %" G_GINT64_FORMAT ": found %u times", t->conveyor, t->start_us, found);
    }
  g_assert_cmpuint (stops->len, ==, n_truth);
  g_test_message ("%u stops, each once", n_truth);
  g_assert_cmpuint (n_truth, >=, 8);
}

static guint
count_events (Fixture *f,
              guint    expect_at_least)
{
  rd_kafka_conf_t *conf = rd_kafka_conf_new ();
  rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new (1);
  char errstr[256];
  rd_kafka_t *c;
  guint started = 0, total = 0;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  rd_kafka_conf_set (conf, "bootstrap.servers", f->bootstraps, errstr, sizeof errstr);
  rd_kafka_conf_set (conf, "group.id", "events-reader", errstr, sizeof errstr);
  c = rd_kafka_new (RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  rd_kafka_topic_partition_list_add (parts, "events", 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign (c, parts);
  rd_kafka_topic_partition_list_destroy (parts);
  while (g_get_monotonic_time () < deadline && started < expect_at_least)
    {
      rd_kafka_message_t *m = rd_kafka_consumer_poll (c, 200);
      if (m == NULL)
        continue;
      if (m->err == 0)
        {
          g_autoptr(JsonParser) parser = json_parser_new ();
          JsonObject *o;
          g_assert_true (json_parser_load_from_data (parser, m->payload, (gssize) m->len, NULL));
          o = json_node_get_object (json_parser_get_root (parser));
          g_assert_cmpint (json_object_get_int_member (o, "seq"), >, 0);
          if (g_str_equal (json_object_get_string_member (o, "type"), "stop.started"))
            {
              started++;
              /* keyed by conveyor */
              g_assert_cmpmem (m->key, m->key_len, json_object_get_string_member (o, "conveyor"),
                               strlen (json_object_get_string_member (o, "conveyor")));
            }
          total++;
        }
      rd_kafka_message_destroy (m);
    }
  rd_kafka_consumer_close (c);
  rd_kafka_destroy (c);
  g_test_message ("%u events, %u stop.started", total, started);
  return started;
}

/* distinct stop ids of the stop.started events in the events topic */
static guint
count_distinct_started (Fixture *f)
{
  rd_kafka_conf_t *conf = rd_kafka_conf_new ();
  rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new (1);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_direct_hash, g_direct_equal);
  char errstr[256];
  rd_kafka_t *c;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  gint64 last = g_get_monotonic_time ();

  rd_kafka_conf_set (conf, "bootstrap.servers", f->bootstraps, errstr, sizeof errstr);
  rd_kafka_conf_set (conf, "group.id", "events-reader-2", errstr, sizeof errstr);
  c = rd_kafka_new (RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  rd_kafka_topic_partition_list_add (parts, "events", 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign (c, parts);
  rd_kafka_topic_partition_list_destroy (parts);
  while (g_get_monotonic_time () < deadline)
    {
      rd_kafka_message_t *m = rd_kafka_consumer_poll (c, 300);
      if (m == NULL)
        {
          if (g_get_monotonic_time () - last > 3 * G_USEC_PER_SEC)
            break;   /* drained */
          continue;
        }
      last = g_get_monotonic_time ();
      if (m->err == 0)
        {
          g_autoptr(JsonParser) parser = json_parser_new ();
          JsonObject *o;
          g_assert_true (json_parser_load_from_data (parser, m->payload, (gssize) m->len, NULL));
          o = json_node_get_object (json_parser_get_root (parser));
          if (g_str_equal (json_object_get_string_member (o, "type"), "stop.started"))
            g_hash_table_add (ids, GINT_TO_POINTER ((int) json_object_get_int_member (o, "stop_id")));
        }
      rd_kafka_message_destroy (m);
    }
  rd_kafka_consumer_close (c);
  rd_kafka_destroy (c);
  return g_hash_table_size (ids);
}

static void
test_consume_crash_resume (Fixture       *f,
                           gconstpointer  data)
{
  GPid pid;
  int status;
  guint64 first_half;

  /* the first half of the stream, a service that dies without warning */
  produce_minutes (f, 12);
  first_half = f->produced;
  pid = start_daemon (f);
  wait_for (f, consumed, (gint64) first_half, 60);
  kill (pid, SIGKILL);
  waitpid (pid, &status, 0);
  g_spawn_close_pid (pid);
  g_assert_true (WIFSIGNALED (status));

  /* the rest, and a new service on the same ledger and consumer group */
  produce_minutes (f, 12);
  pid = start_daemon (f);
  wait_for (f, ledger_offsets_total, (gint64) f->produced, 60);
  kill (pid, SIGTERM);
  waitpid (pid, &status, 0);
  g_spawn_close_pid (pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);

  /* every stop once: none lost at the crash, none counted twice after it */
  check_stops_against_truth (f);
  /* and every stop.started reached the events topic at least once, even the
   * ones stored just before the crash */
  {
    g_autoptr(BwLedger) l = bw_ledger_open_sqlite_readonly (f->db, NULL);
    g_autoptr(GPtrArray) stops = bw_ledger_list_stops (l, NULL, NULL, NULL);
    g_assert_cmpuint (count_distinct_started (f), ==, stops->len);
  }
}

static void
test_clean_restart_and_events (Fixture       *f,
                               gconstpointer  data)
{
  GPid pid;
  int status;
  g_autoptr(BwLedger) l = NULL;
  g_autoptr(GPtrArray) stops = NULL;

  produce_minutes (f, 10);
  pid = start_daemon (f);
  wait_for (f, ledger_offsets_total, (gint64) f->produced, 60);
  kill (pid, SIGTERM);
  waitpid (pid, &status, 0);
  g_spawn_close_pid (pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);

  produce_minutes (f, 10);
  pid = start_daemon (f);
  wait_for (f, ledger_offsets_total, (gint64) f->produced, 60);
  kill (pid, SIGTERM);
  waitpid (pid, &status, 0);
  g_spawn_close_pid (pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);

  check_stops_against_truth (f);
  l = bw_ledger_open_sqlite_readonly (f->db, NULL);
  stops = bw_ledger_list_stops (l, NULL, NULL, NULL);
  /* with clean shutdowns every stop.started also reached the events topic */
  g_assert_cmpuint (count_events (f, stops->len), ==, stops->len);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add ("/kafka/consume-crash-resume", Fixture, NULL, setup, test_consume_crash_resume, teardown);
  g_test_add ("/kafka/clean-restart-and-events", Fixture, NULL, setup, test_clean_restart_and_events, teardown);
  return g_test_run ();
}
