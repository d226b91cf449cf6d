import kafkaJavascript, { type Message } from '@confluentinc/kafka-javascript';
import { createClickHouseClient } from '@badam/pipeline/clickhouse-client';
import {
  baseClientConfig,
  clickhouseConnection,
  createLogger,
  DEAD_LETTER_HEADERS,
  deadLetterTopic,
  kafkaConnection,
} from '@badam/pipeline/core';
import { loadDeadLettersConfig } from './config.js';
import { createDeadLetterCopies } from './dead-letter-copies.js';
import { createStoredAfterAll } from './stored-after-all.js';

/**
 * Lists the records on the dead-letter topic not replayed yet, each once however many copies of it the consumers
 * set aside (dead-letter-copies.ts) and none a redelivery stored after all (stored-after-all.ts), and with --replay sends each back to the messages topic (same key, same value)
 * and marks it replayed. Run it once the cause is fixed: consumers upgraded to a newer record format
 * (unsupported_version) or the database taught to take the record (unstorable). A replayed message is a new record:
 * it is stored after the messages sent meanwhile, with the group's next order. Natively
 * `npm run dead-letters [-- --replay]`; in Docker, docs/DEPLOY.md.
 */
const config = loadDeadLettersConfig();
const logger = createLogger('dead-letters', config.LOG_LEVEL);
const replay = process.argv.includes('--replay');
const connection = kafkaConnection(config);
const source = deadLetterTopic(config.KAFKA_TOPIC);
// Replayed up to here: the offsets committed by this group on the dead-letter topic.
const REPLAY_GROUP = `${config.KAFKA_TOPIC}-dead-letter-replay`;

const { KafkaConsumer, Producer } = kafkaJavascript;
const consumer = new KafkaConsumer(
  { ...baseClientConfig(connection), 'group.id': REPLAY_GROUP, 'enable.auto.commit': false },
  { 'auto.offset.reset': 'earliest' },
);
// The records of a chunk and the replay group's offset past them are committed in one transaction: a replay that
// stops half-way has sent nothing the consumers see (they read committed records only, librdkafka's default), and
// the next replay, starting with the same transactional id, aborts what it left open and sends it again. A second
// replay started meanwhile fences the first.
const producer = new Producer({
  ...baseClientConfig(connection),
  'transactional.id': REPLAY_GROUP,
  // The KafkaJS API's default, which the producers use: a group's records go to the same partition.
  partitioner: 'murmur2_random',
});
const TRANSACTION_TIMEOUT_MS = 30_000;
const clickhouse = createClickHouseClient(clickhouseConnection(config));
const storedAfterAll = createStoredAfterAll(clickhouse, config.CLICKHOUSE_TABLE);

