/* bw-app-harness.c: a real beltwatchd, a replay, a notification daemon and
 * the app in-process, for the app's tests and benchmarks
 *
 * Each harness has its own session bus (GTestDBus) with its own dunst on
 * it, so tests that run side by side under one dbus-run-session do not see
 * each other's notifications. The service is the real beltwatchd binary of
 * the build tree, fed a replay of the simulated line (beltwatch-sim) whose
 * ground truth says when the stops happen.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-app-harness"

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <sqlite3.h>

#include "bw-app-harness.h"
#include "bw-time.h"

static guint daemon_runs;

void
bw_truth_stop_free (BwTruthStop *s)
{
  g_free (s->conveyor);
  g_free (s->trigger);
  g_free (s);
}

/**
 * bw_harness_can_run:
 *
 * Returns: whether there is a display and the programs the tests use
 */
gboolean
bw_harness_can_run (void)
{
  const char *progs[] = { "dunst", "dunstctl", "sox", "soxi", "dbus-daemon" };

  if (g_getenv ("BW_BUILD_ROOT") == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (progs); i++)
    {
      g_autofree char *p = g_find_program_in_path (progs[i]);
      if (p == NULL)
        {
          g_test_message ("%s is not installed", progs[i]);
          return FALSE;
        }
    }
  return gtk_init_check ();
}

const char *
bw_harness_tool (const char *name)
{
  static GHashTable *paths;
  const char *sub;
  char *p;

  if (paths == NULL)
    paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if ((p = g_hash_table_lookup (paths, name)))
    return p;
  sub = g_str_equal (name, "beltwatchd") ? "daemon" : g_str_equal (name, "beltwatch") ? "app" : "tools";
  p = g_build_filename (g_getenv ("BW_BUILD_ROOT"), "src", sub, name, NULL);
  g_hash_table_insert (paths, g_strdup (name), p);
  return p;
}

/**
 * bw_harness_free_port:
 *
 * Returns: a loopback TCP port nothing listens on now
 */
