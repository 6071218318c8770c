/* bwd-anomaly.c: anomaly detectors running live, one per conveyor
 *
 * Each conveyor with a model ([conveyor ID] detector-model=FILE; the built-in
 * simulated line has models that ship) gets one row per 100 ms tick — its
 * tags' latest values — scored as it arrives. The decision must hold for the
 * model's hold time to raise an anomaly alarm (medium priority, below a
 * stopped belt) and clears with hysteresis, so it does not chatter. Rows are
 * not scored while the belt is stopped or in its first seconds after a start.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bwd-anomaly"

#include "config.h"

#include <math.h>
#include <string.h>

#include "bw-anomaly-model.h"
#include "bw-anomaly-state.h"
#include "bw-simulator.h"
#include "bw-tags.h"
#include "bw-time.h"
#include "bwd-service-private.h"

#define STARTUP_US   (10 * BW_USEC_PER_SEC)

typedef struct
{
  BwAnomalyModel *model;
  char           *name;       /* detector name in events */
  BwAnomalyState  state;
  guint           n_features;
  int            *features;   /* conveyor tag index → feature index, or -1 */
  guint           n_tags;
  double         *row;        /* the tick being gathered, sample-and-hold */
  gint64          row_t;      /* its time; 0 if none */
  gint64          period_us;  /* rows of a longer period are averages of ticks */
  double         *sum;
  double         *mean;
  guint           n_sum;
  gint64          bucket;     /* the period being averaged */
  gboolean        bucket_running;
  gboolean        have_running;
  gboolean        row_running;
  gint64          started_us; /* 0 while stopped */
} Detector;

struct _BwdAnomaly
{
  BwdService *service;        /* unowned */
  GHashTable *detectors;      /* conveyor id → Detector*, NULL value: none */
  guint64     rows;
  guint64     raised;
};

static void
detector_free (Detector *d)
{
  if (d == NULL)
    return;
  g_clear_object (&d->model);
  g_free (d->name);
  g_free (d->features);
  g_free (d->row);
  g_free (d->sum);
  g_free (d->mean);
  g_free (d);
}

static gboolean
is_builtin_line (BwdService *self)
{
  const BwConfig *c = self->config;

  return c->source == BW_SOURCE_SIMULATOR && c->sim_seed == 1 && g_str_equal (c->sim_first_id, "CV-101");
}

static BwAnomalyModel *
load_for (BwdService  *self,
          const char  *id,
          char       **name,
          GError     **error)
{
  const BwConveyorConfig *cc = bw_config_find_conveyor (self->config, id);
  BwAnomalyModel *model = NULL;

  if (cc && cc->detector_model && *cc->detector_model)
    {
      if (g_str_equal (cc->detector_model, "none"))
        return NULL;
      model = bw_anomaly_model_load (cc->detector_model, error);
      *name = g_path_get_basename (cc->detector_model);
    }
  else if (is_builtin_line (self))
    {
      g_autofree char *path = g_strdup_printf ("/io/github/beltwatch/daemon/anomaly-%s.json", id);
      g_autoptr(GBytes) bytes = g_resources_lookup_data (path, 0, NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (bytes == NULL)
        return NULL;
      if (!json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes), error))
        return NULL;
      model = bw_anomaly_model_from_json (json_parser_get_root (parser), error);
      *name = g_strdup ("built-in");
    }
  if (model)
    {
      char *full = g_strdup_printf ("%s %s", bw_anomaly_model_get_algorithm (model), *name);
      g_free (*name);
      *name = full;
    }
  return model;
}

static Detector *
detector_for (BwdAnomaly *a,
              BwConveyor *c)
{
  const char *id = bw_conveyor_get_id (c);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autoptr(BwAnomalyModel) model = NULL;
  const char * const *features;
  BwAlarmSpec spec;
  Detector *d;

  if (g_hash_table_lookup_extended (a->detectors, id, NULL, (gpointer *) &d))
    return d;

  model = load_for (a->service, id, &name, &error);
  if (model == NULL)
    {
      if (error)
        g_warning ("%s: no anomaly detection, the model did not load: %s", id, error->message);
      g_hash_table_insert (a->detectors, g_strdup (id), NULL);
      return NULL;
    }
  features = bw_anomaly_model_get_features (model);
  d = g_new0 (Detector, 1);
  d->n_features = bw_anomaly_model_get_n_features (model);
  d->n_tags = bw_conveyor_get_n_tags (c);
  d->features = g_new (int, d->n_tags);
  d->row = g_new (double, d->n_features);
  for (guint k = 0; k < d->n_tags; k++)
    d->features[k] = -1;
  for (guint j = 0; j < d->n_features; j++)
    {
      int tag = bw_conveyor_find_tag (c, features[j]);

      d->row[j] = NAN;
      if (tag >= 0)
        d->features[tag] = (int) j;
      else
        {
          g_warning ("%s: no anomaly detection, the model needs the tag “%s”", id, features[j]);
          detector_free (d);
          g_hash_table_insert (a->detectors, g_strdup (id), NULL);
          return NULL;
        }
    }
  d->period_us = bw_anomaly_model_get_period_us (model);
  d->sum = g_new0 (double, d->n_features);
  d->mean = g_new0 (double, d->n_features);
  d->bucket = G_MININT64;
  d->model = g_steal_pointer (&model);
  d->name = g_steal_pointer (&name);
  bw_anomaly_model_get_alarm (d->model, &spec);
  bw_anomaly_state_init (&d->state, (gint64) llround (spec.hold_s * 1e6), (gint64) llround (spec.release_s * 1e6),
                         spec.clear_ratio);
  g_message ("%s: anomaly detector %s on %u tags, threshold %.4g", id, d->name, d->n_features,
             bw_anomaly_model_get_threshold (d->model));
  g_hash_table_insert (a->detectors, g_strdup (id), d);
  return d;
}

