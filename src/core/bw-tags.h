/* bw-tags.h: standard conveyor tags, first-out triggers and stop causes
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The standard tags of DESIGN.md, in a fixed order. A conveyor may have more
 * tags (configured); those get indices from BW_N_STANDARD_TAGS on. */
typedef enum
{
  BW_TAG_BELT_SPEED,     /* m/s */
  BW_TAG_MOTOR_CURRENT,  /* A */
  BW_TAG_LOAD,           /* t/h, belt scale */
  BW_TAG_MD_SIGNAL,      /* % of trip level */
  BW_TAG_MD_TRIP,        /* 0/1 */
  BW_TAG_RUNNING,        /* 0/1 motor contactor */
  BW_TAG_VIBRATION,      /* mm/s RMS */
  BW_TAG_PULLCORD,       /* 0/1 */
  BW_TAG_MISALIGN,       /* 0/1 */
  BW_TAG_CHUTE_BLOCK,    /* 0/1 */
  BW_TAG_OVERLOAD,       /* 0/1 */
  BW_TAG_SLIP,           /* 0/1 */
  BW_N_STANDARD_TAGS
} BwTag;

/* First-out: which interlock tripped first. */
typedef enum
{
  BW_TRIGGER_NONE,
  BW_TRIGGER_MD_TRIP,
  BW_TRIGGER_OVERLOAD,
  BW_TRIGGER_PULLCORD,
  BW_TRIGGER_MISALIGN,
  BW_TRIGGER_CHUTE_BLOCK,
  BW_TRIGGER_SLIP,
  BW_N_TRIGGERS
} BwTrigger;

/* The default reason tree's codes (configurable: plants may add codes). */
#define BW_CAUSE_MD_FALSE_TRIP  "md_false_trip"
#define BW_CAUSE_FOREIGN_OBJECT "foreign_object"
#define BW_CAUSE_FAILURE        "failure"
#define BW_CAUSE_PROCESS        "process"
#define BW_CAUSE_PLANNED        "planned"
#define BW_CAUSE_OTHER          "other"

const char  *bw_tag_name              (BwTag        tag);
int          bw_tag_from_name         (const char  *name,
                                       gssize       len);
const char  *bw_tag_unit              (BwTag        tag);
gboolean     bw_tag_is_binary         (BwTag        tag);
const char  *bw_tag_get_label         (BwTag        tag);

const char  *bw_trigger_name          (BwTrigger    trigger);
gboolean     bw_trigger_from_name     (const char  *name,
                                       BwTrigger   *out);
BwTag        bw_trigger_tag           (BwTrigger    trigger);
BwTrigger    bw_trigger_for_tag       (BwTag        tag);
const char  *bw_trigger_get_label     (const char  *trigger);

const char * const *bw_cause_default_codes (void);
gboolean     bw_cause_is_default      (const char  *code);
const char  *bw_cause_get_label       (const char  *code);
gboolean     bw_cause_is_planned      (const char  *code);

G_END_DECLS