guint
bw_harness_free_port (void)
{
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  guint port;

  g_assert_true (g_socket_bind (sock, addr, TRUE, NULL));
  bound = g_socket_get_local_address (sock, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (sock, NULL);
  return port;
}

/**
 * bw_harness_init_russian:
 *
 * The supervisors' language, from the build tree's catalogue, before
 * g_test_init(): Russian messages, C.UTF-8 for the rest, no accessibility
 * bus.
 */
void
bw_harness_init_russian (void)
{
  g_autofree char *localedir = NULL;

  g_setenv ("LANGUAGE", "ru", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  setlocale (LC_ALL, "C.UTF-8");
  localedir = g_build_filename (g_getenv ("BW_BUILD_ROOT") ? g_getenv ("BW_BUILD_ROOT") : ".", "po", NULL);
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

BwHarness *
bw_harness_new (const char *name)
{
  BwHarness *h = g_new0 (BwHarness, 1);
  g_autofree char *tmpl = g_strdup_printf ("bw-app-%s-XXXXXX", name);
  const char *artifacts = g_getenv ("BW_APP_ARTIFACTS");

  h->dir = g_dir_make_tmp (tmpl, NULL);
  g_assert_nonnull (h->dir);
  h->artifacts = artifacts ? g_strdup (artifacts)
                           : g_build_filename (g_getenv ("BW_BUILD_ROOT"), "tests", "app", "artifacts", NULL);
  g_mkdir_with_parents (h->artifacts, 0755);
  h->wav_dir = g_build_filename (h->dir, "wav", NULL);
  h->db = g_build_filename (h->dir, "ledger.sqlite", NULL);
  h->port = bw_harness_free_port ();
  h->url = g_strdup_printf ("http://127.0.0.1:%u", h->port);
  g_setenv ("BELTWATCH_ALARM_WAV_DIR", h->wav_dir, TRUE);
  {
    const char *dirs[][2] = { { "XDG_DATA_HOME", "data" }, { "XDG_CONFIG_HOME", "config" },
                              { "XDG_CACHE_HOME", "cache" }, { "XDG_STATE_HOME", "state" } };
    for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
      {
        g_autofree char *p = g_build_filename (h->dir, dirs[i][1], NULL);
        g_mkdir_with_parents (p, 0700);
        g_setenv (dirs[i][0], p, TRUE);
      }
  }

  /* a bus of our own: our dunst, our notifications (g_test_dbus_up() unsets
   * DISPLAY, which dunst needs) */
  {
    g_autofree char *display = g_strdup (g_getenv ("DISPLAY"));

    h->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
    g_test_dbus_up (h->bus);
    if (display)
      g_setenv ("DISPLAY", display, TRUE);
  }
  return h;
}

void
bw_harness_rm_rf (const char *path)
{
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (path, name, NULL);
      if (g_file_test (p, G_FILE_TEST_IS_DIR) && !g_file_test (p, G_FILE_TEST_IS_SYMLINK))
        bw_harness_rm_rf (p);
      else
        g_unlink (p);
    }
  g_rmdir (path);
}

static void
end_process (GSubprocess **proc,
             int           sig)
{
  if (*proc == NULL)
    return;
  g_subprocess_send_signal (*proc, sig);
  g_subprocess_wait (*proc, NULL, NULL);
  g_clear_object (proc);
}

void
bw_harness_free (BwHarness *h)
{
  if (h == NULL)
    return;
  bw_harness_stop_app (h);
  end_process (&h->daemon, SIGTERM);
  end_process (&h->dunst, SIGTERM);
  if (h->bus)
    {
      /* the app, GTK and libnotify keep the bus connection to the end of the
       * process: stop the daemon, but neither wait for the connection to go
       * (g_test_dbus_down) nor exit when it closes */
      g_autoptr(GDBusConnection) conn = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);

      if (conn)
        g_dbus_connection_set_exit_on_close (conn, FALSE);
      g_test_dbus_stop (h->bus);
      /* disposing it would call g_test_dbus_down(): keep it */
      h->bus = NULL;
    }
  if (g_getenv ("BW_KEEP_TEST_DIR") == NULL)
    bw_harness_rm_rf (h->dir);
  else
    g_test_message ("kept %s", h->dir);
  g_free (h->dir);
  g_free (h->artifacts);
  g_free (h->wav_dir);
  g_free (h->db);
  g_free (h->url);
  g_free (h);
}

/* ---- the replay ---- */

static int
truth_compare (gconstpointer a,
               gconstpointer b)
{
  const BwTruthStop *x = *(BwTruthStop **) a, *y = *(BwTruthStop **) b;

  return x->start_us < y->start_us ? -1 : x->start_us > y->start_us;
}

/**
 * bw_harness_simulate:
 * @out: the replay file to write
 * @args: beltwatch-sim's options besides -o and -t
 *
 * Returns: (transfer full) (element-type BwTruthStop): the stops of the
 *   ground truth, by start time
 */
GPtrArray *
bw_harness_simulate (BwHarness          *h,
                     const char         *out,
                     const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *truth = g_strconcat (out, ".truth.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  GPtrArray *stops = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_truth_stop_free);
  JsonArray *arr;

  g_ptr_array_add (argv, (gpointer) bw_harness_tool ("beltwatch-sim"));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, (gpointer) "-o");
  g_ptr_array_add (argv, (gpointer) out);
  g_ptr_array_add (argv, (gpointer) "-t");
  g_ptr_array_add (argv, truth);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (proc, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (json_parser_load_from_file (parser, truth, &error));
  arr = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonObject *o = json_array_get_object_element (arr, i);
      const char *start = json_object_get_string_member_with_default (o, "start", NULL);
      BwTruthStop *s;

      if (start == NULL)
        continue;
      s = g_new0 (BwTruthStop, 1);
      s->conveyor = g_strdup (json_object_get_string_member (o, "conveyor"));
      s->trigger = g_strdup (json_object_get_string_member_with_default (o, "trigger", "none"));
      g_assert_true (bw_time_parse (start, -1, &s->start_us));
      g_ptr_array_add (stops, s);
    }
  g_ptr_array_sort (stops, truth_compare);
  return stops;
}

/**
 * bw_harness_cut:
 *
 * Copies the messages of @in dated in [@from_us, @to_us) to @out.
 */
void
bw_harness_cut (BwHarness  *h,
                const char *in,
                const char *out,
                gint64      from_us,
                gint64      to_us)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GString *kept = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  guint n = 0;

  g_assert_true (g_file_get_contents (in, &text, NULL, &error));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      const char *ts = strstr (lines[i], "\"Timestamp\":\"");
      const char *end;
      gint64 t;

      if (ts == NULL)
        continue;
      ts += strlen ("\"Timestamp\":\"");
      end = strchr (ts, '"');
      if (end == NULL || !bw_time_parse (ts, end - ts, &t))
        continue;
      if (t >= from_us && t < to_us)
        {
          g_string_append (kept, lines[i]);
          g_string_append_c (kept, '\n');
          n++;
        }
    }
  g_assert_cmpuint (n, >, 0);
  g_assert_true (g_file_set_contents (out, kept->str, kept->len, &error));
  g_string_free (kept, TRUE);
}

