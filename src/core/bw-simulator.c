/* bw-simulator.c
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-simulator"

#include "config.h"

#include <math.h>
#include <string.h>

#include "bw-simulator.h"
#include "bw-time.h"
#include "bw-wire.h"

#define DT (BW_SIM_TICK_US / 1e6)
#define RAMP_S 6.0
#define MIN_GAP_S 30.0

typedef enum
{
  PH_RUNNING,
  PH_PRECURSOR,   /* the scenario's precursor: current rising, feed stopping, … */
  PH_TRIPPED,     /* interlock set, the contactor about to open */
  PH_STOPPED,
  PH_STARTING,
} Phase;

typedef struct
{
  char       *id;
  GRand      *rng;
  /* the belt */
  double      v_nom, feed_nom, i0, k_i, vib0, md_b0, md_k;
  /* slow processes */
  double      feed_dev;     /* relative OU deviation of the ore feed */
  double      mag;          /* magnetic ore fraction 0..1 */
  double      load_true;    /* t/h on the belt, lagging the feed */
  double      setpoint;     /* the operators' feed rate, × nominal */
  double      setpoint_target;
  gint64      setpoint_at_us;
  GRand      *setpoint_rng; /* its own stream: the scenarios stay as they were */
  double      current_lp;   /* current, low-passed */
  /* scenario */
  Phase       phase;
  BwScenario  scenario;
  BwScenario  forced;       /* BW_N_SCENARIOS if none */
  gint64      next_event_us;
  gint64      t0_us;        /* precursor start */
  double      precursor_s;
  double      p;            /* precursor progress 0..1 */
  double      amp;          /* spike/pulse amplitude */
  double      width_s;      /* pulse sigma */
  gint64      pulse_us;     /* pulse centre */
  gboolean    double_spike;
  double      stop_after_s; /* process/planned: operator stops after this */
  double      feed_factor;
  gint64      open_at_us;
  gint64      restart_at_us;
  gint64      secondary_at_us;
  gint64      phase_us;
  double      v_at_open;
  /* outputs */
  gboolean    il[BW_N_STANDARD_TAGS];  /* interlock relays by tag */
  gboolean    running;
  double      speed;
  double      md_peak;
  BwSimTruth *truth;        /* current scenario's, owned by truths */
} SimConveyor;

struct _BwSimulator
{
  BwSimParams   params;
  char         *first_id;
  gint64        now_us;
  GPtrArray    *conveyors;  /* SimConveyor* */
  GPtrArray    *truths;     /* BwSimTruth* */
};

static const struct
{
  const char *name;
  const char *cause;
  const char *trigger;
  double      weight;
  double      median_min;   /* stop duration, minutes */
} scenarios[BW_N_SCENARIOS] = {
  { "md_false_emi", "md_false_trip", "md_trip", 0.18, 4 },
  { "md_false_product", "md_false_trip", "md_trip", 0.14, 4 },
  { "foreign_object", "foreign_object", "md_trip", 0.16, 15 },
  { "overload", "failure", "overload", 0.08, 35 },
  { "slip", "failure", "slip", 0.06, 25 },
  { "misalign", "failure", "misalign", 0.06, 30 },
  { "chute_block", "failure", "chute_block", 0.06, 25 },
  { "pullcord", "failure", "pullcord", 0.06, 8 },
  { "process", "process", "none", 0.12, 12 },
  { "planned", "planned", "none", 0.08, 45 },
};

const char *
bw_scenario_name (BwScenario s)
{
  g_return_val_if_fail (s < BW_N_SCENARIOS, "unknown");
  return scenarios[s].name;
}

