/* bw-report-pdf.c: the report as a PDF document (cairo + pango)
 *
 * A4, portrait or landscape; DejaVu fonts, embedded as subsets by cairo.
 * The document is laid out twice with the same code: the first pass only
 * measures (and remembers every table row's height), so that the second,
 * which draws, knows the number of pages for "page N of M".
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-report"

#include "config.h"

#include <math.h>
#include <string.h>

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#define BW_REPORT_TRANSLATE
#include "bw-report-private.h"

#include "bw-error.h"
#include "bw-tags.h"
#include "bw-time.h"

#define A4_W        595.276
#define A4_H        841.89
#define MARGIN_X    36.0
#define MARGIN_TOP  40.0
#define MARGIN_BOT  48.0
#define CELL_PAD_X  2.0
#define CELL_PAD_Y  2.0
#define MAX_COLS    12
#define FAMILY      "DejaVu Sans"

typedef struct
{
  double r, g, b;
} Rgb;

static const Rgb BLACK = { 0, 0, 0 };
static const Rgb GREY_TEXT = { 0.38, 0.38, 0.38 };
static const Rgb RED_TEXT = { 0.70, 0.08, 0.08 };
static const Rgb RULE = { 0.55, 0.55, 0.55 };
static const Rgb HEADER_BG = { 0.88, 0.88, 0.88 };
static const Rgb TOTAL_BG = { 0.94, 0.94, 0.94 };
static const Rgb WARN_BG = { 1.0, 0.95, 0.88 };
static const Rgb WARN_BAR = { 0.85, 0.45, 0.05 };

typedef enum
{
  F_BODY,
  F_BODY_BOLD,
  F_SMALL,
  F_SMALL_ITALIC,
  F_TABLE,
  F_TABLE_BOLD,
  F_TABLE_HEADER,
  F_HEADING,
  F_TITLE,
  F_SUBTITLE,
  F_TINY,
  N_FONTS
} FontId;

typedef struct
{
  const char     *text;
  FontId          font;
  PangoAlignment  align;
  gboolean        markup;
  const Rgb      *color;
  gboolean        single;     /* fits one line: its column was made wide enough */
  gboolean        repeats;    /* the same text comes again and again: keep its layout */
} Cell;

typedef struct
{
  guint           n_cols;
  double          widths[MAX_COLS];
  const char     *titles[MAX_COLS];
  PangoAlignment  aligns[MAX_COLS];
  gboolean        repeat_header;
  double          header_h;
  double          seg_top;    /* where the rows on this page began; < 0: none yet */
  GArray         *rules;      /* owned: the y of the rows' rules on this page, stroked together */
  guint           fuse;       /* the first columns drawn as one line with tab stops, when plain */
  PangoTabArray  *tabs;       /* owned: their stops */
} Table;

typedef struct
{
  BwReport              *report;
  GCancellable          *cancellable;
  gboolean               cancelled;

  gboolean               drawing;
  cairo_surface_t       *surface;
  cairo_t               *cr;
  PangoFontMap          *fontmap;
  PangoContext          *pango;
  PangoLayout           *layout;
  PangoFontDescription  *fonts[N_FONTS];
  double                 line_h[N_FONTS];

  double                 page_w, page_h;
  double                 x0, x1;        /* content's left and right */
  double                 y;             /* the cursor */
  double                 y_max;         /* content's bottom */
  int                    page;
  int                    n_pages;       /* from the first pass */
  GArray                *heights;       /* row heights measured in the first pass */
  GHashTable            *word_widths;   /* "font|word" → width (in the pointer's bits) */
  GHashTable            *heights_of;    /* "font|width|align|markup|text" → double* height */
  GHashTable            *layouts;       /* the same key → PangoLayout*, for repeated texts */
  guint                  height_pos;
  guint                  rows_since_check;
  char                  *footer;
  int                    section;
} Pdf;

/* ---- text ---- */

static void
set_color (Pdf       *p,
           const Rgb *c)
{
  cairo_set_source_rgb (p->cr, c->r, c->g, c->b);
}

static void
layout_set (Pdf            *p,
            FontId          font,
            const char     *text,
            gboolean        markup,
            double          width,
            PangoAlignment  align)
{
  pango_layout_set_font_description (p->layout, p->fonts[font]);
  pango_layout_set_width (p->layout, width > 0 ? (int) (width * PANGO_SCALE) : -1);
  pango_layout_set_alignment (p->layout, align);
  if (markup)
    pango_layout_set_markup (p->layout, text, -1);
  else
    {
      pango_layout_set_attributes (p->layout, NULL);
      pango_layout_set_text (p->layout, text ? text : "", -1);
    }
}

static double
layout_height (Pdf *p)
{
  int w, h;

  pango_layout_get_size (p->layout, &w, &h);
  return (double) h / PANGO_SCALE;
}

static double
layout_width (Pdf *p)
{
  int w, h;

  pango_layout_get_size (p->layout, &w, &h);
  return (double) w / PANGO_SCALE;
}

static void
layout_show (Pdf       *p,
             double     x,
             double     y,
             const Rgb *color)
{
  if (!p->drawing)
    return;
  set_color (p, color ? color : &BLACK);
  cairo_move_to (p->cr, x, y);
  pango_cairo_show_layout (p->cr, p->layout);
}

/* Text at (x, y) in a box @width wide; returns its height. */
static double
text_at (Pdf            *p,
         FontId          font,
         const char     *text,
         gboolean        markup,
         double          x,
         double          y,
         double          width,
         PangoAlignment  align,
         const Rgb      *color)
{
  double h;

  layout_set (p, font, text, markup, width, align);
  h = layout_height (p);
  layout_show (p, x, y, color);
  return h;
}

static double
text_width (Pdf        *p,
            FontId      font,
            const char *text)
{
  layout_set (p, font, text, FALSE, -1, PANGO_ALIGN_LEFT);
  return layout_width (p);
}

/* ---- pages ---- */

static void
draw_footer (Pdf *p)
{
  g_autofree char *pages = g_strdup_printf (_("Page %d of %d"), p->page, MAX (p->n_pages, p->page));
  double y = p->page_h - MARGIN_BOT + 14;

  if (!p->drawing)
    return;
  set_color (p, &RULE);
  cairo_set_line_width (p->cr, 0.5);
  cairo_move_to (p->cr, p->x0, y - 3);
  cairo_line_to (p->cr, p->x1, y - 3);
  cairo_stroke (p->cr);
  text_at (p, F_SMALL, p->footer, FALSE, p->x0, y, (p->x1 - p->x0) * 0.72, PANGO_ALIGN_LEFT, &GREY_TEXT);
  text_at (p, F_SMALL, pages, FALSE, p->x0, y, p->x1 - p->x0, PANGO_ALIGN_RIGHT, &GREY_TEXT);
}

static void
new_page (Pdf *p)
{
  if (p->page > 0 && p->drawing)
    cairo_show_page (p->cr);
  p->page++;
  p->y = MARGIN_TOP;
  draw_footer (p);
}

static double
space_left (Pdf *p)
{
  return p->y_max - p->y;
}

static void
ensure (Pdf    *p,
        double  h)
{
  if (p->y + h > p->y_max && p->y > MARGIN_TOP + 0.5)
    new_page (p);
}

static gboolean
check_cancelled (Pdf *p)
{
  if (!p->cancelled && g_cancellable_is_cancelled (p->cancellable))
    p->cancelled = TRUE;
  return p->cancelled;
}

static void
heading (Pdf        *p,
         const char *title,
         double      keep_with)
{
  g_autofree char *text = g_strdup_printf ("%d. %s", ++p->section, title);
  double h;

  layout_set (p, F_HEADING, text, FALSE, p->x1 - p->x0, PANGO_ALIGN_LEFT);
  h = layout_height (p);
  p->y += 8;
  ensure (p, h + 6 + keep_with);
  if (p->drawing)
    {
      g_autofree char *dest = g_strdup_printf ("page=%d pos=[%.0f %.0f]", p->page, p->x0, p->y);
      cairo_pdf_surface_add_outline (p->surface, CAIRO_PDF_OUTLINE_ROOT, text, dest, 0);
    }
  layout_set (p, F_HEADING, text, FALSE, p->x1 - p->x0, PANGO_ALIGN_LEFT);
  layout_show (p, p->x0, p->y, &BLACK);
  p->y += h + 1.5;
  if (p->drawing)
    {
      set_color (p, &BLACK);
      cairo_set_line_width (p->cr, 0.8);
      cairo_move_to (p->cr, p->x0, p->y);
      cairo_line_to (p->cr, p->x1, p->y);
      cairo_stroke (p->cr);
    }
  p->y += 5;
}

static void
paragraph (Pdf        *p,
           FontId      font,
           const char *text,
           gboolean    markup,
           const Rgb  *color)
{
  double h;

  layout_set (p, font, text, markup, p->x1 - p->x0, PANGO_ALIGN_LEFT);
  h = layout_height (p);
  ensure (p, h);
  /* a new page drew its footer with the same layout */
  layout_set (p, font, text, markup, p->x1 - p->x0, PANGO_ALIGN_LEFT);
  layout_show (p, p->x0, p->y, color);
  p->y += h;
}

/* ---- tables ---- */

/* The widest word of @text (where a line can break: spaces, after - and /) */
static double
longest_word (Pdf        *p,
              FontId      font,
              const char *text)
{
  double best = 0;
  const char *w = text;

  if (text == NULL)
    return 0;
  while (*w)
    {
      const char *e = w;
      g_autofree char *key = NULL;
      double *cached;
      double width;

      while (*e && *e != ' ' && *e != '\n' && *e != '-' && *e != '/' && !g_str_has_prefix (e, "\u00ad"))
        e++;
      if (*e == '-' || *e == '/')
        e++;
      else if (g_str_has_prefix (e, "\u00ad"))
        e += 2;   /* a soft hyphen: a break, shown as a hyphen */
      if (e > w)
        {
          key = g_strdup_printf ("%d|%.*s", font, (int) (e - w), w);
          if ((cached = g_hash_table_lookup (p->word_widths, key)))
            width = *cached;
          else
            {
              layout_set (p, font, key + strlen (key) - (e - w), FALSE, -1, PANGO_ALIGN_LEFT);
              width = layout_width (p);
              g_hash_table_insert (p->word_widths, g_steal_pointer (&key), g_memdup2 (&width, sizeof width));
            }
          best = MAX (best, width);
        }
      w = *e ? e + (*e == ' ' || *e == '\n') : e;
    }
  return best;
}

