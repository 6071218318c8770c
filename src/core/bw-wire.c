/* bw-wire.c: a strict, allocation-free JSON scanner for sample messages
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-wire"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bw-time.h"
#include "bw-wire.h"

#define MAX_DEPTH 64

typedef struct
{
  const char *p;
  const char *end;
  const char *start;
  GString    *scratch;  /* decoded strings with escapes */
} Scanner;

typedef enum
{
  VAL_ERROR,
  VAL_STRING,
  VAL_NUMBER,
  VAL_TRUE,
  VAL_FALSE,
  VAL_NULL,
  VAL_NONFINITE,
  VAL_OBJECT,
  VAL_ARRAY,
} ValueKind;

static const char *reason_names[BW_N_BAD_REASONS] = {
  "not_json",
  "not_array",
  "not_object",
  "missing_field",
  "bad_timestamp",
  "bad_value",
  "non_finite",
  "bad_item_id",
  "unknown_item",
  "future",
  "backwards",
  "duplicate",
  "too_large",
};

const char *
bw_bad_reason_name (BwBadReason reason)
{
  g_return_val_if_fail (reason < BW_N_BAD_REASONS, "unknown");
  return reason_names[reason];
}

void
bw_wire_stats_add (BwWireStats       *into,
                   const BwWireStats *from)
{
  into->messages += from->messages;
  into->samples += from->samples;
  for (int i = 0; i < BW_N_BAD_REASONS; i++)
    into->bad[i] += from->bad[i];
}

static inline void
skip_ws (Scanner *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
    s->p++;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* At '"'. On success *str and *len point into the buffer, or into the scratch
 * string when the JSON string had escapes (valid until the next call). */
static gboolean
scan_string (Scanner     *s,
             const char **str,
             gsize       *len)
{
  const char *begin;
  gboolean escaped = FALSE;

  g_assert (*s->p == '"');
  begin = ++s->p;
  while (s->p < s->end)
    {
      char c = *s->p;
      if (c == '"')
        break;
      if (c == '\\')
        {
          escaped = TRUE;
          s->p += 2;
          continue;
        }
      if ((unsigned char) c < 0x20)
        return FALSE;
      s->p++;
    }
  if (s->p >= s->end)
    return FALSE;

  if (!escaped)
    {
      *str = begin;
      *len = (gsize) (s->p - begin);
      s->p++;
      return TRUE;
    }

  g_string_truncate (s->scratch, 0);
  for (const char *q = begin; q < s->p; q++)
    {
      if (*q != '\\')
        {
          g_string_append_c (s->scratch, *q);
          continue;
        }
      q++;
      switch (*q)
        {
        case '"': g_string_append_c (s->scratch, '"'); break;
        case '\\': g_string_append_c (s->scratch, '\\'); break;
        case '/': g_string_append_c (s->scratch, '/'); break;
        case 'b': g_string_append_c (s->scratch, '\b'); break;
        case 'f': g_string_append_c (s->scratch, '\f'); break;
        case 'n': g_string_append_c (s->scratch, '\n'); break;
        case 'r': g_string_append_c (s->scratch, '\r'); break;
        case 't': g_string_append_c (s->scratch, '\t'); break;
        case 'u':
          {
            gunichar cp = 0;

            if (s->p - q < 5)
              return FALSE;
            for (int i = 1; i <= 4; i++)
              {
                int h = hex_value (q[i]);
                if (h < 0)
                  return FALSE;
                cp = cp * 16 + (gunichar) h;
              }
            q += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && s->p - q >= 7 && q[1] == '\\' && q[2] == 'u')
              {
                gunichar lo = 0;
                gboolean ok = TRUE;
                for (int i = 3; i <= 6; i++)
                  {
                    int h = hex_value (q[i]);
                    if (h < 0)
                      ok = FALSE;
                    else
                      lo = lo * 16 + (gunichar) h;
                  }
                if (ok && lo >= 0xDC00 && lo <= 0xDFFF)
                  {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    q += 6;
                  }
              }
            if (cp >= 0xD800 && cp <= 0xDFFF)
              cp = 0xFFFD;
            g_string_append_unichar (s->scratch, cp);
          }
          break;
        default:
          return FALSE;
        }
    }
  s->p++;
  *str = s->scratch->str;
  *len = s->scratch->len;
  return TRUE;
}

static gboolean
match_word (Scanner    *s,
            const char *word)
{
  gsize n = strlen (word);

  if ((gsize) (s->end - s->p) < n || memcmp (s->p, word, n) != 0)
    return FALSE;
  s->p += n;
  return TRUE;
}

