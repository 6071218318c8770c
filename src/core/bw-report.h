/* bw-report.h: downtime reports — the model and its PDF, CSV and JSON forms
 *
 * A report covers the stops that overlap a period [from, to): a shift, a
 * production day or any range. It is built once (from a ledger, or from a
 * list of stops the caller already has) into an immutable model, which is
 * then rendered to PDF (cairo + pango, A4), CSV (UTF-8) or JSON. The app,
 * the service and the command line all produce the same document.
 *
 * What the figures mean is in docs/reports.md. In short, per conveyor and in
 * total: calendar time T (the period, up to now if it has not ended yet);
 * each stop counts only inside the period, an open stop up to now; planned
 * downtime P (cause `planned`), unplanned downtime U and micro-stop time M;
 * availability = (T − P − U − M) / (T − P); MTBF = (T − P − U − M) / N and
 * MTTR = U / N over the N unplanned stops that are not micro-stops.
 *
 * The report's text follows the options' language, or the locale's
 * (LANGUAGE, LC_ALL, LC_MESSAGES, LANG) when none is set; the catalog is read
 * from where the `beltwatch` text domain is bound, so rendering in a worker
 * thread never touches the process's locale.
 *
 * A BwReport and the BwReportOptions it was built with are immutable once
 * built: they may be shared between threads.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "bw-config.h"
#include "bw-ledger.h"
#include "bw-shifts.h"
#include "bw-stop.h"

G_BEGIN_DECLS

typedef enum
{
  BW_REPORT_TYPE_SHIFT,
  BW_REPORT_TYPE_DAY,
  BW_REPORT_TYPE_RANGE,
} BwReportType;

typedef enum
{
  BW_REPORT_PORTRAIT,
  BW_REPORT_LANDSCAPE,
} BwReportOrientation;

/**
 * BwReportFormat:
 * @BW_REPORT_FORMAT_PDF: the document to sign
 * @BW_REPORT_FORMAT_CSV: one file: the stop rows, an empty line, the totals
 * @BW_REPORT_FORMAT_CSV_STOPS: the stop rows only
 * @BW_REPORT_FORMAT_CSV_TOTALS: the totals only (per conveyor, by cause,
 *   metal detector)
 * @BW_REPORT_FORMAT_JSON: the whole model, codes and UTC times, untranslated
 */
typedef enum
{
  BW_REPORT_FORMAT_PDF,
  BW_REPORT_FORMAT_CSV,
  BW_REPORT_FORMAT_CSV_STOPS,
  BW_REPORT_FORMAT_CSV_TOTALS,
  BW_REPORT_FORMAT_JSON,
} BwReportFormat;

/* ---- options ---- */

#define BW_TYPE_REPORT_OPTIONS (bw_report_options_get_type ())
#define BW_TYPE_REPORT         (bw_report_get_type ())

typedef struct _BwReportOptions BwReportOptions;
typedef struct _BwReport        BwReport;

/* Defaults: range type, no period (set one), the local time zone, portrait,
 * separator ';', the locale's language, now = the clock when the report is
 * built, a false-trip cluster warning above 3 false trips in any hour, 30
 * days of history for the metal-detector sensitivity advice. */
GType               bw_report_options_get_type        (void) G_GNUC_CONST;
BwReportOptions    *bw_report_options_new             (void);
BwReportOptions    *bw_report_options_copy            (const BwReportOptions *self);
void                bw_report_options_free            (BwReportOptions       *self);

void                bw_report_options_set_type        (BwReportOptions       *self,
                                                       BwReportType           type);
void                bw_report_options_set_period      (BwReportOptions       *self,
                                                       gint64                 from_us,
                                                       gint64                 to_us);
void                bw_report_options_set_shift       (BwReportOptions       *self,
                                                       BwShiftSchedule       *schedule,
                                                       const BwShift         *shift);
void                bw_report_options_set_day         (BwReportOptions       *self,
                                                       BwShiftSchedule       *schedule,
                                                       gint64                 time_us);
void                bw_report_options_set_timezone    (BwReportOptions       *self,
                                                       GTimeZone             *tz);
void                bw_report_options_set_plant       (BwReportOptions       *self,
                                                       const char            *plant);
void                bw_report_options_set_section     (BwReportOptions       *self,
                                                       const char            *section);