/* ---- the service ---- */

static gboolean
health_ok (BwHarness *h,
           guint      port)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 2, NULL);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/api/v1/health", port);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);

  return body != NULL && (soup_message_get_status (msg) == 200 || soup_message_get_status (msg) == 503);
}

/**
 * bw_harness_start_daemon:
 * @replay: (nullable): a JSON Lines file, or %NULL for no source
 * @speed: replay pace: 1 real time, 0 as fast as possible
 * @port: where to listen; 0 for the harness's port
 *
 * Starts beltwatchd on the harness's ledger and waits until it answers.
 * Stop windows are 15 s before a stop and 5 s after it (not 60 and 30), so
 * a test sees them soon.
 */
void
bw_harness_start_daemon (BwHarness  *h,
                         const char *replay,
                         double      speed,
                         guint       port)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autofree char *ini = g_strdup_printf ("%s/daemon-%u.ini", h->dir, ++daemon_runs);
  g_autofree char *log = g_strdup_printf ("%s/daemon-%u.log", h->dir, daemon_runs);
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", port ? port : h->port);
  g_autofree char *conf = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  g_assert_null (h->daemon);
  if (replay)
    conf = g_strdup_printf ("[source]\ntype=replay\nreplay-file=%s\nreplay-speed=%g\n"
                            "[detection]\nwindow-before=15s\nwindow-after=5s\nstale-timeout=3s\n", replay, speed);
  else
    conf = g_strdup ("[source]\ntype=none\n[detection]\nwindow-before=15s\nwindow-after=5s\nstale-timeout=3s\n");
  g_assert_true (g_file_set_contents (ini, conf, -1, &error));
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  h->daemon = g_subprocess_launcher_spawn (launcher, &error, bw_harness_tool ("beltwatchd"),
                                           "--config", ini, "--db", h->db, "--listen", listen, NULL);
  g_assert_no_error (error);
  while (!health_ok (h, port ? port : h->port))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50000);
    }
}

/**
 * bw_harness_run_to_end:
 *
 * Processes @replay into the harness's ledger as fast as possible with a
 * beltwatchd that listens elsewhere (no client sees it), and waits for it
 * to exit: what happens in the replay happens while the app is offline.
 */
