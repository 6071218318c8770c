/* beltwatch-sim.c: the simulated line as a stand-alone publisher
 *
 * Writes the stream as JSON Lines (a file or stdout) with a ground-truth
 * file, or publishes it to a Kafka topic keyed by conveyor, in real time or
 * as fast as possible.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beltwatch-sim"

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib-unix.h>
#include <librdkafka/rdkafka.h>

#include "bw-error.h"
#include "bw-simulator.h"
#include "bw-time.h"

static volatile gboolean interrupted;

static gboolean
interrupt_cb (gpointer data)
{
  interrupted = TRUE;
  return G_SOURCE_CONTINUE;
}

static gboolean
write_truth (BwSimulator  *sim,
             const char   *path,
             GError      **error)
{
  GPtrArray *truths = bw_simulator_get_truth (sim);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (b);
  for (guint i = 0; i < truths->len; i++)
    {
      BwSimTruth *t = truths->pdata[i];
      if (t->start_us == 0)
        continue;   /* the run ended before the belt stopped */
      json_builder_add_value (b, bw_sim_truth_to_json (t));
    }
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_file (gen, path, error);
}

static void
delivery_cb (rd_kafka_t               *rk,
             const rd_kafka_message_t *m,
             void                     *opaque)
{
  guint64 *errors = opaque;

  if (m->err)
    {
      if ((*errors)++ < 5)
        fprintf (stderr, "beltwatch-sim: delivery failed: %s\n", rd_kafka_err2str (m->err));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *out = NULL, *truth = NULL, *brokers = NULL, *topic = NULL, *start = NULL;
  g_autofree char *duration = NULL, *interval = NULL, *first_id = NULL, *only = NULL;
  g_auto(GStrv) kafka_props = NULL;
  gint64 seed = 1, conveyors = 3;
  double scale = 0.1;
  gboolean realtime = FALSE, version = FALSE;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Write JSON Lines to FILE (- for stdout, the default)", "FILE" },
    { "truth", 't', 0, G_OPTION_ARG_FILENAME, &truth, "Write the ground truth of the stops to FILE (JSON)", "FILE" },
    { "kafka", 'k', 0, G_OPTION_ARG_STRING, &brokers, "Publish to the Kafka brokers HOST:PORT[,…]", "BROKERS" },
    { "topic", 0, 0, G_OPTION_ARG_STRING, &topic, "Kafka topic (default data)", "TOPIC" },
    { "property", 'X', 0, G_OPTION_ARG_STRING_ARRAY, &kafka_props, "A librdkafka property, e.g. -X security.protocol=SASL_SSL", "KEY=VALUE" },
    { "conveyors", 'n', 0, G_OPTION_ARG_INT64, &conveyors, "Number of conveyors (default 3)", "N" },
    { "first-id", 0, 0, G_OPTION_ARG_STRING, &first_id, "Id of the first conveyor (default CV-101)", "ID" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 1)", "N" },
    { "start", 0, 0, G_OPTION_ARG_STRING, &start, "Time of the first sample, RFC 3339 (default: now, or duration ago when not real-time)", "TIME" },
    { "duration", 'd', 0, G_OPTION_ARG_STRING, &duration, "How long to simulate, e.g. 1h (default: forever in real time, 1h otherwise)", "DURATION" },
    { "stop-interval", 0, 0, G_OPTION_ARG_STRING, &interval, "Mean running time between stops (default 4m)", "DURATION" },
    { "duration-scale", 0, 0, G_OPTION_ARG_DOUBLE, &scale, "Scale of stop durations (default 0.1, demo pace)", "X" },
    { "scenario", 0, 0, G_OPTION_ARG_STRING, &only, "Only this scenario (md_false_emi, foreign_object, overload, …)", "NAME" },
    { "realtime", 'r', 0, G_OPTION_ARG_NONE, &realtime, "Pace the output in real time", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("— publish the simulated line of conveyors");
  g_autoptr(GError) error = NULL;
  g_autoptr(BwSimulator) sim = NULL;
  BwSimParams p;
  gint64 dur_us = 0, end_us;
  GString **messages;
  FILE *fp = NULL;
  rd_kafka_t *rk = NULL;
  guint64 errors = 0, lines = 0;
  gint64 wall0 = g_get_monotonic_time (), data0;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx,
    "One message per conveyor and tick (100 ms): a JSON array of the conveyor's\n"
    "samples {\"Timestamp\", \"ItemId\", \"Value\"}, as beltwatchd reads it.\n"
    "Examples:\n"
    "  beltwatch-sim -d 8h --start 2026-11-27T08:00:00Z -o day.jsonl -t day.truth.json\n"
    "  beltwatch-sim --realtime --kafka localhost:9092 --topic data\n");
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "beltwatch-sim: %s\n", error->message);
      return 2;
    }
  if (version)
    {
      printf ("beltwatch-sim %s\n", PACKAGE_VERSION);
      return 0;
    }

  bw_sim_params_init (&p);
  if (conveyors < 1 || conveyors > 1000)
    {
      fprintf (stderr, "beltwatch-sim: --conveyors must be 1 to 1000\n");
      return 2;
    }
  p.n_conveyors = (guint) conveyors;
  p.seed = (guint64) seed;
  p.duration_scale = scale;
  if (first_id)
    p.first_id = first_id;
  if (duration && !bw_duration_parse (duration, &dur_us))
    {
      fprintf (stderr, "beltwatch-sim: “%s” is not a duration\n", duration);
      return 2;
    }
  if (!realtime && dur_us == 0)
    dur_us = BW_USEC_PER_HOUR;
  if (interval && !bw_duration_parse (interval, &p.stop_interval_us))
    {
      fprintf (stderr, "beltwatch-sim: “%s” is not a duration\n", interval);
      return 2;
    }
  if (start)
    {
      if (!bw_time_parse (start, -1, &p.start_us))
        {
          fprintf (stderr, "beltwatch-sim: “%s” is not an RFC 3339 time\n", start);
          return 2;
        }
    }
  else if (realtime)
    p.start_us = bw_time_now ();
  else
    p.start_us = (bw_time_now () - dur_us) / BW_USEC_PER_SEC * BW_USEC_PER_SEC;  /* in the past: replays accept it */
  if (only)
    {
      BwScenario s;
      if (!bw_scenario_from_name (only, &s))
        {
          fprintf (stderr, "beltwatch-sim: unknown scenario “%s”\n", only);
          return 2;
        }
      p.weights[s] = 1;
    }

  if (brokers)
    {
      rd_kafka_conf_t *conf = rd_kafka_conf_new ();
      char errstr[512];

      if (rd_kafka_conf_set (conf, "bootstrap.servers", brokers, errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
        {
          fprintf (stderr, "beltwatch-sim: %s\n", errstr);
          return 2;
        }
      for (guint i = 0; kafka_props && kafka_props[i]; i++)
        {
          g_auto(GStrv) kv = g_strsplit (kafka_props[i], "=", 2);
          if (kv[1] == NULL || rd_kafka_conf_set (conf, kv[0], kv[1], errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
            {
              fprintf (stderr, "beltwatch-sim: -X %s: %s\n", kafka_props[i], kv[1] ? errstr : "not KEY=VALUE");
              return 2;
            }
        }
      rd_kafka_conf_set_dr_msg_cb (conf, delivery_cb);
      rd_kafka_conf_set_opaque (conf, &errors);
      rk = rd_kafka_new (RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
      if (rk == NULL)
        {
          fprintf (stderr, "beltwatch-sim: %s\n", errstr);
          return 1;
        }
    }
  if (!brokers || out)
    {
      if (out == NULL || g_str_equal (out, "-"))
        fp = stdout;
      else if ((fp = fopen (out, "w")) == NULL)
        {
          fprintf (stderr, "beltwatch-sim: cannot write %s: %s\n", out, g_strerror (errno));
          return 1;
        }
    }

  g_unix_signal_add (SIGINT, interrupt_cb, NULL);
  g_unix_signal_add (SIGTERM, interrupt_cb, NULL);

  sim = bw_simulator_new (&p);
  messages = g_new (GString *, p.n_conveyors);
  for (guint i = 0; i < p.n_conveyors; i++)
    messages[i] = g_string_sized_new (2048);
  data0 = bw_simulator_get_time (sim);
  end_us = dur_us ? data0 + dur_us : G_MAXINT64;

  while (bw_simulator_get_time (sim) < end_us && !interrupted)
    {
      bw_simulator_tick_message (sim, messages);
      for (guint i = 0; i < p.n_conveyors; i++)
        {
          if (fp)
            {
              fwrite (messages[i]->str, 1, messages[i]->len, fp);
              fputc ('\n', fp);
            }
          if (rk)
            {
              const char *key = bw_simulator_get_conveyor_id (sim, i);
              rd_kafka_resp_err_t err;

              do
                {
                  err = rd_kafka_producev (rk, RD_KAFKA_V_TOPIC (topic ? topic : "data"),
                                           RD_KAFKA_V_KEY (key, strlen (key)),
                                           RD_KAFKA_V_VALUE (messages[i]->str, messages[i]->len),
                                           RD_KAFKA_V_MSGFLAGS (RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
                  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
                    rd_kafka_poll (rk, 100);
                }
              while (err == RD_KAFKA_RESP_ERR__QUEUE_FULL);
              if (err)
                {
                  fprintf (stderr, "beltwatch-sim: %s\n", rd_kafka_err2str (err));
                  return 1;
                }
            }
          lines++;
        }
      if (rk)
        rd_kafka_poll (rk, 0);
      if (realtime)
        {
          gint64 due = wall0 + (bw_simulator_get_time (sim) - data0);
          gint64 wait = due - g_get_monotonic_time ();
          if (fp)
            fflush (fp);
          if (wait > 0)
            g_usleep ((gulong) wait);
          g_main_context_iteration (NULL, FALSE);
        }
      else if ((lines & 0xffff) == 0)
        g_main_context_iteration (NULL, FALSE);
    }

  for (guint i = 0; i < p.n_conveyors; i++)
    g_string_free (messages[i], TRUE);
  g_free (messages);
  if (fp && fp != stdout && fclose (fp) != 0)
    {
      fprintf (stderr, "beltwatch-sim: writing %s failed: %s\n", out, g_strerror (errno));
      return 1;
    }
  if (fp == stdout)
    fflush (stdout);
  if (rk)
    {
      if (rd_kafka_flush (rk, 30000) != RD_KAFKA_RESP_ERR_NO_ERROR)
        fprintf (stderr, "beltwatch-sim: %d messages not delivered\n", rd_kafka_outq_len (rk));
      rd_kafka_destroy (rk);
    }
  if (truth && !write_truth (sim, truth, &error))
    {
      fprintf (stderr, "beltwatch-sim: cannot write %s: %s\n", truth, error->message);
      return 1;
    }
  if (errors)
    {
      fprintf (stderr, "beltwatch-sim: %" G_GUINT64_FORMAT " messages failed\n", errors);
      return 1;
    }
  return 0;
}
