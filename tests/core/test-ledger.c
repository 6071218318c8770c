/* test-ledger.c: the ledger on SQLite and, when BW_TEST_PG names a server,
 * on PostgreSQL; migrations, transactions, and a full disk
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "bw-config.h"
#include "bw-error.h"
#include "bw-ledger.h"
#include "bw-monitor.h"
#include "bw-time.h"

#define T0 G_GINT64_CONSTANT (1795766400000000)

typedef struct
{
  char     *dir;
  char     *path;
  char     *pg_schema;
  char     *conninfo;
  BwLedger *ledger;
} Fixture;

static BwLedger *
open_ledger (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  BwLedger *l;

  if (f->conninfo)
    l = bw_ledger_open_postgres (f->conninfo, &error);
  else
    l = bw_ledger_open_sqlite (f->path, &error);
  g_assert_no_error (error);
  return l;
}

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  gboolean pg = GPOINTER_TO_INT (data);

  f->dir = g_dir_make_tmp ("bw-ledger-XXXXXX", NULL);
  f->path = g_build_filename (f->dir, "sub", "ledger.sqlite", NULL);
  if (pg)
    {
      const char *base = g_getenv ("BW_TEST_PG");
      g_autoptr(GError) error = NULL;
      g_autofree char *sql = NULL;
      BwDb *admin;

      if (base == NULL)
        return;
      /* each test in a schema of its own */
      f->pg_schema = g_strdup_printf ("t_%d_%u", getpid (), g_random_int ());
      admin = bw_db_open_postgres (base, &error);
      g_assert_no_error (error);
      sql = g_strdup_printf ("CREATE SCHEMA %s", f->pg_schema);
      g_assert_true (bw_db_exec (admin, sql, &error));
      bw_db_close (admin);
      f->conninfo = g_strdup_printf ("%s options='-c search_path=%s'", base, f->pg_schema);
    }
  f->ledger = open_ledger (f);
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  g_clear_pointer (&f->ledger, bw_ledger_close);
  if (f->pg_schema)
    {
      BwDb *admin = bw_db_open_postgres (g_getenv ("BW_TEST_PG"), NULL);
      g_autofree char *sql = g_strdup_printf ("DROP SCHEMA %s CASCADE", f->pg_schema);
      bw_db_exec (admin, sql, NULL);
      bw_db_close (admin);
    }
  {
    g_autofree char *sub = g_build_filename (f->dir, "sub", NULL);
    const char *suffixes[] = { "", "-wal", "-shm" };
    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *p = g_strconcat (f->path, suffixes[i], NULL);
        g_unlink (p);
      }
    g_rmdir (sub);
    g_rmdir (f->dir);
  }
  g_free (f->dir);
  g_free (f->path);
  g_free (f->pg_schema);
  g_free (f->conninfo);
}

static gboolean
skip_without_pg (Fixture *f,
                 gconstpointer data)
{
  if (GPOINTER_TO_INT (data) && f->ledger == NULL)
    {
      g_test_skip ("BW_TEST_PG is not set");
      return TRUE;
    }
  return FALSE;
}

