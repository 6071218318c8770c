/* bw-report.c: the downtime report model, its options and JSON form
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-report"

#include "config.h"

#include <math.h>
#include <string.h>

#define BW_REPORT_TRANSLATE
#include "bw-report-private.h"

#include "bw-error.h"
#include "bw-md-sensitivity.h"
#include "bw-tags.h"
#include "bw-time.h"

#define DEFAULT_MD_CLUSTER_MAX     3
#define DEFAULT_MD_CLUSTER_WINDOW  BW_USEC_PER_HOUR
#define DEFAULT_MD_HISTORY         (30 * BW_USEC_PER_DAY)
#define MAX_QUERY_CONVEYORS        16

/* ---- options ---- */

G_DEFINE_BOXED_TYPE (BwReportOptions, bw_report_options, bw_report_options_copy, bw_report_options_free)

static void
cause_option_free (gpointer data)
{
  BwReportCauseOption *c = data;

  g_free (c->code);
  g_free (c->label);
  g_free (c);
}

BwReportOptions *
bw_report_options_new (void)
{
  BwReportOptions *self = g_new0 (BwReportOptions, 1);

  self->type = BW_REPORT_TYPE_RANGE;
  self->tz = g_time_zone_new_local ();
  self->orientation = BW_REPORT_PORTRAIT;
  self->separator = ';';
  self->md_cluster_max = DEFAULT_MD_CLUSTER_MAX;
  self->md_cluster_window_us = DEFAULT_MD_CLUSTER_WINDOW;
  self->md_history_us = DEFAULT_MD_HISTORY;
  self->causes = g_ptr_array_new_with_free_func (cause_option_free);
  return self;
}

BwReportOptions *
bw_report_options_copy (const BwReportOptions *self)
{
  BwReportOptions *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (BwReportOptions, 1);
  *copy = *self;
  copy->tz = g_time_zone_ref (self->tz);
  copy->plant = g_strdup (self->plant);
  copy->section = g_strdup (self->section);
  copy->shift_name = g_strdup (self->shift_name);
  copy->prepared_by = g_strdup (self->prepared_by);
  copy->conveyors = g_strdupv (self->conveyors);
  copy->language = g_strdup (self->language);
  copy->causes = g_ptr_array_new_with_free_func (cause_option_free);
  for (guint i = 0; i < self->causes->len; i++)
    {
      const BwReportCauseOption *c = self->causes->pdata[i];
      BwReportCauseOption *n = g_new0 (BwReportCauseOption, 1);

      n->code = g_strdup (c->code);
      n->label = g_strdup (c->label);
      n->planned = c->planned;
      g_ptr_array_add (copy->causes, n);
    }
  return copy;
}

void
bw_report_options_free (BwReportOptions *self)
{
  if (self == NULL)
    return;
  g_time_zone_unref (self->tz);
  g_free (self->plant);
  g_free (self->section);
  g_free (self->shift_name);
  g_free (self->prepared_by);
  g_strfreev (self->conveyors);
  g_free (self->language);
  g_ptr_array_unref (self->causes);
  g_free (self);
}

static void
replace_string (char       **field,
                const char  *value)
{
  char *old = *field;

  *field = value && *value ? g_strdup (value) : NULL;
  g_free (old);
}

void
bw_report_options_set_type (BwReportOptions *self,
                            BwReportType     type)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (type <= BW_REPORT_TYPE_RANGE);
  self->type = type;
}

/**
 * bw_report_options_set_period:
 * @from_us: start of the period (inclusive), µs since the epoch
 * @to_us: end (exclusive)
 */
void
bw_report_options_set_period (BwReportOptions *self,
                              gint64           from_us,
                              gint64           to_us)
{
  g_return_if_fail (self != NULL);
  self->from_us = from_us;
  self->to_us = to_us;
}

/**
 * bw_report_options_set_shift:
 *
 * A shift report: the type, the period, the shift's name and the
 * schedule's time zone.
 */
void
bw_report_options_set_shift (BwReportOptions *self,
                             BwShiftSchedule *schedule,
                             const BwShift   *shift)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (schedule != NULL);
  g_return_if_fail (shift != NULL);
  g_return_if_fail (shift->index < bw_shift_schedule_get_n_shifts (schedule));

  self->type = BW_REPORT_TYPE_SHIFT;
  self->from_us = shift->start_us;
  self->to_us = shift->end_us;
  replace_string (&self->shift_name, bw_shift_schedule_get_name (schedule, shift->index));
  bw_report_options_set_timezone (self, bw_shift_schedule_get_timezone (schedule));
}

/**
 * bw_report_options_set_day:
 *
 * A day report for the production day containing @time_us.
 */
void
bw_report_options_set_day (BwReportOptions *self,
                           BwShiftSchedule *schedule,
                           gint64           time_us)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (schedule != NULL);

  self->type = BW_REPORT_TYPE_DAY;
  bw_shift_schedule_find_day (schedule, time_us, &self->from_us, &self->to_us);
  replace_string (&self->shift_name, NULL);
  bw_report_options_set_timezone (self, bw_shift_schedule_get_timezone (schedule));
}

/**
 * bw_report_options_set_timezone:
 * @tz: (nullable): the zone the report's times are shown in; %NULL: local
 */
void
bw_report_options_set_timezone (BwReportOptions *self,
                                GTimeZone       *tz)
{
  GTimeZone *old;

  g_return_if_fail (self != NULL);
  old = self->tz;
  self->tz = tz ? g_time_zone_ref (tz) : g_time_zone_new_local ();
  g_time_zone_unref (old);
}

void
bw_report_options_set_plant (BwReportOptions *self,
                             const char      *plant)
{
  g_return_if_fail (self != NULL);
  replace_string (&self->plant, plant);
}

void
bw_report_options_set_section (BwReportOptions *self,
                               const char      *section)
{
  g_return_if_fail (self != NULL);
  replace_string (&self->section, section);
}

void
bw_report_options_set_shift_name (BwReportOptions *self,
                                  const char      *shift_name)
{
  g_return_if_fail (self != NULL);
  replace_string (&self->shift_name, shift_name);
}

void
bw_report_options_set_prepared_by (BwReportOptions *self,
                                   const char      *prepared_by)
{
  g_return_if_fail (self != NULL);
  replace_string (&self->prepared_by, prepared_by);
}

/**
 * bw_report_options_set_conveyors:
 * @conveyors: (nullable): the conveyors to report on, in this order; %NULL
 *   for all (a conveyor listed here appears even without a stop)
 */
void
bw_report_options_set_conveyors (BwReportOptions    *self,
                                 const char * const *conveyors)
{
  g_return_if_fail (self != NULL);
  g_strfreev (self->conveyors);
  self->conveyors = conveyors && conveyors[0] ? g_strdupv ((GStrv) conveyors) : NULL;
}

void
bw_report_options_set_orientation (BwReportOptions     *self,
                                   BwReportOrientation  orientation)
{
  g_return_if_fail (self != NULL);
  self->orientation = orientation;
}

/**
 * bw_report_options_set_csv_separator:
 * @separator: `;` (the default; what Russian-locale spreadsheets expect),
 *   `,`, tab or `|`
 *
 * Returns: %FALSE (and leaves the separator) for any other character
 */
gboolean
bw_report_options_set_csv_separator (BwReportOptions *self,
                                     char             separator)
{
  g_return_val_if_fail (self != NULL, FALSE);
  if (separator != ';' && separator != ',' && separator != '\t' && separator != '|')
    return FALSE;
  self->separator = separator;
  return TRUE;
}

/**
 * bw_report_options_set_language:
 * @language: (nullable): "ru", "en", "ru_RU.UTF-8" …; %NULL: the locale's
 */
void
bw_report_options_set_language (BwReportOptions *self,
                                const char      *language)
{
  g_return_if_fail (self != NULL);
  replace_string (&self->language, language);
}

/**
 * bw_report_options_set_now:
 * @now_us: the time open stops are counted up to and the report says it was
 *   generated at; 0 (the default): the clock when the report is built
 */
