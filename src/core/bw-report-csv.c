/* bw-report-csv.c: the report as CSV — one row per stop, and the totals
 *
 * UTF-8 with a byte-order mark (so that spreadsheets on Windows read the
 * Cyrillic right); the separator is the options' (`;` by default); numbers
 * use the report language's decimal mark unless that is the separator;
 * times are local, `YYYY-MM-DD HH:MM:SS`, in the report's time zone.
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

#include "bw-time.h"

#define CSV_TIME "%Y-%m-%d %H:%M:%S"

typedef struct
{
  BwReport   *report;
  GString    *out;
  char        sep;
  const char *mark;       /* decimal mark */
  gboolean    first;      /* no field in this row yet */
} Csv;

static void
field_raw (Csv        *csv,
           const char *s)
{
  if (!csv->first)
    g_string_append_c (csv->out, csv->sep);
  csv->first = FALSE;
  g_string_append (csv->out, s);
}

/* text from people (comments, names): quoted when needed, and a leading
 * = + - @ is defused so that a spreadsheet never runs it as a formula */
static void
field_text (Csv        *csv,
            const char *s)
{
  gboolean quote;

  if (!csv->first)
    g_string_append_c (csv->out, csv->sep);
  csv->first = FALSE;
  if (s == NULL || *s == '\0')
    return;
  quote = strchr (s, csv->sep) || strpbrk (s, "\"\r\n") || s[0] == ' ' || s[strlen (s) - 1] == ' ';
  if (quote)
    g_string_append_c (csv->out, '"');
  if (strchr ("=+-@\t\r", s[0]))
    g_string_append_c (csv->out, '\'');
  for (const char *p = s; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (csv->out, '"');
      g_string_append_c (csv->out, *p);
    }
  if (quote)
    g_string_append_c (csv->out, '"');
}

static void
field_number (Csv    *csv,
              double  v,
              int     decimals)
{
  g_autofree char *s = NULL;

  if (!isfinite (v))
    {
      field_raw (csv, "");
      return;
    }
  s = _bw_report_format_number (v, decimals, csv->mark);
  field_raw (csv, s);
}

static void
field_uint (Csv   *csv,
            guint  v)
{
  char buf[16];

  g_snprintf (buf, sizeof buf, "%u", v);
  field_raw (csv, buf);
}

static void
field_minutes (Csv    *csv,
               gint64  us)
{
  field_number (csv, (double) us / 6e7, 2);
}

static void
field_time (Csv    *csv,
            gint64  t)
{
  g_autofree char *s = NULL;

  if (t == 0)
    {
      field_raw (csv, "");
      return;
    }
  s = _bw_report_format_time (csv->report, t, CSV_TIME);
  field_raw (csv, s);
}

static void
end_row (Csv *csv)
{
  g_string_append (csv->out, "\r\n");
  csv->first = TRUE;
}

static void
header (Csv               *csv,
        const char * const *names)
{
  for (guint i = 0; names[i]; i++)
    field_text (csv, names[i]);
  end_row (csv);
}

static void
pair (Csv        *csv,
      const char *name,
      const char *value)
{
  field_text (csv, name);
  field_text (csv, value);
  end_row (csv);
}