/* Column widths: proportional to @rel_widths, but no column narrower than
 * the widest word of its header or of @min_content (so that words break
 * only where a reader expects). */
static void
table_init (Pdf                  *p,
            Table                *t,
            guint                 n_cols,
            const char * const   *titles,
            const double         *rel_widths,
            const PangoAlignment *aligns,
            const double         *min_content)
{
  double total = p->x1 - p->x0;
  double need[MAX_COLS];
  gboolean fixed[MAX_COLS] = { FALSE };
  double sum_need = 0;

  g_assert (n_cols <= MAX_COLS);
  memset (t, 0, sizeof *t);
  t->n_cols = n_cols;
  t->repeat_header = TRUE;
  for (guint i = 0; i < n_cols; i++)
    {
      need[i] = MAX (longest_word (p, F_TABLE_HEADER, titles[i]), min_content ? min_content[i] : 0) + 2 * CELL_PAD_X + 2.5;
      sum_need += need[i];
      t->titles[i] = titles[i];
      t->aligns[i] = aligns ? aligns[i] : PANGO_ALIGN_LEFT;
    }
  if (sum_need > total)
    {
      /* cannot be helped: shrink everything alike */
      for (guint i = 0; i < n_cols; i++)
        t->widths[i] = need[i] * total / sum_need;
    }
  else
    for (guint iter = 0; iter <= n_cols; iter++)
      {
        double free_w = total, rel = 0;
        gboolean changed = FALSE;

        for (guint i = 0; i < n_cols; i++)
          if (fixed[i])
            free_w -= need[i];
          else
            rel += rel_widths[i];
        for (guint i = 0; i < n_cols; i++)
          {
            t->widths[i] = fixed[i] ? need[i] : free_w * rel_widths[i] / rel;
            if (!fixed[i] && t->widths[i] < need[i])
              fixed[i] = changed = TRUE;
          }
        if (!changed)
          break;
      }

  t->seg_top = -1;
  t->rules = g_array_new (FALSE, FALSE, sizeof (double));
  t->header_h = 0;
  for (guint i = 0; i < n_cols; i++)
    {
      layout_set (p, F_TABLE_HEADER, titles[i], FALSE, t->widths[i] - 2 * CELL_PAD_X, PANGO_ALIGN_CENTER);
      t->header_h = MAX (t->header_h, layout_height (p) + 2 * CELL_PAD_Y);
    }
}

static void
cell_box (Pdf       *p,
          double     x,
          double     y,
          double     w,
          double     h,
          const Rgb *bg)
{
  if (!p->drawing)
    return;
  if (bg)
    {
      set_color (p, bg);
      cairo_rectangle (p->cr, x, y, w, h);
      cairo_fill (p->cr);
    }
  set_color (p, &RULE);
  cairo_set_line_width (p->cr, 0.4);
  cairo_rectangle (p->cr, x, y, w, h);
  cairo_stroke (p->cr);
}

static void
table_header (Pdf   *p,
              Table *t)
{
  double x = p->x0;

  for (guint i = 0; i < t->n_cols; i++)
    {
      cell_box (p, x, p->y, t->widths[i], t->header_h, &HEADER_BG);
      if (p->drawing)
        {
          double th;
          layout_set (p, F_TABLE_HEADER, t->titles[i], FALSE, t->widths[i] - 2 * CELL_PAD_X, PANGO_ALIGN_CENTER);
          th = layout_height (p);
          layout_show (p, x + CELL_PAD_X, p->y + (t->header_h - th) / 2, &BLACK);
        }
      x += t->widths[i];
    }
  p->y += t->header_h;
  t->seg_top = p->y;
}

static double
table_width (Table *t)
{
  double w = 0;

  for (guint i = 0; i < t->n_cols; i++)
    w += t->widths[i];
  return w;
}

/* The rules of the rows drawn on this page, in one path: drawing them row
 * by row would end the PDF's text object at every row */
static void
table_segment_end (Pdf   *p,
                   Table *t)
{
  double x = p->x0;
  double tw = table_width (t);

  if (t->seg_top < 0)
    return;
  if (p->drawing && p->y > t->seg_top)
    {
      set_color (p, &RULE);
      cairo_set_line_width (p->cr, 0.4);
      for (guint i = 0; t->rules && i < t->rules->len; i++)
        {
          double y = g_array_index (t->rules, double, i);
          cairo_move_to (p->cr, p->x0, y);
          cairo_line_to (p->cr, p->x0 + tw, y);
        }
      for (guint i = 0; i <= t->n_cols; i++)
        {
          cairo_move_to (p->cr, x, t->seg_top);
          cairo_line_to (p->cr, x, p->y);
          if (i < t->n_cols)
            x += t->widths[i];
        }
      cairo_stroke (p->cr);
    }
  if (t->rules)
    g_array_set_size (t->rules, 0);
  t->seg_top = -1;
}

static void
table_end (Pdf   *p,
           Table *t)
{
  table_segment_end (p, t);
  g_clear_pointer (&t->tabs, pango_tab_array_free);
  g_clear_pointer (&t->rules, g_array_unref);
}

/* Draws the first @n columns of plain one-line rows as one line of text
 * with a tab stop per column: a long table draws far fewer runs of text. */
static void
table_fuse (Table *t,
            guint  n)
{
  double x = 0;

  g_assert (n <= t->n_cols);
  t->fuse = n;
  t->tabs = pango_tab_array_new ((int) n, TRUE);
  for (guint i = 0; i < n; i++)
    {
      gboolean right = t->aligns[i] == PANGO_ALIGN_RIGHT;
      double stop = right ? x + t->widths[i] - CELL_PAD_X : x + CELL_PAD_X;

      pango_tab_array_set_tab (t->tabs, (int) i, right ? PANGO_TAB_RIGHT : PANGO_TAB_LEFT, (int) llround (stop));
      x += t->widths[i];
    }
}

static gboolean
row_fusable (Table      *t,
             const Cell *cells)
{
  if (t->fuse == 0)
    return FALSE;
  for (guint i = 0; i < t->fuse; i++)
    if (!cells[i].single || cells[i].markup || cells[i].color || cells[i].font != cells[0].font ||
        cells[i].align != t->aligns[i] || (cells[i].text && strchr (cells[i].text, '\t')))
      return FALSE;
  return TRUE;
}

/* Starts a table: its header and room for a first row at least. */
static void
table_begin (Pdf   *p,
             Table *t)
{
  ensure (p, t->header_h + 3 * p->line_h[F_TABLE]);
  table_header (p, t);
}

static char *
cell_key (const Cell *c,
          double      width)
{
  return g_strdup_printf ("%d|%.2f|%d|%d|%s", c->font, width, c->align, c->markup, c->text);
}

static double
row_measure (Pdf        *p,
             Table      *t,
             const Cell *cells)
{
  double h = 0;

  for (guint i = 0; i < t->n_cols; i++)
    {
      const Cell *c = &cells[i];
      double w = t->widths[i] - 2 * CELL_PAD_X;
      double ch;

      if (c->text == NULL || *c->text == '\0' || c->single)
        ch = p->line_h[c->font];
      else if (strlen (c->text) > 160)
        {
          layout_set (p, c->font, c->text, c->markup, w, c->align);
          ch = layout_height (p);
        }
      else
        {
          /* the same labels, names and comments come again and again */
          g_autofree char *key = cell_key (c, w);
          double *cached = g_hash_table_lookup (p->heights_of, key);

          if (cached)
            ch = *cached;
          else
            {
              layout_set (p, c->font, c->text, c->markup, w, c->align);
              ch = layout_height (p);
              g_hash_table_insert (p->heights_of, g_steal_pointer (&key), g_memdup2 (&ch, sizeof ch));
            }
        }
      h = MAX (h, ch);
    }
  return h + 2 * CELL_PAD_Y;
}

static double
row_height (Pdf        *p,
            Table      *t,
            const Cell *cells)
{
  double h;

  if (p->drawing && p->height_pos < p->heights->len)
    return g_array_index (p->heights, double, p->height_pos++);
  h = row_measure (p, t, cells);
  if (!p->drawing)
    g_array_append_val (p->heights, h);
  return h;
}

static void
row_draw (Pdf        *p,
          Table      *t,
          const Cell *cells,
          double      h,
          const Rgb  *bg)
{
  double x = p->x0;
  double tw = table_width (t);
  guint first;

  if (!p->drawing)
    return;
  if (t->seg_top < 0)
    {
      /* the first row on the page without a header above it: its top rule */
      t->seg_top = p->y;
      g_array_append_val (t->rules, p->y);
    }
  if (bg)
    {
      set_color (p, bg);
      cairo_rectangle (p->cr, p->x0, p->y, tw, h);
      cairo_fill (p->cr);
    }
  first = 0;
  if (row_fusable (t, cells))
    {
      GString *line = g_string_new (NULL);

      for (guint i = 0; i < t->fuse; i++)
        {
          g_string_append_c (line, '\t');
          g_string_append (line, cells[i].text ? cells[i].text : "");
          x += t->widths[i];
        }
      pango_layout_set_font_description (p->layout, p->fonts[cells[0].font]);
      pango_layout_set_width (p->layout, -1);
      pango_layout_set_alignment (p->layout, PANGO_ALIGN_LEFT);
      pango_layout_set_attributes (p->layout, NULL);
      pango_layout_set_tabs (p->layout, t->tabs);
      pango_layout_set_text (p->layout, line->str, (int) line->len);
      layout_show (p, p->x0, p->y + CELL_PAD_Y, &BLACK);
      pango_layout_set_tabs (p->layout, NULL);
      g_string_free (line, TRUE);
      first = t->fuse;
    }
  for (guint i = first; i < t->n_cols; i++)
    {
      const Cell *c = &cells[i];
      double w = t->widths[i] - 2 * CELL_PAD_X;

      if (c->text && *c->text)
        {
          PangoLayout *layout = NULL;

          if (c->repeats && strlen (c->text) <= 160)
            {
              g_autofree char *key = cell_key (c, w);

              layout = g_hash_table_lookup (p->layouts, key);
              if (layout == NULL && g_hash_table_size (p->layouts) < 1024)
                {
                  layout_set (p, c->font, c->text, c->markup, w, c->align);
                  layout = pango_layout_copy (p->layout);
                  g_hash_table_insert (p->layouts, g_steal_pointer (&key), layout);
                }
            }
          if (layout)
            {
              set_color (p, c->color ? c->color : &BLACK);
              cairo_move_to (p->cr, x + CELL_PAD_X, p->y + CELL_PAD_Y);
              pango_cairo_show_layout (p->cr, layout);
            }
          else
            {
              layout_set (p, c->font, c->text, c->markup, w, c->align);
              layout_show (p, x + CELL_PAD_X, p->y + CELL_PAD_Y, c->color);
            }
        }
      x += t->widths[i];
    }
  {
    double rule = p->y + h;
    g_array_append_val (t->rules, rule);
  }
}

