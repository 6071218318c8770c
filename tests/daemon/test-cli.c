/* test-cli.c: the command lines as an administrator uses them —
 * beltwatch-sim → beltwatchd --replay --exit-at-eof → beltwatch-ml stops,
 * beltwatch-sim publishing to Kafka, and a broken configuration
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <string.h>

#include "bw-classifier.h"
#include "bw-ledger.h"

static char *
bin (const char *dir,
     const char *name)
{
  return g_build_filename (g_getenv ("BW_BUILD_ROOT"), "src", dir, name, NULL);
}

static int
run (const char * const *argv,
     char              **out,
     char              **err)
{
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status, &error));
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128;
}

static void
test_sim_replay_stops (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bw-cli-XXXXXX", NULL);
  g_autofree char *jsonl = g_build_filename (dir, "day.jsonl", NULL);
  g_autofree char *truth = g_build_filename (dir, "day.truth.json", NULL);
  g_autofree char *db = g_build_filename (dir, "day.sqlite", NULL);
  g_autofree char *sim = bin ("tools", "beltwatch-sim");
  g_autofree char *d = bin ("daemon", "beltwatchd");
  g_autofree char *ml = bin ("tools", "beltwatch-ml");
  g_autofree char *out = NULL, *err = NULL, *truth_text = NULL;
  g_autoptr(JsonParser) sp = json_parser_new ();
  g_autoptr(JsonParser) tp = json_parser_new ();
  JsonArray *stops, *truths;

  {
    const char *argv[] = { sim, "-d", "30m", "--start", "2026-11-27T08:00:00Z", "--seed", "9",
                           "--stop-interval", "3m", "-o", jsonl, "-t", truth, NULL };
    g_assert_cmpint (run (argv, NULL, NULL), ==, 0);
  }
  {
    const char *argv[] = { d, "--replay", jsonl, "--db", db, "--exit-at-eof", "--listen", "127.0.0.1:0", NULL };
    g_assert_cmpint (run (argv, NULL, &err), ==, 0);
    g_assert_nonnull (strstr (err, "replay finished: 54000 lines"));
    g_clear_pointer (&err, g_free);
  }
  {
    const char *argv[] = { ml, "stops", "--db", db, "--format", "json", NULL };
    g_assert_cmpint (run (argv, &out, NULL), ==, 0);
  }
  g_assert_true (json_parser_load_from_data (sp, out, -1, NULL));
  stops = json_node_get_array (json_parser_get_root (sp));
  g_assert_true (g_file_get_contents (truth, &truth_text, NULL, NULL));
  g_assert_true (json_parser_load_from_data (tp, truth_text, -1, NULL));
  truths = json_node_get_array (json_parser_get_root (tp));
  g_assert_cmpuint (json_array_get_length (stops), ==, json_array_get_length (truths));
  g_assert_cmpuint (json_array_get_length (stops), >=, 10);
  for (guint i = 0; i < json_array_get_length (stops); i++)
    {
      JsonObject *s = json_array_get_object_element (stops, i);
      const char *fields[] = { "id", "conveyor", "start", "end", "trigger", "suggested_cause",
                               "suggested_probability", "cause" };
      gboolean found = FALSE;

      for (guint k = 0; k < G_N_ELEMENTS (fields); k++)
        g_assert_true (json_object_has_member (s, fields[k]));
      g_assert_true (json_object_get_null_member (s, "cause"));
      for (guint k = 0; k < json_array_get_length (truths); k++)
        {
          JsonObject *t = json_array_get_object_element (truths, k);
          if (g_str_equal (json_object_get_string_member (t, "start"), json_object_get_string_member (s, "start")) &&
              g_str_equal (json_object_get_string_member (t, "conveyor"), json_object_get_string_member (s, "conveyor")))
            {
              g_assert_cmpstr (json_object_get_string_member (t, "trigger"), ==, json_object_get_string_member (s, "trigger"));
              found = TRUE;
            }
        }
      g_assert_true (found);
    }
  {
    /* operators' classifications become training data */
    g_autoptr(BwLedger) l = bw_ledger_open_sqlite (db, NULL);
    g_autofree char *model = g_build_filename (dir, "model.json", NULL);
    g_autofree char *tout = NULL;
    const char *argv[] = { ml, "train-classifier", "--ledger", db, "--folds", "1", "--no-tracking",
                           "--rounds", "20", "-o", model, NULL };
    guint classified = 0;

    g_assert_nonnull (l);
    g_assert_true (bw_ledger_begin (l, NULL));
    for (guint i = 0; i < json_array_get_length (stops); i++)
      {
        JsonObject *s = json_array_get_object_element (stops, i);
        for (guint k = 0; k < json_array_get_length (truths); k++)
          {
            JsonObject *t = json_array_get_object_element (truths, k);
            if (g_str_equal (json_object_get_string_member (t, "start"), json_object_get_string_member (s, "start")) &&
                g_str_equal (json_object_get_string_member (t, "conveyor"), json_object_get_string_member (s, "conveyor")))
              {
                g_assert_true (bw_ledger_classify_stop (l, json_object_get_int_member (s, "id"), NULL, NULL,
                                                        json_object_get_string_member (t, "cause"), NULL,
                                                        "Иванов", 1, NULL));
                classified++;
              }
          }
      }
    g_assert_true (bw_ledger_commit (l, NULL));
    g_clear_pointer (&l, bw_ledger_close);
    g_assert_cmpint (run (argv, &tout, NULL), ==, 0);
    g_assert_nonnull (strstr (tout, "training stops"));
    {
      g_autoptr(BwClassifier) c = bw_classifier_load (model, NULL);
      g_assert_nonnull (c);
      g_assert_cmpuint (bw_classifier_get_n_classes (c), >=, 3);
    }
    g_unlink (model);
    g_test_message ("trained on %u classified stops", classified);
  }
  {
    /* CSV of the same */
    g_autofree char *csv = NULL;
    const char *argv[] = { ml, "stops", "--db", db, "--format", "csv", NULL };
    g_assert_cmpint (run (argv, &csv, NULL), ==, 0);
    g_assert_true (g_str_has_prefix (csv, "id;conveyor;start;end;"));
  }
  {
    const char *names[] = { "day.jsonl", "day.truth.json", "day.sqlite", "day.sqlite-wal", "day.sqlite-shm" };
    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autofree char *p = g_build_filename (dir, names[i], NULL);
        g_unlink (p);
      }
    g_rmdir (dir);
  }
}

