import kafkaJavascript, { type LibrdKafkaError, type Message } from '@confluentinc/kafka-javascript';
import {
  backoffDelays,
  baseClientConfig,
  decodeMessage,
  secondsSince,
  sleep,
  storeBatch,
  UndecodableRecordError,
  type ConsumedRecord,
  type ConsumerMetrics,
  type KafkaConnection,
  type Logger,
  type MessagesRepository,
  type PageRefresher,
} from '@badam/pipeline/core';
import type { TopicIdentity } from '@badam/pipeline/topic-admin';
import type { DeadLetterSender, DeadRecord } from './dead-letters.js';
import { DEAD_LETTER_REASONS, deadLetterWithRetry, describe, StoppedWhileFailing, storeResiliently, type ResilientOutcome, type ResilientStoreOptions } from './resilient-store.js';
import { settleBatch } from './settle-batch.js';

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
  /** Where records that cannot be stored go, so their offsets can be committed without losing them. */
  deadLetters: DeadLetterSender;
  topicIdentity: TopicIdentity;
  /** Timeouts of one batch (with the database answering pings) before it is split: see storeResiliently. */
  timeoutsBeforeSplit: number;
  /**
   * Called when consuming cannot safely go on in this process (the topic was recreated under it): the process
   * should exit and be restarted, starting clean on the new topic.
   */
  onFatal(error: Error): void;
}

