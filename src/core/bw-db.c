/* bw-db.c
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-db"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "bw-db.h"
#include "bw-error.h"

#define MAX_PARAMS 32

struct _BwDb
{
  BwDbBackend  backend;
  char        *name;
  sqlite3     *sqlite;
  PGconn      *pg;
  GHashTable  *stmts;        /* sql → BwDbStmt */
  guint        n_prepared;
  gboolean     in_tx;
  gint64       changes;
};

struct _BwDbStmt
{
  BwDb         *db;
  char         *sql;
  /* SQLite */
  sqlite3_stmt *sq;
  /* PostgreSQL */
  char         *pg_name;
  int           n_params;
  char         *values[MAX_PARAMS];
  int           lengths[MAX_PARAMS];
  int           formats[MAX_PARAMS];
  PGresult     *result;
  int           row;           /* -1 before the first step */
  GPtrArray    *unescaped;     /* bytea buffers of the current row */
};

static void
stmt_clear_params (BwDbStmt *stmt)
{
  for (int i = 0; i < MAX_PARAMS; i++)
    {
      g_clear_pointer (&stmt->values[i], g_free);
      stmt->lengths[i] = 0;
      stmt->formats[i] = 0;
    }
}

static void
stmt_free (gpointer data)
{
  BwDbStmt *stmt = data;

  if (stmt->sq)
    sqlite3_finalize (stmt->sq);
  g_clear_pointer (&stmt->result, PQclear);
  stmt_clear_params (stmt);
  g_clear_pointer (&stmt->unescaped, g_ptr_array_unref);
  g_free (stmt->pg_name);
  g_free (stmt->sql);
  g_free (stmt);
}

static BwDb *
db_new (BwDbBackend backend,
        const char *name)
{
  BwDb *db = g_new0 (BwDb, 1);

  db->backend = backend;
  db->name = g_strdup (name);
  db->stmts = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, stmt_free);
  return db;
}

static void
set_sqlite_error (BwDb        *db,
                  GError     **error,
                  const char  *what)
{
  int code = sqlite3_extended_errcode (db->sqlite);
  const char *hint = "";

  if ((code & 0xff) == SQLITE_FULL)
    hint = " (the disk is full)";
  else if ((code & 0xff) == SQLITE_READONLY)
    hint = " (the ledger is read-only)";
  g_set_error (error, BW_ERROR, BW_ERROR_STORAGE, "%s: %s: %s%s", db->name, what,
               sqlite3_errmsg (db->sqlite), hint);
}

