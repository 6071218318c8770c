/* test-reports.c: GET /api/v1/reports/downtime with a real client
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "bw-ledger.h"
#include "bw-test-client.h"
#include "bw-time.h"
#include "bwd-service.h"

typedef struct
{
  char       *dir;
  char       *db;
  char       *ini;
  BwdService *service;
  char       *base;
} Fixture;

/* 27.11.2026, Moscow */
static gint64
msk (int day,
     int hour,
     int minute)
{
  return bw_time_from_civil (2026, 11, day, hour - 3, minute, 0);
}

static void
fill_ledger (Fixture *f,
             guint    n_stops)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BwLedger) ledger = bw_ledger_open_sqlite (f->db, &error);

  g_assert_no_error (error);
  g_assert_true (bw_ledger_begin (ledger, &error));
  g_assert_true (bw_ledger_ensure_conveyor (ledger, "CV-1", "CV-1", msk (1, 0, 0), &error));
  g_assert_true (bw_ledger_ensure_conveyor (ledger, "CV-2", "CV-2", msk (1, 0, 0), &error));
  for (guint i = 0; i < n_stops; i++)
    {
      /* stops of 4 minutes every 10, from 08:00 */
      g_autoptr(BwStop) s = bw_stop_new (i % 2 ? "CV-2" : "CV-1", msk (27, 8, 0) + i * 10 * BW_USEC_PER_MIN, "md_trip");

      s->end_us = s->start_us + 4 * BW_USEC_PER_MIN;
      if (i % 3)
        bw_stop_set_classification (s, "md_false_trip", "Помеха от сварки", "Иванов", s->end_us);
      g_assert_true (bw_ledger_insert_stop (ledger, s, NULL, &error));
    }
  g_assert_true (bw_ledger_commit (ledger, &error));
  g_assert_no_error (error);
}

static void
start_service (Fixture    *f,
               const char *extra)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("[server]\nlisten=127.0.0.1:0\n[storage]\npath=%s\n[source]\ntype=none\n"
                                           "[reports]\nplant=ГОК «Северный»\nsection=Участок дробления\n"
                                           "timezone=Europe/Moscow\nshifts=08:00-20:00 Дневная; 20:00-08:00 Ночная\n%s",
                                           f->db, extra ? extra : "");
  BwConfig *config;

  /* [reports] is read from the file, as beltwatchd --config does */
  g_assert_true (g_file_set_contents (f->ini, text, -1, NULL));
  config = bw_config_new_from_file (f->ini, &error);
  g_assert_no_error (error);
  f->service = bwd_service_new (config, &error);
  g_assert_no_error (error);
  g_assert_true (bwd_service_start (f->service, FALSE, &error));
  g_assert_no_error (error);
  f->base = bwd_service_get_url (f->service);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *po = g_build_filename (g_getenv ("BW_BUILD_ROOT"), "po", NULL);

  g_setenv ("BW_LOCALEDIR", po, TRUE);
  f->dir = g_dir_make_tmp ("bw-reports-XXXXXX", NULL);
  f->db = g_build_filename (f->dir, "ledger.sqlite", NULL);
  f->ini = g_build_filename (f->dir, "beltwatchd.ini", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) d = NULL;
  const char *name;

  if (f->service)
    {
      bwd_service_shutdown (f->service);
      g_clear_object (&f->service);
    }
  d = g_dir_open (f->dir, 0, NULL);
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (f->dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->db);
  g_free (f->ini);
  g_free (f->base);
}

typedef struct
{
  SoupMessage *msg;
  GBytes      *body;
  GError      *error;
  gboolean     done;
  guint        order;
} Fetch;

static guint completed;

static void
fetched_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Fetch *f = data;

  f->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &f->error);
  f->done = TRUE;
  f->order = ++completed;
}

static void
fetch_start (BwTestClient *c,
             Fixture      *fx,
             const char   *method,
             const char   *path,
             const char   *accept_language,
             Fetch        *f)
{
  g_autofree char *url = g_strconcat (fx->base, path, NULL);

  memset (f, 0, sizeof *f);
  f->msg = soup_message_new (method, url);
  g_assert_nonnull (f->msg);
  if (accept_language)
    soup_message_headers_replace (soup_message_get_request_headers (f->msg), "Accept-Language", accept_language);
  soup_session_send_and_read_async (c->session, f->msg, G_PRIORITY_DEFAULT, NULL, fetched_cb, f);
}

