/* test-app-windows.c: the app's windows coming and going
 *
 * The app in-process (the same code as the `beltwatch` binary), pointed at a
 * server that is not there: what opens which window does not need one.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-app-windows"

#include "config.h"

#include "bw-app-harness.h"
#include "bw-application.h"
#include "bw-context.h"

/* A main window closed while something still holds it (an export it
 * started holds it to report how the export went) is not the one a
 * notification's action or a new activation brings back: that would be a
 * window no longer the application's, its pages torn down. */
static void
test_main_window_reopen (void)
{
  g_autoptr(BwHarness) h = NULL;
  g_autoptr(GtkWindow) held = NULL;
  BwApplication *app;
  GtkWindow *w;

  if (!bw_harness_can_run ())
    {
      g_test_skip ("needs a display and sox");
      return;
    }
  h = bw_harness_new ("windows");
  app = bw_harness_start_app (h);
  held = g_object_ref (bw_application_get_main_window (app));
  g_assert_nonnull (held);
  bw_harness_iterate (200);

  gtk_window_destroy (held);
  bw_harness_iterate (100);
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));
  g_assert_null (bw_application_get_main_window (app));

  g_application_activate (G_APPLICATION (app));
  w = bw_application_get_main_window (app);
  g_assert_nonnull (w);
  g_assert_true (w != held);
  g_assert_nonnull (g_list_find (gtk_application_get_windows (GTK_APPLICATION (app)), w));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (w)));
  bw_harness_iterate (200);

  /* a stop's classification view opens over the window that is open */
  bw_application_show_stop (app, 1);
  g_assert_true (bw_application_get_main_window (app) == w);
  bw_harness_iterate (200);
}

int
main (int   argc,
      char *argv[])
{
  bw_harness_init_russian ();

  /* not G_TEST_OPTION_ISOLATE_DIRS: GTK needs the system's MIME database
   * to load icons; the harness points the user's directories elsewhere */
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/main-window/reopen", test_main_window_reopen);
  return g_test_run ();
}
