/* bwd-kafka.c: the Kafka source (a consumer group on the "data" topic) and
 * the producer of the "events" topic
 *
 * A thread polls the consumer and hands batches of messages to the main
 * context, where the monitor processes them. The offset reached in each
 * partition is written to the ledger in the same transaction as what the
 * samples caused, and only then committed to Kafka: after a crash the
 * service resumes from the ledger's offsets, so nothing is lost and nothing
 * is counted twice.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bwd-kafka"

#include "config.h"

#include <string.h>

#include <librdkafka/rdkafka.h>

#include "bw-error.h"
#include "bw-time.h"
#include "bwd-service-private.h"

#define POLL_MS          100
#define MAX_IN_FLIGHT    4
#define SOURCE_PREFIX    "kafka:"

typedef struct
{
  int      partition;
  gint64   offset;
  GBytes  *payload;
} Message;

struct _BwdKafka
{
  BwdService  *service;          /* unowned; NULL once stopped */
  rd_kafka_t  *consumer;
  rd_kafka_t  *producer;
  char        *topic;
  char        *events_topic;
  char        *source_name;      /* "kafka:<topic>" in source_offsets */
  GThread     *thread;
  gint         running;          /* atomic */
  GMutex       lock;
  GCond        cond;
  guint        in_flight;
  GHashTable  *offsets;          /* partition → gint64* next offset, as stored (under lock) */

  guint64      consumed;
  guint64      batches;
  guint64      produced;
  guint64      produce_errors;
  guint64      commit_errors;
  guint        poll_source_id;
  gint         ref_count;

  /* the events topic is at least once: the ledger knows up to which seq the
   * events were delivered, and they are produced again after a crash */
  char        *events_source;    /* "kafka-events:<topic>" in source_offsets */
  GSequence   *unacked;          /* gint64 seqs produced, not yet delivered */
  gint64       produced_seq;     /* highest seq handed to the producer */
  gint64       saved_seq;        /* delivered up to, as stored in the ledger */
};

typedef struct
{
  BwdKafka  *kafka;
  GPtrArray *messages;  /* Message* */
} Batch;

static BwdKafka *
kafka_ref (BwdKafka *k)
{
  g_atomic_int_inc (&k->ref_count);
  return k;
}

static void
kafka_unref (BwdKafka *k)
{
  if (!g_atomic_int_dec_and_test (&k->ref_count))
    return;
  g_clear_pointer (&k->offsets, g_hash_table_unref);
  g_mutex_clear (&k->lock);
  g_cond_clear (&k->cond);
  g_free (k->topic);
  g_free (k->events_topic);
  g_free (k->source_name);
  g_free (k->events_source);
  g_clear_pointer (&k->unacked, g_sequence_free);
  g_free (k);
}

static void
message_free (Message *m)
{
  g_bytes_unref (m->payload);
  g_free (m);
}

static void
batch_free (Batch *b)
{
  g_ptr_array_unref (b->messages);
  kafka_unref (b->kafka);
  g_free (b);
}

/* ---- main context ---- */

