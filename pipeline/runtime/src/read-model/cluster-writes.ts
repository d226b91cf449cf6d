import calculateSlot from 'cluster-key-slot';
import type { Cluster } from 'ioredis';

/** One compare-and-set of a page: its key, its version, its entry (the store's PUT_IF_NEWER script). */
export interface KeyedWrite {
  key: string;
  version: number;
  entry: Buffer;
}

/** A pipeline that has the store's script, as defineCommand gives it to the client and its pipelines. */
interface ScriptedPipeline {
  putIfNewer(key: string, version: number, entry: Buffer): unknown;
  wait(replicas: number, timeoutMs: number): unknown;
  exec(): Promise<[Error | null, unknown][] | null>;
}

/**
 * A consumer's batch of writes on a cluster: one pipeline per node, as ioredis requires (a cluster pipeline must stay
 * on one node), all at once. The script is loaded per connection, so per node, and reloaded on NOSCRIPT (ioredis'
 * Script). On a node that has a replica, the pipeline ends with `WAIT 1`: the writes count only once the replica holds
 * them, so a failover, which promotes a replica, can never bring back a page older than one the consumer counted as
 * written (the refresher retries what did not count). A node without a live replica takes its master's word: losing
 * it loses its slots' pages, a cold cache (misses), not stale ones. Returns how many pages were written.
 */
export async function putIfNewerPerNode(
  cluster: Cluster,
  writes: readonly KeyedWrite[],
  /** How long WAIT may take; undefined: no WAIT (a write whose loss is only a miss). */
  waitTimeoutMs: number | undefined,
): Promise<number> {
  const byNode = new Map<string, KeyedWrite[]>();
  for (const write of writes) {
    const slot = calculateSlot(write.key);
    // [master, ...live replicas], from CLUSTER SLOTS; no entry while no node serves the slot (cluster not ready).
    const nodes = cluster.slots[slot];
    if (nodes === undefined || nodes.length === 0) throw new Error(`no node of the read model serves slot ${slot}`);
    const group = nodes.join(';');
    const list = byNode.get(group);
    if (list === undefined) byNode.set(group, [write]);
    else list.push(write);
  }
  const written = await Promise.all(
    [...byNode].map(async ([group, list]) => {
      const pipeline = cluster.pipeline() as unknown as ScriptedPipeline;
      for (const { key, version, entry } of list) pipeline.putIfNewer(key, version, entry);
      const replicated = waitTimeoutMs !== undefined && group.includes(';');
      if (replicated) pipeline.wait(1, waitTimeoutMs);
      const results = (await pipeline.exec()) ?? [];
      let count = 0;
      for (const [index, [error, result]] of results.entries()) {
        if (error) throw error;
        if (replicated && index === list.length) {
          if (Number(result) < 1) throw new Error(`no replica of ${group.split(';')[0]} confirmed the pages`);
        } else count += Number(result);
      }
      return count;
    }),
  );
  return written.reduce((sum, count) => sum + count, 0);
}