static void
test_broken_config (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bw-cli-XXXXXX", NULL);
  g_autofree char *ini = g_build_filename (dir, "plant.ini", NULL);
  g_autofree char *d = bin ("daemon", "beltwatchd");
  g_autofree char *err = NULL, *out = NULL;

  g_assert_true (g_file_set_contents (ini, "[server]\nlisten=127.0.0.1:0\n[detection]\nzero-speed=fast\n", -1, NULL));
  {
    const char *argv[] = { d, "--config", ini, NULL };
    g_assert_cmpint (run (argv, NULL, &err), ==, 2);
    g_assert_nonnull (strstr (err, "plant.ini:4: [detection] zero-speed: “fast” is not a number"));
  }
  g_assert_true (g_file_set_contents (ini, "[server]\nlisten=127.0.0.1:0\n", -1, NULL));
  {
    const char *argv[] = { d, "--config", ini, "--check-config", NULL };
    g_assert_cmpint (run (argv, &out, NULL), ==, 0);
    g_assert_nonnull (strstr (out, "configuration OK"));
  }
  {
    const char *argv[] = { d, "--source", "mqtt", NULL };
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run (argv, NULL, &err), ==, 2);
    g_assert_nonnull (strstr (err, "“mqtt” is not a source"));
  }
  g_unlink (ini);
  g_rmdir (dir);
}

static void
test_sim_to_kafka (void)
{
  rd_kafka_conf_t *conf = rd_kafka_conf_new ();
  char errstr[256];
  rd_kafka_t *host = rd_kafka_new (RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  rd_kafka_mock_cluster_t *mock = rd_kafka_mock_cluster_new (host, 1);
  const char *bootstraps = rd_kafka_mock_cluster_bootstraps (mock);
  g_autofree char *sim = bin ("tools", "beltwatch-sim");
  rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new (1);
  rd_kafka_t *c;
  guint n = 0;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  g_assert_cmpint (rd_kafka_mock_topic_create (mock, "plant1.data", 1, 1), ==, 0);
  {
    const char *argv[] = { sim, "-n", "2", "-d", "30s", "--kafka", bootstraps, "--topic", "plant1.data",
                           "-X", "compression.codec=lz4", NULL };
    g_assert_cmpint (run (argv, NULL, NULL), ==, 0);
  }
  conf = rd_kafka_conf_new ();
  rd_kafka_conf_set (conf, "bootstrap.servers", bootstraps, errstr, sizeof errstr);
  rd_kafka_conf_set (conf, "group.id", "reader", errstr, sizeof errstr);
  c = rd_kafka_new (RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  rd_kafka_topic_partition_list_add (parts, "plant1.data", 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign (c, parts);
  rd_kafka_topic_partition_list_destroy (parts);
  while (n < 600 && g_get_monotonic_time () < deadline)
    {
      rd_kafka_message_t *m = rd_kafka_consumer_poll (c, 200);
      if (m == NULL)
        continue;
      if (m->err == 0)
        {
          /* keyed by conveyor, one tick of its samples per message */
          g_assert_true (m->key_len == 6 && (memcmp (m->key, "CV-101", 6) == 0 || memcmp (m->key, "CV-102", 6) == 0));
          g_assert_nonnull (g_strstr_len (m->payload, (gssize) m->len, "\"ItemId\":\"CV-10"));
          n++;
        }
      rd_kafka_message_destroy (m);
    }
  g_assert_cmpuint (n, ==, 600);  /* 2 conveyors × 300 ticks */
  rd_kafka_consumer_close (c);
  rd_kafka_destroy (c);
  rd_kafka_mock_cluster_destroy (mock);
  rd_kafka_destroy (host);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/cli/sim-replay-stops", test_sim_replay_stops);
  g_test_add_func ("/cli/broken-config", test_broken_config);
  g_test_add_func ("/cli/sim-to-kafka", test_sim_to_kafka);
  return g_test_run ();
}