void
bw_report_options_set_now (BwReportOptions *self,
                           gint64           now_us)
{
  g_return_if_fail (self != NULL);
  self->now_us = now_us;
}

/**
 * bw_report_options_set_md_cluster:
 * @max_false_trips: more false trips than this within @window_us on one
 *   conveyor is a cluster (default 3); 0 turns the warning off
 * @window_us: the window (default one hour)
 */
void
bw_report_options_set_md_cluster (BwReportOptions *self,
                                  guint            max_false_trips,
                                  gint64           window_us)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (window_us > 0);
  self->md_cluster_max = max_false_trips;
  self->md_cluster_window_us = window_us;
}

/**
 * bw_report_options_set_md_history:
 * @history_us: how far back from the report's end the metal-detector
 *   sensitivity advice looks (default 30 days); 0: no advice
 */
void
bw_report_options_set_md_history (BwReportOptions *self,
                                  gint64           history_us)
{
  g_return_if_fail (self != NULL);
  self->md_history_us = MAX (history_us, 0);
}

/**
 * bw_report_options_set_cause:
 * @code: a cause code of the plant's reason tree
 * @label: (nullable): its name in the report's language; %NULL keeps the
 *   built-in name of a default code (or the code itself)
 * @planned: stops with this cause are planned downtime
 *
 * For the plant's own reason tree (the service passes its [cause …]
 * groups). `planned` is always planned.
 */
void
bw_report_options_set_cause (BwReportOptions *self,
                             const char      *code,
                             const char      *label,
                             gboolean         planned)
{
  BwReportCauseOption *c = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (code != NULL);

  for (guint i = 0; i < self->causes->len; i++)
    if (g_str_equal (((BwReportCauseOption *) self->causes->pdata[i])->code, code))
      c = self->causes->pdata[i];
  if (c == NULL)
    {
      c = g_new0 (BwReportCauseOption, 1);
      c->code = g_strdup (code);
      g_ptr_array_add (self->causes, c);
    }
  replace_string (&c->label, label);
  c->planned = planned;
}

BwReportType
bw_report_options_get_report_type (const BwReportOptions *self)
{
  g_return_val_if_fail (self != NULL, BW_REPORT_TYPE_RANGE);
  return self->type;
}

gint64
bw_report_options_get_from (const BwReportOptions *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->from_us;
}

gint64
bw_report_options_get_to (const BwReportOptions *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->to_us;
}

GTimeZone *
bw_report_options_get_timezone (const BwReportOptions *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->tz;
}

const char *
bw_report_options_get_plant (const BwReportOptions *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->plant;
}

const char *
bw_report_options_get_section (const BwReportOptions *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->section;
}

const char *
bw_report_options_get_shift_name (const BwReportOptions *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->shift_name;
}

const char *
bw_report_options_get_prepared_by (const BwReportOptions *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->prepared_by;
}

const char * const *
bw_report_options_get_conveyors (const BwReportOptions *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (const char * const *) self->conveyors;
}

BwReportOrientation
bw_report_options_get_orientation (const BwReportOptions *self)
{
  g_return_val_if_fail (self != NULL, BW_REPORT_PORTRAIT);
  return self->orientation;
}

char
bw_report_options_get_csv_separator (const BwReportOptions *self)
{
  g_return_val_if_fail (self != NULL, ';');
  return self->separator;
}

const char *
bw_report_options_get_language (const BwReportOptions *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->language;
}

gint64
bw_report_options_get_now (const BwReportOptions *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->now_us;
}

/* ---- labels ---- */

/* The report's own names of the default reason tree and the triggers (in
 * the "report" context: the report may break their long words where the
 * app would not) */
static const struct
{
  const char *code;
  const char *label;
} cause_labels[] = {
  { BW_CAUSE_MD_FALSE_TRIP, NC_("report", "Metal detector false trip") },
  { BW_CAUSE_FOREIGN_OBJECT, NC_("report", "Foreign object found") },
  { BW_CAUSE_FAILURE, NC_("report", "Equipment failure") },
  { BW_CAUSE_PROCESS, NC_("report", "Process stop") },
  { BW_CAUSE_PLANNED, NC_("report", "Planned stop") },
  { BW_CAUSE_OTHER, NC_("report", "Other") },
};

static const struct
{
  const char *code;
  const char *label;
} trigger_labels[] = {
  { "none", NC_("report", "No interlock") },
  { "md_trip", NC_("report", "Metal detector") },
  { "overload", NC_("report", "Motor overload") },
  { "pullcord", NC_("report", "Pull-cord") },
  { "misalign", NC_("report", "Belt misalignment") },
  { "chute_block", NC_("report", "Chute blockage") },
  { "slip", NC_("report", "Belt slip") },
};

static const char *
report_label (const char *msgid)
{
  char key[256];
  const char *s;

  g_snprintf (key, sizeof key, "report\004%s", msgid);
  s = _bw_report_pgettext (key, sizeof "report");
  return s == key + sizeof "report" ? msgid : s;
}

static const BwReportCauseOption *
find_cause_option (const BwReportOptions *options,
                   const char            *code)
{
  for (guint i = 0; i < options->causes->len; i++)
    {
      const BwReportCauseOption *c = options->causes->pdata[i];
      if (g_str_equal (c->code, code))
        return c;
    }
  return NULL;
}

const char *
_bw_report_cause_label (BwReport   *self,
                        const char *code)
{
  const BwReportCauseOption *opt;

  if (code == NULL)
    return _("Not classified");
  opt = find_cause_option (self->options, code);
  if (opt && opt->label)
    return opt->label;
  for (guint i = 0; i < G_N_ELEMENTS (cause_labels); i++)
    if (g_str_equal (code, cause_labels[i].code))
      return report_label (cause_labels[i].label);
  return code;
}

const char *
_bw_report_trigger_label (const char *trigger)
{
  if (trigger == NULL)
    return "";
  for (guint i = 0; i < G_N_ELEMENTS (trigger_labels); i++)
    if (g_str_equal (trigger, trigger_labels[i].code))
      return report_label (trigger_labels[i].label);
  return trigger;
}

const char *
_bw_report_type_label (BwReportType type)
{
  switch (type)
    {
    case BW_REPORT_TYPE_SHIFT:
      return _("Shift downtime report");
    case BW_REPORT_TYPE_DAY:
      return _("Daily downtime report");
    case BW_REPORT_TYPE_RANGE:
    default:
      return _("Downtime report");
    }
}

static gboolean
is_planned_cause (const BwReportOptions *options,
                  const char            *code)
{
  const BwReportCauseOption *opt;

  if (code == NULL)
    return FALSE;
  if (bw_cause_is_planned (code))
    return TRUE;
  opt = find_cause_option (options, code);
  return opt && opt->planned;
}

/* ---- formatting ---- */

/**
 * _bw_report_format_time:
 * @format: a g_date_time_format() format of numeric fields only
 */
char *
_bw_report_format_time (BwReport   *self,
                        gint64      time_us,
                        const char *format)
{
  gint64 s = time_us >= 0 ? time_us / BW_USEC_PER_SEC : -((-time_us + BW_USEC_PER_SEC - 1) / BW_USEC_PER_SEC);
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (s);
  g_autoptr(GDateTime) local = utc ? g_date_time_to_timezone (utc, self->options->tz) : NULL;

  return local ? g_date_time_format (local, format) : g_strdup ("?");
}

char *
_bw_report_format_number (double      value,
                          int         decimals,
                          const char *decimal_mark)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char *dot;

  if (!isfinite (value))
    return g_strdup ("—");
  g_ascii_formatd (buf, sizeof buf, decimals == 0 ? "%.0f" : decimals == 1 ? "%.1f" : decimals == 2 ? "%.2f" : "%.3f",
                   value);
  if (g_str_equal (buf, "-0") || g_str_equal (buf, "-0.0") || g_str_equal (buf, "-0.00"))
    memmove (buf, buf + 1, strlen (buf));
  dot = strchr (buf, '.');
  if (dot && decimal_mark && !g_str_equal (decimal_mark, "."))
    {
      *dot = '\0';
      return g_strconcat (buf, decimal_mark, dot + 1, NULL);
    }
  return g_strdup (buf);
}

