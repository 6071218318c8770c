/* test-app-units.c: the app's parts without a server
 *
 * Formats, the reconnection backoff, staleness of a conveyor's state, the
 * journal's clipping and totals, shifts, the annunciator's rules, the
 * horn's tones (through GStreamer into WAV files, measured with sox), and
 * every UI template instantiated (the version pins do not reach .ui files).
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-app-units"

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include <libsoup/soup.h>

#include "bw-app-harness.h"
#include "bw-app-window.h"
#include "bw-context.h"
#include "bw-local-server.h"
#include "bw-live-conveyor.h"
#include "bw-format.h"
#include "bw-preferences-window.h"
#include "bw-stop-dialog.h"
#include "bw-stop-list.h"
#include "bw-time.h"
#include "bw-wall-window.h"

#define SEC G_GINT64_CONSTANT (1000000)

/* ---- formats ---- */

static void
test_format (void)
{
  g_autofree char *a = bw_format_elapsed (42 * SEC);
  g_autofree char *b = bw_format_elapsed ((3600 + 2 * 60 + 7) * SEC);
  g_autofree char *c = bw_format_duration ((2 * 3600 + 5 * 60) * SEC);
  g_autofree char *d = bw_format_duration (12 * SEC);
  g_autofree char *e = bw_format_value (2.2656, "belt_speed");
  g_autofree char *f = bw_format_value (NAN, "load");
  g_autofree char *g = bw_format_probability (0.914);
  gint64 t, u;

  g_assert_cmpstr (a, ==, "0:42");
  g_assert_cmpstr (b, ==, "1:02:07");
  g_assert_cmpstr (c, ==, "2 ч 05 мин");
  g_assert_cmpstr (d, ==, "12 с");
  g_assert_cmpstr (e, ==, "2.27 м/с");
  g_assert_cmpstr (f, ==, "—");
  g_assert_cmpstr (g, ==, "91 %");
  g_assert_cmpstr (bw_format_cause (NULL), ==, "Причина не указана");
  g_assert_cmpstr (bw_format_cause ("foreign_object"), ==, "Обнаружен посторонний предмет");

  /* the journal's custom range, in local time (Europe/Moscow here) */
  g_assert_true (bw_parse_local_date_time ("27.11.2026 11:00", &t));
  g_assert_true (bw_time_parse ("2026-11-27T08:00:00Z", -1, &u));
  g_assert_cmpint (t, ==, u);
  g_assert_true (bw_parse_local_date_time ("2026-11-27 11:00", &t));
  g_assert_cmpint (t, ==, u);
  g_assert_true (bw_parse_local_date_time ("27.11.2026", &t));
  g_assert_cmpint (t, ==, u - 11 * 3600 * SEC);
  g_assert_false (bw_parse_local_date_time ("27.11.2026 11", &t));
  g_assert_false (bw_parse_local_date_time ("вчера", &t));
  g_assert_false (bw_parse_local_date_time ("31.02.2026 08:00", &t));
}

/* ---- the connection ---- */

/* ---- answers without the optional members ---- */

static void
odd_answer_cb (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  if (g_str_equal (path, "/api/v1/health"))
    {
      /* "degraded": 503 with the health object, no "error" member */
      soup_server_message_set_status (msg, 503, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        "{\"status\":\"degraded\",\"last_seq\":0}", 34);
    }
  else if (g_str_equal (path, "/api/v1/broken"))
    {
      soup_server_message_set_status (msg, 500, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        "{\"error\":\"plain text\"}", 22);
    }
  else
    {
      soup_server_message_set_status (msg, 404, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{}", 2);
    }
}

static void
got_answer_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GError **error = user_data;
  g_autoptr(JsonNode) node = bw_client_get_finish (BW_CLIENT (source), result, error);

  g_assert_null (node);
  g_assert_nonnull (*error);
}

/* the client reads error answers that lack an "error" object without
 * complaint (a critical is fatal in a test) and reports the HTTP status */
static void
test_client_error_answers (void)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(BwClient) client = bw_client_new ();
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;
  g_autofree char *url = NULL;
  const char *paths[] = { "/api/v1/health", "/api/v1/broken", "/api/v1/nothing" };
  const char *reasons[] = { "Service Unavailable", "Internal Server Error", "Not Found" };

  soup_server_add_handler (server, NULL, odd_answer_cb, NULL, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_assert_true (bw_client_set_server (client, url, NULL, NULL, &error));

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      GError *answer = NULL;

      bw_client_get_async (client, paths[i], NULL, got_answer_cb, &answer);
      while (answer == NULL)
        g_main_context_iteration (NULL, TRUE);
      g_assert_error (answer, BW_CLIENT_ERROR, BW_CLIENT_ERROR_HTTP);
      g_assert_cmpstr (answer->message, ==, reasons[i]);
      g_error_free (answer);
    }
}

