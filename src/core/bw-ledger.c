/* bw-ledger.c
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-ledger"

#include "config.h"

#include <math.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "bw-error.h"
#include "bw-ledger.h"
#include "bw-time.h"

struct _BwLedger
{
  BwDb *db;
  int   version;
};

#define STOP_COLUMNS \
  "id, conveyor, start_us, end_us, trigger, micro, suggested_cause, suggested_probability, " \
  "suggested_model, cause, comment, classified_by, classified_us, md_peak, md_background, " \
  "load_before, alarm_id"

#define ALARM_COLUMNS \
  "id, conveyor, kind, priority, stop_id, state, message, raised_us, returned_us, acked_us, " \
  "acked_by, cleared_us"

static char *
substitute (const char  *sql,
            BwDbBackend  backend)
{
  g_autoptr(GString) s = g_string_new (sql);

  if (backend == BW_DB_SQLITE)
    {
      g_string_replace (s, "{{ID}}", "INTEGER PRIMARY KEY AUTOINCREMENT", 0);
      g_string_replace (s, "{{BLOB}}", "BLOB", 0);
    }
  else
    {
      g_string_replace (s, "{{ID}}", "BIGSERIAL PRIMARY KEY", 0);
      g_string_replace (s, "{{BLOB}}", "BYTEA", 0);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static int
read_version (BwLedger  *self,
              GError   **error)
{
  BwDbStmt *st;
  int version = 0;

  if (!bw_db_exec (self->db, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", error))
    return -1;
  st = bw_db_prepare (self->db, "SELECT MAX(version) FROM schema_version", error);
  if (st == NULL)
    return -1;
  if (bw_db_step (st, error) == BW_DB_ROW)
    version = (int) bw_db_column_int64 (st, 0);
  bw_db_reset (st);
  return version;
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

static gboolean
migrate (BwLedger  *self,
         GError   **error)
{
  const char *dir = "/io/github/beltwatch/core/sql";
  g_auto(GStrv) names = g_resources_enumerate_children (dir, 0, NULL);
  guint n;

  self->version = read_version (self, error);
  if (self->version < 0)
    return FALSE;

  g_assert (names != NULL);
  n = g_strv_length (names);
  qsort (names, n, sizeof (char *), (GCompareFunc) compare_names);

  if (self->version > BW_LEDGER_SCHEMA_VERSION)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_STORAGE,
                   "The ledger %s has schema version %d, newer than this Beltwatch knows (%d); "
                   "upgrade Beltwatch", bw_db_get_name (self->db), self->version,
                   BW_LEDGER_SCHEMA_VERSION);
      return FALSE;
    }

  for (guint i = 0; i < n; i++)
    {
      int v = atoi (names[i]);
      g_autofree char *path = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autofree char *sql = NULL;
      BwDbStmt *st;

      if (v <= self->version)
        continue;
      path = g_strconcat (dir, "/", names[i], NULL);
      bytes = g_resources_lookup_data (path, 0, error);
      if (bytes == NULL)
        return FALSE;
      sql = substitute (g_bytes_get_data (bytes, NULL), bw_db_get_backend (self->db));

      g_debug ("migrating %s to schema version %d", bw_db_get_name (self->db), v);
      if (!bw_db_begin (self->db, error))
        return FALSE;
      if (!bw_db_exec (self->db, sql, error) ||
          (st = bw_db_prepare (self->db, "INSERT INTO schema_version (version) VALUES (?)", error)) == NULL)
        {
          bw_db_rollback (self->db);
          g_prefix_error (error, "Migration to schema version %d failed: ", v);
          return FALSE;
        }
      bw_db_bind_int64 (st, 1, v);
      if (!bw_db_run (st, error) || !bw_db_commit (self->db, error))
        {
          bw_db_rollback (self->db);
          return FALSE;
        }
      self->version = v;
    }
  return TRUE;
}

static BwLedger *
ledger_new (BwDb     *db,
            gboolean  do_migrate,
            GError  **error)
{
  BwLedger *self;

  if (db == NULL)
    return NULL;
  self = g_new0 (BwLedger, 1);
  self->db = db;
  if (do_migrate ? !migrate (self, error) : (self->version = read_version (self, error)) < 0)
    {
      bw_ledger_close (self);
      return NULL;
    }
  if (!do_migrate && self->version != BW_LEDGER_SCHEMA_VERSION)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_STORAGE, "%s is not a Beltwatch ledger of schema version %d",
                   bw_db_get_name (db), BW_LEDGER_SCHEMA_VERSION);
      bw_ledger_close (self);
      return NULL;
    }
  return self;
}

/**
 * bw_ledger_open_sqlite:
 *
 * Opens or creates a ledger file, creating its folder, and brings its schema
 * up to date.
 */
BwLedger *
bw_ledger_open_sqlite (const char  *path,
                       GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0750) != 0)
    {
      int errsv = errno;
      g_set_error (error, BW_ERROR, BW_ERROR_STORAGE, "Cannot create the folder %s: %s", dir,
                   g_strerror (errsv));
      return NULL;
    }
  return ledger_new (bw_db_open_sqlite (path, FALSE, error), TRUE, error);
}

/**
 * bw_ledger_open_sqlite_readonly:
 *
 * Opens an existing ledger for reading (reports, exports, a second
 * connection for worker threads).
 */
