/* bwd-classifier.c: the stop-cause suggestion at stop open
 *
 * The model is the one that ships with Beltwatch (trained on the simulated
 * line), a model file ([classifier] model=) or a run of an MLflow file store
 * ([classifier] tracking-dir= and run-id=). A changed model file, or SIGHUP,
 * loads the new model without a restart; a model that does not load leaves
 * the old one in place.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bwd-classifier"

#include "config.h"

#include <gio/gio.h>

#include "bw-classifier.h"
#include "bw-error.h"
#include "bw-mlflow.h"
#include "bw-time.h"
#include "bwd-service-private.h"

#define DEFAULT_MODEL "/io/github/beltwatch/daemon/stop-classifier.json"

struct _BwdClassifier
{
  BwdService   *service;   /* unowned */
  BwModelSlot  *slot;
  char         *name;      /* shown as suggested_model */
  GFileMonitor *monitor;
  guint         reload_id;
  guint64       predictions;
  guint64       failures;
  double        seconds_sum;
  double        seconds_max;
};

static BwClassifier *
load_model (BwdService  *self,
            char       **name,
            GError     **error)
{
  const BwConfig *c = self->config;
  BwClassifier *model;

  if (c->classifier_run_id && *c->classifier_run_id)
    {
      model = bw_mlflow_load_classifier (c->classifier_tracking_dir, c->classifier_run_id, error);
      *name = g_strdup_printf ("mlflow run %s", c->classifier_run_id);
    }
  else if (c->classifier_model && *c->classifier_model)
    {
      model = bw_classifier_load (c->classifier_model, error);
      *name = g_path_get_basename (c->classifier_model);
    }
  else
    {
      g_autoptr(GBytes) bytes = g_resources_lookup_data (DEFAULT_MODEL, 0, error);
      if (bytes == NULL)
        return NULL;
      model = bw_classifier_load_from_data (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), error);
      *name = g_strdup ("built-in");
    }
  if (model)
    {
      char *full = g_strdup_printf ("%s (%s)", *name, bw_classifier_get_created (model));
      g_free (*name);
      *name = full;
    }
  return model;
}

static void
classify_cb (BwStop              *stop,
             const BwWindow      *window,
             const BwStopContext *context,
             gpointer             data)
{
  BwdClassifier *k = data;
  g_autoptr(BwClassifier) model = bw_model_slot_get (k->slot);
  g_autoptr(GError) error = NULL;
  BwPrediction p;
  gint64 t0 = g_get_monotonic_time ();
  double s;

  if (model == NULL)
    return;
  if (!bw_classifier_predict (model, window, context, &p, &error))
    {
      k->failures++;
      g_warning ("no suggestion for the stop of %s: %s", stop->conveyor, error->message);
      return;
    }
  g_free (stop->suggested_cause);
  stop->suggested_cause = g_strdup (p.cause);
  stop->suggested_probability = p.probability;
  g_free (stop->suggested_model);
  stop->suggested_model = g_strdup (k->name);
  s = (g_get_monotonic_time () - t0) / 1e6;
  k->predictions++;
  k->seconds_sum += s;
  k->seconds_max = MAX (k->seconds_max, s);
}

/**
 * bwd_classifier_reload:
 *
 * Loads the configured model again; the old one stays if the new one fails.
 */
gboolean
bwd_classifier_reload (BwdClassifier  *k,
                       GError        **error)
{
  g_autofree char *name = NULL;
  g_autoptr(BwClassifier) model = load_model (k->service, &name, error);

  if (model == NULL)
    {
      g_prefix_error (error, "The stop-cause model was not loaded, the previous one stays: ");
      return FALSE;
    }
  bw_model_slot_set (k->slot, model);
  g_free (k->name);
  k->name = g_steal_pointer (&name);
  g_message ("stop-cause model: %s, %u causes, %u features", k->name,
             bw_classifier_get_n_classes (model), bw_classifier_get_n_features (model));
  return TRUE;
}

static gboolean
reload_timeout_cb (gpointer data)
{
  BwdClassifier *k = data;
  g_autoptr(GError) error = NULL;

  k->reload_id = 0;
  if (!bwd_classifier_reload (k, &error))
    g_warning ("%s", error->message);
  return G_SOURCE_REMOVE;
}

static void
model_changed_cb (GFileMonitor      *monitor,
                  GFile             *file,
                  GFile             *other,
                  GFileMonitorEvent  event,
                  BwdClassifier     *k)
{
  if (event != G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT && event != G_FILE_MONITOR_EVENT_CREATED &&
      event != G_FILE_MONITOR_EVENT_RENAMED && event != G_FILE_MONITOR_EVENT_MOVED_IN)
    return;
  /* a file being written comes in several events: settle first */
  g_clear_handle_id (&k->reload_id, g_source_remove);
  k->reload_id = g_timeout_add (500, reload_timeout_cb, k);
}

BwdClassifier *
bwd_classifier_new (BwdService  *self,
                    GError     **error)
{
  BwdClassifier *k = g_new0 (BwdClassifier, 1);

  k->service = self;
  k->slot = bw_model_slot_new ();
  if (!bwd_classifier_reload (k, error))
    {
      bwd_classifier_free (k);
      return NULL;
    }
  if (self->config->classifier_model && *self->config->classifier_model &&
      !(self->config->classifier_run_id && *self->config->classifier_run_id))
    {
      g_autoptr(GFile) file = g_file_new_for_path (self->config->classifier_model);
      k->monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
      if (k->monitor)
        g_signal_connect (k->monitor, "changed", G_CALLBACK (model_changed_cb), k);
    }
  bw_monitor_set_classifier (self->monitor, classify_cb, k, NULL);
  return k;
}

void
bwd_classifier_free (BwdClassifier *k)
{
  if (k == NULL)
    return;
  if (k->service && k->service->monitor)
    bw_monitor_set_classifier (k->service->monitor, NULL, NULL, NULL);
  g_clear_handle_id (&k->reload_id, g_source_remove);
  if (k->monitor)
    {
      g_signal_handlers_disconnect_by_data (k->monitor, k);
      g_file_monitor_cancel (k->monitor);
      g_clear_object (&k->monitor);
    }
  g_clear_pointer (&k->slot, bw_model_slot_free);
  g_free (k->name);
  g_free (k);
}

void
bwd_classifier_append_metrics (BwdClassifier *k,
                               GString       *out)
{
  g_string_append (out, "# HELP beltwatch_classifier_seconds Time to suggest a stop's cause.\n"
                        "# TYPE beltwatch_classifier_seconds summary\n");
  g_string_append_printf (out, "beltwatch_classifier_seconds_sum %.6f\n", k->seconds_sum);
  g_string_append_printf (out, "beltwatch_classifier_seconds_count %" G_GUINT64_FORMAT "\n", k->predictions);
  g_string_append (out, "# HELP beltwatch_classifier_seconds_max Slowest suggestion since start.\n"
                        "# TYPE beltwatch_classifier_seconds_max gauge\n");
  g_string_append_printf (out, "beltwatch_classifier_seconds_max %.6f\n", k->seconds_max);
  g_string_append (out, "# HELP beltwatch_classifier_failures_total Stops left without a suggestion.\n"
                        "# TYPE beltwatch_classifier_failures_total counter\n");
  g_string_append_printf (out, "beltwatch_classifier_failures_total %" G_GUINT64_FORMAT "\n", k->failures);
}

const char *
bwd_classifier_get_name (BwdClassifier *k)
{
  return k->name;
}