static void
test_backoff (void)
{
  const guint expect[] = { 500, 1000, 2000, 4000, 8000, 10000, 10000 };
  g_autoptr(BwClient) client = bw_client_new ();
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      g_assert_cmpuint (bw_client_backoff_ms (i + 1, 0.0), ==, expect[i]);
      g_assert_cmpuint (bw_client_backoff_ms (i + 1, 1.0), ==, (guint) (expect[i] * 1.2));
      g_assert_cmpuint (bw_client_backoff_ms (i + 1, -1.0), ==, (guint) (expect[i] * 0.8));
    }

  g_assert_false (bw_client_set_server (client, "ftp://plant", NULL, NULL, &error));
  g_assert_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_BAD_URL);
  g_clear_error (&error);
  g_assert_false (bw_client_set_server (client, "http://", NULL, NULL, &error));
  g_clear_error (&error);
  g_assert_true (bw_client_set_server (client, "dispatch:8470/", "ivanov", "secret", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (bw_client_get_base_url (client), ==, "http://dispatch:8470");
  g_assert_cmpint (bw_client_get_state (client), ==, BW_CONNECTION_STOPPED);
  g_assert_cmpint (bw_client_get_last_seq (client), ==, -1);
}

/* stale data is never shown as running */
static void
test_staleness (void)
{
  g_autoptr(BwLiveConveyor) c = bw_live_conveyor_new ("CV-101");
  g_autoptr(JsonParser) p = json_parser_new ();
  gint64 mono = 1000 * SEC;
  JsonObject *snap, *samples;

  g_assert_true (json_parser_load_from_data (p,
    "{\"snap\": {\"id\": \"CV-101\", \"name\": \"Питатель 1\", \"state\": \"running\","
    "  \"last_sample\": \"2026-11-27T08:00:00Z\", \"values\": {\"belt_speed\": {\"value\": 2.4}},"
    "  \"open_stop\": null, \"downtime_today_s\": 120, \"stops_today\": 3},"
    " \"samples\": {\"tags\": {\"belt_speed\": [[1795766401000, 2.5], [1795766401100, 2.6]]}, \"state\": \"running\"}}",
    -1, NULL));
  snap = json_object_get_object_member (json_node_get_object (json_parser_get_root (p)), "snap");
  samples = json_object_get_object_member (json_node_get_object (json_parser_get_root (p)), "samples");

  g_assert_cmpint (bw_live_conveyor_get_state (c), ==, BW_LIVE_UNKNOWN);
  bw_live_conveyor_apply_snapshot (c, snap, mono);
  g_assert_cmpint (bw_live_conveyor_get_state (c), ==, BW_LIVE_RUNNING);
  g_assert_cmpstr (bw_live_conveyor_get_name (c), ==, "Питатель 1");
  g_assert_cmpfloat (bw_live_conveyor_get_value (c, "belt_speed"), ==, 2.4);
  g_assert_cmpint (bw_live_conveyor_get_downtime_today (c, 0), ==, 120 * SEC);
  g_assert_cmpuint (bw_live_conveyor_get_stops_today (c), ==, 3);

  /* no samples for 7 s: unknown, whatever the server said last */
  bw_live_conveyor_refresh (c, TRUE, mono + 5 * SEC);
  g_assert_cmpint (bw_live_conveyor_get_state (c), ==, BW_LIVE_RUNNING);
  bw_live_conveyor_refresh (c, TRUE, mono + 7 * SEC);
  g_assert_cmpint (bw_live_conveyor_get_state (c), ==, BW_LIVE_UNKNOWN);

  /* fresh samples: running again, the series grows */
  bw_live_conveyor_apply_samples (c, samples, mono + 8 * SEC);
  g_assert_cmpint (bw_live_conveyor_get_state (c), ==, BW_LIVE_RUNNING);
  g_assert_cmpfloat (bw_live_conveyor_get_value (c, "belt_speed"), ==, 2.6);
  g_assert_cmpuint (bw_live_conveyor_get_series (c, "belt_speed")->len, ==, 2);

  /* the connection lost: unknown at once */
  bw_live_conveyor_refresh (c, FALSE, mono + 8 * SEC);
  g_assert_cmpint (bw_live_conveyor_get_state (c), ==, BW_LIVE_UNKNOWN);
}

/* ---- the journal's arithmetic ---- */

static BwStop *
make_stop (gint64      id,
           const char *conveyor,
           gint64      start,
           gint64      end,
           const char *cause)
{
  BwStop *s = bw_stop_new (conveyor, start, "md_trip");

  s->id = id;
  s->end_us = end;
  if (cause)
    bw_stop_set_classification (s, cause, NULL, "Иванов", end);
  return s;
}

static gboolean
not_loading (gpointer data)
{
  return !bw_stop_list_is_loading (data);
}

static void
test_stop_list (void)
{
  g_autoptr(BwClient) client = bw_client_new ();
  g_autoptr(BwLine) line = bw_line_new (client);
  g_autoptr(BwStopList) list = bw_stop_list_new (line);
  gint64 t0 = 1795766400 * SEC;   /* 08:00Z */
  g_autoptr(BwStop) a = make_stop (1, "CV-101", t0 - 60 * SEC, t0 + 60 * SEC, "md_false_trip");   /* crosses the start */
  g_autoptr(BwStop) b = make_stop (2, "CV-102", t0 + 600 * SEC, t0 + 900 * SEC, NULL);
  g_autoptr(BwStop) c = make_stop (3, "CV-101", t0 + 3500 * SEC, 0, NULL);                       /* open */
  g_autoptr(BwStop) d = make_stop (4, "CV-101", t0 + 7200 * SEC, t0 + 7300 * SEC, NULL);         /* after the end */
  g_autoptr(GArray) causes = NULL;
  guint n, unclassified;
  gint64 total;

  /* no server: the load fails at once, the events still arrive */
  bw_stop_list_set_filter (list, t0, t0 + 3600 * SEC, NULL, NULL);
  g_assert_true (bw_harness_wait (not_loading, list, 5000));
  g_assert_nonnull (bw_stop_list_get_error (list));
  g_signal_emit_by_name (line, "stop-event", "stop.ended", a);
  g_signal_emit_by_name (line, "stop-event", "stop.ended", b);
  g_signal_emit_by_name (line, "stop-event", "stop.started", c);
  g_signal_emit_by_name (line, "stop-event", "stop.ended", d);
  g_assert_cmpuint (g_list_model_get_n_items (bw_stop_list_get_model (list)), ==, 3);
  g_assert_false (bw_stop_list_matches (list, d));

  /* only the part inside the period counts; the open stop up to now */
  g_assert_cmpint (bw_stop_list_clipped_duration (list, a, 0), ==, 60 * SEC);
  g_assert_cmpint (bw_stop_list_clipped_duration (list, c, t0 + 3550 * SEC), ==, 50 * SEC);
  g_assert_cmpint (bw_stop_list_clipped_duration (list, c, t0 + 5000 * SEC), ==, 100 * SEC);
  bw_stop_list_get_totals (list, t0 + 3550 * SEC, &n, &total, &unclassified);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpint (total, ==, (60 + 300 + 50) * SEC);
  g_assert_cmpuint (unclassified, ==, 2);
  causes = bw_stop_list_get_cause_totals (list, t0 + 3550 * SEC);
  g_assert_cmpuint (causes->len, ==, 2);
  g_assert_null (g_array_index (causes, BwCauseTotal, 0).code);   /* largest first */
  g_assert_cmpint (g_array_index (causes, BwCauseTotal, 0).downtime_us, ==, 350 * SEC);
  g_assert_cmpstr (g_array_index (causes, BwCauseTotal, 1).code, ==, "md_false_trip");

  /* a classification that leaves the cause filter removes the row */
  bw_stop_list_set_filter (list, t0, t0 + 3600 * SEC, NULL, BW_CAUSE_FILTER_UNCLASSIFIED);
  g_assert_true (bw_harness_wait (not_loading, list, 5000));
  g_signal_emit_by_name (line, "stop-event", "stop.ended", b);
  g_assert_cmpuint (g_list_model_get_n_items (bw_stop_list_get_model (list)), ==, 1);
  bw_stop_set_classification (b, "failure", "Подшипник", "Иванов", t0 + 1000 * SEC);
  g_signal_emit_by_name (line, "stop-event", "stop.classified", b);
  g_assert_cmpuint (g_list_model_get_n_items (bw_stop_list_get_model (list)), ==, 0);
}

/* ---- shifts ---- */

static void
test_shifts (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(BwContext) context = bw_context_new (settings);
  gint64 at, from, to;
  g_autofree char *name = NULL;
  g_autofree char *prev = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (bw_time_parse ("2026-11-27T10:00:00+03:00", -1, &at));
  g_settings_set_string (settings, "shift-schedule", "08:00-20:00 День; 20:00-08:00 Ночь");
  g_assert_true (bw_context_get_shift (context, BW_SHIFT_CURRENT, at, &from, &to, &name));
  g_assert_cmpstr (name, ==, "День");
  g_assert_true (bw_time_parse ("2026-11-27T05:00:00Z", -1, &at) && from == at);
  g_assert_true (bw_time_parse ("2026-11-27T17:00:00Z", -1, &at) && to == at);
  g_assert_true (bw_time_parse ("2026-11-27T10:00:00+03:00", -1, &at));
  g_assert_true (bw_context_get_shift (context, BW_SHIFT_PREVIOUS, at, &from, &to, &prev));
  g_assert_cmpstr (prev, ==, "Ночь");
  g_assert_cmpint (to - from, ==, 12 * 3600 * SEC);
  g_assert_true (bw_time_parse ("2026-11-26T17:00:00Z", -1, &at) && from == at);

  g_assert_true (bw_shift_spec_validate ("", NULL));
  g_assert_true (bw_shift_spec_validate ("00:00-08:00 A; 08:00-16:00 B; 16:00-24:00 C", NULL));
  g_assert_false (bw_shift_spec_validate ("восемь утра", &error));
  g_assert_nonnull (error);
}

/* ---- the annunciator ---- */

static BwAlarm *
make_alarm (gint64          id,
            BwAlarmPriority prio,
            const char     *conveyor)
{
  BwAlarm *a = bw_alarm_new (conveyor, prio == BW_ALARM_PRIORITY_HIGH ? "stop" : "anomaly", prio, "", g_get_real_time ());

  a->id = id;
  return a;
}

/* The notification names the conveyor by its ID, as the cards and the
 * banner do; a descriptive name opens the body, once. */
static void
test_notification_text (void)
{
  g_autoptr(BwAlarm) alarm = make_alarm (1, BW_ALARM_PRIORITY_HIGH, "CV-7");
  g_autoptr(BwAlarm) warning = make_alarm (2, BW_ALARM_PRIORITY_MEDIUM, "CV-7");
  g_autofree char *summary = bw_notifier_format_summary (alarm);
  g_autofree char *anomaly = bw_notifier_format_summary (warning);
  g_autofree char *named = bw_notifier_format_body (alarm, NULL, "Питатель дробилки ККД-1");
  g_autofree char *same = bw_notifier_format_body (alarm, NULL, "CV-7");
  g_autofree char *plain = bw_notifier_format_body (alarm, NULL, NULL);

  /* LANGUAGE=ru */
  g_assert_cmpstr (summary, ==, "Конвейер CV-7 остановлен");
  g_assert_nonnull (strstr (anomaly, "CV-7"));
  g_assert_true (g_str_has_prefix (named, "Питатель дробилки ККД-1\n"));
  g_assert_cmpstr (same, ==, plain);
  g_assert_null (strstr (plain, "\n"));
}

static void
test_annunciator (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(BwContext) context = NULL;
  g_autoptr(BwAlarm) stop_alarm = make_alarm (1, BW_ALARM_PRIORITY_HIGH, "CV-101");
  g_autoptr(BwAlarm) warning = make_alarm (2, BW_ALARM_PRIORITY_MEDIUM, "CV-102");
  g_autoptr(BwAlarm) old = make_alarm (3, BW_ALARM_PRIORITY_HIGH, "CV-103");
  g_autoptr(BwAlarm) second = make_alarm (4, BW_ALARM_PRIORITY_HIGH, "CV-103");
  BwAnnunciator *ann;
  BwAlarmSound *sound;
  BwLine *line;

  g_settings_set_boolean (settings, "notifications", FALSE);
  context = bw_context_new (settings);
  ann = bw_context_get_annunciator (context);
  sound = bw_context_get_sound (context);
  line = bw_context_get_line (context);

  /* an alarm found raised at start, its belt back running: listed, silent */
  bw_alarm_return_to_normal (old, g_get_real_time ());
  g_signal_emit_by_name (line, "alarm-raised", old, NULL, FALSE);
  g_assert_false (bw_alarm_sound_is_playing (sound));
  g_assert_false (bw_annunciator_was_announced (ann, 3));

  /* a warning: the medium tone */
  g_signal_emit_by_name (line, "alarm-raised", warning, NULL, TRUE);
  g_assert_true (bw_alarm_sound_is_playing (sound));
  g_assert_cmpint (bw_alarm_sound_get_priority (sound), ==, BW_ALARM_PRIORITY_MEDIUM);
  /* a stop on top: the high tone */
  g_signal_emit_by_name (line, "alarm-raised", stop_alarm, NULL, TRUE);
  g_assert_cmpint (bw_alarm_sound_get_priority (sound), ==, BW_ALARM_PRIORITY_HIGH);
  g_assert_true (bw_annunciator_was_announced (ann, 1));

  /* silence: the horn stops, the alarms stay unacknowledged */
  bw_annunciator_silence (ann);
  g_assert_false (bw_alarm_sound_is_playing (sound));
  g_assert_true (bw_alarm_needs_ack (stop_alarm));
  /* the same alarm again (stop.started then alarm.raised, or a replay):
   * not announced twice, the horn stays silent */
  g_signal_emit_by_name (line, "alarm-raised", stop_alarm, NULL, TRUE);
  g_assert_false (bw_alarm_sound_is_playing (sound));
  /* a new alarm sounds again */
  g_signal_emit_by_name (line, "alarm-raised", second, NULL, TRUE);
  g_assert_true (bw_alarm_sound_is_playing (sound));

  /* acknowledged anywhere: the horn stops */
  g_assert_true (bw_alarm_acknowledge (second, "Петров", g_get_real_time (), NULL));
  g_signal_emit_by_name (line, "alarm-changed", second);
  g_assert_false (bw_alarm_sound_is_playing (sound));
}

/* ---- the horn ---- */

static gboolean
finished (gpointer data)
{
  return bw_alarm_sound_get_n_finished (data) >= 1;
}

static double
sound_for (BwAlarmPriority  prio,
           const char      *file,
           double          *length)
{
  g_autoptr(BwAlarmSound) sound = bw_alarm_sound_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *wav = NULL;

  if (file)
    bw_alarm_sound_set_file (sound, prio, file);
  bw_alarm_sound_set_volume (sound, 0.5);
  g_assert_true (bw_alarm_sound_play (sound, prio, &error));
  g_assert_no_error (error);
  wav = g_strdup (bw_alarm_sound_get_output_file (sound));
  bw_harness_iterate (1200);
  bw_alarm_sound_stop (sound);
  g_assert_true (bw_harness_wait (finished, sound, 5000));
  *length = bw_harness_wav_seconds (wav);
  return bw_harness_wav_frequency (wav, 0.02, 0.15);
}

static void
test_tones (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bw-tones-XXXXXX", NULL);
  g_autofree char *custom = g_build_filename (dir, "custom.wav", NULL);
  double high, medium, own, len;

  if (!bw_harness_can_run ())
    {
      g_test_skip ("needs sox");
      bw_harness_rm_rf (dir);
      return;
    }
  g_setenv ("BELTWATCH_ALARM_WAV_DIR", dir, TRUE);

  high = sound_for (BW_ALARM_PRIORITY_HIGH, NULL, &len);
  g_test_message ("high: %.0f Hz, %.2f s", high, len);
  g_assert_cmpfloat (fabs (high - 988) / 988, <, 0.03);
  /* as long as it sounded (1.2 s), give or take the start and the queue */
  g_assert_cmpfloat (len, >, 0.9);
  g_assert_cmpfloat (len, <, 1.8);
  medium = sound_for (BW_ALARM_PRIORITY_MEDIUM, NULL, &len);
  g_test_message ("medium: %.0f Hz, %.2f s", medium, len);
  g_assert_cmpfloat (fabs (medium - 659) / 659, <, 0.03);
  /* concurrent alarm tones at least 20 % apart */
  g_assert_cmpfloat (high / medium, >=, 1.2);
  g_assert_cmpfloat (bw_alarm_sound_get_tone_frequency (BW_ALARM_PRIORITY_MEDIUM) /
                     bw_alarm_sound_get_tone_frequency (BW_ALARM_PRIORITY_LOW), >=, 1.2);

  /* the user's own sound file */
  {
    const char *argv[] = { "sox", "-n", "-r", "44100", custom, "synth", "0.6", "sine", "1500", NULL };
    g_autoptr(GSubprocess) p = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, NULL);
    g_assert_true (g_subprocess_wait_check (p, NULL, NULL));
  }
  own = sound_for (BW_ALARM_PRIORITY_HIGH, custom, &len);
  g_test_message ("own file: %.0f Hz", own);
  g_assert_cmpfloat (fabs (own - 1500) / 1500, <, 0.03);

  bw_harness_rm_rf (dir);
}