static gboolean
process_batch_cb (gpointer data)
{
  Batch *batch = data;
  BwdKafka *k = batch->kafka;
  BwdService *self = k->service;
  g_autoptr(GHashTable) next = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  GHashTableIter iter;
  gpointer key, value;

  if (self != NULL && g_atomic_int_get (&k->running))
    {
      for (guint i = 0; i < batch->messages->len; i++)
        {
          Message *m = batch->messages->pdata[i];
          gsize len;
          const char *data_ = g_bytes_get_data (m->payload, &len);
          gint64 *n = g_hash_table_lookup (next, GINT_TO_POINTER (m->partition));

          bw_monitor_ingest_message (self->monitor, data_ ? data_ : "", len);
          if (n == NULL)
            {
              n = g_new (gint64, 1);
              g_hash_table_insert (next, GINT_TO_POINTER (m->partition), n);
            }
          *n = m->offset + 1;
        }
      g_hash_table_iter_init (&iter, next);
      while (g_hash_table_iter_next (&iter, &key, &value))
        bw_monitor_queue_offset (self->monitor, k->source_name, GPOINTER_TO_INT (key), *(gint64 *) value);

      if (bw_monitor_flush (self->monitor, NULL))
        {
          rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new (4);

          g_mutex_lock (&k->lock);
          g_hash_table_iter_init (&iter, next);
          while (g_hash_table_iter_next (&iter, &key, &value))
            {
              gint64 *stored = g_new (gint64, 1);
              *stored = *(gint64 *) value;
              g_hash_table_insert (k->offsets, key, stored);
              rd_kafka_topic_partition_list_add (list, k->topic, GPOINTER_TO_INT (key))->offset = *stored;
            }
          g_mutex_unlock (&k->lock);
          if (list->cnt > 0)
            {
              rd_kafka_resp_err_t err = rd_kafka_commit (k->consumer, list, 1);
              if (err)
                {
                  k->commit_errors++;
                  g_debug ("offset commit: %s", rd_kafka_err2str (err));
                }
            }
          rd_kafka_topic_partition_list_destroy (list);
        }
      k->batches++;
    }

  g_mutex_lock (&k->lock);
  k->in_flight--;
  g_cond_signal (&k->cond);
  g_mutex_unlock (&k->lock);
  batch_free (batch);
  return G_SOURCE_REMOVE;
}

/* ---- the consumer thread ---- */

static void
rebalance_cb (rd_kafka_t                       *rk,
              rd_kafka_resp_err_t               err,
              rd_kafka_topic_partition_list_t  *partitions,
              void                             *opaque)
{
  BwdKafka *k = opaque;

  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
    {
      g_mutex_lock (&k->lock);
      for (int i = 0; i < partitions->cnt; i++)
        {
          gint64 *off = g_hash_table_lookup (k->offsets, GINT_TO_POINTER (partitions->elems[i].partition));
          /* the ledger knows where this service got to */
          if (off)
            partitions->elems[i].offset = *off;
        }
      g_mutex_unlock (&k->lock);
      g_message ("assigned %d partition(s) of %s", partitions->cnt, k->topic);
      rd_kafka_assign (rk, partitions);
    }
  else
    {
      g_message ("partitions of %s revoked", k->topic);
      rd_kafka_assign (rk, NULL);
    }
}

static gpointer
consumer_thread (gpointer data)
{
  BwdKafka *k = data;
  guint batch_size = MAX (k->service ? k->service->config->kafka_batch_size : 1000, 1);

  while (g_atomic_int_get (&k->running))
    {
      Batch *batch = NULL;
      rd_kafka_message_t *rm = rd_kafka_consumer_poll (k->consumer, POLL_MS);

      while (rm != NULL)
        {
          if (rm->err == RD_KAFKA_RESP_ERR_NO_ERROR)
            {
              Message *m = g_new0 (Message, 1);

              m->partition = rm->partition;
              m->offset = rm->offset;
              m->payload = g_bytes_new (rm->payload, rm->len);
              if (batch == NULL)
                {
                  batch = g_new0 (Batch, 1);
                  batch->kafka = kafka_ref (k);
                  batch->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) message_free);
                }
              g_ptr_array_add (batch->messages, m);
              k->consumed++;
            }
          else if (rm->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            g_warning ("Kafka: %s", rd_kafka_message_errstr (rm));
          rd_kafka_message_destroy (rm);
          if (batch && batch->messages->len >= batch_size)
            break;
          rm = rd_kafka_consumer_poll (k->consumer, 0);
        }
      if (batch == NULL)
        continue;

      g_mutex_lock (&k->lock);
      while (k->in_flight >= MAX_IN_FLIGHT && g_atomic_int_get (&k->running))
        g_cond_wait_until (&k->cond, &k->lock, g_get_monotonic_time () + 100 * G_TIME_SPAN_MILLISECOND);
      k->in_flight++;
      g_mutex_unlock (&k->lock);
      g_main_context_invoke (NULL, process_batch_cb, batch);
    }
  return NULL;
}