static void
test_migrations (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  BwDbStmt *st;

  if (skip_without_pg (f, data))
    return;
  g_assert_cmpint (bw_ledger_get_schema_version (f->ledger), ==, BW_LEDGER_SCHEMA_VERSION);
  /* reopening migrates nothing and keeps the data */
  g_assert_true (bw_ledger_begin (f->ledger, NULL));
  g_assert_true (bw_ledger_ensure_conveyor (f->ledger, "CV-1", "Конвейер 1", T0, NULL));
  g_assert_true (bw_ledger_commit (f->ledger, NULL));
  bw_ledger_close (f->ledger);
  f->ledger = open_ledger (f);
  g_assert_cmpint (bw_ledger_get_schema_version (f->ledger), ==, BW_LEDGER_SCHEMA_VERSION);
  {
    g_autoptr(GPtrArray) cs = bw_ledger_list_conveyors (f->ledger, NULL);
    g_assert_cmpuint (cs->len, ==, 1);
    g_assert_cmpstr (((BwConveyorInfo *) cs->pdata[0])->name, ==, "Конвейер 1");
  }
  /* exactly one row per applied version */
  st = bw_db_prepare (bw_ledger_get_db (f->ledger), "SELECT COUNT(*) FROM schema_version", &error);
  g_assert_no_error (error);
  g_assert_cmpint (bw_db_step (st, NULL), ==, BW_DB_ROW);
  g_assert_cmpint (bw_db_column_int64 (st, 0), ==, BW_LEDGER_SCHEMA_VERSION);
  bw_db_reset (st);

  /* a ledger from a newer Beltwatch is refused, not damaged */
  g_assert_true (bw_db_exec (bw_ledger_get_db (f->ledger), "INSERT INTO schema_version (version) VALUES (99)", NULL));
  bw_ledger_close (f->ledger);
  f->ledger = NULL;
  if (f->conninfo)
    f->ledger = bw_ledger_open_postgres (f->conninfo, &error);
  else
    f->ledger = bw_ledger_open_sqlite (f->path, &error);
  g_assert_null (f->ledger);
  g_assert_error (error, BW_ERROR, BW_ERROR_STORAGE);
  g_assert_nonnull (strstr (error->message, "newer"));
}