static void
write_stops (Csv *csv)
{
  BwReport *r = csv->report;
  const char * const names[] = {
    _("No."), _("Conveyor"), _("Start"), _("End"), _("Open"), _("Duration, min"),
    _("Counted in the period, min"), _("Class"), _("Trigger"), _("Trigger code"), _("Cause"),
    _("Cause code"), _("Suggested cause"), _("Suggestion probability"), _("Comment"),
    _("Classified by"), _("Classified at"), _("Started before the period"),
    _("Continues after the period"), _("Stop id"), NULL
  };

  header (csv, names);
  for (guint i = 0; i < r->stops->len; i++)
    {
      const BwReportStop *s = &g_array_index (r->stops, BwReportStop, i);
      BwStop *st = s->stop;
      char buf[32];

      field_uint (csv, i + 1);
      field_text (csv, st->conveyor);
      field_time (csv, st->start_us);
      field_time (csv, st->end_us);
      field_raw (csv, s->open ? "1" : "0");
      field_minutes (csv, bw_stop_get_duration (st, r->now_us));
      field_minutes (csv, s->to_us - s->from_us);
      field_text (csv, s->micro ? _("Micro-stop") : s->planned ? _("Planned") : _("Unplanned"));
      field_text (csv, _bw_report_trigger_label (st->trigger));
      field_text (csv, st->trigger);
      field_text (csv, _bw_report_cause_label (r, st->cause));
      field_text (csv, st->cause);
      field_text (csv, st->suggested_cause);
      field_number (csv, st->suggested_cause ? st->suggested_probability : NAN, 3);
      field_text (csv, st->comment);
      field_text (csv, st->classified_by);
      field_time (csv, st->cause ? st->classified_us : 0);
      field_raw (csv, s->clipped_start ? "1" : "0");
      field_raw (csv, s->clipped_end ? "1" : "0");
      g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, st->id);
      field_raw (csv, buf);
      end_row (csv);
    }
}

static void
summary_row (Csv                    *csv,
             const BwReportConveyor *c,
             const char             *label)
{
  field_text (csv, label ? label : c->conveyor);
  field_text (csv, c->name);
  field_uint (csv, c->n_stops);
  field_uint (csv, c->n_unplanned);
  field_uint (csv, c->n_planned);
  field_uint (csv, c->n_micro);
  field_uint (csv, c->n_open);
  field_uint (csv, c->n_unclassified);
  field_number (csv, (double) c->calendar_us / 3.6e9, 3);
  field_minutes (csv, c->downtime_us);
  field_minutes (csv, c->unplanned_us);
  field_minutes (csv, c->planned_us);
  field_minutes (csv, c->micro_us);
  field_number (csv, (double) c->run_us / 3.6e9, 3);
  field_number (csv, c->availability * 100, 2);
  field_number (csv, c->mtbf_s / 60, 2);
  field_number (csv, c->mttr_s / 60, 2);
  end_row (csv);
}

static void
md_row (Csv              *csv,
        const BwReportMd *m,
        const char       *label)
{
  field_text (csv, label ? label : m->conveyor);
  field_uint (csv, m->trips);
  field_uint (csv, m->false_trips);
  field_uint (csv, m->foreign_objects);
  field_uint (csv, m->other);
  field_uint (csv, m->unclassified);
  field_minutes (csv, m->downtime_us);
  field_number (csv, m->false_share * 100, 2);
  field_uint (csv, m->max_false_in_window);
  end_row (csv);
}

