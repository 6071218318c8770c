/* test-detection.c: stop detection and first-out against the simulated
 * line's ground truth
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "bw-config.h"
#include "bw-monitor.h"
#include "bw-simulator.h"
#include "bw-tags.h"
#include "bw-time.h"

typedef struct
{
  BwMonitor   *monitor;
  BwSimulator *sim;
  char      ***items;     /* [conveyor][tag] */
  GPtrArray   *started;   /* BwEvent* stop.started */
  GPtrArray   *ended;
  GPtrArray   *all;
} Fixture;

static void
sample_cb (guint   conveyor,
           BwTag   tag,
           gint64  t,
           double  v,
           gpointer data)
{
  Fixture *f = data;
  const char *item = f->items[conveyor][tag];

  bw_monitor_ingest_item (f->monitor, item, strlen (item), t, v);
}

static void
event_cb (BwMonitor *monitor,
          BwEvent   *event,
          Fixture   *f)
{
  g_ptr_array_add (f->all, bw_event_ref (event));
  if (g_str_equal (event->type, BW_EVENT_STOP_STARTED))
    g_ptr_array_add (f->started, bw_event_ref (event));
  else if (g_str_equal (event->type, BW_EVENT_STOP_ENDED))
    g_ptr_array_add (f->ended, bw_event_ref (event));
}

static void
fixture_run (Fixture        *f,
             const BwConfig *config,
             BwSimParams    *params,
             gint64          duration_us)
{
  g_autoptr(GError) error = NULL;
  gint64 end;

  f->monitor = bw_monitor_new (config, NULL, &error);
  g_assert_no_error (error);
  bw_monitor_set_check_future (f->monitor, FALSE);
  f->sim = bw_simulator_new (params);
  f->items = g_new0 (char **, params->n_conveyors);
  for (guint i = 0; i < params->n_conveyors; i++)
    {
      f->items[i] = g_new0 (char *, BW_N_STANDARD_TAGS + 1);
      for (int k = 0; k < BW_N_STANDARD_TAGS; k++)
        f->items[i][k] = g_strconcat (bw_simulator_get_conveyor_id (f->sim, i), ".", bw_tag_name (k), NULL);
    }
  f->started = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_event_unref);
  f->ended = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_event_unref);
  f->all = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_event_unref);
  g_signal_connect (f->monitor, "event", G_CALLBACK (event_cb), f);

  end = bw_simulator_get_time (f->sim) + duration_us;
  while (bw_simulator_get_time (f->sim) < end)
    {
      bw_monitor_begin_batch (f->monitor);
      bw_simulator_step (f->sim, sample_cb, f);
      if ((bw_simulator_get_time (f->sim) / BW_SIM_TICK_US) % 10 == 0)
        g_assert_true (bw_monitor_flush (f->monitor, NULL));
    }
  bw_monitor_finish (f->monitor);
  g_assert_true (bw_monitor_flush (f->monitor, NULL));
}

static void
fixture_clear (Fixture *f,
               guint    n)
{
  for (guint i = 0; i < n; i++)
    g_strfreev (f->items[i]);
  g_free (f->items);
  g_ptr_array_unref (f->started);
  g_ptr_array_unref (f->ended);
  g_ptr_array_unref (f->all);
  bw_simulator_free (f->sim);
  g_object_unref (f->monitor);
}

static gint64
event_stop_time (BwEvent    *e,
                 const char *member)
{
  JsonObject *stop = json_object_get_object_member (e->data, "stop");
  const char *s = json_object_get_string_member_with_default (stop, member, NULL);
  gint64 t = 0;

  if (s)
    g_assert_true (bw_time_parse (s, -1, &t));
  return t;
}