/* H:MM:SS, rounded to the second */
char *
_bw_report_format_duration (gint64 us)
{
  gint64 s = (us + BW_USEC_PER_SEC / 2) / BW_USEC_PER_SEC;

  if (s < 0)
    s = 0;
  return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", s / 3600, (int) (s / 60 % 60), (int) (s % 60));
}

static char *
describe_offset (GTimeZone *tz,
                 gint64     time_us)
{
  gint64 s = time_us / BW_USEC_PER_SEC;
  int interval = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, s);
  gint32 off = g_time_zone_get_offset (tz, MAX (interval, 0));
  const char *abbrev = g_time_zone_get_abbreviation (tz, MAX (interval, 0));
  g_autofree char *utc = g_strdup_printf ("UTC%c%02d:%02d", off < 0 ? '-' : '+', ABS (off) / 3600,
                                          ABS (off) / 60 % 60);

  /* "+03" style abbreviations say nothing that UTC+03:00 does not */
  if (abbrev == NULL || *abbrev == '\0' || *abbrev == '+' || *abbrev == '-' || g_str_equal (abbrev, "UTC"))
    return g_steal_pointer (&utc);
  return g_strdup_printf ("%s, %s", abbrev, utc);
}

char *
_bw_report_describe_zone (BwReport *self)
{
  g_autofree char *a = describe_offset (self->options->tz, self->from_us);
  g_autofree char *b = describe_offset (self->options->tz, self->to_us - 1);
  const char *id = g_time_zone_get_identifier (self->options->tz);
  GString *s = g_string_new (NULL);

  if (id && strchr (id, '/'))
    g_string_append_printf (s, "%s, ", id);
  g_string_append (s, a);
  if (!g_str_equal (a, b))
    g_string_append_printf (s, " → %s", b);
  return g_string_free (s, FALSE);
}

char *
_bw_report_describe_period (BwReport *self)
{
  const char *fmt = C_("report period", "%Y-%m-%d %H:%M");
  g_autofree char *a = _bw_report_format_time (self, self->from_us, fmt);
  g_autofree char *b = _bw_report_format_time (self, self->to_us, fmt);

  return g_strdup_printf ("%s — %s", a, b);
}

/* ---- the model ---- */

G_DEFINE_BOXED_TYPE (BwReport, bw_report, bw_report_ref, bw_report_unref)

static void
conveyor_clear (BwReportConveyor *c)
{
  g_free (c->conveyor);
  g_free (c->name);
}

static void
conveyor_free (gpointer data)
{
  conveyor_clear (data);
  g_free (data);
}

static void
md_free (gpointer data)
{
  BwReportMd *m = data;

  g_free (m->conveyor);
  g_free (m);
}

static void
cause_clear (gpointer data)
{
  BwReportCause *c = data;

  g_free (c->code);
  g_free (c->label);
}

static void
cluster_clear (gpointer data)
{
  g_free (((BwReportMdCluster *) data)->conveyor);
}

static void
advice_clear (gpointer data)
{
  BwReportMdAdvice *a = data;

  g_free (a->conveyor);
  g_free (a->note);
}

static void
report_stop_clear (gpointer data)
{
  g_clear_object (&((BwReportStop *) data)->stop);
}

static BwReport *
report_new (const BwReportOptions  *options,
            GError                **error)
{
  BwReport *self;

  if (options->from_us == 0 && options->to_us == 0)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "The report has no period");
      return NULL;
    }
  if (options->to_us <= options->from_us)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "The report's period ends before it starts");
      return NULL;
    }
  if (options->to_us - options->from_us > 400 * BW_USEC_PER_DAY)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "A report covers at most 400 days");
      return NULL;
    }

  self = g_new0 (BwReport, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->options = bw_report_options_copy (options);
  self->catalog = _bw_catalog_load (options->language, &self->language);
  self->from_us = options->from_us;
  self->to_us = options->to_us;
  self->now_us = options->now_us ? options->now_us : bw_time_now ();
  self->counted_to_us = CLAMP (self->now_us, self->from_us, self->to_us);
  self->conveyors = g_ptr_array_new_with_free_func (conveyor_free);
  self->causes = g_array_new (FALSE, TRUE, sizeof (BwReportCause));
  g_array_set_clear_func (self->causes, cause_clear);
  self->md = g_ptr_array_new_with_free_func (md_free);
  self->md_clusters = g_array_new (FALSE, TRUE, sizeof (BwReportMdCluster));
  g_array_set_clear_func (self->md_clusters, cluster_clear);
  self->md_advice = g_array_new (FALSE, TRUE, sizeof (BwReportMdAdvice));
  g_array_set_clear_func (self->md_advice, advice_clear);
  self->stops = g_array_new (FALSE, TRUE, sizeof (BwReportStop));
  g_array_set_clear_func (self->stops, report_stop_clear);
  self->total.conveyor = g_strdup ("");
  self->md_total.conveyor = g_strdup ("");
  return self;
}

BwReport *
bw_report_ref (BwReport *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
bw_report_unref (BwReport *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref_count))
    return;
  bw_report_options_free (self->options);
  _bw_catalog_unref (self->catalog);
  g_free (self->language);
  g_ptr_array_unref (self->conveyors);
  conveyor_clear (&self->total);
  g_array_unref (self->causes);
  g_ptr_array_unref (self->md);
  g_free (self->md_total.conveyor);
  g_array_unref (self->md_clusters);
  g_array_unref (self->md_advice);
  g_array_unref (self->stops);
  g_free (self);
}

static BwReportConveyor *
find_conveyor (BwReport   *self,
               GHashTable *index,
               const char *id,
               gboolean    add)
{
  BwReportConveyor *c = g_hash_table_lookup (index, id);

  if (c == NULL && add)
    {
      c = g_new0 (BwReportConveyor, 1);
      c->conveyor = g_strdup (id);
      g_ptr_array_add (self->conveyors, c);
      g_hash_table_insert (index, c->conveyor, c);
    }
  return c;
}

static int
compare_conveyor_id (gconstpointer a,
                     gconstpointer b)
{
  const BwReportConveyor *x = *(BwReportConveyor **) a, *y = *(BwReportConveyor **) b;
  return strcmp (x->conveyor, y->conveyor);
}

static int
compare_report_stop (gconstpointer a,
                     gconstpointer b)
{
  const BwReportStop *x = a, *y = b;

  if (x->stop->start_us != y->stop->start_us)
    return x->stop->start_us < y->stop->start_us ? -1 : 1;
  if (strcmp (x->stop->conveyor, y->stop->conveyor) != 0)
    return strcmp (x->stop->conveyor, y->stop->conveyor);
  return x->stop->id < y->stop->id ? -1 : x->stop->id > y->stop->id;
}

static int
compare_cause (gconstpointer a,
               gconstpointer b)
{
  const BwReportCause *x = a, *y = b;

  if ((x->kind == BW_REPORT_CAUSE_PLANNED) != (y->kind == BW_REPORT_CAUSE_PLANNED))
    return x->kind == BW_REPORT_CAUSE_PLANNED ? 1 : -1;
  if (x->downtime_us != y->downtime_us)
    return x->downtime_us > y->downtime_us ? -1 : 1;
  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  return g_strcmp0 (x->label, y->label);
}

static void
finish_conveyor (BwReportConveyor *c)
{
  gint64 planned_time;

  c->n_stops = c->n_planned + c->n_unplanned;
  c->downtime_us = c->planned_us + c->unplanned_us + c->micro_us;
  c->run_us = MAX (c->calendar_us - c->downtime_us, 0);
  planned_time = c->calendar_us - c->planned_us;
  c->availability = planned_time > 0 ? (double) c->run_us / (double) planned_time : NAN;
  c->mtbf_s = c->n_unplanned ? (double) c->run_us / 1e6 / c->n_unplanned : NAN;
  c->mttr_s = c->n_unplanned ? (double) c->unplanned_us / 1e6 / c->n_unplanned : NAN;
}

