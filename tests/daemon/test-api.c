/* test-api.c: beltwatchd's HTTP API and WebSocket stream, with a real client
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "bw-anomaly-model.h"
#include "bw-ledger.h"
#include "bw-monitor.h"
#include "bw-training-data.h"
#include "bw-simulator.h"
#include "bw-tags.h"
#include "bw-test-client.h"
#include "bw-time.h"
#include "bwd-service.h"

#define T0 G_GINT64_CONSTANT (1795766400000000)  /* 2026-11-27T08:00:00Z */

typedef struct
{
  char       *dir;
  char       *db;
  BwdService *service;
  char       *base;       /* http://127.0.0.1:PORT */
  gboolean    finished;
} Fixture;

static void
finished_cb (BwdService *service,
             Fixture    *f)
{
  f->finished = TRUE;
}

static BwdService *
start_service (Fixture    *f,
               const char *extra_config,
               gboolean    wait_for_eof)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("[server]\nlisten=127.0.0.1:0\n[storage]\npath=%s\n%s",
                                           f->db, extra_config ? extra_config : "[source]\ntype=none\n");
  BwConfig *config = bw_config_new_from_data (text, "test.ini", &error);

  g_assert_no_error (error);
  f->finished = FALSE;
  f->service = bwd_service_new (config, &error);
  g_assert_no_error (error);
  g_signal_connect (f->service, "finished", G_CALLBACK (finished_cb), f);
  g_assert_true (bwd_service_start (f->service, FALSE, &error));
  g_assert_no_error (error);
  g_free (f->base);
  f->base = bwd_service_get_url (f->service);
  return f->service;
}

static void
stop_service (Fixture *f)
{
  bwd_service_shutdown (f->service);
  g_clear_object (&f->service);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("bw-api-XXXXXX", NULL);
  f->db = g_build_filename (f->dir, "ledger.sqlite", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->service)
    stop_service (f);
  g_free (f->base);
  g_free (f->db);
  /* leave no files behind */
  {
    g_autoptr(GDir) d = g_dir_open (f->dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name (d)))
      {
        g_autofree char *p = g_build_filename (f->dir, name, NULL);
        g_unlink (p);
      }
  }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static JsonNode *
get (Fixture    *f,
     BwTestClient *c,
     const char *path,
     guint       expect)
{
  g_autofree char *url = g_strconcat (f->base, path, NULL);
  guint status;
  JsonNode *node = bw_test_http (c, "GET", url, NULL, &status);

  if (status != expect)
    g_error ("GET %s: %u, expected %u", path, status, expect);
  return node;
}

static JsonNode *
post (Fixture      *f,
      BwTestClient *c,
      const char   *path,
      const char   *body,
      guint         expect)
{
  g_autofree char *url = g_strconcat (f->base, path, NULL);
  guint status;
  JsonNode *node = bw_test_http (c, "POST", url, body, &status);

  if (status != expect)
    g_error ("POST %s: %u, expected %u", path, status, expect);
  return node;
}

/* ---- a replayed recording, then the API over what it left ---- */

static gboolean
is_finished (gpointer data)
{
  return ((Fixture *) data)->finished;
}

