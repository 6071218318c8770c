/* test-anomaly-state.c: hold time and hysteresis of the anomaly alarm
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "bw-anomaly-state.h"

#define S(x) ((gint64) ((x) * 1000000))

/* Feed scores 1 s apart starting at t = 0; returns the changes seen */
static GString *
feed (BwAnomalyState *st,
      const double   *scores,
      guint           n,
      double          threshold)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    switch (bw_anomaly_state_update (st, S (i), scores[i], threshold))
      {
      case BW_ANOMALY_RAISED:
        g_string_append_printf (out, "R%u ", i);
        break;
      case BW_ANOMALY_CLEARED:
        g_string_append_printf (out, "C%u ", i);
        break;
      case BW_ANOMALY_NONE:
      default:
        break;
      }
  return out;
}

static void
test_hold (void)
{
  BwAnomalyState st;
  /* a 2 s spike, then a lasting anomaly from t = 5 */
  double scores[] = { 0, 2, 2, 0, 0, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0 };
  g_autoptr(GString) got = NULL;

  bw_anomaly_state_init (&st, S (3), S (4), 0.8);
  got = feed (&st, scores, G_N_ELEMENTS (scores), 1.0);
  /* raised 3 s after it started; cleared 4 s after it ended */
  g_assert_cmpstr (got->str, ==, "R8 C15 ");
  g_assert_false (st.active);
  g_assert_cmpint (st.raised_us, ==, S (5));
}

static void
test_immediate (void)
{
  BwAnomalyState st;
  double scores[] = { 0, 2, 0, 2 };
  g_autoptr(GString) got = NULL;

  bw_anomaly_state_init (&st, 0, 0, 1.0);
  got = feed (&st, scores, G_N_ELEMENTS (scores), 1.0);
  g_assert_cmpstr (got->str, ==, "R1 C2 R3 ");
}

static void
test_hysteresis (void)
{
  BwAnomalyState st;
  /* hovering between the clear level (0.8) and the threshold keeps the
   * alarm; only going below 0.8 for 2 s clears it */
  double scores[] = { 1.5, 1.5, 0.9, 0.85, 1.01, 0.95, 0.9, 0.7, 0.9, 0.7, 0.7, 0.7, 0.7 };
  g_autoptr(GString) got = NULL;

  bw_anomaly_state_init (&st, S (1), S (2), 0.8);
  got = feed (&st, scores, G_N_ELEMENTS (scores), 1.0);
  g_assert_cmpstr (got->str, ==, "R1 C11 ");
}

static void
test_chatter (void)
{
  BwAnomalyState st;
  g_autoptr(GString) got = NULL;
  double scores[200];

  /* a score flipping around the threshold every row raises once, never clears */
  for (guint i = 0; i < G_N_ELEMENTS (scores); i++)
    scores[i] = i % 2 ? 1.05 : 0.95;
  bw_anomaly_state_init (&st, S (0), S (10), 0.9);
  got = feed (&st, scores, G_N_ELEMENTS (scores), 1.0);
  g_assert_cmpstr (got->str, ==, "R1 ");
  g_assert_true (st.active);
}

static void
test_nan_and_time (void)
{
  BwAnomalyState st;

  bw_anomaly_state_init (&st, S (2), S (2), 0.8);
  /* NAN never raises */
  for (int i = 0; i < 5; i++)
    g_assert_cmpint (bw_anomaly_state_update (&st, S (i), NAN, 1.0), ==, BW_ANOMALY_NONE);
  g_assert_cmpint (bw_anomaly_state_update (&st, S (10), 3, 1.0), ==, BW_ANOMALY_NONE);
  /* the clock goes back: the pending hold restarts from there */
  g_assert_cmpint (bw_anomaly_state_update (&st, S (5), 3, 1.0), ==, BW_ANOMALY_NONE);
  g_assert_cmpint (bw_anomaly_state_update (&st, S (6), 3, 1.0), ==, BW_ANOMALY_NONE);
  g_assert_cmpint (bw_anomaly_state_update (&st, S (7), 4, 1.0), ==, BW_ANOMALY_RAISED);
  g_assert_cmpfloat (st.peak_score, ==, 4);
  /* NAN counts as low: it clears once held */
  g_assert_cmpint (bw_anomaly_state_update (&st, S (8), NAN, 1.0), ==, BW_ANOMALY_NONE);
  g_assert_cmpint (bw_anomaly_state_update (&st, S (9), NAN, 1.0), ==, BW_ANOMALY_NONE);
  g_assert_cmpint (bw_anomaly_state_update (&st, S (10), NAN, 1.0), ==, BW_ANOMALY_CLEARED);

  bw_anomaly_state_update (&st, S (11), 5, 1.0);
  bw_anomaly_state_reset (&st);
  g_assert_false (st.active);
  g_assert_cmpint (bw_anomaly_state_update (&st, S (12), 5, 1.0), ==, BW_ANOMALY_NONE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/anomaly-state/hold", test_hold);
  g_test_add_func ("/anomaly-state/immediate", test_immediate);
  g_test_add_func ("/anomaly-state/hysteresis", test_hysteresis);
  g_test_add_func ("/anomaly-state/chatter", test_chatter);
  g_test_add_func ("/anomaly-state/nan-and-time", test_nan_and_time);

  return g_test_run ();
}