BwDb *
bw_db_open_sqlite (const char  *path,
                   gboolean     read_only,
                   GError     **error)
{
  BwDb *db = db_new (BW_DB_SQLITE, path);
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  int rc;

  flags |= SQLITE_OPEN_NOMUTEX;
  rc = sqlite3_open_v2 (path, &db->sqlite, flags, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_STORAGE, "Cannot open the ledger %s: %s", path,
                   db->sqlite ? sqlite3_errmsg (db->sqlite) : sqlite3_errstr (rc));
      bw_db_close (db);
      return NULL;
    }
  sqlite3_extended_result_codes (db->sqlite, 1);
  sqlite3_busy_timeout (db->sqlite, 10000);
  if ((!read_only && !bw_db_exec (db, "PRAGMA journal_mode=WAL", error)) ||
      !bw_db_exec (db, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON", error))
    {
      bw_db_close (db);
      return NULL;
    }
  return db;
}

BwDb *
bw_db_open_postgres (const char  *conninfo,
                     GError     **error)
{
  BwDb *db;
  PGconn *pg = PQconnectdb (conninfo);
  PGresult *res;

  if (PQstatus (pg) != CONNECTION_OK)
    {
      g_autofree char *msg = g_strstrip (g_strdup (PQerrorMessage (pg)));
      g_set_error (error, BW_ERROR, BW_ERROR_STORAGE, "Cannot connect to PostgreSQL: %s", msg);
      PQfinish (pg);
      return NULL;
    }
  db = db_new (BW_DB_POSTGRESQL, PQdb (pg));
  db->pg = pg;
  res = PQexec (pg, "SET client_min_messages TO WARNING; SET TIME ZONE 'UTC'");
  PQclear (res);
  return db;
}

void
bw_db_close (BwDb *db)
{
  if (db == NULL)
    return;
  g_hash_table_destroy (db->stmts);
  if (db->sqlite)
    sqlite3_close (db->sqlite);
  if (db->pg)
    PQfinish (db->pg);
  g_free (db->name);
  g_free (db);
}

BwDbBackend
bw_db_get_backend (BwDb *db)
{
  return db->backend;
}

const char *
bw_db_get_name (BwDb *db)
{
  return db->name;
}

static gboolean
pg_check (BwDb       *db,
          PGresult   *res,
          GError    **error)
{
  ExecStatusType st = PQresultStatus (res);

  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
    return TRUE;
  {
    g_autofree char *msg = g_strstrip (g_strdup (PQresultErrorMessage (res)));
    if (*msg == '\0')
      {
        g_free (msg);
        msg = g_strstrip (g_strdup (PQerrorMessage (db->pg)));
      }
    g_set_error (error, BW_ERROR, BW_ERROR_STORAGE, "PostgreSQL: %s", msg);
  }
  return FALSE;
}

gboolean
bw_db_exec (BwDb        *db,
            const char  *sql,
            GError     **error)
{
  if (db->backend == BW_DB_SQLITE)
    {
      char *msg = NULL;
      if (sqlite3_exec (db->sqlite, sql, NULL, NULL, &msg) != SQLITE_OK)
        {
          set_sqlite_error (db, error, "exec");
          sqlite3_free (msg);
          return FALSE;
        }
      return TRUE;
    }
  else
    {
      PGresult *res = PQexec (db->pg, sql);
      gboolean ok = pg_check (db, res, error);
      PQclear (res);
      return ok;
    }
}

/* A PostgreSQL server that went away (restarted, or the connection was cut):
 * connect again. Prepared statements belong to the old session. */
static gboolean
pg_ensure_connected (BwDb     *db,
                     GError  **error)
{
  if (db->pg == NULL || PQstatus (db->pg) == CONNECTION_OK)
    return TRUE;
  g_hash_table_remove_all (db->stmts);
  PQreset (db->pg);
  if (PQstatus (db->pg) != CONNECTION_OK)
    {
      g_autofree char *msg = g_strstrip (g_strdup (PQerrorMessage (db->pg)));
      g_set_error (error, BW_ERROR, BW_ERROR_STORAGE, "PostgreSQL is not reachable: %s", msg);
      return FALSE;
    }
  PQclear (PQexec (db->pg, "SET client_min_messages TO WARNING; SET TIME ZONE 'UTC'"));
  g_message ("connected to PostgreSQL again");
  return TRUE;
}

gboolean
bw_db_begin (BwDb     *db,
             GError  **error)
{
  g_return_val_if_fail (!db->in_tx, FALSE);
  if (!pg_ensure_connected (db, error))
    return FALSE;
  if (!bw_db_exec (db, db->backend == BW_DB_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN", error))
    return FALSE;
  db->in_tx = TRUE;
  return TRUE;
}

gboolean
bw_db_commit (BwDb     *db,
              GError  **error)
{
  g_return_val_if_fail (db->in_tx, FALSE);
  if (!bw_db_exec (db, "COMMIT", error))
    {
      bw_db_rollback (db);
      return FALSE;
    }
  db->in_tx = FALSE;
  return TRUE;
}

void
bw_db_rollback (BwDb *db)
{
  if (!db->in_tx)
    return;
  if (db->backend == BW_DB_SQLITE)
    {
      if (!sqlite3_get_autocommit (db->sqlite))
        sqlite3_exec (db->sqlite, "ROLLBACK", NULL, NULL, NULL);
    }
  else
    PQclear (PQexec (db->pg, "ROLLBACK"));
  db->in_tx = FALSE;
}

gboolean
bw_db_in_transaction (BwDb *db)
{
  return db->in_tx;
}

/* ? → $1, $2, … outside string literals */
static char *
rewrite_placeholders (const char *sql,
                      int        *n_params)
{
  GString *out = g_string_sized_new (strlen (sql) + 16);
  gboolean in_str = FALSE;
  int n = 0;

  for (const char *p = sql; *p; p++)
    {
      if (*p == '\'')
        in_str = !in_str;
      if (*p == '?' && !in_str)
        g_string_append_printf (out, "$%d", ++n);
      else
        g_string_append_c (out, *p);
    }
  *n_params = n;
  return g_string_free (out, FALSE);
}

BwDbStmt *
bw_db_prepare (BwDb        *db,
               const char  *sql,
               GError     **error)
{
  BwDbStmt *stmt;

  if (!db->in_tx && !pg_ensure_connected (db, error))
    return NULL;
  stmt = g_hash_table_lookup (db->stmts, sql);
  if (stmt)
    {
      bw_db_reset (stmt);
      return stmt;
    }
  stmt = g_new0 (BwDbStmt, 1);
  stmt->db = db;
  stmt->sql = g_strdup (sql);
  stmt->row = -1;

  if (db->backend == BW_DB_SQLITE)
    {
      if (sqlite3_prepare_v3 (db->sqlite, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt->sq, NULL) != SQLITE_OK)
        {
          set_sqlite_error (db, error, "prepare");
          stmt_free (stmt);
          return NULL;
        }
    }
  else
    {
      g_autofree char *pg_sql = rewrite_placeholders (sql, &stmt->n_params);
      PGresult *res;

      if (stmt->n_params > MAX_PARAMS)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_STORAGE, "too many parameters");
          stmt_free (stmt);
          return NULL;
        }
      stmt->pg_name = g_strdup_printf ("bw_%u", ++db->n_prepared);
      res = PQprepare (db->pg, stmt->pg_name, pg_sql, 0, NULL);
      if (!pg_check (db, res, error))
        {
          PQclear (res);
          stmt_free (stmt);
          return NULL;
        }
      PQclear (res);
    }
  g_hash_table_insert (db->stmts, stmt->sql, stmt);
  return stmt;
}

void
bw_db_reset (BwDbStmt *stmt)
{
  if (stmt->sq)
    {
      sqlite3_reset (stmt->sq);
      sqlite3_clear_bindings (stmt->sq);
    }
  else
    {
      g_clear_pointer (&stmt->result, PQclear);
      stmt_clear_params (stmt);
      stmt->row = -1;
    }
}

void
bw_db_bind_int64 (BwDbStmt *stmt,
                  int       index,
                  gint64    value)
{
  if (stmt->sq)
    sqlite3_bind_int64 (stmt->sq, index, value);
  else
    {
      g_free (stmt->values[index - 1]);
      stmt->values[index - 1] = g_strdup_printf ("%" G_GINT64_FORMAT, value);
    }
}

void
bw_db_bind_double (BwDbStmt *stmt,
                   int       index,
                   double    value)
{
  if (!isfinite (value))
    {
      bw_db_bind_null (stmt, index);
      return;
    }
  if (stmt->sq)
    sqlite3_bind_double (stmt->sq, index, value);
  else
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      g_free (stmt->values[index - 1]);
      stmt->values[index - 1] = g_strdup (g_ascii_dtostr (buf, sizeof buf, value));
    }
}