static void
test_replay_and_query (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(BwTestClient) c = bw_test_client_new ();
  g_autofree char *jsonl = g_build_filename (f->dir, "replay.jsonl", NULL);
  g_autofree char *extra = NULL;
  g_autoptr(JsonNode) health = NULL, list = NULL, page = NULL, conv = NULL, sig = NULL, evs = NULL;
  g_autoptr(BwSimulator) sim = NULL;
  GString **msgs;
  FILE *fp = fopen (jsonl, "w");
  BwSimParams p;
  guint n_truth = 0;
  JsonArray *stops;
  gint64 first_id, alarm_id;

  bw_sim_params_init (&p);
  p.seed = 3;
  p.start_us = T0;
  p.stop_interval_us = 3 * BW_USEC_PER_MIN;
  p.duration_scale = 0.05;
  sim = bw_simulator_new (&p);
  msgs = g_new (GString *, 3);
  for (int i = 0; i < 3; i++)
    msgs[i] = g_string_new (NULL);
  while (bw_simulator_get_time (sim) < T0 + 40 * BW_USEC_PER_MIN)
    {
      bw_simulator_tick_message (sim, msgs);
      for (int i = 0; i < 3; i++)
        fprintf (fp, "%s\n", msgs[i]->str);
    }
  /* a malformed line in the middle of the file loses nothing else */
  fprintf (fp, "this is not JSON\n[{\"Timestamp\":\"x\"}]\n\n");
  fclose (fp);
  for (int i = 0; i < 3; i++)
    g_string_free (msgs[i], TRUE);
  g_free (msgs);
  for (guint i = 0; i < bw_simulator_get_truth (sim)->len; i++)
    if (((BwSimTruth *) bw_simulator_get_truth (sim)->pdata[i])->start_us)
      n_truth++;
  g_assert_cmpuint (n_truth, >=, 10);

  extra = g_strdup_printf ("[source]\ntype=replay\nreplay-file=%s\nreplay-speed=0\n", jsonl);
  start_service (f, extra, FALSE);
  g_assert_true (bw_test_wait (is_finished, f, 60000));

  health = get (f, c, "/api/v1/health", 200);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (health), "status"), ==, "ok");
  g_assert_true (json_object_get_boolean_member (json_node_get_object (health), "source_finished"));

  /* every stop of the recording, and paging */
  list = get (f, c, "/api/v1/stops?limit=1000&order=asc", 200);
  stops = json_object_get_array_member (json_node_get_object (list), "stops");
  g_assert_cmpuint (json_array_get_length (stops), ==, n_truth);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (list), "total"), ==, n_truth);
  /* every stop got a suggested cause from the built-in model when it opened;
   * on the simulated line they match the ground truth */
  {
    GPtrArray *truths = bw_simulator_get_truth (sim);
    guint right = 0;

    for (guint i = 0; i < json_array_get_length (stops); i++)
      {
        JsonObject *so = json_array_get_object_element (stops, i);
        gint64 start;
        double pr = json_object_get_double_member (so, "suggested_probability");

        g_assert_nonnull (json_object_get_string_member (so, "suggested_cause"));
        g_assert_cmpfloat (pr, >, 0.2);
        g_assert_cmpfloat (pr, <=, 1.0);
        g_assert_true (bw_time_parse (json_object_get_string_member (so, "start"), -1, &start));
        for (guint k = 0; k < truths->len; k++)
          {
            BwSimTruth *t = truths->pdata[k];
            if (t->start_us == start && g_str_equal (t->conveyor, json_object_get_string_member (so, "conveyor")) &&
                g_str_equal (t->cause, json_object_get_string_member (so, "suggested_cause")))
              right++;
          }
      }
    g_test_message ("%u of %u suggestions right", right, n_truth);
    g_assert_cmpuint (right * 10, >=, n_truth * 9);
  }
  first_id = json_object_get_int_member (json_array_get_object_element (stops, 0), "id");
  alarm_id = json_object_get_int_member (json_array_get_object_element (stops, 0), "alarm_id");
  page = get (f, c, "/api/v1/stops?limit=5&offset=5&order=asc&conveyor=CV-101,CV-102,CV-103", 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (page), "stops")), ==, 5);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (
                     json_object_get_array_member (json_node_get_object (page), "stops"), 0), "id"), ==,
                   json_object_get_int_member (json_array_get_object_element (stops, 5), "id"));
  {
    g_autoptr(JsonNode) one = get (f, c, "/api/v1/stops?conveyor=CV-102&from=2026-11-27T08:10:00Z&to=2026-11-27T08:20:00Z", 200);
    JsonArray *a = json_object_get_array_member (json_node_get_object (one), "stops");
    for (guint i = 0; i < json_array_get_length (a); i++)
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (a, i), "conveyor"), ==, "CV-102");
  }

  /* one stop with its window: 60 s before and 30 s after at 10 Hz */
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/stops/%" G_GINT64_FORMAT "?window=1", first_id);
    g_autoptr(JsonNode) stop = get (f, c, path, 200);
    JsonObject *w = json_object_get_object_member (json_node_get_object (stop), "window");
    JsonArray *running = json_object_get_array_member (json_object_get_object_member (w, "tags"), "running");

    g_assert_cmpint (json_object_get_int_member (w, "n"), ==, 901);
    g_assert_cmpuint (json_array_get_length (running), ==, 901);
    g_assert_cmpfloat (json_array_get_double_element (running, 599), ==, 1.0);  /* just before */
    g_assert_cmpfloat (json_array_get_double_element (running, 600), ==, 0.0);  /* the stop */
  }

  /* classify, correct: the history keeps both */
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/stops/%" G_GINT64_FORMAT "/classify", first_id);
    g_autofree char *get_path = g_strdup_printf ("/api/v1/stops/%" G_GINT64_FORMAT, first_id);
    g_autoptr(JsonNode) r1 = post (f, c, path, "{\"cause\":\"md_false_trip\",\"comment\":\"Ничего не найдено\",\"operator\":\"Иванов\"}", 200);
    g_autoptr(JsonNode) r2 = post (f, c, path, "{\"cause\":\"foreign_object\",\"comment\":\"Болт М24 на ленте\",\"operator\":\"Петров\"}", 200);
    g_autoptr(JsonNode) bad = post (f, c, path, "{\"cause\":\"nonsense\",\"operator\":\"x\"}", 400);
    g_autoptr(JsonNode) noop = post (f, c, path, "{\"cause\":\"failure\"}", 400);
    g_autoptr(JsonNode) notjson = post (f, c, path, "{{{", 400);
    g_autoptr(JsonNode) after = get (f, c, get_path, 200);
    JsonObject *o = json_node_get_object (after);
    JsonArray *hist = json_object_get_array_member (o, "classifications");

    g_assert_cmpstr (json_object_get_string_member (o, "cause"), ==, "foreign_object");
    g_assert_cmpstr (json_object_get_string_member (o, "classified_by"), ==, "Петров");
    g_assert_cmpuint (json_array_get_length (hist), ==, 2);
    g_assert_true (json_object_get_null_member (json_array_get_object_element (hist, 0), "old_cause"));
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (hist, 1), "old_cause"), ==, "md_false_trip");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (hist, 1), "new_comment"), ==, "Болт М24 на ленте");
    g_assert_nonnull (json_object_get_object_member (json_node_get_object (bad), "error"));
  }

  /* acknowledge: the stop has ended, so the alarm clears; twice is a conflict */
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/alarms/%" G_GINT64_FORMAT "/acknowledge", alarm_id);
    g_autoptr(JsonNode) ack = post (f, c, path, "{\"operator\":\"Иванов\"}", 200);
    g_autoptr(JsonNode) again = post (f, c, path, "{\"operator\":\"Иванов\"}", 409);
    g_autoptr(JsonNode) none = post (f, c, "/api/v1/alarms/999999/acknowledge", "{\"operator\":\"x\"}", 404);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (ack), "state"), ==, "normal");
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (ack), "acknowledged_by"), ==, "Иванов");
  }

  /* conveyors and decimated signals (from the per-second history: the ring
   * holds the recording too) */
  conv = get (f, c, "/api/v1/conveyors", 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (conv), "conveyors")), ==, 3);
  sig = get (f, c, "/api/v1/signals?conveyor=CV-101&tags=motor_current,md_signal&from=2026-11-27T08:00:00Z&to=2026-11-27T08:40:00Z&points=240", 200);
  {
    JsonArray *series = json_object_get_array_member (json_node_get_object (sig), "series");
    g_assert_cmpuint (json_array_get_length (series), ==, 2);
    for (guint s = 0; s < 2; s++)
      {
        JsonObject *so = json_array_get_object_element (series, s);
        JsonArray *mn = json_object_get_array_member (so, "min"), *mx = json_object_get_array_member (so, "max");
        guint filled = 0;
        g_assert_cmpuint (json_array_get_length (mn), ==, 240);
        for (guint k = 0; k < 240; k++)
          if (!JSON_NODE_HOLDS_NULL (json_array_get_element (mn, k)))
            {
              g_assert_cmpfloat (json_array_get_double_element (mn, k), <=, json_array_get_double_element (mx, k));
              filled++;
            }
        g_assert_cmpuint (filled, >=, 235);
      }
  }
  {
    g_autoptr(JsonNode) e1 = get (f, c, "/api/v1/signals?conveyor=NOPE", 404);
    g_autoptr(JsonNode) e2 = get (f, c, "/api/v1/signals?conveyor=CV-101&tags=bogus", 404);
    g_autoptr(JsonNode) e3 = get (f, c, "/api/v1/signals?conveyor=CV-101&from=yesterday", 400);
    g_autoptr(JsonNode) e4 = get (f, c, "/api/v1/stops/abc", 404);
    g_autoptr(JsonNode) e5 = get (f, c, "/api/v1/stops/123456", 404);
    g_autoptr(JsonNode) e6 = get (f, c, "/api/v1/stops?limit=-3", 400);
    g_autoptr(JsonNode) e7 = get (f, c, "/nothing/here", 404);
    g_autoptr(JsonNode) e8 = post (f, c, "/api/v1/stops", "{}", 405);
    g_assert_nonnull (json_object_get_object_member (json_node_get_object (e3), "error"));
  }

  /* the event log */
  evs = get (f, c, "/api/v1/events?after=0&limit=10000", 200);
  {
    JsonArray *a = json_object_get_array_member (json_node_get_object (evs), "events");
    guint started = 0;
    gint64 prev = 0;
    for (guint i = 0; i < json_array_get_length (a); i++)
      {
        JsonObject *e = json_array_get_object_element (a, i);
        g_assert_cmpint (json_object_get_int_member (e, "seq"), >, prev);
        prev = json_object_get_int_member (e, "seq");
        if (g_str_equal (json_object_get_string_member (e, "type"), "stop.started"))
          started++;
      }
    g_assert_cmpuint (started, ==, n_truth);
  }

  /* metrics count the bad lines */
  {
    g_autofree char *url = g_strconcat (f->base, "/metrics", NULL);
    guint status;
    g_autofree char *text = bw_test_http_text (c, url, &status);

    g_assert_cmpuint (status, ==, 200);
    g_assert_nonnull (strstr (text, "beltwatch_bad_samples_total{reason=\"not_json\"} 1\n"));
    g_assert_nonnull (strstr (text, "beltwatch_bad_samples_total{reason=\"missing_field\"} 1\n"));
    g_assert_nonnull (strstr (text, "beltwatch_samples_total 864000\n"));
  }
}

