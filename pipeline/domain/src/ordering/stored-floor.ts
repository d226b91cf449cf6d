import type { GroupHead } from '../table/repository.js';

/**
 * ClickHouse's code for a replica that lacks a part written with quorum (REPLICA_IS_NOT_IN_QUORUM), which a
 * sequentially consistent read on such a replica answers.
 */
export const REPLICA_BEHIND_CODE = '289';

/**
 * A heads read below what this process itself stored: the replica that answered is behind. Carries ClickHouse's own
 * code for that condition, so whatever handles the server's refusal (a wait and a retry of the batch, never a split
 * or a dead letter: the consumer's failure-kind.ts) handles this one the same.
 */
export class StaleHeadsError extends Error {
  readonly code = REPLICA_BEHIND_CODE;
  constructor(groupId: number, read: number, stored: number) {
    super(
      `Code: ${REPLICA_BEHIND_CODE}, the replica is behind: group ${groupId} read at order ${read}, this consumer stored up to ${stored}`,
    );
    this.name = 'StaleHeadsError';
  }
}

export interface StoredFloor {
  /** After an insert returned: its groups' highest orders are stored (a majority of replicas has them). */
  raise(maxOrders: ReadonlyMap<number, number>): void;
  /** Before ordering from heads: throws StaleHeadsError when a group's head is below what was stored. */
  check(heads: ReadonlyMap<number, GroupHead>): void;
}

/**
 * Per group, the highest order this process has stored: a lower bound of every replica's answer, since a group's
 * orders only grow. Why it is needed: with a majority quorum (2 of 3) a replica may lack acknowledged parts, and
 * 18.16's select_sequential_consistency only checks that the replica holds the *last* quorum part; a replica catching
 * up (after an outage, fetching many parts at once, out of order) can hold it and still lack earlier ones, and answer
 * stale heads, from which orders would be handed out twice (seen in tests/faults/clickhouse-replica-loss). The
 * floor turns that into a refusal. It covers the groups this process wrote, which are the ones it orders while it
 * owns their partitions; remembered for the most recent `capacity` groups (older ones go unchecked).
 */
export function createStoredFloor(capacity = 200_000): StoredFloor {
  const floor = new Map<number, number>();
  return {
    raise(maxOrders) {
      for (const [groupId, order] of maxOrders) {
        if (order === 0) continue;
        const known = floor.get(groupId) ?? 0;
        floor.delete(groupId); // re-inserted last: the Map's order is the recency the capacity evicts by
        floor.set(groupId, Math.max(known, order));
      }
      for (const groupId of floor.keys()) {
        if (floor.size <= capacity) break;
        floor.delete(groupId);
      }
    },
    check(heads) {
      for (const [groupId, head] of heads) {
        const stored = floor.get(groupId);
        if (stored !== undefined && head.maxOrder < stored) throw new StaleHeadsError(groupId, head.maxOrder, stored);
      }
    },
  };
}
