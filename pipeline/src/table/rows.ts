// The rows of the messages table and of its keys index (table/schema.ts), as inserted, and how a row names the
// record it came from.

/** Offsets are only comparable within one partition of one incarnation of the topic. */
export function sourceKey(topicId: string, partition: number): string {
  return `${topicId}/${partition}`;
}

/** Rows stored before topic ids were recorded carry ''; they are taken to come from the current topic. */
export const UNKNOWN_TOPIC_ID = '';

/** A row of the messages table, as inserted. */
export interface MessageRow {
  group_id: number;
  order: number;
  sender_id: number;
  text: string;
  /** The producer's acceptance time, from the record: every copy of a row is byte-identical, whoever stores it. */
  created_at_ms: number;
  /** Absent in rows stored before topic ids were recorded (stored as UNKNOWN_TOPIC_ID). */
  kafka_topic_id?: string;
  kafka_partition: number;
  kafka_offset: number;
  /** The hash of the send's Idempotency-Key; absent (stored as 0) when it had none. */
  idempotency_hash?: number;
}

/** A row of the keys index: an idempotency key a group has, or (hash 0) the group's watermark. */
export interface IndexedKey {
  group_id: number;
  idempotency_hash: number;
  /** For the watermark: every row below this order has its key indexed. For a key: the watermark it came with. */
  order: number;
}