/* ---- live events, a client away during a stop, a server restart ---- */

typedef struct
{
  BwMonitor   *monitor;
  BwSimulator *sim;
} Feed;

static void
feed_cb (guint   conveyor,
         BwTag   tag,
         gint64  t,
         double  v,
         gpointer data)
{
  Feed *feed = data;
  g_autofree char *item = g_strconcat (bw_simulator_get_conveyor_id (feed->sim, conveyor), ".", bw_tag_name (tag), NULL);

  bw_monitor_ingest_item (feed->monitor, item, strlen (item), t, v);
}

static void
run_sim (BwMonitor   *monitor,
         BwSimulator *sim,
         gint64       seconds)
{
  Feed feed = { monitor, sim };
  gint64 end = bw_simulator_get_time (sim) + seconds * BW_USEC_PER_SEC;

  bw_monitor_set_check_future (monitor, FALSE);
  while (bw_simulator_get_time (sim) < end)
    {
      bw_monitor_begin_batch (monitor);
      bw_simulator_step (sim, feed_cb, &feed);
      if ((bw_simulator_get_time (sim) / BW_SIM_TICK_US) % 5 == 0)
        bw_monitor_flush (monitor, NULL);
    }
  bw_monitor_flush (monitor, NULL);
}

typedef struct
{
  BwTestClient *c;
  const char   *type;
  guint         n;
} WaitType;