BwLedger *
bw_ledger_open_sqlite_readonly (const char  *path,
                                GError     **error)
{
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_NOT_FOUND, "No ledger at %s", path);
      return NULL;
    }
  return ledger_new (bw_db_open_sqlite (path, TRUE, error), FALSE, error);
}

BwLedger *
bw_ledger_open_postgres (const char  *conninfo,
                         GError     **error)
{
  return ledger_new (bw_db_open_postgres (conninfo, error), TRUE, error);
}

BwLedger *
bw_ledger_open_for_config (const BwConfig  *config,
                           GError         **error)
{
  if (g_strcmp0 (config->storage_backend, "postgresql") == 0)
    return bw_ledger_open_postgres (config->pg_conninfo, error);
  return bw_ledger_open_sqlite (config->db_path, error);
}

void
bw_ledger_close (BwLedger *self)
{
  if (self == NULL)
    return;
  if (self->db && bw_db_in_transaction (self->db))
    bw_db_rollback (self->db);
  g_clear_pointer (&self->db, bw_db_close);
  g_free (self);
}

BwDb *
bw_ledger_get_db (BwLedger *self)
{
  return self->db;
}

int
bw_ledger_get_schema_version (BwLedger *self)
{
  return self->version;
}

char *
bw_ledger_describe (BwLedger *self)
{
  return g_strdup_printf ("%s %s", bw_db_get_backend (self->db) == BW_DB_SQLITE ? "sqlite" : "postgresql",
                          bw_db_get_name (self->db));
}

gboolean
bw_ledger_begin (BwLedger  *self,
                 GError   **error)
{
  return bw_db_begin (self->db, error);
}

gboolean
bw_ledger_commit (BwLedger  *self,
                  GError   **error)
{
  return bw_db_commit (self->db, error);
}

void
bw_ledger_rollback (BwLedger *self)
{
  bw_db_rollback (self->db);
}

/* ---- conveyors ---- */

gboolean
bw_ledger_ensure_conveyor (BwLedger    *self,
                           const char  *id,
                           const char  *name,
                           gint64       first_seen_us,
                           GError     **error)
{
  BwDbStmt *st = bw_db_prepare (self->db,
                                "INSERT INTO conveyors (id, name, first_seen_us) VALUES (?, ?, ?) "
                                "ON CONFLICT (id) DO UPDATE SET name = excluded.name", error);
  if (st == NULL)
    return FALSE;
  bw_db_bind_text (st, 1, id);
  bw_db_bind_text (st, 2, name ? name : id);
  bw_db_bind_int64 (st, 3, first_seen_us);
  return bw_db_run (st, error);
}

void
bw_conveyor_info_free (BwConveyorInfo *info)
{
  g_free (info->id);
  g_free (info->name);
  g_free (info);
}

GPtrArray *
bw_ledger_list_conveyors (BwLedger  *self,
                          GError   **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_conveyor_info_free);
  BwDbStmt *st = bw_db_prepare (self->db, "SELECT id, name, first_seen_us FROM conveyors ORDER BY id", error);
  BwDbStep r;

  if (st == NULL)
    return NULL;
  while ((r = bw_db_step (st, error)) == BW_DB_ROW)
    {
      BwConveyorInfo *c = g_new0 (BwConveyorInfo, 1);
      c->id = g_strdup (bw_db_column_text (st, 0));
      c->name = g_strdup (bw_db_column_text (st, 1));
      c->first_seen_us = bw_db_column_int64 (st, 2);
      g_ptr_array_add (out, c);
    }
  bw_db_reset (st);
  return r == BW_DB_ERROR ? NULL : g_steal_pointer (&out);
}

/* ---- stops ---- */

static void
bind_opt_time (BwDbStmt *st,
               int       i,
               gint64    t)
{
  if (t)
    bw_db_bind_int64 (st, i, t);
  else
    bw_db_bind_null (st, i);
}

static BwStop *
stop_from_row (BwDbStmt *st)
{
  BwStop *s = bw_stop_new (bw_db_column_text (st, 1), bw_db_column_int64 (st, 2),
                           bw_db_column_text (st, 4));

  s->id = bw_db_column_int64 (st, 0);
  s->end_us = bw_db_column_int64 (st, 3);
  s->micro = bw_db_column_int64 (st, 5) != 0;
  s->suggested_cause = g_strdup (bw_db_column_text (st, 6));
  s->suggested_probability = bw_db_column_double (st, 7);
  s->suggested_model = g_strdup (bw_db_column_text (st, 8));
  s->cause = g_strdup (bw_db_column_text (st, 9));
  s->comment = g_strdup (bw_db_column_text (st, 10));
  s->classified_by = g_strdup (bw_db_column_text (st, 11));
  s->classified_us = bw_db_column_int64 (st, 12);
  s->md_peak = bw_db_column_double (st, 13);
  s->md_background = bw_db_column_double (st, 14);
  s->load_before = bw_db_column_double (st, 15);
  s->alarm_id = bw_db_column_int64 (st, 16);
  return s;
}

