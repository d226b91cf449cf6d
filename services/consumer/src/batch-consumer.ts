import kafkaJavascript, { type LibrdKafkaError, type Message } from '@confluentinc/kafka-javascript';
import {
  backoffDelays,
  baseClientConfig,
  decodeMessage,
  secondsSince,
  sleep,
  storeBatch,
  type ConsumedRecord,
  type ConsumerMetrics,
  type KafkaConnection,
  type Logger,
  type MessagesRepository,
  type PageRefresher,
  type StoredBatch,
} from '@badam/pipeline';

export interface BatchConsumerOptions extends KafkaConnection {
  topic: string;
  groupId: string;
  instanceId: string;
  sessionTimeoutMs: number;
  maxBatch: number;
  lingerMs: number;
  repository: MessagesRepository;
  /** Rewrites the read model's page of every group in a stored batch, before the batch's offsets are committed. */
  pages: PageRefresher;
  logger: Logger;
  metrics: ConsumerMetrics;
}

export interface BatchConsumer {
  start(): Promise<void>;
  /** Stops fetching, lets the batch in progress store and commit, then leaves the group. */
  stop(): Promise<void>;
  isRunning(): boolean;
}

// A CommonJS package: its classes are reachable from ESM only through the default export.
const { KafkaConsumer } = kafkaJavascript;

const REVOKE_PARTITIONS = -174;

interface TopicPartition {
  topic: string;
  partition: number;
}

interface CooperativeConsumer {
  incrementalAssign(assignment: TopicPartition[]): void;
  incrementalUnassign(assignment: TopicPartition[]): void;
}

/**
 * One member of the consumer group: each partition (so each group id) has one owner at a time. It takes whatever
 * its partitions have ready, up to maxBatch records or lingerMs after the first, and stores them with one heads
 * query and one insert: few large inserts, as ClickHouse wants, whatever the number of partitions.
 *
 * The store is the source of truth for what has been processed (each row carries its partition and offset); the
 * committed Kafka offset only saves re-reading. So a crash anywhere re-reads at most the uncommitted records, and
 * storeBatch skips those already stored.
 *
 * Offsets are committed only once the batch's pages are refreshed in the read model. While the read model is
 * unavailable, batches are still stored (reads fall back to ClickHouse) and their groups wait in the refresher; their
 * offsets are held back, so a consumer that dies meanwhile leaves them to be redelivered, skipped as already stored,
 * and refreshed by the next owner: a page can be missing or late, never left behind for good.
 */
