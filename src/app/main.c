/* main.c: beltwatch, the control-room app
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beltwatch"

#include "config.h"

#include <locale.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "bw-application.h"

static gboolean
quit_signal_cb (gpointer data)
{
  /* quit as the menu does: the local service is stopped, not orphaned */
  g_application_quit (G_APPLICATION (data));
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(BwApplication) app = NULL;
  const char *localedir = g_getenv ("BELTWATCH_LOCALEDIR");

  setlocale (LC_ALL, "");
  /* BELTWATCH_LOCALEDIR: the build tree's po/, for a run before installing */
  bindtextdomain (GETTEXT_PACKAGE, localedir && localedir[0] ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = bw_application_new (APP_ID, G_APPLICATION_DEFAULT_FLAGS);
  g_unix_signal_add (SIGTERM, quit_signal_cb, app);
  g_unix_signal_add (SIGINT, quit_signal_cb, app);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
