import kafkaJavascript, { KafkaJS, type Message } from '@confluentinc/kafka-javascript';
import {
  baseClientConfig,
  createLogger,
  DEAD_LETTER_HEADERS,
  deadLetterTopic,
  kafkaConnection,
} from '@badam/pipeline/core';
import { loadDeadLettersConfig } from './config.js';
import { createDeadLetterCopies } from './dead-letter-copies.js';

/**
 * Lists the records on the dead-letter topic not replayed yet, each once however many copies of it the consumers
 * set aside (dead-letter-copies.ts), and with --replay sends each back to the messages topic (same key, same value)
 * and marks it replayed. Run it once the cause is fixed: consumers upgraded to a newer
 * record format (unsupported_version) or the database taught to take the record (unstorable). A replayed message is
 * a new record: it is stored after the messages sent meanwhile, with the group's next order. Natively
 * `npm run dead-letters [-- --replay]`; in Docker, docs/DEPLOY.md.
 */
const config = loadDeadLettersConfig();
const logger = createLogger('dead-letters', config.LOG_LEVEL);
const replay = process.argv.includes('--replay');
const connection = kafkaConnection(config);
const source = deadLetterTopic(config.KAFKA_TOPIC);
// Replayed up to here: the offsets committed by this group on the dead-letter topic.
const REPLAY_GROUP = `${config.KAFKA_TOPIC}-dead-letter-replay`;

const { KafkaConsumer } = kafkaJavascript;
const consumer = new KafkaConsumer(
  { ...baseClientConfig(connection), 'group.id': REPLAY_GROUP, 'enable.auto.commit': false },
  { 'auto.offset.reset': 'earliest' },
);
const producer = new KafkaJS.Kafka({}).producer({ ...baseClientConfig(connection), 'enable.idempotence': true });

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
  if (replay) await producer.connect();
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
  await readDeadLetters(next, end, async (messages) => {
    for (const message of messages) {
      const letterSource = header(message, DEAD_LETTER_HEADERS.source);
      const first = copies.firstCopy(letterSource, message.offset);
      if (first === undefined) {
        laterCopies++;
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
      if (!replay) continue;
      await producer.send({
        topic: config.KAFKA_TOPIC,
        messages: [{ key: message.key ?? null, value: message.value ?? null }],
      });
      // Marked replayed as soon as the topic has it: a replay stopped half-way resends at most the record it was on.
      consumer.commitSync({ topic: source, partition: 0, offset: message.offset + 1 });
    }
    // Past the later copies too, so the next run does not read them again.
    if (replay) consumer.commitSync({ topic: source, partition: 0, offset: messages[messages.length - 1]!.offset + 1 });
  });
  logger.info(
    { records: count, laterCopies, replayed: replay },
    replay ? 'dead letters replayed' : 'dead letters listed (replay them with --replay)',
  );
} catch (error) {
  logger.error({ err: error }, 'dead-letter tool failed');
  process.exitCode = 1;
} finally {
  if (replay) await producer.disconnect();
  await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
}