export function createBatchConsumer(options: BatchConsumerOptions): BatchConsumer {
  const { logger, repository, pages, topic, metrics } = options;
  /** Per partition, the next offset to commit once the pages of everything stored up to it are refreshed. */
  const heldOffsets = new Map<number, number>();
  const stopping = new AbortController();
  let running = false;
  let loopDone: Promise<void> = Promise.resolve();
  let inFlight: Promise<unknown> = Promise.resolve();

  const consumer = new KafkaConsumer(
    {
      ...baseClientConfig(options),
      'group.id': options.groupId,
      ...(options.instanceId === '' ? {} : { 'group.instance.id': options.instanceId }),
      // A killed consumer's partitions wait this long before moving to the others.
      'session.timeout.ms': options.sessionTimeoutMs,
      'heartbeat.interval.ms': Math.floor(options.sessionTimeoutMs / 5),
      // While ClickHouse is down a batch is retried in place; give that time before the group evicts the member.
      'max.poll.interval.ms': 600_000,
      'enable.auto.commit': false,
      'partition.assignment.strategy': 'cooperative-sticky',
      // Fewer, fuller fetches: the broker answers once 64 KiB are ready or after 100 ms. Small fetches cost the
      // broker more CPU per message than anything else in the pipeline on a shared 2-core machine.
      'fetch.min.bytes': 65_536,
      'fetch.wait.max.ms': 100,
      // Per-partition lag for the badam_consumer_lag gauge comes from librdkafka's statistics.
      'statistics.interval.ms': 5000,
      // Partitions being revoked are released only after the batch in progress is stored, so the new owner
      // does not race a writer that is about to finish.
      rebalance_cb: (error: LibrdKafkaError, assignment: TopicPartition[]) => {
        // The typings lack the cooperative calls that the JavaScript class has.
        const cooperative = consumer as unknown as CooperativeConsumer;
        if (error.code === REVOKE_PARTITIONS) {
          void inFlight.finally(() => {
            // Offsets held for a page refresh are the next owner's to redeliver; committing them later, after the
            // partition moved on, would only set its committed offset back.
            for (const { partition } of assignment) heldOffsets.delete(partition);
            rebalanceStep('unassign', () => cooperative.incrementalUnassign(assignment));
          });
        } else {
          rebalanceStep('assign', () => cooperative.incrementalAssign(assignment));
        }
      },
    },
    { 'auto.offset.reset': 'earliest' },
  );
  consumer.on('event.stats', (stats: { message: string }) => recordLag(stats.message));
  /**
   * A rebalance can arrive while the consumer disconnects (shutdown); librdkafka then refuses the call. Thrown from
   * this callback it would be an uncaught exception, and a process dying with librdkafka's threads running hangs
   * instead of exiting. Nothing is lost by skipping it: the group hands the partitions out again.
   */
  function rebalanceStep(step: string, call: () => void) {
    try {
      call();
    } catch (error) {
      if (!stopping.signal.aborted) logger.warn({ err: error, step }, 'rebalance step failed');
    }
  }

  // librdkafka waits the consume timeout only for the first record of a call, then returns what is ready.
  (consumer as unknown as { setDefaultIsTimeoutOnlyForFirstMessage(value: boolean): void }).setDefaultIsTimeoutOnlyForFirstMessage(true);

  const consume = (max: number, timeoutMs: number) =>
    new Promise<Message[]>((resolve, reject) => {
      consumer.setDefaultConsumeTimeout(timeoutMs);
      consumer.consume(max, (error, messages) => (error ? reject(error) : resolve(messages)));
    });

  async function nextBatch(): Promise<Message[]> {
    const batch = await consume(options.maxBatch, 200);
    const deadline = Date.now() + options.lingerMs;
    while (batch.length > 0 && batch.length < options.maxBatch && Date.now() < deadline && !stopping.signal.aborted) {
      batch.push(...(await consume(options.maxBatch - batch.length, Math.max(1, deadline - Date.now()))));
    }
    return batch;
  }

  function recordLag(statistics: string) {
    const partitions: Record<string, { consumer_lag?: number; fetch_state?: string }> =
      (JSON.parse(statistics) as { topics?: Record<string, { partitions?: typeof partitions }> }).topics?.[topic]?.partitions ?? {};
    metrics.lag.reset(); // partitions that moved to another member disappear from this one's series
    for (const [partition, state] of Object.entries(partitions)) {
      if (partition !== '-1' && state.fetch_state === 'active' && (state.consumer_lag ?? -1) >= 0) {
        metrics.lag.set({ partition }, state.consumer_lag ?? 0);
      }
    }
  }

  function decode(messages: Message[]): ConsumedRecord[] {
    const records: ConsumedRecord[] = [];
    for (const message of messages) {
      try {
        records.push({ partition: message.partition, offset: message.offset, message: decodeMessage(message.value ?? null) });
      } catch (error) {
        // A record our producer did not write cannot be stored; skipping it keeps the partition moving.
        logger.error({ err: error, partition: message.partition, offset: message.offset }, 'skipping bad record');
        metrics.messages.inc({ result: 'invalid' });
      }
    }
    return records;
  }

  async function storeWithRetry(records: ConsumedRecord[]): Promise<boolean> {
    const nextDelay = backoffDelays(100, 5000);
    for (;;) {
      const start = process.hrtime.bigint();
      try {
        const result = await storeBatch(repository, records);
        recordStored(records, result, secondsSince(start));
        logger.debug(result, 'batch stored');
        return true;
      } catch (error) {
        metrics.batches.inc({ result: 'error' });
        if (stopping.signal.aborted) return false; // not committed: read again by whoever owns the partition next
        const delay = nextDelay();
        logger.warn({ err: error, records: records.length, delayMs: delay }, 'storing a batch failed, retrying');
        await sleep(delay, stopping.signal);
      }
    }
  }

  function recordStored(records: ConsumedRecord[], result: StoredBatch, seconds: number) {
    metrics.batches.inc({ result: 'ok' });
    metrics.batchSize.observe(records.length);
    metrics.batchDuration.observe(seconds);
    metrics.messages.inc({ result: 'stored' }, result.stored);
    if (result.alreadyStored > 0) metrics.messages.inc({ result: 'already_stored' }, result.alreadyStored);
    if (result.duplicates > 0) metrics.messages.inc({ result: 'duplicate' }, result.duplicates);
    const now = Date.now();
    for (const record of records) metrics.endToEndDelay.observe(Math.max(0, now - record.message.accepted_at_ms) / 1000);
  }

  /** Refreshes the pages of the groups given and of any left over; commits every held offset once that succeeds. */
  async function refreshThenCommit(groupIds: number[]) {
    if (!(await pages.refresh(groupIds))) {
      logger.warn({ pendingGroups: pages.pendingGroups() }, 'read model refresh failed; offsets held until it succeeds');
      return;
    }
    if (heldOffsets.size === 0) return;
    try {
      consumer.commit([...heldOffsets].map(([partition, offset]) => ({ topic, partition, offset })));
    } catch (error) {
      // Harmless: the records are stored, and a redelivery is recognised by its offset and skipped.
      logger.warn({ err: error }, 'offset commit failed');
    }
    heldOffsets.clear();
  }

  function hold(messages: Message[]) {
    for (const message of messages) {
      heldOffsets.set(message.partition, Math.max(heldOffsets.get(message.partition) ?? 0, message.offset + 1));
    }
  }

  async function loop() {
    while (!stopping.signal.aborted) {
      let messages: Message[];
      try {
        messages = await nextBatch();
      } catch (error) {
        logger.warn({ err: error }, 'consume failed');
        await sleep(500, stopping.signal);
        continue;
      }
      if (messages.length === 0) {
        // Idle: retry the pages a failed refresh left behind, so they heal without waiting for new records.
        if (pages.pendingGroups() > 0) await refreshThenCommit([]);
        continue;
      }
      const records = decode(messages);
      const work = (async () => {
        if (!(await storeWithRetry(records))) return;
        hold(messages);
        // Every group of the batch, also those whose records were all skipped as already stored: that is how a
        // crash between the insert and the refresh heals on redelivery.
        await refreshThenCommit(records.map((record) => record.message.group_id));
      })();
      inFlight = work;
      await work;
    }
  }

  return {
    async start() {
      await new Promise<void>((resolve, reject) =>
        consumer.connect({ timeout: 30_000 }, (error) => (error ? reject(error) : resolve())),
      );
      consumer.subscribe([topic]);
      running = true;
      loopDone = loop();
    },
    async stop() {
      stopping.abort();
      await loopDone;
      running = false;
      await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
    },
    isRunning: () => running,
  };
}
