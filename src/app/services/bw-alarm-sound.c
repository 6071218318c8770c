/* bw-alarm-sound.c: the audible alarm (GStreamer)
 *
 * The horn loops one period of a sound — the built-in tone of the alarm's
 * priority (resources/app/sounds, 988 / 659 / 440 Hz: 50 % apart) or a file
 * of the user's — until it is stopped (silenced or acknowledged). The sound
 * is decoded once into memory; the playing pipeline is
 *
 *   appsrc (the loop, live) ! audioconvert ! audioresample ! volume ! sink
 *
 * where sink is the desktop's audio output, or in test mode
 * (BELTWATCH_ALARM_WAV_DIR) wavenc ! filesink, synchronised to the clock so
 * the file is as long as the horn sounded.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-alarm-sound"

#include "config.h"

#include <string.h>

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#include "bw-alarm-sound.h"

#define RATE        48000
#define CHUNK       (RATE / 20)          /* 50 ms per buffer */
#define PCM_CAPS    "audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=1"
#define N_PRIO      3
#define DECODE_TIMEOUT (5 * GST_SECOND)

static const double tone_hz[N_PRIO] = { 988.0, 659.0, 440.0 };
static const char * const tone_names[N_PRIO] = { "alarm-high", "alarm-medium", "alarm-low" };

typedef struct
{
  GstElement *pipeline;
  GstElement *src;        /* borrowed from the pipeline */
  GstElement *volume;
  GBytes     *pcm;        /* S16LE mono 48 kHz, one period */
  gsize       pos;        /* bytes; touched by the streaming thread only */
  guint64     samples;    /* pushed so far */
  guint       bus_watch;
  gboolean    stopping;
  char       *file;
} Player;

struct _BwAlarmSound
{
  GObject          parent_instance;

  Player          *player;          /* the one playing, or NULL */
  GPtrArray       *finishing;       /* Player*: draining to EOS */
  BwAlarmPriority  priority;
  double           volume;
  char            *files[N_PRIO];   /* user's files, NULL = built in */
  GBytes          *pcm[N_PRIO];     /* decoded, cached */
  char            *wav_dir;         /* test mode */
  char            *output_file;
  guint            episode;
  guint            n_finished;
};

enum
{
  PROP_0,
  PROP_PLAYING,
  PROP_VOLUME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (BwAlarmSound, bw_alarm_sound, G_TYPE_OBJECT)

static guint
prio_index (BwAlarmPriority priority)
{
  return CLAMP ((int) priority, 1, N_PRIO) - 1;
}

/**
 * bw_alarm_sound_get_tone_frequency:
 *
 * Returns: the pitch of the built-in tone of @priority, Hz
 */
double
bw_alarm_sound_get_tone_frequency (BwAlarmPriority priority)
{
  return tone_hz[prio_index (priority)];
}

/* ---- decoding ---- */

static GBytes *
decode (const char  *uri,
        GError     **error)
{
  g_autofree char *desc = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstBus) bus = NULL;
  GstElement *sink;
  GByteArray *out = g_byte_array_new ();
  GstSample *sample;

  desc = g_strdup_printf ("giosrc name=src ! decodebin ! audioconvert ! audioresample ! "
                          PCM_CAPS " ! appsink name=sink sync=false");
  pipeline = gst_parse_launch (desc, error);
  if (pipeline == NULL)
    {
      g_byte_array_unref (out);
      return NULL;
    }
  g_object_ref_sink (pipeline);
  {
    g_autoptr(GstElement) src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
    g_object_set (src, "location", uri, NULL);
  }
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  while ((sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), DECODE_TIMEOUT)))
    {
      GstBuffer *buf = gst_sample_get_buffer (sample);
      GstMapInfo map;

      if (gst_buffer_map (buf, &map, GST_MAP_READ))
        {
          g_byte_array_append (out, map.data, map.size);
          gst_buffer_unmap (buf, &map);
        }
      gst_sample_unref (sample);
    }
  bus = gst_element_get_bus (pipeline);
  {
    GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    if (msg)
      {
        g_autoptr(GError) gerr = NULL;
        gst_message_parse_error (msg, &gerr, NULL);
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot play %s: %s", uri, gerr->message);
        gst_message_unref (msg);
        gst_element_set_state (pipeline, GST_STATE_NULL);
        gst_object_unref (sink);
        g_byte_array_unref (out);
        return NULL;
      }
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  if (out->len < 2 * RATE / 10)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s is shorter than 0.1 s", uri);
      g_byte_array_unref (out);
      return NULL;
    }
  out->len &= ~1u;
  return g_byte_array_free_to_bytes (out);
}

