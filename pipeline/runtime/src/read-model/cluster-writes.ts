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
  putIfNewer(key: string, version: number, entry: Buffer, fillTtlMs: number): unknown;
  wait(replicas: number, timeoutMs: number): unknown;
  info(section: 'replication'): unknown;
  exec(): Promise<[Error | null, unknown][] | null>;
}

export interface PerNodeWriteOptions {
  /** How long WAIT may take; undefined: no WAIT (a reader's fill, whose loss is only a miss). */
  waitTimeoutMs: number | undefined;
  /** A reader's fill's expiry, ms (PUT_IF_NEWER in page-store.ts); 0 for a consumer's write. */
  fillTtlMs: number;
}

/** The master serving a key's slot as the client's slot map has it (host:port), '?' while no node serves it. */
export function nodeOfKey(cluster: Cluster, key: string): string {
  return cluster.slots[calculateSlot(key)]?.[0] ?? '?';
}

/**
 * A consumer's batch of writes on a cluster: one pipeline per node, as ioredis requires (a cluster pipeline must stay
 * on one node), all at once. The script is loaded per connection, so per node, and reloaded on NOSCRIPT (ioredis'
 * Script). On a node that has a replica, the pipeline ends with `WAIT 1`: the writes count only once the replica holds
 * them, so a failover, which promotes a replica, can never bring back a page older than one the consumer counted as
 * written (the refresher retries what did not count). A node without a live replica takes its master's word: losing
 * it loses its slots' pages, a cold cache (misses), not stale ones.
 * Which nodes have a replica comes from the client's slot map, read every second, so it can be a second old: a
 * replica that came back since is not in it. So a consumer's pipeline without WAIT ends with INFO replication, the
 * master's own view after the writes; if it names a live replica, the writes do not count (the refresher retries
 * them, by then with the map read again, and WAIT) instead of counting unconfirmed. Returns how many pages were
 * written.
 */
export async function putIfNewerPerNode(
  cluster: Cluster,
  writes: readonly KeyedWrite[],
  { waitTimeoutMs, fillTtlMs }: PerNodeWriteOptions,
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
      const master = group.split(';')[0];
      const pipeline = cluster.pipeline() as unknown as ScriptedPipeline;
      for (const { key, version, entry } of list) pipeline.putIfNewer(key, version, entry, fillTtlMs);
      const confirmed = waitTimeoutMs !== undefined;
      const replicated = confirmed && group.includes(';');
      if (replicated) pipeline.wait(1, waitTimeoutMs);
      else if (confirmed) pipeline.info('replication');
      const results = (await pipeline.exec()) ?? [];
      let count = 0;
      for (const [index, [error, result]] of results.entries()) {
        if (error) throw error;
        if (index < list.length) count += Number(result);
        else if (replicated) {
          if (Number(result) < 1) throw new Error(`no replica of ${master} confirmed the pages`);
        } else if (confirmed && liveReplicas(String(result)) > 0) {
          throw new Error(`${master} has a replica the slot map does not show yet: the pages are written again`);
        }
      }
      return count;
    }),
  );
  return written.reduce((sum, count) => sum + count, 0);
}

/** A replica acknowledges its master's stream every second: one silent longer than this is not live (frozen, cut off). */
const LIVE_REPLICA_LAG_S = 2;

/** The replicas a master's INFO replication lists as online and acknowledging (`slave0:...,state=online,...,lag=0`). */
export function liveReplicas(info: string): number {
  let live = 0;
  for (const [, fields] of info.matchAll(/^slave\d+:(.*)$/gm)) {
    const field = new Map((fields ?? '').split(',').map((pair) => pair.split('=') as [string, string]));
    if (field.get('state') === 'online' && Number(field.get('lag')) <= LIVE_REPLICA_LAG_S) live++;
  }
  return live;
}
