// The rows of the messages table and of its keys index (table/schema.ts), as inserted and as a page reads them, and
// how a row names the record it came from.

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

/** Every column of the messages table (schema.ts's migrations create exactly these: pipeline/domain/test/unit/table-schema.test.ts). */
export const MESSAGE_COLUMNS = Object.keys({
  group_id: true,
  order: true,
  sender_id: true,
  text: true,
  created_at_ms: true,
  kafka_topic_id: true,
  kafka_partition: true,
  kafka_offset: true,
  idempotency_hash: true,
} satisfies Record<keyof MessageRow, true>) as (keyof MessageRow)[];

/** The columns a page shows (table/page-queries.ts). */
export const PAGE_COLUMNS = [
  'group_id',
  'order',
  'sender_id',
  'text',
  'created_at_ms',
] as const satisfies readonly (keyof MessageRow)[];

/**
 * A row of a page query, as read: 64-bit integers arrive as JSON strings (output_format_json_quote_64bit_integers);
 * ids fit in a double by contract.
 */
export type StoredRow = Record<(typeof PAGE_COLUMNS)[number], string>;

/** A row of the keys index: an idempotency key a group has, or (hash 0) the group's watermark. */
export interface IndexedKey {
  group_id: number;
  idempotency_hash: number;
  /** For the watermark: every row below this order has its key indexed. For a key: the watermark it came with. */
  order: number;
}
