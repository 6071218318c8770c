/* test-app-reconnect.c: the service dies mid-run and comes back
 *
 * The app is connected to a beltwatchd replaying the line in real time and
 * has seen a first stop. The service is killed (SIGKILL): the app must say
 * so, show every conveyor as "no data" — never a stale "running" — and keep
 * trying. Meanwhile a second stop happens (another beltwatchd, which no
 * client can reach, processes that stretch of the line into the same
 * ledger). When the service is back, the app reconnects by itself, resumes
 * the event stream after the last seq it saw, and the second stop still
 * alarms: notification (dunst), horn, alarm list. The wall display goes
 * offline and comes back with it.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-app-reconnect"

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "bw-app-harness.h"
#include "bw-app-window.h"
#include "bw-overview-page.h"
#include "bw-conveyor-card.h"
#include "bw-wall-window.h"

#define SEC G_GINT64_CONSTANT (1000000)

typedef struct
{
  BwHarness *h;
  BwContext *context;
  BwLine    *line;
  BwClient  *client;
  BwTruthStop *stop;
  gint64     alarm_id;
  guint      sent;
} Run;

static gboolean
connected (gpointer data)
{
  Run *r = data;

  return bw_client_is_connected (r->client) &&
         g_list_model_get_n_items (bw_line_get_conveyors (r->line)) == 3;
}

static gboolean
lost (gpointer data)
{
  Run *r = data;

  return bw_client_get_state (r->client) == BW_CONNECTION_WAITING;
}

static gboolean
reconnected (gpointer data)
{
  Run *r = data;

  return bw_client_is_connected (r->client) && bw_client_get_n_connects (r->client) >= 2;
}

static gboolean
none_running (gpointer data)
{
  Run *r = data;
  GListModel *conveyors = bw_line_get_conveyors (r->line);

  for (guint i = 0; i < g_list_model_get_n_items (conveyors); i++)
    {
      g_autoptr(BwLiveConveyor) c = g_list_model_get_item (conveyors, i);
      if (bw_live_conveyor_get_state (c) != BW_LIVE_UNKNOWN)
        return FALSE;
    }
  return TRUE;
}

/* the alarm of r->stop is announced: in the list, notified, horn asked for */
static gboolean
stop_announced (gpointer data)
{
  Run *r = data;
  GListModel *alarms = bw_line_get_alarms (r->line);
  BwAnnunciator *ann = bw_context_get_annunciator (r->context);

  for (guint i = 0; i < g_list_model_get_n_items (alarms); i++)
    {
      g_autoptr(BwAlarm) a = g_list_model_get_item (alarms, i);
      BwStop *s = a->stop_id ? bw_line_find_stop (r->line, a->stop_id) : NULL;

      if (s && g_strcmp0 (s->conveyor, r->stop->conveyor) == 0 &&
          llabs (s->start_us - r->stop->start_us) < 3 * SEC && bw_annunciator_was_announced (ann, a->id))
        {
          r->alarm_id = a->id;
          return bw_notifier_get_n_sent (bw_context_get_notifier (r->context)) > r->sent;
        }
    }
  return FALSE;
}

static gboolean
source_finished (gpointer data)
{
  Run *r = data;
  g_autoptr(JsonNode) health = bw_harness_get (r->h, "/api/v1/health");

  bw_harness_iterate (100);
  return json_object_get_boolean_member (json_node_get_object (health), "source_finished");
}

static gboolean
horn_done (gpointer data)
{
  Run *r = data;

  return bw_alarm_sound_get_n_finished (bw_context_get_sound (r->context)) >= 1;
}

static gboolean
wall_offline (gpointer data)
{
  return bw_wall_window_is_offline (data);
}

static gboolean
wall_online (gpointer data)
{
  return !bw_wall_window_is_offline (data);
}