static gboolean
scan_number (Scanner *s,
             double  *out)
{
  const char *b = s->p;
  char buf[64];
  gsize n;
  char *endp;

  if (s->p < s->end && *s->p == '-')
    s->p++;
  if (s->p >= s->end || !g_ascii_isdigit (*s->p))
    return FALSE;
  /* Fast path: an integer part of up to 15 digits and a short fraction,
   * exact in binary64 arithmetic as long as the fraction has ≤ 15 digits
   * altogether; otherwise strtod decides. */
  {
    gint64 ip = 0, fp = 0;
    int nint = 0, nfrac = 0;
    gboolean neg = *b == '-';

    /* digits past the 18th are only counted: the fast path does not take
     * such numbers, and the accumulator must not overflow */
    while (s->p < s->end && g_ascii_isdigit (*s->p))
      {
        if (nint < 18)
          ip = ip * 10 + (*s->p - '0');
        s->p++, nint++;
      }
    if (s->p < s->end && *s->p == '.')
      {
        s->p++;
        if (s->p >= s->end || !g_ascii_isdigit (*s->p))
          return FALSE;
        while (s->p < s->end && g_ascii_isdigit (*s->p))
          {
            if (nfrac < 18)
              fp = fp * 10 + (*s->p - '0');
            s->p++, nfrac++;
          }
      }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E'))
      {
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
          s->p++;
        if (s->p >= s->end || !g_ascii_isdigit (*s->p))
          return FALSE;
        while (s->p < s->end && g_ascii_isdigit (*s->p))
          s->p++;
      }
    else if (nint + nfrac <= 15 && (nint == 1 || b[neg] != '0'))
      {
        static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
                                        1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
        /* ip * 10^nfrac + fp is an exact integer < 10^15; one division by an
         * exact power of ten rounds correctly */
        double v = ((double) ip * pow10[nfrac] + (double) fp) / pow10[nfrac];
        *out = neg ? -v : v;
        return TRUE;
      }
    if (nint > 1 && b[neg] == '0')
      return FALSE; /* leading zero */
  }

  n = (gsize) (s->p - b);
  if (n >= sizeof buf)
    {
      g_autofree char *copy = g_strndup (b, n);
      *out = g_ascii_strtod (copy, &endp);
      return TRUE;
    }
  memcpy (buf, b, n);
  buf[n] = '\0';
  *out = g_ascii_strtod (buf, &endp);
  return endp == buf + n;
}

static ValueKind skip_value (Scanner *s, int depth);

static gboolean
skip_container (Scanner *s,
                char     close,
                int      depth)
{
  gboolean first = TRUE;

  if (depth > MAX_DEPTH)
    return FALSE;
  s->p++;
  for (;;)
    {
      skip_ws (s);
      if (s->p >= s->end)
        return FALSE;
      if (*s->p == close)
        {
          s->p++;
          return TRUE;
        }
      if (!first)
        {
          if (*s->p != ',')
            return FALSE;
          s->p++;
          skip_ws (s);
        }
      first = FALSE;
      if (close == '}')
        {
          const char *k;
          gsize kl;
          if (s->p >= s->end || *s->p != '"' || !scan_string (s, &k, &kl))
            return FALSE;
          skip_ws (s);
          if (s->p >= s->end || *s->p != ':')
            return FALSE;
          s->p++;
          skip_ws (s);
        }
      if (skip_value (s, depth + 1) == VAL_ERROR)
        return FALSE;
    }
}

/* Reads any value; strings/numbers are not returned */
static ValueKind
skip_value (Scanner *s,
            int      depth)
{
  double d;
  const char *str;
  gsize len;

  if (s->p >= s->end)
    return VAL_ERROR;
  switch (*s->p)
    {
    case '"':
      return scan_string (s, &str, &len) ? VAL_STRING : VAL_ERROR;
    case '{':
      return skip_container (s, '}', depth) ? VAL_OBJECT : VAL_ERROR;
    case '[':
      return skip_container (s, ']', depth) ? VAL_ARRAY : VAL_ERROR;
    case 't':
      return match_word (s, "true") ? VAL_TRUE : VAL_ERROR;
    case 'f':
      return match_word (s, "false") ? VAL_FALSE : VAL_ERROR;
    case 'n':
      return match_word (s, "null") ? VAL_NULL : VAL_ERROR;
    case 'N':
      return match_word (s, "NaN") ? VAL_NONFINITE : VAL_ERROR;
    case 'I':
      return match_word (s, "Infinity") ? VAL_NONFINITE : VAL_ERROR;
    default:
      if (*s->p == '-' && s->end - s->p > 1 && s->p[1] == 'I')
        {
          s->p++;
          return match_word (s, "Infinity") ? VAL_NONFINITE : VAL_ERROR;
        }
      return scan_number (s, &d) ? VAL_NUMBER : VAL_ERROR;
    }
}

