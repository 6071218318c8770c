/* test-config.c: the service configuration and its errors
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "bw-config.h"
#include "bw-error.h"
#include "bw-time.h"

static void
test_defaults (void)
{
  g_autoptr(BwConfig) c = bw_config_new_default ();

  g_assert_cmpstr (c->listen_host, ==, "127.0.0.1");
  g_assert_cmpuint (c->listen_port, ==, BW_DEFAULT_PORT);
  g_assert_cmpint (c->source, ==, BW_SOURCE_SIMULATOR);
  g_assert_cmpstr (c->storage_backend, ==, "sqlite");
  g_assert_true (g_str_has_suffix (c->db_path, "beltwatch/ledger.sqlite"));
  g_assert_cmpuint (c->sim_conveyors, ==, 3);
  g_assert_cmpstr (c->kafka_topic, ==, "data");
  g_assert_cmpstr (g_hash_table_lookup (c->kafka_properties, "group.id"), ==, "beltwatchd");
  g_assert_cmpint (c->detection.zero_speed_time_us, ==, 2 * BW_USEC_PER_SEC);
  g_assert_cmpint (c->detection.micro_stop_us, ==, 60 * BW_USEC_PER_SEC);
  g_assert_cmpint (c->detection.ring_us, ==, BW_USEC_PER_HOUR);
  g_assert_true (c->auto_add_conveyors);
}

static void
test_full_file (void)
{
  const char *text =
    "# a plant\n"
    "[server]\nlisten=0.0.0.0:9000\n"
    "[users]\nivanov=sha256:abcd\n"
    "[storage]\nbackend=postgresql\nconninfo=host=db dbname=beltwatch\n"
    "[source]\ntype=kafka\n"
    "[kafka]\nbootstrap.servers=kafka1:9093,kafka2:9093\nsecurity.protocol=SASL_SSL\n"
    "sasl.mechanisms=SCRAM-SHA-512\nsasl.username=my-user\nsasl.password=secret\ntopic=plant1.data\n"
    "[detection]\nmicro-stop=2m\nzero-speed=0.2\n"
    "[conveyor CV-101]\nname=Питающий конвейер 1\nname[ru]=Питающий конвейер №1\ntags=bearing_temp; belt_tension;belt_speed\nmicro-stop=30s\n"
    "[cause wet_ore]\nname=Wet ore\nname[ru]=Налипание влажной руды\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(BwConfig) c = bw_config_new_from_data (text, "plant.ini", &error);
  const BwConveyorConfig *cv;

  g_assert_no_error (error);
  g_assert_cmpstr (c->listen_host, ==, "0.0.0.0");
  g_assert_cmpuint (c->listen_port, ==, 9000);
  g_assert_cmpstr (g_hash_table_lookup (c->users, "ivanov"), ==, "sha256:abcd");
  g_assert_cmpstr (c->storage_backend, ==, "postgresql");
  g_assert_cmpstr (c->pg_conninfo, ==, "host=db dbname=beltwatch");
  g_assert_cmpint (c->source, ==, BW_SOURCE_KAFKA);
  g_assert_cmpstr (c->kafka_topic, ==, "plant1.data");
  /* every librdkafka property passes through; our own keys do not */
  g_assert_cmpstr (g_hash_table_lookup (c->kafka_properties, "sasl.mechanisms"), ==, "SCRAM-SHA-512");
  g_assert_cmpstr (g_hash_table_lookup (c->kafka_properties, "bootstrap.servers"), ==, "kafka1:9093,kafka2:9093");
  g_assert_false (g_hash_table_contains (c->kafka_properties, "topic"));
  g_assert_cmpint (c->detection.micro_stop_us, ==, 120 * BW_USEC_PER_SEC);
  cv = bw_config_find_conveyor (c, "CV-101");
  g_assert_nonnull (cv);
  g_assert_cmpint (cv->detection.micro_stop_us, ==, 30 * BW_USEC_PER_SEC);
  g_assert_cmpfloat (cv->detection.zero_speed, ==, 0.2);   /* inherited */
  g_assert_cmpuint (g_strv_length (cv->extra_tags), ==, 2);
  g_assert_cmpstr (cv->extra_tags[1], ==, "belt_tension");
  g_assert_cmpuint (c->causes->len, ==, 1);
  g_assert_cmpstr (((BwCauseConfig *) c->causes->pdata[0])->name_ru, ==, "Налипание влажной руды");
}

