/* bw-shifts.c: the plant's shift schedule in local time
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-shifts"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "bw-error.h"
#include "bw-shifts.h"
#include "bw-time.h"

#define MINUTES_PER_DAY 1440
#define JULIAN_EPOCH    719163   /* GDate's Julian day of 1970-01-01 */

typedef struct
{
  char *name;
  guint start;   /* minutes after local midnight, 0 … 1439 */
  guint end;     /* 1 … 1440; not after start: ends on the next day */
} ShiftDef;

struct _BwShiftSchedule
{
  gatomicrefcount ref_count;
  GTimeZone      *tz;       /* owned */
  GArray         *shifts;   /* ShiftDef */
};

G_DEFINE_BOXED_TYPE (BwShiftSchedule, bw_shift_schedule, bw_shift_schedule_ref, bw_shift_schedule_unref)

static void
shift_def_clear (gpointer data)
{
  g_free (((ShiftDef *) data)->name);
}

/**
 * bw_shift_schedule_new:
 * @tz: (nullable): the plant's time zone; %NULL for the local one
 *
 * Returns: an empty schedule; add shifts with bw_shift_schedule_add()
 */
BwShiftSchedule *
bw_shift_schedule_new (GTimeZone *tz)
{
  BwShiftSchedule *self = g_new0 (BwShiftSchedule, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->tz = tz ? g_time_zone_ref (tz) : g_time_zone_new_local ();
  self->shifts = g_array_new (FALSE, TRUE, sizeof (ShiftDef));
  g_array_set_clear_func (self->shifts, shift_def_clear);
  return self;
}

/**
 * bw_shift_schedule_new_default:
 *
 * Returns: the schedule "08:00-20:00 Day shift; 20:00-08:00 Night shift",
 *   with the names translated to the locale's language
 */
BwShiftSchedule *
bw_shift_schedule_new_default (GTimeZone *tz)
{
  BwShiftSchedule *self = bw_shift_schedule_new (tz);

  bw_shift_schedule_add (self, _("Day shift"), 8 * 60, 20 * 60, NULL);
  bw_shift_schedule_add (self, _("Night shift"), 20 * 60, 8 * 60, NULL);
  return self;
}

BwShiftSchedule *
bw_shift_schedule_ref (BwShiftSchedule *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
bw_shift_schedule_unref (BwShiftSchedule *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_time_zone_unref (self->tz);
  g_array_unref (self->shifts);
  g_free (self);
}

static guint
shift_length (guint start,
              guint end)
{
  return end > start ? end - start : end + MINUTES_PER_DAY - start;
}

/**
 * bw_shift_schedule_add:
 * @name: the shift's name as it appears in reports ("Day shift", "Смена 1")
 * @start_minute: start, minutes after local midnight (0 … 1439)
 * @end_minute: end (0 … 1440); not after @start_minute means the next day,
 *   equal to it a 24-hour shift
 *
 * Fails with %BW_ERROR_INVALID if the shift overlaps one already there.
 */
gboolean
bw_shift_schedule_add (BwShiftSchedule  *self,
                       const char       *name,
                       guint             start_minute,
                       guint             end_minute,
                       GError          **error)
{
  g_autofree guint8 *used = NULL;
  ShiftDef def = { 0 };

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (start_minute >= MINUTES_PER_DAY || end_minute > MINUTES_PER_DAY)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "Shift “%s”: times must lie within 00:00 … 24:00", name);
      return FALSE;
    }
  if (!g_utf8_validate (name, -1, NULL) || *name == '\0')
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "A shift needs a name in UTF-8");
      return FALSE;
    }
  /* minutes of the day's circle each shift covers: no minute twice */
  used = g_new0 (guint8, MINUTES_PER_DAY);
  for (guint i = 0; i <= self->shifts->len; i++)
    {
      const ShiftDef *s = i < self->shifts->len ? &g_array_index (self->shifts, ShiftDef, i) : NULL;
      guint start = s ? s->start : start_minute;
      guint len = s ? shift_length (s->start, s->end) : shift_length (start_minute, end_minute);

      for (guint m = 0; m < len; m++)
        {
          guint k = (start + m) % MINUTES_PER_DAY;
          if (used[k])
            {
              g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                           "Shift “%s” (%02u:%02u-%02u:%02u) overlaps another shift", name,
                           start_minute / 60, start_minute % 60, end_minute / 60, end_minute % 60);
              return FALSE;
            }
          used[k] = 1;
        }
    }

  def.name = g_strdup (name);
  def.start = start_minute;
  def.end = end_minute;
  g_array_append_val (self->shifts, def);
  return TRUE;
}