void
bw_db_bind_text (BwDbStmt   *stmt,
                 int         index,
                 const char *value)
{
  if (value == NULL)
    {
      bw_db_bind_null (stmt, index);
      return;
    }
  if (stmt->sq)
    sqlite3_bind_text (stmt->sq, index, value, -1, SQLITE_TRANSIENT);
  else
    {
      g_free (stmt->values[index - 1]);
      stmt->values[index - 1] = g_strdup (value);
    }
}

void
bw_db_bind_blob (BwDbStmt     *stmt,
                 int           index,
                 gconstpointer data,
                 gsize         len)
{
  if (stmt->sq)
    sqlite3_bind_blob64 (stmt->sq, index, data, len, SQLITE_TRANSIENT);
  else
    {
      g_free (stmt->values[index - 1]);
      stmt->values[index - 1] = g_memdup2 (data, MAX (len, 1));
      stmt->lengths[index - 1] = (int) len;
      stmt->formats[index - 1] = 1;
    }
}

void
bw_db_bind_null (BwDbStmt *stmt,
                 int       index)
{
  if (stmt->sq)
    sqlite3_bind_null (stmt->sq, index);
  else
    g_clear_pointer (&stmt->values[index - 1], g_free);
}

BwDbStep
bw_db_step (BwDbStmt  *stmt,
            GError   **error)
{
  BwDb *db = stmt->db;

  if (stmt->sq)
    {
      int rc = sqlite3_step (stmt->sq);

      if (rc == SQLITE_ROW)
        return BW_DB_ROW;
      if (rc == SQLITE_DONE)
        {
          db->changes = sqlite3_changes64 (db->sqlite);
          return BW_DB_DONE;
        }
      set_sqlite_error (db, error, "step");
      sqlite3_reset (stmt->sq);
      return BW_DB_ERROR;
    }

  if (stmt->row < 0)
    {
      stmt->result = PQexecPrepared (db->pg, stmt->pg_name, stmt->n_params,
                                     (const char * const *) stmt->values, stmt->lengths,
                                     stmt->formats, 0);
      if (!pg_check (db, stmt->result, error))
        {
          g_clear_pointer (&stmt->result, PQclear);
          return BW_DB_ERROR;
        }
      {
        const char *tuples = PQcmdTuples (stmt->result);
        db->changes = tuples && *tuples ? g_ascii_strtoll (tuples, NULL, 10) : 0;
      }
    }
  stmt->row++;
  if (stmt->unescaped)
    g_ptr_array_set_size (stmt->unescaped, 0);
  return stmt->row < PQntuples (stmt->result) ? BW_DB_ROW : BW_DB_DONE;
}

