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
  /** One past the highest offset of this partition stored for the group (0 when none): lower offsets are stored. */
  nextOffset: number;
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
}

export interface Assignment {
  rows: MessageRow[];
  /** Records skipped because an earlier run already stored them (a redelivery after a crash or rebalance). */
  alreadyStored: number;
}

/**
 * Gives each new record of a batch its group's next order: the stored max + 1, then + 2 for the group's next record
 * in the same batch, in offset order. A record at or below the group's stored offset is a redelivery and is skipped,
 * which is what makes at-least-once delivery store every message exactly once.
 *
 * The result depends only on the records and the heads, so two consumers that race on the same batch (one of them
 * a zombie after a rebalance) compute identical keys and rows, which ReplacingMergeTree collapses.
 */
export function assignOrders(
  records: readonly ConsumedRecord[],
  heads: ReadonlyMap<number, GroupHead>,
  nowMs: number,
): Assignment {
  const next = new Map<number, GroupHead>();
  const rows: MessageRow[] = [];
  let alreadyStored = 0;
  let previous: ConsumedRecord | undefined;
  for (const record of records) {
    if (previous !== undefined && (record.partition !== previous.partition || record.offset <= previous.offset)) {
      throw new Error('assignOrders takes the records of one partition in increasing offset order');
    }
    previous = record;
    const groupId = record.message.group_id;
    const head = next.get(groupId) ?? heads.get(groupId) ?? { maxOrder: 0, nextOffset: 0 };
    if (record.offset < head.nextOffset) {
      alreadyStored++;
      continue;
    }
    const order = head.maxOrder + 1;
    next.set(groupId, { maxOrder: order, nextOffset: record.offset + 1 });
    rows.push({
      group_id: groupId,
      order,
      sender_id: record.message.sender_id,
      text: record.message.text,
      created_at_ms: nowMs,
      kafka_partition: record.partition,
      kafka_offset: record.offset,
    });
  }
  return { rows, alreadyStored };
}