void                bw_report_options_set_shift_name  (BwReportOptions       *self,
                                                       const char            *shift_name);
void                bw_report_options_set_prepared_by (BwReportOptions       *self,
                                                       const char            *prepared_by);
void                bw_report_options_set_conveyors   (BwReportOptions       *self,
                                                       const char * const    *conveyors);
void                bw_report_options_set_orientation (BwReportOptions       *self,
                                                       BwReportOrientation    orientation);
gboolean            bw_report_options_set_csv_separator (BwReportOptions     *self,
                                                       char                   separator);
void                bw_report_options_set_language    (BwReportOptions       *self,
                                                       const char            *language);
void                bw_report_options_set_now         (BwReportOptions       *self,
                                                       gint64                 now_us);
void                bw_report_options_set_md_cluster  (BwReportOptions       *self,
                                                       guint                  max_false_trips,
                                                       gint64                 window_us);
void                bw_report_options_set_md_history  (BwReportOptions       *self,
                                                       gint64                 history_us);
void                bw_report_options_set_cause       (BwReportOptions       *self,
                                                       const char            *code,
                                                       const char            *label,
                                                       gboolean               planned);

BwReportType        bw_report_options_get_report_type (const BwReportOptions *self);
gint64              bw_report_options_get_from        (const BwReportOptions *self);
gint64              bw_report_options_get_to          (const BwReportOptions *self);
GTimeZone          *bw_report_options_get_timezone    (const BwReportOptions *self);
const char         *bw_report_options_get_plant       (const BwReportOptions *self);
const char         *bw_report_options_get_section     (const BwReportOptions *self);
const char         *bw_report_options_get_shift_name  (const BwReportOptions *self);
const char         *bw_report_options_get_prepared_by (const BwReportOptions *self);
const char * const *bw_report_options_get_conveyors   (const BwReportOptions *self);
BwReportOrientation bw_report_options_get_orientation (const BwReportOptions *self);
char                bw_report_options_get_csv_separator (const BwReportOptions *self);
const char         *bw_report_options_get_language    (const BwReportOptions *self);
gint64              bw_report_options_get_now         (const BwReportOptions *self);

/* ---- the model ---- */

/**
 * BwReportConveyor:
 * One conveyor's summary, or the total (@conveyor "" in the total). Times in
 * microseconds, counted inside the period only. @n_stops counts planned and
 * unplanned stops that are not micro-stops; micro-stops are counted apart
 * (@n_micro, @micro_us). @availability is 0 … 1, NAN when no time was
 * planned to run; @mtbf_s and @mttr_s are NAN without an unplanned stop. In
 * the total, the calendar, planned, run and downtime figures are sums over
 * the conveyors (conveyor-hours).
 */
typedef struct
{
  char    *conveyor;
  char    *name;
  guint    n_stops;
  guint    n_unplanned;
  guint    n_planned;
  guint    n_micro;
  guint    n_open;
  guint    n_unclassified;
  gint64   calendar_us;
  gint64   downtime_us;      /* planned + unplanned + micro */
  gint64   unplanned_us;
  gint64   planned_us;
  gint64   micro_us;
  gint64   run_us;           /* calendar − downtime */
  double   availability;
  double   mtbf_s;
  double   mttr_s;
} BwReportConveyor;

typedef enum
{
  BW_REPORT_CAUSE_CODE,          /* unplanned stops with this operator's cause */
  BW_REPORT_CAUSE_UNCLASSIFIED,  /* unplanned-or-unknown stops with no operator's cause yet */
  BW_REPORT_CAUSE_MICRO,         /* all micro-stops, whatever their cause */
  BW_REPORT_CAUSE_PLANNED,       /* planned stops with this cause: listed, not in the shares */
} BwReportCauseKind;

/**
 * BwReportCause:
 * A row of the by-cause table. The rows other than the planned one are
 * sorted by downtime, largest first; @share is of the unplanned downtime
 * including micro-stops (U + M), @cumulative the running sum of the shares
 * (the Pareto line). The planned causes' rows come last, with NAN shares.
 */
typedef struct
{
  BwReportCauseKind kind;
  char             *code;       /* NULL for unclassified and micro-stops */
  char             *label;      /* translated */
  guint             count;
  gint64            downtime_us;
  double            share;
  double            cumulative;
} BwReportCause;