static void
bind_stop_fields (BwDbStmt *st,
                  BwStop   *stop,
                  int       first)
{
  int i = first;

  bind_opt_time (st, i++, stop->end_us);
  bw_db_bind_text (st, i++, stop->trigger);
  bw_db_bind_int64 (st, i++, stop->micro);
  bw_db_bind_text (st, i++, stop->suggested_cause);
  bw_db_bind_double (st, i++, stop->suggested_probability);
  bw_db_bind_text (st, i++, stop->suggested_model);
  bw_db_bind_text (st, i++, stop->cause);
  bw_db_bind_text (st, i++, stop->comment);
  bw_db_bind_text (st, i++, stop->classified_by);
  bind_opt_time (st, i++, stop->classified_us);
  bw_db_bind_double (st, i++, stop->md_peak);
  bw_db_bind_double (st, i++, stop->md_background);
  bw_db_bind_double (st, i++, stop->load_before);
  bind_opt_time (st, i++, stop->alarm_id);
}

/**
 * bw_ledger_insert_stop:
 * @existed: (out) (optional): set if the ledger already had a stop of this
 *   conveyor at this start (a replayed stream); @stop is then filled from it
 *
 * Sets @stop->id.
 */
gboolean
bw_ledger_insert_stop (BwLedger  *self,
                       BwStop    *stop,
                       gboolean  *existed,
                       GError   **error)
{
  BwDbStmt *st = bw_db_prepare (self->db,
    "INSERT INTO stops (conveyor, start_us, end_us, trigger, micro, suggested_cause, "
    "suggested_probability, suggested_model, cause, comment, classified_by, classified_us, "
    "md_peak, md_background, load_before, alarm_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (conveyor, start_us) DO NOTHING RETURNING id", error);
  BwDbStep r;

  if (existed)
    *existed = FALSE;
  if (st == NULL)
    return FALSE;
  bw_db_bind_text (st, 1, stop->conveyor);
  bw_db_bind_int64 (st, 2, stop->start_us);
  bind_stop_fields (st, stop, 3);
  r = bw_db_step (st, error);
  if (r == BW_DB_ERROR)
    return FALSE;
  if (r == BW_DB_ROW)
    {
      stop->id = bw_db_column_int64 (st, 0);
      bw_db_reset (st);
      return TRUE;
    }
  bw_db_reset (st);

  /* it was there already: take the stored one */
  st = bw_db_prepare (self->db, "SELECT " STOP_COLUMNS " FROM stops WHERE conveyor = ? AND start_us = ?", error);
  if (st == NULL)
    return FALSE;
  bw_db_bind_text (st, 1, stop->conveyor);
  bw_db_bind_int64 (st, 2, stop->start_us);
  r = bw_db_step (st, error);
  if (r == BW_DB_ROW)
    {
      g_autoptr(BwStop) old = stop_from_row (st);
      stop->id = old->id;
      if (old->cause)
        bw_stop_set_classification (stop, old->cause, old->comment, old->classified_by, old->classified_us);
      if (old->end_us && !stop->end_us)
        stop->end_us = old->end_us;
      if (old->alarm_id)
        stop->alarm_id = old->alarm_id;
      if (existed)
        *existed = TRUE;
    }
  bw_db_reset (st);
  if (r == BW_DB_DONE)
    g_set_error (error, BW_ERROR, BW_ERROR_STORAGE, "stop insert conflicted but no stop was found");
  return r == BW_DB_ROW;
}

gboolean
bw_ledger_update_stop (BwLedger  *self,
                       BwStop    *stop,
                       GError   **error)
{
  BwDbStmt *st = bw_db_prepare (self->db,
    "UPDATE stops SET end_us = ?, trigger = ?, micro = ?, suggested_cause = ?, "
    "suggested_probability = ?, suggested_model = ?, cause = ?, comment = ?, classified_by = ?, "
    "classified_us = ?, md_peak = ?, md_background = ?, load_before = ?, alarm_id = ? WHERE id = ?", error);

  g_return_val_if_fail (stop->id > 0, FALSE);
  if (st == NULL)
    return FALSE;
  bind_stop_fields (st, stop, 1);
  bw_db_bind_int64 (st, 15, stop->id);
  return bw_db_run (st, error);
}

BwStop *
bw_ledger_get_stop (BwLedger  *self,
                    gint64     id,
                    GError   **error)
{
  BwDbStmt *st = bw_db_prepare (self->db, "SELECT " STOP_COLUMNS " FROM stops WHERE id = ?", error);
  BwStop *stop = NULL;
  BwDbStep r;

  if (st == NULL)
    return NULL;
  bw_db_bind_int64 (st, 1, id);
  r = bw_db_step (st, error);
  if (r == BW_DB_ROW)
    stop = stop_from_row (st);
  else if (r == BW_DB_DONE)
    g_set_error (error, BW_ERROR, BW_ERROR_NOT_FOUND, "No stop %" G_GINT64_FORMAT, id);
  bw_db_reset (st);
  return stop;
}

static void
append_filters (GString           *sql,
                const BwStopQuery *q)
{
  g_string_append (sql, " WHERE 1 = 1");
  if (q->to_us)
    g_string_append (sql, " AND start_us < ?");
  if (q->from_us)
    g_string_append (sql, " AND (end_us IS NULL OR end_us > ?)");
  if (q->conveyors && q->conveyors[0])
    {
      g_string_append (sql, " AND conveyor IN (");
      for (guint i = 0; q->conveyors[i]; i++)
        g_string_append (sql, i ? ", ?" : "?");
      g_string_append (sql, ")");
    }
  if (q->cause)
    g_string_append (sql, g_str_equal (q->cause, "unclassified") ? " AND cause IS NULL" : " AND cause = ?");
  if (q->open_only)
    g_string_append (sql, " AND end_us IS NULL");
}

