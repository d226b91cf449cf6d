import { KafkaJS } from '@confluentinc/kafka-javascript';
import { baseClientConfig, type KafkaConnection } from './client-config.js';
import { deadLetterTopic } from '@badam/domain/contract/topic';

/**
 * Creates the topic and its dead-letter topic if they are missing, and checks an existing topic has the expected
 * partition count: a topic with fewer partitions would silently shrink the consumer fleet, one with a different
 * count would move groups. The dead-letter topic has one partition: it holds the rare records set aside.
 */
export async function ensureTopic(
  connection: KafkaConnection,
  topic: string,
  partitions: number,
  replicationFactor = 1,
): Promise<void> {
  const admin = new KafkaJS.Kafka({}).admin(baseClientConfig(connection));
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    const missing = [
      { topic, numPartitions: partitions, replicationFactor },
      { topic: deadLetterTopic(topic), numPartitions: 1, replicationFactor },
    ].filter((wanted) => !existing.includes(wanted.topic));
    if (missing.length > 0) await admin.createTopics({ topics: missing });
    if (!existing.includes(topic)) return;
    const [metadata] = await admin.fetchTopicMetadata({ topics: [topic] });
    const found = metadata?.partitions.length ?? 0;
    if (found !== partitions) {
      throw new Error(`topic ${topic} has ${found} partitions, expected ${partitions}`);
    }
  } finally {
    await admin.disconnect();
  }
}

/** The broker's id of a topic (KIP-516), base64 as Kafka's tools print it. */
export interface TopicIdentity {
  /** Asks the broker (not a cache): a topic deleted and created again answers a new id. */
  current(): Promise<string>;
  close(): Promise<void>;
}

const NO_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAA';

export async function connectTopicIdentity(connection: KafkaConnection, topic: string): Promise<TopicIdentity> {
  const admin = new KafkaJS.Kafka({}).admin(baseClientConfig(connection));
  await admin.connect();
  return {
    async current() {
      const [metadata] = await admin.fetchTopicMetadata({ topics: [topic] });
      // The typings name the field base64str; the native binding sets base64.
      const uuid = metadata?.topicId as { base64?: string; base64str?: string } | undefined;
      const id = uuid?.base64 ?? uuid?.base64str;
      if (id === undefined || id === NO_TOPIC_ID) {
        // Without it a recreated topic's offsets would look already stored (Kafka >= 2.8 and Redpanda >= 25.3 have ids).
        throw new Error(`the broker gives no topic id for ${topic}: it needs topic ids (KIP-516)`);
      }
      return id;
    },
    close: () => admin.disconnect(),
  };
}

/**
 * Per partition, records after the consumer group's committed offset: what the group would read again if all its
 * members restarted now. Zero everywhere once the group has committed everything it stored.
 */
export async function uncommittedRecords(
  connection: KafkaConnection,
  groupId: string,
  topic: string,
): Promise<Map<number, number>> {
  const admin = new KafkaJS.Kafka({}).admin(baseClientConfig(connection));
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committedByPartition = new Map(committed?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
    return new Map(
      ends.map((end) => {
        const from = Math.max(0, committedByPartition.get(end.partition) ?? 0); // -1: nothing committed yet
        return [end.partition, Number(end.high) - from];
      }),
    );
  } finally {
    await admin.disconnect();
  }
}
