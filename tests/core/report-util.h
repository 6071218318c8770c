/* report-util.h: what the report tests share — poppler's tools, CSV
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void        rt_init                (void);
char       *rt_path                (const char  *name);
char       *rt_write               (GBytes      *bytes,
                                    const char  *name);
char       *rt_pdftotext           (const char  *pdf,
                                    int          page);
int         rt_pdf_pages           (const char  *pdf);
void        rt_pdf_page_size       (const char  *pdf,
                                    double      *width,
                                    double      *height);
void        rt_assert_pages_render (const char  *pdf);
GPtrArray  *rt_csv_parse           (GBytes      *bytes,
                                    char         sep);
int         rt_csv_find            (GPtrArray   *rows,
                                    guint        from,
                                    guint        column,
                                    const char  *value);
double      rt_number              (const char  *text);
guint       rt_count               (const char  *haystack,
                                    const char  *needle);
char       *rt_squash              (const char  *text);

G_END_DECLS
