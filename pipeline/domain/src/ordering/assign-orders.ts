import type { TopicMessage } from '../contract/topic.js';
import { sourceKey, UNKNOWN_TOPIC_ID, type MessageRow } from '../table/rows.js';
import type { GroupHead } from '../table/repository.js';

/** A record taken from one partition of the topic, decoded. */
export interface ConsumedRecord {
  /** The broker's id of the topic (KIP-516): a recreated topic has a new one, so its offsets start a new sequence. */
  topicId: string;
  partition: number;
  offset: number;
  message: TopicMessage;
}

export interface Assignment {
  rows: MessageRow[];
  /** Records skipped because an earlier run already stored them (a redelivery after a crash or rebalance). */
  alreadyStored: number;
  /** Records skipped because the group already has a message with their idempotency hash (a client's resend). */
  duplicates: number;
  /** Every group of the batch with its highest order once the rows are stored (0: the group still has none). */
  maxOrders: Map<number, number>;
}

/**
 * Gives each new record of a batch its group's next order: the stored max + 1, then + 2 for the group's next record
 * in the same batch, in offset order. A record below the group's next offset for its partition is a redelivery and
 * is skipped, which is what makes at-least-once delivery store every message exactly once. A record whose
 * idempotency hash the group already has (stored, or earlier in this batch) is a client's resend and is skipped too.
 *
 * The result depends only on the records and the heads (no clock: a row's time is the record's), so two consumers
 * that race on overlapping batches (one of them a zombie after a rebalance) compute byte-identical rows for the
 * records both store, which ReplacingMergeTree collapses.
 */
export function assignOrders(records: readonly ConsumedRecord[], heads: ReadonlyMap<number, GroupHead>): Assignment {
  const next = new Map<number, { maxOrder: number; nextOffsets: Map<string, number>; hashes: Set<number> }>();
  const lastOffsets = new Map<string, number>();
  const rows: MessageRow[] = [];
  let alreadyStored = 0;
  let duplicates = 0;
  for (const record of records) {
    const { topicId, partition, offset } = record;
    const source = sourceKey(topicId, partition);
    if ((lastOffsets.get(source) ?? -1) >= offset) {
      throw new Error("assignOrders takes each partition's records in increasing offset order");
    }
    lastOffsets.set(source, offset);
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
    const stored = head.nextOffsets.get(source) ?? head.nextOffsets.get(sourceKey(UNKNOWN_TOPIC_ID, partition)) ?? 0;
    if (offset < stored) {
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
    head.nextOffsets.set(source, offset + 1);
    rows.push({
      group_id: groupId,
      order: head.maxOrder,
      sender_id: record.message.sender_id,
      text: record.message.text,
      created_at_ms: record.message.accepted_at_ms,
      kafka_topic_id: topicId,
      kafka_partition: partition,
      kafka_offset: offset,
      ...(hash === undefined ? {} : { idempotency_hash: hash }),
    });
  }
  const maxOrders = new Map([...next].map(([groupId, head]) => [groupId, head.maxOrder]));
  return { rows, alreadyStored, duplicates, maxOrders };
}
