import { KafkaJS } from '@confluentinc/kafka-javascript';
import {
  backoffDelays,
  baseClientConfig,
  decodeMessage,
  sleep,
  storeBatch,
  type ConsumedRecord,
  type KafkaConnection,
  type Logger,
  type MessagesRepository,
} from '@badam/pipeline';

export interface BatchConsumerOptions extends KafkaConnection {
  topic: string;
  groupId: string;
  instanceId: string;
  sessionTimeoutMs: number;
  maxBatch: number;
  concurrency: number;
  repository: MessagesRepository;
  logger: Logger;
}

export interface BatchConsumer {
  start(): Promise<void>;
  /** Stops fetching, lets the batches in progress store and commit, then leaves the group. */
  stop(): Promise<void>;
  isRunning(): boolean;
}

/**
 * Reads the topic as one member of the consumer group: each partition (so each group id) has one owner at a time.
 * The store is the source of truth for what has been processed; Kafka's committed offset only saves re-reading.
 */
export function createBatchConsumer(options: BatchConsumerOptions): BatchConsumer {
  const { logger, repository, topic } = options;
  const stopping = new AbortController();
  let running = false;

  const consumer = new KafkaJS.Kafka({}).consumer({
    ...baseClientConfig(options),
    'group.id': options.groupId,
    // A killed consumer's partitions wait this long before moving to the others.
    'session.timeout.ms': options.sessionTimeoutMs,
    'heartbeat.interval.ms': Math.floor(options.sessionTimeoutMs / 5),
    ...(options.instanceId === '' ? {} : { 'group.instance.id': options.instanceId }),
    'enable.auto.commit': false,
    'auto.offset.reset': 'earliest',
    'partition.assignment.strategy': 'cooperative-sticky',
    'js.consumer.max.batch.size': options.maxBatch,
    // Deliver a partition's records as soon as some are there rather than waiting to fill a batch.
    'fetch.wait.max.ms': 50,
  });

  async function storeWithRetry(partition: number, records: ConsumedRecord[], isStale: () => boolean) {
    const nextDelay = backoffDelays(100, 5000);
    for (;;) {
      try {
        return await storeBatch(repository, partition, records);
      } catch (error) {
        if (stopping.signal.aborted || isStale()) throw error; // not committed: the batch is read again later
        const delay = nextDelay();
        logger.warn({ err: error, partition, delayMs: delay }, 'storing a batch failed, retrying');
        await sleep(delay, stopping.signal);
      }
    }
  }

  return {
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic] });
      running = true;
      await consumer.run({
        partitionsConsumedConcurrently: options.concurrency,
        eachBatch: async ({ batch, isStale }) => {
          const records: ConsumedRecord[] = [];
          for (const message of batch.messages) {
            try {
              records.push({
                partition: batch.partition,
                offset: Number(message.offset),
                message: decodeMessage(message.value),
              });
            } catch (error) {
              // A record our producer did not write cannot be stored; skipping it keeps the partition moving.
              logger.error({ err: error, partition: batch.partition, offset: message.offset }, 'skipping bad record');
            }
          }
          const result = await storeWithRetry(batch.partition, records, isStale);
          const last = batch.messages.at(-1);
          if (last === undefined) return;
          try {
            await consumer.commitOffsets([{ topic, partition: batch.partition, offset: String(Number(last.offset) + 1) }]);
          } catch (error) {
            // Harmless: the records are stored, and a redelivery is recognised by its offset and skipped.
            logger.warn({ err: error, partition: batch.partition }, 'offset commit failed');
          }
          logger.debug({ partition: batch.partition, ...result }, 'batch stored');
        },
      });
    },
    async stop() {
      stopping.abort();
      running = false;
      await consumer.disconnect();
    },
    isRunning: () => running,
  };
}
