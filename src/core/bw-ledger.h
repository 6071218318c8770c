/* bw-ledger.h: the downtime ledger — stops, windows, classifications,
 * alarms, the event log and the per-second history — in SQLite or PostgreSQL
 *
 * Writes are not wrapped in transactions by these functions: callers group
 * what belongs together between bw_ledger_begin() and bw_ledger_commit().
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "bw-alarm.h"
#include "bw-config.h"
#include "bw-db.h"
#include "bw-event.h"
#include "bw-stop.h"
#include "bw-window.h"

G_BEGIN_DECLS

#define BW_LEDGER_SCHEMA_VERSION 1
#define BW_HISTORY_BLOCK_LEN     180   /* 60 s × (min, mean, max) */

typedef struct _BwLedger BwLedger;

typedef struct
{
  gint64              from_us;     /* 0: unbounded; stops overlapping [from, to) */
  gint64              to_us;
  const char * const *conveyors;   /* NULL: all */
  const char         *cause;       /* operator's cause, "unclassified", or NULL: any */
  gboolean            open_only;
  gboolean            ascending;   /* by start; newest first otherwise */
  guint               limit;       /* 0: no limit */
  guint               offset;
} BwStopQuery;

typedef struct
{
  gint64  time_us;
  char   *operator;
  char   *old_cause;
  char   *new_cause;
  char   *old_comment;
  char   *new_comment;
} BwClassification;

typedef struct
{
  gint64 time_us;   /* start of the second */
  float  min;
  float  mean;
  float  max;
} BwHistoryPoint;

typedef struct
{
  char  *id;
  char  *name;
  gint64 first_seen_us;
} BwConveyorInfo;

BwLedger    *bw_ledger_open_sqlite        (const char        *path,
                                           GError           **error);
BwLedger    *bw_ledger_open_sqlite_readonly (const char      *path,
                                           GError           **error);
BwLedger    *bw_ledger_open_postgres      (const char        *conninfo,
                                           GError           **error);
BwLedger    *bw_ledger_open_for_config    (const BwConfig    *config,
                                           GError           **error);
void         bw_ledger_close              (BwLedger          *self);
BwDb        *bw_ledger_get_db             (BwLedger          *self);
int          bw_ledger_get_schema_version (BwLedger          *self);
char        *bw_ledger_describe           (BwLedger          *self);

gboolean     bw_ledger_begin              (BwLedger          *self,
                                           GError           **error);
gboolean     bw_ledger_commit             (BwLedger          *self,
                                           GError           **error);
void         bw_ledger_rollback           (BwLedger          *self);

gboolean     bw_ledger_ensure_conveyor    (BwLedger          *self,
                                           const char        *id,
                                           const char        *name,
                                           gint64             first_seen_us,
                                           GError           **error);
GPtrArray   *bw_ledger_list_conveyors     (BwLedger          *self,
                                           GError           **error);
void         bw_conveyor_info_free        (BwConveyorInfo    *info);

gboolean     bw_ledger_insert_stop        (BwLedger          *self,
                                           BwStop            *stop,
                                           gboolean          *existed,
                                           GError           **error);
gboolean     bw_ledger_update_stop        (BwLedger          *self,
                                           BwStop            *stop,
                                           GError           **error);
BwStop      *bw_ledger_get_stop           (BwLedger          *self,
                                           gint64             id,
                                           GError           **error);
GPtrArray   *bw_ledger_list_stops         (BwLedger          *self,
                                           const BwStopQuery *query,
                                           guint64           *total,
                                           GError           **error);
gboolean     bw_ledger_save_window        (BwLedger          *self,
                                           gint64             stop_id,
                                           const BwWindow    *window,
                                           GError           **error);
BwWindow    *bw_ledger_load_window        (BwLedger          *self,
                                           gint64             stop_id,
                                           GError           **error);
gboolean     bw_ledger_classify_stop      (BwLedger          *self,
                                           gint64             stop_id,
                                           const char        *old_cause,
                                           const char        *old_comment,
                                           const char        *cause,
                                           const char        *comment,
                                           const char        *who,
                                           gint64             when_us,
                                           GError           **error);
GPtrArray   *bw_ledger_get_classifications (BwLedger         *self,
                                           gint64             stop_id,
                                           GError           **error);
void         bw_classification_free       (BwClassification  *c);

gboolean     bw_ledger_insert_alarm       (BwLedger          *self,
                                           BwAlarm           *alarm,
                                           GError           **error);
gboolean     bw_ledger_update_alarm       (BwLedger          *self,
                                           BwAlarm           *alarm,
                                           GError           **error);
BwAlarm     *bw_ledger_get_alarm          (BwLedger          *self,
                                           gint64             id,
                                           GError           **error);
GPtrArray   *bw_ledger_list_alarms        (BwLedger          *self,
                                           gboolean           not_normal_only,
                                           gint64             since_us,
                                           guint              limit,
                                           GError           **error);

gboolean     bw_ledger_append_event       (BwLedger          *self,
                                           BwEvent           *event,
                                           GError           **error);
GPtrArray   *bw_ledger_events_after       (BwLedger          *self,
                                           gint64             after_seq,
                                           guint              limit,
                                           GError           **error);
gint64       bw_ledger_get_last_seq       (BwLedger          *self,
                                           GError           **error);

gboolean     bw_ledger_put_history        (BwLedger          *self,
                                           const char        *conveyor,
                                           const char        *tag,
                                           gint64             minute_us,
                                           const float       *block,
                                           GError           **error);
GArray      *bw_ledger_get_history        (BwLedger          *self,
                                           const char        *conveyor,
                                           const char        *tag,
                                           gint64             from_us,
                                           gint64             to_us,
                                           GError           **error);

gboolean     bw_ledger_set_offset         (BwLedger          *self,
                                           const char        *source,
                                           int                part,
                                           gint64             next_offset,
                                           GError           **error);
GHashTable  *bw_ledger_get_offsets        (BwLedger          *self,
                                           const char        *source,
                                           GError           **error);

gboolean     bw_ledger_prune              (BwLedger          *self,
                                           gint64             history_before_us,
                                           gint64             events_before_us,
                                           GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwLedger, bw_ledger_close)

G_END_DECLS