static int
bind_filters (BwDbStmt          *st,
              const BwStopQuery *q)
{
  int i = 1;

  if (q->to_us)
    bw_db_bind_int64 (st, i++, q->to_us);
  if (q->from_us)
    bw_db_bind_int64 (st, i++, q->from_us);
  if (q->conveyors)
    for (guint k = 0; q->conveyors[k]; k++)
      bw_db_bind_text (st, i++, q->conveyors[k]);
  if (q->cause && !g_str_equal (q->cause, "unclassified"))
    bw_db_bind_text (st, i++, q->cause);
  return i;
}

/**
 * bw_ledger_list_stops:
 * @total: (out) (optional): the number of stops matching, ignoring paging
 *
 * Returns: (transfer container) (element-type BwStop): the stops
 */
GPtrArray *
bw_ledger_list_stops (BwLedger          *self,
                      const BwStopQuery *q,
                      guint64           *total,
                      GError           **error)
{
  static const BwStopQuery all = { 0 };
  g_autoptr(GString) sql = g_string_new ("SELECT " STOP_COLUMNS " FROM stops");
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_object_unref);
  BwDbStmt *st;
  BwDbStep r;
  int i;

  if (q == NULL)
    q = &all;
  if (q->conveyors && g_strv_length ((GStrv) q->conveyors) > 16)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "At most 16 conveyors in one query");
      return NULL;
    }
  append_filters (sql, q);
  g_string_append (sql, q->ascending ? " ORDER BY start_us ASC, id ASC" : " ORDER BY start_us DESC, id DESC");
  if (q->limit)
    g_string_append (sql, " LIMIT ? OFFSET ?");

  st = bw_db_prepare (self->db, sql->str, error);
  if (st == NULL)
    return NULL;
  i = bind_filters (st, q);
  if (q->limit)
    {
      bw_db_bind_int64 (st, i++, q->limit);
      bw_db_bind_int64 (st, i++, q->offset);
    }
  while ((r = bw_db_step (st, error)) == BW_DB_ROW)
    g_ptr_array_add (out, stop_from_row (st));
  bw_db_reset (st);
  if (r == BW_DB_ERROR)
    return NULL;

  if (total)
    {
      if (!q->limit)
        *total = out->len;
      else
        {
          g_autoptr(GString) csql = g_string_new ("SELECT COUNT(*) FROM stops");
          append_filters (csql, q);
          st = bw_db_prepare (self->db, csql->str, error);
          if (st == NULL)
            return NULL;
          bind_filters (st, q);
          r = bw_db_step (st, error);
          if (r == BW_DB_ERROR)
            return NULL;
          *total = (guint64) bw_db_column_int64 (st, 0);
          bw_db_reset (st);
        }
    }
  return g_steal_pointer (&out);
}