/* A row taller than a page: its cells flow line by line over as many pages
 * as they need, the table's header repeated on each. */
static void
row_split (Pdf        *p,
           Table      *t,
           const Cell *cells,
           const Rgb  *bg)
{
  PangoLayout *layouts[MAX_COLS] = { NULL };
  int next_line[MAX_COLS] = { 0 };
  int n_lines[MAX_COLS] = { 0 };
  gboolean done = FALSE;

  for (guint i = 0; i < t->n_cols; i++)
    {
      layouts[i] = pango_layout_new (p->pango);
      pango_layout_set_font_description (layouts[i], p->fonts[cells[i].font]);
      pango_layout_set_width (layouts[i], (int) ((t->widths[i] - 2 * CELL_PAD_X) * PANGO_SCALE));
      pango_layout_set_alignment (layouts[i], cells[i].align);
      pango_layout_set_wrap (layouts[i], PANGO_WRAP_WORD_CHAR);
      if (cells[i].markup)
        pango_layout_set_markup (layouts[i], cells[i].text ? cells[i].text : "", -1);
      else
        pango_layout_set_text (layouts[i], cells[i].text ? cells[i].text : "", -1);
      n_lines[i] = pango_layout_get_line_count (layouts[i]);
    }

  while (!done)
    {
      double avail = space_left (p) - 2 * CELL_PAD_Y;
      double used = 0;
      double x = p->x0;

      if (avail < 2 * p->line_h[F_TABLE])
        {
          new_page (p);
          table_header (p, t);
          continue;
        }
      /* what fits of each cell */
      int last[MAX_COLS];
      for (guint i = 0; i < t->n_cols; i++)
        {
          PangoLayoutIter *it = pango_layout_get_iter (layouts[i]);
          double top = -1;
          int k = 0;

          last[i] = next_line[i];
          do
            {
              PangoRectangle logical;
              double y0, y1;

              if (k < next_line[i])
                {
                  k++;
                  continue;
                }
              pango_layout_iter_get_line_extents (it, NULL, &logical);
              y0 = (double) logical.y / PANGO_SCALE;
              y1 = (double) (logical.y + logical.height) / PANGO_SCALE;
              if (top < 0)
                top = y0;
              if (y1 - top > avail)
                break;
              used = MAX (used, y1 - top);
              last[i] = ++k;
            }
          while (pango_layout_iter_next_line (it));
          pango_layout_iter_free (it);
        }
      used += 2 * CELL_PAD_Y;

      /* draw those lines */
      for (guint i = 0; i < t->n_cols; i++)
        {
          cell_box (p, x, p->y, t->widths[i], used, bg);
          if (p->drawing && last[i] > next_line[i])
            {
              PangoLayoutIter *it = pango_layout_get_iter (layouts[i]);
              double top = -1;
              int k = 0;

              set_color (p, cells[i].color ? cells[i].color : &BLACK);
              do
                {
                  PangoRectangle logical;
                  int baseline;

                  if (k >= next_line[i] && k < last[i])
                    {
                      pango_layout_iter_get_line_extents (it, NULL, &logical);
                      baseline = pango_layout_iter_get_baseline (it);
                      if (top < 0)
                        top = (double) logical.y / PANGO_SCALE;
                      cairo_move_to (p->cr, x + CELL_PAD_X + (double) logical.x / PANGO_SCALE,
                                     p->y + CELL_PAD_Y + (double) baseline / PANGO_SCALE - top);
                      pango_cairo_show_layout_line (p->cr, pango_layout_iter_get_line_readonly (it));
                    }
                  k++;
                }
              while (k < last[i] && pango_layout_iter_next_line (it));
              pango_layout_iter_free (it);
            }
          next_line[i] = last[i];
          x += t->widths[i];
        }
      p->y += used;

      done = TRUE;
      for (guint i = 0; i < t->n_cols; i++)
        if (next_line[i] < n_lines[i])
          done = FALSE;
      if (!done)
        {
          new_page (p);
          table_header (p, t);
        }
    }
  for (guint i = 0; i < t->n_cols; i++)
    g_object_unref (layouts[i]);
}

static void
table_row (Pdf        *p,
           Table      *t,
           const Cell *cells,
           const Rgb  *bg)
{
  double h;

  if (++p->rows_since_check >= 64)
    {
      p->rows_since_check = 0;
      check_cancelled (p);
    }
  if (p->cancelled)
    return;

  h = row_height (p, t, cells);
  if (p->y + h > p->y_max)
    {
      double fresh = p->y_max - MARGIN_TOP - (t->repeat_header ? t->header_h : 0);

      table_segment_end (p, t);
      if (h > fresh)
        {
          row_split (p, t, cells, bg);
          t->seg_top = p->y;
          return;
        }
      new_page (p);
      if (t->repeat_header)
        table_header (p, t);
    }
  row_draw (p, t, cells, h, bg);
  p->y += h;
}

static Cell
cell (const char     *text,
      FontId          font,
      PangoAlignment  align)
{
  Cell c = { text, font, align, FALSE, NULL };
  return c;
}

/* ---- figures as text ---- */

typedef struct
{
  GPtrArray  *strings;     /* keeps the texts of the cells alive */
  const char *mark;
} Fmt;

static const char *
keep (Fmt  *f,
      char *s)
{
  g_ptr_array_add (f->strings, s);
  return s;
}

static const char *
fmt_number (Fmt    *f,
            double  v,
            int     decimals)
{
  return keep (f, _bw_report_format_number (v, decimals, f->mark));
}

static const char *
fmt_minutes (Fmt    *f,
             gint64  us)
{
  return fmt_number (f, (double) us / 6e7, 1);
}

static const char *
fmt_uint (Fmt   *f,
          guint  v)
{
  return keep (f, g_strdup_printf ("%u", v));
}

/* h:mm, for MTBF and run times */
static const char *
fmt_hmm (Fmt    *f,
         double  seconds)
{
  gint64 m;

  if (!isfinite (seconds))
    return "—";
  m = (gint64) llround (seconds / 60);
  return keep (f, g_strdup_printf ("%" G_GINT64_FORMAT ":%02d", m / 60, (int) (m % 60)));
}

static const char *
fmt_percent (Fmt    *f,
             double  share)
{
  return fmt_number (f, share * 100, 1);
}

/* ---- colours of causes ---- */

static Rgb
cause_color (BwReportCauseKind  kind,
             const char        *code)
{
  static const struct
  {
    const char *code;
    Rgb         color;
  } colors[] = {
    { BW_CAUSE_MD_FALSE_TRIP, { 0.96, 0.65, 0.20 } },
    { BW_CAUSE_FOREIGN_OBJECT, { 0.80, 0.20, 0.16 } },
    { BW_CAUSE_FAILURE, { 0.45, 0.20, 0.55 } },
    { BW_CAUSE_PROCESS, { 0.24, 0.47, 0.72 } },
    { BW_CAUSE_PLANNED, { 0.45, 0.66, 0.42 } },
    { BW_CAUSE_OTHER, { 0.60, 0.48, 0.33 } },
  };
  static const Rgb extra[] = {
    { 0.20, 0.60, 0.60 }, { 0.75, 0.45, 0.65 }, { 0.55, 0.55, 0.20 }, { 0.35, 0.35, 0.70 },
  };

  if (kind == BW_REPORT_CAUSE_MICRO)
    return (Rgb) { 0.25, 0.25, 0.25 };
  if (kind == BW_REPORT_CAUSE_UNCLASSIFIED || code == NULL)
    return (Rgb) { 0.68, 0.68, 0.68 };
  if (kind == BW_REPORT_CAUSE_PLANNED)
    return colors[4].color;
  for (guint i = 0; i < G_N_ELEMENTS (colors); i++)
    if (g_str_equal (code, colors[i].code))
      return colors[i].color;
  return extra[g_str_hash (code) % G_N_ELEMENTS (extra)];
}

static Rgb
stop_color (const BwReportStop *s)
{
  if (s->micro)
    return cause_color (BW_REPORT_CAUSE_MICRO, NULL);
  if (s->planned)
    return cause_color (BW_REPORT_CAUSE_PLANNED, NULL);
  if (s->unclassified)
    return cause_color (BW_REPORT_CAUSE_UNCLASSIFIED, NULL);
  return cause_color (BW_REPORT_CAUSE_CODE, s->stop->cause);
}

/* ---- the title block ---- */