static gboolean
has_n_of_type (gpointer data)
{
  WaitType *w = data;
  return bw_test_count_type (w->c, w->type) >= w->n;
}

static void
test_stream_resume (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(BwTestClient) c = bw_test_client_new ();
  g_autoptr(BwSimulator) sim = NULL;
  g_autofree char *ws_url = NULL;
  BwSimParams p;
  gint64 last_seq = 0;
  WaitType w;
  guint before;

  bw_sim_params_init (&p);
  p.n_conveyors = 1;
  p.seed = 11;
  p.start_us = T0;
  p.stop_interval_us = 100 * BW_USEC_PER_HOUR;  /* only the stops we force */
  p.duration_scale = 0.02;
  sim = bw_simulator_new (&p);

  start_service (f, NULL, FALSE);
  ws_url = g_strdup_printf ("%s/api/v1/stream?after=0&samples=0", f->base);
  memcpy (ws_url, "ws", 2);
  memmove (ws_url + 2, ws_url + 4, strlen (ws_url + 4) + 1);
  g_assert_true (bw_test_ws_connect (c, ws_url));

  /* a stop while connected: stop.started and alarm.raised arrive live */
  run_sim (bwd_service_get_monitor (f->service), sim, 20);
  bw_simulator_force (sim, 0, BW_SCENARIO_PULLCORD);
  run_sim (bwd_service_get_monitor (f->service), sim, 30);
  w = (WaitType) { c, "stop.started", 1 };
  g_assert_true (bw_test_wait (has_n_of_type, &w, 5000));
  w = (WaitType) { c, "alarm.raised", 1 };
  g_assert_true (bw_test_wait (has_n_of_type, &w, 5000));
  {
    JsonObject *e = NULL;
    for (guint i = 0; i < c->messages->len; i++)
      if (g_str_equal (json_object_get_string_member (c->messages->pdata[i], "type"), "stop.started"))
        e = c->messages->pdata[i];
    g_assert_cmpstr (json_object_get_string_member (e, "trigger"), ==, "pullcord");
    g_assert_cmpstr (json_object_get_string_member (e, "conveyor"), ==, "CV-101");
  }
  bw_test_iterate_for (200);
  for (guint i = 0; i < c->messages->len; i++)
    last_seq = MAX (last_seq, json_object_get_int_member (c->messages->pdata[i], "seq"));

  /* the client goes away; meanwhile a second stop, and the server restarts */
  bw_test_ws_close (c);
  before = c->messages->len;
  run_sim (bwd_service_get_monitor (f->service), sim, 60);
  bw_simulator_force (sim, 0, BW_SCENARIO_OVERLOAD);
  run_sim (bwd_service_get_monitor (f->service), sim, 200);
  stop_service (f);
  start_service (f, NULL, FALSE);

  /* the client comes back asking for what it missed */
  g_free (ws_url);
  ws_url = g_strdup_printf ("%s/api/v1/stream?after=%" G_GINT64_FORMAT "&samples=0", f->base, last_seq);
  memcpy (ws_url, "ws", 2);
  memmove (ws_url + 2, ws_url + 4, strlen (ws_url + 4) + 1);
  g_assert_true (bw_test_ws_connect (c, ws_url));
  w = (WaitType) { c, "stop.started", 2 };
  g_assert_true (bw_test_wait (has_n_of_type, &w, 5000));
  bw_test_iterate_for (200);

  /* exactly the stored events after last_seq, in order, none twice */
  {
    g_autoptr(JsonNode) log = get (f, c, "/api/v1/events?after=0&limit=10000", 200);
    JsonArray *all = json_object_get_array_member (json_node_get_object (log), "events");
    guint expected = 0;
    gint64 prev = last_seq;

    for (guint i = 0; i < json_array_get_length (all); i++)
      if (json_object_get_int_member (json_array_get_object_element (all, i), "seq") > last_seq)
        expected++;
    g_assert_cmpuint (c->messages->len - before, ==, expected);
    for (guint i = before; i < c->messages->len; i++)
      {
        gint64 seq = json_object_get_int_member (c->messages->pdata[i], "seq");
        g_assert_cmpint (seq, >, prev);
        prev = seq;
      }
    g_assert_cmpstr (json_object_get_string_member (c->messages->pdata[before], "type"), !=, NULL);
  }
  /* the overload stop is among them */
  {
    gboolean found = FALSE;
    for (guint i = before; i < c->messages->len; i++)
      if (g_str_equal (json_object_get_string_member (c->messages->pdata[i], "type"), "stop.started") &&
          g_str_equal (json_object_get_string_member (c->messages->pdata[i], "trigger"), "overload"))
        found = TRUE;
    g_assert_true (found);
  }

  /* acknowledging from one client reaches the others */
  {
    g_autoptr(BwTestClient) other = bw_test_client_new ();
    g_autoptr(JsonNode) alarms = get (f, c, "/api/v1/alarms?state=active", 200);
    JsonArray *a = json_object_get_array_member (json_node_get_object (alarms), "alarms");
    g_autofree char *path = NULL;
    g_autoptr(JsonNode) ack = NULL;

    g_assert_cmpuint (json_array_get_length (a), >=, 1);
    g_assert_true (bw_test_ws_connect (other, ws_url));
    bw_test_iterate_for (100);
    path = g_strdup_printf ("/api/v1/alarms/%" G_GINT64_FORMAT "/acknowledge",
                            json_object_get_int_member (json_array_get_object_element (a, 0), "id"));
    ack = post (f, c, path, "{\"operator\":\"Сидоров\"}", 200);
    w = (WaitType) { other, "alarm.acknowledged", 1 };
    g_assert_true (bw_test_wait (has_n_of_type, &w, 5000));
  }
}