static void score_period (BwdAnomaly *a, BwConveyor *c, Detector *d, const double *row, gint64 t,
                          gboolean running);

/* A tick is complete: score it, or add it to the period being averaged */
static void
score_row (BwdAnomaly *a,
           BwConveyor *c,
           Detector   *d)
{
  gboolean running = d->have_running ? d->row_running : bw_conveyor_get_open_stop (c) == NULL;
  gint64 bucket;

  if (d->period_us <= BW_SIM_TICK_US)
    {
      score_period (a, c, d, d->row, d->row_t, running);
      return;
    }
  bucket = d->row_t / d->period_us;
  if (bucket != d->bucket)
    {
      if (d->bucket != G_MININT64 && d->n_sum > 0)
        {
          for (guint j = 0; j < d->n_features; j++)
            d->mean[j] = d->sum[j] / d->n_sum;
          score_period (a, c, d, d->mean, d->bucket * d->period_us, d->bucket_running);
        }
      memset (d->sum, 0, d->n_features * sizeof (double));
      d->n_sum = 0;
      d->bucket = bucket;
      d->bucket_running = TRUE;
    }
  for (guint j = 0; j < d->n_features; j++)
    d->sum[j] += d->row[j];
  d->n_sum++;
  d->bucket_running &= running;
}

static void
score_period (BwdAnomaly   *a,
              BwConveyor   *c,
              Detector     *d,
              const double *row,
              gint64        t,
              gboolean      running)
{
  BwMonitor *m = a->service->monitor;
  BwAnomalyResult r;

  if (!running)
    {
      if (d->state.active)
        bw_monitor_raise_anomaly (m, c, d->name, t, d->state.peak_score, d->state.peak_threshold, FALSE);
      bw_anomaly_state_reset (&d->state);
      bw_anomaly_model_reset (d->model);
      d->started_us = 0;
      return;
    }
  if (d->started_us == 0)
    d->started_us = t;
  if (t - d->started_us < STARTUP_US)
    return;

  bw_anomaly_model_push (d->model, row, &r);
  a->rows++;
  if (isfinite (r.score))
    bw_monitor_add_live_score (m, c, d->name, t, r.score, r.threshold);
  switch (bw_anomaly_state_update (&d->state, t, bw_anomaly_result_alarm_score (&r), r.threshold))
    {
    case BW_ANOMALY_RAISED:
      a->raised++;
      bw_monitor_raise_anomaly (m, c, d->name, t, d->state.peak_score, d->state.peak_threshold, TRUE);
      break;
    case BW_ANOMALY_CLEARED:
      bw_monitor_raise_anomaly (m, c, d->name, t, r.score, r.threshold, FALSE);
      break;
    case BW_ANOMALY_NONE:
    default:
      break;
    }
}

static void
sample_cb (BwConveyor *c,
           guint       tag,
           gint64      t,
           double      v,
           gpointer    data)
{
  BwdAnomaly *a = data;
  Detector *d = detector_for (a, c);

  if (d == NULL)
    return;
  /* the samples of one tick share their time: a later time completes the
   * row; tags without a sample in a tick keep their last value */
  if (t > d->row_t)
    {
      if (d->row_t != 0)
        score_row (a, c, d);
      d->row_t = t;
    }
  if (tag == BW_TAG_RUNNING)
    {
      d->have_running = TRUE;
      d->row_running = v >= 0.5;
    }
  if (tag < d->n_tags && d->features[tag] >= 0)
    d->row[d->features[tag]] = v;
}

BwdAnomaly *
bwd_anomaly_new (BwdService *self)
{
  BwdAnomaly *a = g_new0 (BwdAnomaly, 1);

  a->service = self;
  a->detectors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) detector_free);
  bw_monitor_set_sample_hook (self->monitor, sample_cb, a, NULL);
  return a;
}

/* the models are loaded again, lazily, at the next sample */
void
bwd_anomaly_reload (BwdAnomaly *a)
{
  g_hash_table_remove_all (a->detectors);
}

void
bwd_anomaly_free (BwdAnomaly *a)
{
  if (a == NULL)
    return;
  if (a->service && a->service->monitor)
    bw_monitor_set_sample_hook (a->service->monitor, NULL, NULL, NULL);
  g_hash_table_unref (a->detectors);
  g_free (a);
}

void
bwd_anomaly_append_metrics (BwdAnomaly *a,
                            GString    *out)
{
  g_string_append (out, "# HELP beltwatch_anomaly_rows_total Rows scored by the anomaly detectors.\n"
                        "# TYPE beltwatch_anomaly_rows_total counter\n");
  g_string_append_printf (out, "beltwatch_anomaly_rows_total %" G_GUINT64_FORMAT "\n", a->rows);
  g_string_append (out, "# HELP beltwatch_anomalies_total Anomalies raised since the service started.\n"
                        "# TYPE beltwatch_anomalies_total counter\n");
  g_string_append_printf (out, "beltwatch_anomalies_total %" G_GUINT64_FORMAT "\n", a->raised);
}