void
bw_harness_run_to_end (BwHarness  *h,
                       const char *replay)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autofree char *ini = g_strdup_printf ("%s/daemon-%u.ini", h->dir, ++daemon_runs);
  g_autofree char *log = g_strdup_printf ("%s/daemon-%u.log", h->dir, daemon_runs);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (ini, "[detection]\nwindow-before=15s\nwindow-after=5s\nstale-timeout=3s\n", -1, &error));
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  proc = g_subprocess_launcher_spawn (launcher, &error, bw_harness_tool ("beltwatchd"), "--config", ini,
                                      "--db", h->db, "--listen", "127.0.0.1:0", "--replay", replay,
                                      "--exit-at-eof", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (proc, NULL, &error));
  g_assert_no_error (error);
}

/* SIGKILL: the service goes away without a word */
void
bw_harness_kill_daemon (BwHarness *h)
{
  end_process (&h->daemon, SIGKILL);
}

void
bw_harness_stop_daemon (BwHarness *h)
{
  end_process (&h->daemon, SIGTERM);
}

/* ---- notifications ---- */

static char *
dunstctl (const char *arg1,
          const char *arg2)
{
  g_autoptr(GSubprocess) p = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                               NULL, "dunstctl", arg1, arg2, NULL);
  g_autofree char *out = NULL;

  if (p == NULL || !g_subprocess_communicate_utf8 (p, NULL, NULL, &out, NULL, NULL) ||
      !g_subprocess_get_successful (p))
    return NULL;
  return g_steal_pointer (&out);
}

void
bw_harness_start_dunst (BwHarness *h)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autofree char *log = g_build_filename (h->dir, "dunst.log", NULL);
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  h->dunst = g_subprocess_launcher_spawn (launcher, &error, "dunst", NULL);
  g_assert_no_error (error);
  for (;;)
    {
      g_autofree char *n = dunstctl ("count", "displayed");
      if (n)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50000);
    }
}

/**
 * bw_harness_dunst_count:
 *
 * Returns: notifications displayed now plus those in the history
 */
guint
bw_harness_dunst_count (BwHarness *h)
{
  g_autofree char *d = dunstctl ("count", "displayed");
  g_autofree char *w = dunstctl ("count", "waiting");
  g_autofree char *hi = dunstctl ("count", "history");

  return (d ? atoi (d) : 0) + (w ? atoi (w) : 0) + (hi ? atoi (hi) : 0);
}

/**
 * bw_harness_dunst_history:
 *
 * Closes what dunst shows and returns its history (JSON text).
 */
char *
bw_harness_dunst_history (BwHarness *h)
{
  g_free (dunstctl ("close-all", NULL));
  bw_harness_iterate (200);
  return dunstctl ("history", NULL);
}

/* ---- the app ---- */

BwApplication *
bw_harness_start_app (BwHarness *h)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GError) error = NULL;

  g_settings_set_string (settings, "server-url", h->url);
  g_settings_set_string (settings, "operator-name", "Иванов И. И.");
  g_settings_set_int (settings, "window-width", 1280);
  g_settings_set_int (settings, "window-height", 800);
  h->app = bw_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (h->app), NULL, &error));
  g_assert_no_error (error);
  if (g_getenv ("BW_BENCH_NO_WINDOW") == NULL)
    g_application_activate (G_APPLICATION (h->app));
  return h->app;
}

