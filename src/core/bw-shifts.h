/* bw-shifts.h: the plant's shift schedule
 *
 * A schedule is a list of named shifts, each from a local wall-clock time to
 * another ("08:00-20:00 Day; 20:00-08:00 Night", or three 8-hour shifts). A
 * shift whose end is not after its start ends on the next day; "24:00" is
 * accepted as an end. Shifts may leave gaps but must not overlap.
 *
 * Times are computed in the schedule's time zone on the calendar, never by
 * adding hours: on the night a clock goes forward the night shift lasts 11
 * hours, on the night it goes back 13, and the next shift still starts at
 * 08:00 local time. A boundary that falls into the hour skipped by a clock
 * change moves to the first instant after it; one that falls into a repeated
 * hour is its first occurrence.
 *
 * The production day starts at the start of the schedule's first shift
 * (08:00 for "08:00-20:00 Day; 20:00-08:00 Night") and lasts until the same
 * wall-clock time on the next day.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define BW_TYPE_SHIFT_SCHEDULE (bw_shift_schedule_get_type ())

typedef struct _BwShiftSchedule BwShiftSchedule;

/**
 * BwShift:
 * @index: which shift of the schedule (0 … n_shifts-1)
 * @start_us: start, microseconds since the epoch (UTC)
 * @end_us: end (exclusive)
 * @year: the local date the shift starts on
 * @month: 1 … 12
 * @day: 1 … 31
 *
 * One occurrence of a shift: [@start_us, @end_us). Its name is
 * bw_shift_schedule_get_name (schedule, @index).
 */
typedef struct
{
  guint  index;
  gint64 start_us;
  gint64 end_us;
  int    year;
  int    month;
  int    day;
} BwShift;

/* The default schedule: "08:00-20:00 Day; 20:00-08:00 Night" (names translated) */
#define BW_SHIFT_SCHEDULE_DEFAULT "08:00-20:00 Day; 20:00-08:00 Night"

GType             bw_shift_schedule_get_type      (void) G_GNUC_CONST;
BwShiftSchedule  *bw_shift_schedule_new           (GTimeZone          *tz);
BwShiftSchedule  *bw_shift_schedule_new_default   (GTimeZone          *tz);
BwShiftSchedule  *bw_shift_schedule_new_parse     (const char         *spec,
                                                   GTimeZone          *tz,
                                                   GError            **error);
BwShiftSchedule  *bw_shift_schedule_ref           (BwShiftSchedule    *self);
void              bw_shift_schedule_unref         (BwShiftSchedule    *self);

gboolean          bw_shift_schedule_add           (BwShiftSchedule    *self,
                                                   const char         *name,
                                                   guint               start_minute,
                                                   guint               end_minute,
                                                   GError            **error);
char             *bw_shift_schedule_to_string     (BwShiftSchedule    *self);
GTimeZone        *bw_shift_schedule_get_timezone  (BwShiftSchedule    *self);
guint             bw_shift_schedule_get_n_shifts  (BwShiftSchedule    *self);
const char       *bw_shift_schedule_get_name      (BwShiftSchedule    *self,
                                                   guint               index);
gboolean          bw_shift_schedule_lookup        (BwShiftSchedule    *self,
                                                   const char         *name_or_number,
                                                   guint              *index);
guint             bw_shift_schedule_get_start_minute (BwShiftSchedule *self,
                                                   guint               index);
guint             bw_shift_schedule_get_end_minute (BwShiftSchedule   *self,
                                                   guint               index);

/* find: the shift containing @time_us (FALSE in a gap between shifts).
 * current: the shift containing now.
 * previous: the last shift that ended at or before the start of the shift
 *   containing @time_us (or at or before @time_us in a gap): at 09:00 with
 *   day and night shifts, the night shift that ended at 08:00.
 * next: the first shift that starts at or after the end of the shift
 *   containing @time_us (or after @time_us in a gap).
 * get_shift: shift @index of the schedule that starts on the local date.
 * list: every shift that overlaps [@from_us, @to_us), in time order
 *   (a GArray of BwShift).
 * find_day: the production day containing @time_us. */
gboolean          bw_shift_schedule_find          (BwShiftSchedule    *self,
                                                   gint64              time_us,
                                                   BwShift            *out);
gboolean          bw_shift_schedule_current       (BwShiftSchedule    *self,
                                                   BwShift            *out);
gboolean          bw_shift_schedule_previous      (BwShiftSchedule    *self,
                                                   gint64              time_us,
                                                   BwShift            *out);
gboolean          bw_shift_schedule_next          (BwShiftSchedule    *self,
                                                   gint64              time_us,
                                                   BwShift            *out);
gboolean          bw_shift_schedule_get_shift     (BwShiftSchedule    *self,
                                                   int                 year,
                                                   int                 month,
                                                   int                 day,
                                                   guint               index,
                                                   BwShift            *out);
GArray           *bw_shift_schedule_list          (BwShiftSchedule    *self,
                                                   gint64              from_us,
                                                   gint64              to_us);
void              bw_shift_schedule_find_day      (BwShiftSchedule    *self,
                                                   gint64              time_us,
                                                   gint64             *start_us,
                                                   gint64             *end_us);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwShiftSchedule, bw_shift_schedule_unref)

G_END_DECLS