static GBytes *
zlib_convert (GConverter    *conv,
              gconstpointer  data,
              gsize          len,
              GError       **error)
{
  g_autoptr(GByteArray) out = g_byte_array_sized_new ((guint) (len / 2 + 64));
  const guint8 *in = data;
  gsize in_left = len;
  guint8 buf[16384];

  for (;;)
    {
      gsize read = 0, written = 0;
      GConverterResult res = g_converter_convert (conv, in, in_left, buf, sizeof buf,
                                                  G_CONVERTER_INPUT_AT_END, &read, &written, error);
      if (res == G_CONVERTER_ERROR)
        return NULL;
      in += read;
      in_left -= read;
      g_byte_array_append (out, buf, (guint) written);
      if (res == G_CONVERTER_FINISHED)
        break;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

gboolean
bw_ledger_save_window (BwLedger        *self,
                       gint64           stop_id,
                       const BwWindow  *w,
                       GError         **error)
{
  BwDbStmt *st;

  for (guint i = 0; i < w->n_tags; i++)
    {
      g_autoptr(GZlibCompressor) z = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB, 6);
      g_autofree float *le = g_new (float, MAX (w->n, 1));
      g_autoptr(GBytes) packed = NULL;
      gsize len;
      gconstpointer data;

      for (guint j = 0; j < w->n; j++)
        {
          union { float f; guint32 u; } v = { .f = w->values[i][j] };
          v.u = GUINT32_TO_LE (v.u);
          le[j] = v.f;
        }
      packed = zlib_convert (G_CONVERTER (z), le, w->n * sizeof (float), error);
      if (packed == NULL)
        return FALSE;
      st = bw_db_prepare (self->db,
                          "INSERT INTO stop_windows (stop_id, tag, stop_us, t0_us, period_us, n, data) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (stop_id, tag) DO UPDATE SET "
                          "stop_us = excluded.stop_us, t0_us = excluded.t0_us, "
                          "period_us = excluded.period_us, n = excluded.n, data = excluded.data", error);
      if (st == NULL)
        return FALSE;
      data = g_bytes_get_data (packed, &len);
      bw_db_bind_int64 (st, 1, stop_id);
      bw_db_bind_text (st, 2, w->tags[i]);
      bw_db_bind_int64 (st, 3, w->stop_us);
      bw_db_bind_int64 (st, 4, w->t0_us);
      bw_db_bind_int64 (st, 5, w->period_us);
      bw_db_bind_int64 (st, 6, w->n);
      bw_db_bind_blob (st, 7, data, len);
      if (!bw_db_run (st, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * bw_ledger_load_window:
 *
 * Returns: (transfer full) (nullable): the stop's window; %NULL without an
 *   error if none was stored
 */
BwWindow *
bw_ledger_load_window (BwLedger  *self,
                       gint64     stop_id,
                       GError   **error)
{
  BwDbStmt *st = bw_db_prepare (self->db,
                                "SELECT tag, stop_us, t0_us, period_us, n, data FROM stop_windows "
                                "WHERE stop_id = ? ORDER BY tag", error);
  g_autoptr(GPtrArray) tags = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) blobs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gint64 stop_us = 0, t0 = 0, period = 0, n = -1;
  BwWindow *w;
  BwDbStep r;

  if (st == NULL)
    return NULL;
  bw_db_bind_int64 (st, 1, stop_id);
  while ((r = bw_db_step (st, error)) == BW_DB_ROW)
    {
      gsize len;
      gconstpointer data = bw_db_column_blob (st, 5, &len);

      if (n >= 0 && (bw_db_column_int64 (st, 4) != n || bw_db_column_int64 (st, 2) != t0))
        continue; /* a tag on another grid: not expected, skip it */
      g_ptr_array_add (tags, g_strdup (bw_db_column_text (st, 0)));
      stop_us = bw_db_column_int64 (st, 1);
      t0 = bw_db_column_int64 (st, 2);
      period = bw_db_column_int64 (st, 3);
      n = bw_db_column_int64 (st, 4);
      g_ptr_array_add (blobs, g_bytes_new (data, len));
    }
  bw_db_reset (st);
  if (r == BW_DB_ERROR || tags->len == 0 || period <= 0)
    return NULL;

  w = bw_window_new (stop_us, t0, period, (guint) n, tags->len, (const char **) tags->pdata);
  for (guint i = 0; i < tags->len; i++)
    {
      g_autoptr(GZlibDecompressor) z = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB);
      gsize len;
      gconstpointer data = g_bytes_get_data (blobs->pdata[i], &len);
      g_autoptr(GBytes) raw = zlib_convert (G_CONVERTER (z), data, len, error);
      const float *f;

      if (raw == NULL || g_bytes_get_size (raw) != (gsize) n * sizeof (float))
        {
          if (raw != NULL)
            g_set_error (error, BW_ERROR, BW_ERROR_STORAGE, "Stop %" G_GINT64_FORMAT ": window of %s is damaged",
                         stop_id, (char *) tags->pdata[i]);
          bw_window_unref (w);
          return NULL;
        }
      f = g_bytes_get_data (raw, NULL);
      for (gint64 j = 0; j < n; j++)
        {
          union { float f; guint32 u; } v = { .f = f[j] };
          v.u = GUINT32_FROM_LE (v.u);
          w->values[i][j] = v.f;
        }
    }
  return w;
}

/**
 * bw_ledger_classify_stop:
 * @old_cause: (nullable): the cause before, for the audit trail
 * @old_comment: (nullable): the comment before
 *
 * Records the operator's cause with an audit row (who, when, old → new) and
 * sets the stop's classification columns.
 */
gboolean
bw_ledger_classify_stop (BwLedger    *self,
                         gint64       stop_id,
                         const char  *old_cause,
                         const char  *old_comment,
                         const char  *cause,
                         const char  *comment,
                         const char  *who,
                         gint64       when_us,
                         GError     **error)
{
  BwDbStmt *st = bw_db_prepare (self->db, "UPDATE stops SET cause = ?, comment = ?, classified_by = ?, "
                                          "classified_us = ? WHERE id = ?", error);
  if (st == NULL)
    return FALSE;
  bw_db_bind_text (st, 1, cause);
  bw_db_bind_text (st, 2, comment);
  bw_db_bind_text (st, 3, who);
  bw_db_bind_int64 (st, 4, when_us);
  bw_db_bind_int64 (st, 5, stop_id);
  if (!bw_db_run (st, error))
    return FALSE;
  if (bw_db_changes (self->db) != 1)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_NOT_FOUND, "No stop %" G_GINT64_FORMAT, stop_id);
      return FALSE;
    }
  st = bw_db_prepare (self->db,
                      "INSERT INTO classifications (stop_id, time_us, operator, old_cause, "
                      "new_cause, old_comment, new_comment) VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (st == NULL)
    return FALSE;
  bw_db_bind_int64 (st, 1, stop_id);
  bw_db_bind_int64 (st, 2, when_us);
  bw_db_bind_text (st, 3, who);
  bw_db_bind_text (st, 4, old_cause);
  bw_db_bind_text (st, 5, cause);
  bw_db_bind_text (st, 6, old_comment);
  bw_db_bind_text (st, 7, comment);
  return bw_db_run (st, error);
}

void
bw_classification_free (BwClassification *c)
{
  g_free (c->operator);
  g_free (c->old_cause);
  g_free (c->new_cause);
  g_free (c->old_comment);
  g_free (c->new_comment);
  g_free (c);
}

GPtrArray *
bw_ledger_get_classifications (BwLedger  *self,
                               gint64     stop_id,
                               GError   **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_classification_free);
  BwDbStmt *st = bw_db_prepare (self->db,
                                "SELECT time_us, operator, old_cause, new_cause, old_comment, new_comment "
                                "FROM classifications WHERE stop_id = ? ORDER BY time_us, id", error);
  BwDbStep r;

  if (st == NULL)
    return NULL;
  bw_db_bind_int64 (st, 1, stop_id);
  while ((r = bw_db_step (st, error)) == BW_DB_ROW)
    {
      BwClassification *c = g_new0 (BwClassification, 1);
      c->time_us = bw_db_column_int64 (st, 0);
      c->operator = g_strdup (bw_db_column_text (st, 1));
      c->old_cause = g_strdup (bw_db_column_text (st, 2));
      c->new_cause = g_strdup (bw_db_column_text (st, 3));
      c->old_comment = g_strdup (bw_db_column_text (st, 4));
      c->new_comment = g_strdup (bw_db_column_text (st, 5));
      g_ptr_array_add (out, c);
    }
  bw_db_reset (st);
  return r == BW_DB_ERROR ? NULL : g_steal_pointer (&out);
}

/* ---- alarms ---- */

static void
bind_alarm_fields (BwDbStmt *st,
                   BwAlarm  *a)
{
  bw_db_bind_text (st, 1, a->conveyor);
  bw_db_bind_text (st, 2, a->kind);
  bw_db_bind_int64 (st, 3, a->priority);
  bind_opt_time (st, 4, a->stop_id);
  bw_db_bind_text (st, 5, bw_alarm_state_name (a->state));
  bw_db_bind_text (st, 6, a->message);
  bw_db_bind_int64 (st, 7, a->raised_us);
  bind_opt_time (st, 8, a->returned_us);
  bind_opt_time (st, 9, a->acked_us);
  bw_db_bind_text (st, 10, a->acked_by);
  bind_opt_time (st, 11, a->cleared_us);
}

gboolean
bw_ledger_insert_alarm (BwLedger  *self,
                        BwAlarm   *alarm,
                        GError   **error)
{
  BwDbStmt *st = bw_db_prepare (self->db,
                                "INSERT INTO alarms (conveyor, kind, priority, stop_id, state, message, "
                                "raised_us, returned_us, acked_us, acked_by, cleared_us) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", error);
  BwDbStep r;

  if (st == NULL)
    return FALSE;
  bind_alarm_fields (st, alarm);
  r = bw_db_step (st, error);
  if (r == BW_DB_ROW)
    alarm->id = bw_db_column_int64 (st, 0);
  bw_db_reset (st);
  return r == BW_DB_ROW;
}

gboolean
bw_ledger_update_alarm (BwLedger  *self,
                        BwAlarm   *alarm,
                        GError   **error)
{
  BwDbStmt *st = bw_db_prepare (self->db,
                                "UPDATE alarms SET conveyor = ?, kind = ?, priority = ?, stop_id = ?, "
                                "state = ?, message = ?, raised_us = ?, returned_us = ?, acked_us = ?, "
                                "acked_by = ?, cleared_us = ? WHERE id = ?", error);
  if (st == NULL)
    return FALSE;
  bind_alarm_fields (st, alarm);
  bw_db_bind_int64 (st, 12, alarm->id);
  return bw_db_run (st, error);
}

static BwAlarm *
alarm_from_row (BwDbStmt *st)
{
  BwAlarm *a = bw_alarm_new (bw_db_column_text (st, 1), bw_db_column_text (st, 2),
                             (BwAlarmPriority) bw_db_column_int64 (st, 3),
                             bw_db_column_text (st, 6), bw_db_column_int64 (st, 7));
  BwAlarmState state = BW_ALARM_NORMAL;

  a->id = bw_db_column_int64 (st, 0);
  a->stop_id = bw_db_column_int64 (st, 4);
  bw_alarm_state_from_name (bw_db_column_text (st, 5), &state);
  a->state = state;
  a->returned_us = bw_db_column_int64 (st, 8);
  a->acked_us = bw_db_column_int64 (st, 9);
  a->acked_by = g_strdup (bw_db_column_text (st, 10));
  a->cleared_us = bw_db_column_int64 (st, 11);
  return a;
}

BwAlarm *
bw_ledger_get_alarm (BwLedger  *self,
                     gint64     id,
                     GError   **error)
{
  BwDbStmt *st = bw_db_prepare (self->db, "SELECT " ALARM_COLUMNS " FROM alarms WHERE id = ?", error);
  BwAlarm *a = NULL;
  BwDbStep r;

  if (st == NULL)
    return NULL;
  bw_db_bind_int64 (st, 1, id);
  r = bw_db_step (st, error);
  if (r == BW_DB_ROW)
    a = alarm_from_row (st);
  else if (r == BW_DB_DONE)
    g_set_error (error, BW_ERROR, BW_ERROR_NOT_FOUND, "No alarm %" G_GINT64_FORMAT, id);
  bw_db_reset (st);
  return a;
}

/**
 * bw_ledger_list_alarms:
 * @not_normal_only: only alarms that are active or still to acknowledge
 * @since_us: only alarms raised at or after this (0: all)
 *
 * Returns: (transfer container) (element-type BwAlarm): newest first
 */
GPtrArray *
bw_ledger_list_alarms (BwLedger  *self,
                       gboolean   not_normal_only,
                       gint64     since_us,
                       guint      limit,
                       GError   **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GString) sql = g_string_new ("SELECT " ALARM_COLUMNS " FROM alarms WHERE raised_us >= ?");
  BwDbStmt *st;
  BwDbStep r;

  if (not_normal_only)
    g_string_append (sql, " AND state <> 'normal'");
  g_string_append (sql, " ORDER BY raised_us DESC, id DESC LIMIT ?");
  st = bw_db_prepare (self->db, sql->str, error);
  if (st == NULL)
    return NULL;
  bw_db_bind_int64 (st, 1, since_us);
  bw_db_bind_int64 (st, 2, limit ? limit : G_MAXINT32);
  while ((r = bw_db_step (st, error)) == BW_DB_ROW)
    g_ptr_array_add (out, alarm_from_row (st));
  bw_db_reset (st);
  return r == BW_DB_ERROR ? NULL : g_steal_pointer (&out);
}

