/* test-wire.c: the sample wire format parser
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "bw-time.h"
#include "bw-wire.h"

typedef struct
{
  GPtrArray *items;
  GArray    *times;
  GArray    *values;
} Collected;

static void
collect_cb (const char *item,
            gsize       len,
            gint64      t,
            double      v,
            gpointer    data)
{
  Collected *c = data;

  g_ptr_array_add (c->items, g_strndup (item, len));
  g_array_append_val (c->times, t);
  g_array_append_val (c->values, v);
}

static Collected *
collected_new (void)
{
  Collected *c = g_new0 (Collected, 1);
  c->items = g_ptr_array_new_with_free_func (g_free);
  c->times = g_array_new (FALSE, FALSE, sizeof (gint64));
  c->values = g_array_new (FALSE, FALSE, sizeof (double));
  return c;
}

static void
collected_free (Collected *c)
{
  g_ptr_array_unref (c->items);
  g_array_unref (c->times);
  g_array_unref (c->values);
  g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Collected, collected_free)

static gsize
parse (const char  *msg,
       Collected   *c,
       BwWireStats *stats)
{
  return bw_wire_parse_message (msg, strlen (msg), collect_cb, NULL, c, stats);
}

static void
test_valid (void)
{
  g_autoptr(Collected) c = collected_new ();
  BwWireStats stats = { 0 };
  const char *msg =
    " [ {\"Timestamp\": \"2026-11-27T08:00:00.250Z\", \"ItemId\": \"CV-101.belt_speed\", \"Value\": 2.48},\n"
    "{\"ItemId\":\"CV-101.running\",\"Value\":true,\"Timestamp\":\"2026-11-27T08:00:00.250Z\",\"Extra\":[1,{\"a\":null}]},"
    "{\"Timestamp\":\"2026-11-27T11:00:00.3+03:00\",\"ItemId\":\"CV-101.md_signal\",\"Value\":-1.5e2},"
    "{\"Timestamp\":\"2026-11-27T08:00:00.4\",\"ItemId\":\"CV-\\u0031\\u00301.load\",\"Value\":0},"
    "{\"Timestamp\":\"2026-11-27T08:00:00.5Z\",\"ItemId\":\"CV-101.load\",\"Value\":123456789012345678901234}"
    "] ";

  g_assert_cmpuint (parse (msg, c, &stats), ==, 5);
  g_assert_cmpuint (stats.messages, ==, 1);
  g_assert_cmpuint (stats.samples, ==, 5);
  for (int i = 0; i < BW_N_BAD_REASONS; i++)
    g_assert_cmpuint (stats.bad[i], ==, 0);
  g_assert_cmpstr (c->items->pdata[0], ==, "CV-101.belt_speed");
  g_assert_cmpfloat (g_array_index (c->values, double, 0), ==, 2.48);
  g_assert_cmpint (g_array_index (c->times, gint64, 0), ==, G_GINT64_CONSTANT (1795766400250000));
  g_assert_cmpfloat (g_array_index (c->values, double, 1), ==, 1.0);
  g_assert_cmpfloat (g_array_index (c->values, double, 2), ==, -150.0);
  g_assert_cmpint (g_array_index (c->times, gint64, 2), ==, G_GINT64_CONSTANT (1795766400300000));
  g_assert_cmpstr (c->items->pdata[3], ==, "CV-101.load");
  g_assert_cmpfloat (g_array_index (c->values, double, 4), ==, 123456789012345678901234.0);

  /* an empty array is a valid message */
  g_assert_cmpuint (parse ("[]", c, &stats), ==, 0);
  g_assert_cmpuint (stats.bad[BW_BAD_NOT_JSON], ==, 0);
}

static void
test_numbers_exact (void)
{
  /* the fast path must round exactly like strtod */
  const char *nums[] = { "0.1", "2.48", "-0.3", "123.456", "999999999999999", "0.000000000000001",
                         "7.0", "100", "-0", "3.141592653589793", "1e3", "2.5E-3", "0.30000000000000004" };

  for (guint i = 0; i < G_N_ELEMENTS (nums); i++)
    {
      g_autoptr(Collected) c = collected_new ();
      BwWireStats stats = { 0 };
      g_autofree char *msg = g_strdup_printf ("[{\"Timestamp\":\"2026-01-01T00:00:00Z\",\"ItemId\":\"a.b\",\"Value\":%s}]",
                                              nums[i]);
      g_assert_cmpuint (parse (msg, c, &stats), ==, 1);
      g_assert_cmpfloat (g_array_index (c->values, double, 0), ==, g_ascii_strtod (nums[i], NULL));
    }
}

