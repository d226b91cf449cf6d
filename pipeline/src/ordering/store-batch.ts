import type { MessagesRepository } from '../clickhouse/messages-repository.js';
import { assignOrders, type ConsumedRecord } from './assign-orders.js';

export interface StoredBatch {
  stored: number;
  alreadyStored: number;
}

/**
 * The consumer's unit of work for one partition's batch: one query for the heads of every group in the batch, one
 * insert. The insert is synchronous, so the next batch's query sees it.
 */
export async function storeBatch(
  repository: MessagesRepository,
  partition: number,
  records: readonly ConsumedRecord[],
  now: () => number = Date.now,
): Promise<StoredBatch> {
  const groupIds = [...new Set(records.map((record) => record.message.group_id))];
  const heads = await repository.groupHeads(groupIds, partition);
  const { rows, alreadyStored } = assignOrders(records, heads, now());
  await repository.insert(rows);
  return { stored: rows.length, alreadyStored };
}