/* ---- events ---- */

/**
 * bw_ledger_append_event:
 *
 * Stores a persistent event and sets its @seq.
 */
gboolean
bw_ledger_append_event (BwLedger  *self,
                        BwEvent   *event,
                        GError   **error)
{
  BwDbStmt *st = bw_db_prepare (self->db,
                                "INSERT INTO events (time_us, type, conveyor, body) VALUES (?, ?, ?, ?) "
                                "RETURNING seq", error);
  g_autofree char *body = NULL;
  BwDbStep r;

  if (st == NULL)
    return FALSE;
  body = bw_event_data_to_string (event);
  bw_db_bind_int64 (st, 1, event->time_us);
  bw_db_bind_text (st, 2, event->type);
  bw_db_bind_text (st, 3, event->conveyor);
  bw_db_bind_text (st, 4, body);
  r = bw_db_step (st, error);
  if (r == BW_DB_ROW)
    event->seq = bw_db_column_int64 (st, 0);
  bw_db_reset (st);
  return r == BW_DB_ROW;
}

/**
 * bw_ledger_events_after:
 *
 * Returns: (transfer container) (element-type BwEvent): the stored events
 *   with seq > @after_seq, oldest first, at most @limit
 */
GPtrArray *
bw_ledger_events_after (BwLedger  *self,
                        gint64     after_seq,
                        guint      limit,
                        GError   **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_event_unref);
  g_autoptr(JsonParser) parser = json_parser_new ();
  BwDbStmt *st = bw_db_prepare (self->db,
                                "SELECT seq, time_us, type, conveyor, body FROM events WHERE seq > ? "
                                "ORDER BY seq LIMIT ?", error);
  BwDbStep r;

  if (st == NULL)
    return NULL;
  bw_db_bind_int64 (st, 1, after_seq);
  bw_db_bind_int64 (st, 2, limit ? limit : G_MAXINT32);
  while ((r = bw_db_step (st, error)) == BW_DB_ROW)
    {
      JsonObject *data = NULL;
      BwEvent *e;

      if (json_parser_load_from_data (parser, bw_db_column_text (st, 4), -1, NULL) &&
          JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        data = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
      e = bw_event_new (bw_db_column_text (st, 2), bw_db_column_int64 (st, 1),
                        bw_db_column_text (st, 3), data);
      e->seq = bw_db_column_int64 (st, 0);
      g_ptr_array_add (out, e);
    }
  bw_db_reset (st);
  return r == BW_DB_ERROR ? NULL : g_steal_pointer (&out);
}

