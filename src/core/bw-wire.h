/* bw-wire.h: the seed's sample wire format
 *
 * A message is a JSON array of samples {"Timestamp", "ItemId", "Value"}; a
 * replay file is JSON Lines, one message per line. The parser is a streaming
 * scanner built for the ingest hot path: it builds no tree and allocates only
 * for strings with escapes.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Why input was rejected. The parser counts the first group; the monitor,
 * which knows the conveyors, the second. */
typedef enum
{
  BW_BAD_NOT_JSON,       /* a syntax error: the rest of the message is lost */
  BW_BAD_NOT_ARRAY,      /* the message is JSON but not an array */
  BW_BAD_NOT_OBJECT,     /* an array element that is not an object */
  BW_BAD_MISSING_FIELD,  /* a sample without Timestamp, ItemId or Value */
  BW_BAD_TIMESTAMP,      /* Timestamp not a string or not RFC 3339 */
  BW_BAD_VALUE,          /* Value not a number or boolean */
  BW_BAD_NON_FINITE,     /* Value NaN or ±Infinity */
  BW_BAD_ITEM_ID,        /* ItemId not a string "<conveyor>.<tag>" */
  BW_BAD_UNKNOWN_ITEM,   /* conveyor or tag not configured */
  BW_BAD_FUTURE,         /* timestamp too far ahead of the clock */
  BW_BAD_BACKWARDS,      /* timestamp before the item's previous one */
  BW_BAD_DUPLICATE,      /* same timestamp as the item's previous sample */
  BW_BAD_TOO_LARGE,      /* message over the size limit */
  BW_N_BAD_REASONS
} BwBadReason;

typedef struct
{
  guint64 messages;
  guint64 samples;               /* valid samples handed on */
  guint64 bad[BW_N_BAD_REASONS];
} BwWireStats;

/**
 * BwWireSampleFunc:
 * @item: the ItemId (not NUL-terminated; @item_len bytes)
 * @time_us: the timestamp, µs since the epoch, UTC
 * @value: the value, finite
 *
 * Called for each well-formed sample, in message order.
 */
typedef void (*BwWireSampleFunc) (const char *item,
                                  gsize       item_len,
                                  gint64      time_us,
                                  double      value,
                                  gpointer    user_data);

/**
 * BwWireBadFunc:
 * @reason: why
 * @offset: byte offset in the message where the problem was seen
 *
 * Called for each rejected sample or message, after the stats are counted.
 */
typedef void (*BwWireBadFunc) (BwBadReason reason,
                               gsize       offset,
                               gpointer    user_data);

#define BW_WIRE_MAX_MESSAGE (64 * 1024 * 1024)

gsize        bw_wire_parse_message   (const char       *buf,
                                      gsize             len,
                                      BwWireSampleFunc  sample_func,
                                      BwWireBadFunc     bad_func,
                                      gpointer          user_data,
                                      BwWireStats      *stats);
const char  *bw_bad_reason_name      (BwBadReason       reason);
void         bw_wire_stats_add       (BwWireStats      *into,
                                      const BwWireStats *from);

/* Writing: appends `{"Timestamp":"…","ItemId":"…","Value":…}` */
void         bw_wire_append_sample   (GString          *out,
                                      const char       *conveyor,
                                      const char       *tag,
                                      gint64            time_us,
                                      double            value);

G_END_DECLS