static void
test_errors_name_line_and_key (void)
{
  struct { const char *text; const char *expect; } cases[] = {
    { "[detection]\nzero-speed=fast\n", "cfg.ini:2: [detection] zero-speed: “fast” is not a number" },
    { "[detection]\n\n# note\nmicro-stop=soon\n", "cfg.ini:4: [detection] micro-stop: “soon” is not a duration" },
    { "[detection]\nzero-speed=-1\n", "cfg.ini:2: [detection] zero-speed: -1 is out of range" },
    { "[detection]\nzero_speed=0.1\n", "cfg.ini:2: [detection] zero_speed: unknown key" },
    { "[detecton]\nzero-speed=0.1\n", "cfg.ini:1: [detecton] : unknown group" },
    { "[server]\nlisten=localhost\n", "cfg.ini:2: [server] listen: “localhost” is not ADDRESS:PORT" },
    { "[server]\nlisten=127.0.0.1:99999\n", "cfg.ini:2: [server] listen: “99999” is not a port number" },
    { "[source]\ntype=mqtt\n", "cfg.ini:2: [source] type: “mqtt” is not a source" },
    { "[source]\ntype=replay\n", "[source] replay-file: the replay source needs a replay-file" },
    { "[storage]\nbackend=oracle\n", "cfg.ini:2: [storage] backend: “oracle” is not sqlite or postgresql" },
    { "[storage]\nbackend=postgresql\n", "[storage] conninfo: the postgresql backend needs a conninfo" },
    { "[simulator]\nconveyors=0\n", "cfg.ini:2: [simulator] conveyors: 0 is out of range" },
    { "[simulator]\nconveyors=three\n", "cfg.ini:2: [simulator] conveyors: “three” is not a whole number" },
    { "[detection]\nauto-add-conveyors=maybe\n", "cfg.ini:2: [detection] auto-add-conveyors: “maybe” is not true or false" },
    { "[detection]\nring=10s\n", "cfg.ini:2: [detection] ring: the ring must be at least as long as window-before" },
    { "[conveyor CV 1]\nname=x\n", "cfg.ini:1: [conveyor CV 1] : “CV 1” is not a valid id" },
    { "[conveyor CV-1]\nwindow-after=lots\n", "cfg.ini:2: [conveyor CV-1] window-after: “lots” is not a duration" },
    { "[conveyor CV-1]\ntags=ok;not ok\n", "cfg.ini:2: [conveyor CV-1] tags: “not ok” is not a valid tag name" },
    { "[cause wet]\nplanned=false\n", "cfg.ini:1: [cause wet] : a cause needs a name" },
    { "zero-speed=1\n", "cfg.ini:1: “zero-speed=1” comes before any [group]" },
    { "[detection]\njust words\n", "cfg.ini:2: “just words” is not a key=value line" },
    { "[detection\nzero-speed=1\n", "cfg.ini:1: “[detection” is not a valid [group] header" },
    { "[kafka]\ntopic=\n", "cfg.ini:2: [kafka] topic: must not be empty" },
    { "\xff\xfe[detection]\n", "cfg.ini: not valid UTF-8 text" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      BwConfig *c = bw_config_new_from_data (cases[i].text, "cfg.ini", &error);

      g_test_message ("case %u: %s", i, error ? error->message : "(no error)");
      g_assert_null (c);
      g_assert_error (error, BW_ERROR, BW_ERROR_CONFIG);
      if (strstr (error->message, cases[i].expect) == NULL)
        g_error ("expected “%s” in “%s”", cases[i].expect, error->message);
    }
}

static void
test_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  BwConfig *c = bw_config_new_from_file ("/nonexistent/beltwatchd.ini", &error);

  g_assert_null (c);
  g_assert_error (error, BW_ERROR, BW_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "/nonexistent/beltwatchd.ini"));
}

static void
test_overrides (void)
{
  g_autoptr(BwConfig) c = bw_config_new_default ();
  g_autoptr(GError) error = NULL;

  g_assert_true (bw_config_parse_source (c, "replay:/data/day.jsonl", &error));
  g_assert_cmpint (c->source, ==, BW_SOURCE_REPLAY);
  g_assert_cmpstr (c->replay_file, ==, "/data/day.jsonl");
  g_assert_false (bw_config_parse_source (c, "replay:", &error));
  g_clear_error (&error);
  g_assert_true (bw_config_parse_listen (c, "[::1]:8000", &error));
  g_assert_cmpstr (c->listen_host, ==, "::1");
  g_assert_cmpuint (c->listen_port, ==, 8000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/config/defaults", test_defaults);
  g_test_add_func ("/config/full-file", test_full_file);
  g_test_add_func ("/config/errors-name-line-and-key", test_errors_name_line_and_key);
  g_test_add_func ("/config/missing-file", test_missing_file);
  g_test_add_func ("/config/overrides", test_overrides);
  return g_test_run ();
}