static GBytes *
get_pcm (BwAlarmSound     *self,
         BwAlarmPriority   priority,
         GError          **error)
{
  guint k = prio_index (priority);
  g_autoptr(GError) local = NULL;

  if (self->pcm[k])
    return g_bytes_ref (self->pcm[k]);
  if (self->files[k])
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (self->files[k]);
      g_autofree char *uri = g_file_get_uri (file);

      self->pcm[k] = decode (uri, &local);
      if (self->pcm[k] == NULL)
        g_warning ("Alarm sound %s: %s; using the built-in tone", self->files[k], local->message);
      g_clear_error (&local);
    }
  if (self->pcm[k] == NULL)
    {
      g_autofree char *uri = g_strdup_printf ("resource://" RESOURCE_BASE "/sounds/%s.oga", tone_names[k]);
      self->pcm[k] = decode (uri, error);
    }
  return self->pcm[k] ? g_bytes_ref (self->pcm[k]) : NULL;
}

/* ---- playing ---- */

static void
player_free (Player *p)
{
  g_clear_handle_id (&p->bus_watch, g_source_remove);
  if (p->pipeline)
    {
      gst_element_set_state (p->pipeline, GST_STATE_NULL);
      gst_object_unref (p->pipeline);
    }
  g_clear_pointer (&p->pcm, g_bytes_unref);
  g_free (p->file);
  g_free (p);
}

/* streaming thread */
static void
need_data_cb (GstAppSrc *src,
              guint      length,
              gpointer   user_data)
{
  Player *p = user_data;
  gsize total;
  const guint8 *pcm = g_bytes_get_data (p->pcm, &total);
  gsize want = CHUNK * 2;
  GstBuffer *buf = gst_buffer_new_allocate (NULL, want, NULL);
  GstMapInfo map;
  gsize done = 0;

  if (p->stopping)
    {
      gst_buffer_unref (buf);
      return;
    }
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  while (done < want)
    {
      gsize n = MIN (want - done, total - p->pos);
      memcpy (map.data + done, pcm + p->pos, n);
      done += n;
      p->pos = (p->pos + n) % total;
    }
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = gst_util_uint64_scale (p->samples, GST_SECOND, RATE);
  GST_BUFFER_DURATION (buf) = gst_util_uint64_scale (CHUNK, GST_SECOND, RATE);
  p->samples += CHUNK;
  gst_app_src_push_buffer (src, buf);
}

static void finish_player (BwAlarmSound *self, Player *p);

static gboolean
bus_cb (GstBus     *bus,
        GstMessage *msg,
        gpointer    user_data)
{
  Player *p = user_data;
  BwAlarmSound *self = g_object_get_data (G_OBJECT (p->pipeline), "bw-alarm-sound");

  switch (GST_MESSAGE_TYPE (msg))
    {
    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *debug = NULL;

        gst_message_parse_error (msg, &error, &debug);
        g_warning ("Alarm sound: %s (%s)", error->message, debug ? debug : "");
        p->bus_watch = 0;
        if (self && self->player == p)
          {
            self->player = NULL;
            g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
            player_free (p);
          }
        /* a player being finished is freed by the array it is in */
        else if (self == NULL || !g_ptr_array_remove (self->finishing, p))
          player_free (p);
        return G_SOURCE_REMOVE;
      }
    case GST_MESSAGE_EOS:
      p->bus_watch = 0;
      if (self)
        {
          g_debug ("alarm sound finished%s%s", p->file ? ": " : "", p->file ? p->file : "");
          self->n_finished++;
          g_ptr_array_remove (self->finishing, p);   /* frees it */
        }
      return G_SOURCE_REMOVE;
    default:
      return G_SOURCE_CONTINUE;
    }
}

