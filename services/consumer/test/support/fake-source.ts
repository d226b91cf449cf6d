import { setTimeout } from 'node:timers/promises';
import { encodeMessage, messageKey } from '@badam/pipeline/core';
import type { RebalanceListener, RecordSource, SourceRecord } from '../../src/record-source.js';

/** A record of `groupId` as the producer writes it, at this partition and offset. */
export function record(
  partition: number,
  offset: number,
  groupId: number,
  text = `p${partition}o${offset}`,
): SourceRecord {
  return {
    partition,
    offset,
    key: messageKey(groupId),
    value: encodeMessage({ group_id: groupId, sender_id: 1, text }, Date.now()),
  };
}

/**
 * A consumer group member in memory: records pushed are fetched in that order, partitions are owned until revoked,
 * and every commit is kept. `beforeFetch` runs at the start of each fetch (to revoke, fail or stop there).
 */
export function createFakeSource(partitions: readonly number[]) {
  const ready: SourceRecord[] = [];
  const owned = new Set(partitions);
  const commits: Map<number, number>[] = [];
  /** Commits naming a partition this member no longer owned: they would set the new owner's position. */
  const foreignCommits: Map<number, number>[] = [];
  const fetches: { max: number; timeoutMs: number }[] = [];
  let listener: RebalanceListener | undefined;
  let stopped = false;
  const state = {
    beforeFetch: undefined as undefined | ((call: number) => void | Promise<void>),
  };

  const source: RecordSource = {
    async start(rebalanceListener) {
      listener = rebalanceListener;
    },
    async fetch(max, timeoutMs) {
      fetches.push({ max, timeoutMs });
      await state.beforeFetch?.(fetches.length);
      // An empty partition answers after its timeout; kept short so a test never waits on it.
      if (ready.length === 0) await setTimeout(Math.min(timeoutMs, 5));
      return ready.splice(0, max);
    },
    ownedPartitions: () => new Set(owned),
    commit(offsets) {
      commits.push(new Map(offsets));
      if ([...offsets.keys()].some((partition) => !owned.has(partition))) foreignCommits.push(new Map(offsets));
    },
    async stop() {
      stopped = true;
    },
  };

  return {
    source,
    state,
    fetches,
    commits,
    foreignCommits,
    push(...records: SourceRecord[]) {
      ready.push(...records);
    },
    /** Takes partitions away as the group does: resolves once the member let them go. */
    async revoke(...revoked: number[]) {
      await listener?.revoking(revoked);
      for (const partition of revoked) owned.delete(partition);
    },
    /** Per partition, the last offset committed (the next to read). */
    committed(): Map<number, number> {
      const merged = new Map<number, number>();
      for (const commit of commits) for (const [partition, offset] of commit) merged.set(partition, offset);
      return merged;
    },
    stopped: () => stopped,
  };
}
