import { Redis } from 'ioredis';

/** Where a deployment's pages live: a Valkey/Redis server, and a key prefix so several tables can share one. */
export interface PageStoreConnection {
  url: string;
  /** The store's requirepass; empty for a store without one. Kept out of the URL, which errors may show. */
  password?: string;
  keyPrefix: string;
  /** Per command: past it a read goes to ClickHouse instead, so a stalled store costs a read this much at most. */
  commandTimeoutMs: number;
}

export interface PageEntry {
  groupId: number;
  version: number;
  entry: Buffer;
}

/** The hot read model: each group's latest page, pre-rendered, under one key per group. */
export interface PageStore {
  /** The group's entry, or null when the store does not hold it. Throws when the store does not answer. */
  get(groupId: number): Promise<Buffer | null>;
  /** Writes each entry unless the store holds the same or a newer version of the page; returns how many it wrote. */
  putIfNewer(entries: readonly PageEntry[]): Promise<number>;
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

interface ScriptedRedis extends Redis {
  putIfNewer(key: string, version: number, entry: Buffer): Promise<number>;
}

export function createPageStore({ url, password, keyPrefix, commandTimeoutMs }: PageStoreConnection): PageStore {
  const redis = new Redis(url, {
    ...(password === undefined || password === '' ? {} : { password }),
    // Fail at once while disconnected instead of queueing: a queued read would wait for the store to come back,
    // where it should have gone to ClickHouse.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    connectTimeout: Math.max(commandTimeoutMs, 1000),
    // Keep reconnecting, at most a second apart, so a returning store is used again within about a second.
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    lazyConnect: false,
    // Commands issued in the same tick (concurrent reads) leave in one write: a read app's CPU goes mostly to
    // socket writes, one per command otherwise.
    enableAutoPipelining: true,
  }) as ScriptedRedis;
  // Without a listener, every failed reconnect would be an unhandled 'error' event; callers see failures per command.
  redis.on('error', () => {});
  // EVALSHA, with the script loaded on first use and again after a store restart (NOSCRIPT), pipelines included.
  redis.defineCommand('putIfNewer', { numberOfKeys: 1, lua: PUT_IF_NEWER });
  const key = (groupId: number) => `${keyPrefix}${groupId}`;

  return {
    get: (groupId) => redis.getBuffer(key(groupId)),

    async putIfNewer(entries) {
      if (entries.length === 0) return 0;
      const pipeline = redis.pipeline();
      for (const { groupId, version, entry } of entries) {
        (pipeline as unknown as ScriptedRedis).putIfNewer(key(groupId), version, entry);
      }
      const results = (await pipeline.exec()) ?? [];
      let written = 0;
      for (const [error, result] of results) {
        if (error) throw error;
        written += Number(result);
      }
      return written;
    },

    async isReachable() {
      try {
        return (await redis.ping()) === 'PONG';
      } catch {
        return false;
      }
    },

    async connected(timeoutMs) {
      if (redis.status === 'ready') return;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the read model store at ${url} did not answer in ${timeoutMs} ms`)),
          timeoutMs,
        );
        redis.once('ready', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },

    async close() {
      redis.disconnect();
    },
  };
}