static void
title_block (Pdf *p,
             Fmt *f)
{
  BwReport *r = p->report;
  const BwReportOptions *o = r->options;
  const char *date_time = C_("report period", "%Y-%m-%d %H:%M");
  const char *date = C_("report date", "%Y-%m-%d");
  g_autofree char *period = _bw_report_describe_period (r);
  g_autofree char *zone = _bw_report_describe_zone (r);
  g_autofree char *generated = _bw_report_format_time (r, r->now_us, date_time);
  g_autofree char *day = _bw_report_format_time (r, r->from_us, date);
  g_autofree char *title = g_utf8_strup (_bw_report_type_label (o->type), -1);
  g_autofree char *subtitle = NULL;
  double w = p->x1 - p->x0;
  double h;
  Table t;
  const char * const kv_titles[] = { "", "" };
  const double kv_widths[] = { 0.27, 0.73 };

  /* plant and section, left; the document's date, right */
  h = text_at (p, F_BODY_BOLD, o->plant ? o->plant : "", FALSE, p->x0, p->y, w * 0.7, PANGO_ALIGN_LEFT, &BLACK);
  p->y += MAX (h, p->line_h[F_BODY_BOLD]);
  if (o->section)
    p->y += text_at (p, F_BODY, o->section, FALSE, p->x0, p->y, w * 0.7, PANGO_ALIGN_LEFT, &BLACK);
  p->y += 14;

  p->y += text_at (p, F_TITLE, title, FALSE, p->x0, p->y, w, PANGO_ALIGN_CENTER, &BLACK);
  if (o->type == BW_REPORT_TYPE_SHIFT && o->shift_name)
    subtitle = g_strdup_printf ("%s, %s", o->shift_name, day);
  else
    subtitle = g_strdup (period);
  p->y += 2;
  p->y += text_at (p, F_SUBTITLE, subtitle, FALSE, p->x0, p->y, w, PANGO_ALIGN_CENTER, &BLACK);
  p->y += 12;

  table_init (p, &t, 2, kv_titles, kv_widths, NULL, NULL);
  t.repeat_header = FALSE;
  {
    const char *keys[8], *values[8];
    guint n = 0;

    if (o->plant)
      keys[n] = _("Plant"), values[n++] = o->plant;
    if (o->section)
      keys[n] = _("Section"), values[n++] = o->section;
    keys[n] = _("Period"), values[n++] = period;
    keys[n] = _("Time zone"), values[n++] = zone;
    if (o->shift_name)
      keys[n] = _("Shift"), values[n++] = o->shift_name;
    keys[n] = _("Prepared by"), values[n++] = o->prepared_by ? o->prepared_by : "";
    keys[n] = _("Generated at"), values[n++] = generated;
    for (guint i = 0; i < n; i++)
      {
        Cell cells[2] = { cell (keys[i], F_TABLE_BOLD, PANGO_ALIGN_LEFT), cell (values[i], F_TABLE, PANGO_ALIGN_LEFT) };
        table_row (p, &t, cells, NULL);
      }
    table_end (p, &t);
  }
  if (r->counted_to_us < r->to_us)
    {
      g_autofree char *until = _bw_report_format_time (r, r->counted_to_us, date_time);
      g_autofree char *note = NULL;

      if (r->counted_to_us <= r->from_us)
        note = g_strdup (_("The period has not begun yet: nothing is counted."));
      else
        note = g_strdup_printf (_("The period has not ended yet: figures are counted up to %s, when the report was generated."),
                                until);
      p->y += 4;
      paragraph (p, F_SMALL_ITALIC, note, FALSE, &RED_TEXT);
    }
  (void) f;
}

/* ---- summary ---- */

static void
summary_cells (Fmt                    *f,
               const BwReportConveyor *c,
               const char             *label,
               FontId                  font,
               Cell                   *cells)
{
  const char *name = label;

  if (name == NULL)
    name = c->name ? keep (f, g_strdup_printf ("%s\n%s", c->conveyor, c->name)) : c->conveyor;
  cells[0] = cell (name, font, PANGO_ALIGN_LEFT);
  cells[1] = cell (fmt_uint (f, c->n_stops), font, PANGO_ALIGN_RIGHT);
  cells[2] = cell (fmt_minutes (f, c->downtime_us), font, PANGO_ALIGN_RIGHT);
  cells[3] = cell (fmt_minutes (f, c->unplanned_us), font, PANGO_ALIGN_RIGHT);
  cells[4] = cell (fmt_minutes (f, c->planned_us), font, PANGO_ALIGN_RIGHT);
  cells[5] = cell (keep (f, g_strdup_printf ("%u / %s", c->n_micro, fmt_minutes (f, c->micro_us))), font,
                   PANGO_ALIGN_RIGHT);
  cells[6] = cell (fmt_number (f, (double) c->calendar_us / 3.6e9, 1), font, PANGO_ALIGN_RIGHT);
  cells[7] = cell (fmt_percent (f, c->availability), font, PANGO_ALIGN_RIGHT);
  cells[8] = cell (fmt_hmm (f, c->mtbf_s), font, PANGO_ALIGN_RIGHT);
  cells[9] = cell (fmt_number (f, c->mttr_s / 60, 1), font, PANGO_ALIGN_RIGHT);
}

static void
summary (Pdf *p,
         Fmt *f)
{
  BwReport *r = p->report;
  const char * const titles[] = {
    _("Conveyor"), _("Stops"), _("Downtime, min"), _("Unplanned, min"), _("Planned, min"),
    _("Micro-stops, number / min"), _("Calendar time, h"), _("Availability, %"), _("MTBF, h:mm"), _("MTTR, min"),
  };
  const double widths[] = { 1.4, 0.8, 0.95, 1.0, 0.9, 1.1, 0.95, 1.0, 0.95, 1.0 };
  PangoAlignment aligns[10];
  double min_w[10] = { 0 };
  Table t;
  Cell cells[10];

  for (guint i = 0; i < 10; i++)
    aligns[i] = PANGO_ALIGN_RIGHT;
  for (guint i = 0; i < r->conveyors->len; i++)
    min_w[0] = MAX (min_w[0], longest_word (p, F_TABLE, ((BwReportConveyor *) r->conveyors->pdata[i])->conveyor));
  heading (p, _("Summary by conveyor"), 60);
  table_init (p, &t, 10, titles, widths, aligns, min_w);
  table_begin (p, &t);
  for (guint i = 0; i < r->conveyors->len; i++)
    {
      summary_cells (f, r->conveyors->pdata[i], NULL, F_TABLE, cells);
      table_row (p, &t, cells, NULL);
    }
  if (r->conveyors->len == 0)
    {
      Cell none[10];
      for (guint i = 0; i < 10; i++)
        none[i] = cell ("", F_TABLE, PANGO_ALIGN_LEFT);
      none[0] = cell (_("No conveyors"), F_SMALL_ITALIC, PANGO_ALIGN_LEFT);
      table_row (p, &t, none, NULL);
    }
  summary_cells (f, &r->total, _("Total"), F_TABLE_BOLD, cells);
  table_row (p, &t, cells, &TOTAL_BG);
  table_end (p, &t);

  p->y += 3;
  paragraph (p, F_TINY,
             _("Downtime counts only the part of each stop inside the period; a stop still open is counted up to the "
               "time the report was generated. Stops do not include micro-stops, which are counted apart. "
               "Availability = run time / (calendar time − planned downtime). MTBF = run time / number of unplanned "
               "stops; MTTR = unplanned downtime / number of unplanned stops (micro-stops excluded). The total sums "
               "the conveyors' times."),
             FALSE, &GREY_TEXT);
}

/* ---- by cause ---- */

static void
pareto_chart (Pdf *p,
              Fmt *f)
{
  BwReport *r = p->report;
  guint n = 0;
  double max_min = 0, nice, step;
  double chart_h = 150, label_h = 4 * p->line_h[F_TINY] + 4;
  double left = p->x0 + 40, right = p->x1 - 34;
  double top, bottom, slot;
  int n_ticks = 5;

  for (guint i = 0; i < r->causes->len; i++)
    {
      const BwReportCause *c = &g_array_index (r->causes, BwReportCause, i);
      if (c->kind == BW_REPORT_CAUSE_PLANNED)
        continue;
      n++;
      max_min = MAX (max_min, (double) c->downtime_us / 6e7);
    }
  if (n == 0)
    return;

  p->y += 6;
  /* a lower chart rather than a page break for it */
  if (space_left (p) - label_h - 24 >= 100)
    chart_h = MIN (chart_h, space_left (p) - label_h - 24);
  ensure (p, chart_h + label_h + 24);
  top = p->y + 10 + p->line_h[F_TINY];
  bottom = top + chart_h;
  slot = (right - left) / n;

  /* a round scale: 1, 2, 2.5 or 5 × 10^k per tick */
  step = max_min / n_ticks;
  nice = pow (10, floor (log10 (MAX (step, 1e-9))));
  step = step <= nice ? nice : step <= 2 * nice ? 2 * nice : step <= 2.5 * nice ? 2.5 * nice : step <= 5 * nice ? 5 * nice : 10 * nice;
  max_min = step * n_ticks;

  if (p->drawing)
    {
      cairo_t *cr = p->cr;

      /* grid and axes */
      cairo_set_line_width (cr, 0.3);
      for (int k = 0; k <= n_ticks; k++)
        {
          double y = bottom - chart_h * k / n_ticks;
          g_autofree char *lbl = _bw_report_format_number (step * k, step < 1 ? 1 : 0, f->mark);
          g_autofree char *pct = g_strdup_printf ("%d %%", 100 * k / n_ticks);

          set_color (p, &(Rgb) { 0.8, 0.8, 0.8 });
          cairo_move_to (cr, left, y);
          cairo_line_to (cr, right, y);
          cairo_stroke (cr);
          text_at (p, F_TINY, lbl, FALSE, p->x0, y - p->line_h[F_TINY] / 2, left - p->x0 - 4, PANGO_ALIGN_RIGHT,
                   &GREY_TEXT);
          text_at (p, F_TINY, pct, FALSE, right + 4, y - p->line_h[F_TINY] / 2, p->x1 - right - 4, PANGO_ALIGN_LEFT,
                   &GREY_TEXT);
        }
      text_at (p, F_TINY, _("min"), FALSE, p->x0, top - 10 - p->line_h[F_TINY], left - p->x0 - 4, PANGO_ALIGN_RIGHT,
               &GREY_TEXT);
      text_at (p, F_TINY, _("cumulative, %"), FALSE, right - 80, top - 10 - p->line_h[F_TINY], p->x1 - right + 80,
               PANGO_ALIGN_RIGHT,
               &GREY_TEXT);

      /* bars */
      guint k = 0;
      for (guint i = 0; i < r->causes->len; i++)
        {
          const BwReportCause *c = &g_array_index (r->causes, BwReportCause, i);
          double v = (double) c->downtime_us / 6e7;
          double bh = max_min > 0 ? chart_h * v / max_min : 0;
          double bw = MIN (slot * 0.64, 56), bx = left + slot * (k + 0.5) - bw / 2;
          Rgb col = cause_color (c->kind, c->code);

          if (c->kind == BW_REPORT_CAUSE_PLANNED)
            continue;
          set_color (p, &col);
          cairo_rectangle (cr, bx, bottom - bh, bw, bh);
          cairo_fill (cr);
          /* minutes in the middle of the bar when it is tall enough
           * (its top is where the cumulative line often passes) */
          if (bh > 3 * p->line_h[F_TINY])
            text_at (p, F_TINY, fmt_minutes (f, c->downtime_us), FALSE, bx, bottom - bh / 2 - p->line_h[F_TINY] / 2, bw,
                     PANGO_ALIGN_CENTER, &(Rgb) { 1, 1, 1 });
          else
            text_at (p, F_TINY, fmt_minutes (f, c->downtime_us), FALSE, bx - 10, bottom - bh - p->line_h[F_TINY] - 1,
                     bw + 20, PANGO_ALIGN_CENTER, &BLACK);
          layout_set (p, F_TINY, c->label, FALSE, slot - 4, PANGO_ALIGN_CENTER);
          pango_layout_set_height (p->layout, -4);
          pango_layout_set_ellipsize (p->layout, PANGO_ELLIPSIZE_END);
          layout_show (p, left + slot * k + 2, bottom + 3, &BLACK);
          pango_layout_set_ellipsize (p->layout, PANGO_ELLIPSIZE_NONE);
          pango_layout_set_height (p->layout, -1);
          k++;
        }

      /* cumulative line */
      set_color (p, &(Rgb) { 0.1, 0.1, 0.1 });
      cairo_set_line_width (cr, 1.0);
      k = 0;
      for (guint i = 0; i < r->causes->len; i++)
        {
          const BwReportCause *c = &g_array_index (r->causes, BwReportCause, i);
          double x = left + slot * (k + 0.5);
          double y = bottom - chart_h * (isfinite (c->cumulative) ? c->cumulative : 0);

          if (c->kind == BW_REPORT_CAUSE_PLANNED)
            continue;
          if (k == 0)
            cairo_move_to (cr, x, y);
          else
            cairo_line_to (cr, x, y);
          k++;
        }
      cairo_stroke (cr);
      k = 0;
      for (guint i = 0; i < r->causes->len; i++)
        {
          const BwReportCause *c = &g_array_index (r->causes, BwReportCause, i);
          double x = left + slot * (k + 0.5);
          double y = bottom - chart_h * (isfinite (c->cumulative) ? c->cumulative : 0);

          if (c->kind == BW_REPORT_CAUSE_PLANNED)
            continue;
          set_color (p, &(Rgb) { 0.1, 0.1, 0.1 });
          cairo_new_path (cr);
          cairo_arc (cr, x, y, 1.8, 0, 2 * G_PI);
          cairo_fill (cr);
          /* the label above right of its point, the last one above left */
          if (k + 1 < n)
            text_at (p, F_TINY, keep (f, g_strdup_printf ("%s %%", fmt_percent (f, c->cumulative))), FALSE, x + 3,
                     y - p->line_h[F_TINY] - 1, slot / 2, PANGO_ALIGN_LEFT, &BLACK);
          else
            text_at (p, F_TINY, keep (f, g_strdup_printf ("%s %%", fmt_percent (f, c->cumulative))), FALSE,
                     x - 3 - slot / 2, y - p->line_h[F_TINY] - 1, slot / 2, PANGO_ALIGN_RIGHT, &BLACK);
          k++;
        }

      set_color (p, &BLACK);
      cairo_set_line_width (cr, 0.6);
      cairo_move_to (cr, left, top);
      cairo_line_to (cr, left, bottom);
      cairo_line_to (cr, right, bottom);
      cairo_line_to (cr, right, top);
      cairo_stroke (cr);
    }
  p->y = bottom + label_h + 4;
}

