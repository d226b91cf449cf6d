import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { LATENCY_BUCKETS } from './service-metrics.js';

/** What the producer records about its sends to Kafka. */
export function createProducerMetrics(registry: Registry) {
  return {
    produceDuration: new Histogram({
      name: 'badam_produce_duration_seconds',
      help: 'Time from handing a record to the Kafka client to the broker acknowledging it',
      labelNames: ['result'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
  };
}

export type ProducerMetrics = ReturnType<typeof createProducerMetrics>;

/** What a consumer records about the batches it stores. */
export function createConsumerMetrics(registry: Registry) {
  return {
    messages: new Counter({
      name: 'badam_consumer_messages_total',
      help: 'Records taken from Kafka, by outcome: stored, already_stored (a redelivery), duplicate (a resend with a stored Idempotency-Key)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    batches: new Counter({
      name: 'badam_consumer_batches_total',
      help: 'Batches processed, by outcome',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'badam_consumer_batch_size',
      help: 'Records per stored batch',
      buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
      registers: [registry],
    }),
    batchDuration: new Histogram({
      name: 'badam_consumer_batch_duration_seconds',
      help: 'Time to store one batch: heads lookups, order assignment, insert and keys index (and any dead letters)',
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    endToEndDelay: new Histogram({
      name: 'badam_end_to_end_delay_seconds',
      help: 'Time from the producer accepting a message to the consumer storing it',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'badam_consumer_dead_letters_total',
      help: 'Records set aside on the dead-letter topic, by reason: unreadable, unsupported_version, invalid (cannot be decoded), unstorable (the database refuses it)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    settled: new Counter({
      name: 'badam_consumer_batch_dropped_total',
      help: "Records dropped from a batch before storing, because their partition was revoked while it filled: partition_moved (now another member's), redelivered_in_batch (handed back and delivered again)",
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    failingSeconds: new Gauge({
      name: 'badam_consumer_failing_seconds',
      help: 'How long the batch in progress has been failing to store (0 when the last attempt succeeded)',
      registers: [registry],
    }),
    lag: new Gauge({
      name: 'badam_consumer_lag',
      help: 'Records in the partition not yet consumed by this consumer (from librdkafka statistics)',
      labelNames: ['partition'] as const,
      registers: [registry],
    }),
  };
}

export type ConsumerMetrics = ReturnType<typeof createConsumerMetrics>;

/** ClickHouse calls by operation (read, heads, insert), recorded by the repository. */
export function createClickHouseMetrics(registry: Registry) {
  const duration = new Histogram({
    name: 'badam_clickhouse_query_duration_seconds',
    help: 'ClickHouse calls by operation and outcome',
    labelNames: ['operation', 'result'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  return {
    observe(operation: 'read' | 'heads' | 'insert' | 'pages', result: 'ok' | 'error', seconds: number) {
      duration.observe({ operation, result }, seconds);
    },
  };
}

export type ClickHouseMetrics = ReturnType<typeof createClickHouseMetrics>;

/** The hot read model (Valkey/Redis), from the read apps (get, fill) and the consumers (refresh). */
export function createReadModelMetrics(registry: Registry) {
  return {
    reads: new Counter({
      name: 'badam_read_model_reads_total',
      help: 'Latest-page reads by outcome: hit (answered from the store), miss (from ClickHouse, then filled), fallback (store failing: from ClickHouse)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'badam_read_model_duration_seconds',
      help: 'Read model calls by operation (get, fill, refresh: a batch of pages from ClickHouse to the store) and outcome',
      labelNames: ['operation', 'result'] as const,
      // A get takes a fraction of a millisecond: finer buckets than the request histograms'.
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    pendingGroups: new Gauge({
      name: 'badam_read_model_pending_groups',
      help: 'Groups whose page a consumer could not refresh yet (store or database unavailable); their offsets wait',
      registers: [registry],
    }),
  };
}

export type ReadModelMetrics = ReturnType<typeof createReadModelMetrics>;