static void
test_live_samples_and_state (Fixture       *f,
                             gconstpointer  data)
{
  /* the in-process simulator on the wall clock: samples events flow and the
   * conveyors are shown running */
  g_autoptr(BwTestClient) c = bw_test_client_new ();
  g_autofree char *ws_url = NULL;
  g_autoptr(JsonNode) conv = NULL;
  WaitType w;

  start_service (f, "[source]\ntype=simulator\n[simulator]\nconveyors=2\n", FALSE);
  ws_url = g_strdup_printf ("ws%s/api/v1/stream", f->base + 4);
  g_assert_true (bw_test_ws_connect (c, ws_url));
  w = (WaitType) { c, "samples", 4 };
  g_assert_true (bw_test_wait (has_n_of_type, &w, 5000));
  conv = get (f, c, "/api/v1/conveyors", 200);
  {
    JsonArray *a = json_object_get_array_member (json_node_get_object (conv), "conveyors");
    g_assert_cmpuint (json_array_get_length (a), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (a, 0), "state"), ==, "running");
  }
  {
    JsonObject *s = NULL;
    for (guint i = 0; i < c->messages->len && !s; i++)
      if (g_str_equal (json_object_get_string_member (c->messages->pdata[i], "type"), "samples"))
        s = c->messages->pdata[i];
    g_assert_true (json_object_has_member (json_object_get_object_member (s, "tags"), "belt_speed"));
  }
}