static void
write_totals (Csv *csv)
{
  BwReport *r = csv->report;
  const BwReportOptions *o = r->options;
  g_autofree char *title = bw_report_dup_title (r);
  g_autofree char *zone = _bw_report_describe_zone (r);
  g_autofree char *from = _bw_report_format_time (r, r->from_us, CSV_TIME);
  g_autofree char *to = _bw_report_format_time (r, r->to_us, CSV_TIME);
  g_autofree char *counted = _bw_report_format_time (r, r->counted_to_us, CSV_TIME);
  g_autofree char *generated = _bw_report_format_time (r, r->now_us, CSV_TIME);
  const char * const summary[] = {
    _("Conveyor"), _("Name"), _("Stops"), _("Unplanned stops"), _("Planned stops"), _("Micro-stops"),
    _("Open stops"), _("Not classified"), _("Calendar time, h"), _("Downtime, min"),
    _("Unplanned downtime, min"), _("Planned downtime, min"), _("Micro-stop time, min"), _("Run time, h"),
    _("Availability, %"), _("MTBF, min"), _("MTTR, min"), NULL
  };
  const char * const causes[] = {
    _("Cause"), _("Cause code"), _("Stops"), _("Downtime, min"), _("Share, %"), _("Cumulative share, %"), NULL
  };
  const char * const md[] = {
    _("Conveyor"), _("Metal detector trips"), _("False trips"), _("Foreign objects"), _("Other causes"),
    _("Not classified"), _("Downtime, min"), _("False-trip share, %"), _("Most false trips in one window"), NULL
  };

  pair (csv, _("Report"), title);
  pair (csv, _("Plant"), o->plant);
  pair (csv, _("Section"), o->section);
  pair (csv, _("Shift"), o->shift_name);
  pair (csv, _("Period from"), from);
  pair (csv, _("Period to"), to);
  pair (csv, _("Counted up to"), counted);
  pair (csv, _("Time zone"), zone);
  pair (csv, _("Prepared by"), o->prepared_by);
  pair (csv, _("Generated at"), generated);
  end_row (csv);

  header (csv, summary);
  for (guint i = 0; i < r->conveyors->len; i++)
    summary_row (csv, r->conveyors->pdata[i], NULL);
  summary_row (csv, &r->total, _("Total"));
  end_row (csv);

  header (csv, causes);
  for (guint i = 0; i < r->causes->len; i++)
    {
      const BwReportCause *c = &g_array_index (r->causes, BwReportCause, i);
      field_text (csv, c->label);
      field_text (csv, c->kind == BW_REPORT_CAUSE_MICRO ? "micro" : c->kind == BW_REPORT_CAUSE_UNCLASSIFIED ? "" : c->code);
      field_uint (csv, c->count);
      field_minutes (csv, c->downtime_us);
      field_number (csv, c->share * 100, 2);
      field_number (csv, c->cumulative * 100, 2);
      end_row (csv);
    }
  end_row (csv);

  header (csv, md);
  for (guint i = 0; i < r->md->len; i++)
    md_row (csv, r->md->pdata[i], NULL);
  md_row (csv, &r->md_total, _("Total"));
  for (guint i = 0; i < r->md_clusters->len; i++)
    {
      const BwReportMdCluster *c = &g_array_index (r->md_clusters, BwReportMdCluster, i);
      field_text (csv, _("False trips clustered"));
      field_text (csv, c->conveyor);
      field_time (csv, c->from_us);
      field_time (csv, c->to_us);
      field_uint (csv, c->false_trips);
      end_row (csv);
    }
  for (guint i = 0; i < r->md_advice->len; i++)
    {
      const BwReportMdAdvice *a = &g_array_index (r->md_advice, BwReportMdAdvice, i);
      field_text (csv, _("Sensitivity advice"));
      field_text (csv, a->conveyor);
      field_number (csv, a->current_level, 0);
      field_number (csv, a->has_recommendation ? a->recommended_level : NAN, 0);
      field_number (csv, a->has_recommendation ? a->recommended_level_low : NAN, 0);
      field_number (csv, a->has_recommendation ? a->recommended_level_high : NAN, 0);
      field_number (csv, a->false_trips_per_day, 2);
      field_number (csv, a->has_recommendation ? a->false_trips_per_day_after : NAN, 2);
      field_text (csv, a->note);
      end_row (csv);
    }
}

GBytes *
_bw_report_render_csv (BwReport        *self,
                       BwReportFormat   format,
                       GError         **error)
{
  const BwCatalog *previous = _bw_report_push_catalog (self->catalog);
  Csv csv = { 0 };
  const char *mark;
  gsize len;

  csv.report = self;
  csv.out = g_string_sized_new (4096 + 256 * self->stops->len);
  csv.sep = self->options->separator;
  csv.first = TRUE;
  mark = C_("decimal mark", ".");
  csv.mark = mark[0] == csv.sep && mark[1] == '\0' ? "." : mark;

  g_string_append (csv.out, "\xEF\xBB\xBF");
  if (format != BW_REPORT_FORMAT_CSV_TOTALS)
    write_stops (&csv);
  if (format == BW_REPORT_FORMAT_CSV)
    end_row (&csv);
  if (format != BW_REPORT_FORMAT_CSV_STOPS)
    write_totals (&csv);

  _bw_report_pop_catalog (previous);
  len = csv.out->len;
  return g_bytes_new_take (g_string_free (csv.out, FALSE), len);
}
