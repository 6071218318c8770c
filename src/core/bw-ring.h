/* bw-ring.h: a bounded ring of (time, value) samples for one tag
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Times are kept as gint64 µs and values as float (sensor precision), in
 * parallel arrays: 12 bytes a sample. Storage grows on demand up to the
 * capacity, so short-lived or slow tags cost little. */
typedef struct
{
  gint64 *t;
  float  *v;
  guint   alloc;     /* allocated slots */
  guint   capacity;  /* maximum slots */
  guint   head;      /* index of the oldest sample */
  guint   len;
} BwRing;

void     bw_ring_init        (BwRing       *ring,
                              guint         capacity);
void     bw_ring_clear       (BwRing       *ring);
void     bw_ring_push        (BwRing       *ring,
                              gint64        time_us,
                              float         value);
static inline guint
bw_ring_len (const BwRing *ring)
{
  return ring->len;
}
static inline guint
bw_ring_slot (const BwRing *ring,
              guint         i)
{
  guint k = ring->head + i;
  return k >= ring->alloc ? k - ring->alloc : k;
}
static inline gint64
bw_ring_time (const BwRing *ring,
              guint         i)
{
  return ring->t[bw_ring_slot (ring, i)];
}
static inline float
bw_ring_value (const BwRing *ring,
               guint         i)
{
  return ring->v[bw_ring_slot (ring, i)];
}
guint    bw_ring_lower_bound (const BwRing *ring,
                              gint64        time_us);
gboolean bw_ring_value_at    (const BwRing *ring,
                              gint64        time_us,
                              float        *out);
gsize    bw_ring_memory      (const BwRing *ring);

G_END_DECLS