/* ---- events producer ---- */

static void save_delivered (BwdKafka *k);

static gboolean
poll_producer_cb (gpointer data)
{
  BwdKafka *k = data;

  rd_kafka_poll (k->producer, 0);
  save_delivered (k);
  return G_SOURCE_CONTINUE;
}

static gint
compare_seq (gconstpointer a,
             gconstpointer b,
             gpointer      data)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return (x > y) - (x < y);
}

/* Everything below the oldest event still in flight has been delivered */
static void
save_delivered (BwdKafka *k)
{
  GSequenceIter *first = g_sequence_get_begin_iter (k->unacked);
  gint64 delivered = g_sequence_iter_is_end (first) ? k->produced_seq
                                                     : *(gint64 *) g_sequence_get (first) - 1;
  g_autoptr(GError) error = NULL;
  BwLedger *l;

  if (k->service == NULL || delivered <= k->saved_seq)
    return;
  l = k->service->ledger;
  if (!bw_ledger_begin (l, &error) ||
      !bw_ledger_set_offset (l, k->events_source, 0, delivered + 1, &error) ||
      !bw_ledger_commit (l, &error))
    {
      bw_ledger_rollback (l);
      g_debug ("could not store the events topic's position: %s", error->message);
      return;
    }
  k->saved_seq = delivered;
}

static void
delivery_cb (rd_kafka_t               *rk,
             const rd_kafka_message_t *m,
             void                     *opaque)
{
  BwdKafka *k = opaque;
  gint64 *seq = m->_private;

  if (m->err)
    {
      k->produce_errors++;
      g_warning ("an event could not be sent to Kafka: %s", rd_kafka_err2str (m->err));
    }
  else
    k->produced++;
  if (seq)
    {
      /* a failed event stays "in flight": the position is not moved past it
       * and the event is sent again at the next start */
      if (!m->err)
        {
          GSequenceIter *it = g_sequence_lookup (k->unacked, seq, compare_seq, NULL);
          if (it)
            g_sequence_remove (it);
        }
      g_free (seq);
    }
}

void
bwd_kafka_produce_event (BwdKafka *k,
                         BwEvent  *event)
{
  g_autofree char *text = NULL;
  rd_kafka_resp_err_t err;

  gint64 *seq;

  if (k->producer == NULL || !bw_event_is_persistent (event) || event->seq <= k->produced_seq)
    return;
  text = bw_event_to_string (event);
  seq = g_new (gint64, 1);
  *seq = event->seq;
  err = rd_kafka_producev (k->producer,
                           RD_KAFKA_V_TOPIC (k->events_topic),
                           RD_KAFKA_V_KEY (event->conveyor, event->conveyor ? strlen (event->conveyor) : 0),
                           RD_KAFKA_V_VALUE (text, strlen (text)),
                           RD_KAFKA_V_MSGFLAGS (RD_KAFKA_MSG_F_COPY),
                           RD_KAFKA_V_OPAQUE (seq),
                           RD_KAFKA_V_END);
  if (err)
    {
      k->produce_errors++;
      g_warning ("cannot queue an event for Kafka: %s", rd_kafka_err2str (err));
      g_free (seq);
      return;
    }
  g_sequence_insert_sorted (k->unacked, g_memdup2 (seq, sizeof *seq), compare_seq, NULL);
  k->produced_seq = event->seq;
}

/* ---- set-up ---- */