static void
add_to_total (BwReportConveyor       *t,
              const BwReportConveyor *c)
{
  t->n_unplanned += c->n_unplanned;
  t->n_planned += c->n_planned;
  t->n_micro += c->n_micro;
  t->n_open += c->n_open;
  t->n_unclassified += c->n_unclassified;
  t->calendar_us += c->calendar_us;
  t->unplanned_us += c->unplanned_us;
  t->planned_us += c->planned_us;
  t->micro_us += c->micro_us;
}

static void
compute_causes (BwReport *self)
{
  g_autoptr(GHashTable) by_code = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  BwReportCause unclassified = { BW_REPORT_CAUSE_UNCLASSIFIED }, micro = { BW_REPORT_CAUSE_MICRO };
  gint64 losses = self->total.unplanned_us + self->total.micro_us;
  double cumulative = 0;

  for (guint i = 0; i < self->stops->len; i++)
    {
      const BwReportStop *s = &g_array_index (self->stops, BwReportStop, i);
      gint64 d = s->to_us - s->from_us;
      BwReportCause *row;

      if (s->micro)
        row = &micro;
      else if (s->unclassified)
        row = &unclassified;
      else
        {
          /* one row per cause: the losses', and the planned ones apart */
          BwReportCauseKind kind = s->planned ? BW_REPORT_CAUSE_PLANNED : BW_REPORT_CAUSE_CODE;
          g_autofree char *key = g_strdup_printf ("%d|%s", kind, s->stop->cause);
          gpointer idx;

          if (!g_hash_table_lookup_extended (by_code, key, NULL, &idx))
            {
              BwReportCause c = { kind };
              c.code = g_strdup (s->stop->cause);
              c.label = g_strdup (_bw_report_cause_label (self, c.code));
              g_array_append_val (self->causes, c);
              idx = GUINT_TO_POINTER (self->causes->len);
              g_hash_table_insert (by_code, g_steal_pointer (&key), idx);
            }
          row = &g_array_index (self->causes, BwReportCause, GPOINTER_TO_UINT (idx) - 1);
        }
      row->count++;
      row->downtime_us += d;
    }
  if (unclassified.count)
    {
      unclassified.label = g_strdup (_("Not classified"));
      g_array_append_val (self->causes, unclassified);
    }
  if (micro.count)
    {
      micro.label = g_strdup (_("Micro-stops"));
      g_array_append_val (self->causes, micro);
    }
  g_array_sort (self->causes, compare_cause);
  for (guint i = 0; i < self->causes->len; i++)
    {
      BwReportCause *c = &g_array_index (self->causes, BwReportCause, i);

      if (c->kind == BW_REPORT_CAUSE_PLANNED || losses == 0)
        {
          c->share = c->cumulative = NAN;
          continue;
        }
      c->share = (double) c->downtime_us / (double) losses;
      cumulative += c->share;
      c->cumulative = MIN (cumulative, 1.0);
    }
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

static void
compute_md (BwReport *self)
{
  g_autoptr(GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) false_times = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                              (GDestroyNotify) g_array_unref);
  const BwReportOptions *o = self->options;
  BwReportMd *t = &self->md_total;

  /* the conveyors in the summary's order, those with trips only */
  for (guint i = 0; i < self->stops->len; i++)
    {
      const BwReportStop *s = &g_array_index (self->stops, BwReportStop, i);
      const char *cause = s->stop->cause;
      BwReportMd *m;

      if (g_strcmp0 (s->stop->trigger, "md_trip") != 0)
        continue;
      m = g_hash_table_lookup (index, s->stop->conveyor);
      if (m == NULL)
        {
          m = g_new0 (BwReportMd, 1);
          m->conveyor = g_strdup (s->stop->conveyor);
          g_hash_table_insert (index, m->conveyor, m);
        }
      m->trips++;
      m->downtime_us += s->to_us - s->from_us;
      if (cause == NULL)
        m->unclassified++;
      else if (g_str_equal (cause, BW_CAUSE_MD_FALSE_TRIP))
        {
          GArray *times = g_hash_table_lookup (false_times, m->conveyor);
          if (times == NULL)
            {
              times = g_array_new (FALSE, FALSE, sizeof (gint64));
              g_hash_table_insert (false_times, m->conveyor, times);
            }
          g_array_append_val (times, s->stop->start_us);
          m->false_trips++;
        }
      else if (g_str_equal (cause, BW_CAUSE_FOREIGN_OBJECT))
        m->foreign_objects++;
      else
        m->other++;
    }

  for (guint i = 0; i < self->conveyors->len; i++)
    {
      const BwReportConveyor *c = self->conveyors->pdata[i];
      BwReportMd *m = g_hash_table_lookup (index, c->conveyor);
      GArray *times;
      guint classified;

      if (m == NULL)
        continue;
      g_hash_table_steal (index, c->conveyor);
      classified = m->false_trips + m->foreign_objects + m->other;
      m->false_share = classified ? (double) m->false_trips / classified : NAN;

      times = g_hash_table_lookup (false_times, m->conveyor);
      if (times)
        {
          BwReportMdCluster *last = NULL;
          guint j = 0;

          g_array_sort (times, compare_int64);
          for (guint k = 0; k < times->len; k++)
            {
              gint64 tk = g_array_index (times, gint64, k);
              guint count;

              if (j < k + 1)
                j = k + 1;
              while (j < times->len && g_array_index (times, gint64, j) < tk + o->md_cluster_window_us)
                j++;
              count = j - k;
              m->max_false_in_window = MAX (m->max_false_in_window, count);
              if (o->md_cluster_max == 0 || count <= o->md_cluster_max)
                continue;
              if (last && tk <= last->to_us)
                last->to_us = MAX (last->to_us, g_array_index (times, gint64, j - 1));
              else
                {
                  BwReportMdCluster cl = { 0 };
                  cl.conveyor = g_strdup (m->conveyor);
                  cl.from_us = tk;
                  cl.to_us = g_array_index (times, gint64, j - 1);
                  g_array_append_val (self->md_clusters, cl);
                  last = &g_array_index (self->md_clusters, BwReportMdCluster, self->md_clusters->len - 1);
                }
            }
          /* count the trips of each merged cluster */
          for (guint k = 0; k < self->md_clusters->len; k++)
            {
              BwReportMdCluster *cl = &g_array_index (self->md_clusters, BwReportMdCluster, k);
              if (!g_str_equal (cl->conveyor, m->conveyor))
                continue;
              cl->false_trips = 0;
              for (guint q = 0; q < times->len; q++)
                {
                  gint64 tq = g_array_index (times, gint64, q);
                  cl->false_trips += tq >= cl->from_us && tq <= cl->to_us;
                }
            }
        }

      t->trips += m->trips;
      t->false_trips += m->false_trips;
      t->foreign_objects += m->foreign_objects;
      t->other += m->other;
      t->unclassified += m->unclassified;
      t->downtime_us += m->downtime_us;
      t->max_false_in_window = MAX (t->max_false_in_window, m->max_false_in_window);
      g_ptr_array_add (self->md, m);
    }
  g_assert (g_hash_table_size (index) == 0);
  {
    guint classified = t->false_trips + t->foreign_objects + t->other;
    t->false_share = classified ? (double) t->false_trips / classified : NAN;
  }
}

/* The figures, from the stops overlapping the period (BwStop*) and the
 * ledger's conveyors (BwConveyorInfo*, or NULL). */