gboolean
bw_scenario_from_name (const char *name,
                       BwScenario *out)
{
  for (int i = 0; i < BW_N_SCENARIOS; i++)
    if (g_strcmp0 (name, scenarios[i].name) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

const char *
bw_scenario_cause (BwScenario s)
{
  g_return_val_if_fail (s < BW_N_SCENARIOS, "other");
  return scenarios[s].cause;
}

const char *
bw_scenario_trigger (BwScenario s)
{
  g_return_val_if_fail (s < BW_N_SCENARIOS, "none");
  return scenarios[s].trigger;
}

void
bw_sim_params_init (BwSimParams *p)
{
  memset (p, 0, sizeof *p);
  p->n_conveyors = 3;
  p->seed = 1;
  p->first_id = "CV-101";
  p->start_us = bw_time_now ();
  p->stop_interval_us = 4 * BW_USEC_PER_MIN;
  p->duration_scale = 0.1;
}

/* ---- random numbers ---- */

static double
uniform (SimConveyor *c,
         double       lo,
         double       hi)
{
  return g_rand_double_range (c->rng, lo, hi);
}

static double
gauss (SimConveyor *c)
{
  /* Box–Muller; one value per call keeps the stream simple to reason about */
  double u1 = g_rand_double (c->rng), u2 = g_rand_double (c->rng);
  if (u1 < 1e-300)
    u1 = 1e-300;
  return sqrt (-2.0 * log (u1)) * cos (2 * G_PI * u2);
}

static double
exponential (SimConveyor *c,
             double       mean)
{
  double u = g_rand_double (c->rng);
  return -mean * log (1.0 - u);
}

static double
smoothstep (double x)
{
  x = CLAMP (x, 0.0, 1.0);
  return x * x * (3 - 2 * x);
}

/* ---- construction ---- */

static char *
conveyor_id (const char *first,
             guint       i)
{
  /* CV-101 → CV-102 …: count up the trailing number, or append one */
  const char *end = first + strlen (first);
  const char *d = end;

  while (d > first && g_ascii_isdigit (d[-1]))
    d--;
  if (d == end)
    return g_strdup_printf ("%s-%u", first, i + 1);
  return g_strdup_printf ("%.*s%0*" G_GUINT64_FORMAT, (int) (d - first), first, (int) (end - d),
                          g_ascii_strtoull (d, NULL, 10) + i);
}

static void
schedule_next (BwSimulator *self,
               SimConveyor *c,
               gint64       from_us)
{
  double mean = self->params.stop_interval_us / 1e6;
  double gap = MAX (exponential (c, mean), MIN_GAP_S);
  c->next_event_us = from_us + (gint64) (gap * 1e6);
}

BwSimulator *
bw_simulator_new (const BwSimParams *params)
{
  BwSimulator *self = g_new0 (BwSimulator, 1);
  double wsum = 0;

  self->params = *params;
  self->first_id = g_strdup (params->first_id ? params->first_id : "CV-101");
  self->params.first_id = self->first_id;
  if (self->params.n_conveyors == 0)
    self->params.n_conveyors = 1;
  if (self->params.duration_scale <= 0)
    self->params.duration_scale = 1;
  if (self->params.stop_interval_us <= 0)
    self->params.stop_interval_us = 30 * BW_USEC_PER_MIN;
  for (int i = 0; i < BW_N_SCENARIOS; i++)
    wsum += MAX (self->params.weights[i], 0);
  if (wsum <= 0)
    for (int i = 0; i < BW_N_SCENARIOS; i++)
      self->params.weights[i] = scenarios[i].weight;

  self->now_us = params->start_us - (params->start_us % BW_SIM_TICK_US);
  self->conveyors = g_ptr_array_new ();
  self->truths = g_ptr_array_new ();

  for (guint i = 0; i < self->params.n_conveyors; i++)
    {
      SimConveyor *c = g_new0 (SimConveyor, 1);

      c->id = conveyor_id (self->first_id, i);
      c->rng = g_rand_new_with_seed_array ((const guint32[]) { (guint32) params->seed,
                                                               (guint32) (params->seed >> 32), i, 0x5eed }, 4);
      c->v_nom = uniform (c, 2.0, 3.0);
      c->feed_nom = uniform (c, 600, 1000);
      c->i0 = uniform (c, 40, 50);
      c->k_i = 150.0 / c->feed_nom;
      c->vib0 = uniform (c, 1.8, 2.6);
      c->md_b0 = uniform (c, 8, 14);
      c->md_k = uniform (c, 25, 40);
      c->mag = uniform (c, 0.2, 0.4);
      c->feed_dev = 0;
      c->feed_factor = 1;
      c->setpoint_rng = g_rand_new_with_seed_array ((const guint32[]) { (guint32) params->seed,
                                                                        (guint32) (params->seed >> 32), i, 0xfeed }, 4);
      c->setpoint = c->setpoint_target = 1;
      c->setpoint_at_us = self->now_us + (gint64) (g_rand_double_range (c->setpoint_rng, 2, 12) * BW_USEC_PER_MIN);
      c->load_true = c->feed_nom;
      c->current_lp = c->i0 + c->k_i * c->feed_nom;
      c->running = TRUE;
      c->speed = c->v_nom;
      c->phase = PH_RUNNING;
      c->forced = BW_N_SCENARIOS;
      schedule_next (self, c, self->now_us);
      g_ptr_array_add (self->conveyors, c);
    }
  return self;
}

static void
truth_free (BwSimTruth *t)
{
  g_free (t->conveyor);
  g_free (t);
}

void
bw_simulator_free (BwSimulator *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < self->conveyors->len; i++)
    {
      SimConveyor *c = self->conveyors->pdata[i];
      g_rand_free (c->rng);
      g_rand_free (c->setpoint_rng);
      g_free (c->id);
      g_free (c);
    }
  g_ptr_array_free (self->conveyors, TRUE);
  g_ptr_array_foreach (self->truths, (GFunc) truth_free, NULL);
  g_ptr_array_free (self->truths, TRUE);
  g_free (self->first_id);
  g_free (self);
}

guint
bw_simulator_get_n_conveyors (BwSimulator *self)
{
  return self->conveyors->len;
}

const char *
bw_simulator_get_conveyor_id (BwSimulator *self,
                              guint        i)
{
  g_return_val_if_fail (i < self->conveyors->len, NULL);
  return ((SimConveyor *) self->conveyors->pdata[i])->id;
}

gint64
bw_simulator_get_time (BwSimulator *self)
{
  return self->now_us;
}

/**
 * bw_simulator_get_truth:
 *
 * Returns: (transfer none) (element-type BwSimTruth): every scenario so far,
 *   in the order they began
 */
GPtrArray *
bw_simulator_get_truth (BwSimulator *self)
{
  return self->truths;
}

/**
 * bw_simulator_force:
 *
 * Starts @scenario on the conveyor at the next tick it is running.
 */
void
bw_simulator_force (BwSimulator *self,
                    guint        conveyor,
                    BwScenario   scenario)
{
  SimConveyor *c;

  g_return_if_fail (conveyor < self->conveyors->len);
  g_return_if_fail (scenario < BW_N_SCENARIOS);
  c = self->conveyors->pdata[conveyor];
  c->forced = scenario;
  c->next_event_us = self->now_us;
}

/* ---- scenarios ---- */

static BwScenario
pick_scenario (BwSimulator *self,
               SimConveyor *c)
{
  double sum = 0, u;

  for (int i = 0; i < BW_N_SCENARIOS; i++)
    sum += MAX (self->params.weights[i], 0);
  u = uniform (c, 0, sum);
  for (int i = 0; i < BW_N_SCENARIOS; i++)
    {
      u -= MAX (self->params.weights[i], 0);
      if (u <= 0)
        return i;
    }
  return BW_SCENARIO_PULLCORD;
}

static void
start_scenario (BwSimulator *self,
                SimConveyor *c,
                BwScenario   s,
                gint64       t)
{
  BwSimTruth *truth = g_new0 (BwSimTruth, 1);

  truth->conveyor = g_strdup (c->id);
  truth->scenario = s;
  truth->cause = scenarios[s].cause;
  truth->trigger = scenarios[s].trigger;
  truth->precursor_us = t;
  g_ptr_array_add (self->truths, truth);
  c->truth = truth;
  c->scenario = s;
  c->phase = PH_PRECURSOR;
  c->t0_us = t;
  c->p = 0;
  c->md_peak = 0;

  switch (s)
    {
    case BW_SCENARIO_MD_FALSE_EMI:
      c->precursor_s = 0;
      c->amp = uniform (c, 110, 220);
      c->double_spike = g_rand_double (c->rng) < 0.25;
      break;
    case BW_SCENARIO_MD_FALSE_PRODUCT:
      c->precursor_s = uniform (c, 15, 45);
      c->amp = uniform (c, 8, 30);   /* how far past the trip level it would rise */
      break;
    case BW_SCENARIO_FOREIGN_OBJECT:
      c->precursor_s = 1.0;
      c->amp = CLAMP (120 * exp (0.5 + 0.4 * gauss (c)), 125, 600);
      c->width_s = uniform (c, 0.25, 0.5) / c->v_nom;
      c->pulse_us = t + (gint64) (0.6e6);
      break;
    case BW_SCENARIO_OVERLOAD:
      c->precursor_s = uniform (c, 40, 120);
      break;
    case BW_SCENARIO_SLIP:
      c->precursor_s = uniform (c, 10, 40);
      break;
    case BW_SCENARIO_MISALIGN:
      c->precursor_s = uniform (c, 30, 90);
      break;
    case BW_SCENARIO_CHUTE_BLOCK:
      c->precursor_s = uniform (c, 10, 40);
      break;
    case BW_SCENARIO_PULLCORD:
      c->precursor_s = 0;
      break;
    case BW_SCENARIO_PROCESS:
      c->precursor_s = uniform (c, 8, 15);   /* feed sputters, then stops */
      c->stop_after_s = c->precursor_s + uniform (c, 40, 100);
      break;
    case BW_SCENARIO_PLANNED:
      c->precursor_s = uniform (c, 60, 120); /* feed ramped down */
      c->stop_after_s = c->precursor_s + uniform (c, 20, 40);
      break;
    case BW_N_SCENARIOS:
    default:
      g_assert_not_reached ();
    }
}

static void
trip (SimConveyor *c,
      BwTag        tag,
      gint64       t)
{
  if (tag < BW_N_STANDARD_TAGS)
    c->il[tag] = TRUE;
  c->truth->trip_us = t;
  c->phase = PH_TRIPPED;
  /* the motor contactor drops out one or two ticks after the interlock */
  c->open_at_us = t + BW_SIM_TICK_US * (tag < BW_N_STANDARD_TAGS ? 1 + (g_rand_int (c->rng) % 2) : 0);
}

static void
open_contactor (BwSimulator *self,
                SimConveyor *c,
                gint64       t)
{
  double median = scenarios[c->scenario].median_min * 60 * self->params.duration_scale;
  double dur = MAX (median * exp (0.35 * gauss (c)), 5.0);

  c->running = FALSE;
  c->phase = PH_STOPPED;
  c->phase_us = t;
  c->v_at_open = c->speed;
  c->truth->start_us = t;
  c->restart_at_us = t + (gint64) (dur * 1e6);
  /* the under-speed switch trips while the belt coasts, in some stops:
   * a consequence, not the cause, which first-out must tell apart */
  c->secondary_at_us = 0;
  if (c->scenario != BW_SCENARIO_SLIP && g_rand_double (c->rng) < 0.3)
    c->secondary_at_us = t + (gint64) (uniform (c, 0.5, 1.5) * 1e6);
}

static void
restart (BwSimulator *self,
         SimConveyor *c,
         gint64       t)
{
  c->running = TRUE;
  c->phase = PH_STARTING;
  c->phase_us = t;
  c->truth->end_us = t;
  c->truth->md_peak = c->md_peak;
  c->truth = NULL;
  c->feed_factor = 1;
  c->p = 0;
  schedule_next (self, c, t + (gint64) (RAMP_S * 1e6));
}

/* ---- one tick ---- */

static void
step_conveyor (BwSimulator     *self,
               SimConveyor     *c,
               guint            index,
               gint64           t,
               BwSimSampleFunc  func,
               gpointer         user_data)
{
  double since, load_reading, current, vib, md, slip = 0, cur_extra = 0, vib_factor = 1, load_extra = 0;
  double md_extra = 0;
  double feed;

  /* slow processes: ore feed and the magnetic fraction of the ore */
  c->feed_dev += -c->feed_dev * DT / 90.0 + 0.1 * sqrt (2 * DT / 90.0) * gauss (c);
  c->mag += (0.3 - c->mag) * DT / 300.0 + 0.15 * sqrt (2 * DT / 300.0) * gauss (c);
  c->mag = CLAMP (c->mag, 0.0, 1.0);
  /* the operators move the feed rate now and then; it ramps over ~20 s */
  if (t >= c->setpoint_at_us)
    {
      c->setpoint_target = g_rand_double_range (c->setpoint_rng, 0.7, 1.15);
      c->setpoint_at_us = t + (gint64) (g_rand_double_range (c->setpoint_rng, 4, 15) * BW_USEC_PER_MIN);
    }
  c->setpoint += (c->setpoint_target - c->setpoint) * DT / 20.0;

  /* scenario transitions */
  if (c->phase == PH_RUNNING && t >= c->next_event_us)
    {
      BwScenario s = c->forced != BW_N_SCENARIOS ? c->forced : pick_scenario (self, c);
      c->forced = BW_N_SCENARIOS;
      start_scenario (self, c, s, t);
    }
  if (c->phase == PH_PRECURSOR)
    {
      since = (t - c->t0_us) / 1e6;
      c->p = c->precursor_s > 0 ? CLAMP (since / c->precursor_s, 0, 1) : 1;
      switch (c->scenario)
        {
        case BW_SCENARIO_OVERLOAD:
          cur_extra = 0.45 * c->p * c->p;
          vib_factor = 1 + 0.3 * c->p;
          if (c->p >= 1)
            trip (c, BW_TAG_OVERLOAD, t);
          break;
        case BW_SCENARIO_SLIP:
          slip = 0.25 * pow (c->p, 1.5);
          cur_extra = -0.12 * c->p;
          break;
        case BW_SCENARIO_MISALIGN:
          vib_factor = 1 + 1.2 * c->p * c->p;
          if (c->p >= 1)
            trip (c, BW_TAG_MISALIGN, t);
          break;
        case BW_SCENARIO_CHUTE_BLOCK:
          cur_extra = 0.25 * c->p;
          load_extra = 0.2 * c->p;
          if (c->p >= 1)
            trip (c, BW_TAG_CHUTE_BLOCK, t);
          break;
        case BW_SCENARIO_PULLCORD:
          trip (c, BW_TAG_PULLCORD, t);
          break;
        case BW_SCENARIO_PROCESS:
          c->feed_factor = c->p < 1 ? (g_rand_double (c->rng) < 0.5 * (1 - c->p) ? 1 : 0.1) : 0;
          if (since >= c->stop_after_s)
            trip (c, BW_N_STANDARD_TAGS, t);
          break;
        case BW_SCENARIO_PLANNED:
          c->feed_factor = 1 - c->p;
          if (since >= c->stop_after_s)
            trip (c, BW_N_STANDARD_TAGS, t);
          break;
        case BW_SCENARIO_MD_FALSE_EMI:
        case BW_SCENARIO_MD_FALSE_PRODUCT:
        case BW_SCENARIO_FOREIGN_OBJECT:
        case BW_N_SCENARIOS:
        default:
          break; /* decided by the md signal below */
        }
    }

  if (c->phase == PH_TRIPPED && t >= c->open_at_us)
    open_contactor (self, c, t);

  if (c->phase == PH_STOPPED)
    {
      if (c->secondary_at_us && t >= c->secondary_at_us)
        {
          c->il[BW_TAG_SLIP] = TRUE;
          c->secondary_at_us = 0;
        }
      if (t >= c->restart_at_us - BW_USEC_PER_SEC)
        for (int k = 0; k < BW_N_STANDARD_TAGS; k++)
          c->il[k] = FALSE;   /* the operator resets the interlocks */
      if (t >= c->restart_at_us)
        restart (self, c, t);
    }
  if (c->phase == PH_STARTING && (t - c->phase_us) / 1e6 >= RAMP_S)
    c->phase = PH_RUNNING;

  /* belt speed */
  switch (c->phase)
    {
    case PH_STOPPED:
      {
        double tau = MAX (1.2 - 0.5 * c->load_true / c->feed_nom, 0.5);
        c->speed = c->v_at_open * exp (-(t - c->phase_us) / 1e6 / tau);
        if (c->speed < 0.02)
          c->speed = 0;
      }
      break;
    case PH_STARTING:
      c->speed = c->v_nom * smoothstep ((t - c->phase_us) / 1e6 / RAMP_S) * (1 + 0.002 * gauss (c));
      break;
    case PH_RUNNING:
    case PH_PRECURSOR:
    case PH_TRIPPED:
    default:
      c->speed = c->v_nom * (1 - slip) * (1 + 0.002 * gauss (c));
      if (c->phase == PH_PRECURSOR && c->scenario == BW_SCENARIO_MISALIGN)
        c->speed *= 1 + 0.01 * c->p * sin (t / 1e6 * 2.1);
      break;
    }
  if (c->phase == PH_PRECURSOR && c->scenario == BW_SCENARIO_SLIP && c->speed < 0.8 * c->v_nom)
    trip (c, BW_TAG_SLIP, t);

  /* load on the belt: the feeder is interlocked with the belt */
  feed = c->running ? c->feed_nom * c->setpoint * (1 + c->feed_dev) * c->feed_factor : 0;
  if (c->running)
    c->load_true += (feed - c->load_true) * DT / 6.0;
  load_reading = c->load_true * (1 + load_extra) * c->speed / c->v_nom + 0.01 * c->feed_nom * gauss (c);
  if (c->speed <= 0)
    load_reading = 0.5 * gauss (c);
  load_reading = MAX (load_reading, 0);

  /* motor current follows the load; inrush at start */
  if (c->running)
    {
      double rated = c->i0 + c->k_i * c->feed_nom;
      double target = (c->i0 + c->k_i * load_reading) * (1 + cur_extra);

      c->current_lp += (target - c->current_lp) * DT / 0.8;
      current = c->current_lp + 1.5 * gauss (c);
      if (c->phase == PH_STARTING)
        {
          double s = (t - c->phase_us) / 1e6;
          current += 4.5 * rated * exp (-s / 0.7);
        }
    }
  else
    {
      c->current_lp = c->i0;
      current = fabs (0.2 * gauss (c));
    }

  /* vibration at the drive */
  if (c->speed > 0.05)
    vib = (c->vib0 + 0.6 * c->load_true / c->feed_nom) * vib_factor * (c->speed / c->v_nom) + 0.12 * gauss (c);
  else
    vib = 0.1 + fabs (0.03 * gauss (c));
  vib = MAX (vib, 0);

  /* metal detector: background from magnetic ore moving through it */
  md = (c->md_b0 + c->md_k * c->mag * c->load_true / c->feed_nom) * (0.3 + 0.7 * c->speed / c->v_nom)
       + 2.5 * gauss (c);
  if (c->phase == PH_PRECURSOR)
    {
      switch (c->scenario)
        {
        case BW_SCENARIO_MD_FALSE_EMI:
          md_extra = c->amp;
          break;
        case BW_SCENARIO_MD_FALSE_PRODUCT:
          /* a band of magnetite: the background climbs smoothly past the trip level */
          md_extra = smoothstep (c->p) * MAX (100 + c->amp - md, 0);
          break;
        case BW_SCENARIO_FOREIGN_OBJECT:
          {
            double tau = (t - c->pulse_us) / 1e6 / c->width_s;
            md_extra = c->amp * (1 - tau * tau) * exp (-tau * tau / 2);
          }
          break;
        default:
          break;
        }
    }
  else if (c->phase == PH_TRIPPED && c->scenario == BW_SCENARIO_MD_FALSE_EMI && c->double_spike &&
           t == c->truth->trip_us + BW_SIM_TICK_US)
    md_extra = c->amp * uniform (c, 0.5, 1.2);
  else if (c->phase == PH_TRIPPED && c->scenario == BW_SCENARIO_FOREIGN_OBJECT)
    {
      double tau = (t - c->pulse_us) / 1e6 / c->width_s;
      md_extra = c->amp * (1 - tau * tau) * exp (-tau * tau / 2);
    }
  md = MAX (md + md_extra, 0);
  if (c->truth && t >= c->truth->precursor_us - 10 * BW_USEC_PER_SEC)
    c->md_peak = MAX (c->md_peak, md);
  if (c->running && md >= 100 && !c->il[BW_TAG_MD_TRIP])
    {
      c->il[BW_TAG_MD_TRIP] = TRUE;
      if (c->phase == PH_PRECURSOR && c->truth && g_str_equal (c->truth->trigger, "md_trip"))
        trip (c, BW_TAG_MD_TRIP, t);
      else if (c->phase == PH_RUNNING || c->phase == PH_STARTING || c->phase == PH_PRECURSOR)
        {
          /* the background reached the trip level by itself: that is a
           * product-effect false trip too */
          if (c->phase != PH_PRECURSOR)
            start_scenario (self, c, BW_SCENARIO_MD_FALSE_PRODUCT, t);
          else
            {
              c->truth->scenario = BW_SCENARIO_MD_FALSE_PRODUCT;
              c->truth->cause = scenarios[BW_SCENARIO_MD_FALSE_PRODUCT].cause;
              c->truth->trigger = "md_trip";
              c->scenario = BW_SCENARIO_MD_FALSE_PRODUCT;
            }
          trip (c, BW_TAG_MD_TRIP, t);
        }
    }
  if (c->phase == PH_PRECURSOR && c->p >= 1 &&
      (c->scenario == BW_SCENARIO_MD_FALSE_PRODUCT || c->scenario == BW_SCENARIO_FOREIGN_OBJECT) &&
      (t - c->t0_us) / 1e6 > c->precursor_s + 5)
    {
      /* did not reach the trip level (noise): the scenario ends quietly */
      g_ptr_array_remove (self->truths, c->truth);
      truth_free (c->truth);
      c->truth = NULL;
      c->phase = PH_RUNNING;
      schedule_next (self, c, t);
    }

  func (index, BW_TAG_BELT_SPEED, t, c->speed, user_data);
  func (index, BW_TAG_MOTOR_CURRENT, t, current, user_data);
  func (index, BW_TAG_LOAD, t, load_reading, user_data);
  func (index, BW_TAG_MD_SIGNAL, t, md, user_data);
  func (index, BW_TAG_MD_TRIP, t, c->il[BW_TAG_MD_TRIP], user_data);
  func (index, BW_TAG_RUNNING, t, c->running, user_data);
  func (index, BW_TAG_VIBRATION, t, vib, user_data);
  func (index, BW_TAG_PULLCORD, t, c->il[BW_TAG_PULLCORD], user_data);
  func (index, BW_TAG_MISALIGN, t, c->il[BW_TAG_MISALIGN], user_data);
  func (index, BW_TAG_CHUTE_BLOCK, t, c->il[BW_TAG_CHUTE_BLOCK], user_data);
  func (index, BW_TAG_OVERLOAD, t, c->il[BW_TAG_OVERLOAD], user_data);
  func (index, BW_TAG_SLIP, t, c->il[BW_TAG_SLIP], user_data);
}

/**
 * bw_simulator_step:
 *
 * Produces one tick (100 ms) of every conveyor's tags and advances the clock.
 */
void
bw_simulator_step (BwSimulator     *self,
                   BwSimSampleFunc  func,
                   gpointer         user_data)
{
  for (guint i = 0; i < self->conveyors->len; i++)
    step_conveyor (self, self->conveyors->pdata[i], i, self->now_us, func, user_data);
  self->now_us += BW_SIM_TICK_US;
}

typedef struct
{
  BwSimulator *sim;
  GString    **messages;
} TickData;

static void
append_sample_cb (guint   conveyor,
                  BwTag   tag,
                  gint64  time_us,
                  double  value,
                  gpointer user_data)
{
  TickData *d = user_data;
  GString *m = d->messages[conveyor];

  g_string_append_c (m, m->len == 0 ? '[' : ',');
  bw_wire_append_sample (m, bw_simulator_get_conveyor_id (d->sim, conveyor), bw_tag_name (tag),
                         time_us, value);
}

/**
 * bw_simulator_tick_message:
 * @messages: an array of n_conveyors strings; each gets one tick of its
 *   conveyor as a wire-format message (a JSON array of samples)
 */
void
bw_simulator_tick_message (BwSimulator  *self,
                           GString     **messages)
{
  TickData d = { self, messages };

  for (guint i = 0; i < self->conveyors->len; i++)
    g_string_truncate (messages[i], 0);
  bw_simulator_step (self, append_sample_cb, &d);
  for (guint i = 0; i < self->conveyors->len; i++)
    g_string_append_c (messages[i], ']');
}

JsonNode *
bw_sim_truth_to_json (const BwSimTruth *t)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  char buf[BW_TIME_FORMAT_LEN];

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "conveyor");
  json_builder_add_string_value (b, t->conveyor);
  json_builder_set_member_name (b, "scenario");
  json_builder_add_string_value (b, bw_scenario_name (t->scenario));
  json_builder_set_member_name (b, "cause");
  json_builder_add_string_value (b, t->cause);
  json_builder_set_member_name (b, "trigger");
  json_builder_add_string_value (b, t->trigger);
  json_builder_set_member_name (b, "precursor");
  json_builder_add_string_value (b, bw_time_format (t->precursor_us, buf));
  json_builder_set_member_name (b, "start");
  if (t->start_us)
    json_builder_add_string_value (b, bw_time_format (t->start_us, buf));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "end");
  if (t->end_us)
    json_builder_add_string_value (b, bw_time_format (t->end_us, buf));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "md_peak");
  json_builder_add_double_value (b, t->md_peak);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