static void
by_cause (Pdf *p,
          Fmt *f)
{
  BwReport *r = p->report;
  const char * const titles[] = { _("Cause"), _("Stops"), _("Downtime, min"), _("Share, %"), _("Cumulative, %") };
  const double widths[] = { 3.2, 0.8, 1.0, 0.9, 1.0 };
  const PangoAlignment aligns[] = { PANGO_ALIGN_LEFT, PANGO_ALIGN_RIGHT, PANGO_ALIGN_RIGHT, PANGO_ALIGN_RIGHT,
                                    PANGO_ALIGN_RIGHT };
  Table t;
  guint n_losses = 0, total_count = 0;

  heading (p, _("Downtime by cause"), 60);
  if (r->causes->len == 0)
    {
      paragraph (p, F_BODY, _("No stops in this period."), FALSE, &BLACK);
      return;
    }
  table_init (p, &t, 5, titles, widths, aligns, NULL);
  table_begin (p, &t);
  /* the losses by cause, their total; then the planned stops apart */
  for (int planned = 0; planned <= 1; planned++)
    {
      guint count = 0;
      gint64 downtime = 0;

      for (guint i = 0; i < r->causes->len; i++)
        {
          const BwReportCause *c = &g_array_index (r->causes, BwReportCause, i);
          Cell cells[5];

          if ((c->kind == BW_REPORT_CAUSE_PLANNED) != planned)
            continue;
          count += c->count;
          downtime += c->downtime_us;
          n_losses += !planned;
          cells[0] = cell (c->label, F_TABLE, PANGO_ALIGN_LEFT);
          cells[1] = cell (fmt_uint (f, c->count), F_TABLE, PANGO_ALIGN_RIGHT);
          cells[2] = cell (fmt_minutes (f, c->downtime_us), F_TABLE, PANGO_ALIGN_RIGHT);
          cells[3] = cell (planned ? "—" : fmt_percent (f, c->share), F_TABLE, PANGO_ALIGN_RIGHT);
          cells[4] = cell (planned ? "—" : fmt_percent (f, c->cumulative), F_TABLE, PANGO_ALIGN_RIGHT);
          if (c->kind == BW_REPORT_CAUSE_UNCLASSIFIED)
            cells[0].color = &RED_TEXT;
          table_row (p, &t, cells, NULL);
        }
      if (count)
        {
          Cell tot[5] = {
            cell (planned ? _("Total planned (not in the shares)") : _("Total unplanned (incl. micro-stops)"),
                  F_TABLE_BOLD, PANGO_ALIGN_LEFT),
            cell (fmt_uint (f, count), F_TABLE_BOLD, PANGO_ALIGN_RIGHT),
            cell (fmt_minutes (f, downtime), F_TABLE_BOLD, PANGO_ALIGN_RIGHT),
            cell (planned ? "—" : fmt_number (f, 100, 1), F_TABLE_BOLD, PANGO_ALIGN_RIGHT),
            cell ("", F_TABLE_BOLD, PANGO_ALIGN_RIGHT),
          };
          table_row (p, &t, tot, &TOTAL_BG);
        }
    }
  table_end (p, &t);
  (void) total_count;
  pareto_chart (p, f);
}

/* ---- metal detector ---- */

static void
md_cells (Fmt              *f,
          const BwReportMd *m,
          const char       *label,
          FontId            font,
          Cell             *cells)
{
  cells[0] = cell (label ? label : m->conveyor, font, PANGO_ALIGN_LEFT);
  cells[1] = cell (fmt_uint (f, m->trips), font, PANGO_ALIGN_RIGHT);
  cells[2] = cell (fmt_uint (f, m->false_trips), font, PANGO_ALIGN_RIGHT);
  cells[3] = cell (fmt_uint (f, m->foreign_objects), font, PANGO_ALIGN_RIGHT);
  cells[4] = cell (fmt_uint (f, m->other), font, PANGO_ALIGN_RIGHT);
  cells[5] = cell (fmt_uint (f, m->unclassified), font, PANGO_ALIGN_RIGHT);
  cells[6] = cell (fmt_minutes (f, m->downtime_us), font, PANGO_ALIGN_RIGHT);
  cells[7] = cell (fmt_percent (f, m->false_share), font, PANGO_ALIGN_RIGHT);
}

static void
warning_box (Pdf        *p,
             const char *text)
{
  double w = p->x1 - p->x0 - 14;
  double h;

  layout_set (p, F_BODY, text, FALSE, w, PANGO_ALIGN_LEFT);
  h = layout_height (p) + 8;
  ensure (p, h);
  if (p->drawing)
    {
      set_color (p, &WARN_BG);
      cairo_rectangle (p->cr, p->x0, p->y, p->x1 - p->x0, h);
      cairo_fill (p->cr);
      set_color (p, &WARN_BAR);
      cairo_rectangle (p->cr, p->x0, p->y, 3, h);
      cairo_fill (p->cr);
    }
  layout_set (p, F_BODY, text, FALSE, w, PANGO_ALIGN_LEFT);
  layout_show (p, p->x0 + 10, p->y + 4, &BLACK);
  p->y += h + 4;
}

static void
md_advice (Pdf *p,
           Fmt *f)
{
  BwReport *r = p->report;
  const char * const titles[] = {
    _("Conveyor"), _("Trips in the history"), _("False trips per day"), _("Trip level now, %"),
    _("Recommended level, %"), _("False trips per day after"), _("Downtime saved, min/day"), _("Note"),
  };
  const double widths[] = { 1.0, 0.9, 0.9, 0.8, 1.1, 0.9, 0.95, 2.2 };
  const PangoAlignment aligns[] = { PANGO_ALIGN_LEFT, PANGO_ALIGN_RIGHT, PANGO_ALIGN_RIGHT, PANGO_ALIGN_RIGHT,
                                    PANGO_ALIGN_RIGHT, PANGO_ALIGN_RIGHT, PANGO_ALIGN_RIGHT, PANGO_ALIGN_LEFT };
  g_autofree char *intro = NULL;
  Table t;

  if (!r->md_advice_available || r->md_advice->len == 0)
    return;
  p->y += 6;
  intro = g_strdup_printf (_("Sensitivity advice from the trips of the last %s days before the end of the period:"),
                           fmt_number (f, (double) r->options->md_history_us / BW_USEC_PER_DAY, 0));
  ensure (p, 4 * p->line_h[F_TABLE] + 30);
  paragraph (p, F_BODY_BOLD, intro, FALSE, &BLACK);
  p->y += 3;
  table_init (p, &t, 8, titles, widths, aligns, NULL);
  table_begin (p, &t);
  for (guint i = 0; i < r->md_advice->len; i++)
    {
      const BwReportMdAdvice *a = &g_array_index (r->md_advice, BwReportMdAdvice, i);
      const char *level = "—";
      Cell cells[8];

      if (a->has_recommendation)
        level = keep (f, g_strdup_printf ("%s (%s–%s)", fmt_number (f, a->recommended_level, 0),
                                          fmt_number (f, a->recommended_level_low, 0),
                                          fmt_number (f, a->recommended_level_high, 0)));
      cells[0] = cell (a->conveyor, F_TABLE, PANGO_ALIGN_LEFT);
      cells[1] = cell (fmt_uint (f, a->n_trips), F_TABLE, PANGO_ALIGN_RIGHT);
      cells[2] = cell (fmt_number (f, a->false_trips_per_day, 1), F_TABLE, PANGO_ALIGN_RIGHT);
      cells[3] = cell (fmt_number (f, a->current_level, 0), F_TABLE, PANGO_ALIGN_RIGHT);
      cells[4] = cell (level, a->has_recommendation ? F_TABLE_BOLD : F_TABLE, PANGO_ALIGN_RIGHT);
      cells[5] = cell (a->has_recommendation ? fmt_number (f, a->false_trips_per_day_after, 1) : "—", F_TABLE,
                       PANGO_ALIGN_RIGHT);
      cells[6] = cell (a->has_recommendation ? fmt_number (f, a->downtime_saved_min_per_day, 1) : "—", F_TABLE,
                       PANGO_ALIGN_RIGHT);
      cells[7] = cell (a->note ? a->note : "", F_SMALL, PANGO_ALIGN_LEFT);
      table_row (p, &t, cells, NULL);
    }
  table_end (p, &t);
  p->y += 3;
  paragraph (p, F_TINY,
             _("The recommended level still catches the chosen share of real objects (fitted to the peaks of the "
               "objects found); the range is the bootstrap's 5–95 %. Change the level only after checking the "
               "detector and its surroundings."),
             FALSE, &GREY_TEXT);
}

