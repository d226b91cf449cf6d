import kafkaJavascript, { KafkaJS, type Message } from '@confluentinc/kafka-javascript';
import {
  baseClientConfig,
  createLogger,
  DEAD_LETTER_HEADERS,
  deadLetterTopic,
  kafkaConnection,
} from '@badam/pipeline/core';
import { loadDeadLettersConfig } from './config.js';

/**
 * Lists the records on the dead-letter topic not replayed yet, and with --replay sends each back to the messages
 * topic (same key, same value) and marks it replayed. Run it once the cause is fixed: consumers upgraded to a newer
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

try {
  await new Promise<void>((resolve, reject) =>
    consumer.connect({ timeout: 30_000 }, (error) => (error ? reject(error) : resolve())),
  );
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
  let next = Math.max(committed, lowOffset);
  let count = 0;
  if (next < end) {
    consumer.assign([{ topic: source, partition: 0, offset: next }]);
    consumer.setDefaultConsumeTimeout(1000);
    let lastProgress = Date.now();
    while (next < end) {
      const messages = await consume(100);
      if (messages.length === 0) {
        if (Date.now() - lastProgress > 30_000)
          throw new Error(`no record read from ${source} for 30 s (at offset ${next} of ${end})`);
        continue;
      }
      lastProgress = Date.now();
      for (const message of messages) {
        const reason = header(message, DEAD_LETTER_HEADERS.reason);
        logger.info(
          {
            offset: message.offset,
            reason,
            source: header(message, DEAD_LETTER_HEADERS.source),
            error: header(message, DEAD_LETTER_HEADERS.error),
          },
          replay ? 'replaying' : 'dead letter',
        );
        if (replay)
          await producer.send({
            topic: config.KAFKA_TOPIC,
            messages: [{ key: message.key ?? null, value: message.value ?? null }],
          });
        next = message.offset + 1;
        count++;
      }
      // Marked replayed only once the topic has them: a replay that fails half-way starts again where it stopped.
      if (replay) consumer.commitSync({ topic: source, partition: 0, offset: next });
    }
  }
  logger.info(
    { records: count, replayed: replay },
    replay ? 'dead letters replayed' : 'dead letters listed (replay them with --replay)',
  );
} catch (error) {
  logger.error({ err: error }, 'dead-letter tool failed');
  process.exitCode = 1;
} finally {
  if (replay) await producer.disconnect();
  await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
}
