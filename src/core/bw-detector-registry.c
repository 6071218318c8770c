/* bw-detector-registry.c: algorithm names and their configurations
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-detector-registry"

#include "config.h"

#include "bw-classic-detectors.h"
#include "bw-detector-registry.h"
#include "bw-error.h"

/* The tables of algorithms built in: one line per source of algorithms. */
static const BwDetectorEntry *builtin_tables[] = {
  bw_classic_detectors,
};

static GPtrArray *extra_tables;   /* run-time additions */
static GMutex     lock;

static void
collect (GPtrArray *out)
{
  for (guint t = 0; t < G_N_ELEMENTS (builtin_tables); t++)
    for (const BwDetectorEntry *e = builtin_tables[t]; e->name != NULL; e++)
      g_ptr_array_add (out, (gpointer) e);

  g_mutex_lock (&lock);
  if (extra_tables != NULL)
    for (guint t = 0; t < extra_tables->len; t++)
      for (const BwDetectorEntry *e = g_ptr_array_index (extra_tables, t); e->name != NULL; e++)
        g_ptr_array_add (out, (gpointer) e);
  g_mutex_unlock (&lock);
}

GPtrArray *
bw_detector_registry_list (void)
{
  GPtrArray *out = g_ptr_array_new ();

  collect (out);
  return out;
}

const BwDetectorEntry *
bw_detector_registry_lookup (const char *name)
{
  g_autoptr(GPtrArray) all = bw_detector_registry_list ();

  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < all->len; i++)
    {
      const BwDetectorEntry *e = g_ptr_array_index (all, i);

      if (g_str_equal (e->name, name))
        return e;
    }
  return NULL;
}

JsonObject *
bw_detector_entry_parse_config (const BwDetectorEntry *entry,
                                GError               **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  g_return_val_if_fail (entry != NULL, NULL);

  if (entry->config == NULL || entry->config[0] == '\0')
    return json_object_new ();
  if (!json_parser_load_from_data (parser, entry->config, -1, error))
    {
      g_prefix_error (error, "configuration of “%s”: ", entry->name);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                   "configuration of “%s” is not a JSON object", entry->name);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

void
bw_detector_registry_ensure_types (void)
{
  g_autoptr(GPtrArray) all = bw_detector_registry_list ();

  for (guint i = 0; i < all->len; i++)
    {
      const BwDetectorEntry *e = g_ptr_array_index (all, i);

      g_type_ensure (e->get_type ());
    }
}

void
bw_detector_registry_add_table (const BwDetectorEntry *table)
{
  g_return_if_fail (table != NULL);

  g_mutex_lock (&lock);
  if (extra_tables == NULL)
    extra_tables = g_ptr_array_new ();
  g_ptr_array_add (extra_tables, (gpointer) table);
  g_mutex_unlock (&lock);
}
