import kafkaJavascript, { type LibrdKafkaError, type Message } from '@confluentinc/kafka-javascript';
import {
  baseClientConfig,
  isFatalKafkaError,
  watchFatalErrors,
  type ConsumerMetrics,
  type KafkaConnection,
  type Logger,
} from '@badam/pipeline/core';
import type { RebalanceListener, RecordSource } from './record-source.js';

export interface KafkaRecordSourceOptions extends KafkaConnection {
  topic: string;
  groupId: string;
  /** Static membership (`group.instance.id`) when not empty. */
  instanceId: string;
  sessionTimeoutMs: number;
  logger: Logger;
  /** Per-partition lag, from librdkafka's statistics. */
  lag: ConsumerMetrics['lag'];
  /**
   * Called once when the client fails for good (librdkafka's fatal error, e.g. this static member fenced by another
   * process with its instance id): no retry heals it, so the process must exit and be started again.
   */
  onFatal(error: unknown): void;
}

// A CommonJS package: its classes are reachable from ESM only through the default export.
const { KafkaConsumer } = kafkaJavascript;

const REVOKE_PARTITIONS = -174;

interface TopicPartition {
  topic: string;
  partition: number;
}

/** The typings lack the cooperative calls and one consume setting that the JavaScript class has. */
interface UntypedCalls {
  incrementalAssign(assignment: TopicPartition[]): void;
  incrementalUnassign(assignment: TopicPartition[]): void;
  setDefaultIsTimeoutOnlyForFirstMessage(value: boolean): void;
}

/**
 * One member of the consumer group (@confluentinc/kafka-javascript's callback API), committing by hand. It connects
 * to the broker when created and joins the group in start().
 */
export function createKafkaRecordSource(options: KafkaRecordSourceOptions): RecordSource {
  const { topic, logger } = options;
  let listener: RebalanceListener | undefined;
  let leaving = false;
  let failed = false;
  /** The first fatal error, from the error event or from a call that returned it, ends the process once. */
  function fatal(error: unknown) {
    if (failed) return;
    failed = true;
    options.onFatal(error);
  }
  function failIfFatal(error: unknown) {
    if (isFatalKafkaError(error)) fatal(error);
    return error;
  }

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
      rebalance_cb: (error: LibrdKafkaError, assignment: TopicPartition[]) => {
        if (error.code !== REVOKE_PARTITIONS) {
          rebalanceStep('assign', () => untyped.incrementalAssign(assignment));
          return;
        }
        const revoking = listener?.revoking(assignment.map(({ partition }) => partition)) ?? Promise.resolve();
        void revoking.finally(() => rebalanceStep('unassign', () => untyped.incrementalUnassign(assignment)));
      },
    },
    { 'auto.offset.reset': 'earliest' },
  );
  const untyped = consumer as unknown as UntypedCalls;
  consumer.on('event.stats', (stats: { message: string }) => recordLag(stats.message));
  watchFatalErrors(consumer, fatal);
  // librdkafka waits the fetch timeout only for the first record of a call, then returns what is ready.
  untyped.setDefaultIsTimeoutOnlyForFirstMessage(true);
  // Connected at once, so a restarted process joins the group as soon as start() is called.
  const connected = new Promise<void>((resolve, reject) =>
    consumer.connect({ timeout: 30_000 }, (error) => (error ? reject(error) : resolve())),
  );
  connected.catch(() => {}); // start() reports it

  /**
   * A rebalance can arrive while the consumer disconnects (shutdown); librdkafka then refuses the call. Thrown from
   * the callback it would be an uncaught exception, and a process dying with librdkafka's threads running hangs
   * instead of exiting. Nothing is lost by skipping it: the group hands the partitions out again.
   */
  function rebalanceStep(step: string, call: () => void) {
    try {
      call();
    } catch (error) {
      if (!leaving) logger.warn({ err: error, step }, 'rebalance step failed');
    }
  }

  function recordLag(statistics: string) {
    const partitions: Record<string, { consumer_lag?: number; fetch_state?: string }> =
      (JSON.parse(statistics) as { topics?: Record<string, { partitions?: typeof partitions }> }).topics?.[topic]
        ?.partitions ?? {};
    options.lag.reset(); // partitions that moved to another member disappear from this one's series
    for (const [partition, state] of Object.entries(partitions)) {
      if (partition !== '-1' && state.fetch_state === 'active' && (state.consumer_lag ?? -1) >= 0) {
        options.lag.set({ partition }, state.consumer_lag ?? 0);
      }
    }
  }

  return {
    async start(rebalanceListener) {
      listener = rebalanceListener;
      await connected;
      consumer.subscribe([topic]);
    },
    // The client reports an error only from a call that returned no record (its ConsumeNum worker), so none is lost.
    fetch: (max, timeoutMs) =>
      new Promise<Message[]>((resolve, reject) => {
        consumer.setDefaultConsumeTimeout(timeoutMs);
        consumer.consume(max, (error, messages) => (error ? reject(failIfFatal(error)) : resolve(messages)));
      }),
    ownedPartitions: () =>
      new Set(
        consumer
          .assignments()
          .filter((assigned) => assigned.topic === topic)
          .map((assigned) => assigned.partition),
      ),
    commit(offsets) {
      try {
        consumer.commit([...offsets].map(([partition, offset]) => ({ topic, partition, offset })));
      } catch (error) {
        throw failIfFatal(error);
      }
    },
    async stop() {
      leaving = true;
      await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
    },
  };
}
