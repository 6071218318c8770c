/* bw-local-server.c: a beltwatchd of the app's own, when no server is set
 *
 * With no server URL in the settings the app runs a beltwatchd on its
 * embedded defaults (the simulated line, an SQLite ledger in the user's data
 * directory), so a first run on one machine shows a working line. The binary
 * is $BELTWATCHD, else the one beside the app (the build tree's
 * ../daemon/beltwatchd, or the same directory when installed), else the
 * installed one. A service already answering on the default port (a
 * beltwatchd the plant runs, or another copy of the app's) is used as it is
 * and left running on quit; the one the app started is stopped on quit, and
 * dies with the app if the app crashes.
 *
 * When the user points the app at a server, the service it started is asked
 * to stop without the app waiting for it (bw_local_server_request_stop()); a
 * start asked for meanwhile waits until it has gone, so that it does not take
 * the dying service (or its port) for one that answers.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-local-server"

#include "config.h"

#include <signal.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <libsoup/soup.h>

#include "bw-local-server.h"

#define START_TIMEOUT_US (20 * G_USEC_PER_SEC)
#define POLL_MS          100
#define STOP_TIMEOUT_US  (5 * G_USEC_PER_SEC)

struct _BwLocalServer
{
  GObject      parent_instance;

  GSubprocess *process;     /* owned: the beltwatchd we started, or NULL */
  gboolean     exited;      /* it has exited */
  char        *process_url; /* where it listens */
  GSubprocess *dying;       /* owned: the one asked to stop, until it has */
  guint        kill_id;     /* SIGKILL for it when it takes too long */
  GQueue       waiting;     /* owned GTasks: starts waiting for it to go */
  SoupSession *session;
  char        *url;
  guint16      port;
  gboolean     own;
};

G_DEFINE_FINAL_TYPE (BwLocalServer, bw_local_server, G_TYPE_OBJECT)

/**
 * bw_local_server_find_binary:
 *
 * Returns: (transfer full) (nullable): the beltwatchd to run
 */
char *
bw_local_server_find_binary (void)
{
  const char *env = g_getenv ("BELTWATCHD");
  g_autofree char *self_exe = NULL;
  g_autofree char *found = NULL;

  if (env && env[0])
    return g_strdup (env);

  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  if (self_exe)
    {
      g_autofree char *dir = g_path_get_dirname (self_exe);
      const char *candidates[] = { "beltwatchd", "../daemon/beltwatchd" };

      for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
        {
          g_autofree char *p = g_build_filename (dir, candidates[i], NULL);
          g_autofree char *canon = g_canonicalize_filename (p, NULL);

          if (g_file_test (canon, G_FILE_TEST_IS_EXECUTABLE) && !g_file_test (canon, G_FILE_TEST_IS_DIR))
            return g_steal_pointer (&canon);
        }
    }
  {
    g_autofree char *installed = g_build_filename (BINDIR, "beltwatchd", NULL);
    if (g_file_test (installed, G_FILE_TEST_IS_EXECUTABLE))
      return g_steal_pointer (&installed);
  }
  found = g_find_program_in_path ("beltwatchd");
  return g_steal_pointer (&found);
}

char *
bw_local_server_get_ledger_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "beltwatch", "ledger.sqlite", NULL);
}

char *
bw_local_server_get_log_path (void)
{
  return g_build_filename (g_get_user_cache_dir (), "beltwatch", "beltwatchd.log", NULL);
}

static gboolean
port_is_free (guint16 port)
{
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, port);
  gboolean ok;

  if (sock == NULL)
    return FALSE;
  ok = g_socket_bind (sock, addr, TRUE, NULL);
  g_socket_close (sock, NULL);
  return ok;
}

static guint16
free_port (void)
{
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  guint16 port = 0;

  if (sock && g_socket_bind (sock, addr, TRUE, NULL) && (bound = g_socket_get_local_address (sock, NULL)))
    port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  if (sock)
    g_socket_close (sock, NULL);
  return port;
}

#ifdef __linux__
static void
child_setup (gpointer data)
{
  /* the service dies with the app that started it */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}
#endif

/* ---- start ---- */

typedef struct
{
  gint64  deadline;
  guint   poll_id;
  char   *url;
  gboolean probing_existing;
} StartData;

static void
start_data_free (StartData *d)
{
  g_clear_handle_id (&d->poll_id, g_source_remove);
  g_free (d->url);
  g_free (d);
}

static void poll_health (GTask *task);