static void
test_reconnect (void)
{
  g_autoptr(BwHarness) h = NULL;
  g_autoptr(GPtrArray) truth = NULL;
  g_autofree char *full = NULL, *part_a = NULL, *part_b = NULL;
  const char *sim_args[] = { "-n", "3", "--seed", "5", "-d", "240s", "--stop-interval", "30s",
                             "--duration-scale", "0.08", "--scenario", "foreign_object", NULL };
  BwTruthStop *s1 = NULL, *s2 = NULL;
  Run r = { 0 };
  BwAppWindow *window;
  BwWallWindow *wall;
  gint64 seq_before;
  guint episodes;

  if (!bw_harness_can_run ())
    {
      g_test_skip ("needs a display, dunst, sox and dbus-daemon");
      return;
    }
  h = r.h = bw_harness_new ("reconnect");
  full = g_build_filename (h->dir, "line.jsonl", NULL);
  part_a = g_build_filename (h->dir, "part-a.jsonl", NULL);
  part_b = g_build_filename (h->dir, "part-b.jsonl", NULL);
  truth = bw_harness_simulate (h, full, sim_args);
  /* two stops at least 12 s apart */
  g_assert_cmpuint (truth->len, >=, 2);
  s1 = truth->pdata[0];
  for (guint i = 1; i < truth->len && s2 == NULL; i++)
    if (((BwTruthStop *) truth->pdata[i])->start_us - s1->start_us >= 12 * SEC)
      s2 = truth->pdata[i];
  g_assert_nonnull (s2);
  g_test_message ("stops: %s at +0 s, %s at +%.1f s", s1->conveyor, s2->conveyor,
                  (s2->start_us - s1->start_us) / 1e6);
  bw_harness_cut (h, full, part_a, s1->start_us - 8 * SEC, s1->start_us + 4 * SEC);
  bw_harness_cut (h, full, part_b, s1->start_us + 4 * SEC, s2->start_us + 10 * SEC);

  bw_harness_start_dunst (h);
  bw_harness_start_daemon (h, part_a, 1.0, 0);
  bw_harness_start_app (h);
  r.context = bw_application_get_context (h->app);
  r.line = bw_context_get_line (r.context);
  r.client = bw_context_get_client (r.context);
  window = BW_APP_WINDOW (bw_application_get_main_window (h->app));
  g_assert_true (bw_harness_wait (connected, &r, 15000));
  g_action_group_activate_action (G_ACTION_GROUP (h->app), "wall-display", NULL);
  wall = BW_WALL_WINDOW (bw_application_get_wall_window (h->app));
  g_assert_nonnull (wall);
  g_assert_true (bw_harness_wait (wall_online, wall, 5000));

  /* the first stop, live */
  r.stop = s1;
  g_assert_true (bw_harness_wait (stop_announced, &r, 20000));
  r.sent = bw_notifier_get_n_sent (bw_context_get_notifier (r.context));
  g_assert_true (bw_harness_wait (source_finished, &r, 15000));
  bw_harness_iterate (500);

  /* the app itself freezes for longer than the watchdog's 20 s (a stopped
   * process, a suspended machine): the server was there all along, so the
   * app goes on with the same connection when it wakes */
  {
    guint connects = bw_client_get_n_connects (r.client);

    g_usleep (22 * G_USEC_PER_SEC);
    bw_harness_iterate (3000);
    g_assert_true (bw_client_is_connected (r.client));
    g_assert_cmpuint (bw_client_get_n_connects (r.client), ==, connects);
  }
  seq_before = bw_client_get_last_seq (r.client);
  g_assert_cmpint (seq_before, >, 0);
  bw_annunciator_silence (bw_context_get_annunciator (r.context));
  g_assert_true (bw_harness_wait (horn_done, &r, 5000));
  episodes = bw_alarm_sound_get_n_finished (bw_context_get_sound (r.context));

  /* the service dies */
  bw_harness_kill_daemon (h);
  g_assert_true (bw_harness_wait (lost, &r, 10000));
  g_assert_true (bw_harness_wait (none_running, &r, 10000));
  {
    BwOverviewPage *page = BW_OVERVIEW_PAGE (bw_app_window_get_page (window, "overview"));
    BwConveyorCard *card = BW_CONVEYOR_CARD (bw_overview_page_get_card (page, s1->conveyor));
    g_autofree char *header = bw_app_window_dup_connection_text (window);

    g_assert_cmpstr (bw_conveyor_card_get_state_text (card), ==, C_("conveyor state", "No data"));
    g_assert_cmpstr (header, ==, _("No connection"));
  }
  g_assert_true (bw_harness_wait (wall_offline, wall, 5000));
  bw_harness_save_png (h, gtk_window_get_child (GTK_WINDOW (wall)), "wall-offline.png");

  /* meanwhile, the second stop happens */
  bw_harness_run_to_end (h, part_b);

  /* the service is back: the app comes back by itself */
  bw_harness_start_daemon (h, NULL, 0, 0);
  g_assert_true (bw_harness_wait (reconnected, &r, 20000));
  g_assert_cmpint (bw_client_get_resumed_after (r.client), ==, seq_before);

  /* and the stop that happened in between still alarms */
  r.stop = s2;
  g_assert_true (bw_harness_wait (stop_announced, &r, 15000));
  g_assert_true (bw_alarm_sound_is_playing (bw_context_get_sound (r.context)));
  g_assert_cmpuint (bw_alarm_sound_get_n_finished (bw_context_get_sound (r.context)), ==, episodes);
  g_assert_cmpint (bw_client_get_last_seq (r.client), >, seq_before);
  {
    BwAlarm *a = bw_line_find_alarm (r.line, r.alarm_id);
    g_assert_nonnull (a);
    g_assert_true (bw_alarm_needs_ack (a));
  }
  {
    g_autofree char *history = NULL;
    g_autofree char *summary = g_strdup_printf (_("Conveyor %s stopped"), s2->conveyor);

    bw_harness_iterate (300);
    history = bw_harness_dunst_history (h);
    g_assert_nonnull (history);
    g_assert_nonnull (strstr (history, summary));
  }
  /* the new service has no samples: nothing is shown as running */
  {
    GListModel *conveyors = bw_line_get_conveyors (r.line);
    for (guint i = 0; i < g_list_model_get_n_items (conveyors); i++)
      {
        g_autoptr(BwLiveConveyor) c = g_list_model_get_item (conveyors, i);
        g_test_message ("%s: state %d (server %d)", bw_live_conveyor_get_id (c), bw_live_conveyor_get_state (c),
                        bw_live_conveyor_get_server_state (c));
        g_assert_cmpint (bw_live_conveyor_get_state (c), !=, BW_LIVE_RUNNING);
      }
  }
  g_assert_true (bw_harness_wait (wall_online, wall, 5000));
}

int
main (int   argc,
      char *argv[])
{
  bw_harness_init_russian ();

  /* not G_TEST_OPTION_ISOLATE_DIRS: GTK needs the system's MIME database
   * to load icons; the harness points the user's directories elsewhere */
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/reconnect/resume", test_reconnect);
  return g_test_run ();
}