static gboolean
compute (BwReport  *self,
         GPtrArray *stops,
         GPtrArray *infos,
         GError   **error)
{
  const BwReportOptions *o = self->options;
  g_autoptr(GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 calendar = self->counted_to_us - self->from_us;
  const BwCatalog *previous = _bw_report_push_catalog (self->catalog);

  /* the conveyors: the ones asked for, in that order; otherwise every
   * conveyor the ledger knows and every one that stopped, by id */
  if (o->conveyors)
    {
      for (guint i = 0; o->conveyors[i]; i++)
        find_conveyor (self, index, o->conveyors[i], TRUE);
    }
  else
    {
      for (guint i = 0; infos && i < infos->len; i++)
        find_conveyor (self, index, ((BwConveyorInfo *) infos->pdata[i])->id, TRUE);
      for (guint i = 0; stops && i < stops->len; i++)
        find_conveyor (self, index, ((BwStop *) stops->pdata[i])->conveyor, TRUE);
      g_ptr_array_sort (self->conveyors, compare_conveyor_id);
    }
  for (guint i = 0; infos && i < infos->len; i++)
    {
      BwConveyorInfo *info = infos->pdata[i];
      BwReportConveyor *c = find_conveyor (self, index, info->id, FALSE);
      if (c && info->name && !g_str_equal (info->name, info->id))
        c->name = g_strdup (info->name);
    }

  for (guint i = 0; stops && i < stops->len; i++)
    {
      BwStop *stop = stops->pdata[i];
      BwReportConveyor *c;
      BwReportStop row = { 0 };
      gint64 end;

      if (stop == NULL || stop->conveyor == NULL)
        continue;
      if (stop->end_us != 0 && stop->end_us < stop->start_us)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "Stop %" G_GINT64_FORMAT " of %s ends before it starts",
                       stop->id, stop->conveyor);
          _bw_report_pop_catalog (previous);
          return FALSE;
        }
      c = find_conveyor (self, index, stop->conveyor, FALSE);
      if (c == NULL)
        continue;
      end = stop->end_us ? stop->end_us : self->now_us;
      row.from_us = MAX (stop->start_us, self->from_us);
      row.to_us = MIN (end, self->counted_to_us);
      if (row.to_us <= row.from_us)
        continue;
      row.stop = g_object_ref (stop);
      row.open = stop->end_us == 0;
      row.clipped_start = stop->start_us < self->from_us;
      row.clipped_end = end > self->counted_to_us;
      row.micro = stop->micro && !row.open;
      row.planned = !row.micro && is_planned_cause (o, stop->cause);
      row.unclassified = stop->cause == NULL;
      g_array_append_val (self->stops, row);

      if (row.micro)
        c->n_micro++, c->micro_us += row.to_us - row.from_us;
      else if (row.planned)
        c->n_planned++, c->planned_us += row.to_us - row.from_us;
      else
        c->n_unplanned++, c->unplanned_us += row.to_us - row.from_us;
      c->n_open += row.open;
      c->n_unclassified += row.unclassified;
    }
  g_array_sort (self->stops, compare_report_stop);

  for (guint i = 0; i < self->conveyors->len; i++)
    {
      BwReportConveyor *c = self->conveyors->pdata[i];
      c->calendar_us = calendar;
      finish_conveyor (c);
      add_to_total (&self->total, c);
    }
  finish_conveyor (&self->total);

  compute_causes (self);
  compute_md (self);
  _bw_report_pop_catalog (previous);
  return TRUE;
}

/**
 * bw_report_new_from_stops:
 * @stops: (element-type BwStop): the stops (any order; those outside the
 *   period or of other conveyors are left out)
 *
 * Builds a report from stops the caller has, e.g. from the service's
 * `GET /api/v1/stops`. No metal-detector sensitivity advice: that needs
 * the ledger's history.
 */