static void
test_stops_and_windows (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(BwStop) s = NULL, again = NULL, got = NULL;
  g_autoptr(BwWindow) w = NULL, back = NULL;
  g_autoptr(GPtrArray) list = NULL, hist = NULL;
  const char *tags[] = { "belt_speed", "md_signal" };
  g_autoptr(GError) error = NULL;
  gboolean existed;
  guint64 total;
  BwStopQuery q = { 0 };

  if (skip_without_pg (f, data))
    return;
  s = bw_stop_new ("CV-1", T0, "md_trip");
  s->md_peak = 143.5;
  g_assert_true (bw_ledger_begin (f->ledger, NULL));
  g_assert_true (bw_ledger_insert_stop (f->ledger, s, &existed, &error));
  g_assert_no_error (error);
  g_assert_false (existed);
  g_assert_cmpint (s->id, >, 0);

  w = bw_window_new (T0, T0 - 60 * BW_USEC_PER_SEC, 100000, 901, 2, tags);
  for (guint j = 0; j < 901; j++)
    {
      w->values[0][j] = j < 600 ? 2.5f : 0.0f;
      w->values[1][j] = j == 10 ? NAN : (float) sin (j / 10.0) * 100;
    }
  g_assert_true (bw_ledger_save_window (f->ledger, s->id, w, &error));
  g_assert_true (bw_ledger_commit (f->ledger, &error));

  /* the same stop again (a replayed stream): no duplicate, same id */
  again = bw_stop_new ("CV-1", T0, "md_trip");
  g_assert_true (bw_ledger_begin (f->ledger, NULL));
  g_assert_true (bw_ledger_insert_stop (f->ledger, again, &existed, &error));
  g_assert_true (bw_ledger_commit (f->ledger, NULL));
  g_assert_true (existed);
  g_assert_cmpint (again->id, ==, s->id);

  back = bw_ledger_load_window (f->ledger, s->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->n, ==, 901);
  g_assert_cmpint (back->t0_us, ==, w->t0_us);
  for (guint j = 0; j < 901; j++)
    {
      g_assert_cmpfloat (bw_window_get_values (back, "belt_speed")[j], ==, w->values[0][j]);
      if (j == 10)
        g_assert_true (isnan (bw_window_get_values (back, "md_signal")[j]));
      else
        g_assert_cmpfloat (bw_window_get_values (back, "md_signal")[j], ==, w->values[1][j]);
    }

  /* close it; classify twice: the audit trail keeps old → new */
  s->end_us = T0 + 5 * BW_USEC_PER_MIN;
  g_assert_true (bw_ledger_begin (f->ledger, NULL));
  g_assert_true (bw_ledger_update_stop (f->ledger, s, NULL));
  g_assert_true (bw_ledger_classify_stop (f->ledger, s->id, NULL, NULL, "md_false_trip", "ничего", "Иванов", T0 + 1, NULL));
  g_assert_true (bw_ledger_classify_stop (f->ledger, s->id, "md_false_trip", "ничего", "foreign_object", "болт", "Петров", T0 + 2, NULL));
  g_assert_false (bw_ledger_classify_stop (f->ledger, 999999, NULL, NULL, "other", NULL, "x", T0, &error));
  g_assert_error (error, BW_ERROR, BW_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (bw_ledger_commit (f->ledger, NULL));
  got = bw_ledger_get_stop (f->ledger, s->id, NULL);
  g_assert_cmpstr (got->cause, ==, "foreign_object");
  g_assert_cmpstr (got->classified_by, ==, "Петров");
  g_assert_cmpfloat (got->md_peak, ==, 143.5);
  g_assert_true (isnan (got->suggested_probability));
  hist = bw_ledger_get_classifications (f->ledger, s->id, NULL);
  g_assert_cmpuint (hist->len, ==, 2);
  g_assert_null (((BwClassification *) hist->pdata[0])->old_cause);
  g_assert_cmpstr (((BwClassification *) hist->pdata[1])->old_cause, ==, "md_false_trip");

  /* queries: overlap, conveyor, cause, paging */
  g_assert_true (bw_ledger_begin (f->ledger, NULL));
  for (int i = 1; i <= 20; i++)
    {
      g_autoptr(BwStop) x = bw_stop_new (i % 2 ? "CV-2" : "CV-3", T0 + i * BW_USEC_PER_HOUR, "none");
      x->end_us = i == 20 ? 0 : x->start_us + 10 * BW_USEC_PER_MIN;
      g_assert_true (bw_ledger_insert_stop (f->ledger, x, NULL, NULL));
    }
  g_assert_true (bw_ledger_commit (f->ledger, NULL));
  q.conveyors = (const char *[]) { "CV-2", NULL };
  list = bw_ledger_list_stops (f->ledger, &q, &total, NULL);
  g_assert_cmpuint (list->len, ==, 10);
  g_clear_pointer (&list, g_ptr_array_unref);
  q.conveyors = NULL;
  q.from_us = T0 + 3 * BW_USEC_PER_HOUR + 5 * BW_USEC_PER_MIN;   /* inside stop 3 */
  q.to_us = T0 + 5 * BW_USEC_PER_HOUR + 1;                         /* just after stop 5 began */
  list = bw_ledger_list_stops (f->ledger, &q, &total, NULL);
  g_assert_cmpuint (list->len, ==, 3);
  g_clear_pointer (&list, g_ptr_array_unref);
  memset (&q, 0, sizeof q);
  q.open_only = TRUE;
  list = bw_ledger_list_stops (f->ledger, &q, NULL, NULL);
  g_assert_cmpuint (list->len, ==, 1);
  g_clear_pointer (&list, g_ptr_array_unref);
  memset (&q, 0, sizeof q);
  q.cause = "unclassified";
  q.limit = 7;
  q.offset = 14;
  list = bw_ledger_list_stops (f->ledger, &q, &total, NULL);
  g_assert_cmpuint (total, ==, 20);
  g_assert_cmpuint (list->len, ==, 6);
  g_clear_pointer (&list, g_ptr_array_unref);
  memset (&q, 0, sizeof q);
  q.cause = "foreign_object";
  list = bw_ledger_list_stops (f->ledger, &q, &total, NULL);
  g_assert_cmpuint (list->len, ==, 1);
}

static void
test_rollback (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(BwStop) s = bw_stop_new ("CV-1", T0, "none");
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(BwEvent) e = bw_event_new ("stop.started", T0, "CV-1", NULL);

  if (skip_without_pg (f, data))
    return;
  g_assert_true (bw_ledger_begin (f->ledger, NULL));
  g_assert_true (bw_ledger_insert_stop (f->ledger, s, NULL, NULL));
  g_assert_true (bw_ledger_append_event (f->ledger, e, NULL));
  g_assert_cmpint (e->seq, ==, 1);
  bw_ledger_rollback (f->ledger);
  list = bw_ledger_list_stops (f->ledger, NULL, NULL, NULL);
  g_assert_cmpuint (list->len, ==, 0);
  g_assert_cmpint (bw_ledger_get_last_seq (f->ledger, NULL), ==, 0);
}

static void
test_events_and_history (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GArray) hist = NULL;
  float block[BW_HISTORY_BLOCK_LEN], block2[BW_HISTORY_BLOCK_LEN];
  gint64 minute = T0;

  if (skip_without_pg (f, data))
    return;
  g_assert_true (bw_ledger_begin (f->ledger, NULL));
  for (int i = 0; i < 5; i++)
    {
      JsonObject *d = json_object_new ();
      g_autoptr(BwEvent) e = NULL;
      json_object_set_string_member (d, "note", "ёжик");
      e = bw_event_new (i % 2 ? "alarm.raised" : "stop.started", T0 + i, "CV-1", d);
      g_assert_true (bw_ledger_append_event (f->ledger, e, NULL));
      g_assert_cmpint (e->seq, ==, i + 1);
    }
  g_assert_true (bw_ledger_commit (f->ledger, NULL));
  events = bw_ledger_events_after (f->ledger, 2, 0, NULL);
  g_assert_cmpuint (events->len, ==, 3);
  g_assert_cmpint (((BwEvent *) events->pdata[0])->seq, ==, 3);
  g_assert_cmpstr (json_object_get_string_member (((BwEvent *) events->pdata[0])->data, "note"), ==, "ёжик");

  /* a minute written in two parts (a restart in the middle) keeps both */
  for (guint i = 0; i < BW_HISTORY_BLOCK_LEN; i++)
    block[i] = block2[i] = NAN;
  for (guint s = 0; s < 30; s++)
    block[s * 3] = 1, block[s * 3 + 1] = 2, block[s * 3 + 2] = 3;
  for (guint s = 30; s < 60; s++)
    block2[s * 3] = 4, block2[s * 3 + 1] = 5, block2[s * 3 + 2] = 6;
  g_assert_true (bw_ledger_begin (f->ledger, NULL));
  g_assert_true (bw_ledger_put_history (f->ledger, "CV-1", "load", minute, block, NULL));
  g_assert_true (bw_ledger_put_history (f->ledger, "CV-1", "load", minute, block2, NULL));
  g_assert_true (bw_ledger_commit (f->ledger, NULL));
  hist = bw_ledger_get_history (f->ledger, "CV-1", "load", minute + 10 * BW_USEC_PER_SEC,
                                minute + 50 * BW_USEC_PER_SEC, NULL);
  g_assert_cmpuint (hist->len, ==, 40);
  g_assert_cmpfloat (g_array_index (hist, BwHistoryPoint, 0).mean, ==, 2);
  g_assert_cmpfloat (g_array_index (hist, BwHistoryPoint, 39).max, ==, 6);

  /* pruning */
  g_assert_true (bw_ledger_begin (f->ledger, NULL));
  g_assert_true (bw_ledger_prune (f->ledger, minute + 1, T0 + 3, NULL));
  g_assert_true (bw_ledger_commit (f->ledger, NULL));
  g_clear_pointer (&events, g_ptr_array_unref);
  events = bw_ledger_events_after (f->ledger, 0, 0, NULL);
  g_assert_cmpuint (events->len, ==, 2);
  g_clear_pointer (&hist, g_array_unref);
  hist = bw_ledger_get_history (f->ledger, "CV-1", "load", minute, minute + BW_USEC_PER_MIN, NULL);
  g_assert_cmpuint (hist->len, ==, 0);

  /* source offsets */
  g_assert_true (bw_ledger_begin (f->ledger, NULL));
  g_assert_true (bw_ledger_set_offset (f->ledger, "kafka:data", 2, 17, NULL));
  g_assert_true (bw_ledger_set_offset (f->ledger, "kafka:data", 2, 18, NULL));
  g_assert_true (bw_ledger_commit (f->ledger, NULL));
  {
    g_autoptr(GHashTable) off = bw_ledger_get_offsets (f->ledger, "kafka:data", NULL);
    g_assert_cmpuint (g_hash_table_size (off), ==, 1);
    g_assert_cmpint (*(gint64 *) g_hash_table_lookup (off, GINT_TO_POINTER (2)), ==, 18);
  }
}