static void
test_anomaly_live (Fixture       *f,
                   gconstpointer  data)
{
  /* CV-101 of the built-in line with the detector model that ships for it */
  g_autofree char *model = g_build_filename (g_getenv ("BW_SOURCE_ROOT"), "data", "models", "anomaly-CV-101.json", NULL);
  g_autofree char *extra = g_strdup_printf ("[source]\ntype=none\n[conveyor CV-101]\nname=One\ndetector-model=%s\n", model);
  g_autoptr(BwTestClient) c = bw_test_client_new ();
  g_autofree char *ws_url = NULL;
  g_autoptr(BwSimulator) sim = NULL;
  BwSimParams p;
  guint flagged_first = 0, overloads = 0;

  start_service (f, extra, FALSE);
  ws_url = g_strdup_printf ("ws%s/api/v1/stream?after=0&samples=0", f->base + 4);
  g_assert_true (bw_test_ws_connect (c, ws_url));

  /* normal running — the feed rate moved by the operators, planned stops — raises nothing */
  bw_sim_params_init (&p);
  p.n_conveyors = 1;
  p.seed = 1;
  p.start_us = T0;
  p.stop_interval_us = 4 * BW_USEC_PER_MIN;
  p.duration_scale = 0.05;
  p.stop_interval_us = 10 * BW_USEC_PER_MIN;
  p.weights[BW_SCENARIO_PLANNED] = 1;
  sim = bw_simulator_new (&p);
  run_sim (bwd_service_get_monitor (f->service), sim, 60 * 60);
  bw_test_iterate_for (300);
  g_assert_cmpuint (bw_test_count_type (c, "stop.started"), >=, 3);
  g_assert_cmpuint (bw_test_count_type (c, "anomaly"), ==, 0);

  /* overloads: current rises first; the anomaly comes before the trip */
  g_clear_pointer (&sim, bw_simulator_free);
  p.start_us = T0 + BW_USEC_PER_HOUR;
  p.weights[BW_SCENARIO_PLANNED] = 0;
  p.stop_interval_us = 4 * BW_USEC_PER_MIN;
  p.weights[BW_SCENARIO_OVERLOAD] = 1;
  sim = bw_simulator_new (&p);
  g_ptr_array_set_size (c->messages, 0);
  run_sim (bwd_service_get_monitor (f->service), sim, 40 * 60);
  bw_test_iterate_for (300);
  {
    gboolean anomaly_open = FALSE;

    for (guint i = 0; i < c->messages->len; i++)
      {
        JsonObject *e = c->messages->pdata[i];
        const char *type = json_object_get_string_member (e, "type");

        if (g_str_equal (type, "anomaly") && json_object_get_boolean_member (e, "active"))
          {
            JsonObject *alarm = json_object_get_object_member (e, "alarm");
            g_assert_cmpstr (json_object_get_string_member (alarm, "kind"), ==, "anomaly");
            g_assert_cmpint (json_object_get_int_member (alarm, "priority"), ==, 2);
            g_assert_cmpfloat (json_object_get_double_member (e, "score"), >, json_object_get_double_member (e, "threshold"));
            anomaly_open = TRUE;
          }
        else if (g_str_equal (type, "stop.started"))
          {
            g_assert_cmpstr (json_object_get_string_member (e, "trigger"), ==, "overload");
            overloads++;
            flagged_first += anomaly_open;
            anomaly_open = FALSE;
          }
      }
  }
  g_test_message ("%u of %u overloads flagged before the trip", flagged_first, overloads);
  g_assert_cmpuint (overloads, >=, 4);
  g_assert_cmpuint (flagged_first, ==, overloads);
}

