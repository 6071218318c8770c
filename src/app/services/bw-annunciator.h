/* bw-annunciator.h: what the control room is told, and for how long
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "bw-alarm-sound.h"
#include "bw-line.h"
#include "bw-notifier.h"

G_BEGIN_DECLS

#define BW_TYPE_ANNUNCIATOR (bw_annunciator_get_type ())

G_DECLARE_FINAL_TYPE (BwAnnunciator, bw_annunciator, BW, ANNUNCIATOR, GObject)

BwAnnunciator *bw_annunciator_new                (BwLine        *line,
                                                  BwNotifier    *notifier,
                                                  BwAlarmSound  *sound);
void           bw_annunciator_silence            (BwAnnunciator *self);
gboolean       bw_annunciator_is_sounding        (BwAnnunciator *self);
guint          bw_annunciator_get_n_unacknowledged (BwAnnunciator *self);
BwAlarm       *bw_annunciator_get_current        (BwAnnunciator *self);
gboolean       bw_annunciator_was_announced      (BwAnnunciator *self,
                                                  gint64         alarm_id);

G_END_DECLS
