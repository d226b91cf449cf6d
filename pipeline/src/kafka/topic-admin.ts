import { KafkaJS } from '@confluentinc/kafka-javascript';
import { baseClientConfig, type KafkaConnection } from './client-config.js';

/**
 * Creates the topic if it is missing and checks an existing one has the expected partition count: a topic with
 * fewer partitions would silently shrink the consumer fleet, one with a different count would move groups.
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
    if (!existing.includes(topic)) {
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor }] });
      return;
    }
    const [metadata] = await admin.fetchTopicMetadata({ topics: [topic] });
    const found = metadata?.partitions.length ?? 0;
    if (found !== partitions) {
      throw new Error(`topic ${topic} has ${found} partitions, expected ${partitions}`);
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Per partition, records after the consumer group's committed offset: what the group would read again if all its
 * members restarted now. Zero everywhere once the group has committed everything it stored.
 */
export async function uncommittedRecords(connection: KafkaConnection, groupId: string, topic: string): Promise<Map<number, number>> {
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