static void
fetch_wait (Fetch *f)
{
  while (!f->done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (f->error);
}

static void
fetch_clear (Fetch *f)
{
  g_clear_object (&f->msg);
  g_clear_pointer (&f->body, g_bytes_unref);
}

static GBytes *
fetch (BwTestClient *c,
       Fixture      *fx,
       const char   *path,
       const char   *accept_language,
       guint         expect,
       const char  **content_type,
       char        **disposition)
{
  Fetch f;
  GBytes *body;

  fetch_start (c, fx, "GET", path, accept_language, &f);
  fetch_wait (&f);
  if (soup_message_get_status (f.msg) != expect)
    g_error ("GET %s: %u, expected %u: %.*s", path, soup_message_get_status (f.msg), expect,
             (int) g_bytes_get_size (f.body), (const char *) g_bytes_get_data (f.body, NULL));
  if (content_type)
    {
      static char type[128];
      g_strlcpy (type, soup_message_headers_get_one (soup_message_get_response_headers (f.msg), "Content-Type"),
                 sizeof type);
      *content_type = type;
    }
  if (disposition)
    *disposition = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (f.msg),
                                                           "Content-Disposition"));
  body = g_bytes_ref (f.body);
  fetch_clear (&f);
  return body;
}

static char *
pdf_text (Fixture *fx,
          GBytes  *pdf)
{
  g_autofree char *path = g_build_filename (fx->dir, "report.pdf", NULL);
  const char *argv[] = { "pdftotext", "-layout", "-enc", "UTF-8", path, "-", NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status;

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (pdf, NULL), (gssize) g_bytes_get_size (pdf), NULL));
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_unlink (path);
  return out;
}