static void
exited_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  BwLocalServer *self = user_data;

  GTask *task;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  if (self->process == G_SUBPROCESS (source))
    {
      self->exited = TRUE;
      g_message ("the local service exited (status %d)", g_subprocess_get_status (G_SUBPROCESS (source)));
    }
  else if (self->dying == G_SUBPROCESS (source))
    {
      g_message ("the local service stopped (status %d)", g_subprocess_get_status (G_SUBPROCESS (source)));
      g_clear_handle_id (&self->kill_id, g_source_remove);
      g_clear_object (&self->dying);
      while ((task = g_queue_pop_head (&self->waiting)))
        {
          poll_health (task);
          g_object_unref (task);
        }
    }
  g_object_unref (self);
}
static void spawn (GTask *task, guint16 port);

static gboolean
poll_again_cb (gpointer data)
{
  GTask *task = data;
  StartData *d = g_task_get_task_data (task);

  d->poll_id = 0;
  poll_health (task);
  return G_SOURCE_REMOVE;
}

static void
health_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BwLocalServer *self = g_task_get_source_object (task);
  StartData *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  guint status = msg ? soup_message_get_status (msg) : 0;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (body && (status == 200 || status == 503))
    {
      gsize len;
      const char *text = g_bytes_get_data (body, &len);

      if (len && g_strstr_len (text, len, "\"last_seq\""))
        {
          if (d->probing_existing)
            {
              g_message ("a Beltwatch service already answers on %s: using it", d->url);
              self->own = FALSE;
            }
          else
            g_message ("local service ready on %s", d->url);
          g_free (self->url);
          self->url = g_strdup (d->url);
          g_task_return_pointer (task, g_strdup (d->url), g_free);
          return;
        }
    }

  if (d->probing_existing)
    {
      /* nothing of ours there: start one, on the default port if it is free */
      d->probing_existing = FALSE;
      spawn (task, port_is_free (self->port) ? self->port : free_port ());
      return;
    }
  if (self->process == NULL || self->exited)
    {
      g_autofree char *log = bw_local_server_get_log_path ();
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               "The local service exited at start (see %s)", log);
      g_clear_object (&self->process);
      return;
    }
  if (g_get_monotonic_time () > d->deadline)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                               "The local service did not answer within %d s",
                               (int) (START_TIMEOUT_US / G_USEC_PER_SEC));
      return;
    }
  d->poll_id = g_timeout_add_full (G_PRIORITY_DEFAULT, POLL_MS, poll_again_cb,
                                   g_object_ref (task), g_object_unref);
}

static void
poll_health (GTask *task)
{
  BwLocalServer *self = g_task_get_source_object (task);
  StartData *d = g_task_get_task_data (task);
  g_autofree char *url = g_strconcat (d->url, "/api/v1/health", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);

  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), health_cb, g_object_ref (task));
}

static void
spawn (GTask   *task,
       guint16  port)
{
  BwLocalServer *self = g_task_get_source_object (task);
  StartData *d = g_task_get_task_data (task);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *binary = bw_local_server_find_binary ();
  g_autofree char *ledger = bw_local_server_get_ledger_path ();
  g_autofree char *log = bw_local_server_get_log_path ();
  g_autofree char *ledger_dir = g_path_get_dirname (ledger);
  g_autofree char *log_dir = g_path_get_dirname (log);
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", port);

  if (binary == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               "beltwatchd is not installed (set BELTWATCHD to its path)");
      return;
    }
  if (port == 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "No free port for the local service");
      return;
    }
  g_mkdir_with_parents (ledger_dir, 0700);
  g_mkdir_with_parents (log_dir, 0700);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDERR_MERGE);
#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
#endif
  g_message ("starting %s on %s, ledger %s", binary, listen, ledger);
  self->process = g_subprocess_launcher_spawn (launcher, &error, binary, "--listen", listen,
                                               "--db", ledger, NULL);
  if (self->process == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  self->own = TRUE;
  self->exited = FALSE;
  g_subprocess_wait_async (self->process, NULL, exited_cb, g_object_ref (self));
  g_free (self->process_url);
  self->process_url = g_strdup_printf ("http://%s", listen);
  g_free (d->url);
  d->url = g_strdup (self->process_url);
  d->deadline = g_get_monotonic_time () + START_TIMEOUT_US;
  poll_health (task);
}

/**
 * bw_local_server_start_async:
 *
 * Finds or starts the local service; finishes with its URL once it answers.
 */