static rd_kafka_conf_t *
make_conf (BwdKafka    *k,
           gboolean     consumer,
           GError     **error)
{
  rd_kafka_conf_t *conf = rd_kafka_conf_new ();
  GHashTableIter iter;
  gpointer key, value;
  char errstr[512];

  g_hash_table_iter_init (&iter, k->service->config->kafka_properties);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      /* consumer-only keys would be rejected by a producer */
      if (!consumer && (g_str_equal (key, "group.id") || g_str_has_prefix (key, "auto.offset") ||
                        g_str_has_prefix (key, "enable.auto") || g_str_has_prefix (key, "session.") ||
                        g_str_has_prefix (key, "max.poll") || g_str_has_prefix (key, "partition.assignment")))
        continue;
      if (rd_kafka_conf_set (conf, key, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_CONFIG, "[kafka] %s: %s", (char *) key, errstr);
          rd_kafka_conf_destroy (conf);
          return NULL;
        }
    }
  if (consumer)
    {
      /* offsets are ours to commit, after the ledger has what they caused */
      rd_kafka_conf_set (conf, "enable.auto.commit", "false", NULL, 0);
      rd_kafka_conf_set (conf, "enable.auto.offset.store", "false", NULL, 0);
      if (!g_hash_table_contains (k->service->config->kafka_properties, "auto.offset.reset"))
        rd_kafka_conf_set (conf, "auto.offset.reset", "earliest", NULL, 0);
      rd_kafka_conf_set_rebalance_cb (conf, rebalance_cb);
    }
  else
    rd_kafka_conf_set_dr_msg_cb (conf, delivery_cb);
  rd_kafka_conf_set_opaque (conf, k);
  return conf;
}

BwdKafka *
bwd_kafka_new (BwdService  *service,
               GError     **error)
{
  BwdKafka *k = g_new0 (BwdKafka, 1);
  rd_kafka_conf_t *conf;
  rd_kafka_topic_partition_list_t *topics;
  rd_kafka_resp_err_t err;
  g_autoptr(GError) local = NULL;
  char errstr[512];

  k->ref_count = 1;
  k->service = service;
  k->topic = g_strdup (service->config->kafka_topic);
  k->events_topic = g_strdup (service->config->kafka_events_topic);
  k->source_name = g_strconcat (SOURCE_PREFIX, k->topic, NULL);
  k->events_source = g_strconcat ("kafka-events:", k->events_topic, NULL);
  k->unacked = g_sequence_new (g_free);
  g_mutex_init (&k->lock);
  g_cond_init (&k->cond);

  k->offsets = bw_ledger_get_offsets (service->ledger, k->source_name, &local);
  if (k->offsets == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      kafka_unref (k);
      return NULL;
    }

  conf = make_conf (k, TRUE, error);
  if (conf == NULL)
    {
      kafka_unref (k);
      return NULL;
    }
  k->consumer = rd_kafka_new (RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (k->consumer == NULL)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_CONFIG, "Cannot create the Kafka consumer: %s", errstr);
      kafka_unref (k);
      return NULL;
    }
  rd_kafka_poll_set_consumer (k->consumer);
  topics = rd_kafka_topic_partition_list_new (1);
  rd_kafka_topic_partition_list_add (topics, k->topic, RD_KAFKA_PARTITION_UA);
  err = rd_kafka_subscribe (k->consumer, topics);
  rd_kafka_topic_partition_list_destroy (topics);
  if (err)
    {
      g_set_error (error, BW_ERROR, BW_ERROR_CONFIG, "Cannot subscribe to %s: %s", k->topic, rd_kafka_err2str (err));
      rd_kafka_destroy (k->consumer);
      k->consumer = NULL;
      kafka_unref (k);
      return NULL;
    }

  if (k->events_topic && *k->events_topic)
    {
      conf = make_conf (k, FALSE, error);
      if (conf == NULL || (k->producer = rd_kafka_new (RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr)) == NULL)
        {
          if (conf && error && *error == NULL)
            g_set_error (error, BW_ERROR, BW_ERROR_CONFIG, "Cannot create the Kafka producer: %s", errstr);
          rd_kafka_consumer_close (k->consumer);
          rd_kafka_destroy (k->consumer);
          k->consumer = NULL;
          kafka_unref (k);
          return NULL;
        }
      k->poll_source_id = g_timeout_add (100, poll_producer_cb, k);

      /* what a crash kept from the events topic is sent now */
      {
        g_autoptr(GHashTable) done = bw_ledger_get_offsets (service->ledger, k->events_source, NULL);
        gint64 *next = done ? g_hash_table_lookup (done, GINT_TO_POINTER (0)) : NULL;
        gint64 after = next ? *next - 1 : bw_ledger_get_last_seq (service->ledger, NULL);
        guint resent = 0;

        k->produced_seq = MAX (after, 0);
        /* the position is stored from the start: a service that dies before
         * its first delivery resends from here, not from wherever the log is
         * by then */
        k->saved_seq = k->produced_seq - 1;
        save_delivered (k);
        for (;;)
          {
            g_autoptr(GPtrArray) backlog = bw_ledger_events_after (service->ledger, k->produced_seq, 1000, NULL);
            if (backlog == NULL || backlog->len == 0)
              break;
            for (guint i = 0; i < backlog->len; i++)
              bwd_kafka_produce_event (k, backlog->pdata[i]);
            resent += backlog->len;
          }
        if (resent)
          g_message ("%u events not delivered to %s before are sent again", resent, k->events_topic);
      }
    }

  g_atomic_int_set (&k->running, 1);
  k->thread = g_thread_new ("bwd-kafka", consumer_thread, k);
  return k;
}