static void
metal_detector (Pdf *p,
                Fmt *f)
{
  BwReport *r = p->report;
  const char * const titles[] = {
    _("Conveyor"), _("Trips"), _("False trips"), _("Foreign objects found"), _("Other causes"),
    _("Not classified"), _("Downtime, min"), _("False-trip share, %"),
  };
  const double widths[] = { 1.4, 0.8, 0.9, 1.1, 0.9, 1.0, 1.0, 1.0 };
  PangoAlignment aligns[8];
  Table t;
  Cell cells[8];

  for (guint i = 0; i < 8; i++)
    aligns[i] = PANGO_ALIGN_RIGHT;
  heading (p, _("Metal detector"), 50);
  if (r->md->len == 0)
    paragraph (p, F_BODY, _("No metal-detector trips in this period."), FALSE, &BLACK);
  else
    {
      table_init (p, &t, 8, titles, widths, aligns, NULL);
      table_begin (p, &t);
      for (guint i = 0; i < r->md->len; i++)
        {
          md_cells (f, r->md->pdata[i], NULL, F_TABLE, cells);
          table_row (p, &t, cells, NULL);
        }
      md_cells (f, &r->md_total, _("Total"), F_TABLE_BOLD, cells);
      table_row (p, &t, cells, &TOTAL_BG);
      table_end (p, &t);
      p->y += 3;
      paragraph (p, F_TINY, _("False-trip share: false trips over the trips the operator has classified."), FALSE,
                 &GREY_TEXT);
    }

  p->y += 4;
  for (guint i = 0; i < r->md_clusters->len; i++)
    {
      const BwReportMdCluster *c = &g_array_index (r->md_clusters, BwReportMdCluster, i);
      const char *fmt = C_("time of day", "%H:%M");
      g_autofree char *a = _bw_report_format_time (r, c->from_us, C_("report period", "%Y-%m-%d %H:%M"));
      g_autofree char *b = _bw_report_format_time (r, c->to_us, fmt);
      const char *window = fmt_number (f, (double) r->options->md_cluster_window_us / BW_USEC_PER_MIN, 0);
      g_autofree char *text = g_strdup_printf (
        _("⚠ False trips cluster on %s: %u between %s and %s (more than %u within %s min). Check the detector's "
          "sensitivity and the sources of interference."),
        c->conveyor, c->false_trips, a, b, r->options->md_cluster_max, window);
      warning_box (p, text);
    }
  md_advice (p, f);
}

/* ---- timeline ---- */

static gint64
tick_step (gint64 span_us,
           double width_pt)
{
  static const gint64 steps[] = {
    15 * BW_USEC_PER_MIN, 30 * BW_USEC_PER_MIN, BW_USEC_PER_HOUR, 2 * BW_USEC_PER_HOUR, 3 * BW_USEC_PER_HOUR,
    6 * BW_USEC_PER_HOUR, 12 * BW_USEC_PER_HOUR, BW_USEC_PER_DAY, 2 * BW_USEC_PER_DAY, 7 * BW_USEC_PER_DAY,
    14 * BW_USEC_PER_DAY, 28 * BW_USEC_PER_DAY,
  };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (width_pt * steps[i] / span_us >= 34)
      return steps[i];
  return steps[G_N_ELEMENTS (steps) - 1];
}

static gint32
offset_at (GTimeZone *tz,
           gint64     t_us)
{
  int interval = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, t_us / BW_USEC_PER_SEC);
  return g_time_zone_get_offset (tz, MAX (interval, 0));
}

static void
timeline (Pdf *p,
          Fmt *f)
{
  BwReport *r = p->report;
  GTimeZone *tz = r->options->tz;
  double label_w = 64, row_h = 12, gap = 3;
  double left = p->x0 + label_w, right = p->x1;
  double width = right - left;
  gint64 span = r->to_us - r->from_us;
  gint64 step = tick_step (span, width);
  guint n = r->conveyors->len;
  g_autoptr(GHashTable) rows = g_hash_table_new (g_str_hash, g_str_equal);
  double top, axis_h = p->line_h[F_TINY] + 4;
  const char *tick_fmt = step >= BW_USEC_PER_DAY ? C_("timeline day", "%m-%d") : C_("time of day", "%H:%M");

  heading (p, _("Timeline"), axis_h + MIN (n, 4) * (row_h + gap) + 10);
  if (n == 0)
    {
      paragraph (p, F_BODY, _("No conveyors"), FALSE, &BLACK);
      return;
    }
  for (guint i = 0; i < n; i++)
    g_hash_table_insert (rows, ((BwReportConveyor *) r->conveyors->pdata[i])->conveyor, GUINT_TO_POINTER (i));

#define X_OF(t) (left + width * (double) ((t) - r->from_us) / (double) span)

  /* rows flow over pages in blocks, each with its own time axis */
  for (guint first = 0; first < n;)
    {
      guint fit, last;

      ensure (p, axis_h + row_h + gap + 4);
      fit = (guint) MAX (1.0, floor ((space_left (p) - axis_h - 4) / (row_h + gap)));
      last = MIN (n, first + fit);
      top = p->y + axis_h;

      if (p->drawing)
        {
          cairo_t *cr = p->cr;
          gint64 off = offset_at (tz, r->from_us) * BW_USEC_PER_SEC;
          gint64 local0 = r->from_us + off;
          gint64 tick_local = (local0 + step - 1) / step * step;
          double bottom = top + (last - first) * (row_h + gap);

          /* ticks at round local times */
          if (step >= BW_USEC_PER_DAY && step % BW_USEC_PER_DAY == 0)
            tick_local = (local0 + BW_USEC_PER_DAY - 1) / BW_USEC_PER_DAY * BW_USEC_PER_DAY;
          for (gint64 tl = tick_local;; tl += step)
            {
              gint64 t = tl - offset_at (tz, tl - off) * BW_USEC_PER_SEC;
              double x;
              g_autofree char *lbl = NULL;

              if (t > r->to_us)
                break;
              x = X_OF (t);
              set_color (p, &(Rgb) { 0.82, 0.82, 0.82 });
              cairo_set_line_width (cr, 0.3);
              cairo_move_to (cr, x, top - 2);
              cairo_line_to (cr, x, bottom);
              cairo_stroke (cr);
              lbl = _bw_report_format_time (r, t, tick_fmt);
              if (x + 20 <= right + 2)
                text_at (p, F_TINY, lbl, FALSE, x - 20, p->y, 40, PANGO_ALIGN_CENTER, &GREY_TEXT);
            }

          for (guint i = first; i < last; i++)
            {
              const BwReportConveyor *c = r->conveyors->pdata[i];
              double y = top + (i - first) * (row_h + gap);

              text_at (p, F_SMALL, c->conveyor, FALSE, p->x0, y + (row_h - p->line_h[F_SMALL]) / 2, label_w - 4,
                       PANGO_ALIGN_LEFT, &BLACK);
              set_color (p, &(Rgb) { 0.97, 0.97, 0.97 });
              cairo_rectangle (cr, left, y, width, row_h);
              cairo_fill (cr);
            }

          for (guint k = 0; k < r->stops->len; k++)
            {
              const BwReportStop *s = &g_array_index (r->stops, BwReportStop, k);
              guint i = GPOINTER_TO_UINT (g_hash_table_lookup (rows, s->stop->conveyor));
              double y, x0, x1;
              Rgb col;

              if (i < first || i >= last)
                continue;
              y = top + (i - first) * (row_h + gap);
              x0 = X_OF (s->from_us);
              x1 = MAX (X_OF (s->to_us), x0 + 0.7);
              col = stop_color (s);
              set_color (p, &col);
              if (s->micro)
                cairo_rectangle (cr, x0, y + row_h * 0.3, x1 - x0, row_h * 0.4);
              else
                cairo_rectangle (cr, x0, y, x1 - x0, row_h);
              cairo_fill (cr);
              if (s->open)
                {
                  /* an open stop: outlined and marked at its end */
                  set_color (p, &RED_TEXT);
                  cairo_set_line_width (cr, 0.8);
                  cairo_rectangle (cr, x0, y + 0.4, x1 - x0, row_h - 0.8);
                  cairo_stroke (cr);
                  cairo_move_to (cr, x1, y);
                  cairo_line_to (cr, x1 + 4, y + row_h / 2);
                  cairo_line_to (cr, x1, y + row_h);
                  cairo_close_path (cr);
                  cairo_fill (cr);
                }
            }
          /* the part of the period still to come: hatched */
          if (r->counted_to_us < r->to_us)
            {
              double xf = X_OF (r->counted_to_us);

              cairo_save (cr);
              cairo_rectangle (cr, xf, top, right - xf, bottom - top - gap);
              cairo_clip (cr);
              set_color (p, &(Rgb) { 0.75, 0.75, 0.75 });
              cairo_set_line_width (cr, 0.4);
              for (double hx = xf - (bottom - top); hx < right; hx += 5)
                {
                  cairo_move_to (cr, hx, bottom);
                  cairo_line_to (cr, hx + (bottom - top), top);
                }
              cairo_stroke (cr);
              cairo_restore (cr);
            }
          set_color (p, &RULE);
          cairo_set_line_width (cr, 0.4);
          for (guint i = first; i < last; i++)
            {
              double y = top + (i - first) * (row_h + gap);
              cairo_rectangle (cr, left, y, width, row_h);
              cairo_stroke (cr);
            }
        }
      p->y = top + (last - first) * (row_h + gap);
      first = last;
    }
#undef X_OF

  /* legend: the causes present */
  {
    GString *seen = g_string_new ("|");
    double x = p->x0, lh = p->line_h[F_SMALL] + 3;
    struct
    {
      BwReportCauseKind kind;
      const char *code;
      const char *label;
    } items[16];
    guint n_items = 0;

    for (guint i = 0; i < r->causes->len && n_items < 14; i++)
      {
        const BwReportCause *c = &g_array_index (r->causes, BwReportCause, i);
        items[n_items].kind = c->kind;
        items[n_items].code = c->code;
        items[n_items].label = c->label;
        n_items++;
      }
    p->y += 4;
    ensure (p, 2 * lh);
    for (guint i = 0; i < n_items; i++)
      {
        Rgb col = cause_color (items[i].kind, items[i].code);
        double tw = text_width (p, F_SMALL, items[i].label);

        if (x + 12 + tw > p->x1)
          {
            x = p->x0;
            p->y += lh;
          }
        if (p->drawing)
          {
            set_color (p, &col);
            if (items[i].kind == BW_REPORT_CAUSE_MICRO)
              cairo_rectangle (p->cr, x, p->y + 3, 9, 3.5);
            else
              cairo_rectangle (p->cr, x, p->y + 1, 9, 7);
            cairo_fill (p->cr);
          }
        text_at (p, F_SMALL, items[i].label, FALSE, x + 12, p->y, tw + 2, PANGO_ALIGN_LEFT, &BLACK);
        x += 12 + tw + 12;
      }
    gboolean any_open = FALSE;
    for (guint i = 0; i < r->stops->len; i++)
      any_open |= g_array_index (r->stops, BwReportStop, i).open;
    if (any_open)
      {
        const char *open_lbl = _("open stop");
        double tw = text_width (p, F_SMALL, open_lbl);
        if (x + 12 + tw > p->x1)
          {
            x = p->x0;
            p->y += lh;
          }
        if (p->drawing)
          {
            set_color (p, &RED_TEXT);
            cairo_set_line_width (p->cr, 0.8);
            cairo_rectangle (p->cr, x, p->y + 1, 9, 7);
            cairo_stroke (p->cr);
          }
        text_at (p, F_SMALL, open_lbl, FALSE, x + 12, p->y, tw + 2, PANGO_ALIGN_LEFT, &BLACK);
      }
    p->y += lh;
    g_string_free (seen, TRUE);
  }
  (void) f;
}