/* The monitor on a ledger that fills up: nothing is lost, events wait. */

static void
count_cb (BwMonitor *m,
          BwEvent   *e,
          guint     *n)
{
  (*n)++;
}

static void
test_full_disk (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(BwConfig) config = bw_config_new_from_data ("[conveyor CV-1]\nname=One\n", "test.ini", NULL);
  g_autoptr(BwMonitor) m = bw_monitor_new (config, f->ledger, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stops = NULL;
  BwDb *db = bw_ledger_get_db (f->ledger);
  guint events = 0, events_before = 0, rounds, failed_rounds = 0;
  gint64 t = T0;
  BwDbStmt *st;
  gint64 pages;

  g_signal_connect (m, "event", G_CALLBACK (count_cb), &events);
  bw_monitor_set_check_future (m, FALSE);
  /* the file cannot grow past what it has now: a full disk for SQLite */
  st = bw_db_prepare (db, "PRAGMA page_count", NULL);
  g_assert_cmpint (bw_db_step (st, NULL), ==, BW_DB_ROW);
  pages = bw_db_column_int64 (st, 0);
  bw_db_reset (st);
  {
    g_autofree char *sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT, pages);
    g_assert_true (bw_db_exec (db, sql, NULL));
  }

  g_test_expect_message ("bw-monitor", G_LOG_LEVEL_WARNING, "*cannot write the ledger*full*");
  for (rounds = 0; rounds < 40; rounds++)
    {
      gboolean ok;

      for (int i = 0; i < 1100; i++, t += 100000)
        {
          gboolean running = !(i >= 700 && i < 1000);
          bw_monitor_ingest_sample (m, "CV-1", "running", t, running);
          bw_monitor_ingest_sample (m, "CV-1", "belt_speed", t, running ? 2.5 : 0);
          /* noise does not compress: each window needs new pages */
          bw_monitor_ingest_sample (m, "CV-1", "md_signal", t, g_test_rand_double_range (0, 100));
        }
      ok = bw_monitor_flush (m, &error);
      if (!ok)
        {
          g_assert_error (error, BW_ERROR, BW_ERROR_STORAGE);
          g_clear_error (&error);
          failed_rounds++;
          if (failed_rounds == 1)
            events_before = events;
          if (failed_rounds == 3)
            {
              rounds++;
              break;
            }
        }
      else
        g_assert_cmpuint (failed_rounds, ==, 0);  /* once full, it stays full */
    }
  g_test_assert_expected_messages ();
  g_assert_cmpuint (failed_rounds, ==, 3);
  g_assert_cmpuint (events, ==, events_before);  /* nothing sent that is not stored */
  g_assert_cmpuint (bw_monitor_get_pending (m), >, 0);

  /* space again */
  g_assert_true (bw_db_exec (db, "PRAGMA max_page_count = 1073741823", NULL));
  g_test_expect_message ("bw-monitor", G_LOG_LEVEL_MESSAGE, "*writable again*");
  g_assert_true (bw_monitor_flush (m, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_cmpuint (bw_monitor_get_pending (m), ==, 0);
  stops = bw_ledger_list_stops (f->ledger, NULL, NULL, NULL);
  g_assert_cmpuint (stops->len, ==, rounds);
  /* each stop: started, alarm raised, ended, alarm returned */
  g_assert_cmpuint (events, ==, 4 * rounds);
  g_assert_cmpint (bw_ledger_get_last_seq (f->ledger, NULL), ==, 4 * rounds);
  for (guint i = 0; i < stops->len; i++)
    g_assert_false (bw_stop_is_open (stops->pdata[i]));
}

static void
test_restart_keeps_open_stop (Fixture       *f,
                              gconstpointer  data)
{
  /* the service stops while a belt is stopped; at the next start the stop is
   * still open and ends when the belt runs — one stop, not two */
  g_autoptr(BwConfig) config = bw_config_new_default ();
  g_autoptr(GPtrArray) stops = NULL;
  gint64 t = T0;

  if (skip_without_pg (f, data))
    return;
  for (int round = 0; round < 2; round++)
    {
      g_autoptr(BwMonitor) m = bw_monitor_new (config, f->ledger, NULL);
      bw_monitor_set_check_future (m, FALSE);
      for (int i = 0; i < 100; i++, t += 100000)
        {
          gboolean running = round == 0 ? i < 50 : i >= 50;
          bw_monitor_ingest_sample (m, "CV-7", "running", t, running);
        }
      bw_monitor_finish (m);
      g_assert_true (bw_monitor_flush (m, NULL));
    }
  stops = bw_ledger_list_stops (f->ledger, NULL, NULL, NULL);
  g_assert_cmpuint (stops->len, ==, 1);
  g_assert_cmpint (((BwStop *) stops->pdata[0])->start_us, ==, T0 + 50 * 100000);
  g_assert_cmpint (((BwStop *) stops->pdata[0])->end_us, ==, T0 + 150 * 100000);
}

static void
test_restart_while_coasting (Fixture       *f,
                             gconstpointer  data)
{
  /* the service restarts a few seconds into a stop while the belt still
   * coasts above the zero-speed threshold, and the speed sample of the first
   * tick comes before its running sample: still the same one stop */
  g_autoptr(BwConfig) config = bw_config_new_default ();
  g_autoptr(GPtrArray) stops = NULL;
  gint64 t = T0;

  if (skip_without_pg (f, data))
    return;
  for (int round = 0; round < 2; round++)
    {
      g_autoptr(BwMonitor) m = bw_monitor_new (config, f->ledger, NULL);
      bw_monitor_set_check_future (m, FALSE);
      for (int i = 0; i < (round == 0 ? 130 : 300); i++, t += 100000)
        {
          /* round 0: runs 10 s, stops at 10 s (coasting from 2.5 m/s);
           * round 1: coasting goes on, then the belt restarts at 28 s */
          double since_stop = (t - (T0 + 100 * 100000)) / 1e6;
          gboolean running = since_stop < 0 || since_stop >= 18;
          double speed = running ? 2.5 : 2.5 * exp (-since_stop / 1.2);

          bw_monitor_ingest_sample (m, "CV-7", "belt_speed", t, speed);
          bw_monitor_ingest_sample (m, "CV-7", "running", t, running);
        }
      bw_monitor_finish (m);
      g_assert_true (bw_monitor_flush (m, NULL));
    }
  stops = bw_ledger_list_stops (f->ledger, NULL, NULL, NULL);
  g_assert_cmpuint (stops->len, ==, 1);
  g_assert_cmpint (((BwStop *) stops->pdata[0])->start_us, ==, T0 + 100 * 100000);
  g_assert_cmpint (((BwStop *) stops->pdata[0])->end_us, ==, T0 + 280 * 100000);
}

static void
test_pg_server_went_away (Fixture       *f,
                          gconstpointer  data)
{
  /* the service's PostgreSQL connection is cut while stops happen: the
   * changes wait, the connection comes back, nothing is lost */
  g_autoptr(BwConfig) config = bw_config_new_from_data ("[conveyor CV-1]\nname=One\n", "test.ini", NULL);
  g_autoptr(BwMonitor) m = NULL;
  g_autoptr(GPtrArray) stops = NULL;
  g_autoptr(GError) error = NULL;
  BwDb *admin;
  gint64 t = T0;
  guint events = 0;

  if (skip_without_pg (f, data))
    return;
  m = bw_monitor_new (config, f->ledger, NULL);
  bw_monitor_set_check_future (m, FALSE);
  g_signal_connect (m, "event", G_CALLBACK (count_cb), &events);
  admin = bw_db_open_postgres (g_getenv ("BW_TEST_PG"), &error);
  g_assert_no_error (error);

  for (int round = 0; round < 3; round++)
    {
      for (int i = 0; i < 300; i++, t += 100000)
        bw_monitor_ingest_sample (m, "CV-1", "running", t, !(i >= 100 && i < 200));
      if (round == 1)
        {
          /* cut every connection of the test's schema but the admin's */
          g_autofree char *sql = g_strdup_printf (
            "SELECT pg_terminate_backend (pid) FROM pg_stat_activity "
            "WHERE pid <> pg_backend_pid () AND datname = current_database () "
            "AND backend_type = 'client backend' AND query NOT LIKE '%%pg_stat_activity%%'");
          g_test_expect_message ("bw-monitor", G_LOG_LEVEL_WARNING, "*cannot write the ledger*");
          g_assert_true (bw_db_exec (admin, sql, NULL));
          g_usleep (200000);
          g_assert_false (bw_monitor_flush (m, &error));
          g_assert_error (error, BW_ERROR, BW_ERROR_STORAGE);
          g_clear_error (&error);
          g_test_assert_expected_messages ();
        }
      if (round == 2)
        {
          g_test_expect_message ("bw-db", G_LOG_LEVEL_MESSAGE, "*connected to PostgreSQL again*");
          g_test_expect_message ("bw-monitor", G_LOG_LEVEL_MESSAGE, "*writable again*");
        }
      if (round != 1)
        {
          g_assert_true (bw_monitor_flush (m, &error));
          g_assert_no_error (error);
        }
    }
  g_test_assert_expected_messages ();
  bw_db_close (admin);
  stops = bw_ledger_list_stops (f->ledger, NULL, NULL, NULL);
  g_assert_cmpuint (stops->len, ==, 3);
  g_assert_cmpuint (events, ==, 12);
}

static void
test_readonly_and_missing (void)
{
  g_autoptr(GError) error = NULL;
  BwLedger *l = bw_ledger_open_sqlite_readonly ("/nonexistent/ledger.sqlite", &error);

  g_assert_null (l);
  g_assert_error (error, BW_ERROR, BW_ERROR_NOT_FOUND);
  g_clear_error (&error);
  l = bw_ledger_open_sqlite ("/proc/beltwatch/ledger.sqlite", &error);
  g_assert_null (l);
  g_assert_error (error, BW_ERROR, BW_ERROR_STORAGE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  for (int pg = 0; pg < 2; pg++)
    {
      const char *b = pg ? "/ledger/postgresql" : "/ledger/sqlite";
      g_autofree char *p1 = g_strconcat (b, "/migrations", NULL);
      g_autofree char *p2 = g_strconcat (b, "/stops-and-windows", NULL);
      g_autofree char *p3 = g_strconcat (b, "/rollback", NULL);
      g_autofree char *p4 = g_strconcat (b, "/events-and-history", NULL);
      g_autofree char *p5 = g_strconcat (b, "/restart-keeps-open-stop", NULL);
      g_autofree char *p6 = g_strconcat (b, "/restart-while-coasting", NULL);
      g_test_add (p1, Fixture, GINT_TO_POINTER (pg), setup, test_migrations, teardown);
      g_test_add (p2, Fixture, GINT_TO_POINTER (pg), setup, test_stops_and_windows, teardown);
      g_test_add (p3, Fixture, GINT_TO_POINTER (pg), setup, test_rollback, teardown);
      g_test_add (p4, Fixture, GINT_TO_POINTER (pg), setup, test_events_and_history, teardown);
      g_test_add (p5, Fixture, GINT_TO_POINTER (pg), setup, test_restart_keeps_open_stop, teardown);
      g_test_add (p6, Fixture, GINT_TO_POINTER (pg), setup, test_restart_while_coasting, teardown);
    }
  g_test_add ("/ledger/postgresql/server-went-away", Fixture, GINT_TO_POINTER (1), setup, test_pg_server_went_away, teardown);
  g_test_add ("/ledger/sqlite/full-disk", Fixture, GINT_TO_POINTER (0), setup, test_full_disk, teardown);
  g_test_add_func ("/ledger/readonly-and-missing", test_readonly_and_missing);
  return g_test_run ();
}
