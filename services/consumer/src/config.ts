import {
  clickhouseSettings,
  httpSettings,
  int,
  kafkaSettings,
  readConfig,
  readModelSettings,
  str,
} from '@badam/pipeline/core';

export const consumerSettings = {
  ...httpSettings,
  ...kafkaSettings,
  ...clickhouseSettings,
  ...readModelSettings,
  CONSUMER_GROUP_ID: str('Kafka consumer group shared by the fleet', {
    default: 'badam-consumers',
    pattern: /^[A-Za-z0-9._-]{1,200}$/,
  }),
  CONSUMER_INSTANCE_ID: str('static group membership id (e.g. consumer-{{.Task.Slot}}); empty for dynamic', {
    default: '',
  }),
  CONSUMER_MAX_BATCH: int('most records stored in one insert', { default: 5000, min: 1, max: 10000 }),
  CONSUMER_SESSION_TIMEOUT_MS: int('how long before a silent consumer loses its partitions, ms', {
    default: 10000,
    min: 6000,
    max: 300000,
  }),
  // Each batch costs five ClickHouse calls (keys, heads, insert, keys index, the read model's pages) whatever its size, so fewer,
  // fuller batches: 50 -> 250 ms took ClickHouse from 44 % to 28 % of a core at 900 requests/s (docs/BENCHMARKS.md).
  CONSUMER_LINGER_MS: int('how long a batch may wait for more records after its first, ms', {
    default: 250,
    min: 0,
    max: 5000,
  }),
  CONSUMER_TIMEOUTS_BEFORE_SPLIT: int('timeouts of one batch, with ClickHouse answering pings, before it is split', {
    default: 5,
    min: 1,
    max: 100,
  }),
  CONSUMER_STUCK_AFTER_MS: int(
    '/health answers 503 "stuck" once the batch in progress has been failing this long, ms',
    {
      default: 60000,
      min: 1000,
      max: 3_600_000,
    },
  ),
} as const;

export type ConsumerConfig = ReturnType<typeof loadConsumerConfig>;

export function loadConsumerConfig(env: NodeJS.ProcessEnv = process.env) {
  return readConfig(consumerSettings, env);
}