BwReport *
bw_report_new_from_stops (GPtrArray              *stops,
                          const BwReportOptions  *options,
                          GError                **error)
{
  g_autoptr(BwReport) self = NULL;

  g_return_val_if_fail (options != NULL, NULL);

  self = report_new (options, error);
  if (self == NULL || !compute (self, stops, NULL, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* The metal-detector sensitivity advice (day and range reports): per
 * conveyor, from the classified trips of the history before the report's
 * end, by bw_md_recommend(). */
static gboolean
compute_md_advice (BwReport      *self,
                   BwLedger      *ledger,
                   GPtrArray     *infos,
                   GCancellable  *cancellable,
                   GError       **error)
{
  const BwReportOptions *o = self->options;
  g_autoptr(GPtrArray) stops = NULL;
  g_autoptr(GHashTable) trips = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_array_unref);
  g_autoptr(GHashTable) first_stop = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  BwMdSensitivityParams params;
  BwStopQuery q = { 0 };
  const BwCatalog *previous;

  if (o->md_history_us <= 0 || o->type == BW_REPORT_TYPE_SHIFT || self->counted_to_us <= self->from_us)
    return TRUE;
  q.from_us = self->counted_to_us - o->md_history_us;
  q.to_us = self->counted_to_us;
  q.ascending = TRUE;
  if (o->conveyors && g_strv_length (o->conveyors) <= MAX_QUERY_CONVEYORS)
    q.conveyors = (const char * const *) o->conveyors;
  stops = bw_ledger_list_stops (ledger, &q, NULL, error);
  if (stops == NULL || g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  for (guint i = 0; i < stops->len; i++)
    {
      BwStop *s = stops->pdata[i];
      BwMdTrip trip;
      GArray *a;
      gint64 *first = g_hash_table_lookup (first_stop, s->conveyor);
      gint64 start = MAX (s->start_us, q.from_us);

      if (first == NULL)
        g_hash_table_insert (first_stop, s->conveyor, g_memdup2 (&start, sizeof start));
      else if (start < *first)
        *first = start;

      /* a trip tells something when the operator said what it was and the
       * detector's peak is known */
      if (g_strcmp0 (s->trigger, "md_trip") != 0 || s->end_us == 0 || s->start_us < q.from_us ||
          !(g_strcmp0 (s->cause, BW_CAUSE_MD_FALSE_TRIP) == 0 || g_strcmp0 (s->cause, BW_CAUSE_FOREIGN_OBJECT) == 0) ||
          !isfinite (s->md_peak) || s->md_peak <= 0)
        continue;
      trip.peak = s->md_peak;
      trip.object_found = g_str_equal (s->cause, BW_CAUSE_FOREIGN_OBJECT);
      trip.duration_s = (double) (s->end_us - s->start_us) / 1e6;
      a = g_hash_table_lookup (trips, s->conveyor);
      if (a == NULL)
        {
          a = g_array_new (FALSE, FALSE, sizeof (BwMdTrip));
          g_hash_table_insert (trips, s->conveyor, a);
        }
      g_array_append_val (a, trip);
    }

  bw_md_sensitivity_params_init (&params);
  params.bootstrap = 100;
  previous = _bw_report_push_catalog (self->catalog);
  for (guint i = 0; i < self->conveyors->len; i++)
    {
      const BwReportConveyor *c = self->conveyors->pdata[i];
      GArray *a = g_hash_table_lookup (trips, c->conveyor);
      g_autoptr(BwMdRecommendation) rec = NULL;
      g_autoptr(GError) local = NULL;
      BwReportMdAdvice advice = { 0 };
      gint64 since = q.from_us;
      gint64 *first = g_hash_table_lookup (first_stop, c->conveyor);

      if (a == NULL)
        continue;
      /* the history is shorter when the conveyor is younger (first seen
       * later), unless it stopped before that (a replayed recording) */
      for (guint k = 0; infos && k < infos->len; k++)
        {
          BwConveyorInfo *info = infos->pdata[k];
          if (g_str_equal (info->id, c->conveyor) && info->first_seen_us > since)
            since = MIN (info->first_seen_us, first ? *first : info->first_seen_us);
        }
      rec = bw_md_recommend (c->conveyor, (const BwMdTrip *) (gpointer) a->data, a->len,
                             (double) (self->counted_to_us - since) / BW_USEC_PER_DAY, &params, &local);
      if (rec == NULL)
        {
          g_debug ("No sensitivity advice for %s: %s", c->conveyor, local->message);
          continue;
        }
      advice.conveyor = g_strdup (c->conveyor);
      advice.n_trips = rec->n_trips;
      advice.n_false = rec->n_false;
      advice.n_objects = rec->n_objects;
      advice.span_days = rec->span_days;
      advice.false_trips_per_day = rec->false_trips_per_day;
      advice.false_trip_downtime_min_per_day = rec->false_trip_downtime_min_per_day;
      advice.current_level = params.current_level;
      advice.has_recommendation = rec->has_recommendation;
      advice.recommended_level = rec->recommended_level;
      advice.recommended_level_low = rec->recommended_level_low;
      advice.recommended_level_high = rec->recommended_level_high;
      advice.catch_share = rec->catch_share;
      advice.false_trips_per_day_after = rec->false_trips_per_day_after;
      advice.downtime_saved_min_per_day = rec->downtime_saved_min_per_day;
      advice.missed_objects_per_year = rec->missed_objects_per_year;
      /* the note in the report's language */
      {
        const char *mark = C_("decimal mark", ".");
        g_autofree char *a1 = _bw_report_format_number (100 * (1 - rec->current_catch_share), 1, mark);
        g_autofree char *a2 = _bw_report_format_number (100 * rec->catch_share, 1, mark);
        g_autofree char *a3 = _bw_report_format_number (rec->missed_objects_per_year, 1, mark);

        if (!rec->has_recommendation)
          advice.note = g_strdup_printf (_("Too little history: %u objects found, %u needed."), rec->n_objects,
                                         MAX (params.min_objects, 2));
        else if (rec->note)
          advice.note = g_strdup_printf (_("Keep the present level: it already lets %s %% of objects through."), a1);
        else
          advice.note = g_strdup_printf (_("Catches %s %% of objects; about %s missed a year."), a2, a3);
      }
      g_array_append_val (self->md_advice, advice);
    }
  _bw_report_pop_catalog (previous);
  self->md_advice_available = TRUE;
  return TRUE;
}

/**
 * bw_report_new_from_ledger:
 *
 * Reads the conveyors and the stops overlapping the period from @ledger
 * (on the calling thread) and builds the report.
 */
BwReport *
bw_report_new_from_ledger (BwLedger               *ledger,
                           const BwReportOptions  *options,
                           GCancellable           *cancellable,
                           GError                **error)
{
  g_autoptr(BwReport) self = NULL;
  g_autoptr(GPtrArray) infos = NULL;
  g_autoptr(GPtrArray) stops = NULL;
  BwStopQuery q = { 0 };

  g_return_val_if_fail (ledger != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);

  self = report_new (options, error);
  if (self == NULL)
    return NULL;
  infos = bw_ledger_list_conveyors (ledger, error);
  if (infos == NULL || g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  q.from_us = self->from_us;
  q.to_us = self->counted_to_us > self->from_us ? self->counted_to_us : self->from_us + 1;
  q.ascending = TRUE;
  if (options->conveyors && g_strv_length (options->conveyors) <= MAX_QUERY_CONVEYORS)
    q.conveyors = (const char * const *) options->conveyors;
  stops = bw_ledger_list_stops (ledger, &q, NULL, error);
  if (stops == NULL || g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (!compute (self, stops, infos, error) ||
      !compute_md_advice (self, ledger, infos, cancellable, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* ---- accessors ---- */

const BwReportOptions *
bw_report_get_options (BwReport *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->options;
}

gint64
bw_report_get_from (BwReport *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->from_us;
}

gint64
bw_report_get_to (BwReport *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->to_us;
}

/**
 * bw_report_get_counted_to:
 *
 * Returns: the end of the time counted: the period's end, or now if the
 *   period has not ended yet
 */
gint64
bw_report_get_counted_to (BwReport *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->counted_to_us;
}

gint64
bw_report_get_now (BwReport *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->now_us;
}

/**
 * bw_report_get_language:
 *
 * Returns: the language the report is written in ("ru", "en")
 */
const char *
bw_report_get_language (BwReport *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->language;
}

/**
 * bw_report_dup_title:
 *
 * Returns: the report's title in its language, e.g. "Shift downtime report:
 *   Day shift, 2026-11-27" (for the PDF's metadata, a window title, a file
 *   name)
 */
char *
bw_report_dup_title (BwReport *self)
{
  const BwCatalog *previous;
  const char *date_fmt;
  g_autofree char *a = NULL, *b = NULL;
  char *title;

  g_return_val_if_fail (self != NULL, NULL);

  previous = _bw_report_push_catalog (self->catalog);
  date_fmt = C_("report date", "%Y-%m-%d");
  a = _bw_report_format_time (self, self->from_us, date_fmt);
  b = _bw_report_format_time (self, self->to_us - 1, date_fmt);
  if (self->options->type == BW_REPORT_TYPE_SHIFT && self->options->shift_name)
    title = g_strdup_printf ("%s: %s, %s", _bw_report_type_label (self->options->type), self->options->shift_name, a);
  else if (g_str_equal (a, b) || self->options->type != BW_REPORT_TYPE_RANGE)
    title = g_strdup_printf ("%s: %s", _bw_report_type_label (self->options->type), a);
  else
    title = g_strdup_printf ("%s: %s — %s", _bw_report_type_label (self->options->type), a, b);
  _bw_report_pop_catalog (previous);
  return title;
}

guint
bw_report_get_n_conveyors (BwReport *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->conveyors->len;
}

const BwReportConveyor *
bw_report_get_conveyor (BwReport *self,
                        guint     i)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (i < self->conveyors->len, NULL);
  return self->conveyors->pdata[i];
}

const BwReportConveyor *
bw_report_get_total (BwReport *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return &self->total;
}

guint
bw_report_get_n_causes (BwReport *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->causes->len;
}

const BwReportCause *
bw_report_get_cause (BwReport *self,
                     guint     i)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (i < self->causes->len, NULL);
  return &g_array_index (self->causes, BwReportCause, i);
}

guint
bw_report_get_n_md (BwReport *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->md->len;
}

const BwReportMd *
bw_report_get_md (BwReport *self,
                  guint     i)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (i < self->md->len, NULL);
  return self->md->pdata[i];
}

const BwReportMd *
bw_report_get_md_total (BwReport *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return &self->md_total;
}

guint
bw_report_get_n_md_clusters (BwReport *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->md_clusters->len;
}

const BwReportMdCluster *
bw_report_get_md_cluster (BwReport *self,
                          guint     i)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (i < self->md_clusters->len, NULL);
  return &g_array_index (self->md_clusters, BwReportMdCluster, i);
}

guint
bw_report_get_n_md_advice (BwReport *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->md_advice->len;
}

const BwReportMdAdvice *
bw_report_get_md_advice (BwReport *self,
                         guint     i)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (i < self->md_advice->len, NULL);
  return &g_array_index (self->md_advice, BwReportMdAdvice, i);
}

guint
bw_report_get_n_stops (BwReport *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->stops->len;
}

const BwReportStop *
bw_report_get_stop (BwReport *self,
                    guint     i)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (i < self->stops->len, NULL);
  return &g_array_index (self->stops, BwReportStop, i);
}

/* ---- JSON ---- */

static void
add_time (JsonBuilder *b,
          const char  *name,
          gint64       t)
{
  char buf[BW_TIME_FORMAT_LEN];

  json_builder_set_member_name (b, name);
  if (t)
    json_builder_add_string_value (b, bw_time_format (t, buf));
  else
    json_builder_add_null_value (b);
}

static void
add_double (JsonBuilder *b,
            const char  *name,
            double       v)
{
  json_builder_set_member_name (b, name);
  if (isfinite (v))
    json_builder_add_double_value (b, v);
  else
    json_builder_add_null_value (b);
}

static void
add_seconds (JsonBuilder *b,
             const char  *name,
             gint64       us)
{
  add_double (b, name, (double) us / 1e6);
}

static void
add_int (JsonBuilder *b,
         const char  *name,
         gint64       v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, v);
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *v)
{
  json_builder_set_member_name (b, name);
  if (v)
    json_builder_add_string_value (b, v);
  else
    json_builder_add_null_value (b);
}

static void
build_conveyor (JsonBuilder            *b,
                const BwReportConveyor *c)
{
  json_builder_begin_object (b);
  if (*c->conveyor)
    {
      add_string (b, "conveyor", c->conveyor);
      add_string (b, "name", c->name);
    }
  add_int (b, "stops", c->n_stops);
  add_int (b, "unplanned_stops", c->n_unplanned);
  add_int (b, "planned_stops", c->n_planned);
  add_int (b, "micro_stops", c->n_micro);
  add_int (b, "open_stops", c->n_open);
  add_int (b, "unclassified_stops", c->n_unclassified);
  add_seconds (b, "calendar_s", c->calendar_us);
  add_seconds (b, "downtime_s", c->downtime_us);
  add_seconds (b, "unplanned_s", c->unplanned_us);
  add_seconds (b, "planned_s", c->planned_us);
  add_seconds (b, "micro_s", c->micro_us);
  add_seconds (b, "run_s", c->run_us);
  add_double (b, "availability", c->availability);
  add_double (b, "mtbf_s", c->mtbf_s);
  add_double (b, "mttr_s", c->mttr_s);
  json_builder_end_object (b);
}

static void
build_md (JsonBuilder      *b,
          const BwReportMd *m)
{
  json_builder_begin_object (b);
  if (*m->conveyor)
    add_string (b, "conveyor", m->conveyor);
  add_int (b, "trips", m->trips);
  add_int (b, "false_trips", m->false_trips);
  add_int (b, "foreign_objects", m->foreign_objects);
  add_int (b, "other", m->other);
  add_int (b, "unclassified", m->unclassified);
  add_seconds (b, "downtime_s", m->downtime_us);
  add_double (b, "false_share", m->false_share);
  add_int (b, "max_false_in_window", m->max_false_in_window);
  json_builder_end_object (b);
}

static const char *
cause_kind_name (BwReportCauseKind kind)
{
  switch (kind)
    {
    case BW_REPORT_CAUSE_UNCLASSIFIED:
      return "unclassified";
    case BW_REPORT_CAUSE_MICRO:
      return "micro";
    case BW_REPORT_CAUSE_PLANNED:
      return "planned";
    case BW_REPORT_CAUSE_CODE:
    default:
      return "cause";
    }
}

/**
 * bw_report_to_json:
 *
 * Returns: (transfer full): the model: codes, UTC times, seconds; labels in
 *   the report's language
 */
JsonNode *
bw_report_to_json (BwReport *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const BwReportOptions *o;
  g_autofree char *title = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  o = self->options;
  title = bw_report_dup_title (self);
  json_builder_begin_object (b);
  add_string (b, "title", title);
  add_string (b, "type", bw_report_type_to_string (o->type));
  add_time (b, "from", self->from_us);
  add_time (b, "to", self->to_us);
  add_time (b, "counted_to", self->counted_to_us);
  add_time (b, "generated_at", self->now_us);
  add_string (b, "timezone", g_time_zone_get_identifier (o->tz));
  add_string (b, "language", self->language);
  add_string (b, "plant", o->plant);
  add_string (b, "section", o->section);
  add_string (b, "shift", o->shift_name);
  add_string (b, "prepared_by", o->prepared_by);

  json_builder_set_member_name (b, "conveyors");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->conveyors->len; i++)
    build_conveyor (b, self->conveyors->pdata[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "total");
  build_conveyor (b, &self->total);

  json_builder_set_member_name (b, "causes");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->causes->len; i++)
    {
      const BwReportCause *c = &g_array_index (self->causes, BwReportCause, i);
      json_builder_begin_object (b);
      add_string (b, "kind", cause_kind_name (c->kind));
      add_string (b, "code", c->code);
      add_string (b, "label", c->label);
      add_int (b, "stops", c->count);
      add_seconds (b, "downtime_s", c->downtime_us);
      add_double (b, "share", c->share);
      add_double (b, "cumulative", c->cumulative);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "metal_detector");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "conveyors");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->md->len; i++)
    build_md (b, self->md->pdata[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "total");
  build_md (b, &self->md_total);
  add_int (b, "cluster_max_false_trips", o->md_cluster_max);
  add_seconds (b, "cluster_window_s", o->md_cluster_window_us);
  json_builder_set_member_name (b, "clusters");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->md_clusters->len; i++)
    {
      const BwReportMdCluster *c = &g_array_index (self->md_clusters, BwReportMdCluster, i);
      json_builder_begin_object (b);
      add_string (b, "conveyor", c->conveyor);
      add_time (b, "from", c->from_us);
      add_time (b, "to", c->to_us);
      add_int (b, "false_trips", c->false_trips);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "sensitivity");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->md_advice->len; i++)
    {
      const BwReportMdAdvice *a = &g_array_index (self->md_advice, BwReportMdAdvice, i);
      json_builder_begin_object (b);
      add_string (b, "conveyor", a->conveyor);
      add_int (b, "trips", a->n_trips);
      add_int (b, "false_trips", a->n_false);
      add_int (b, "objects", a->n_objects);
      add_double (b, "span_days", a->span_days);
      add_double (b, "false_trips_per_day", a->false_trips_per_day);
      add_double (b, "false_trip_downtime_min_per_day", a->false_trip_downtime_min_per_day);
      add_double (b, "current_level", a->current_level);
      json_builder_set_member_name (b, "has_recommendation");
      json_builder_add_boolean_value (b, a->has_recommendation);
      add_double (b, "recommended_level", a->has_recommendation ? a->recommended_level : NAN);
      add_double (b, "recommended_level_low", a->has_recommendation ? a->recommended_level_low : NAN);
      add_double (b, "recommended_level_high", a->has_recommendation ? a->recommended_level_high : NAN);
      add_double (b, "catch_share", a->has_recommendation ? a->catch_share : NAN);
      add_double (b, "false_trips_per_day_after", a->has_recommendation ? a->false_trips_per_day_after : NAN);
      add_double (b, "downtime_saved_min_per_day", a->has_recommendation ? a->downtime_saved_min_per_day : NAN);
      add_double (b, "missed_objects_per_year", a->has_recommendation ? a->missed_objects_per_year : NAN);
      add_string (b, "note", a->note);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "stops");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->stops->len; i++)
    {
      const BwReportStop *s = &g_array_index (self->stops, BwReportStop, i);
      g_autoptr(JsonNode) node = bw_stop_to_json (s->stop, self->now_us);
      JsonObject *obj = json_node_get_object (node);
      char buf[BW_TIME_FORMAT_LEN];

      json_object_set_string_member (obj, "counted_from", bw_time_format (s->from_us, buf));
      json_object_set_string_member (obj, "counted_to", bw_time_format (s->to_us, buf));
      json_object_set_double_member (obj, "counted_s", (double) (s->to_us - s->from_us) / 1e6);
      json_object_set_boolean_member (obj, "clipped_start", s->clipped_start);
      json_object_set_boolean_member (obj, "clipped_end", s->clipped_end);
      json_object_set_string_member (obj, "class", s->micro ? "micro" : s->planned ? "planned" : "unplanned");
      json_builder_add_value (b, g_steal_pointer (&node));
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---- rendering ---- */

/**
 * bw_report_render:
 *
 * Returns: (transfer full): the report as a PDF, CSV (UTF-8) or JSON file's
 *   contents
 */
GBytes *
bw_report_render (BwReport       *self,
                  BwReportFormat  format,
                  GCancellable   *cancellable,
                  GError        **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  switch (format)
    {
    case BW_REPORT_FORMAT_PDF:
      return _bw_report_render_pdf (self, cancellable, error);
    case BW_REPORT_FORMAT_CSV:
    case BW_REPORT_FORMAT_CSV_STOPS:
    case BW_REPORT_FORMAT_CSV_TOTALS:
      return _bw_report_render_csv (self, format, error);
    case BW_REPORT_FORMAT_JSON:
      {
        g_autoptr(JsonNode) root = bw_report_to_json (self);
        g_autoptr(JsonGenerator) gen = json_generator_new ();
        gsize len;
        char *data;

        json_generator_set_root (gen, root);
        json_generator_set_pretty (gen, TRUE);
        data = json_generator_to_data (gen, &len);
        return g_bytes_new_take (data, len);
      }
    default:
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "Unknown report format %d", format);
      return NULL;
    }
}