/* ---- the stop list ---- */

static void
stop_list (Pdf *p,
           Fmt *f)
{
  BwReport *r = p->report;
  const char * const titles[] = {
    _("No."), _("Start"), _("End"), _("Duration"), _("Conveyor"), _("Trigger"), _("Cause"), _("Comment"),
    _("Classified by"),
  };
  const double widths[] = { 0.3, 0.9, 0.6, 0.45, 0.5, 1.0, 1.2, 2.8, 0.9 };
  const PangoAlignment aligns[] = { PANGO_ALIGN_RIGHT, PANGO_ALIGN_LEFT, PANGO_ALIGN_LEFT, PANGO_ALIGN_RIGHT,
                                    PANGO_ALIGN_LEFT, PANGO_ALIGN_LEFT, PANGO_ALIGN_LEFT, PANGO_ALIGN_LEFT,
                                    PANGO_ALIGN_LEFT };
  const char *time_fmt = C_("stop time", "%m-%d %H:%M:%S");
  const char *date_fmt = C_("report date", "%Y-%m-%d");
  const char *clock_fmt = "%H:%M:%S";
  gboolean end_dates = FALSE;
  const char *open_text = _("open");
  const char *micro_text = _("micro-stop");
  gboolean any_clipped = FALSE, any_open = FALSE;
  Table t;

  heading (p, _("Stop list"), 40);
  if (r->stops->len == 0)
    {
      paragraph (p, F_BODY, _("No stops in this period."), FALSE, &BLACK);
      return;
    }
  {
    double min_w[9] = { 0 };
    gint64 longest = 0;
    g_autofree char *sample = _bw_report_format_time (r, g_array_index (r->stops, BwReportStop, 0).stop->start_us,
                                                      time_fmt);
    g_autofree char *sample_mark = g_strconcat (sample, " ²", NULL);
    g_autofree char *count = g_strdup_printf ("%u", r->stops->len);
    g_autofree char *dur = NULL;
    g_autofree char *dur_mark = NULL;
    g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

    for (guint i = 0; i < r->stops->len; i++)
      {
        const BwReportStop *s = &g_array_index (r->stops, BwReportStop, i);
        longest = MAX (longest, s->to_us - s->from_us);
        if (s->stop->end_us && !end_dates)
          {
            g_autofree char *d0 = _bw_report_format_time (r, s->stop->start_us, date_fmt);
            g_autofree char *d1 = _bw_report_format_time (r, s->stop->end_us, date_fmt);
            end_dates = !g_str_equal (d0, d1);
          }
        min_w[4] = MAX (min_w[4], longest_word (p, F_TABLE, s->stop->conveyor));
        min_w[5] = MAX (min_w[5], longest_word (p, F_TABLE, _bw_report_trigger_label (s->stop->trigger)));
        min_w[6] = MAX (min_w[6], longest_word (p, F_TABLE, _bw_report_cause_label (r, s->stop->cause)));
        if (s->stop->cause && s->stop->classified_by && !g_hash_table_contains (names, s->stop->classified_by))
          {
            g_hash_table_add (names, s->stop->classified_by);
            min_w[8] = MAX (min_w[8], MIN (text_width (p, F_TABLE, s->stop->classified_by), 80));
          }
      }
    dur = _bw_report_format_duration (longest);
    dur_mark = g_strconcat (dur, " *", NULL);
    min_w[0] = text_width (p, F_TABLE, count);
    min_w[1] = text_width (p, F_TABLE, sample_mark);
    min_w[2] = end_dates ? min_w[1] : text_width (p, F_TABLE, "00:00:00 ²");
    for (guint i = 0; i < r->stops->len; i++)
      if (g_array_index (r->stops, BwReportStop, i).open)
        {
          g_autofree char *open_mark = g_strconcat (open_text, " ²", NULL);
          min_w[2] = MAX (min_w[2], 1.1 * text_width (p, F_TABLE, open_mark));
          break;
        }
    min_w[3] = text_width (p, F_TABLE, dur_mark);
    for (guint i = 0; i < r->stops->len; i++)
      if (g_array_index (r->stops, BwReportStop, i).micro)
        {
          /* "micro-stop" under the duration, in a smaller size */
          min_w[3] = MAX (min_w[3], 0.86 * text_width (p, F_TABLE, micro_text));
          break;
        }
    /* italic runs a little wider */
    min_w[6] = MAX (min_w[6], 1.1 * text_width (p, F_TABLE, _("not classified")));
    min_w[7] = 50;
    table_init (p, &t, 9, titles, widths, aligns, min_w);
    table_fuse (&t, 4);
  }
  table_begin (p, &t);
  for (guint i = 0; i < r->stops->len && !p->cancelled; i++)
    {
      const BwReportStop *s = &g_array_index (r->stops, BwReportStop, i);
      BwStop *st = s->stop;
      g_autofree char *start = _bw_report_format_time (r, st->start_us, time_fmt);
      g_autofree char *end = NULL;
      g_autofree char *dur = _bw_report_format_duration (s->to_us - s->from_us);
      g_autofree char *cause_text = NULL;
      g_autofree char *dur_text = NULL;
      g_autofree char *start_text = NULL;
      g_autofree char *end_text = NULL;
      g_autofree char *who = NULL;
      g_autofree char *num = g_strdup_printf ("%u", i + 1);
      Cell cells[9];

      /* the end's date only when it is not the start's */
      if (st->end_us)
        {
          g_autofree char *d0 = _bw_report_format_time (r, st->start_us, date_fmt);
          g_autofree char *d1 = _bw_report_format_time (r, st->end_us, date_fmt);
          end = _bw_report_format_time (r, st->end_us, g_str_equal (d0, d1) ? clock_fmt : time_fmt);
        }
      start_text = s->clipped_start ? g_strconcat (start, " ¹", NULL) : g_strdup (start);
      if (s->open)
        end_text = g_markup_printf_escaped ("<span foreground=\"#b31414\"><i>%s</i></span>%s", open_text,
                                            s->clipped_end ? " ²" : "");
      else
        end_text = g_strconcat (end, s->clipped_end ? " ²" : "", NULL);
      any_clipped |= s->clipped_start || s->clipped_end;
      any_open |= s->open;

      if (s->micro)
        dur_text = g_markup_printf_escaped ("%s%s\n<span size=\"smaller\" foreground=\"#606060\">%s</span>", dur,
                                            s->open ? " *" : "", micro_text);
      else
        dur_text = g_strconcat (dur, s->open ? " *" : "", NULL);

      if (st->cause == NULL)
        {
          if (st->suggested_cause)
            {
              g_autofree char *prob = isfinite (st->suggested_probability) ?
                                      g_strdup_printf (" %s %%", fmt_number (f, st->suggested_probability * 100, 0)) :
                                      g_strdup ("");
              cause_text = g_markup_printf_escaped (
                "<span foreground=\"#b31414\"><i>%s</i></span>\n<span size=\"smaller\" foreground=\"#606060\">%s %s%s</span>",
                _("not classified"), _("suggested:"), _bw_report_cause_label (r, st->suggested_cause), prob);
            }
          else
            cause_text = g_markup_printf_escaped ("<span foreground=\"#b31414\"><i>%s</i></span>", _("not classified"));
        }
      else
        cause_text = g_markup_escape_text (_bw_report_cause_label (r, st->cause), -1);

      who = st->cause && st->classified_by ? g_strdup (st->classified_by) : g_strdup ("");

      cells[0] = cell (num, F_TABLE, PANGO_ALIGN_RIGHT);
      cells[1] = cell (start_text, F_TABLE, PANGO_ALIGN_LEFT);
      cells[2] = cell (end_text, F_TABLE, PANGO_ALIGN_LEFT);
      cells[2].markup = s->open;
      cells[3] = cell (dur_text, F_TABLE, PANGO_ALIGN_RIGHT);
      cells[3].markup = s->micro;
      cells[4] = cell (st->conveyor, F_TABLE, PANGO_ALIGN_LEFT);
      cells[5] = cell (_bw_report_trigger_label (st->trigger), F_TABLE, PANGO_ALIGN_LEFT);
      cells[6] = cell (cause_text, F_TABLE, PANGO_ALIGN_LEFT);
      cells[6].markup = TRUE;
      cells[7] = cell (st->comment ? st->comment : "", F_TABLE, PANGO_ALIGN_LEFT);
      cells[8] = cell (who, F_TABLE, PANGO_ALIGN_LEFT);
      cells[0].single = cells[1].single = cells[2].single = TRUE;
      cells[3].single = !s->micro;
      cells[4].repeats = cells[5].repeats = cells[6].repeats = cells[7].repeats = cells[8].repeats = TRUE;
      table_row (p, &t, cells, NULL);
    }
  table_end (p, &t);

  p->y += 3;
  {
    GString *legend = g_string_new (_("Duration: the part inside the period, h:mm:ss."));
    if (any_clipped)
      g_string_append_printf (legend, " ¹ %s ² %s", _("started before the period;"), _("continues after the period."));
    if (any_open)
      g_string_append_printf (legend, " * %s", _("open: counted up to the time the report was generated."));
    paragraph (p, F_TINY, legend->str, FALSE, &GREY_TEXT);
    g_string_free (legend, TRUE);
  }
}