/* A sound that cannot be written (a full disk) warns and frees its player
 * once, also when the error comes while it is being finished (a second
 * free shows in the ASan build); the next alarm still sounds. */
static void
test_tones_full_disk (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bw-tones-full-XXXXXX", NULL);
  g_autoptr(BwAlarmSound) sound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *full = NULL;
  g_autofree char *wav = NULL;

  if (!bw_harness_can_run () || !g_file_test ("/dev/full", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("needs sox and /dev/full");
      bw_harness_rm_rf (dir);
      return;
    }
  g_setenv ("BELTWATCH_ALARM_WAV_DIR", dir, TRUE);
  full = g_strdup_printf ("%s/alarm-001-p%d.wav", dir, (int) BW_ALARM_PRIORITY_HIGH);
  g_assert_cmpint (symlink ("/dev/full", full), ==, 0);

  sound = bw_alarm_sound_new ();
  g_test_expect_message ("bw-alarm-sound", G_LOG_LEVEL_WARNING, "Alarm sound: *");
  g_assert_true (bw_alarm_sound_play (sound, BW_ALARM_PRIORITY_HIGH, &error));
  g_assert_no_error (error);
  /* stopped before the sink's first write: the write fails while the
   * stream is being finished (wavenc's header) */
  bw_harness_iterate (50);
  bw_alarm_sound_stop (sound);
  bw_harness_iterate (1500);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (bw_alarm_sound_get_n_finished (sound), ==, 0);

  /* the next alarm goes to a file that can be written */
  g_assert_true (bw_alarm_sound_play (sound, BW_ALARM_PRIORITY_HIGH, &error));
  g_assert_no_error (error);
  g_assert_true (bw_alarm_sound_is_playing (sound));
  wav = g_strdup (bw_alarm_sound_get_output_file (sound));
  bw_harness_iterate (1200);
  bw_alarm_sound_stop (sound);
  g_assert_true (bw_harness_wait (finished, sound, 5000));
  g_assert_cmpfloat (bw_harness_wav_seconds (wav), >, 0.5);
  g_unsetenv ("BELTWATCH_ALARM_WAV_DIR");
  bw_harness_rm_rf (dir);
}

/* ---- every template ---- */

static void
test_templates (void)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(BwContext) context = NULL;
  g_autoptr(GtkBuilder) builder = NULL;
  GtkWidget *w;

  if (!gtk_init_check ())
    {
      g_test_skip ("needs a display");
      return;
    }
  settings = g_settings_new (APP_ID);
  g_settings_set_boolean (settings, "notifications", FALSE);
  context = bw_context_new (settings);

  w = GTK_WIDGET (bw_app_window_new (NULL, context));
  g_assert_nonnull (bw_app_window_get_page (BW_APP_WINDOW (w), "overview"));
  g_assert_nonnull (bw_app_window_get_page (BW_APP_WINDOW (w), "alarms"));
  g_assert_nonnull (bw_app_window_get_page (BW_APP_WINDOW (w), "journal"));
  gtk_window_destroy (GTK_WINDOW (w));
  w = GTK_WIDGET (bw_stop_dialog_new (context, 1));
  gtk_window_destroy (GTK_WINDOW (w));
  w = GTK_WIDGET (bw_wall_window_new (NULL, context));
  g_assert_cmpuint (bw_wall_window_get_n_tiles (BW_WALL_WINDOW (w)), ==, 0);
  gtk_window_destroy (GTK_WINDOW (w));
  w = GTK_WIDGET (bw_preferences_window_new (context));
  gtk_window_destroy (GTK_WINDOW (w));
  builder = gtk_builder_new_from_resource (RESOURCE_BASE "/gtk/help-overlay.ui");
  g_assert_nonnull (gtk_builder_get_object (builder, "help_overlay"));
  gtk_window_destroy (GTK_WINDOW (gtk_builder_get_object (builder, "help_overlay")));
}