export interface BatchConsumer {
  start(): Promise<void>;
  /** Stops fetching, lets the batch in progress store and commit, then leaves the group. */
  stop(): Promise<void>;
  isRunning(): boolean;
  /** Since when (epoch ms) the batch in progress has been failing, with the last error; undefined while all is well. */
  failing(): { sinceMs: number; error: string } | undefined;
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
 * its partitions have ready, up to maxBatch records or lingerMs after the first, and stores them with a few bounded
 * lookups and one insert (storeBatch): few large inserts, as ClickHouse wants, whatever the number of partitions.
 * What cannot be decoded or stored goes to the dead-letter topic (storeResiliently) before the offsets move past it.
 *
 * The store is the source of truth for what has been processed (each row carries its topic id, partition and
 * offset); the committed Kafka offset only saves re-reading. So a crash anywhere re-reads at most the uncommitted
 * records, and storeBatch skips those already stored.
 *
 * Offsets are committed only once the batch's pages are refreshed in the read model. While the read model is
 * unavailable, batches are still stored (reads fall back to ClickHouse) and their groups wait in the refresher; their
 * offsets are held back, so a consumer that dies meanwhile leaves them to be redelivered, skipped as already stored,
 * and refreshed by the next owner: a page can be missing or late, never left behind for good.
 */
export function createBatchConsumer(options: BatchConsumerOptions): BatchConsumer {
  const { logger, repository, pages, topic, metrics, deadLetters, topicIdentity } = options;
  /** Per partition, the next offset to commit once the pages of everything stored up to it are refreshed. */
  const heldOffsets = new Map<number, number>();
  const stopping = new AbortController();
  let running = false;
  /** The topic's id when consuming began: every record consumed since belongs to it while the topic still has it. */
  let topicId = '';
  let failure: { sinceMs: number; error: string } | undefined;
  // Every reason's series exists from the start, so the first dead letter is an increase Prometheus can see.
  for (const reason of DEAD_LETTER_REASONS) metrics.deadLetters.inc({ reason }, 0);
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

  /** Splits a batch into records to store and records to set aside (with why). */
  function decode(messages: readonly Message[]): { records: ConsumedRecord[]; undecodable: DeadRecord[] } {
    const records: ConsumedRecord[] = [];
    const undecodable: DeadRecord[] = [];
    for (const message of messages) {
      const { partition, offset } = message;
      try {
        records.push({ topicId, partition, offset, message: decodeMessage(message.value ?? null) });
      } catch (error) {
        const reason = error instanceof UndecodableRecordError ? error.reason : 'invalid';
        logger.error({ err: error, partition, offset, reason }, 'record cannot be decoded: sending it to the dead-letter topic');
        undecodable.push({ key: message.key, value: message.value, topicId, letter: { partition, offset, reason, error: describe(error) } });
      }
    }
    return { records, undecodable };
  }

  /** How a batch is stored and its poison set aside; the dead letters carry the batch's own key and value bytes. */
  function resilienceFor(messages: readonly Message[]): ResilientStoreOptions {
    const byOffset = new Map(messages.map((message) => [`${message.partition}:${message.offset}`, message]));
    return {
      store: (records) => storeBatch(repository, records),
      deadLetter: (letters) =>
        deadLetters.send(
          letters.map((letter) => {
            const message = byOffset.get(`${letter.partition}:${letter.offset}`);
            return { key: message?.key, value: message?.value, topicId, letter };
          }),
        ),
      databaseAnswers: () => repository.isReachable(),
      timeoutsBeforeSplit: options.timeoutsBeforeSplit,
      signal: stopping.signal,
      onFailure({ step, error, kind, records, delayMs }) {
        metrics.batches.inc({ result: 'error' });
        const now = Date.now();
        failure = { sinceMs: failure?.sinceMs ?? now, error: describe(error) };
        metrics.failingSeconds.set((now - failure.sinceMs) / 1000);
        logger.warn({ err: error, step, kind, records, delayMs }, step === 'store' ? 'storing a batch failed, retrying' : 'setting records aside failed, retrying');
      },
    };
  }

  /** Stores what can be stored and sets aside the rest; undefined when stopped first (nothing of it is then committed). */
  async function storeOrSetAside(messages: readonly Message[]): Promise<ResilientOutcome | undefined> {
    const { records, undecodable } = decode(messages);
    const batchResilience = resilienceFor(messages);
    const start = process.hrtime.bigint();
    try {
      if (undecodable.length > 0) {
        await deadLetterWithRetry(undecodable.map((dead) => dead.letter), batchResilience);
        for (const dead of undecodable) metrics.deadLetters.inc({ reason: dead.letter.reason });
      }
      const outcome = await storeResiliently(records, batchResilience);
      if (outcome.deadLettered > 0) {
        metrics.deadLetters.inc({ reason: 'unstorable' }, outcome.deadLettered);
        logger.error({ records: outcome.deadLettered }, 'records the database refuses were sent to the dead-letter topic');
      }
      recordStored(records, outcome, secondsSince(start));
      return outcome;
    } catch (error) {
      if (error instanceof StoppedWhileFailing) return undefined; // read again by whoever owns the partition next
      throw error;
    }
  }

  function recordStored(records: ConsumedRecord[], result: ResilientOutcome, seconds: number) {
    failure = undefined;
    metrics.failingSeconds.set(0);
    metrics.batches.inc({ result: 'ok' });
    metrics.batchSize.observe(records.length);
    metrics.batchDuration.observe(seconds);
    metrics.messages.inc({ result: 'stored' }, result.stored);
    if (result.alreadyStored > 0) metrics.messages.inc({ result: 'already_stored' }, result.alreadyStored);
    if (result.duplicates > 0) metrics.messages.inc({ result: 'duplicate' }, result.duplicates);
    const now = Date.now();
    for (const record of records) metrics.endToEndDelay.observe(Math.max(0, now - record.message.accepted_at_ms) / 1000);
  }

  /**
   * The topic's id now, retried while the broker does not answer. A different id than at the start means the topic
   * was deleted and created again under this consumer: its records may be the new topic's, whose offsets restart.
   */
  async function checkTopicIdentity(): Promise<boolean> {
    const nextDelay = backoffDelays(200, 5000);
    while (!stopping.signal.aborted) {
      try {
        const current = await topicIdentity.current();
        if (current === topicId) return true;
        options.onFatal(new Error(`topic ${topic} was recreated (id ${topicId} -> ${current}): restarting to consume it from the start`));
        return false;
      } catch (error) {
        const delayMs = nextDelay();
        logger.warn({ err: error, delayMs }, 'cannot read the topic id, retrying');
        await sleep(delayMs, stopping.signal);
      }
    }
    return false;
  }

  function ownedPartitions(): Set<number> {
    return new Set(consumer.assignments().filter((assigned) => assigned.topic === topic).map((assigned) => assigned.partition));
  }

  /** Refreshes the pages of the groups given and of any left over; commits every held offset once that succeeds. */
  async function refreshThenCommit(maxOrders: ReadonlyMap<number, number>) {
    if (!(await pages.refresh(maxOrders))) {
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

  function hold(messages: readonly Message[]) {
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
      const { records: batch, moved, redelivered } = settleBatch(messages, ownedPartitions());
      if (moved > 0) metrics.settled.inc({ result: 'partition_moved' }, moved);
      if (redelivered > 0) metrics.settled.inc({ result: 'redelivered_in_batch' }, redelivered);
      if (batch.length === 0) {
        // Idle: retry the pages a failed refresh left behind, so they heal without waiting for new records.
        if (pages.pendingGroups() > 0) await refreshThenCommit(new Map());
        continue;
      }
      if (!(await checkTopicIdentity())) return;
      const work = (async () => {
        const outcome = await storeOrSetAside(batch);
        if (outcome === undefined) return;
        hold(batch);
        // Every group of the batch, also those whose records were all skipped as already stored: that is how a
        // crash between the insert and the refresh heals on redelivery.
        await refreshThenCommit(outcome.maxOrders);
      })();
      inFlight = work;
      await work;
    }
  }

  return {
    async start() {
      topicId = await topicIdentity.current();
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
    failing: () => failure,
  };
}
