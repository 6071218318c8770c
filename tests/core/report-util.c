/* report-util.c: what the report tests share — poppler's tools, CSV
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report-util.h"

static char *tmp_dir;

static void
remove_tmp (void)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (tmp_dir == NULL || g_getenv ("BW_KEEP_REPORTS"))
    return;
  dir = g_dir_open (tmp_dir, 0, NULL);
  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *p = g_build_filename (tmp_dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (tmp_dir);
  g_clear_pointer (&tmp_dir, g_free);
}

/* The report's catalogs come from the build (build/po); files go to a
 * temporary folder (kept with BW_KEEP_REPORTS=1, to look at them). */
void
rt_init (void)
{
  const char *build = g_getenv ("BW_BUILD_ROOT");
  g_autofree char *po = NULL;

  g_assert_nonnull (build);
  po = g_build_filename (build, "po", NULL);
  g_setenv ("BW_LOCALEDIR", po, TRUE);
  tmp_dir = g_dir_make_tmp ("bw-report-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);
  if (g_getenv ("BW_KEEP_REPORTS"))
    g_printerr ("# reports in %s\n", tmp_dir);
  atexit (remove_tmp);
}

char *
rt_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

char *
rt_write (GBytes     *bytes,
          const char *name)
{
  char *path = rt_path (name);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  return path;
}

static char *
run (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *program = g_find_program_in_path (argv[0]);
  char *out = NULL;
  int status;

  if (program == NULL)
    g_error ("%s is not installed (poppler-utils)", argv[0]);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);
  return out;
}

/* The text of one page (or all, @page 0), laid out as on the page */
char *
rt_pdftotext (const char *pdf,
              int         page)
{
  g_autofree char *f = g_strdup_printf ("%d", page);

  if (page > 0)
    {
      const char *argv[] = { "pdftotext", "-layout", "-enc", "UTF-8", "-f", f, "-l", f, pdf, "-", NULL };
      return run (argv);
    }
  else
    {
      const char *argv[] = { "pdftotext", "-layout", "-enc", "UTF-8", pdf, "-", NULL };
      return run (argv);
    }
}

static char *
pdfinfo_value (const char *pdf,
               const char *key)
{
  const char *argv[] = { "pdfinfo", pdf, NULL };
  g_autofree char *out = run (argv);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], key) && lines[i][strlen (key)] == ':')
      return g_strstrip (g_strdup (lines[i] + strlen (key) + 1));
  g_error ("pdfinfo gave no %s for %s", key, pdf);
  return NULL;
}

int
rt_pdf_pages (const char *pdf)
{
  g_autofree char *v = pdfinfo_value (pdf, "Pages");
  return atoi (v);
}

void
rt_pdf_page_size (const char *pdf,
                  double     *width,
                  double     *height)
{
  g_autofree char *v = pdfinfo_value (pdf, "Page size");

  g_assert_cmpint (sscanf (v, "%lf x %lf", width, height), ==, 2);
}

/* Every page rasterises (pdftoppm, greyscale) and is not blank: some ink
 * on it, and not all of it ink. */
void
rt_assert_pages_render (const char *pdf)
{
  int pages = rt_pdf_pages (pdf);
  g_autofree char *prefix = rt_path ("page");
  const char *argv[] = { "pdftoppm", "-r", "36", "-gray", pdf, prefix, NULL };
  g_autofree char *out = run (argv);

  g_assert_cmpint (pages, >, 0);
  for (int i = 1; i <= pages; i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *data = NULL;
      gsize len;
      int w, h, max, n = 0;
      guint dark = 0;
      const guchar *px;

      /* pdftoppm pads the number to the width of the page count */
      for (int digits = 1; digits <= 4 && data == NULL; digits++)
        {
          g_free (name);
          name = g_strdup_printf ("%s-%0*d.pgm", prefix, digits, i);
          g_file_get_contents (name, &data, &len, NULL);
        }
      g_assert_nonnull (data);
      g_assert_cmpint (sscanf (data, "P5 %d %d %d%n", &w, &h, &max, &n), ==, 3);
      g_assert_cmpint ((gsize) (n + 1 + w * h), <=, len);
      px = (const guchar *) data + n + 1;
      for (int k = 0; k < w * h; k++)
        dark += px[k] < 160;
      g_assert_cmpuint (dark, >, (guint) (w * h) / 1000);
      g_assert_cmpuint (dark, <, (guint) (w * h) / 2);
      g_unlink (name);
    }
}