static void
count_bad (BwWireStats   *stats,
           BwBadReason    reason,
           const Scanner *s,
           BwWireBadFunc  bad_func,
           gpointer       user_data)
{
  stats->bad[reason]++;
  if (bad_func)
    bad_func (reason, (gsize) (s->p - s->start), user_data);
}

static gboolean
key_is (const char *k,
        gsize       kl,
        const char *name)
{
  return strlen (name) == kl && g_ascii_strncasecmp (k, name, kl) == 0;
}

/* Parses one sample object. Returns FALSE on a syntax error. */
static gboolean
parse_sample (Scanner          *s,
              BwWireSampleFunc  sample_func,
              BwWireBadFunc     bad_func,
              gpointer          user_data,
              BwWireStats      *stats)
{
  gboolean have_time = FALSE, have_item = FALSE, have_value = FALSE;
  BwBadReason problem = BW_N_BAD_REASONS;
  gint64 time_us = 0;
  double value = 0;
  char item_buf[256];
  gsize item_len = 0;
  gboolean first = TRUE;
  const char *obj_start = s->p;

  s->p++; /* '{' */
  for (;;)
    {
      const char *k;
      gsize kl;
      char key[16];
      gsize klc;

      skip_ws (s);
      if (s->p >= s->end)
        return FALSE;
      if (*s->p == '}')
        {
          s->p++;
          break;
        }
      if (!first)
        {
          if (*s->p != ',')
            return FALSE;
          s->p++;
          skip_ws (s);
        }
      first = FALSE;
      if (s->p >= s->end || *s->p != '"' || !scan_string (s, &k, &kl))
        return FALSE;
      klc = MIN (kl, sizeof key - 1);
      memcpy (key, k, klc);
      key[klc] = '\0';
      skip_ws (s);
      if (s->p >= s->end || *s->p != ':')
        return FALSE;
      s->p++;
      skip_ws (s);
      if (s->p >= s->end)
        return FALSE;

      if (key_is (key, kl, "Timestamp"))
        {
          const char *str;
          gsize len;

          have_time = TRUE;
          if (*s->p == '"')
            {
              if (!scan_string (s, &str, &len))
                return FALSE;
              if (!bw_time_parse (str, (gssize) len, &time_us) && problem == BW_N_BAD_REASONS)
                problem = BW_BAD_TIMESTAMP;
            }
          else
            {
              if (skip_value (s, 1) == VAL_ERROR)
                return FALSE;
              if (problem == BW_N_BAD_REASONS)
                problem = BW_BAD_TIMESTAMP;
            }
        }
      else if (key_is (key, kl, "ItemId"))
        {
          const char *str;
          gsize len;

          have_item = TRUE;
          if (*s->p == '"')
            {
              if (!scan_string (s, &str, &len))
                return FALSE;
              if (len == 0 || len >= sizeof item_buf || memchr (str, '.', len) == NULL)
                {
                  if (problem == BW_N_BAD_REASONS)
                    problem = BW_BAD_ITEM_ID;
                }
              else
                {
                  memcpy (item_buf, str, len);
                  item_len = len;
                }
            }
          else
            {
              if (skip_value (s, 1) == VAL_ERROR)
                return FALSE;
              if (problem == BW_N_BAD_REASONS)
                problem = BW_BAD_ITEM_ID;
            }
        }
      else if (key_is (key, kl, "Value"))
        {
          have_value = TRUE;
          if (*s->p == '-' || g_ascii_isdigit (*s->p))
            {
              if (s->end - s->p > 1 && s->p[0] == '-' && s->p[1] == 'I')
                {
                  if (skip_value (s, 1) == VAL_ERROR)
                    return FALSE;
                  if (problem == BW_N_BAD_REASONS)
                    problem = BW_BAD_NON_FINITE;
                }
              else
                {
                  if (!scan_number (s, &value))
                    return FALSE;
                  if (!isfinite (value) && problem == BW_N_BAD_REASONS)
                    problem = BW_BAD_NON_FINITE;
                }
            }
          else
            {
              ValueKind kind = skip_value (s, 1);

              switch (kind)
                {
                case VAL_ERROR:
                  return FALSE;
                case VAL_TRUE:
                  value = 1;
                  break;
                case VAL_FALSE:
                  value = 0;
                  break;
                case VAL_NONFINITE:
                  if (problem == BW_N_BAD_REASONS)
                    problem = BW_BAD_NON_FINITE;
                  break;
                default:
                  if (problem == BW_N_BAD_REASONS)
                    problem = BW_BAD_VALUE;
                  break;
                }
            }
        }
      else if (skip_value (s, 1) == VAL_ERROR)
        return FALSE;
    }

  if (!have_time || !have_item || !have_value)
    problem = BW_BAD_MISSING_FIELD;

  if (problem != BW_N_BAD_REASONS)
    {
      const char *save = s->p;
      s->p = obj_start;
      count_bad (stats, problem, s, bad_func, user_data);
      s->p = save;
      return TRUE;
    }

  stats->samples++;
  if (sample_func)
    sample_func (item_buf, item_len, time_us, value, user_data);
  return TRUE;
}