/** A callback call of the node-rdkafka API as a promise. */
function settled(call: (done: (error: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => call((error) => (error ? reject(error) : resolve())));
}

/** Sends `messages` back to the topic and moves the replay group past `nextOffset`, all or nothing. */
async function replayChunk(messages: readonly Message[], nextOffset: number) {
  await settled((done) => producer.beginTransaction(done));
  try {
    for (const message of messages)
      producer.produce(config.KAFKA_TOPIC, null, message.value ?? null, message.key ?? null, null);
    await settled((done) =>
      producer.sendOffsetsToTransaction(
        [{ topic: source, partition: 0, offset: nextOffset }],
        consumer,
        TRANSACTION_TIMEOUT_MS,
        done,
      ),
    );
    await settled((done) => producer.commitTransaction(TRANSACTION_TIMEOUT_MS, done));
  } catch (error) {
    await settled((done) => producer.abortTransaction(TRANSACTION_TIMEOUT_MS, done)).catch(() => {});
    throw error;
  }
}

function header(message: Message, name: string): string {
  for (const entry of message.headers ?? []) {
    const value = (entry as Record<string, unknown>)[name];
    if (value !== undefined) return String(value);
  }
  return '';
}

const consume = (max: number) =>
  new Promise<Message[]>((resolve, reject) =>
    consumer.consume(max, (error, messages) => (error ? reject(error) : resolve(messages))),
  );

/** Reads the dead-letter topic from `from` up to `end` (excluded), a chunk at a time, in offset order. */
async function readDeadLetters(from: number, end: number, onChunk: (messages: Message[]) => Promise<void>) {
  if (from >= end) return;
  consumer.assign([{ topic: source, partition: 0, offset: from }]);
  let lastProgress = Date.now();
  let next = from;
  try {
    while (next < end) {
      const messages = (await consume(100)).filter((message) => message.offset >= next && message.offset < end);
      if (messages.length === 0) {
        if (Date.now() - lastProgress > 30_000)
          throw new Error(`no record read from ${source} for 30 s (at offset ${next} of ${end})`);
        continue;
      }
      lastProgress = Date.now();
      await onChunk(messages);
      next = messages[messages.length - 1]!.offset + 1;
    }
  } finally {
    consumer.unassign();
  }
}

try {
  await new Promise<void>((resolve, reject) =>
    consumer.connect({ timeout: 30_000 }, (error) => (error ? reject(error) : resolve())),
  );
  consumer.setDefaultConsumeTimeout(1000);
  if (replay) {
    await settled((done) => producer.connect({ timeout: 30_000 }, done));
    // Before the committed offset is read: this aborts what a replay that stopped half-way left open.
    await settled((done) => producer.initTransactions(TRANSACTION_TIMEOUT_MS, done));
  }
  const { lowOffset, highOffset: end } = await new Promise<{ lowOffset: number; highOffset: number }>(
    (resolve, reject) =>
      consumer.queryWatermarkOffsets(source, 0, 10_000, (error, offsets) => (error ? reject(error) : resolve(offsets))),
  );
  const committed = await new Promise<number>((resolve, reject) =>
    consumer.committed([{ topic: source, partition: 0 }], 10_000, (error, partitions) =>
      error ? reject(error) : resolve(partitions[0]?.offset ?? -1),
    ),
  );
  // Nothing committed yet reads as a negative offset: start from the oldest record the topic still has.
  const next = Math.max(committed, lowOffset);
  // First the whole topic, replayed part included, for the copies of each source: a copy set aside after its source
  // was replayed is not replayed again.
  const copies = createDeadLetterCopies();
  if (next < end)
    await readDeadLetters(lowOffset, end, async (messages) => {
      for (const message of messages) copies.add(header(message, DEAD_LETTER_HEADERS.source), message.offset);
    });
  let count = 0;
  let laterCopies = 0;
  let stored = 0;
  await readDeadLetters(next, end, async (messages) => {
    const firstCopies: Message[] = [];
    for (const message of messages) {
      const letterSource = header(message, DEAD_LETTER_HEADERS.source);
      const first = copies.firstCopy(letterSource, message.offset);
      if (first === undefined) {
        laterCopies++;
        continue;
      }
      if (await storedAfterAll(letterSource, message.key)) {
        logger.info({ offset: message.offset, source: letterSource }, 'stored after all: not replayed');
        stored++;
        continue;
      }
      logger.info(
        {
          offset: message.offset,
          reason: header(message, DEAD_LETTER_HEADERS.reason),
          source: letterSource,
          copies: first.copies,
          error: header(message, DEAD_LETTER_HEADERS.error),
        },
        replay ? 'replaying' : 'dead letter',
      );
      count++;
      firstCopies.push(message);
    }
    // Past the later copies too, so the next run does not read them again.
    if (replay) await replayChunk(firstCopies, messages[messages.length - 1]!.offset + 1);
  });
  logger.info(
    { records: count, laterCopies, storedAfterAll: stored, replayed: replay },
    replay ? 'dead letters replayed' : 'dead letters listed (replay them with --replay)',
  );
} catch (error) {
  logger.error({ err: error }, 'dead-letter tool failed');
  process.exitCode = 1;
} finally {
  if (replay) await settled((done) => producer.disconnect(done));
  await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  await clickhouse.close();
}