static void
check_against_truth (Fixture *f,
                     guint   *n_checked)
{
  GPtrArray *truths = bw_simulator_get_truth (f->sim);
  g_autofree gboolean *used = g_new0 (gboolean, f->started->len);
  guint by_scenario[BW_N_SCENARIOS] = { 0 };

  for (guint i = 0; i < truths->len; i++)
    {
      BwSimTruth *t = truths->pdata[i];
      BwEvent *match = NULL;
      guint mi = 0;

      if (t->start_us == 0)
        continue; /* the sim ended before the belt stopped */
      for (guint k = 0; k < f->started->len; k++)
        {
          BwEvent *e = f->started->pdata[k];
          if (!used[k] && g_str_equal (e->conveyor, t->conveyor) &&
              ABS (event_stop_time (e, "start") - t->start_us) <= BW_USEC_PER_SEC)
            {
              match = e;
              mi = k;
              break;
            }
        }
      if (match == NULL)
        g_error ("%s: truth %s at %" G_GINT64_FORMAT " was not detected", t->conveyor,
                 bw_scenario_name (t->scenario), t->start_us);
      used[mi] = TRUE;
      g_assert_cmpstr (json_object_get_string_member (match->data, "trigger"), ==, t->trigger);
      by_scenario[t->scenario]++;

      if (t->end_us)
        {
          gint64 stop_id = json_object_get_int_member (match->data, "stop_id");
          gboolean found = FALSE;
          for (guint k = 0; k < f->ended->len; k++)
            {
              BwEvent *e = f->ended->pdata[k];
              if (json_object_get_int_member (e->data, "stop_id") == stop_id)
                {
                  g_assert_cmpint (ABS (event_stop_time (e, "end") - t->end_us), <=, BW_USEC_PER_SEC);
                  found = TRUE;
                }
            }
          g_assert_true (found);
        }
      (*n_checked)++;
    }
  /* nothing detected that did not happen */
  for (guint k = 0; k < f->started->len; k++)
    if (!used[k])
      g_error ("stop %s at %s was detected but did not happen", ((BwEvent *) f->started->pdata[k])->conveyor,
               json_object_get_string_member (json_object_get_object_member (((BwEvent *) f->started->pdata[k])->data, "stop"), "start"));
  for (int s = 0; s < BW_N_SCENARIOS; s++)
    g_test_message ("%-18s %u", bw_scenario_name (s), by_scenario[s]);
}

/* under valgrind or the sanitizers the same checks run on less data */
static gint64
scaled (gint64 us)
{
  return g_getenv ("BW_TEST_SHORT") ? us / 4 : us;
}

static void
test_every_stop_found (void)
{
  g_autoptr(BwConfig) config = bw_config_new_default ();
  BwSimParams params;
  Fixture f = { 0 };
  guint checked = 0;

  bw_sim_params_init (&params);
  params.seed = 42;
  params.start_us = G_GINT64_CONSTANT (1795766400000000);
  params.stop_interval_us = 3 * BW_USEC_PER_MIN;
  params.duration_scale = 0.05;
  fixture_run (&f, config, &params, scaled (8 * BW_USEC_PER_HOUR));
  check_against_truth (&f, &checked);
  g_test_message ("%u stops checked", checked);
  g_assert_cmpuint (checked, >=, g_getenv ("BW_TEST_SHORT") ? 35 : 150);
  fixture_clear (&f, params.n_conveyors);
}

static void
test_each_scenario (void)
{
  g_autoptr(BwConfig) config = bw_config_new_default ();

  /* every scenario alone, with real (unscaled) durations */
  for (int s = 0; s < BW_N_SCENARIOS; s++)
    {
      BwSimParams params;
      Fixture f = { 0 };
      guint checked = 0;

      bw_sim_params_init (&params);
      params.seed = 7 + s;
      params.n_conveyors = 2;
      params.start_us = G_GINT64_CONSTANT (1795766400000000);
      params.stop_interval_us = 20 * BW_USEC_PER_MIN;
      params.duration_scale = 0.2;
      params.weights[s] = 1;
      g_test_message ("scenario %s", bw_scenario_name (s));
      fixture_run (&f, config, &params, scaled (3 * BW_USEC_PER_HOUR) + BW_USEC_PER_HOUR);
      check_against_truth (&f, &checked);
      g_assert_cmpuint (checked, >=, 2);
      fixture_clear (&f, params.n_conveyors);
    }
}

