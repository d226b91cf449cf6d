import type { Cluster, Redis } from 'ioredis';
import { nodeOfKey, putIfNewerPerNode } from './cluster-writes.js';
import { createStoreClient, type PageStoreConnection } from './store-client.js';

export type { PageStoreConnection } from './store-client.js';

export interface PageEntry {
  groupId: number;
  version: number;
  entry: Buffer;
}

/** The hot read model: each group's latest page, pre-rendered, under one key per group. */
export interface PageStore {
  /** The group's entry, or null when the store does not hold it. Throws when the store does not answer. */
  get(groupId: number): Promise<Buffer | null>;
  /**
   * The node that serves the group's page: its master's host:port on a cluster, '' for a standalone store. A reader
   * backs off a failing node, not the whole store (page-cache.ts).
   */
  nodeOf(groupId: number): string;
  /**
   * Writes each entry unless the store holds the same or a newer version of the page; returns how many it wrote.
   * A consumer's write (no option) is confirmed: on a cluster it resolves once a replica holds the pages the store
   * now has for these groups, its own or the same or newer ones found there (see cluster-writes.ts). A reader's fill
   * (`fillTtlMs`) is not confirmed (its loss is only a miss) and expires after fillTtlMs unless a consumer's write
   * confirms it: that bounds how long a fill that lost a race can be served (PUT_IF_NEWER).
   */
  putIfNewer(entries: readonly PageEntry[], options?: { fillTtlMs?: number }): Promise<number>;
  isReachable(): Promise<boolean>;
  /** Resolves once connected, for tools that start with a burst of writes (commands fail while disconnected). */
  connected(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The version check and the write are one step on the server, so a zombie consumer or a slow reader's fill can never
 * put an older page over a newer one, whatever the interleaving. Version = the first 16 bytes (page-entry.ts).
 * ARGV[3] > 0: a reader's fill, kept that many ms. A fill read before a newer page was stored can land after that
 * page was evicted or lost with a restarted store; the newer page's consumer has moved on, so nothing would ever
 * replace it for an idle group: its expiry bounds how long it is served.
 * ARGV[3] = 0: a consumer's write, kept for good. Finding the same or a newer page, it writes that page again, same
 * bytes, no expiry: the WAIT after it then confirms the page the store holds, whoever wrote it (a fill is never
 * waited for; WAIT counts only this connection's writes), and a fill it confirms no longer expires.
 */
const PUT_IF_NEWER = `
local stored = redis.call('GETRANGE', KEYS[1], 0, 15)
local ttl = tonumber(ARGV[3])
if stored ~= '' and tonumber(stored) >= tonumber(ARGV[1]) then
  if ttl == 0 then redis.call('SET', KEYS[1], redis.call('GET', KEYS[1])) end
  return 0
end
if ttl > 0 then redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl) else redis.call('SET', KEYS[1], ARGV[2]) end
return 1`;

type ScriptedClient = (Redis | Cluster) & {
  putIfNewer(key: string, version: number, entry: Buffer, fillTtlMs: number): Promise<number>;
};

export function createPageStore(connection: PageStoreConnection): PageStore {
  const redis = createStoreClient(connection) as ScriptedClient;
  // Without a listener, every failed reconnect would be an unhandled 'error' event; callers see failures per command.
  redis.on('error', () => {});
  // EVALSHA, with the script loaded on first use on each connection (so on each node of a cluster) and again after a
  // store restart (NOSCRIPT), pipelines included.
  redis.defineCommand('putIfNewer', { numberOfKeys: 1, lua: PUT_IF_NEWER });
  const { keyPrefix, commandTimeoutMs } = connection;
  const key = (groupId: number) => `${keyPrefix}${groupId}`;
  const where = connection.urls.join(',');
  const notReady = new Error(`the read model store at ${where} is not connected`);

  return {
    // The hot path: the same single GET whatever the mode (a cluster client routes it by the key's slot). Not ready:
    // refused at once, as the standalone client does by itself; a cluster client that has not yet read the slot map
    // would hold the read until its next attempt to reach the nodes (measured here: up to 400 ms).
    get: (groupId) => (redis.status === 'ready' ? redis.getBuffer(key(groupId)) : Promise.reject(notReady)),

    nodeOf: (groupId) => (redis.isCluster ? nodeOfKey(redis as Cluster, key(groupId)) : ''),

    async putIfNewer(entries, { fillTtlMs = 0 } = {}) {
      if (entries.length === 0) return 0;
      const ttl = Math.max(0, Math.ceil(fillTtlMs));
      if (redis.isCluster) {
        const writes = entries.map(({ groupId, version, entry }) => ({ key: key(groupId), version, entry }));
        // WAIT must answer before the client gives up on it.
        const waitMs = ttl > 0 ? undefined : Math.max(1, Math.floor(commandTimeoutMs / 2));
        return putIfNewerPerNode(redis as Cluster, writes, { waitTimeoutMs: waitMs, fillTtlMs: ttl });
      }
      const pipeline = redis.pipeline();
      for (const { groupId, version, entry } of entries) {
        (pipeline as unknown as ScriptedClient).putIfNewer(key(groupId), version, entry, ttl);
      }
      const results = (await pipeline.exec()) ?? [];
      let written = 0;
      for (const [error, result] of results) {
        if (error) throw error;
        written += Number(result);
      }
      return written;
    },

    isReachable: () => (redis.isCluster ? anyMasterAnswers(redis as Cluster) : answers(redis as Redis)),

    async connected(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      // A cluster is ready for a burst of writes once its masters' connections are open too.
      const ready = () =>
        redis.status === 'ready' &&
        (!redis.isCluster || (redis as Cluster).nodes('master').every((node) => node.status === 'ready'));
      while (!ready()) {
        if (Date.now() > deadline)
          throw new Error(`the read model store at ${where} did not answer in ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },

    async close() {
      redis.disconnect();
    },
  };
}

async function answers(node: Redis): Promise<boolean> {
  try {
    return (await node.ping()) === 'PONG';
  } catch {
    return false;
  }
}

/**
 * A cluster serves pages while any of its masters answers: the groups on the others miss and go to ClickHouse, as
 * with a standalone store that is down. So the read apps report the read model down only when no page can be read.
 */
async function anyMasterAnswers(cluster: Cluster): Promise<boolean> {
  if (cluster.status !== 'ready') return false;
  const replies = await Promise.all(cluster.nodes('master').map(answers));
  return replies.includes(true);
}