/**
 * bw_report_write:
 *
 * Writes the report to @path atomically (a half-written report never
 * replaces a good one).
 */
gboolean
bw_report_write (BwReport        *self,
                 BwReportFormat   format,
                 const char      *path,
                 GCancellable    *cancellable,
                 GError         **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  bytes = bw_report_render (self, format, cancellable, error);
  if (bytes == NULL)
    return FALSE;
  if (!g_file_set_contents_full (path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes),
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644, &local))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_FAILED, "Cannot write the report: %s", local->message);
      return FALSE;
    }
  return TRUE;
}

/* ---- worker threads ---- */

typedef struct
{
  char            *ledger;
  GPtrArray       *stops;
  BwReportOptions *options;
  BwReport        *report;
  BwReportFormat   format;
  GFile           *file;
} TaskData;

static void
task_data_free (gpointer data)
{
  TaskData *d = data;

  g_free (d->ledger);
  g_clear_pointer (&d->stops, g_ptr_array_unref);
  g_clear_pointer (&d->options, bw_report_options_free);
  g_clear_pointer (&d->report, bw_report_unref);
  g_clear_object (&d->file);
  g_free (d);
}

/* "postgresql://…", "postgres://…", "postgresql:CONNINFO", "host=… dbname=…"
 * are PostgreSQL; anything else is an SQLite file */