static Player *
make_player (BwAlarmSound  *self,
             GBytes        *pcm,
             GError       **error)
{
  Player *p = g_new0 (Player, 1);
  g_autoptr(GstCaps) caps = gst_caps_from_string (PCM_CAPS);
  GstElement *src, *convert, *resample, *sink_bin;
  g_autoptr(GstBus) bus = NULL;
  GstAppSrcCallbacks callbacks = { need_data_cb, NULL, NULL };

  p->pcm = g_bytes_ref (pcm);
  p->pipeline = gst_pipeline_new ("bw-alarm-sound");
  g_object_ref_sink (p->pipeline);
  p->src = src = gst_element_factory_make ("appsrc", NULL);
  convert = gst_element_factory_make ("audioconvert", NULL);
  resample = gst_element_factory_make ("audioresample", NULL);
  p->volume = gst_element_factory_make ("volume", NULL);
  if (self->wav_dir)
    {
      g_autofree char *name = g_strdup_printf ("alarm-%03u-p%d.wav", ++self->episode, (int) self->priority);

      p->file = g_build_filename (self->wav_dir, name, NULL);
      sink_bin = gst_parse_bin_from_description ("wavenc ! filesink name=out sync=true", TRUE, error);
      if (sink_bin)
        {
          g_autoptr(GstElement) out = gst_bin_get_by_name (GST_BIN (sink_bin), "out");
          g_object_set (out, "location", p->file, NULL);
        }
    }
  else
    sink_bin = gst_element_factory_make ("autoaudiosink", NULL);

  if (!src || !convert || !resample || !p->volume || !sink_bin)
    {
      if (error && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     "A GStreamer element is missing (gstreamer1.0-plugins-base and -good are needed)");
      g_clear_object (&src);
      g_clear_object (&convert);
      g_clear_object (&resample);
      g_clear_object (&p->volume);
      g_clear_object (&sink_bin);
      player_free (p);
      return NULL;
    }
  g_object_set (src, "caps", caps, "format", GST_FORMAT_TIME, "is-live", TRUE,
                "max-bytes", (guint64) (CHUNK * 2), "block", FALSE, NULL);
  gst_app_src_set_callbacks (GST_APP_SRC (src), &callbacks, p, NULL);
  g_object_set (p->volume, "volume", self->volume, NULL);
  gst_bin_add_many (GST_BIN (p->pipeline), src, convert, resample, p->volume, sink_bin, NULL);
  if (!gst_element_link_many (src, convert, resample, p->volume, sink_bin, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot link the alarm sound pipeline");
      player_free (p);
      return NULL;
    }
  g_object_set_data (G_OBJECT (p->pipeline), "bw-alarm-sound", self);
  bus = gst_element_get_bus (p->pipeline);
  p->bus_watch = gst_bus_add_watch (bus, bus_cb, p);
  return p;
}

static void
finish_player (BwAlarmSound *self,
               Player       *p)
{
  if (p == NULL)
    return;
  if (p->file == NULL)
    {
      /* to the sound card: stop at once */
      self->n_finished++;
      player_free (p);
      return;
    }
  /* to a file: end the stream, so that wavenc writes the header's sizes */
  p->stopping = TRUE;
  g_ptr_array_add (self->finishing, p);
  gst_app_src_end_of_stream (GST_APP_SRC (p->src));
}

/**
 * bw_alarm_sound_play:
 *
 * Sounds the horn for @priority, looping until bw_alarm_sound_stop(). A horn
 * already sounding for the same priority goes on as it is.
 */
gboolean
bw_alarm_sound_play (BwAlarmSound     *self,
                     BwAlarmPriority   priority,
                     GError          **error)
{
  g_autoptr(GBytes) pcm = NULL;
  Player *p;

  g_return_val_if_fail (BW_IS_ALARM_SOUND (self), FALSE);

  if (self->player && self->priority == priority)
    return TRUE;
  pcm = get_pcm (self, priority, error);
  if (pcm == NULL)
    return FALSE;
  if (self->player)
    {
      finish_player (self, self->player);
      self->player = NULL;
    }
  self->priority = priority;
  p = make_player (self, pcm, error);
  if (p == NULL)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
      return FALSE;
    }
  if (gst_element_set_state (p->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The audio output cannot play");
      player_free (p);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
      return FALSE;
    }
  self->player = p;
  g_free (self->output_file);
  self->output_file = g_strdup (p->file);
  g_debug ("alarm sound priority %d%s%s", priority, p->file ? " → " : "", p->file ? p->file : "");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
  return TRUE;
}

void
bw_alarm_sound_stop (BwAlarmSound *self)
{
  g_return_if_fail (BW_IS_ALARM_SOUND (self));

  if (self->player == NULL)
    return;
  finish_player (self, self->player);
  self->player = NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
}

gboolean
bw_alarm_sound_is_playing (BwAlarmSound *self)
{
  g_return_val_if_fail (BW_IS_ALARM_SOUND (self), FALSE);
  return self->player != NULL;
}

BwAlarmPriority
bw_alarm_sound_get_priority (BwAlarmSound *self)
{
  g_return_val_if_fail (BW_IS_ALARM_SOUND (self), BW_ALARM_PRIORITY_HIGH);
  return self->priority;
}

/**
 * bw_alarm_sound_get_output_file:
 *
 * Returns: (nullable): in test mode, the WAV file of the latest episode
 */
const char *
bw_alarm_sound_get_output_file (BwAlarmSound *self)
{
  g_return_val_if_fail (BW_IS_ALARM_SOUND (self), NULL);
  return self->output_file;
}

/**
 * bw_alarm_sound_get_n_finished:
 *
 * Returns: how many episodes have ended (in test mode: with the file
 *   complete)
 */
guint
bw_alarm_sound_get_n_finished (BwAlarmSound *self)
{
  g_return_val_if_fail (BW_IS_ALARM_SOUND (self), 0);
  return self->n_finished;
}

void
bw_alarm_sound_set_volume (BwAlarmSound *self,
                           double        volume)
{
  g_return_if_fail (BW_IS_ALARM_SOUND (self));

  volume = CLAMP (volume, 0.0, 1.0);
  if (self->volume == volume)
    return;
  self->volume = volume;
  if (self->player)
    g_object_set (self->player->volume, "volume", volume, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VOLUME]);
}