static GtkWidget *
find_by_id (GtkWidget  *root,
            const char *id)
{
  if (g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (root)), id) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_by_id (c, id);
      if (found)
        return found;
    }
  return NULL;
}

static gboolean
sound_stopped (gpointer data)
{
  return !bw_alarm_sound_is_playing (data);
}

/* The preferences' test tone stops by itself after 3 s; closing the
 * preferences while it sounds ends it at once, and leaves nothing behind
 * that would later call into the closed window. */
static void
test_preferences_test_tone (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bw-test-tone-XXXXXX", NULL);
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(BwContext) context = NULL;
  BwAlarmSound *sound;
  GtkWidget *w, *button;
  gpointer weak;

  if (!bw_harness_can_run ())
    {
      g_test_skip ("needs a display and sox");
      bw_harness_rm_rf (dir);
      return;
    }
  g_setenv ("BELTWATCH_ALARM_WAV_DIR", dir, TRUE);
  settings = g_settings_new (APP_ID);
  g_settings_set_boolean (settings, "notifications", FALSE);
  context = bw_context_new (settings);
  sound = bw_context_get_sound (context);

  w = GTK_WIDGET (bw_preferences_window_new (context));
  gtk_window_present (GTK_WINDOW (w));
  button = find_by_id (w, "high_test_button");
  g_assert_nonnull (button);

  /* a test tone is not an alarm: the horn does not claim it */
  g_signal_emit_by_name (button, "clicked");
  g_assert_true (bw_alarm_sound_is_playing (sound));
  g_assert_false (bw_annunciator_is_sounding (bw_context_get_annunciator (context)));
  bw_harness_iterate (2000);
  g_assert_true (bw_alarm_sound_is_playing (sound));
  g_assert_true (bw_harness_wait (sound_stopped, sound, 3000));

  g_signal_emit_by_name (button, "clicked");
  g_assert_true (bw_alarm_sound_is_playing (sound));
  bw_harness_iterate (300);
  weak = w;
  g_object_add_weak_pointer (G_OBJECT (w), &weak);
  gtk_window_destroy (GTK_WINDOW (w));
  bw_harness_iterate (100);
  g_assert_null (weak);
  g_assert_false (bw_alarm_sound_is_playing (sound));
  /* the tone's timeout went with the window */
  g_assert_null (g_main_context_find_source_by_user_data (NULL, w));
  g_unsetenv ("BELTWATCH_ALARM_WAV_DIR");
  bw_harness_rm_rf (dir);
}