gint64
bw_ledger_get_last_seq (BwLedger  *self,
                        GError   **error)
{
  BwDbStmt *st = bw_db_prepare (self->db, "SELECT COALESCE(MAX(seq), 0) FROM events", error);
  gint64 seq = -1;

  if (st == NULL)
    return -1;
  if (bw_db_step (st, error) == BW_DB_ROW)
    seq = bw_db_column_int64 (st, 0);
  bw_db_reset (st);
  return seq;
}

/* ---- history ---- */

static void
block_to_le (const float *in,
             float       *out)
{
  for (guint i = 0; i < BW_HISTORY_BLOCK_LEN; i++)
    {
      union { float f; guint32 u; } v = { .f = in[i] };
      v.u = GUINT32_TO_LE (v.u);
      out[i] = v.f;
    }
}

/**
 * bw_ledger_put_history:
 * @block: %BW_HISTORY_BLOCK_LEN floats: for each second of the minute its
 *   min, mean and max (NAN for seconds without data)
 *
 * Stores a minute of per-second history; seconds already stored for that
 * minute and absent from @block are kept.
 */
gboolean
bw_ledger_put_history (BwLedger     *self,
                       const char   *conveyor,
                       const char   *tag,
                       gint64        minute_us,
                       const float  *block,
                       GError      **error)
{
  float merged[BW_HISTORY_BLOCK_LEN];
  float le[BW_HISTORY_BLOCK_LEN];
  BwDbStmt *st;
  BwDbStep r;

  memcpy (merged, block, sizeof merged);
  st = bw_db_prepare (self->db, "SELECT data FROM history WHERE conveyor = ? AND tag = ? AND minute_us = ?", error);
  if (st == NULL)
    return FALSE;
  bw_db_bind_text (st, 1, conveyor);
  bw_db_bind_text (st, 2, tag);
  bw_db_bind_int64 (st, 3, minute_us);
  r = bw_db_step (st, error);
  if (r == BW_DB_ERROR)
    return FALSE;
  if (r == BW_DB_ROW)
    {
      gsize len;
      const float *old = bw_db_column_blob (st, 0, &len);
      if (len == sizeof merged)
        for (guint s = 0; s < 60; s++)
          if (isnan (merged[s * 3 + 1]))
            {
              for (guint k = 0; k < 3; k++)
                {
                  union { float f; guint32 u; } v = { .f = old[s * 3 + k] };
                  v.u = GUINT32_FROM_LE (v.u);
                  merged[s * 3 + k] = v.f;
                }
            }
    }
  bw_db_reset (st);

  block_to_le (merged, le);
  st = bw_db_prepare (self->db, "INSERT INTO history (conveyor, tag, minute_us, data) VALUES (?, ?, ?, ?) "
                                "ON CONFLICT (conveyor, tag, minute_us) DO UPDATE SET data = excluded.data", error);
  if (st == NULL)
    return FALSE;
  bw_db_bind_text (st, 1, conveyor);
  bw_db_bind_text (st, 2, tag);
  bw_db_bind_int64 (st, 3, minute_us);
  bw_db_bind_blob (st, 4, le, sizeof le);
  return bw_db_run (st, error);
}

