/* bw-report-i18n.c: a report's own message catalog
 *
 * gettext's language is the process's, set once; a service renders each
 * report in the language its client asks for, in worker threads. So the
 * report reads the `beltwatch` domain's compiled catalog (.mo) for its
 * language itself, from the directory the domain is bound to (or
 * $BW_LOCALEDIR, for an uninstalled build: build/po), and looks its
 * strings up there.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-report"

#include "config.h"

#include <libintl.h>
#include <string.h>

#include "bw-report-private.h"

#define MO_MAGIC         0x950412deU
#define MO_MAGIC_SWAPPED 0xde120495U

struct _BwCatalog
{
  gatomicrefcount ref_count;
  GBytes         *data;      /* the .mo file */
  GHashTable     *strings;   /* msgid (in @data) → msgstr (in @data) */
};

static _Thread_local const BwCatalog *current_catalog;

BwCatalog *
_bw_catalog_ref (BwCatalog *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
_bw_catalog_unref (BwCatalog *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_hash_table_unref (self->strings);
  g_bytes_unref (self->data);
  g_free (self);
}

static guint32
read_u32 (const guint8 *p,
          gboolean      swapped)
{
  guint32 v;

  memcpy (&v, p, 4);
  return swapped ? GUINT32_SWAP_LE_BE (v) : v;
}

/* Parses a GNU .mo file; NULL if it is not one (or is damaged). */
static BwCatalog *
catalog_parse (GBytes *bytes)
{
  gsize size;
  const guint8 *d = g_bytes_get_data (bytes, &size);
  g_autoptr(GHashTable) strings = NULL;
  guint32 magic, n, orig, trans;
  gboolean swapped;
  BwCatalog *self;

  if (size < 28)
    return NULL;
  memcpy (&magic, d, 4);
  if (magic != MO_MAGIC && magic != MO_MAGIC_SWAPPED)
    return NULL;
  swapped = magic == MO_MAGIC_SWAPPED;
  n = read_u32 (d + 8, swapped);
  orig = read_u32 (d + 12, swapped);
  trans = read_u32 (d + 16, swapped);
  if ((guint64) orig + (guint64) n * 8 > size || (guint64) trans + (guint64) n * 8 > size)
    return NULL;

  strings = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint32 i = 0; i < n; i++)
    {
      guint32 ol = read_u32 (d + orig + i * 8, swapped), oo = read_u32 (d + orig + i * 8 + 4, swapped);
      guint32 tl = read_u32 (d + trans + i * 8, swapped), to = read_u32 (d + trans + i * 8 + 4, swapped);

      /* each string is followed by a NUL inside the file */
      if ((guint64) oo + ol >= size || (guint64) to + tl >= size || d[oo + ol] != 0 || d[to + tl] != 0)
        return NULL;
      if (ol == 0 || tl == 0)
        continue;   /* the header, or an untranslated entry */
      /* plural entries: msgid "one\0other", msgstr "form0\0form1…": the
       * report uses no plurals, but the singular key still finds form 0 */
      g_hash_table_insert (strings, (gpointer) (d + oo), (gpointer) (d + to));
    }

  self = g_new0 (BwCatalog, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->data = g_bytes_ref (bytes);
  self->strings = g_steal_pointer (&strings);
  return self;
}

static BwCatalog *
catalog_try (const char *dir,
             const char *language)
{
  g_autofree char *path = g_build_filename (dir, language, "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, NULL);
  g_autoptr(GBytes) bytes = NULL;
  BwCatalog *c;

  if (file == NULL)
    return NULL;
  bytes = g_mapped_file_get_bytes (file);
  c = catalog_parse (bytes);
  if (c == NULL)
    g_warning ("%s is not a message catalog; the report stays in English", path);
  return c;
}

static gboolean
is_english (const char *language)
{
  return g_str_equal (language, "C") || g_str_equal (language, "POSIX") ||
         g_str_has_prefix (language, "C.") || g_str_equal (language, "en") ||
         g_str_has_prefix (language, "en_") || g_str_has_prefix (language, "en.") ||
         g_str_has_prefix (language, "en@");
}

/* "ru_RU.UTF-8@x" → "ru_RU.UTF-8@x", "ru_RU", "ru" (as gettext does) */
static GPtrArray *
language_variants (const char *language)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *base = g_strdup (language);
  char *p;

  g_ptr_array_add (out, g_strdup (language));
  if ((p = strpbrk (base, ".@")) != NULL)
    {
      *p = '\0';
      g_ptr_array_add (out, g_strdup (base));
    }
  if ((p = strchr (base, '_')) != NULL)
    {
      *p = '\0';
      g_ptr_array_add (out, g_strdup (base));
    }
  return out;
}

/**
 * _bw_catalog_load:
 * @language: (nullable): "ru", "ru_RU.UTF-8", "en" …; %NULL for the
 *   locale's languages (LANGUAGE, LC_ALL, LC_MESSAGES, LANG)
 * @resolved: (out): the language the report is written in ("ru", "en")
 *
 * Returns: (nullable): the catalog, or %NULL for English (the source
 *   strings), also when no catalog for the language is installed
 */
BwCatalog *
_bw_catalog_load (const char  *language,
                  char       **resolved)
{
  const char *dir = g_getenv ("BW_LOCALEDIR");
  g_autoptr(GPtrArray) candidates = NULL;

  /* BW_LOCALEDIR: catalogs of an uninstalled build (build/po) */
  if (dir == NULL || *dir == '\0')
    dir = bindtextdomain (GETTEXT_PACKAGE, NULL);

  if (language && *language)
    candidates = language_variants (language);
  else
    {
      const char * const *names = g_get_language_names ();
      candidates = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; names[i]; i++)
        g_ptr_array_add (candidates, g_strdup (names[i]));
    }

  for (guint i = 0; i < candidates->len; i++)
    {
      const char *c = candidates->pdata[i];
      BwCatalog *catalog;

      if (is_english (c))
        break;
      catalog = dir ? catalog_try (dir, c) : NULL;
      if (catalog)
        {
          g_autoptr(GPtrArray) v = language_variants (c);
          *resolved = g_strdup (g_ptr_array_index (v, v->len - 1));
          return catalog;
        }
    }
  *resolved = g_strdup ("en");
  return NULL;
}

const char *
_bw_catalog_lookup (const BwCatalog *self,
                    const char      *msgid)
{
  const char *s;

  if (self == NULL)
    return NULL;
  s = g_hash_table_lookup (self->strings, msgid);
  return s;
}

/**
 * _bw_report_push_catalog:
 *
 * Makes @catalog the current thread's report catalog.
 *
 * Returns: the one to give back to _bw_report_pop_catalog()
 */
const BwCatalog *
_bw_report_push_catalog (const BwCatalog *catalog)
{
  const BwCatalog *previous = current_catalog;

  current_catalog = catalog;
  return previous;
}

void
_bw_report_pop_catalog (const BwCatalog *previous)
{
  current_catalog = previous;
}

const char *
_bw_report_gettext (const char *msgid)
{
  const char *s = _bw_catalog_lookup (current_catalog, msgid);
  return s ? s : msgid;
}

const char *
_bw_report_pgettext (const char *ctx_msgid,
                     gsize       msgid_offset)
{
  const char *s = _bw_catalog_lookup (current_catalog, ctx_msgid);
  return s ? s : ctx_msgid + msgid_offset;
}