void
bwd_kafka_free (BwdKafka *k)
{
  if (k == NULL)
    return;
  g_atomic_int_set (&k->running, 0);
  g_mutex_lock (&k->lock);
  g_cond_broadcast (&k->cond);
  g_mutex_unlock (&k->lock);
  if (k->thread)
    g_thread_join (k->thread);
  g_clear_handle_id (&k->poll_source_id, g_source_remove);
  if (k->consumer)
    {
      rd_kafka_consumer_close (k->consumer);
      rd_kafka_destroy (k->consumer);
    }
  if (k->producer)
    {
      if (rd_kafka_flush (k->producer, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR)
        g_warning ("%d events were not delivered to Kafka; they are sent at the next start",
                   rd_kafka_outq_len (k->producer));
      save_delivered (k);
      rd_kafka_destroy (k->producer);
    }
  k->service = NULL;
  kafka_unref (k);
}

gboolean
bwd_kafka_is_consuming (BwdKafka *k)
{
  return g_atomic_int_get (&k->running);
}

void
bwd_kafka_append_metrics (BwdKafka *k,
                          GString  *out)
{
  g_string_append (out, "# HELP beltwatch_kafka_messages_total Messages consumed from Kafka.\n"
                        "# TYPE beltwatch_kafka_messages_total counter\n");
  g_string_append_printf (out, "beltwatch_kafka_messages_total %" G_GUINT64_FORMAT "\n", k->consumed);
  g_string_append (out, "# HELP beltwatch_kafka_events_produced_total Events delivered to the events topic.\n"
                        "# TYPE beltwatch_kafka_events_produced_total counter\n");
  g_string_append_printf (out, "beltwatch_kafka_events_produced_total %" G_GUINT64_FORMAT "\n", k->produced);
  g_string_append (out, "# HELP beltwatch_kafka_errors_total Kafka produce and commit errors.\n"
                        "# TYPE beltwatch_kafka_errors_total counter\n");
  g_string_append_printf (out, "beltwatch_kafka_errors_total{kind=\"produce\"} %" G_GUINT64_FORMAT "\n",
                          k->produce_errors);
  g_string_append_printf (out, "beltwatch_kafka_errors_total{kind=\"commit\"} %" G_GUINT64_FORMAT "\n",
                          k->commit_errors);
}
