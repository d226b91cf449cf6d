import { KafkaJS } from '@confluentinc/kafka-javascript';
import {
  baseClientConfig,
  DEAD_LETTER_HEADERS,
  deadLetterTopic,
  formatDeadLetterSource,
  type KafkaConnection,
} from '@badam/pipeline/core';
import type { DeadLetter } from './resilient-store.js';

/** A record set aside: its key and value exactly as consumed, so a replay produces the same record again. */
export interface DeadRecord {
  key: Buffer | string | null | undefined;
  value: Buffer | null | undefined;
  topicId: string;
  letter: DeadLetter;
}

export interface DeadLetterSender {
  send(records: readonly DeadRecord[]): Promise<void>;
  close(): Promise<void>;
}

/** A dead letter not acknowledged in this time fails, and is retried: the batch waits, uncommitted. */
const SEND_TIMEOUT_MS = 30_000;

export async function createDeadLetterSender(connection: KafkaConnection, topic: string): Promise<DeadLetterSender> {
  const producer = new KafkaJS.Kafka({}).producer({
    ...baseClientConfig(connection),
    'enable.idempotence': true,
    'message.timeout.ms': SEND_TIMEOUT_MS,
  });
  await producer.connect();
  return {
    async send(records) {
      if (records.length === 0) return;
      await producer.send({
        topic: deadLetterTopic(topic),
        messages: records.map(({ key, value, topicId, letter }) => ({
          key: key ?? null,
          value: value ?? null,
          headers: {
            [DEAD_LETTER_HEADERS.reason]: letter.reason,
            [DEAD_LETTER_HEADERS.error]: letter.error,
            // Which record it was, also after the topic is recreated: the replay counts copies by it.
            [DEAD_LETTER_HEADERS.source]: formatDeadLetterSource({
              topic,
              topicId,
              partition: letter.partition,
              offset: letter.offset,
            }),
          },
        })),
      });
    },
    close: () => producer.disconnect(),
  };
}