static gboolean
parse_hhmm (const char **p,
            guint       *out,
            gboolean     allow_24)
{
  const char *s = *p;
  guint h = 0, m = 0;
  int nd = 0;

  while (g_ascii_isdigit (*s) && nd < 2)
    h = h * 10 + (guint) (*s++ - '0'), nd++;
  if (nd == 0 || (*s != ':' && *s != '.'))
    return FALSE;
  s++;
  if (!g_ascii_isdigit (s[0]) || !g_ascii_isdigit (s[1]))
    return FALSE;
  m = (guint) (s[0] - '0') * 10 + (guint) (s[1] - '0');
  s += 2;
  if (m > 59 || h > 24 || (h == 24 && (m != 0 || !allow_24)))
    return FALSE;
  *out = h * 60 + m;
  *p = s;
  return TRUE;
}

/**
 * bw_shift_schedule_new_parse:
 * @spec: shifts separated by `;` or new lines, each `HH:MM-HH:MM NAME`, e.g.
 *   "08:00-20:00 Day; 20:00-08:00 Night" or "00:00-08:00 Смена 1;
 *   08:00-16:00 Смена 2; 16:00-24:00 Смена 3". A missing name becomes
 *   "Shift N". An en dash may stand for the hyphen.
 * @tz: (nullable): the plant's time zone; %NULL for the local one
 */
BwShiftSchedule *
bw_shift_schedule_new_parse (const char  *spec,
                             GTimeZone   *tz,
                             GError     **error)
{
  g_autoptr(BwShiftSchedule) self = NULL;
  g_auto(GStrv) items = NULL;

  g_return_val_if_fail (spec != NULL, NULL);

  if (!g_utf8_validate (spec, -1, NULL))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "The shift schedule is not UTF-8");
      return NULL;
    }
  self = bw_shift_schedule_new (tz);
  items = g_strsplit_set (spec, ";\n", -1);
  for (guint i = 0; items[i]; i++)
    {
      const char *p = g_strstrip (items[i]);
      g_autofree char *name = NULL;
      guint start, end;

      if (*p == '\0')
        continue;
      if (!parse_hhmm (&p, &start, FALSE))
        goto bad;
      while (*p == ' ')
        p++;
      if (*p == '-')
        p++;
      else if (g_str_has_prefix (p, "–"))
        p += strlen ("–");
      else
        goto bad;
      while (*p == ' ')
        p++;
      if (!parse_hhmm (&p, &end, TRUE))
        goto bad;
      if (*p != '\0' && *p != ' ' && *p != '\t')
        goto bad;
      name = g_strstrip (g_strdup (p));
      if (*name == '\0')
        {
          g_free (name);
          name = g_strdup_printf (_("Shift %u"), self->shifts->len + 1);
        }
      if (!bw_shift_schedule_add (self, name, start, end, error))
        return NULL;
      continue;

    bad:
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   "“%s” is not a shift: write HH:MM-HH:MM and a name, e.g. 08:00-20:00 Day", items[i]);
      return NULL;
    }
  if (self->shifts->len == 0)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID, "The shift schedule has no shifts");
      return NULL;
    }
  return g_steal_pointer (&self);
}

/**
 * bw_shift_schedule_to_string:
 *
 * Returns: the schedule in the form bw_shift_schedule_new_parse() reads
 */
char *
bw_shift_schedule_to_string (BwShiftSchedule *self)
{
  GString *s = g_string_new (NULL);

  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->shifts->len; i++)
    {
      const ShiftDef *d = &g_array_index (self->shifts, ShiftDef, i);
      g_string_append_printf (s, "%s%02u:%02u-%02u:%02u %s", i ? "; " : "", d->start / 60, d->start % 60,
                              d->end / 60, d->end % 60, d->name);
    }
  return g_string_free (s, FALSE);
}

/**
 * bw_shift_schedule_get_timezone:
 *
 * Returns: (transfer none): the schedule's time zone
 */
GTimeZone *
bw_shift_schedule_get_timezone (BwShiftSchedule *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->tz;
}

guint
bw_shift_schedule_get_n_shifts (BwShiftSchedule *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->shifts->len;
}

const char *
bw_shift_schedule_get_name (BwShiftSchedule *self,
                            guint            index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->shifts->len, NULL);
  return g_array_index (self->shifts, ShiftDef, index).name;
}

/**
 * bw_shift_schedule_lookup:
 * @name_or_number: a shift's name (case-insensitive) or its number, 1 for
 *   the first
 * @index: (out): its index
 */
