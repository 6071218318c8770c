/* bw-stop-dataset-ledger.c: labelled stops from a ledger — the stops an
 * operator classified, with their signal windows
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-stop-dataset"

#include "config.h"

#include <math.h>

#include "bw-classifier.h"
#include "bw-ledger.h"
#include "bw-time.h"

/**
 * bw_stop_dataset_add_ledger:
 * @from_us: (optional): only stops from this time (0: all)
 * @to_us: (optional): only stops before this time (0: all)
 *
 * Adds every stop of the ledger that an operator classified and that has its
 * signal window. The context is rebuilt as the service had it at stop open:
 * the time since the conveyor's previous stop ended, the metal-detector trips
 * (stops with that first-out) in the hour before, and the load and detector
 * levels stored with the stop.
 *
 * Returns: the number of stops added, or -1 on error
 */
int
bw_stop_dataset_add_ledger (BwStopDataset  *self,
                            BwLedger       *ledger,
                            gint64          from_us,
                            gint64          to_us,
                            GError        **error)
{
  BwStopQuery q = { .ascending = TRUE, .from_us = from_us, .to_us = to_us };
  g_autoptr(GPtrArray) stops = bw_ledger_list_stops (ledger, &q, NULL, error);
  g_autoptr(GHashTable) last_end = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *group = NULL;
  int added = 0;

  if (stops == NULL)
    return -1;
  {
    g_autofree char *where = bw_ledger_describe (ledger);
    group = g_strconcat ("ledger:", where, NULL);
  }

  for (guint i = 0; i < stops->len; i++)
    {
      BwStop *s = stops->pdata[i];
      BwStopContext ctx = { 0 };
      gint64 *prev_end = g_hash_table_lookup (last_end, s->conveyor);
      g_autoptr(BwWindow) w = NULL;
      g_autoptr(GError) local = NULL;

      ctx.conveyor = s->conveyor;
      ctx.trigger = s->trigger;
      ctx.start_us = s->start_us;
      ctx.since_last_stop_s = prev_end ? (s->start_us - *prev_end) / 1e6 : NAN;
      ctx.load_before = s->load_before;
      ctx.md_background = s->md_background;
      ctx.md_peak = s->md_peak;
      for (guint k = i; k-- > 0;)
        {
          BwStop *p = stops->pdata[k];
          if (p->start_us < s->start_us - BW_USEC_PER_HOUR)
            break;
          if (g_str_equal (p->conveyor, s->conveyor) && g_strcmp0 (p->trigger, "md_trip") == 0)
            ctx.md_trips_last_hour++;
        }
      if (s->end_us)
        {
          gint64 *e = g_new (gint64, 1);
          *e = s->end_us;
          g_hash_table_insert (last_end, s->conveyor, e);
          if (prev_end)
            g_free (prev_end);
        }

      if (s->cause == NULL)
        continue;
      w = bw_ledger_load_window (ledger, s->id, &local);
      if (w == NULL)
        {
          if (local)
            g_warning ("stop %" G_GINT64_FORMAT ": %s", s->id, local->message);
          continue;
        }
      bw_stop_dataset_add (self, w, &ctx, s->cause, group);
      added++;
    }
  {
    GHashTableIter iter;
    gpointer v;
    g_hash_table_iter_init (&iter, last_end);
    while (g_hash_table_iter_next (&iter, NULL, &v))
      g_free (v);
  }
  return added;
}