double
bw_alarm_sound_get_volume (BwAlarmSound *self)
{
  g_return_val_if_fail (BW_IS_ALARM_SOUND (self), 0);
  return self->volume;
}

/**
 * bw_alarm_sound_set_file:
 * @path: (nullable): a sound file for @priority's alarms; %NULL or "" for the
 *   built-in tone
 */
void
bw_alarm_sound_set_file (BwAlarmSound    *self,
                         BwAlarmPriority  priority,
                         const char      *path)
{
  guint k;

  g_return_if_fail (BW_IS_ALARM_SOUND (self));

  k = prio_index (priority);
  if (path && path[0] == '\0')
    path = NULL;
  if (g_strcmp0 (self->files[k], path) == 0)
    return;
  g_free (self->files[k]);
  self->files[k] = g_strdup (path);
  g_clear_pointer (&self->pcm[k], g_bytes_unref);
}

/* ---- GObject ---- */

static void
bw_alarm_sound_dispose (GObject *object)
{
  BwAlarmSound *self = BW_ALARM_SOUND (object);

  if (self->player)
    {
      player_free (self->player);
      self->player = NULL;
    }
  if (self->finishing)
    g_ptr_array_set_size (self->finishing, 0);
  G_OBJECT_CLASS (bw_alarm_sound_parent_class)->dispose (object);
}

static void
bw_alarm_sound_finalize (GObject *object)
{
  BwAlarmSound *self = BW_ALARM_SOUND (object);

  g_ptr_array_unref (self->finishing);
  for (guint k = 0; k < N_PRIO; k++)
    {
      g_free (self->files[k]);
      g_clear_pointer (&self->pcm[k], g_bytes_unref);
    }
  g_free (self->wav_dir);
  g_free (self->output_file);
  G_OBJECT_CLASS (bw_alarm_sound_parent_class)->finalize (object);
}

static void
bw_alarm_sound_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BwAlarmSound *self = BW_ALARM_SOUND (object);

  switch (prop_id)
    {
    case PROP_PLAYING:
      g_value_set_boolean (value, self->player != NULL);
      break;
    case PROP_VOLUME:
      g_value_set_double (value, self->volume);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bw_alarm_sound_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  BwAlarmSound *self = BW_ALARM_SOUND (object);

  switch (prop_id)
    {
    case PROP_VOLUME:
      bw_alarm_sound_set_volume (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bw_alarm_sound_class_init (BwAlarmSoundClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bw_alarm_sound_dispose;
  object_class->finalize = bw_alarm_sound_finalize;
  object_class->get_property = bw_alarm_sound_get_property;
  object_class->set_property = bw_alarm_sound_set_property;

  properties[PROP_PLAYING] =
    g_param_spec_boolean ("playing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VOLUME] =
    g_param_spec_double ("volume", NULL, NULL, 0.0, 1.0, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bw_alarm_sound_init (BwAlarmSound *self)
{
  const char *dir = g_getenv (BW_ALARM_SOUND_WAV_DIR_ENV);

  if (!gst_is_initialized ())
    gst_init (NULL, NULL);
  self->finishing = g_ptr_array_new_with_free_func ((GDestroyNotify) player_free);
  self->volume = 1.0;
  self->priority = BW_ALARM_PRIORITY_HIGH;
  if (dir && dir[0])
    {
      self->wav_dir = g_strdup (dir);
      g_mkdir_with_parents (dir, 0700);
      g_message ("test mode: alarm sounds go to %s", dir);
    }
}

BwAlarmSound *
bw_alarm_sound_new (void)
{
  return g_object_new (BW_TYPE_ALARM_SOUND, NULL);
}
