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
#include "bw-nn-detector.h"

/* The tables of algorithms built in: one line per source of algorithms. */
static const BwDetectorEntry *builtin_tables[] = {
  bw_classic_detectors,
  bw_neural_detectors,
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

static JsonNode *
parse_config (const BwDetectorEntry *entry,
              GError               **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (entry->config == NULL || entry->config[0] == '\0')
    return json_node_init_object (json_node_alloc (), json_object_new ());
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
  return json_node_copy (root);
}

/* json_node_copy() shares objects and arrays; callers may change theirs */
static JsonNode *
deep_copy (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *src = json_node_get_object (node), *dst = json_object_new ();
      g_autoptr(GList) members = json_object_get_members (src);
      JsonNode *out;

      for (GList *l = members; l != NULL; l = l->next)
        json_object_set_member (dst, l->data, deep_copy (json_object_get_member (src, l->data)));
      out = json_node_init_object (json_node_alloc (), dst);
      json_object_unref (dst);
      return out;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *src = json_node_get_array (node), *dst = json_array_new ();
      JsonNode *out;

      for (guint i = 0; i < json_array_get_length (src); i++)
        json_array_add_element (dst, deep_copy (json_array_get_element (src, i)));
      out = json_node_init_array (json_node_alloc (), dst);
      json_array_unref (dst);
      return out;
    }
  return json_node_copy (node);
}

JsonObject *
bw_detector_entry_parse_config (const BwDetectorEntry *entry,
                                GError               **error)
{
  static GHashTable *cache;   /* entry → JsonNode, parsed once */
  JsonNode *node;

  g_return_val_if_fail (entry != NULL, NULL);

  g_mutex_lock (&lock);
  if (cache == NULL)
    cache = g_hash_table_new (NULL, NULL);
  node = g_hash_table_lookup (cache, entry);
  if (node == NULL)
    {
      node = parse_config (entry, error);
      if (node == NULL)
        {
          g_mutex_unlock (&lock);
          return NULL;
        }
      g_hash_table_insert (cache, (gpointer) entry, node);
    }
  node = deep_copy (node);
  g_mutex_unlock (&lock);

  {
    JsonObject *obj = json_object_ref (json_node_get_object (node));

    json_node_unref (node);
    return obj;
  }
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