/* RFC 4180 with the given separator; a leading byte-order mark is skipped */
GPtrArray *
rt_csv_parse (GBytes *bytes,
              char    sep)
{
  gsize len;
  const char *p = g_bytes_get_data (bytes, &len);
  const char *end = p + len;
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  GPtrArray *row = g_ptr_array_new ();
  GString *field = g_string_new (NULL);
  gboolean quoted = FALSE, was_quoted = FALSE;

  g_assert_true (len >= 3 && memcmp (p, "\xEF\xBB\xBF", 3) == 0);
  p += 3;
  g_assert_true (g_utf8_validate (p, end - p, NULL));
  while (p < end)
    {
      char c = *p++;

      if (quoted)
        {
          if (c == '"' && p < end && *p == '"')
            g_string_append_c (field, '"'), p++;
          else if (c == '"')
            quoted = FALSE;
          else
            g_string_append_c (field, c);
          continue;
        }
      if (c == '"' && field->len == 0 && !was_quoted)
        quoted = was_quoted = TRUE;
      else if (c == sep)
        {
          g_ptr_array_add (row, g_strdup (field->str));
          g_string_truncate (field, 0);
          was_quoted = FALSE;
        }
      else if (c == '\r' && p < end && *p == '\n')
        ;
      else if (c == '\n')
        {
          g_ptr_array_add (row, g_strdup (field->str));
          g_ptr_array_add (row, NULL);
          g_ptr_array_add (rows, g_ptr_array_free (row, FALSE));
          row = g_ptr_array_new ();
          g_string_truncate (field, 0);
          was_quoted = FALSE;
        }
      else
        g_string_append_c (field, c);
    }
  g_assert_false (quoted);
  g_assert_cmpuint (row->len, ==, 0);
  g_assert_cmpuint (field->len, ==, 0);
  g_ptr_array_free (row, TRUE);
  g_string_free (field, TRUE);
  return rows;
}

/* The first row at or after @from whose @column is @value; -1 if none */
int
rt_csv_find (GPtrArray  *rows,
             guint       from,
             guint       column,
             const char *value)
{
  for (guint i = from; i < rows->len; i++)
    {
      GStrv r = rows->pdata[i];
      if (g_strv_length (r) > column && g_str_equal (r[column], value))
        return (int) i;
    }
  return -1;
}

/* "1 234,5" or "1234.5" → 1234.5; "—" or "" → NAN */
double
rt_number (const char *text)
{
  g_autoptr(GString) s = g_string_new (NULL);
  char *end;
  double v;

  for (const char *p = text; *p; p++)
    if (*p == ',')
      g_string_append_c (s, '.');
    else if (*p != ' ')
      g_string_append_c (s, *p);
  if (s->len == 0 || g_str_equal (s->str, "—"))
    return NAN;
  v = g_ascii_strtod (s->str, &end);
  g_assert_true (*end == '\0');
  return v;
}

guint
rt_count (const char *haystack,
          const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* all runs of white space as one space: for text that wraps */
char *
rt_squash (const char *text)
{
  GString *s = g_string_new (NULL);
  gboolean space = FALSE;

  for (const char *p = text; *p; p++)
    {
      if (g_ascii_isspace (*p))
        space = TRUE;
      else
        {
          if (space && s->len)
            g_string_append_c (s, ' ');
          space = FALSE;
          g_string_append_c (s, *p);
        }
    }
  return g_string_free (s, FALSE);
}
