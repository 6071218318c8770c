/* test-alarm.c: the ISA-18.2 alarm state machine
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bw-alarm.h"
#include "bw-error.h"

static void
test_ack_then_clear (void)
{
  g_autoptr(BwAlarm) a = bw_alarm_new ("CV-1", "stop", BW_ALARM_PRIORITY_HIGH, "stopped", 100);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (a->state, ==, BW_ALARM_UNACK_ACTIVE);
  g_assert_true (bw_alarm_is_active (a));
  g_assert_true (bw_alarm_needs_ack (a));
  g_assert_true (bw_alarm_acknowledge (a, "Иванов", 200, &error));
  g_assert_cmpint (a->state, ==, BW_ALARM_ACK_ACTIVE);
  g_assert_cmpstr (a->acked_by, ==, "Иванов");
  g_assert_cmpint (a->acked_us, ==, 200);
  g_assert_false (bw_alarm_needs_ack (a));
  /* a second acknowledgement is refused and changes nothing */
  g_assert_false (bw_alarm_acknowledge (a, "Петров", 250, &error));
  g_assert_error (error, BW_ERROR, BW_ERROR_CONFLICT);
  g_assert_cmpstr (a->acked_by, ==, "Иванов");
  /* the belt runs again: back to normal */
  g_assert_true (bw_alarm_return_to_normal (a, 300));
  g_assert_cmpint (a->state, ==, BW_ALARM_NORMAL);
  g_assert_cmpint (a->cleared_us, ==, 300);
  g_assert_false (bw_alarm_return_to_normal (a, 400));
}

static void
test_rtn_unack (void)
{
  g_autoptr(BwAlarm) a = bw_alarm_new ("CV-1", "stop", BW_ALARM_PRIORITY_HIGH, "stopped", 100);

  /* the condition clears before anyone acknowledged: still to acknowledge */
  g_assert_true (bw_alarm_return_to_normal (a, 150));
  g_assert_cmpint (a->state, ==, BW_ALARM_UNACK_RTN);
  g_assert_false (bw_alarm_is_active (a));
  g_assert_true (bw_alarm_needs_ack (a));
  g_assert_cmpint (a->cleared_us, ==, 0);
  g_assert_true (bw_alarm_acknowledge (a, "Иванов", 180, NULL));
  g_assert_cmpint (a->state, ==, BW_ALARM_NORMAL);
  g_assert_cmpint (a->cleared_us, ==, 180);
}

static void
test_json_roundtrip (void)
{
  g_autoptr(BwAlarm) a = bw_alarm_new ("CV-7", "anomaly", BW_ALARM_PRIORITY_MEDIUM, "score high",
                                       G_GINT64_CONSTANT (1795766400000000));
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(BwAlarm) back = NULL;

  a->id = 42;
  bw_alarm_acknowledge (a, "Сидоров", G_GINT64_CONSTANT (1795766460000000), NULL);
  bw_alarm_build_json (a, b);
  node = json_builder_get_root (b);
  back = bw_alarm_new_from_json (json_node_get_object (node), NULL);
  g_assert_nonnull (back);
  g_assert_cmpint (back->id, ==, 42);
  g_assert_cmpint (back->state, ==, BW_ALARM_ACK_ACTIVE);
  g_assert_cmpint (back->priority, ==, BW_ALARM_PRIORITY_MEDIUM);
  g_assert_cmpstr (back->acked_by, ==, "Сидоров");
  g_assert_cmpint (back->acked_us, ==, G_GINT64_CONSTANT (1795766460000000));
  g_assert_cmpstr (bw_alarm_state_name (back->state), ==, "ack_active");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/alarm/ack-then-clear", test_ack_then_clear);
  g_test_add_func ("/alarm/rtn-unack", test_rtn_unack);
  g_test_add_func ("/alarm/json-roundtrip", test_json_roundtrip);
  return g_test_run ();
}