/* ---- the app's own service ---- */

typedef struct
{
  BwContext  *context;
  const char *url;
} OnServer;

static gboolean
client_on_server (gpointer data)
{
  OnServer *o = data;

  return g_strcmp0 (bw_client_get_base_url (bw_context_get_client (o->context)), o->url) == 0;
}

static gboolean
client_on_own_service (gpointer data)
{
  BwContext *context = data;
  BwLocalServer *local = bw_context_get_local_server (context);

  return bw_local_server_get_identifier (local) != NULL &&
         bw_client_is_connected (bw_context_get_client (context));
}

static gboolean
process_gone (int pid)
{
  return kill (pid, 0) == -1 && errno == ESRCH;
}

/* the one warning expected there, counted; any other fails the test */
static void
kill_warning_cb (const char     *domain,
                 GLogLevelFlags  level,
                 const char     *message,
                 gpointer        data)
{
  g_test_message ("%s: %s", domain, message);
  if (strstr (message, "did not stop in time"))
    (*(guint *) data)++;
  else
    g_test_fail ();
}

/* Pointing the app at a server while its own service starts or runs (the
 * preferences' server field): the start under way does not take the
 * connection back afterwards, and the service is stopped without the app
 * waiting for it, even one that does not answer SIGTERM (it is killed 5 s
 * later while the app goes on); a start asked for meanwhile waits for it to
 * go rather than take it for a running service. */