void
bw_local_server_start_async (BwLocalServer       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  StartData *d;

  g_return_if_fail (BW_IS_LOCAL_SERVER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bw_local_server_start_async);
  if (self->url && (self->process == NULL || !self->own || !self->exited))
    {
      g_task_return_pointer (task, g_strdup (self->url), g_free);
      return;
    }
  d = g_new0 (StartData, 1);
  if (self->process && !self->exited)
    {
      /* ours, still starting (an earlier start was cancelled): wait for it
       * rather than take it for somebody else's */
      d->url = g_strdup (self->process_url);
      d->deadline = g_get_monotonic_time () + START_TIMEOUT_US;
    }
  else
    {
      d->probing_existing = TRUE;
      d->url = g_strdup_printf ("http://127.0.0.1:%u", self->port);
    }
  g_task_set_task_data (task, d, (GDestroyNotify) start_data_free);
  if (self->dying)
    g_queue_push_tail (&self->waiting, g_steal_pointer (&task));
  else
    poll_health (task);
}

/**
 * bw_local_server_start_finish:
 *
 * Returns: (transfer full): the service's URL
 */
char *
bw_local_server_start_finish (BwLocalServer  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
bw_local_server_is_running (BwLocalServer *self)
{
  g_return_val_if_fail (BW_IS_LOCAL_SERVER (self), FALSE);
  return self->process != NULL && !self->exited;
}

/**
 * bw_local_server_is_own:
 *
 * Returns: whether the app started the service (and stops it on quit)
 */
gboolean
bw_local_server_is_own (BwLocalServer *self)
{
  g_return_val_if_fail (BW_IS_LOCAL_SERVER (self), FALSE);
  return self->own && self->process != NULL;
}

static gboolean
kill_cb (gpointer data)
{
  BwLocalServer *self = data;

  self->kill_id = 0;
  g_warning ("The local service did not stop in time: killing it");
  g_subprocess_force_exit (self->dying);
  return G_SOURCE_REMOVE;
}

/**
 * bw_local_server_request_stop:
 *
 * Asks the service the app started to stop (SIGTERM, so that it finishes its
 * ledger writes; SIGKILL if it has not exited after 5 s) and returns at once.
 * A start asked for before it has gone waits for it.
 */
void
bw_local_server_request_stop (BwLocalServer *self)
{
  g_return_if_fail (BW_IS_LOCAL_SERVER (self));

  if (self->process == NULL || !self->own)
    return;
  if (!self->exited)
    {
      /* a start waits for the one dying, so there is never a second */
      g_return_if_fail (self->dying == NULL);
      g_message ("stopping the local service");
      self->dying = g_steal_pointer (&self->process);
      g_subprocess_send_signal (self->dying, SIGTERM);
      self->kill_id = g_timeout_add_seconds (STOP_TIMEOUT_US / G_USEC_PER_SEC, kill_cb, self);
    }
  g_clear_object (&self->process);
  g_clear_pointer (&self->url, g_free);
}

/**
 * bw_local_server_stop:
 *
 * Stops the service the app started and waits until it has exited: for
 * quitting, where nothing else is left to do meanwhile.
 */
void
bw_local_server_stop (BwLocalServer *self)
{
  g_return_if_fail (BW_IS_LOCAL_SERVER (self));

  bw_local_server_request_stop (self);
  while (self->dying)
    g_main_context_iteration (NULL, TRUE);
}

/**
 * bw_local_server_set_port:
 *
 * Where to look for a running service first, and to start one if the port is
 * free (by default 8470, the service's own default); for the next start.
 */
void
bw_local_server_set_port (BwLocalServer *self,
                          guint16        port)
{
  g_return_if_fail (BW_IS_LOCAL_SERVER (self));
  self->port = port ? port : BW_DEFAULT_PORT;
}

/**
 * bw_local_server_get_identifier:
 *
 * Returns: (nullable): the process ID of the service the app started, as
 *   a string, while it runs
 */
const char *
bw_local_server_get_identifier (BwLocalServer *self)
{
  g_return_val_if_fail (BW_IS_LOCAL_SERVER (self), NULL);
  return self->process && !self->exited ? g_subprocess_get_identifier (self->process) : NULL;
}

static void
bw_local_server_finalize (GObject *object)
{
  BwLocalServer *self = BW_LOCAL_SERVER (object);

  bw_local_server_stop (self);
  g_queue_clear_full (&self->waiting, g_object_unref);
  g_clear_object (&self->session);
  g_free (self->process_url);
  g_free (self->url);
  G_OBJECT_CLASS (bw_local_server_parent_class)->finalize (object);
}

static void
bw_local_server_class_init (BwLocalServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bw_local_server_finalize;
}

static void
bw_local_server_init (BwLocalServer *self)
{
  self->session = soup_session_new_with_options ("timeout", 2, NULL);
  self->port = BW_DEFAULT_PORT;
  g_queue_init (&self->waiting);
}

BwLocalServer *
bw_local_server_new (void)
{
  return g_object_new (BW_TYPE_LOCAL_SERVER, NULL);
}
