/* test-app-alarm.c: a stop from the line to the control room and back
 *
 * A real beltwatchd replays the simulated line in real time; the ground
 * truth says when its first stop comes. The app (the same code as the
 * `beltwatch` binary, in-process) must show the conveyors, and on the stop:
 * send a notification that reaches a real notification daemon (dunst),
 * sound the horn (test mode: a WAV file, checked for its length and pitch),
 * list the alarm and show the banner. Acknowledging — through the
 * notification's action — and classifying go to the server, whose ledger
 * must then hold them, a correction keeping the history. The screenshots
 * of the overview, the classification view, the alarm list, the journal
 * and the wall display are saved in tests/app/artifacts.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-app-alarm"

#include "config.h"

#include <locale.h>
#include <math.h>

#include <glib/gi18n.h>

#include "bw-alarm-banner.h"
#include "bw-alarms-page.h"
#include "bw-app-harness.h"
#include "bw-app-window.h"
#include "bw-exporter.h"
#include "bw-journal-page.h"
#include "bw-overview-page.h"
#include "bw-stop-dialog.h"
#include "bw-wall-window.h"

#define SEC G_GINT64_CONSTANT (1000000)

typedef struct
{
  BwHarness     *h;
  BwContext     *context;
  BwLine        *line;
  BwAppWindow   *window;
  const char    *conveyor;
  gint64         stop_id;
  gint64         alarm_id;
  BwStopDialog  *dialog;
  guint          n;
  gboolean       export_done;
} Run;

static void
exported_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Run *r = data;
  g_autoptr(GError) error = NULL;

  g_assert_true (bw_exporter_write_finish (BW_EXPORTER (source), result, &error));
  g_assert_no_error (error);
  r->export_done = TRUE;
}

static gboolean
export_done (gpointer data)
{
  return ((Run *) data)->export_done;
}

static gboolean
connected_with_cards (gpointer data)
{
  Run *r = data;
  BwOverviewPage *page = BW_OVERVIEW_PAGE (bw_app_window_get_page (r->window, "overview"));

  return bw_client_is_connected (bw_context_get_client (r->context)) && bw_overview_page_get_n_cards (page) == 3;
}

static gboolean
all_running (gpointer data)
{
  Run *r = data;
  GListModel *conveyors = bw_line_get_conveyors (r->line);

  for (guint i = 0; i < g_list_model_get_n_items (conveyors); i++)
    {
      g_autoptr(BwLiveConveyor) c = g_list_model_get_item (conveyors, i);
      if (bw_live_conveyor_get_state (c) != BW_LIVE_RUNNING)
        return FALSE;
    }
  return g_list_model_get_n_items (conveyors) == 3;
}

static gboolean
stop_alarm_raised (gpointer data)
{
  Run *r = data;
  GListModel *alarms = bw_line_get_alarms (r->line);

  for (guint i = 0; i < g_list_model_get_n_items (alarms); i++)
    {
      g_autoptr(BwAlarm) a = g_list_model_get_item (alarms, i);
      if (g_strcmp0 (a->conveyor, r->conveyor) == 0 && a->stop_id)
        {
          r->alarm_id = a->id;
          r->stop_id = a->stop_id;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
notification_sent (gpointer data)
{
  Run *r = data;

  return bw_notifier_get_n_sent (bw_context_get_notifier (r->context)) >= 1 && bw_harness_dunst_count (r->h) >= 1;
}

static gboolean
alarm_acknowledged (gpointer data)
{
  Run *r = data;
  BwAlarm *a = bw_line_find_alarm (r->line, r->alarm_id);

  return a && !bw_alarm_needs_ack (a) && a->acked_us != 0;
}

static gboolean
horn_finished (gpointer data)
{
  Run *r = data;

  return bw_alarm_sound_get_n_finished (bw_context_get_sound (r->context)) >= 1;
}

static BwStopDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();  /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);
      if (BW_IS_STOP_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return BW_STOP_DIALOG (w);
    }
  return NULL;
}

static gboolean
dialog_loaded (gpointer data)
{
  Run *r = data;

  r->dialog = find_dialog ();
  return r->dialog && bw_stop_dialog_is_loaded (r->dialog);
}

static gboolean
dialog_closed (gpointer data)
{
  return find_dialog () == NULL;
}

static gboolean
ledger_classified (gpointer data)
{
  Run *r = data;
  g_autofree char *q = g_strdup_printf ("SELECT count(*) FROM classifications WHERE stop_id = %" G_GINT64_FORMAT, r->stop_id);
  g_autofree char *n = bw_harness_sql (r->h, q);

  return n && (guint) atoi (n) >= r->n;
}

static gboolean
journal_shows_stop (gpointer data)
{
  Run *r = data;
  BwJournalPage *page = BW_JOURNAL_PAGE (bw_app_window_get_page (r->window, "journal"));
  GListModel *stops = bw_stop_list_get_model (bw_journal_page_get_list (page));

  for (guint i = 0; i < g_list_model_get_n_items (stops); i++)
    {
      g_autoptr(BwStop) s = g_list_model_get_item (stops, i);
      if (s->id == r->stop_id && g_strcmp0 (s->cause, "md_false_trip") == 0)
        return !bw_stop_list_is_loading (bw_journal_page_get_list (page));
    }
  return FALSE;
}

static gboolean
wall_ready (gpointer data)
{
  Run *r = data;
  GtkWindow *wall = bw_application_get_wall_window (r->h->app);

  return wall && gtk_widget_get_mapped (GTK_WIDGET (wall)) && bw_wall_window_get_n_tiles (BW_WALL_WINDOW (wall)) == 3 &&
         bw_wall_window_get_shift_text (BW_WALL_WINDOW (wall))[0] != '\0';
}

static void
classify (Run        *r,
          const char *cause,
          const char *comment,
          const char *who,
          const char *screenshot)
{
  g_action_group_activate_action (G_ACTION_GROUP (r->h->app), "classify-stop", g_variant_new_int64 (r->stop_id));
  g_assert_true (bw_harness_wait (dialog_loaded, r, 10000));
  g_assert_cmpint (bw_stop_dialog_get_stop_id (r->dialog), ==, r->stop_id);
  g_assert_true (bw_stop_dialog_select_cause (r->dialog, cause));
  g_assert_cmpstr (bw_stop_dialog_get_selected_cause (r->dialog), ==, cause);
  bw_stop_dialog_set_comment (r->dialog, comment);
  bw_stop_dialog_set_operator (r->dialog, who);
  if (screenshot)
    {
      /* the stop's signal window, kept 5 s after the stop in this test */
      g_assert_nonnull (bw_stop_dialog_get_window (r->dialog));
      bw_harness_iterate (800);
      bw_harness_save_png (r->h, adw_window_get_content (ADW_WINDOW (r->dialog)), screenshot);
    }
  r->n++;
  bw_stop_dialog_save (r->dialog);
  g_assert_true (bw_harness_wait (dialog_closed, r, 10000));
  g_assert_true (bw_harness_wait (ledger_classified, r, 10000));
}

