/* bw-simulator.h: a simulated line of crusher-feed conveyors
 *
 * All standard tags at 10 Hz, seeded and reproducible: ore feed varying
 * around each belt's nominal rate, load on the belt scale, motor current
 * following load with inrush at start, speed ramps at start and coasting at
 * stop, vibration, and a metal-detector signal whose background rises with
 * magnetic ore. Stops come from scenarios with ground truth: metal-detector
 * false trips (EMI spikes, product effect), real foreign objects (a passage
 * pulse), failures (overload with current rising first, belt slip,
 * misalignment, chute blockage, pull-cord), process stops (no ore) and
 * planned stops.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "bw-tags.h"

G_BEGIN_DECLS

#define BW_SIM_TICK_US (100 * G_GINT64_CONSTANT (1000))

typedef enum
{
  BW_SCENARIO_MD_FALSE_EMI,      /* md_false_trip: a one- or two-sample spike */
  BW_SCENARIO_MD_FALSE_PRODUCT,  /* md_false_trip: magnetic ore raises the background */
  BW_SCENARIO_FOREIGN_OBJECT,    /* foreign_object: a passage pulse */
  BW_SCENARIO_OVERLOAD,          /* failure: current rises, then the relay trips */
  BW_SCENARIO_SLIP,              /* failure: belt speed falls behind the drive */
  BW_SCENARIO_MISALIGN,          /* failure: vibration rises, then the switch trips */
  BW_SCENARIO_CHUTE_BLOCK,       /* failure: material backs up, current rises */
  BW_SCENARIO_PULLCORD,          /* failure: sudden, no precursor */
  BW_SCENARIO_PROCESS,           /* process: no ore, the belt runs empty, operator stops */
  BW_SCENARIO_PLANNED,           /* planned: feed ramped down, belt emptied, stopped */
  BW_N_SCENARIOS
} BwScenario;

typedef struct
{
  guint       n_conveyors;       /* default 3 */
  guint64     seed;
  const char *first_id;          /* "CV-101"; the others count up */
  gint64      start_us;          /* first tick (rounded to 100 ms) */
  gint64      stop_interval_us;  /* mean running time between stops */
  double      duration_scale;    /* stop durations × this (demo: 0.1) */
  double      weights[BW_N_SCENARIOS]; /* all 0: the default mix */
} BwSimParams;

/**
 * BwSimTruth:
 * What really happened: the scenario, the cause code of the reason tree, the
 * first-out trigger, the instant the motor contactor opened (@start_us) and
 * closed again (@end_us, 0 while stopped), when the precursor began.
 */
typedef struct
{
  char       *conveyor;
  BwScenario  scenario;
  const char *cause;
  const char *trigger;
  gint64      precursor_us;
  gint64      trip_us;          /* the interlock tripped (or the operator pressed stop) */
  gint64      start_us;
  gint64      end_us;
  double      md_peak;
} BwSimTruth;

/**
 * BwSimSampleFunc:
 * @conveyor: index of the conveyor (0 … n_conveyors-1)
 */
typedef void (*BwSimSampleFunc) (guint       conveyor,
                                 BwTag       tag,
                                 gint64      time_us,
                                 double      value,
                                 gpointer    user_data);

typedef struct _BwSimulator BwSimulator;

void          bw_sim_params_init       (BwSimParams       *params);
BwSimulator  *bw_simulator_new         (const BwSimParams *params);
void          bw_simulator_free        (BwSimulator       *self);
guint         bw_simulator_get_n_conveyors (BwSimulator   *self);
const char   *bw_simulator_get_conveyor_id (BwSimulator   *self,
                                            guint          i);
gint64        bw_simulator_get_time    (BwSimulator       *self);
void          bw_simulator_step        (BwSimulator       *self,
                                        BwSimSampleFunc    func,
                                        gpointer           user_data);
void          bw_simulator_tick_message (BwSimulator      *self,
                                         GString         **messages);
GPtrArray    *bw_simulator_get_truth   (BwSimulator       *self);
void          bw_simulator_force       (BwSimulator       *self,
                                        guint              conveyor,
                                        BwScenario         scenario);
const char   *bw_scenario_name         (BwScenario         scenario);
gboolean      bw_scenario_from_name    (const char        *name,
                                        BwScenario        *out);
const char   *bw_scenario_cause        (BwScenario         scenario);
const char   *bw_scenario_trigger      (BwScenario         scenario);
JsonNode     *bw_sim_truth_to_json     (const BwSimTruth  *truth);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwSimulator, bw_simulator_free)

G_END_DECLS
