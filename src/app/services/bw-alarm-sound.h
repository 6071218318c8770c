/* bw-alarm-sound.h: the audible alarm (GStreamer)
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "bw-alarm.h"

G_BEGIN_DECLS

/* Test mode: with this set to a directory, the horn plays into
 * DIR/alarm-NNN-pP.wav (NNN counting the episodes, P the priority), paced in
 * real time, instead of the sound card. */
#define BW_ALARM_SOUND_WAV_DIR_ENV "BELTWATCH_ALARM_WAV_DIR"

#define BW_TYPE_ALARM_SOUND (bw_alarm_sound_get_type ())

G_DECLARE_FINAL_TYPE (BwAlarmSound, bw_alarm_sound, BW, ALARM_SOUND, GObject)

BwAlarmSound   *bw_alarm_sound_new              (void);
void            bw_alarm_sound_set_volume       (BwAlarmSound     *self,
                                                 double            volume);
double          bw_alarm_sound_get_volume       (BwAlarmSound     *self);
void            bw_alarm_sound_set_file         (BwAlarmSound     *self,
                                                 BwAlarmPriority   priority,
                                                 const char       *path);
gboolean        bw_alarm_sound_play             (BwAlarmSound     *self,
                                                 BwAlarmPriority   priority,
                                                 GError          **error);
void            bw_alarm_sound_stop             (BwAlarmSound     *self);
gboolean        bw_alarm_sound_is_playing       (BwAlarmSound     *self);
BwAlarmPriority bw_alarm_sound_get_priority     (BwAlarmSound     *self);
const char     *bw_alarm_sound_get_output_file  (BwAlarmSound     *self);
guint           bw_alarm_sound_get_n_finished   (BwAlarmSound     *self);
double          bw_alarm_sound_get_tone_frequency (BwAlarmPriority priority);

G_END_DECLS
