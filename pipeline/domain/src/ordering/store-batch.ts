import type { MessagesRepository } from '../table/repository.js';
import type { IndexedKey } from '../table/rows.js';
import { assignOrders, type Assignment, type ConsumedRecord } from './assign-orders.js';
import type { StoredFloor } from './stored-floor.js';

export interface StoredBatch {
  stored: number;
  alreadyStored: number;
  duplicates: number;
  /** Every group of the batch with its highest order after it (for a bounded read of its latest page). */
  maxOrders: Map<number, number>;
}

/** What a batch will write: its new rows, and the keys index rows that follow them. */
export interface BatchPlan {
  assignment: Assignment;
  keys: IndexedKey[];
}

/**
 * Reads the heads of every group in the batch (bounded lookups: see schema.ts, keys index) and assigns orders. Two
 * consumers planning overlapping batches from the same heads write byte-identical rows for the records they share.
 */
export async function planBatch(
  repository: MessagesRepository,
  records: readonly ConsumedRecord[],
  floor?: StoredFloor,
): Promise<BatchPlan> {
  // Sets, not arrays: a busy group's batch can carry thousands of keys, and an array's includes() per record is
  // quadratic in them.
  const hashesByGroup = new Map<number, Set<number>>();
  for (const { message } of records) {
    const hashes = hashesByGroup.get(message.group_id) ?? new Set<number>();
    if (message.idempotency_hash !== undefined) hashes.add(message.idempotency_hash);
    hashesByGroup.set(message.group_id, hashes);
  }
  const asked = new Map([...hashesByGroup].map(([groupId, hashes]) => [groupId, [...hashes]]));
  const { heads, unindexedHashes } = await repository.groupHeads(asked);
  floor?.check(heads);
  const assignment = assignOrders(records, heads);
  const newHashes = new Map<number, number[]>();
  for (const row of assignment.rows) {
    if (row.idempotency_hash === undefined) continue;
    const hashes = newHashes.get(row.group_id) ?? [];
    hashes.push(row.idempotency_hash);
    newHashes.set(row.group_id, hashes);
  }
  const keys: IndexedKey[] = [];
  for (const [groupId, maxOrder] of assignment.maxOrders) {
    if (maxOrder === 0) continue;
    const hashes = new Set([...(unindexedHashes.get(groupId) ?? []), ...(newHashes.get(groupId) ?? [])]);
    for (const hash of hashes) keys.push({ group_id: groupId, idempotency_hash: hash, order: maxOrder });
    keys.push({ group_id: groupId, idempotency_hash: 0, order: maxOrder });
  }
  return { assignment, keys };
}

/**
 * The rows in one insert (one block: stored whole or not at all, synchronous, so the next batch's heads see it), then
 * the keys index. A failure between the two leaves the watermark behind: the next batch of the group reads a longer
 * window and indexes what this one did not.
 */
export async function writeBatch(
  repository: MessagesRepository,
  { assignment, keys }: BatchPlan,
): Promise<StoredBatch> {
  await repository.insert(assignment.rows);
  await repository.indexKeys(keys);
  return {
    stored: assignment.rows.length,
    alreadyStored: assignment.alreadyStored,
    duplicates: assignment.duplicates,
    maxOrders: assignment.maxOrders,
  };
}

/**
 * The consumer's unit of work, for a batch from any of its partitions. With a floor (stored-floor.ts), heads below
 * what this process stored are refused before anything is ordered from them, and the floor rises with each insert.
 */
export async function storeBatch(
  repository: MessagesRepository,
  records: readonly ConsumedRecord[],
  floor?: StoredFloor,
): Promise<StoredBatch> {
  if (records.length === 0) return { stored: 0, alreadyStored: 0, duplicates: 0, maxOrders: new Map() };
  const plan = await planBatch(repository, records, floor);
  const stored = await writeBatch(repository, plan);
  floor?.raise(stored.maxOrders);
  return stored;
}
