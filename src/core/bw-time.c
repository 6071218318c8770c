/* bw-time.c: RFC 3339 parsing and formatting without allocation
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-time"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bw-time.h"

/* Howard Hinnant's days_from_civil: proleptic Gregorian calendar */
static gint64
days_from_civil (gint64 y,
                 unsigned m,
                 unsigned d)
{
  gint64 era;
  unsigned yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = (unsigned) (y - era * 400);
  doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (gint64) doe - 719468;
}

static void
civil_from_days (gint64 z,
                 int   *y,
                 int   *m,
                 int   *d)
{
  gint64 era;
  unsigned doe, yoe, doy, mp;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = (unsigned) (z - era * 146097);
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *d = (int) (doy - (153 * mp + 2) / 5 + 1);
  *m = (int) (mp < 10 ? mp + 3 : mp - 9);
  *y = (int) (yoe + era * 400 + (*m <= 2));
}

static gboolean
is_leap (int y)
{
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month (int y,
               int m)
{
  static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  return m == 2 && is_leap (y) ? 29 : days[m - 1];
}

static gboolean
read_digits (const char **p,
             const char  *end,
             int          n,
             int         *out)
{
  int v = 0;

  if (end - *p < n)
    return FALSE;
  for (int i = 0; i < n; i++)
    {
      char c = (*p)[i];
      if (c < '0' || c > '9')
        return FALSE;
      v = v * 10 + (c - '0');
    }
  *p += n;
  *out = v;
  return TRUE;
}

gint64
bw_time_from_civil (int    year,
                    int    month,
                    int    day,
                    int    hour,
                    int    minute,
                    double second)
{
  gint64 days = days_from_civil (year, (unsigned) month, (unsigned) day);
  return ((days * 24 + hour) * 60 + minute) * BW_USEC_PER_SEC * 60
         + (gint64) llround (second * 1e6);
}

/**
 * bw_time_parse:
 * @text: an RFC 3339 / ISO 8601 timestamp, e.g. `2026-11-27T08:00:00.250Z`
 * @len: length of @text, or -1 if NUL-terminated
 * @out_us: (out): microseconds since the epoch, UTC
 *
 * Accepts a `T`, `t` or space between date and time, an optional fraction of
 * any length (rounded to microseconds) and an optional zone (`Z` or `±hh:mm`,
 * `±hhmm`, `±hh`); without a zone the time is UTC.
 */
gboolean
bw_time_parse (const char *text,
               gssize      len,
               gint64     *out_us)
{
  const char *p = text;
  const char *end;
  int year, mon, day, hour, min, sec;
  gint64 frac_us = 0;
  gint64 offset_s = 0;
  gint64 days;

  g_return_val_if_fail (text != NULL, FALSE);

  end = text + (len < 0 ? (gssize) strlen (text) : len);

  if (!read_digits (&p, end, 4, &year) || p >= end || *p++ != '-' ||
      !read_digits (&p, end, 2, &mon) || p >= end || *p++ != '-' ||
      !read_digits (&p, end, 2, &day))
    return FALSE;
  if (p >= end || (*p != 'T' && *p != 't' && *p != ' '))
    return FALSE;
  p++;
  if (!read_digits (&p, end, 2, &hour) || p >= end || *p++ != ':' ||
      !read_digits (&p, end, 2, &min) || p >= end || *p++ != ':' ||
      !read_digits (&p, end, 2, &sec))
    return FALSE;

  if (mon < 1 || mon > 12 || day < 1 || day > days_in_month (year, mon) ||
      hour > 23 || min > 59 || sec > 60)
    return FALSE;
  if (sec == 60) /* leap second: fold onto the next second */
    sec = 59, frac_us = BW_USEC_PER_SEC;

  if (p < end && (*p == '.' || *p == ','))
    {
      gint64 scale = 100000;
      int ndigits = 0;

      p++;
      while (p < end && *p >= '0' && *p <= '9')
        {
          if (ndigits < 6)
            frac_us += (*p - '0') * scale, scale /= 10;
          else if (ndigits == 6 && *p >= '5')
            frac_us += 1;
          ndigits++;
          p++;
        }
      if (ndigits == 0)
        return FALSE;
    }

  if (p < end)
    {
      if (*p == 'Z' || *p == 'z')
        p++;
      else if (*p == '+' || *p == '-')
        {
          int sign = *p++ == '-' ? -1 : 1;
          int oh, om = 0;

          if (!read_digits (&p, end, 2, &oh))
            return FALSE;
          if (p < end && *p == ':')
            p++;
          if (p < end && !read_digits (&p, end, 2, &om))
            return FALSE;
          if (oh > 23 || om > 59)
            return FALSE;
          offset_s = sign * (oh * 3600 + om * 60);
        }
      else
        return FALSE;
    }
  if (p != end)
    return FALSE;

  days = days_from_civil (year, (unsigned) mon, (unsigned) day);
  *out_us = ((days * 86400 + hour * 3600 + min * 60 + sec) - offset_s) * BW_USEC_PER_SEC + frac_us;
  return TRUE;
}

/**
 * bw_time_format:
 * @time_us: microseconds since the epoch
 * @buf: at least %BW_TIME_FORMAT_LEN bytes
 *
 * Formats as RFC 3339 UTC with milliseconds: `2026-11-27T08:00:00.250Z`.
 *
 * Returns: @buf
 */
char *
bw_time_format (gint64 time_us,
                char  *buf)
{
  gint64 secs = time_us >= 0 ? time_us / BW_USEC_PER_SEC : -((-time_us + BW_USEC_PER_SEC - 1) / BW_USEC_PER_SEC);
  gint64 us = time_us - secs * BW_USEC_PER_SEC;
  gint64 days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  gint64 sod = secs - days * 86400;
  int y, m, d;

  civil_from_days (days, &y, &m, &d);
  g_snprintf (buf, BW_TIME_FORMAT_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
              y, m, d, (int) (sod / 3600), (int) (sod / 60 % 60), (int) (sod % 60),
              (int) (us / 1000));
  return buf;
}

char *
bw_time_to_string (gint64 time_us)
{
  char buf[BW_TIME_FORMAT_LEN];
  return g_strdup (bw_time_format (time_us, buf));
}

gint64
bw_time_now (void)
{
  return g_get_real_time ();
}

/**
 * bw_duration_parse:
 * @text: `90`, `90s`, `250ms`, `5m`, `2h`, `1d` or a combination such as `1h30m`
 * @out_us: (out): the duration in microseconds
 *
 * A bare number is seconds.
 */
gboolean
bw_duration_parse (const char *text,
                   gint64     *out_us)
{
  const char *p = text;
  double total = 0;
  gboolean any = FALSE;

  g_return_val_if_fail (text != NULL, FALSE);

  while (g_ascii_isspace (*p))
    p++;
  while (*p)
    {
      char *endp;
      double v = g_ascii_strtod (p, &endp);
      double mult;

      if (endp == p || !isfinite (v) || v < 0)
        return FALSE;
      p = endp;
      if (g_str_has_prefix (p, "ms"))
        mult = 1e3, p += 2;
      else if (g_str_has_prefix (p, "us"))
        mult = 1, p += 2;
      else if (*p == 's')
        mult = 1e6, p++;
      else if (*p == 'm')
        mult = 60e6, p++;
      else if (*p == 'h')
        mult = 3600e6, p++;
      else if (*p == 'd')
        mult = 86400e6, p++;
      else if (*p == '\0' || g_ascii_isspace (*p))
        mult = 1e6;
      else
        return FALSE;
      total += v * mult;
      any = TRUE;
      while (g_ascii_isspace (*p))
        p++;
    }
  if (!any || total > 1e18)
    return FALSE;
  *out_us = (gint64) llround (total);
  return TRUE;
}
