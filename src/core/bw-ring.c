/* bw-ring.c
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-ring"

#include "config.h"

#include <string.h>

#include "bw-ring.h"

#define INITIAL_ALLOC 256

void
bw_ring_init (BwRing *ring,
              guint   capacity)
{
  memset (ring, 0, sizeof *ring);
  ring->capacity = MAX (capacity, 2);
}

void
bw_ring_clear (BwRing *ring)
{
  g_clear_pointer (&ring->t, g_free);
  g_clear_pointer (&ring->v, g_free);
  ring->alloc = ring->head = ring->len = 0;
}

static void
grow (BwRing *ring)
{
  guint new_alloc = MIN (MAX (ring->alloc * 2, INITIAL_ALLOC), ring->capacity);
  gint64 *t = g_new (gint64, new_alloc);
  float *v = g_new (float, new_alloc);

  /* unwrap into the new arrays, oldest first */
  for (guint i = 0; i < ring->len; i++)
    {
      guint k = bw_ring_slot (ring, i);
      t[i] = ring->t[k];
      v[i] = ring->v[k];
    }
  g_free (ring->t);
  g_free (ring->v);
  ring->t = t;
  ring->v = v;
  ring->alloc = new_alloc;
  ring->head = 0;
}

void
bw_ring_push (BwRing *ring,
              gint64  time_us,
              float   value)
{
  guint k;

  if (ring->len == ring->alloc && ring->alloc < ring->capacity)
    grow (ring);

  if (ring->len < ring->alloc)
    {
      k = bw_ring_slot (ring, ring->len);
      ring->len++;
    }
  else
    {
      /* full: overwrite the oldest */
      k = ring->head;
      ring->head = ring->head + 1 == ring->alloc ? 0 : ring->head + 1;
    }
  ring->t[k] = time_us;
  ring->v[k] = value;
}

/**
 * bw_ring_lower_bound:
 *
 * Returns: the index of the first sample at or after @time_us (== len if none)
 */
guint
bw_ring_lower_bound (const BwRing *ring,
                     gint64        time_us)
{
  guint lo = 0, hi = ring->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (bw_ring_time (ring, mid) < time_us)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/**
 * bw_ring_value_at:
 *
 * Sample-and-hold: the value of the last sample at or before @time_us.
 *
 * Returns: %FALSE if there is no such sample in the ring
 */
gboolean
bw_ring_value_at (const BwRing *ring,
                  gint64        time_us,
                  float        *out)
{
  guint i = bw_ring_lower_bound (ring, time_us + 1);

  if (i == 0)
    return FALSE;
  *out = bw_ring_value (ring, i - 1);
  return TRUE;
}

gsize
bw_ring_memory (const BwRing *ring)
{
  return (gsize) ring->alloc * (sizeof (gint64) + sizeof (float));
}
