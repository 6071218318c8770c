/* bw-ml-stops.c: `beltwatch-ml stops` — the stops of a ledger as JSON or CSV
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beltwatch-ml"

#include "config.h"

#include <stdio.h>

#include "bw-ledger.h"
#include "bw-time.h"

int bw_ml_stops_main (int argc, char **argv);

static void
csv_field (GString    *out,
           const char *s)
{
  if (s == NULL)
    return;
  if (strpbrk (s, ";\"\n\r,") == NULL)
    {
      g_string_append (out, s);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = s; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

int
bw_ml_stops_main (int    argc,
                  char **argv)
{
  g_autofree char *db = NULL, *format = NULL, *from = NULL, *to = NULL, *conveyor = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "The SQLite ledger", "FILE" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "json (default) or csv", "FORMAT" },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, "Only stops overlapping [from, to), RFC 3339", "TIME" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, "See --from", "TIME" },
    { "conveyor", 0, 0, G_OPTION_ARG_STRING, &conveyor, "Only these conveyors (comma-separated)", "IDS" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("— print the stops of a ledger");
  g_autoptr(GError) error = NULL;
  g_autoptr(BwLedger) ledger = NULL;
  g_autoptr(GPtrArray) stops = NULL;
  g_auto(GStrv) conveyors = NULL;
  BwStopQuery q = { .ascending = TRUE };
  gint64 now = bw_time_now ();

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx,
    "JSON: an array, one object per stop, oldest first, with id, conveyor, start,\n"
    "end (null while open), duration_s, trigger, suggested_cause,\n"
    "suggested_probability, cause (null until classified), comment, classified_by …\n"
    "CSV: the same columns, semicolon-separated.");
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "%s: %s\n", g_get_prgname (), error->message);
      return 2;
    }
  if (db == NULL)
    {
      fprintf (stderr, "%s: --db is required\n", g_get_prgname ());
      return 2;
    }
  if (format && !g_str_equal (format, "json") && !g_str_equal (format, "csv"))
    {
      fprintf (stderr, "%s: --format must be json or csv\n", g_get_prgname ());
      return 2;
    }
  if ((from && !bw_time_parse (from, -1, &q.from_us)) || (to && !bw_time_parse (to, -1, &q.to_us)))
    {
      fprintf (stderr, "%s: --from and --to take RFC 3339 times\n", g_get_prgname ());
      return 2;
    }
  if (conveyor)
    {
      conveyors = g_strsplit (conveyor, ",", -1);
      q.conveyors = (const char * const *) conveyors;
    }

  ledger = bw_ledger_open_sqlite_readonly (db, &error);
  if (ledger == NULL)
    {
      fprintf (stderr, "%s: %s\n", g_get_prgname (), error->message);
      return 1;
    }
  stops = bw_ledger_list_stops (ledger, &q, NULL, &error);
  if (stops == NULL)
    {
      fprintf (stderr, "%s: %s\n", g_get_prgname (), error->message);
      return 1;
    }

  if (format && g_str_equal (format, "csv"))
    {
      GString *out = g_string_new ("id;conveyor;start;end;duration_s;trigger;micro;suggested_cause;"
                                   "suggested_probability;cause;comment;classified_by;classified_at\n");
      for (guint i = 0; i < stops->len; i++)
        {
          BwStop *s = stops->pdata[i];
          char b1[BW_TIME_FORMAT_LEN], b2[BW_TIME_FORMAT_LEN], b3[BW_TIME_FORMAT_LEN];

          g_string_append_printf (out, "%" G_GINT64_FORMAT ";", s->id);
          csv_field (out, s->conveyor);
          g_string_append_printf (out, ";%s;%s;%.1f;%s;%d;", bw_time_format (s->start_us, b1),
                                  s->end_us ? bw_time_format (s->end_us, b2) : "",
                                  bw_stop_get_duration (s, now) / 1e6, s->trigger, s->micro);
          csv_field (out, s->suggested_cause);
          g_string_append_c (out, ';');
          if (s->suggested_cause)
            g_string_append_printf (out, "%.4f", s->suggested_probability);
          g_string_append_c (out, ';');
          csv_field (out, s->cause);
          g_string_append_c (out, ';');
          csv_field (out, s->comment);
          g_string_append_c (out, ';');
          csv_field (out, s->classified_by);
          g_string_append_printf (out, ";%s\n", s->classified_us ? bw_time_format (s->classified_us, b3) : "");
        }
      fwrite (out->str, 1, out->len, stdout);
      g_string_free (out, TRUE);
    }
  else
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < stops->len; i++)
        bw_stop_build_json (stops->pdata[i], b, now);
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      json_generator_set_root (gen, root);
      json_generator_set_pretty (gen, TRUE);
      text = json_generator_to_data (gen, NULL);
      puts (text);
    }
  return 0;
}