gboolean
bw_shift_schedule_lookup (BwShiftSchedule *self,
                          const char      *name_or_number,
                          guint           *index)
{
  guint64 n;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (name_or_number != NULL, FALSE);

  for (guint i = 0; i < self->shifts->len; i++)
    {
      g_autofree char *a = g_utf8_casefold (g_array_index (self->shifts, ShiftDef, i).name, -1);
      g_autofree char *b = g_utf8_casefold (name_or_number, -1);
      if (g_str_equal (a, b))
        {
          *index = i;
          return TRUE;
        }
    }
  if (g_ascii_string_to_unsigned (name_or_number, 10, 1, self->shifts->len, &n, NULL))
    {
      *index = (guint) n - 1;
      return TRUE;
    }
  return FALSE;
}

guint
bw_shift_schedule_get_start_minute (BwShiftSchedule *self,
                                    guint            index)
{
  g_return_val_if_fail (self != NULL && index < self->shifts->len, 0);
  return g_array_index (self->shifts, ShiftDef, index).start;
}

guint
bw_shift_schedule_get_end_minute (BwShiftSchedule *self,
                                  guint            index)
{
  g_return_val_if_fail (self != NULL && index < self->shifts->len, 0);
  return g_array_index (self->shifts, ShiftDef, index).end;
}

/* ---- calendar arithmetic ---- */

static gint32
offset_at (GTimeZone *tz,
           gint64     utc_s)
{
  int interval = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, utc_s);
  return g_time_zone_get_offset (tz, MAX (interval, 0));
}

/* Days since 1970-01-01 of the local date of @t_us */
static gint64
local_days (GTimeZone *tz,
            gint64     t_us)
{
  gint64 s = t_us >= 0 ? t_us / BW_USEC_PER_SEC : -((-t_us + BW_USEC_PER_SEC - 1) / BW_USEC_PER_SEC);
  gint64 l = s + offset_at (tz, s);

  return l >= 0 ? l / 86400 : -((-l + 86399) / 86400);
}

/* The instant (µs, UTC) of the local wall-clock time @minute (may exceed a
 * day) after midnight of local date @days. A time skipped by a clock change
 * becomes the first instant after the gap; a repeated one its first
 * occurrence. */
static gint64
wall_to_utc (GTimeZone *tz,
             gint64     days,
             guint      minute)
{
  gint64 w = days * 86400 + (gint64) minute * 60;
  gint64 best = G_MAXINT64;
  gint32 before = offset_at (tz, w - 86400);
  gint32 after = offset_at (tz, w + 86400);
  gint32 cand[2] = { before, after };

  for (int i = 0; i < 2; i++)
    {
      gint64 t = w - cand[i];
      if (offset_at (tz, t) == cand[i] && t < best)
        best = t;
    }
  /* an offset in between (a zone that changed twice within two days) */
  if (best == G_MAXINT64)
    {
      gint32 mid = offset_at (tz, w - before);
      if (offset_at (tz, w - mid) == mid)
        best = w - mid;
    }
  if (best == G_MAXINT64)
    {
      /* in a gap: the transition lies in [w − before, w − after) when the
       * clock went forward; find it */
      gint64 lo = w - MAX (before, after), hi = w - MIN (before, after);
      gint32 off_lo = offset_at (tz, lo);

      while (hi - lo > 1)
        {
          gint64 mid = lo + (hi - lo) / 2;
          if (offset_at (tz, mid) == off_lo)
            lo = mid;
          else
            hi = mid;
        }
      best = hi;
    }
  return best * BW_USEC_PER_SEC;
}

static void
date_of_days (gint64  days,
              int    *y,
              int    *m,
              int    *d)
{
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_julian (&date, (guint32) (days + JULIAN_EPOCH));
  *y = g_date_get_year (&date);
  *m = g_date_get_month (&date);
  *d = g_date_get_day (&date);
}

static void
occurrence (BwShiftSchedule *self,
            gint64           days,
            guint            index,
            BwShift         *out)
{
  const ShiftDef *def = &g_array_index (self->shifts, ShiftDef, index);

  out->index = index;
  out->start_us = wall_to_utc (self->tz, days, def->start);
  out->end_us = wall_to_utc (self->tz, days + (def->end > def->start ? 0 : 1), def->end);
  date_of_days (days, &out->year, &out->month, &out->day);
}

gboolean
bw_shift_schedule_find (BwShiftSchedule *self,
                        gint64           time_us,
                        BwShift         *out)
{
  gint64 d;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  d = local_days (self->tz, time_us);
  for (gint64 dc = d - 1; dc <= d; dc++)
    for (guint i = 0; i < self->shifts->len; i++)
      {
        BwShift s;
        occurrence (self, dc, i, &s);
        if (s.start_us <= time_us && time_us < s.end_us)
          {
            *out = s;
            return TRUE;
          }
      }
  return FALSE;
}