static void
test_anomaly_from_ledger (Fixture       *f,
                          gconstpointer  data)
{
  /* a model fitted on the ledger's per-second history of normal running
   * (beltwatch-ml fit --db) works live on one-second rows */
  g_autofree char *model_path = g_build_filename (f->dir, "from-ledger.json", NULL);
  g_autofree char *extra = NULL;
  g_autoptr(BwTestClient) c = bw_test_client_new ();
  g_autoptr(BwSimulator) sim = NULL;
  g_autofree char *ws_url = NULL;
  BwSimParams p;
  guint overloads = 0, flagged_first = 0;
  gboolean anomaly_open = FALSE;

  /* three hours of normal running go into the ledger */
  start_service (f, "[source]\ntype=none\n[conveyor CV-101]\nname=One\ndetector-model=none\n", FALSE);
  bw_sim_params_init (&p);
  p.n_conveyors = 1;
  p.seed = 1;
  p.start_us = T0 - 4 * BW_USEC_PER_HOUR;
  p.stop_interval_us = 30 * BW_USEC_PER_MIN;
  p.duration_scale = 0.1;
  p.weights[BW_SCENARIO_PLANNED] = 1;
  sim = bw_simulator_new (&p);
  run_sim (bwd_service_get_monitor (f->service), sim, 3 * 3600);
  stop_service (f);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(BwLedger) ledger = bw_ledger_open_sqlite_readonly (f->db, &error);
    g_autoptr(BwTrainingData) rows = bw_training_data_from_ledger (ledger, "CV-101", T0 - 4 * BW_USEC_PER_HOUR,
                                                                   T0, NULL, &error);
    g_autoptr(BwAnomalyModel) model = bw_anomaly_model_new_for_algorithm ("conveyor", &error);

    g_assert_no_error (error);
    g_test_message ("%u one-second rows (%" G_GUINT64_FORMAT " stopped, %" G_GUINT64_FORMAT " starting up)",
                    rows->n_rows, rows->rows_stopped, rows->rows_startup);
    g_assert_cmpuint (rows->n_rows, >, 8000);
    g_assert_cmpuint (rows->rows_stopped, >, 0);
    g_assert_true (bw_anomaly_model_set_features (model, (const char * const *) rows->names, &error));
    g_assert_true (bw_anomaly_model_fit (model, rows->x, &error));
    bw_anomaly_model_set_period_us (model, G_USEC_PER_SEC);
    g_assert_true (bw_anomaly_model_save (model, model_path, &error));
  }
  g_unlink (f->db);

  extra = g_strdup_printf ("[source]\ntype=none\n[conveyor CV-101]\nname=One\ndetector-model=%s\n", model_path);
  start_service (f, extra, FALSE);
  ws_url = g_strdup_printf ("ws%s/api/v1/stream?after=0&samples=0", f->base + 4);
  g_assert_true (bw_test_ws_connect (c, ws_url));
  g_clear_pointer (&sim, bw_simulator_free);
  p.start_us = T0;
  p.stop_interval_us = 4 * BW_USEC_PER_MIN;
  p.duration_scale = 0.05;
  p.weights[BW_SCENARIO_PLANNED] = 0;
  p.weights[BW_SCENARIO_OVERLOAD] = 1;
  sim = bw_simulator_new (&p);
  run_sim (bwd_service_get_monitor (f->service), sim, 30 * 60);
  bw_test_iterate_for (300);
  for (guint i = 0; i < c->messages->len; i++)
    {
      JsonObject *e = c->messages->pdata[i];
      const char *type = json_object_get_string_member (e, "type");

      if (g_str_equal (type, "anomaly") && json_object_get_boolean_member (e, "active"))
        anomaly_open = TRUE;
      else if (g_str_equal (type, "stop.started"))
        {
          overloads++;
          flagged_first += anomaly_open;
          anomaly_open = FALSE;
        }
    }
  g_test_message ("%u of %u overloads flagged before the trip", flagged_first, overloads);
  g_assert_cmpuint (overloads, >=, 3);
  g_assert_cmpuint (flagged_first, ==, overloads);
  g_unlink (model_path);
}

