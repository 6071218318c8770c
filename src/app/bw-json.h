/* bw-json.h: reading optional members of the server's answers
 *
 * json-glib's json_object_get_object_member() and _array_member() complain
 * (a critical) when the member is missing; the server leaves optional
 * members out, and a missing or mistyped member is no reason for noise.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* the member @name of @object if it is an object, else %NULL (transfer none) */
static inline JsonObject *
bw_json_object_member (JsonObject *object,
                       const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* the member @name of @object if it is an array, else %NULL (transfer none) */
static inline JsonArray *
bw_json_array_member (JsonObject *object,
                      const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

G_END_DECLS