static void
keep_event_cb (BwMonitor *m,
               BwEvent   *e,
               GPtrArray *events)
{
  g_ptr_array_add (events, bw_event_ref (e));
}

static void
test_first_out_tie_and_secondary (void)
{
  g_autoptr(BwConfig) config = bw_config_new_default ();
  g_autoptr(BwMonitor) m = bw_monitor_new (config, NULL, NULL);
  gint64 t = G_GINT64_CONSTANT (1795766400000000);
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_event_unref);
  BwEvent *started = NULL;

  bw_monitor_set_check_future (m, FALSE);
  g_signal_connect (m, "event", G_CALLBACK (keep_event_cb), events);

  for (int i = 0; i < 50; i++, t += 100000)
    {
      bw_monitor_ingest_sample (m, "CV-1", "running", t, 1);
      bw_monitor_ingest_sample (m, "CV-1", "belt_speed", t, 2.5);
      bw_monitor_ingest_sample (m, "CV-1", "pullcord", t, 0);
      bw_monitor_ingest_sample (m, "CV-1", "overload", t, 0);
    }
  /* the same instant: the running=0 sample arrives before the interlocks,
   * and of the two interlocks the one listed first tripped first */
  bw_monitor_ingest_sample (m, "CV-1", "running", t, 0);
  bw_monitor_ingest_sample (m, "CV-1", "overload", t, 1);
  bw_monitor_ingest_sample (m, "CV-1", "pullcord", t, 1);
  /* a consequential slip trip a second later must not win */
  bw_monitor_ingest_sample (m, "CV-1", "slip", t + BW_USEC_PER_SEC, 1);
  g_assert_true (bw_monitor_flush (m, NULL));

  for (guint i = 0; i < events->len; i++)
    if (g_str_equal (((BwEvent *) events->pdata[i])->type, BW_EVENT_STOP_STARTED))
      started = events->pdata[i];
  g_assert_nonnull (started);
  g_assert_cmpstr (json_object_get_string_member (started->data, "trigger"), ==, "overload");
  g_assert_cmpint (event_stop_time (started, "start"), ==, t);
}

static void
test_zero_speed_rule (void)
{
  /* a conveyor without a running tag: stopped when its speed stays below
   * the threshold for zero-speed-time, from the moment it went below */
  g_autoptr(BwConfig) config = bw_config_new_default ();
  g_autoptr(BwMonitor) m = bw_monitor_new (config, NULL, NULL);
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_event_unref);
  gint64 t0 = G_GINT64_CONSTANT (1795766400000000), t = t0, below = 0;
  BwConveyor *c;
  guint n_started = 0;

  bw_monitor_set_check_future (m, FALSE);
  g_signal_connect (m, "event", G_CALLBACK (keep_event_cb), events);
  for (int i = 0; i < 600; i++, t += 100000)
    {
      double v;
      if (i < 100)
        v = 2.0;
      else if (i < 115)
        v = 0.05;        /* 1.5 s below: shorter than zero-speed-time, no stop */
      else if (i < 200)
        v = 2.0;
      else if (i < 400)
        {
          v = 0.0;
          if (i == 200)
            below = t;
        }
      else
        v = 2.0;
      bw_monitor_ingest_sample (m, "CV-9", "belt_speed", t, v);
      if (i == 300)
        {
          g_assert_true (bw_monitor_flush (m, NULL));
          c = bw_monitor_find_conveyor (m, "CV-9");
          g_assert_nonnull (bw_conveyor_get_open_stop (c));
        }
    }
  g_assert_true (bw_monitor_flush (m, NULL));
  for (guint i = 0; i < events->len; i++)
    {
      BwEvent *e = events->pdata[i];
      if (g_str_equal (e->type, BW_EVENT_STOP_STARTED))
        {
          n_started++;
          g_assert_cmpint (event_stop_time (e, "start"), ==, below);
          g_assert_cmpstr (json_object_get_string_member (e->data, "trigger"), ==, "none");
        }
      if (g_str_equal (e->type, BW_EVENT_STOP_ENDED))
        {
          g_assert_cmpint (event_stop_time (e, "end"), ==, t0 + 400 * G_GINT64_CONSTANT (100000));
          /* 20 s: shorter than the default one-minute micro-stop threshold */
          g_assert_true (json_object_get_boolean_member (json_object_get_object_member (e->data, "stop"), "micro"));
        }
    }
  g_assert_cmpuint (n_started, ==, 1);
}

