import type { MessagesRepository } from '../clickhouse/messages-repository.js';
import { assignOrders, type ConsumedRecord } from './assign-orders.js';

export interface StoredBatch {
  stored: number;
  alreadyStored: number;
  duplicates: number;
}

/**
 * The consumer's unit of work, for a batch from any of its partitions: one query for the heads of every group in
 * the batch (which also looks up the batch's idempotency hashes when it has some), one insert. The insert is synchronous, so the next batch's query sees it.
 */
export async function storeBatch(
  repository: MessagesRepository,
  records: readonly ConsumedRecord[],
  now: () => number = Date.now,
): Promise<StoredBatch> {
  if (records.length === 0) return { stored: 0, alreadyStored: 0, duplicates: 0 };
  const groupIds = [...new Set(records.map((record) => record.message.group_id))];
  const hashes = records.flatMap((record) => record.message.idempotency_hash ?? []);
  const heads = await repository.groupHeads(groupIds, [...new Set(hashes)]);
  const { rows, alreadyStored, duplicates } = assignOrders(records, heads, now());
  await repository.insert(rows);
  return { stored: rows.length, alreadyStored, duplicates };
}
