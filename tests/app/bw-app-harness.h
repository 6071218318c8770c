/* bw-app-harness.h: a real beltwatchd, a replay, a notification daemon and
 * the app in-process, for the app's tests and benchmarks
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "bw-application.h"

G_BEGIN_DECLS

typedef struct
{
  char          *dir;          /* scratch directory */
  char          *artifacts;    /* screenshots go here */
  char          *wav_dir;      /* the horn's WAV files (test mode) */
  char          *db;           /* the ledger */
  guint          port;
  char          *url;
  GTestDBus     *bus;          /* a private session bus */
  GSubprocess   *daemon;
  GSubprocess   *dunst;
  BwApplication *app;
} BwHarness;

/* A stop of the simulated line's ground truth */
typedef struct
{
  char   *conveyor;
  char   *trigger;
  gint64  start_us;
} BwTruthStop;

gboolean     bw_harness_can_run           (void);
void         bw_harness_init_russian      (void);
guint        bw_harness_free_port         (void);
BwHarness   *bw_harness_new               (const char  *name);
void         bw_harness_free              (BwHarness   *h);
const char  *bw_harness_tool              (const char  *name);

GPtrArray   *bw_harness_simulate          (BwHarness   *h,
                                           const char  *out,
                                           const char * const *args);
void         bw_harness_cut               (BwHarness   *h,
                                           const char  *in,
                                           const char  *out,
                                           gint64       from_us,
                                           gint64       to_us);
void         bw_harness_start_daemon      (BwHarness   *h,
                                           const char  *replay,
                                           double       speed,
                                           guint        port);
void         bw_harness_run_to_end        (BwHarness   *h,
                                           const char  *replay);
void         bw_harness_kill_daemon       (BwHarness   *h);
void         bw_harness_stop_daemon       (BwHarness   *h);
void         bw_harness_start_dunst       (BwHarness   *h);
guint        bw_harness_dunst_count       (BwHarness   *h);
char        *bw_harness_dunst_history     (BwHarness   *h);

BwApplication *bw_harness_start_app       (BwHarness   *h);
void         bw_harness_stop_app          (BwHarness   *h);

gboolean     bw_harness_wait              (gboolean   (*cond) (gpointer),
                                           gpointer     data,
                                           guint        timeout_ms);
void         bw_harness_iterate           (guint        ms);
void         bw_harness_save_png          (BwHarness   *h,
                                           GtkWidget   *widget,
                                           const char  *name);
JsonNode    *bw_harness_get               (BwHarness   *h,
                                           const char  *path);
char        *bw_harness_sql               (BwHarness   *h,
                                           const char  *query);
JsonNode    *bw_harness_ledger_stops      (BwHarness   *h);
void         bw_harness_rm_rf             (const char  *path);
double       bw_harness_wav_seconds       (const char  *path);
double       bw_harness_wav_frequency     (const char  *path,
                                           double       from_s,
                                           double       length_s);

void         bw_truth_stop_free           (BwTruthStop *s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwHarness, bw_harness_free)

G_END_DECLS