/**
 * BwReportMd:
 * Metal-detector trips (stops whose first-out trigger is `md_trip`) of one
 * conveyor or in total (@conveyor ""), micro-stops included. @false_share
 * is false trips over the trips the operator has classified (NAN when none
 * is); @max_false_in_window is the most false trips in any cluster window.
 */
typedef struct
{
  char    *conveyor;
  guint    trips;
  guint    false_trips;
  guint    foreign_objects;
  guint    other;          /* classified as anything else */
  guint    unclassified;
  gint64   downtime_us;
  double   false_share;
  guint    max_false_in_window;
} BwReportMd;

/**
 * BwReportMdCluster:
 * False trips that clustered: more than the configured number of false trips
 * within one window. Overlapping windows are merged; @from_us is the first
 * false trip's start, @to_us the last one's.
 */
typedef struct
{
  char    *conveyor;
  gint64   from_us;
  gint64   to_us;
  guint    false_trips;
} BwReportMdCluster;

/**
 * BwReportMdAdvice:
 * The metal-detector sensitivity advice for one conveyor, from the trips of
 * the history before the report's end. Levels are % of the present trip
 * level's scale, rates per day.
 */
typedef struct
{
  char    *conveyor;
  guint    n_trips;
  guint    n_false;
  guint    n_objects;
  double   span_days;
  double   false_trips_per_day;
  double   false_trip_downtime_min_per_day;
  double   current_level;
  gboolean has_recommendation;
  double   recommended_level;
  double   recommended_level_low;
  double   recommended_level_high;
  double   catch_share;
  double   false_trips_per_day_after;
  double   downtime_saved_min_per_day;
  double   missed_objects_per_year;
  char    *note;                  /* why there is none, or a caveat; may be NULL */
} BwReportMdAdvice;

/**
 * BwReportStop:
 * A stop as the report counts it: [@from_us, @to_us) is the part inside the
 * period (an open stop up to now). @stop is the full record.
 */
typedef struct
{
  BwStop  *stop;
  gint64   from_us;
  gint64   to_us;
  gboolean open;
  gboolean clipped_start;    /* started before the period */
  gboolean clipped_end;      /* ends after the period (or is open past it) */
  gboolean micro;
  gboolean planned;
  gboolean unclassified;
} BwReportStop;

GType                     bw_report_get_type            (void) G_GNUC_CONST;
BwReport                 *bw_report_new_from_ledger     (BwLedger              *ledger,
                                                         const BwReportOptions *options,
                                                         GCancellable          *cancellable,
                                                         GError               **error);
BwReport                 *bw_report_new_from_stops      (GPtrArray             *stops,
                                                         const BwReportOptions *options,
                                                         GError               **error);
BwReport                 *bw_report_ref                 (BwReport              *self);
void                      bw_report_unref               (BwReport              *self);

const BwReportOptions    *bw_report_get_options         (BwReport              *self);
gint64                    bw_report_get_from            (BwReport              *self);
gint64                    bw_report_get_to              (BwReport              *self);
gint64                    bw_report_get_counted_to      (BwReport              *self);
gint64                    bw_report_get_now             (BwReport              *self);
const char               *bw_report_get_language        (BwReport              *self);
char                     *bw_report_dup_title           (BwReport              *self);

guint                     bw_report_get_n_conveyors     (BwReport              *self);
const BwReportConveyor   *bw_report_get_conveyor        (BwReport              *self,
                                                         guint                  i);
const BwReportConveyor   *bw_report_get_total           (BwReport              *self);
guint                     bw_report_get_n_causes        (BwReport              *self);
const BwReportCause      *bw_report_get_cause           (BwReport              *self,
                                                         guint                  i);
guint                     bw_report_get_n_md            (BwReport              *self);
const BwReportMd         *bw_report_get_md              (BwReport              *self,
                                                         guint                  i);
const BwReportMd         *bw_report_get_md_total        (BwReport              *self);
guint                     bw_report_get_n_md_clusters   (BwReport              *self);
const BwReportMdCluster  *bw_report_get_md_cluster      (BwReport              *self,
                                                         guint                  i);