/**
 * bw_ledger_get_history:
 *
 * Returns: (transfer full) (element-type BwHistoryPoint): the seconds with
 *   data in [@from_us, @to_us), in time order
 */
GArray *
bw_ledger_get_history (BwLedger    *self,
                       const char  *conveyor,
                       const char  *tag,
                       gint64       from_us,
                       gint64       to_us,
                       GError     **error)
{
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (BwHistoryPoint));
  BwDbStmt *st = bw_db_prepare (self->db,
                                "SELECT minute_us, data FROM history WHERE conveyor = ? AND tag = ? "
                                "AND minute_us >= ? AND minute_us < ? ORDER BY minute_us", error);
  BwDbStep r;

  if (st == NULL)
    return NULL;
  bw_db_bind_text (st, 1, conveyor);
  bw_db_bind_text (st, 2, tag);
  bw_db_bind_int64 (st, 3, from_us - (from_us % BW_USEC_PER_MIN + BW_USEC_PER_MIN) % BW_USEC_PER_MIN);
  bw_db_bind_int64 (st, 4, to_us);
  while ((r = bw_db_step (st, error)) == BW_DB_ROW)
    {
      gint64 minute = bw_db_column_int64 (st, 0);
      gsize len;
      const float *data = bw_db_column_blob (st, 1, &len);

      if (len != BW_HISTORY_BLOCK_LEN * sizeof (float))
        continue;
      for (guint s = 0; s < 60; s++)
        {
          BwHistoryPoint p;
          float v[3];

          p.time_us = minute + s * BW_USEC_PER_SEC;
          if (p.time_us < from_us || p.time_us >= to_us)
            continue;
          for (guint k = 0; k < 3; k++)
            {
              union { float f; guint32 u; } u = { .f = data[s * 3 + k] };
              u.u = GUINT32_FROM_LE (u.u);
              v[k] = u.f;
            }
          if (isnan (v[1]))
            continue;
          p.min = v[0];
          p.mean = v[1];
          p.max = v[2];
          g_array_append_val (out, p);
        }
    }
  bw_db_reset (st);
  return r == BW_DB_ERROR ? NULL : g_steal_pointer (&out);
}

/* ---- source offsets ---- */

gboolean
bw_ledger_set_offset (BwLedger    *self,
                      const char  *source,
                      int          part,
                      gint64       next_offset,
                      GError     **error)
{
  BwDbStmt *st = bw_db_prepare (self->db,
                                "INSERT INTO source_offsets (source, part, next_offset) VALUES (?, ?, ?) "
                                "ON CONFLICT (source, part) DO UPDATE SET next_offset = excluded.next_offset", error);
  if (st == NULL)
    return FALSE;
  bw_db_bind_text (st, 1, source);
  bw_db_bind_int64 (st, 2, part);
  bw_db_bind_int64 (st, 3, next_offset);
  return bw_db_run (st, error);
}

/**
 * bw_ledger_get_offsets:
 *
 * Returns: (transfer full): partition (GINT_TO_POINTER) → next offset (gint64*)
 */
GHashTable *
bw_ledger_get_offsets (BwLedger    *self,
                       const char  *source,
                       GError     **error)
{
  g_autoptr(GHashTable) out = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  BwDbStmt *st = bw_db_prepare (self->db, "SELECT part, next_offset FROM source_offsets WHERE source = ?", error);
  BwDbStep r;

  if (st == NULL)
    return NULL;
  bw_db_bind_text (st, 1, source);
  while ((r = bw_db_step (st, error)) == BW_DB_ROW)
    {
      gint64 *off = g_new (gint64, 1);
      *off = bw_db_column_int64 (st, 1);
      g_hash_table_insert (out, GINT_TO_POINTER ((int) bw_db_column_int64 (st, 0)), off);
    }
  bw_db_reset (st);
  return r == BW_DB_ERROR ? NULL : g_steal_pointer (&out);
}

gboolean
bw_ledger_prune (BwLedger  *self,
                 gint64     history_before_us,
                 gint64     events_before_us,
                 GError   **error)
{
  BwDbStmt *st;

  if (history_before_us)
    {
      st = bw_db_prepare (self->db, "DELETE FROM history WHERE minute_us < ?", error);
      if (st == NULL)
        return FALSE;
      bw_db_bind_int64 (st, 1, history_before_us);
      if (!bw_db_run (st, error))
        return FALSE;
    }
  if (events_before_us)
    {
      st = bw_db_prepare (self->db, "DELETE FROM events WHERE time_us < ?", error);
      if (st == NULL)
        return FALSE;
      bw_db_bind_int64 (st, 1, events_before_us);
      if (!bw_db_run (st, error))
        return FALSE;
    }
  return TRUE;
}