/* Steps a statement that returns no rows, then resets it */
gboolean
bw_db_run (BwDbStmt  *stmt,
           GError   **error)
{
  BwDbStep st;

  while ((st = bw_db_step (stmt, error)) == BW_DB_ROW)
    ;
  bw_db_reset (stmt);
  return st == BW_DB_DONE;
}

gboolean
bw_db_column_is_null (BwDbStmt *stmt,
                      int       col)
{
  if (stmt->sq)
    return sqlite3_column_type (stmt->sq, col) == SQLITE_NULL;
  return PQgetisnull (stmt->result, stmt->row, col);
}

gint64
bw_db_column_int64 (BwDbStmt *stmt,
                    int       col)
{
  if (stmt->sq)
    return sqlite3_column_int64 (stmt->sq, col);
  if (PQgetisnull (stmt->result, stmt->row, col))
    return 0;
  return g_ascii_strtoll (PQgetvalue (stmt->result, stmt->row, col), NULL, 10);
}

double
bw_db_column_double (BwDbStmt *stmt,
                     int       col)
{
  if (bw_db_column_is_null (stmt, col))
    return NAN;
  if (stmt->sq)
    return sqlite3_column_double (stmt->sq, col);
  return g_ascii_strtod (PQgetvalue (stmt->result, stmt->row, col), NULL);
}

const char *
bw_db_column_text (BwDbStmt *stmt,
                   int       col)
{
  if (stmt->sq)
    return (const char *) sqlite3_column_text (stmt->sq, col);
  if (PQgetisnull (stmt->result, stmt->row, col))
    return NULL;
  return PQgetvalue (stmt->result, stmt->row, col);
}

gconstpointer
bw_db_column_blob (BwDbStmt *stmt,
                   int       col,
                   gsize    *len)
{
  if (stmt->sq)
    {
      *len = (gsize) sqlite3_column_bytes (stmt->sq, col);
      return sqlite3_column_blob (stmt->sq, col);
    }
  if (PQgetisnull (stmt->result, stmt->row, col))
    {
      *len = 0;
      return NULL;
    }
  {
    size_t n = 0;
    unsigned char *buf = PQunescapeBytea ((const unsigned char *) PQgetvalue (stmt->result, stmt->row, col), &n);
    if (stmt->unescaped == NULL)
      stmt->unescaped = g_ptr_array_new_with_free_func (PQfreemem);
    g_ptr_array_add (stmt->unescaped, buf);
    *len = n;
    return buf;
  }
}

gint64
bw_db_changes (BwDb *db)
{
  return db->changes;
}