static void
test_alarm_round_trip (void)
{
  g_autoptr(BwHarness) h = NULL;
  g_autoptr(GPtrArray) truth = NULL;
  g_autofree char *full = NULL, *replay = NULL;
  const char *sim_args[] = { "-n", "3", "--seed", "11", "-d", "150s", "--stop-interval", "40s",
                             "--duration-scale", "0.08", "--scenario", "foreign_object", NULL };
  BwTruthStop *first;
  Run r = { 0 };
  BwAlarmSound *sound;
  g_autofree char *wav = NULL;
  gint64 t_alarm, t_ack;
  BwAlarm *alarm;

  if (!bw_harness_can_run ())
    {
      g_test_skip ("needs a display, dunst, sox and dbus-daemon");
      return;
    }
  h = r.h = bw_harness_new ("alarm");

  /* the line: the replay starts 20 s before the first stop of the truth, so
   * the stop's window (15 s before it in these tests) is full */
  full = g_build_filename (h->dir, "line.jsonl", NULL);
  replay = g_build_filename (h->dir, "replay.jsonl", NULL);
  truth = bw_harness_simulate (h, full, sim_args);
  g_assert_cmpuint (truth->len, >=, 1);
  first = truth->pdata[0];
  r.conveyor = first->conveyor;
  g_assert_cmpstr (first->trigger, ==, "md_trip");
  bw_harness_cut (h, full, replay, first->start_us - 20 * SEC, first->start_us + 60 * SEC);

  bw_harness_start_dunst (h);
  bw_harness_start_daemon (h, replay, 1.0, 0);
  bw_harness_start_app (h);
  r.context = bw_application_get_context (h->app);
  r.line = bw_context_get_line (r.context);
  r.window = BW_APP_WINDOW (bw_application_get_main_window (h->app));
  g_assert_nonnull (r.window);
  sound = bw_context_get_sound (r.context);

  /* connected, three conveyors, all running before the stop */
  g_assert_true (bw_harness_wait (connected_with_cards, &r, 15000));
  g_assert_true (bw_harness_wait (all_running, &r, 10000));
  g_assert_false (bw_alarm_sound_is_playing (sound));
  g_assert_false (bw_alarm_banner_is_revealed (bw_app_window_get_alarm_banner (r.window)));

  /* the stop: alarm in the list, notification, horn, banner */
  g_assert_true (bw_harness_wait (stop_alarm_raised, &r, 20000));
  t_alarm = g_get_monotonic_time ();
  g_test_message ("alarm %" G_GINT64_FORMAT " for stop %" G_GINT64_FORMAT " on %s", r.alarm_id, r.stop_id, r.conveyor);
  alarm = bw_line_find_alarm (r.line, r.alarm_id);
  g_assert_nonnull (alarm);
  g_assert_cmpint (alarm->state, ==, BW_ALARM_UNACK_ACTIVE);
  g_assert_cmpint (alarm->priority, ==, BW_ALARM_PRIORITY_HIGH);
  {
    BwAlarmsPage *page = BW_ALARMS_PAGE (bw_app_window_get_page (r.window, "alarms"));
    GListModel *model = bw_alarms_page_get_model (page);
    g_autoptr(BwAlarm) listed = g_list_model_get_item (model, 0);

    g_assert_nonnull (listed);
    g_assert_cmpint (listed->id, ==, r.alarm_id);
  }
  g_assert_true (bw_harness_wait (notification_sent, &r, 5000));
  g_assert_true (bw_alarm_sound_is_playing (sound));
  g_assert_cmpint (bw_alarm_sound_get_priority (sound), ==, BW_ALARM_PRIORITY_HIGH);
  wav = g_strdup (bw_alarm_sound_get_output_file (sound));
  g_assert_nonnull (wav);
  g_assert_true (bw_annunciator_get_current (bw_context_get_annunciator (r.context)) != NULL);
  g_assert_true (bw_alarm_banner_is_revealed (bw_app_window_get_alarm_banner (r.window)));
  /* the taskbar asks for attention unless the window is in front */
  g_assert_cmpint (bw_app_window_is_urgent (r.window), ==, !gtk_window_is_active (GTK_WINDOW (r.window)));
  g_assert_cmpuint (bw_annunciator_get_n_unacknowledged (bw_context_get_annunciator (r.context)), >=, 1);
  {
    BwLiveConveyor *c = bw_line_find_conveyor (r.line, r.conveyor);
    g_assert_cmpint (bw_live_conveyor_get_state (c), ==, BW_LIVE_STOPPED);
    g_assert_nonnull (bw_live_conveyor_get_open_stop (c));
    g_assert_cmpstr (bw_live_conveyor_get_open_stop (c)->trigger, ==, "md_trip");
  }

  /* let the horn sound a while; the overview as the supervisor sees it */
  bw_harness_iterate (2500);
  bw_harness_save_png (h, adw_application_window_get_content (ADW_APPLICATION_WINDOW (r.window)), "overview.png");
  bw_app_window_show_page (r.window, "alarms");
  bw_harness_iterate (400);
  bw_harness_save_png (h, adw_application_window_get_content (ADW_APPLICATION_WINDOW (r.window)), "alarms.png");
  bw_app_window_show_page (r.window, "overview");

  /* acknowledge through the notification's "Acknowledge" action */
  g_signal_emit_by_name (bw_context_get_notifier (r.context), "action", "acknowledge", r.alarm_id, r.stop_id);
  t_ack = g_get_monotonic_time ();
  g_assert_true (bw_harness_wait (alarm_acknowledged, &r, 10000));
  g_assert_true (bw_harness_wait (horn_finished, &r, 10000));
  g_assert_false (bw_alarm_sound_is_playing (sound));
  alarm = bw_line_find_alarm (r.line, r.alarm_id);
  g_assert_cmpstr (alarm->acked_by, ==, "Иванов И. И.");
  g_assert_false (bw_app_window_is_urgent (r.window));
  g_assert_false (bw_alarm_banner_is_revealed (bw_app_window_get_alarm_banner (r.window)));

  /* the server's ledger has it */
  {
    g_autofree char *q = g_strdup_printf ("SELECT acked_by FROM alarms WHERE id = %" G_GINT64_FORMAT, r.alarm_id);
    g_autofree char *who = bw_harness_sql (h, q);
    g_assert_cmpstr (who, ==, "Иванов И. И.");
  }

  /* the horn: as long as it sounded, at the high-priority pitch */
  {
    double len = bw_harness_wav_seconds (wav);
    double sounded = (t_ack - t_alarm) / 1e6;
    double f = bw_harness_wav_frequency (wav, 0.02, 0.15);

    g_test_message ("horn %.2f s (sounded %.2f s before the acknowledgement), %.0f Hz", len, sounded, f);
    g_assert_cmpfloat (len, >=, 2.0);
    g_assert_cmpfloat (len, <=, sounded + 1.5);
    g_assert_cmpfloat (fabs (f - bw_alarm_sound_get_tone_frequency (BW_ALARM_PRIORITY_HIGH)) / 988.0, <, 0.03);
  }

  /* the notification reached dunst */
  {
    g_autofree char *history = bw_harness_dunst_history (h);
    g_autofree char *summary = g_strdup_printf (_("Conveyor %s stopped"), r.conveyor);

    g_assert_nonnull (history);
    g_test_message ("dunst history: %.300s", history);
    g_assert_nonnull (strstr (history, summary));
    g_assert_nonnull (strstr (history, "Beltwatch"));
  }

  /* classify, then correct: the ledger keeps both */
  classify (&r, "foreign_object", "Болт М24 снят с ленты", "Петров П. П.", "classification.png");
  {
    g_autoptr(JsonNode) stops = bw_harness_ledger_stops (h);
    JsonArray *arr = json_node_get_array (stops);
    gboolean found = FALSE;

    for (guint i = 0; i < json_array_get_length (arr); i++)
      {
        JsonObject *s = json_array_get_object_element (arr, i);
        if (json_object_get_int_member (s, "id") == r.stop_id)
          {
            found = TRUE;
            g_assert_cmpstr (json_object_get_string_member (s, "cause"), ==, "foreign_object");
            g_assert_cmpstr (json_object_get_string_member (s, "trigger"), ==, "md_trip");
          }
      }
    g_assert_true (found);
  }
  {
    g_autofree char *q = g_strdup_printf ("SELECT comment FROM stops WHERE id = %" G_GINT64_FORMAT, r.stop_id);
    g_autofree char *comment = bw_harness_sql (h, q);
    g_autofree char *q2 = g_strdup_printf ("SELECT operator FROM classifications WHERE stop_id = %" G_GINT64_FORMAT, r.stop_id);
    g_autofree char *who = bw_harness_sql (h, q2);

    g_assert_cmpstr (comment, ==, "Болт М24 снят с ленты");
    g_assert_cmpstr (who, ==, "Петров П. П.");
  }
  classify (&r, "md_false_trip", "Ложное: болт был на магните", "Петров П. П.", NULL);
  {
    g_autofree char *q = g_strdup_printf ("SELECT old_cause || '→' || new_cause FROM classifications "
                                          "WHERE stop_id = %" G_GINT64_FORMAT " ORDER BY id DESC", r.stop_id);
    g_autofree char *change = bw_harness_sql (h, q);
    g_assert_cmpstr (change, ==, "foreign_object→md_false_trip");
  }
  /* the view shows the history of both */
  g_action_group_activate_action (G_ACTION_GROUP (h->app), "classify-stop", g_variant_new_int64 (r.stop_id));
  g_assert_true (bw_harness_wait (dialog_loaded, &r, 10000));
  g_assert_cmpuint (bw_stop_dialog_get_n_history (r.dialog), ==, 2);
  gtk_window_close (GTK_WINDOW (r.dialog));
  g_assert_true (bw_harness_wait (dialog_closed, &r, 5000));

  /* the journal, over the replay's hour */
  {
    BwJournalPage *page = BW_JOURNAL_PAGE (bw_app_window_get_page (r.window, "journal"));
    g_autoptr(GDateTime) a = g_date_time_new_from_unix_local ((first->start_us - 30 * 60 * SEC) / SEC);
    g_autoptr(GDateTime) b = g_date_time_new_from_unix_local ((first->start_us + 30 * 60 * SEC) / SEC);
    g_autofree char *from = g_date_time_format (a, "%d.%m.%Y %H:%M");
    g_autofree char *to = g_date_time_format (b, "%d.%m.%Y %H:%M");

    bw_app_window_show_page (r.window, "journal");
    g_assert_true (bw_journal_page_set_custom_range (page, from, to));
    g_assert_true (bw_harness_wait (journal_shows_stop, &r, 10000));
    bw_harness_iterate (400);
    g_test_message ("journal totals: %s", bw_journal_page_get_totals_text (page));
    bw_harness_save_png (h, adw_application_window_get_content (ADW_APPLICATION_WINDOW (r.window)), "journal.png");

    /* "Export report…" of what the journal shows, as PDF and as CSV */
    {
      g_autoptr(BwExporter) exporter = bw_exporter_new (r.context);
      g_autoptr(BwExportRequest) request = bw_journal_page_make_export_request (page);
      const BwReportFormat formats[] = { BW_REPORT_FORMAT_PDF, BW_REPORT_FORMAT_CSV };

      g_assert_cmpuint (request->stops->len, ==, 1);
      for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
        {
          g_autofree char *name = bw_exporter_suggest_name (request, formats[i]);
          g_autofree char *path = g_build_filename (h->dir, name, NULL);
          g_autoptr(GFile) file = g_file_new_for_path (path);
          g_autofree char *text = NULL;
          gsize len = 0;

          r.export_done = FALSE;
          bw_exporter_write_async (exporter, request, formats[i], file, NULL, exported_cb, &r);
          g_assert_true (bw_harness_wait (export_done, &r, 15000));
          g_assert_true (g_file_get_contents (path, &text, &len, NULL));
          g_test_message ("report %s: %" G_GSIZE_FORMAT " bytes", name, len);
          if (formats[i] == BW_REPORT_FORMAT_PDF)
            g_assert_true (len > 1000 && g_str_has_prefix (text, "%PDF"));
          else
            {
              g_assert_nonnull (strstr (text, r.conveyor));
              g_assert_nonnull (strstr (text, "Ложное: болт был на магните"));
            }
        }
    }
  }

  /* the wall display */
  g_action_group_activate_action (G_ACTION_GROUP (h->app), "wall-display", NULL);
  g_assert_true (bw_harness_wait (wall_ready, &r, 10000));
  bw_harness_iterate (800);
  {
    BwWallWindow *wall = BW_WALL_WINDOW (bw_application_get_wall_window (h->app));
    g_assert_false (bw_wall_window_is_offline (wall));
    g_assert_nonnull (bw_wall_window_get_tile_state (wall, r.conveyor));
    bw_harness_save_png (h, gtk_window_get_child (GTK_WINDOW (wall)), "wall.png");
  }
}

int
main (int   argc,
      char *argv[])
{
  bw_harness_init_russian ();

  /* not G_TEST_OPTION_ISOLATE_DIRS: GTK needs the system's MIME database
   * to load icons; the harness points the user's directories elsewhere */
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/alarm/round-trip", test_alarm_round_trip);
  return g_test_run ();
}