static void
test_bad_samples_keep_neighbours (void)
{
  struct { const char *sample; BwBadReason reason; } cases[] = {
    { "{\"ItemId\":\"a.b\",\"Value\":1}", BW_BAD_MISSING_FIELD },
    { "{\"Timestamp\":\"2026-01-01T00:00:00Z\",\"Value\":1}", BW_BAD_MISSING_FIELD },
    { "{\"Timestamp\":\"2026-01-01T00:00:00Z\",\"ItemId\":\"a.b\"}", BW_BAD_MISSING_FIELD },
    { "{\"Timestamp\":\"yesterday\",\"ItemId\":\"a.b\",\"Value\":1}", BW_BAD_TIMESTAMP },
    { "{\"Timestamp\":1700000000,\"ItemId\":\"a.b\",\"Value\":1}", BW_BAD_TIMESTAMP },
    { "{\"Timestamp\":\"2026-01-01T00:00:00Z\",\"ItemId\":\"a.b\",\"Value\":\"2.5\"}", BW_BAD_VALUE },
    { "{\"Timestamp\":\"2026-01-01T00:00:00Z\",\"ItemId\":\"a.b\",\"Value\":null}", BW_BAD_VALUE },
    { "{\"Timestamp\":\"2026-01-01T00:00:00Z\",\"ItemId\":\"a.b\",\"Value\":[1]}", BW_BAD_VALUE },
    { "{\"Timestamp\":\"2026-01-01T00:00:00Z\",\"ItemId\":\"a.b\",\"Value\":NaN}", BW_BAD_NON_FINITE },
    { "{\"Timestamp\":\"2026-01-01T00:00:00Z\",\"ItemId\":\"a.b\",\"Value\":-Infinity}", BW_BAD_NON_FINITE },
    { "{\"Timestamp\":\"2026-01-01T00:00:00Z\",\"ItemId\":\"a.b\",\"Value\":1e999}", BW_BAD_NON_FINITE },
    { "{\"Timestamp\":\"2026-01-01T00:00:00Z\",\"ItemId\":\"nodot\",\"Value\":1}", BW_BAD_ITEM_ID },
    { "{\"Timestamp\":\"2026-01-01T00:00:00Z\",\"ItemId\":42,\"Value\":1}", BW_BAD_ITEM_ID },
    { "{\"Timestamp\":\"2026-01-01T00:00:00Z\",\"ItemId\":\"\",\"Value\":1}", BW_BAD_ITEM_ID },
    { "17", BW_BAD_NOT_OBJECT },
    { "\"CV-101.load\"", BW_BAD_NOT_OBJECT },
    { "[{\"Timestamp\":\"2026-01-01T00:00:00Z\"}]", BW_BAD_NOT_OBJECT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Collected) c = collected_new ();
      BwWireStats stats = { 0 };
      g_autofree char *msg = g_strdup_printf (
        "[{\"Timestamp\":\"2026-01-01T00:00:00Z\",\"ItemId\":\"x.before\",\"Value\":1},%s,"
        "{\"Timestamp\":\"2026-01-01T00:00:01Z\",\"ItemId\":\"x.after\",\"Value\":2}]", cases[i].sample);

      g_test_message ("case %u: %s", i, cases[i].sample);
      g_assert_cmpuint (parse (msg, c, &stats), ==, 2);
      g_assert_cmpstr (c->items->pdata[0], ==, "x.before");
      g_assert_cmpstr (c->items->pdata[1], ==, "x.after");
      for (int r = 0; r < BW_N_BAD_REASONS; r++)
        g_assert_cmpuint (stats.bad[r], ==, r == (int) cases[i].reason ? 1 : 0);
    }
}

static void
test_bad_messages (void)
{
  struct { const char *msg; BwBadReason reason; gsize kept; } cases[] = {
    { "", BW_BAD_NOT_JSON, 0 },
    { "   ", BW_BAD_NOT_JSON, 0 },
    { "not json at all", BW_BAD_NOT_JSON, 0 },
    { "{\"Timestamp\":\"2026-01-01T00:00:00Z\",\"ItemId\":\"a.b\",\"Value\":1}", BW_BAD_NOT_ARRAY, 0 },
    { "42", BW_BAD_NOT_ARRAY, 0 },
    /* found by fuzzing: an object (not an array) with an escaped string */
    { "{\"a\\nb\":\"c\\u0041\"}", BW_BAD_NOT_ARRAY, 0 },
    { "[", BW_BAD_NOT_JSON, 0 },
    { "[{\"Timestamp\":\"2026-01-01T00:00:00Z\",\"ItemId\":\"a.b\",\"Value\":1},", BW_BAD_NOT_JSON, 1 },
    { "[{\"Timestamp\":\"2026-01-01T00:00:00Z\",\"ItemId\":\"a.b\",\"Value\":1}] trailing", BW_BAD_NOT_JSON, 1 },
    { "[{\"Timestamp\":\"2026-01-01T00:00:00Z\",\"ItemId\":\"a.b\",\"Value\":1} {}]", BW_BAD_NOT_JSON, 1 },
    { "[{\"Timestamp\":\"2026-01-01T00:00:00Z\",\"ItemId\":\"a.b\",\"Value\":01}]", BW_BAD_NOT_JSON, 0 },
    { "[{\"Timestamp\":\"2026-01-01T00:00:00Z\",\"ItemId\":\"a.b\",\"Value\":1.}]", BW_BAD_NOT_JSON, 0 },
    { "[{\"Timestamp\":\"2026-01-01T00:00:00Z\",\"ItemId\":\"a\x01.b\",\"Value\":1}]", BW_BAD_NOT_JSON, 0 },
    { "[{\"Timestamp\":\"2026-01-01T00:00:00Z\",\"ItemId\":\"a.b\\q\",\"Value\":1}]", BW_BAD_NOT_JSON, 0 },
    { "[{\"Timestamp\":\"2026-01-01T00:00:00Z\",\"ItemId\":\"a.b\",\"Value\":1}]\n", BW_N_BAD_REASONS, 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Collected) c = collected_new ();
      BwWireStats stats = { 0 };

      g_test_message ("message %u: %s", i, cases[i].msg);
      g_assert_cmpuint (parse (cases[i].msg, c, &stats), ==, cases[i].kept);
      for (int r = 0; r < BW_N_BAD_REASONS; r++)
        g_assert_cmpuint (stats.bad[r], ==, r == (int) cases[i].reason ? 1 : 0);
    }
}