static void
test_bad_input_counted (void)
{
  g_autoptr(BwConfig) config = bw_config_new_from_data ("[conveyor CV-1]\nname=One\n[detection]\nauto-add-conveyors=false\n",
                                                        "test.ini", NULL);
  g_autoptr(BwMonitor) m = bw_monitor_new (config, NULL, NULL);
  const BwWireStats *st = bw_monitor_get_stats (m);
  const char *msg =
    "[{\"Timestamp\":\"2026-11-27T08:00:01Z\",\"ItemId\":\"CV-1.load\",\"Value\":1},"
    "{\"Timestamp\":\"2026-11-27T08:00:00Z\",\"ItemId\":\"CV-1.load\",\"Value\":2},"   /* backwards */
    "{\"Timestamp\":\"2026-11-27T08:00:01Z\",\"ItemId\":\"CV-1.load\",\"Value\":3},"   /* duplicate */
    "{\"Timestamp\":\"2026-11-27T08:00:01Z\",\"ItemId\":\"CV-1.nosuch\",\"Value\":3}," /* unknown tag */
    "{\"Timestamp\":\"2026-11-27T08:00:01Z\",\"ItemId\":\"CV-2.load\",\"Value\":3},"   /* unknown conveyor */
    "{\"Timestamp\":\"2099-01-01T00:00:00Z\",\"ItemId\":\"CV-1.vibration\",\"Value\":3},"  /* future */
    "{\"Timestamp\":\"2026-11-27T08:00:02Z\",\"ItemId\":\"CV-1.load\",\"Value\":4}]";

  g_assert_nonnull (config);
  g_test_expect_message ("bw-monitor", G_LOG_LEVEL_WARNING, "*backwards*");
  g_test_expect_message ("bw-monitor", G_LOG_LEVEL_WARNING, "*unknown_item*CV-1.nosuch*");
  g_test_expect_message ("bw-monitor", G_LOG_LEVEL_WARNING, "*future*");
  g_assert_cmpuint (bw_monitor_ingest_message (m, msg, strlen (msg)), ==, 2);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (st->samples, ==, 2);
  g_assert_cmpuint (st->bad[BW_BAD_BACKWARDS], ==, 1);
  g_assert_cmpuint (st->bad[BW_BAD_DUPLICATE], ==, 1);
  g_assert_cmpuint (st->bad[BW_BAD_UNKNOWN_ITEM], ==, 2);
  g_assert_cmpuint (st->bad[BW_BAD_FUTURE], ==, 1);
  g_assert_cmpuint (bw_monitor_get_n_conveyors (m), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/detection/every-stop-found", test_every_stop_found);
  g_test_add_func ("/detection/each-scenario", test_each_scenario);
  g_test_add_func ("/detection/first-out-tie-and-secondary", test_first_out_tie_and_secondary);
  g_test_add_func ("/detection/zero-speed-rule", test_zero_speed_rule);
  g_test_add_func ("/detection/bad-input-counted", test_bad_input_counted);
  return g_test_run ();
}