void
bw_harness_stop_app (BwHarness *h)
{
  GList *windows;

  if (h->app == NULL)
    return;
  windows = g_list_copy_deep (gtk_application_get_windows (GTK_APPLICATION (h->app)), (GCopyFunc) g_object_ref, NULL);
  for (GList *l = windows; l; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free_full (windows, g_object_unref);
  if (bw_application_get_context (h->app))
    bw_context_shutdown (bw_application_get_context (h->app));
  bw_harness_iterate (100);
  g_clear_object (&h->app);
}

/* ---- waiting ---- */

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
bw_harness_wait (gboolean (*cond) (gpointer),
                 gpointer   data,
                 guint      timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_cb, &timed_out);

  while (!cond (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return cond (data);
}

void
bw_harness_iterate (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* ---- evidence ---- */

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       data)
{
  *(gboolean *) data = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

/**
 * bw_harness_save_png:
 *
 * Renders the window @widget is in, as it is on screen after the next
 * frame, into ARTIFACTS/@name.
 */
void
bw_harness_save_png (BwHarness  *h,
                     GtkWidget  *widget,
                     const char *name)
{
  GtkWidget *window = GTK_WIDGET (gtk_widget_get_native (widget));
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (h->artifacts, name, NULL);
  GtkSnapshot *snapshot;
  GdkFrameClock *clock;
  gboolean painted = FALSE;
  gulong id;
  int w, hh;

  g_assert_true (bw_harness_wait (is_mapped, window, 5000));
  clock = gtk_widget_get_frame_clock (window);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  gtk_widget_queue_draw (window);
  g_assert_true (bw_harness_wait (is_true, &painted, 5000));
  g_signal_handler_disconnect (clock, id);

  w = gtk_widget_get_width (window);
  hh = gtk_widget_get_height (window);
  g_assert_cmpint (w, >, 0);
  g_assert_cmpint (hh, >, 0);
  paintable = gtk_widget_paintable_new (window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), w, hh);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, hh));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot %s (%d×%d)", path, w, hh);
}

JsonNode *
bw_harness_get (BwHarness  *h,
                const char *path)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 10, NULL);
  g_autofree char *url = g_strconcat (h->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error));
  return json_node_ref (json_parser_get_root (parser));
}

/**
 * bw_harness_sql:
 *
 * Returns: (transfer full) (nullable): the first column of the first row of
 *   @query on the ledger, read-only
 */
char *
bw_harness_sql (BwHarness  *h,
                const char *query)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  char *out = NULL;

  g_assert_cmpint (sqlite3_open_v2 (h->db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_prepare_v2 (db, query, -1, &st, NULL) != SQLITE_OK)
    g_error ("%s: %s", query, sqlite3_errmsg (db));
  if (sqlite3_step (st) == SQLITE_ROW && sqlite3_column_text (st, 0))
    out = g_strdup ((const char *) sqlite3_column_text (st, 0));
  sqlite3_finalize (st);
  sqlite3_close (db);
  return out;
}

/**
 * bw_harness_ledger_stops:
 *
 * Returns: (transfer full): `beltwatch-ml stops --db LEDGER --format json`
 */
JsonNode *
bw_harness_ledger_stops (BwHarness *h)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) p = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                               bw_harness_tool ("beltwatch-ml"), "stops", "--db", h->db,
                                               "--format", "json", NULL);
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (p, NULL, NULL, &out, NULL, &error));
  g_assert_true (g_subprocess_get_successful (p));
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  return json_node_ref (json_parser_get_root (parser));
}

static char *
run_sox (const char * const *argv,
         gboolean            want_stderr)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) p = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                                &error);
  g_autofree char *out = NULL, *err = NULL;

  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (p, NULL, NULL, &out, &err, &error));
  g_assert_true (g_subprocess_get_successful (p));
  return want_stderr ? g_steal_pointer (&err) : g_steal_pointer (&out);
}

/* soxi -D: the length in seconds */
double
bw_harness_wav_seconds (const char *path)
{
  const char *argv[] = { "soxi", "-D", path, NULL };
  g_autofree char *out = run_sox (argv, FALSE);

  return g_ascii_strtod (out, NULL);
}

/* sox … stat: the rough frequency of a stretch, from its zero crossings */
double
bw_harness_wav_frequency (const char *path,
                          double      from_s,
                          double      length_s)
{
  char a[32], b[32];
  const char *argv[] = { "sox", path, "-n", "trim", a, b, "stat", NULL };
  g_autofree char *err = NULL;
  const char *p;

  g_ascii_formatd (a, sizeof a, "%.3f", from_s);
  g_ascii_formatd (b, sizeof b, "%.3f", length_s);
  err = run_sox (argv, TRUE);
  p = strstr (err, "Rough   frequency:");
  g_assert_nonnull (p);
  return g_ascii_strtod (p + strlen ("Rough   frequency:"), NULL);
}