gboolean
bw_shift_schedule_current (BwShiftSchedule *self,
                           BwShift         *out)
{
  return bw_shift_schedule_find (self, bw_time_now (), out);
}

gboolean
bw_shift_schedule_previous (BwShiftSchedule *self,
                            gint64           time_us,
                            BwShift         *out)
{
  BwShift cur, best = { 0 };
  gint64 ref, d;
  gboolean found = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  ref = bw_shift_schedule_find (self, time_us, &cur) ? cur.start_us : time_us;
  d = local_days (self->tz, ref);
  for (gint64 dc = d - 2; dc <= d; dc++)
    for (guint i = 0; i < self->shifts->len; i++)
      {
        BwShift s;
        occurrence (self, dc, i, &s);
        if (s.end_us <= ref && (!found || s.end_us > best.end_us ||
                                (s.end_us == best.end_us && s.start_us > best.start_us)))
          best = s, found = TRUE;
      }
  if (found)
    *out = best;
  return found;
}

gboolean
bw_shift_schedule_next (BwShiftSchedule *self,
                        gint64           time_us,
                        BwShift         *out)
{
  BwShift cur, best = { 0 };
  gint64 ref, d;
  gboolean found = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  ref = bw_shift_schedule_find (self, time_us, &cur) ? cur.end_us : time_us;
  d = local_days (self->tz, ref);
  for (gint64 dc = d - 1; dc <= d + 2; dc++)
    for (guint i = 0; i < self->shifts->len; i++)
      {
        BwShift s;
        occurrence (self, dc, i, &s);
        if (s.start_us >= ref && (!found || s.start_us < best.start_us))
          best = s, found = TRUE;
      }
  if (found)
    *out = best;
  return found;
}

gboolean
bw_shift_schedule_get_shift (BwShiftSchedule *self,
                             int              year,
                             int              month,
                             int              day,
                             guint            index,
                             BwShift         *out)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (index >= self->shifts->len || !g_date_valid_dmy (day, month, year))
    return FALSE;
  occurrence (self, bw_time_from_civil (year, month, day, 0, 0, 0) / BW_USEC_PER_DAY, index, out);
  return TRUE;
}

static int
compare_shift_start (gconstpointer a,
                     gconstpointer b)
{
  const BwShift *x = a, *y = b;
  return x->start_us < y->start_us ? -1 : x->start_us > y->start_us;
}

/**
 * bw_shift_schedule_list:
 *
 * Returns: (transfer full) (element-type BwShift): the shifts overlapping
 *   [@from_us, @to_us), oldest first
 */
GArray *
bw_shift_schedule_list (BwShiftSchedule *self,
                        gint64           from_us,
                        gint64           to_us)
{
  GArray *out;
  gint64 d0, d1;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_array_new (FALSE, FALSE, sizeof (BwShift));
  if (to_us <= from_us)
    return out;
  d0 = local_days (self->tz, from_us) - 1;
  d1 = local_days (self->tz, to_us);
  for (gint64 dc = d0; dc <= d1; dc++)
    for (guint i = 0; i < self->shifts->len; i++)
      {
        BwShift s;
        occurrence (self, dc, i, &s);
        if (s.start_us < to_us && s.end_us > from_us)
          g_array_append_val (out, s);
      }
  g_array_sort (out, compare_shift_start);
  return out;
}

/**
 * bw_shift_schedule_find_day:
 * @start_us: (out): start of the production day containing @time_us
 * @end_us: (out): its end (the same wall-clock time on the next day)
 *
 * The production day starts when the schedule's first shift does (at
 * midnight for a schedule without shifts).
 */
void
bw_shift_schedule_find_day (BwShiftSchedule *self,
                            gint64           time_us,
                            gint64          *start_us,
                            gint64          *end_us)
{
  guint m0;
  gint64 d;

  g_return_if_fail (self != NULL);

  m0 = self->shifts->len ? g_array_index (self->shifts, ShiftDef, 0).start : 0;
  d = local_days (self->tz, time_us);
  for (gint64 dc = d; dc >= d - 1; dc--)
    {
      gint64 s = wall_to_utc (self->tz, dc, m0);
      if (s <= time_us)
        {
          if (start_us)
            *start_us = s;
          if (end_us)
            *end_us = wall_to_utc (self->tz, dc + 1, m0);
          return;
        }
    }
  g_assert_not_reached ();
}