/**
 * bw_wire_parse_message:
 * @buf: the message bytes (need not be NUL-terminated)
 * @len: its length
 * @sample_func: (nullable): called for each valid sample
 * @bad_func: (nullable): called for each rejected sample or message
 * @stats: counters to add to
 *
 * Parses one message. Samples before a syntax error are kept (they were
 * handed on already); the rest of a message that is not valid JSON is lost
 * and counted once as %BW_BAD_NOT_JSON.
 *
 * Returns: the number of valid samples
 */
gsize
bw_wire_parse_message (const char       *buf,
                       gsize             len,
                       BwWireSampleFunc  sample_func,
                       BwWireBadFunc     bad_func,
                       gpointer          user_data,
                       BwWireStats      *stats)
{
  Scanner s = { buf, buf + len, buf, NULL };
  guint64 before = stats->samples;
  gboolean first = TRUE;

  stats->messages++;

  if (len > BW_WIRE_MAX_MESSAGE)
    {
      count_bad (stats, BW_BAD_TOO_LARGE, &s, bad_func, user_data);
      return 0;
    }

  /* a UTF-8 byte order mark is tolerated */
  if (len >= 3 && memcmp (buf, "\xEF\xBB\xBF", 3) == 0)
    s.p += 3;

  skip_ws (&s);
  if (s.p >= s.end)
    {
      count_bad (stats, BW_BAD_NOT_JSON, &s, bad_func, user_data);
      return 0;
    }
  /* strings with escapes are decoded here, wherever they are */
  s.scratch = g_string_sized_new (64);
  if (*s.p != '[')
    {
      ValueKind kind = skip_value (&s, 0);
      skip_ws (&s);
      count_bad (stats, kind == VAL_ERROR || s.p != s.end ? BW_BAD_NOT_JSON : BW_BAD_NOT_ARRAY,
                 &s, bad_func, user_data);
      g_string_free (s.scratch, TRUE);
      return 0;
    }

  s.p++;
  for (;;)
    {
      skip_ws (&s);
      if (s.p >= s.end)
        goto syntax;
      if (*s.p == ']')
        {
          s.p++;
          break;
        }
      if (!first)
        {
          if (*s.p != ',')
            goto syntax;
          s.p++;
          skip_ws (&s);
          if (s.p >= s.end)
            goto syntax;
        }
      first = FALSE;
      if (*s.p == '{')
        {
          if (!parse_sample (&s, sample_func, bad_func, user_data, stats))
            goto syntax;
        }
      else
        {
          const char *at = s.p;
          if (skip_value (&s, 1) == VAL_ERROR)
            goto syntax;
          {
            const char *save = s.p;
            s.p = at;
            count_bad (stats, BW_BAD_NOT_OBJECT, &s, bad_func, user_data);
            s.p = save;
          }
        }
    }
  skip_ws (&s);
  if (s.p != s.end)
    goto syntax;

  g_string_free (s.scratch, TRUE);
  return (gsize) (stats->samples - before);

syntax:
  count_bad (stats, BW_BAD_NOT_JSON, &s, bad_func, user_data);
  g_string_free (s.scratch, TRUE);
  return (gsize) (stats->samples - before);
}

static void
append_json_string (GString    *out,
                    const char *str)
{
  g_string_append_c (out, '"');
  for (const char *p = str; *p; p++)
    {
      unsigned char c = (unsigned char) *p;
      if (c == '"' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) c);
        }
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}

void
bw_wire_append_sample (GString    *out,
                       const char *conveyor,
                       const char *tag,
                       gint64      time_us,
                       double      value)
{
  char tbuf[BW_TIME_FORMAT_LEN];
  char vbuf[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *item = g_strconcat (conveyor, ".", tag, NULL);

  g_string_append (out, "{\"Timestamp\":\"");
  g_string_append (out, bw_time_format (time_us, tbuf));
  g_string_append (out, "\",\"ItemId\":");
  append_json_string (out, item);
  g_string_append (out, ",\"Value\":");
  if (value == floor (value) && fabs (value) < 1e15)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, (gint64) value);
  else
    g_string_append (out, g_ascii_formatd (vbuf, sizeof vbuf, "%.9g", value));
  g_string_append_c (out, '}');
}
