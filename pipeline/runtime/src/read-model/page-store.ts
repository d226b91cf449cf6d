import type { Cluster, Redis } from 'ioredis';
import { putIfNewerPerNode } from './cluster-writes.js';
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
   * Writes each entry unless the store holds the same or a newer version of the page; returns how many it wrote. On
   * a cluster it resolves once a replica holds them too (the consumers' writes), unless `unconfirmed` (a reader's
   * fill, whose loss is only a miss): see cluster-writes.ts.
   */
  putIfNewer(entries: readonly PageEntry[], options?: { unconfirmed?: boolean }): Promise<number>;
  isReachable(): Promise<boolean>;
  /** Resolves once connected, for tools that start with a burst of writes (commands fail while disconnected). */
  connected(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The version check and the write are one step on the server, so a zombie consumer or a slow reader's fill can never
 * put an older page over a newer one, whatever the interleaving. Version = the first 16 bytes (page-entry.ts).
 */
const PUT_IF_NEWER = `
local stored = redis.call('GETRANGE', KEYS[1], 0, 15)
if stored ~= '' and tonumber(stored) >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1`;

type ScriptedClient = (Redis | Cluster) & {
  putIfNewer(key: string, version: number, entry: Buffer): Promise<number>;
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

    async putIfNewer(entries, { unconfirmed = false } = {}) {
      if (entries.length === 0) return 0;
      if (redis.isCluster) {
        const writes = entries.map(({ groupId, version, entry }) => ({ key: key(groupId), version, entry }));
        // WAIT must answer before the client gives up on it.
        const waitMs = unconfirmed ? undefined : Math.max(1, Math.floor(commandTimeoutMs / 2));
        return putIfNewerPerNode(redis as Cluster, writes, waitMs);
      }
      const pipeline = redis.pipeline();
      for (const { groupId, version, entry } of entries) {
        (pipeline as unknown as ScriptedClient).putIfNewer(key(groupId), version, entry);
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
