import type { TopicMessage } from '../kafka/topic.js';

/** A record taken from one partition of the topic, decoded. */
export interface ConsumedRecord {
  partition: number;
  offset: number;
  message: TopicMessage;
}

/** What the store says about a group before a batch: read fresh for every batch, never carried between batches. */
export interface GroupHead {
  /** Highest order stored for the group (0 when it has none). */
  maxOrder: number;
  /**
   * Per partition the group's records came from: one past the highest offset stored (lower offsets are stored).
   * A group lives in one partition unless the topic was ever repartitioned.
   */
  nextOffsets: ReadonlyMap<number, number>;
  /** Of the idempotency hashes the batch carries for the group, those already stored with one of its messages. */
  storedIdempotencyHashes: ReadonlySet<number>;
}

/** A row of the messages table, as inserted. */
export interface MessageRow {
  group_id: number;
  order: number;
  sender_id: number;
  text: string;
  created_at_ms: number;
  kafka_partition: number;
  kafka_offset: number;
  /** The hash of the send's Idempotency-Key; absent (stored as 0) when it had none. */
  idempotency_hash?: number;
}

export interface Assignment {
  rows: MessageRow[];
  /** Records skipped because an earlier run already stored them (a redelivery after a crash or rebalance). */
  alreadyStored: number;
  /** Records skipped because the group already has a message with their idempotency hash (a client's resend). */
  duplicates: number;
}

/**
 * Gives each new record of a batch its group's next order: the stored max + 1, then + 2 for the group's next record
 * in the same batch, in offset order. A record below the group's next offset for its partition is a redelivery and
 * is skipped, which is what makes at-least-once delivery store every message exactly once. A record whose
 * idempotency hash the group already has (stored, or earlier in this batch) is a client's resend and is skipped too.
 *
 * The result depends only on the records and the heads, so two consumers that race on the same batch (one of them
 * a zombie after a rebalance) compute identical keys and rows, which ReplacingMergeTree collapses.
 */
export function assignOrders(
  records: readonly ConsumedRecord[],
  heads: ReadonlyMap<number, GroupHead>,
  nowMs: number,
): Assignment {
  const next = new Map<number, { maxOrder: number; nextOffsets: Map<number, number>; hashes: Set<number> }>();
  const lastOffsets = new Map<number, number>();
  const rows: MessageRow[] = [];
  let alreadyStored = 0;
  let duplicates = 0;
  for (const record of records) {
    const { partition, offset } = record;
    if ((lastOffsets.get(partition) ?? -1) >= offset) {
      throw new Error('assignOrders takes each partition\'s records in increasing offset order');
    }
    lastOffsets.set(partition, offset);
    const groupId = record.message.group_id;
    let head = next.get(groupId);
    if (head === undefined) {
      const stored = heads.get(groupId);
      head = {
        maxOrder: stored?.maxOrder ?? 0,
        nextOffsets: new Map(stored?.nextOffsets),
        hashes: new Set(stored?.storedIdempotencyHashes),
      };
      next.set(groupId, head);
    }
    if (offset < (head.nextOffsets.get(partition) ?? 0)) {
      alreadyStored++;
      continue;
    }
    const hash = record.message.idempotency_hash;
    if (hash !== undefined) {
      if (head.hashes.has(hash)) {
        duplicates++;
        continue;
      }
      head.hashes.add(hash);
    }
    head.maxOrder++;
    head.nextOffsets.set(partition, offset + 1);
    rows.push({
      group_id: groupId,
      order: head.maxOrder,
      sender_id: record.message.sender_id,
      text: record.message.text,
      created_at_ms: nowMs,
      kafka_partition: partition,
      kafka_offset: offset,
      ...(hash === undefined ? {} : { idempotency_hash: hash }),
    });
  }
  return { rows, alreadyStored, duplicates };
}
