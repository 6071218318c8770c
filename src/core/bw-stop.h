/* bw-stop.h: a stop of a conveyor — one downtime record
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define BW_TYPE_STOP (bw_stop_get_type ())

G_DECLARE_FINAL_TYPE (BwStop, bw_stop, BW, STOP, GObject)

/* The fields are public for the core library and its tools; the app reads
 * them through the same struct and listens to notify::cause etc. */
struct _BwStop
{
  GObject  parent_instance;

  gint64   id;                      /* ledger id, 0 until stored */
  char    *conveyor;
  gint64   start_us;
  gint64   end_us;                  /* 0 while the stop is open */
  char    *trigger;                 /* first-out: md_trip, overload, … or none */
  gboolean micro;                   /* shorter than the micro-stop threshold */

  char    *suggested_cause;         /* NULL when no model */
  double   suggested_probability;   /* NAN when no model */
  char    *suggested_model;

  char    *cause;                   /* the operator's; NULL until classified */
  char    *comment;
  char    *classified_by;
  gint64   classified_us;

  double   md_peak;                 /* metal-detector signal peak around the stop */
  double   md_background;
  double   load_before;
  gint64   alarm_id;
};

BwStop     *bw_stop_new            (const char *conveyor,
                                    gint64      start_us,
                                    const char *trigger);
gboolean    bw_stop_is_open        (BwStop     *self);
gint64      bw_stop_get_duration   (BwStop     *self,
                                    gint64      now_us);
const char *bw_stop_get_effective_cause (BwStop *self);
void        bw_stop_build_json     (BwStop      *self,
                                    JsonBuilder *builder,
                                    gint64       now_us);
JsonNode   *bw_stop_to_json        (BwStop     *self,
                                    gint64      now_us);
BwStop     *bw_stop_new_from_json  (JsonObject *object,
                                    GError    **error);
void        bw_stop_set_classification (BwStop     *self,
                                        const char *cause,
                                        const char *comment,
                                        const char *who,
                                        gint64      when_us);

G_END_DECLS