/* ---- signatures ---- */

static void
signatures (Pdf *p)
{
  const char *roles[] = { _("Shift supervisor"), _("Dispatcher") };
  double w = p->x1 - p->x0;
  double role_w = w * 0.24, sign_w = w * 0.24, name_w = w * 0.30, date_w = w * 0.16;
  double lh = p->line_h[F_BODY];
  double block = 2 * (lh + 22) + 30;

  p->y += 22;
  ensure (p, block);
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      double x = p->x0;
      double line_y = p->y + lh + 2;

      text_at (p, F_BODY_BOLD, roles[i], FALSE, x, p->y, role_w - 6, PANGO_ALIGN_LEFT, &BLACK);
      x += role_w;
      if (p->drawing)
        {
          set_color (p, &BLACK);
          cairo_set_line_width (p->cr, 0.6);
          cairo_move_to (p->cr, x, line_y);
          cairo_line_to (p->cr, x + sign_w - 10, line_y);
          cairo_move_to (p->cr, x + sign_w, line_y);
          cairo_line_to (p->cr, x + sign_w + name_w - 10, line_y);
          cairo_move_to (p->cr, x + sign_w + name_w, line_y);
          cairo_line_to (p->cr, x + sign_w + name_w + date_w, line_y);
          cairo_stroke (p->cr);
        }
      text_at (p, F_TINY, _("signature"), FALSE, x, line_y + 1, sign_w - 10, PANGO_ALIGN_CENTER, &GREY_TEXT);
      text_at (p, F_TINY, _("full name"), FALSE, x + sign_w, line_y + 1, name_w - 10, PANGO_ALIGN_CENTER, &GREY_TEXT);
      text_at (p, F_TINY, _("date"), FALSE, x + sign_w + name_w, line_y + 1, date_w, PANGO_ALIGN_CENTER, &GREY_TEXT);
      p->y += lh + 24;
    }
}

/* ---- the document ---- */

static void
document (Pdf *p)
{
  Fmt f = { g_ptr_array_new_with_free_func (g_free), C_("decimal mark", ".") };

  p->page = 0;
  p->section = 0;
  p->height_pos = 0;
  if (check_cancelled (p))
    {
      g_ptr_array_unref (f.strings);
      return;
    }
  new_page (p);
  title_block (p, &f);
  summary (p, &f);
  if (!p->cancelled)
    by_cause (p, &f);
  if (!p->cancelled)
    metal_detector (p, &f);
  if (!p->cancelled)
    timeline (p, &f);
  g_ptr_array_set_size (f.strings, 0);
  if (!p->cancelled)
    stop_list (p, &f);
  if (!p->cancelled)
    signatures (p);
  g_ptr_array_unref (f.strings);
}

static cairo_status_t
write_cb (void                *closure,
          const unsigned char *data,
          unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static void
setup_fonts (Pdf *p)
{
  static const struct
  {
    double      size;
    PangoWeight weight;
    PangoStyle  style;
    gboolean    condensed;
  } specs[N_FONTS] = {
    [F_BODY] = { 9, PANGO_WEIGHT_NORMAL, PANGO_STYLE_NORMAL, FALSE },
    [F_BODY_BOLD] = { 9, PANGO_WEIGHT_BOLD, PANGO_STYLE_NORMAL, FALSE },
    [F_SMALL] = { 7.5, PANGO_WEIGHT_NORMAL, PANGO_STYLE_NORMAL, FALSE },
    [F_SMALL_ITALIC] = { 7.5, PANGO_WEIGHT_NORMAL, PANGO_STYLE_OBLIQUE, FALSE },
    [F_TABLE] = { 7.5, PANGO_WEIGHT_NORMAL, PANGO_STYLE_NORMAL, TRUE },
    [F_TABLE_BOLD] = { 7.5, PANGO_WEIGHT_BOLD, PANGO_STYLE_NORMAL, TRUE },
    [F_TABLE_HEADER] = { 7, PANGO_WEIGHT_BOLD, PANGO_STYLE_NORMAL, TRUE },
    [F_HEADING] = { 11, PANGO_WEIGHT_BOLD, PANGO_STYLE_NORMAL, FALSE },
    [F_TITLE] = { 15, PANGO_WEIGHT_BOLD, PANGO_STYLE_NORMAL, FALSE },
    [F_SUBTITLE] = { 11, PANGO_WEIGHT_NORMAL, PANGO_STYLE_NORMAL, FALSE },
    [F_TINY] = { 6.5, PANGO_WEIGHT_NORMAL, PANGO_STYLE_NORMAL, FALSE },
  };
  cairo_font_options_t *fo = cairo_font_options_create ();

  p->fontmap = pango_cairo_font_map_new ();
  p->pango = pango_font_map_create_context (p->fontmap);
  cairo_font_options_set_hint_metrics (fo, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (fo, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (p->pango, fo);
  pango_cairo_context_set_resolution (p->pango, 72);
  cairo_font_options_destroy (fo);
  p->layout = pango_layout_new (p->pango);
  pango_layout_set_wrap (p->layout, PANGO_WRAP_WORD_CHAR);

  for (int i = 0; i < N_FONTS; i++)
    {
      PangoFontDescription *d = pango_font_description_new ();

      pango_font_description_set_family_static (d, FAMILY);
      pango_font_description_set_size (d, (int) (specs[i].size * PANGO_SCALE));
      pango_font_description_set_weight (d, specs[i].weight);
      pango_font_description_set_style (d, specs[i].style);
      if (specs[i].condensed)
        pango_font_description_set_stretch (d, PANGO_STRETCH_SEMI_CONDENSED);
      p->fonts[i] = d;
      layout_set (p, i, "Ag", FALSE, -1, PANGO_ALIGN_LEFT);
      p->line_h[i] = layout_height (p);
    }
}

static void
pdf_clear (Pdf *p)
{
  for (int i = 0; i < N_FONTS; i++)
    if (p->fonts[i])
      pango_font_description_free (p->fonts[i]);
  g_clear_object (&p->layout);
  g_clear_object (&p->pango);
  g_clear_object (&p->fontmap);
  g_clear_pointer (&p->heights, g_array_unref);
  g_clear_pointer (&p->word_widths, g_hash_table_unref);
  g_clear_pointer (&p->heights_of, g_hash_table_unref);
  g_clear_pointer (&p->layouts, g_hash_table_unref);
  g_free (p->footer);
}

GBytes *
_bw_report_render_pdf (BwReport      *self,
                       GCancellable  *cancellable,
                       GError       **error)
{
  const BwCatalog *previous = _bw_report_push_catalog (self->catalog);
  GByteArray *out = g_byte_array_new ();
  g_autofree char *title = bw_report_dup_title (self);
  g_autofree char *created = NULL;
  cairo_status_t status;
  Pdf p = { 0 };
  char buf[BW_TIME_FORMAT_LEN];

  p.report = self;
  p.cancellable = cancellable;
  p.heights = g_array_new (FALSE, FALSE, sizeof (double));
  p.word_widths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  p.heights_of = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  p.layouts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  if (self->options->orientation == BW_REPORT_LANDSCAPE)
    p.page_w = A4_H, p.page_h = A4_W;
  else
    p.page_w = A4_W, p.page_h = A4_H;
  p.x0 = MARGIN_X;
  p.x1 = p.page_w - MARGIN_X;
  p.y_max = p.page_h - MARGIN_BOT;
  p.footer = self->options->plant ? g_strdup_printf ("%s — %s", self->options->plant, title) : g_strdup (title);
  setup_fonts (&p);

  /* first pass: measure */
  p.drawing = FALSE;
  document (&p);
  p.n_pages = p.page;

  /* second pass: draw */
  if (!p.cancelled)
    {
      p.drawing = TRUE;
      p.surface = cairo_pdf_surface_create_for_stream (write_cb, out, p.page_w, p.page_h);
      cairo_pdf_surface_set_metadata (p.surface, CAIRO_PDF_METADATA_TITLE, title);
      cairo_pdf_surface_set_metadata (p.surface, CAIRO_PDF_METADATA_CREATOR, "Beltwatch " PACKAGE_VERSION);
      if (self->options->prepared_by)
        cairo_pdf_surface_set_metadata (p.surface, CAIRO_PDF_METADATA_AUTHOR, self->options->prepared_by);
      /* ISO 8601 as cairo wants it, from the report's own clock (reproducible) */
      bw_time_format (self->now_us, buf);
      buf[19] = '\0';
      created = g_strconcat (buf, "Z", NULL);
      cairo_pdf_surface_set_metadata (p.surface, CAIRO_PDF_METADATA_CREATE_DATE, created);
      p.cr = cairo_create (p.surface);
      document (&p);
      cairo_show_page (p.cr);
      cairo_destroy (p.cr);
      cairo_surface_finish (p.surface);
      status = cairo_surface_status (p.surface);
      cairo_surface_destroy (p.surface);
      if (!p.cancelled && status != CAIRO_STATUS_SUCCESS)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_FAILED, "Cannot draw the report: %s", cairo_status_to_string (status));
          p.cancelled = FALSE;
          pdf_clear (&p);
          g_byte_array_unref (out);
          _bw_report_pop_catalog (previous);
          return NULL;
        }
    }
  pdf_clear (&p);
  _bw_report_pop_catalog (previous);

  if (p.cancelled)
    {
      g_byte_array_unref (out);
      g_cancellable_set_error_if_cancelled (cancellable, error);
      return NULL;
    }
  return g_byte_array_free_to_bytes (out);
}