guint                     bw_report_get_n_md_advice     (BwReport              *self);
const BwReportMdAdvice   *bw_report_get_md_advice       (BwReport              *self,
                                                         guint                  i);
guint                     bw_report_get_n_stops         (BwReport              *self);
const BwReportStop       *bw_report_get_stop            (BwReport              *self,
                                                         guint                  i);

GBytes                   *bw_report_render              (BwReport              *self,
                                                         BwReportFormat         format,
                                                         GCancellable          *cancellable,
                                                         GError               **error);
gboolean                  bw_report_write               (BwReport              *self,
                                                         BwReportFormat         format,
                                                         const char            *path,
                                                         GCancellable          *cancellable,
                                                         GError               **error);
JsonNode                 *bw_report_to_json             (BwReport              *self);

/* Worker-thread variants. The ledger one opens its own read-only connection
 * to @ledger: an SQLite file's path, or a PostgreSQL connection
 * (`postgresql://…`, `postgres://…`, `postgresql:` followed by a connection
 * string, or a connection string with `host=` or `dbname=`). The stops one
 * takes a reference on @stops (BwStop*), which must not change meanwhile. */
void                      bw_report_new_from_ledger_async  (const char            *ledger,
                                                            const BwReportOptions *options,
                                                            GCancellable          *cancellable,
                                                            GAsyncReadyCallback    callback,
                                                            gpointer               user_data);
BwReport                 *bw_report_new_from_ledger_finish (GAsyncResult          *result,
                                                            GError               **error);
void                      bw_report_new_from_stops_async   (GPtrArray             *stops,
                                                            const BwReportOptions *options,
                                                            GCancellable          *cancellable,
                                                            GAsyncReadyCallback    callback,
                                                            gpointer               user_data);
BwReport                 *bw_report_new_from_stops_finish  (GAsyncResult          *result,
                                                            GError               **error);
void                      bw_report_render_async        (BwReport              *self,
                                                         BwReportFormat         format,
                                                         GCancellable          *cancellable,
                                                         GAsyncReadyCallback    callback,
                                                         gpointer               user_data);
GBytes                   *bw_report_render_finish       (BwReport              *self,
                                                         GAsyncResult          *result,
                                                         GError               **error);
void                      bw_report_write_async         (BwReport              *self,
                                                         BwReportFormat         format,
                                                         GFile                 *file,
                                                         GCancellable          *cancellable,
                                                         GAsyncReadyCallback    callback,
                                                         gpointer               user_data);
gboolean                  bw_report_write_finish        (BwReport              *self,
                                                         GAsyncResult          *result,
                                                         GError               **error);

/* The parameters of the service's GET /api/v1/reports/downtime and of
 * `beltwatch-ml report` (docs/reports.md): from, to, type, shift, date,
 * format, lang, conveyor, plant, section, prepared_by, orientation,
 * separator, tz, now. Sets the options' period, type, shift name, time zone
 * and the rest; @schedule is the plant's shift schedule. */
gboolean                  bw_report_options_apply_query (BwReportOptions       *self,
                                                         GHashTable            *query,
                                                         BwShiftSchedule       *schedule,
                                                         BwReportFormat        *format,
                                                         GError               **error);

/* The [reports] group of a service configuration (plant, section, timezone,
 * shifts, md-cluster-trips, md-cluster-window, md-history) and its [cause …]
 * groups (names in @language: "ru" takes name[ru]). Returns the plant's
 * shift schedule (the default one when none is configured). */
BwShiftSchedule          *bw_report_options_apply_config (BwReportOptions      *self,
                                                          const BwConfig       *config,
                                                          const char           *language,
                                                          GError              **error);

/* names: "shift", "day", "range"; "pdf", "csv", "csv-stops", "csv-totals", "json" */
const char               *bw_report_type_to_string      (BwReportType           type);
gboolean                  bw_report_type_from_string    (const char            *text,
                                                         BwReportType          *out);
const char               *bw_report_format_to_string    (BwReportFormat         format);
gboolean                  bw_report_format_from_string  (const char            *text,
                                                         BwReportFormat        *out);
const char               *bw_report_format_get_content_type (BwReportFormat     format);
const char               *bw_report_format_get_extension (BwReportFormat        format);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwReportOptions, bw_report_options_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwReport, bw_report_unref)

G_END_DECLS
