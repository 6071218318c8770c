/* bw-tags.c
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-tags"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "bw-tags.h"

static const struct
{
  const char *name;
  const char *unit;
  gboolean    binary;
  const char *label;
} tags[BW_N_STANDARD_TAGS] = {
  { "belt_speed", "m/s", FALSE, N_("Belt speed") },
  { "motor_current", "A", FALSE, N_("Motor current") },
  { "load", "t/h", FALSE, N_("Load") },
  { "md_signal", "%", FALSE, N_("Metal detector signal") },
  { "md_trip", "", TRUE, N_("Metal detector trip") },
  { "running", "", TRUE, N_("Running") },
  { "vibration", "mm/s", FALSE, N_("Vibration") },
  { "pullcord", "", TRUE, N_("Pull-cord") },
  { "misalign", "", TRUE, N_("Belt misalignment") },
  { "chute_block", "", TRUE, N_("Chute blockage") },
  { "overload", "", TRUE, N_("Motor overload") },
  { "slip", "", TRUE, N_("Belt slip") },
};

static const struct
{
  const char *name;
  BwTag       tag;
  const char *label;
} triggers[BW_N_TRIGGERS] = {
  { "none", BW_N_STANDARD_TAGS, N_("No interlock (operator or process)") },
  { "md_trip", BW_TAG_MD_TRIP, N_("Metal detector") },
  { "overload", BW_TAG_OVERLOAD, N_("Motor overload") },
  { "pullcord", BW_TAG_PULLCORD, N_("Pull-cord") },
  { "misalign", BW_TAG_MISALIGN, N_("Belt misalignment") },
  { "chute_block", BW_TAG_CHUTE_BLOCK, N_("Chute blockage") },
  { "slip", BW_TAG_SLIP, N_("Belt slip") },
};

static const char * const cause_codes[] = {
  BW_CAUSE_MD_FALSE_TRIP,
  BW_CAUSE_FOREIGN_OBJECT,
  BW_CAUSE_FAILURE,
  BW_CAUSE_PROCESS,
  BW_CAUSE_PLANNED,
  BW_CAUSE_OTHER,
  NULL
};

static const char * const cause_labels[] = {
  N_("Metal detector false trip"),
  N_("Foreign object found"),
  N_("Equipment failure"),
  N_("Process stop"),
  N_("Planned stop"),
  N_("Other"),
};

const char *
bw_tag_name (BwTag tag)
{
  g_return_val_if_fail (tag < BW_N_STANDARD_TAGS, NULL);
  return tags[tag].name;
}

/**
 * bw_tag_from_name:
 *
 * Returns: the standard tag's index, or -1 if @name is not a standard tag
 */
int
bw_tag_from_name (const char *name,
                  gssize      len)
{
  gsize l = len < 0 ? strlen (name) : (gsize) len;

  for (int i = 0; i < BW_N_STANDARD_TAGS; i++)
    if (strlen (tags[i].name) == l && memcmp (tags[i].name, name, l) == 0)
      return i;
  return -1;
}

const char *
bw_tag_unit (BwTag tag)
{
  g_return_val_if_fail (tag < BW_N_STANDARD_TAGS, "");
  return tags[tag].unit;
}

gboolean
bw_tag_is_binary (BwTag tag)
{
  return tag < BW_N_STANDARD_TAGS && tags[tag].binary;
}

const char *
bw_tag_get_label (BwTag tag)
{
  g_return_val_if_fail (tag < BW_N_STANDARD_TAGS, "");
  return _(tags[tag].label);
}

const char *
bw_trigger_name (BwTrigger trigger)
{
  g_return_val_if_fail (trigger < BW_N_TRIGGERS, "none");
  return triggers[trigger].name;
}

gboolean
bw_trigger_from_name (const char *name,
                      BwTrigger  *out)
{
  for (int i = 0; i < BW_N_TRIGGERS; i++)
    if (g_strcmp0 (name, triggers[i].name) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

BwTag
bw_trigger_tag (BwTrigger trigger)
{
  g_return_val_if_fail (trigger < BW_N_TRIGGERS, BW_N_STANDARD_TAGS);
  return triggers[trigger].tag;
}

BwTrigger
bw_trigger_for_tag (BwTag tag)
{
  for (int i = 1; i < BW_N_TRIGGERS; i++)
    if (triggers[i].tag == tag)
      return i;
  return BW_TRIGGER_NONE;
}

/**
 * bw_trigger_get_label:
 *
 * Returns: the translated name of a first-out trigger code
 */
const char *
bw_trigger_get_label (const char *trigger)
{
  BwTrigger t;

  if (trigger == NULL || !bw_trigger_from_name (trigger, &t))
    return trigger ? trigger : "";
  return _(triggers[t].label);
}

const char * const *
bw_cause_default_codes (void)
{
  return cause_codes;
}

gboolean
bw_cause_is_default (const char *code)
{
  return code != NULL && g_strv_contains (cause_codes, code);
}

/**
 * bw_cause_get_label:
 *
 * Returns: the translated name of a cause code of the default reason tree, or
 *   @code itself for a plant's own codes
 */
const char *
bw_cause_get_label (const char *code)
{
  if (code == NULL)
    return "";
  for (guint i = 0; cause_codes[i]; i++)
    if (g_str_equal (code, cause_codes[i]))
      return _(cause_labels[i]);
  return code;
}

gboolean
bw_cause_is_planned (const char *code)
{
  return g_strcmp0 (code, BW_CAUSE_PLANNED) == 0;
}