static void
test_deep_nesting (void)
{
  /* a hostile message must not exhaust the stack */
  GString *s = g_string_new ("[{\"Timestamp\":\"2026-01-01T00:00:00Z\",\"ItemId\":\"a.b\",\"Value\":1,\"x\":");
  BwWireStats stats = { 0 };
  g_autoptr(Collected) c = collected_new ();

  for (int i = 0; i < 100000; i++)
    g_string_append_c (s, '[');
  for (int i = 0; i < 100000; i++)
    g_string_append_c (s, ']');
  g_string_append (s, "}]");
  bw_wire_parse_message (s->str, s->len, collect_cb, NULL, c, &stats);
  g_assert_cmpuint (stats.bad[BW_BAD_NOT_JSON], ==, 1);
  g_assert_cmpuint (c->items->len, ==, 0);
  g_string_free (s, TRUE);
}

static void
test_truncated_everywhere (void)
{
  /* every prefix of a valid message parses without crashing and never
   * produces a sample that was not complete */
  const char *msg = "[{\"Timestamp\":\"2026-11-27T08:00:00.250Z\",\"ItemId\":\"CV-101.belt_speed\",\"Value\":2.48},"
                    "{\"Timestamp\":\"2026-11-27T08:00:00.350Z\",\"ItemId\":\"CV-101.\\u00e9\",\"Value\":-1e-3}]";
  gsize len = strlen (msg);

  for (gsize n = 0; n < len; n++)
    {
      g_autoptr(Collected) c = collected_new ();
      BwWireStats stats = { 0 };
      char *copy = g_memdup2 (msg, n);  /* not NUL-terminated on purpose */

      bw_wire_parse_message (copy, n, collect_cb, NULL, c, &stats);
      g_assert_cmpuint (stats.bad[BW_BAD_NOT_JSON], ==, 1);
      g_assert_cmpuint (c->items->len, <=, 2);
      for (guint i = 0; i < c->values->len; i++)
        g_assert_true (g_array_index (c->values, double, i) == 2.48 ||
                       g_array_index (c->values, double, i) == -1e-3);
      g_free (copy);
    }
}

static void
test_roundtrip_writer (void)
{
  GString *s = g_string_new ("[");
  g_autoptr(Collected) c = collected_new ();
  BwWireStats stats = { 0 };

  bw_wire_append_sample (s, "CV-\"1\"", "load", G_GINT64_CONSTANT (1795766400250000), 812.25);
  g_string_append_c (s, ',');
  bw_wire_append_sample (s, "CV-101", "running", G_GINT64_CONSTANT (1795766400250000), 1);
  g_string_append_c (s, ']');
  g_assert_cmpuint (parse (s->str, c, &stats), ==, 2);
  g_assert_cmpstr (c->items->pdata[0], ==, "CV-\"1\".load");
  g_assert_cmpfloat (g_array_index (c->values, double, 0), ==, 812.25);
  g_assert_cmpint (g_array_index (c->times, gint64, 1), ==, G_GINT64_CONSTANT (1795766400250000));
  g_string_free (s, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/wire/valid", test_valid);
  g_test_add_func ("/wire/numbers-exact", test_numbers_exact);
  g_test_add_func ("/wire/bad-samples-keep-neighbours", test_bad_samples_keep_neighbours);
  g_test_add_func ("/wire/bad-messages", test_bad_messages);
  g_test_add_func ("/wire/deep-nesting", test_deep_nesting);
  g_test_add_func ("/wire/truncated-everywhere", test_truncated_everywhere);
  g_test_add_func ("/wire/roundtrip-writer", test_roundtrip_writer);
  return g_test_run ();
}