static void
test_local_server_switch (void)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(BwContext) context = NULL;
  g_autofree char *remote = g_strdup_printf ("http://127.0.0.1:%u", (guint16) bw_harness_free_port ());
  const char *beltwatchd = bw_harness_tool ("beltwatchd");
  BwLocalServer *local;
  BwClient *client;
  OnServer on_remote;
  GLogLevelFlags always_fatal;
  guint n_killed = 0, handler;
  int first, second;
  gint64 t0, took;

  if (!g_file_test (beltwatchd, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("needs the build tree's beltwatchd (BW_BUILD_ROOT)");
      return;
    }
  g_setenv ("BELTWATCHD", beltwatchd, TRUE);
  settings = g_settings_new (APP_ID);
  g_settings_set_boolean (settings, "notifications", FALSE);
  g_settings_set_string (settings, "server-url", "");
  context = bw_context_new (settings);
  local = bw_context_get_local_server (context);
  client = bw_context_get_client (context);
  bw_local_server_set_port (local, (guint16) bw_harness_free_port ());
  on_remote = (OnServer) { context, remote };

  /* a server set while the own service is still being looked for */
  bw_context_start (context);
  g_assert_true (bw_context_is_local (context));
  g_settings_set_string (settings, "server-url", remote);
  bw_harness_iterate (3000);
  g_assert_false (bw_context_is_local (context));
  g_assert_cmpstr (bw_client_get_base_url (client), ==, remote);
  g_assert_false (bw_local_server_is_running (local));
  g_assert_null (bw_context_get_problem (context));

  /* the own service running, and not answering SIGTERM */
  g_settings_set_string (settings, "server-url", "");
  g_assert_true (bw_harness_wait (client_on_own_service, context, 20000));
  g_assert_true (bw_local_server_is_own (local));
  first = atoi (bw_local_server_get_identifier (local));
  g_assert_cmpint (first, >, 0);
  g_assert_cmpint (kill (first, SIGSTOP), ==, 0);

  always_fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  handler = g_log_set_handler ("bw-local-server", G_LOG_LEVEL_WARNING, kill_warning_cb, &n_killed);
  t0 = g_get_monotonic_time ();
  g_settings_set_string (settings, "server-url", remote);
  g_assert_true (bw_harness_wait (client_on_server, &on_remote, 10000));
  took = g_get_monotonic_time () - t0;
  g_test_message ("on the server %.0f ms after it was set", took / 1000.0);
  g_assert_cmpint (took, <, G_USEC_PER_SEC);
  g_assert_false (process_gone (first));

  /* back to the own service before the stopped one has gone */
  g_settings_set_string (settings, "server-url", "");
  g_assert_true (bw_harness_wait (client_on_own_service, context, 30000));
  took = g_get_monotonic_time () - t0;
  g_test_message ("on a new own service %.0f ms after the first was asked to stop", took / 1000.0);
  second = atoi (bw_local_server_get_identifier (local));
  g_assert_cmpint (second, !=, first);
  g_log_remove_handler ("bw-local-server", handler);
  g_log_set_always_fatal (always_fatal);
  g_assert_cmpuint (n_killed, ==, 1);
  g_assert_true (process_gone (first));
  g_assert_true (bw_local_server_is_own (local));
  g_assert_cmpint (took, >=, 4 * G_USEC_PER_SEC);

  /* quitting stops it, and waits for it */
  bw_context_shutdown (context);
  g_assert_true (process_gone (second));
  g_unsetenv ("BELTWATCHD");
}