static char *
postgres_conninfo (const char *ledger)
{
  if (g_str_has_prefix (ledger, "postgresql://") || g_str_has_prefix (ledger, "postgres://"))
    return g_strdup (ledger);
  if (g_str_has_prefix (ledger, "postgresql:"))
    return g_strdup (ledger + strlen ("postgresql:"));
  if ((strstr (ledger, "dbname=") || strstr (ledger, "host=")) && !g_file_test (ledger, G_FILE_TEST_EXISTS))
    return g_strdup (ledger);
  return NULL;
}

static BwLedger *
open_readonly (const char  *ledger,
               GError     **error)
{
  g_autofree char *conninfo = postgres_conninfo (ledger);
  BwLedger *l;

  if (conninfo == NULL)
    return bw_ledger_open_sqlite_readonly (ledger, error);
  l = bw_ledger_open_postgres (conninfo, error);
  if (l && !bw_db_exec (bw_ledger_get_db (l), "SET default_transaction_read_only = on", error))
    g_clear_pointer (&l, bw_ledger_close);
  return l;
}

static void
from_ledger_thread (GTask        *task,
                    gpointer      source,
                    gpointer      data,
                    GCancellable *cancellable)
{
  TaskData *d = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BwLedger) ledger = open_readonly (d->ledger, &error);
  BwReport *report;

  if (ledger == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  report = bw_report_new_from_ledger (ledger, d->options, cancellable, &error);
  if (report)
    g_task_return_pointer (task, report, (GDestroyNotify) bw_report_unref);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

/**
 * bw_report_new_from_ledger_async:
 * @ledger: an SQLite ledger's path, or a PostgreSQL connection: a URI
 *   (`postgresql://…`), `postgresql:` followed by a connection string, or a
 *   connection string with `host=` or `dbname=`
 *
 * Builds the report in a worker thread, on a read-only connection of its
 * own.
 */
void
bw_report_new_from_ledger_async (const char            *ledger,
                                 const BwReportOptions *options,
                                 GCancellable          *cancellable,
                                 GAsyncReadyCallback    callback,
                                 gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  TaskData *d;

  g_return_if_fail (ledger != NULL);
  g_return_if_fail (options != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, bw_report_new_from_ledger_async);
  d = g_new0 (TaskData, 1);
  d->ledger = g_strdup (ledger);
  d->options = bw_report_options_copy (options);
  g_task_set_task_data (task, d, task_data_free);
  g_task_run_in_thread (task, from_ledger_thread);
}

BwReport *
bw_report_new_from_ledger_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bw_report_new_from_ledger_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
from_stops_thread (GTask        *task,
                   gpointer      source,
                   gpointer      data,
                   GCancellable *cancellable)
{
  TaskData *d = data;
  GError *error = NULL;
  BwReport *report = bw_report_new_from_stops (d->stops, d->options, &error);

  if (report)
    g_task_return_pointer (task, report, (GDestroyNotify) bw_report_unref);
  else
    g_task_return_error (task, error);
}

void
bw_report_new_from_stops_async (GPtrArray             *stops,
                                const BwReportOptions *options,
                                GCancellable          *cancellable,
                                GAsyncReadyCallback    callback,
                                gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  TaskData *d;

  g_return_if_fail (stops != NULL);
  g_return_if_fail (options != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, bw_report_new_from_stops_async);
  d = g_new0 (TaskData, 1);
  d->stops = g_ptr_array_ref (stops);
  d->options = bw_report_options_copy (options);
  g_task_set_task_data (task, d, task_data_free);
  g_task_run_in_thread (task, from_stops_thread);
}

BwReport *
bw_report_new_from_stops_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bw_report_new_from_stops_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
render_thread (GTask        *task,
               gpointer      source,
               gpointer      data,
               GCancellable *cancellable)
{
  TaskData *d = data;
  GError *error = NULL;
  GBytes *bytes = bw_report_render (d->report, d->format, cancellable, &error);

  if (bytes == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (d->file)
    {
      gboolean ok = g_file_replace_contents (d->file, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL,
                                             FALSE, G_FILE_CREATE_NONE, NULL, cancellable, &error);
      g_bytes_unref (bytes);
      if (ok)
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

void
bw_report_render_async (BwReport            *self,
                        BwReportFormat       format,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TaskData *d;

  g_return_if_fail (self != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, bw_report_render_async);
  d = g_new0 (TaskData, 1);
  d->report = bw_report_ref (self);
  d->format = format;
  g_task_set_task_data (task, d, task_data_free);
  g_task_run_in_thread (task, render_thread);
}

GBytes *
bw_report_render_finish (BwReport      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bw_report_render_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * bw_report_write_async:
 * @file: where to write; replaced only once the whole report is written
 */
void
bw_report_write_async (BwReport            *self,
                       BwReportFormat       format,
                       GFile               *file,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TaskData *d;

  g_return_if_fail (self != NULL);
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, bw_report_write_async);
  d = g_new0 (TaskData, 1);
  d->report = bw_report_ref (self);
  d->format = format;
  d->file = g_object_ref (file);
  g_task_set_task_data (task, d, task_data_free);
  g_task_run_in_thread (task, render_thread);
}

gboolean
bw_report_write_finish (BwReport      *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bw_report_write_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- names ---- */

static const char * const type_names[] = { "shift", "day", "range" };
static const char * const format_names[] = { "pdf", "csv", "csv-stops", "csv-totals", "json" };

const char *
bw_report_type_to_string (BwReportType type)
{
  g_return_val_if_fail (type < G_N_ELEMENTS (type_names), NULL);
  return type_names[type];
}

gboolean
bw_report_type_from_string (const char   *text,
                            BwReportType *out)
{
  for (guint i = 0; text && i < G_N_ELEMENTS (type_names); i++)
    if (g_ascii_strcasecmp (text, type_names[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

const char *
bw_report_format_to_string (BwReportFormat format)
{
  g_return_val_if_fail (format < G_N_ELEMENTS (format_names), NULL);
  return format_names[format];
}

gboolean
bw_report_format_from_string (const char     *text,
                              BwReportFormat *out)
{
  for (guint i = 0; text && i < G_N_ELEMENTS (format_names); i++)
    if (g_ascii_strcasecmp (text, format_names[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

const char *
bw_report_format_get_content_type (BwReportFormat format)
{
  switch (format)
    {
    case BW_REPORT_FORMAT_PDF:
      return "application/pdf";
    case BW_REPORT_FORMAT_CSV:
    case BW_REPORT_FORMAT_CSV_STOPS:
    case BW_REPORT_FORMAT_CSV_TOTALS:
      return "text/csv; charset=utf-8";
    case BW_REPORT_FORMAT_JSON:
      return "application/json; charset=utf-8";
    default:
      return "application/octet-stream";
    }
}

const char *
bw_report_format_get_extension (BwReportFormat format)
{
  switch (format)
    {
    case BW_REPORT_FORMAT_PDF:
      return "pdf";
    case BW_REPORT_FORMAT_JSON:
      return "json";
    default:
      return "csv";
    }
}
