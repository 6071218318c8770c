/* test-time.c
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bw-time.h"

static void
test_parse_forms (void)
{
  struct { const char *text; gint64 expect; } ok[] = {
    { "1970-01-01T00:00:00Z", 0 },
    { "1970-01-01T00:00:00", 0 },
    { "1970-01-01 00:00:01.5", 1500000 },
    { "2026-11-27T08:00:00.250Z", G_GINT64_CONSTANT (1795766400250000) },
    { "2026-11-27T11:00:00.250+03:00", G_GINT64_CONSTANT (1795766400250000) },
    { "2026-11-27T11:00:00.250+0300", G_GINT64_CONSTANT (1795766400250000) },
    { "2026-11-27T05:00:00.25-03", G_GINT64_CONSTANT (1795766400250000) },
    { "2024-02-29T00:00:00.1234567Z", G_GINT64_CONSTANT (1709164800123457) },
    { "1969-12-31T23:59:59Z", -1000000 },
  };
  const char *bad[] = {
    "", "2026", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2023-02-29T00:00:00Z",
    "2026-11-27T24:00:00Z", "2026-11-27T08:00:00.Z", "2026-11-27T08:00:00X",
    "2026-11-27T08:00:00+25:00", "2026-11-27X08:00:00", "2026-11-27T08:00",
    "2026-11-27T08:00:00Z junk",
  };

  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      gint64 t = -42;
      g_assert_true (bw_time_parse (ok[i].text, -1, &t));
      g_assert_cmpint (t, ==, ok[i].expect);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      gint64 t;
      g_test_message ("rejecting %s", bad[i]);
      g_assert_false (bw_time_parse (bad[i], -1, &t));
    }
}

static void
test_roundtrip (void)
{
  char buf[BW_TIME_FORMAT_LEN];
  gint64 t;

  g_assert_cmpstr (bw_time_format (G_GINT64_CONSTANT (1795766400250000), buf), ==,
                   "2026-11-27T08:00:00.250Z");
  g_assert_cmpstr (bw_time_format (-1000, buf), ==, "1969-12-31T23:59:59.999Z");
  for (gint64 x = -BW_USEC_PER_DAY * 800; x < BW_USEC_PER_DAY * 40000; x += BW_USEC_PER_DAY * 13 + 7777000)
    {
      g_assert_true (bw_time_parse (bw_time_format (x, buf), -1, &t));
      g_assert_cmpint (t, ==, x - (x % 1000 + 1000) % 1000);
    }
  /* the buffer-free parse honours the given length */
  g_assert_true (bw_time_parse ("2026-11-27T08:00:00Zgarbage", 20, &t));
}

static void
test_duration (void)
{
  gint64 d;

  g_assert_true (bw_duration_parse ("90", &d));
  g_assert_cmpint (d, ==, 90 * BW_USEC_PER_SEC);
  g_assert_true (bw_duration_parse ("1h30m", &d));
  g_assert_cmpint (d, ==, 90 * BW_USEC_PER_MIN);
  g_assert_true (bw_duration_parse ("250ms", &d));
  g_assert_cmpint (d, ==, 250000);
  g_assert_true (bw_duration_parse ("1.5s", &d));
  g_assert_cmpint (d, ==, 1500000);
  g_assert_false (bw_duration_parse ("", &d));
  g_assert_false (bw_duration_parse ("5 parsecs", &d));
  g_assert_false (bw_duration_parse ("-3s", &d));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/time/parse-forms", test_parse_forms);
  g_test_add_func ("/time/roundtrip", test_roundtrip);
  g_test_add_func ("/time/duration", test_duration);
  return g_test_run ();
}
