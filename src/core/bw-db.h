/* bw-db.h: one SQL interface over SQLite and PostgreSQL (libpq)
 *
 * Statements use `?` placeholders (rewritten to $n for PostgreSQL) and are
 * prepared once and cached by their text. One connection is used by one
 * thread at a time.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  BW_DB_SQLITE,
  BW_DB_POSTGRESQL,
} BwDbBackend;

typedef enum
{
  BW_DB_ERROR = -1,
  BW_DB_DONE = 0,
  BW_DB_ROW = 1,
} BwDbStep;

typedef struct _BwDb     BwDb;
typedef struct _BwDbStmt BwDbStmt;

BwDb        *bw_db_open_sqlite    (const char  *path,
                                   gboolean     read_only,
                                   GError     **error);
BwDb        *bw_db_open_postgres  (const char  *conninfo,
                                   GError     **error);
void         bw_db_close          (BwDb        *db);
BwDbBackend  bw_db_get_backend    (BwDb        *db);
const char  *bw_db_get_name       (BwDb        *db);
gboolean     bw_db_exec           (BwDb        *db,
                                   const char  *sql,
                                   GError     **error);
gboolean     bw_db_begin          (BwDb        *db,
                                   GError     **error);
gboolean     bw_db_commit         (BwDb        *db,
                                   GError     **error);
void         bw_db_rollback       (BwDb        *db);
gboolean     bw_db_in_transaction (BwDb        *db);

BwDbStmt    *bw_db_prepare        (BwDb        *db,
                                   const char  *sql,
                                   GError     **error);
void         bw_db_bind_int64     (BwDbStmt    *stmt,
                                   int          index,
                                   gint64       value);
void         bw_db_bind_double    (BwDbStmt    *stmt,
                                   int          index,
                                   double       value);
void         bw_db_bind_text      (BwDbStmt    *stmt,
                                   int          index,
                                   const char  *value);
void         bw_db_bind_blob      (BwDbStmt    *stmt,
                                   int          index,
                                   gconstpointer data,
                                   gsize        len);
void         bw_db_bind_null      (BwDbStmt    *stmt,
                                   int          index);
BwDbStep     bw_db_step           (BwDbStmt    *stmt,
                                   GError     **error);
gboolean     bw_db_run            (BwDbStmt    *stmt,
                                   GError     **error);
void         bw_db_reset          (BwDbStmt    *stmt);
gboolean     bw_db_column_is_null (BwDbStmt    *stmt,
                                   int          col);
gint64       bw_db_column_int64   (BwDbStmt    *stmt,
                                   int          col);
double       bw_db_column_double  (BwDbStmt    *stmt,
                                   int          col);
const char  *bw_db_column_text    (BwDbStmt    *stmt,
                                   int          col);
gconstpointer bw_db_column_blob   (BwDbStmt    *stmt,
                                   int          col,
                                   gsize       *len);
gint64       bw_db_changes        (BwDb        *db);

G_END_DECLS