static void
test_md_sensitivity (Fixture       *f,
                     gconstpointer  data)
{
  /* metal-detector trips classified by the operators give a recommendation
   * per conveyor through the API */
  g_autoptr(BwTestClient) c = bw_test_client_new ();
  g_autoptr(BwSimulator) sim = NULL;
  g_autoptr(JsonNode) list = NULL, rec = NULL, bad = NULL;
  BwSimParams p;
  JsonArray *stops;
  guint n_false = 0, n_obj = 0;

  start_service (f, NULL, FALSE);
  bw_sim_params_init (&p);
  p.n_conveyors = 1;
  p.seed = 4;
  p.start_us = T0 - 6 * BW_USEC_PER_HOUR;
  p.stop_interval_us = 3 * BW_USEC_PER_MIN;
  p.duration_scale = 0.02;
  p.weights[BW_SCENARIO_MD_FALSE_EMI] = 1;
  p.weights[BW_SCENARIO_MD_FALSE_PRODUCT] = 1;
  p.weights[BW_SCENARIO_FOREIGN_OBJECT] = 1;
  sim = bw_simulator_new (&p);
  run_sim (bwd_service_get_monitor (f->service), sim, 5 * 3600);

  list = get (f, c, "/api/v1/stops?limit=1000&order=asc", 200);
  stops = json_object_get_array_member (json_node_get_object (list), "stops");
  for (guint i = 0; i < json_array_get_length (stops); i++)
    {
      JsonObject *so = json_array_get_object_element (stops, i);
      GPtrArray *truths = bw_simulator_get_truth (sim);
      gint64 start;

      g_assert_true (bw_time_parse (json_object_get_string_member (so, "start"), -1, &start));
      for (guint k = 0; k < truths->len; k++)
        {
          BwSimTruth *t = truths->pdata[k];
          g_autofree char *path = NULL, *body = NULL;
          g_autoptr(JsonNode) r = NULL;

          if (t->start_us != start || i % 7 == 6)   /* a few stay unclassified */
            continue;
          path = g_strdup_printf ("/api/v1/stops/%" G_GINT64_FORMAT "/classify", json_object_get_int_member (so, "id"));
          body = g_strdup_printf ("{\"cause\":\"%s\",\"operator\":\"Иванов\"}", t->cause);
          r = post (f, c, path, body, 200);
          if (g_str_equal (t->cause, "foreign_object"))
            n_obj++;
          else
            n_false++;
        }
    }
  g_assert_cmpuint (n_obj, >=, 10);

  rec = get (f, c, "/api/v1/md-sensitivity?from=2026-11-27T00:00:00Z&to=2026-11-27T08:00:00Z", 200);
  {
    JsonArray *a = json_object_get_array_member (json_node_get_object (rec), "conveyors");
    JsonObject *r, *hist;

    g_assert_cmpuint (json_array_get_length (a), ==, 1);
    r = json_array_get_object_element (a, 0);
    g_assert_cmpstr (json_object_get_string_member (r, "conveyor"), ==, "CV-101");
    hist = json_object_get_object_member (r, "history");
    g_assert_cmpint (json_object_get_int_member (hist, "trips"), ==, n_obj + n_false);
    g_assert_cmpint (json_object_get_int_member (hist, "objects_found"), ==, n_obj);
    g_assert_cmpint (json_object_get_int_member (hist, "false_trips"), ==, n_false);
    g_assert_nonnull (strstr (json_object_get_string_member (r, "note"), "not yet classified"));
  }
  bad = get (f, c, "/api/v1/md-sensitivity?target=2", 400);
}

static void
test_auth (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(BwTestClient) c = bw_test_client_new ();
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "секрет", -1);
  g_autofree char *extra = g_strdup_printf ("[source]\ntype=none\n[users]\nivanov=sha256:%s\n", hash);
  g_autofree char *url = NULL, *authed = NULL;
  guint status;
  g_autoptr(JsonNode) a = NULL, b = NULL, h = NULL;

  start_service (f, extra, FALSE);
  url = g_strconcat (f->base, "/api/v1/stops", NULL);
  a = bw_test_http (c, "GET", url, NULL, &status);
  g_assert_cmpuint (status, ==, 401);
  authed = g_strdup_printf ("http://ivanov:%%D1%%81%%D0%%B5%%D0%%BA%%D1%%80%%D0%%B5%%D1%%82@%s/api/v1/stops", f->base + 7);
  b = bw_test_http (c, "GET", authed, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  h = get (f, c, "/api/v1/health", 200);  /* health stays open for monitoring */
}

int
main (int   argc,
      char *argv[])
{
  /* no GSettings look-up for proxies: the tests run with isolated dirs */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* rejected input is logged as a warning by design; the tests check the counters */
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL);
  g_test_add ("/api/replay-and-query", Fixture, NULL, fixture_setup, test_replay_and_query, fixture_teardown);
  g_test_add ("/api/stream-resume", Fixture, NULL, fixture_setup, test_stream_resume, fixture_teardown);
  g_test_add ("/api/live-samples", Fixture, NULL, fixture_setup, test_live_samples_and_state, fixture_teardown);
  g_test_add ("/api/anomaly-live", Fixture, NULL, fixture_setup, test_anomaly_live, fixture_teardown);
  g_test_add ("/api/anomaly-from-ledger", Fixture, NULL, fixture_setup, test_anomaly_from_ledger, fixture_teardown);
  g_test_add ("/api/md-sensitivity", Fixture, NULL, fixture_setup, test_md_sensitivity, fixture_teardown);
  g_test_add ("/api/auth", Fixture, NULL, fixture_setup, test_auth, fixture_teardown);
  return g_test_run ();
}