/* ---- a notification daemon that takes its time ---- */

#define SLOW_DAEMON_MS 3000

static const char slow_daemon_xml[] =
  "<node><interface name='org.freedesktop.Notifications'>"
  "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "<arg type='u' direction='out'/></method>"
  "<method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "<method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "<method name='GetServerInformation'><arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "<arg type='s' direction='out'/><arg type='s' direction='out'/></method>"
  "</interface></node>";

typedef struct
{
  char     *address;
  GMutex    lock;
  GCond     cond;
  gboolean  ready;
  guint     n_notify;
  GMainLoop *loop;
} SlowDaemon;

static void
slow_daemon_call (GDBusConnection       *connection,
                  const char            *sender,
                  const char            *path,
                  const char            *iface,
                  const char            *method,
                  GVariant              *params,
                  GDBusMethodInvocation *invocation,
                  gpointer               user_data)
{
  SlowDaemon *d = user_data;

  if (g_str_equal (method, "Notify"))
    {
      g_usleep (SLOW_DAEMON_MS * 1000);   /* busy with hundreds of others */
      g_atomic_int_inc (&d->n_notify);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", d->n_notify));
    }
  else if (g_str_equal (method, "GetCapabilities"))
    {
      const char *caps[] = { "actions", "body", "persistence", NULL };
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else if (g_str_equal (method, "GetServerInformation"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ssss)", "slow", "test", "1", "1.2"));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static gpointer
slow_daemon_thread (gpointer data)
{
  SlowDaemon *d = data;
  g_autoptr(GMainContext) ctx = g_main_context_new ();
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (slow_daemon_xml, NULL);
  g_autoptr(GError) error = NULL;
  const GDBusInterfaceVTable vtable = { slow_daemon_call, NULL, NULL, { 0 } };
  g_autoptr(GVariant) owned = NULL;

  g_main_context_push_thread_default (ctx);
  bus = g_dbus_connection_new_for_address_sync (d->address,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications", info->interfaces[0],
                                     &vtable, d, NULL, &error);
  g_assert_no_error (error);
  owned = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.Notifications", 4),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  d->loop = g_main_loop_new (ctx, FALSE);
  g_mutex_lock (&d->lock);
  d->ready = TRUE;
  g_cond_signal (&d->cond);
  g_mutex_unlock (&d->lock);
  g_main_loop_run (d->loop);
  g_main_context_pop_thread_default (ctx);
  return NULL;
}

typedef struct
{
  gint64 last;
  gint64 longest;
} Beat;

static gboolean
beat_cb (gpointer data)
{
  Beat *b = data;
  gint64 now = g_get_monotonic_time ();

  b->longest = MAX (b->longest, now - b->last);
  b->last = now;
  return G_SOURCE_CONTINUE;
}

static gboolean
sent_n (gpointer data)
{
  return bw_notifier_get_n_sent (data) >= 2;
}

/* A notification daemon that takes 3 s over each notification (an alarm
 * flood on screen, or one that hangs) must not freeze the app: the alarms
 * go out on the notification thread while the main loop goes on. */
static void
test_notifier_slow_daemon (void)
{
  GTestDBus *bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autoptr(BwNotifier) notifier = NULL;
  g_autoptr(GDBusConnection) conn = NULL;
  g_autoptr(BwAlarm) first = make_alarm (1, BW_ALARM_PRIORITY_HIGH, "CV-1");
  g_autoptr(BwAlarm) second = make_alarm (2, BW_ALARM_PRIORITY_HIGH, "CV-2");
  g_autoptr(GError) error = NULL;
  g_autofree char *display = g_strdup (g_getenv ("DISPLAY"));
  SlowDaemon d = { 0 };
  Beat b = { 0 };
  GThread *thread;
  gint64 t0, took;
  guint beat;

  g_test_dbus_up (bus);
  if (display)
    g_setenv ("DISPLAY", display, TRUE);
  d.address = g_strdup (g_test_dbus_get_bus_address (bus));
  g_mutex_init (&d.lock);
  g_cond_init (&d.cond);
  thread = g_thread_new ("slow-daemon", slow_daemon_thread, &d);
  g_mutex_lock (&d.lock);
  while (!d.ready)
    g_cond_wait (&d.cond, &d.lock);
  g_mutex_unlock (&d.lock);

  notifier = bw_notifier_new ("Beltwatch", "io.github.beltwatch.Beltwatch");
  t0 = g_get_monotonic_time ();
  g_assert_true (bw_notifier_show_alarm (notifier, first, NULL, NULL, &error));
  g_assert_true (bw_notifier_show_alarm (notifier, second, NULL, NULL, &error));
  g_assert_no_error (error);
  took = g_get_monotonic_time () - t0;
  g_test_message ("two alarms handed over in %.1f ms", took / 1000.0);
  g_assert_cmpint (took, <, SLOW_DAEMON_MS * 1000 / 2);

  b.last = g_get_monotonic_time ();
  beat = g_timeout_add (10, beat_cb, &b);
  g_assert_true (bw_harness_wait (sent_n, notifier, 4 * SLOW_DAEMON_MS + 5000));
  g_source_remove (beat);
  took = g_get_monotonic_time () - t0;
  g_test_message ("both taken after %.0f ms; the main loop's longest wait %.0f ms",
                  took / 1000.0, b.longest / 1000.0);
  /* the daemon took them one after the other … */
  g_assert_cmpint (took, >=, 2 * SLOW_DAEMON_MS * 1000 - 100000);
  g_assert_cmpuint (g_atomic_int_get (&d.n_notify), ==, 2);
  /* … and the main loop never waited for it */
  g_assert_cmpint (b.longest, <, SLOW_DAEMON_MS * 1000 / 2);
  g_assert_true (bw_notifier_flush (notifier, 1000));

  g_main_loop_quit (d.loop);
  g_thread_join (thread);
  g_main_loop_unref (d.loop);
  g_free (d.address);
  g_mutex_clear (&d.lock);
  g_cond_clear (&d.cond);
  /* libnotify keeps its bus connection to the end of the process (see
   * bw_harness_free()): stop the bus without waiting for it, and keep it */
  conn = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (conn)
    g_dbus_connection_set_exit_on_close (conn, FALSE);
  g_test_dbus_stop (bus);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("TZ", "Europe/Moscow", TRUE);
  bw_harness_init_russian ();

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/app/format", test_format);
  g_test_add_func ("/app/client/backoff", test_backoff);
  g_test_add_func ("/app/client/error-answers", test_client_error_answers);
  g_test_add_func ("/app/conveyor/staleness", test_staleness);
  g_test_add_func ("/app/journal/totals", test_stop_list);
  g_test_add_func ("/app/shifts", test_shifts);
  g_test_add_func ("/app/annunciator", test_annunciator);
  g_test_add_func ("/app/notification/text", test_notification_text);
  g_test_add_func ("/app/notification/slow-daemon", test_notifier_slow_daemon);
  g_test_add_func ("/app/horn/tones", test_tones);
  g_test_add_func ("/app/horn/full-disk", test_tones_full_disk);
  g_test_add_func ("/app/templates", test_templates);
  g_test_add_func ("/app/preferences/test-tone", test_preferences_test_tone);
  g_test_add_func ("/app/local-server/switch", test_local_server_switch);
  return g_test_run ();
}