static void
test_formats (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(BwTestClient) c = bw_test_client_new ();
  g_autoptr(GBytes) json = NULL, pdf = NULL, csv = NULL, en = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *disposition = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text_en = NULL;
  const char *type;
  JsonObject *root, *total;

  fill_ledger (f, 12);
  start_service (f, NULL);

  /* the day shift of 27.11: 12 stops of 4 minutes, 4 unclassified */
  json = fetch (c, f, "/api/v1/reports/downtime?type=shift&shift=1&date=2026-11-27&format=json"
                      "&now=2026-11-27T21:00:00%2B03:00", NULL, 200, &type, NULL);
  g_assert_cmpstr (type, ==, "application/json; charset=utf-8");
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (json, NULL), (gssize) g_bytes_get_size (json), NULL));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "type"), ==, "shift");
  g_assert_cmpstr (json_object_get_string_member (root, "shift"), ==, "Дневная");
  g_assert_cmpstr (json_object_get_string_member (root, "plant"), ==, "ГОК «Северный»");
  g_assert_cmpstr (json_object_get_string_member (root, "from"), ==, "2026-11-27T05:00:00.000Z");
  g_assert_cmpstr (json_object_get_string_member (root, "timezone"), ==, "Europe/Moscow");
  total = json_object_get_object_member (root, "total");
  g_assert_cmpint (json_object_get_int_member (total, "stops"), ==, 12);
  g_assert_cmpint (json_object_get_int_member (total, "unclassified_stops"), ==, 4);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (total, "downtime_s"), 12 * 240, 1e-6);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (root, "stops")), ==, 12);

  /* the PDF, in the language of the client's Accept-Language */
  {
    g_autofree char *name = g_uri_escape_string ("Дневная", NULL, FALSE);
    g_autofree char *path = g_strdup_printf ("/api/v1/reports/downtime?type=shift&shift=%s&date=2026-11-27"
                                             "&now=2026-11-27T21:00:00Z", name);
    pdf = fetch (c, f, path, "ru-RU,ru;q=0.9,en;q=0.5", 200, &type, &disposition);
  }
  g_assert_cmpstr (type, ==, "application/pdf");
  g_assert_cmpstr (disposition, ==, "attachment; filename=\"downtime-shift-2026-11-27-0800.pdf\"");
  g_assert_true (memcmp (g_bytes_get_data (pdf, NULL), "%PDF-", 5) == 0);
  text = pdf_text (f, pdf);
  g_assert_nonnull (strstr (text, "ОТЧЁТ О ПРОСТОЯХ ЗА СМЕНУ"));
  g_assert_nonnull (strstr (text, "Участок дробления"));
  g_assert_nonnull (strstr (text, "Дневная, 27.11.2026"));
  g_assert_nonnull (strstr (text, "Помеха от сварки"));

  /* ?lang= wins over the header */
  en = fetch (c, f, "/api/v1/reports/downtime?type=shift&shift=1&date=2026-11-27&lang=en&now=2026-11-27T21:00:00Z",
              "ru", 200, NULL, NULL);
  text_en = pdf_text (f, en);
  g_assert_nonnull (strstr (text_en, "SHIFT DOWNTIME REPORT"));

  /* CSV with a comma */
  csv = fetch (c, f, "/api/v1/reports/downtime?from=2026-11-27T08:00:00%2B03:00&to=2026-11-27T20:00:00%2B03:00"
                     "&format=csv&separator=comma&lang=ru", NULL, 200, &type, NULL);
  g_assert_cmpstr (type, ==, "text/csv; charset=utf-8");
  g_assert_true (g_str_has_prefix (g_bytes_get_data (csv, NULL), "\xEF\xBB\xBF№,Конвейер,Начало"));
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(BwTestClient) c = bw_test_client_new ();
  const char *bad[] = {
    "/api/v1/reports/downtime?format=docx",
    "/api/v1/reports/downtime?from=yesterday",
    "/api/v1/reports/downtime?shift=%D0%92%D0%B5%D1%87%D0%B5%D1%80",
    "/api/v1/reports/downtime?colour=red",
    "/api/v1/reports/downtime?from=2026-11-27T10:00:00Z&to=2026-11-27T09:00:00Z",
  };
  Fetch post;

  fill_ledger (f, 2);
  start_service (f, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GBytes) body = fetch (c, f, bad[i], NULL, 400, NULL, NULL);
      g_assert_nonnull (strstr (g_bytes_get_data (body, NULL), "\"invalid\""));
    }
  g_bytes_unref (fetch (c, f, "/api/v1/reports/other", NULL, 404, NULL, NULL));

  fetch_start (c, f, "POST", "/api/v1/reports/downtime", NULL, &post);
  fetch_wait (&post);
  g_assert_cmpuint (soup_message_get_status (post.msg), ==, 405);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (post.msg), "Allow"), ==, "GET");
  fetch_clear (&post);
}

/* A big report is drawn in a worker thread: the service answers other
 * requests meanwhile. */
static void
test_main_loop_free (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(BwTestClient) c = bw_test_client_new ();
  Fetch report, health;

  fill_ledger (f, 2000);
  start_service (f, NULL);
  completed = 0;
  fetch_start (c, f, "GET", "/api/v1/reports/downtime?from=2026-11-27T00:00:00Z&to=2026-12-27T00:00:00Z&lang=ru"
               "&now=2026-12-28T00:00:00Z", NULL, &report);
  /* let the report's request reach the service first */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  fetch_start (c, f, "GET", "/api/v1/health", NULL, &health);
  fetch_wait (&health);
  fetch_wait (&report);
  g_assert_cmpuint (soup_message_get_status (report.msg), ==, 200);
  g_assert_cmpuint (soup_message_get_status (health.msg), ==, 200);
  g_assert_cmpuint (health.order, <, report.order);
  g_assert_cmpuint (g_bytes_get_size (report.body), >, 100000);
  fetch_clear (&report);
  fetch_clear (&health);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add ("/reports/formats", Fixture, NULL, fixture_setup, test_formats, fixture_teardown);
  g_test_add ("/reports/errors", Fixture, NULL, fixture_setup, test_errors, fixture_teardown);
  g_test_add ("/reports/main-loop-free", Fixture, NULL, fixture_setup, test_main_loop_free, fixture_teardown);
  return g_test_run ();
}
