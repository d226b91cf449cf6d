import { Cluster, Redis, type RedisOptions } from 'ioredis';

/**
 * Where a deployment's pages live: a Valkey/Redis server or cluster, and a key prefix so several tables can share one.
 */
export interface PageStoreConnection {
  /** standalone: the one server's redis://host:port[/db]; cluster: seed nodes, from which the client learns the rest. */
  urls: readonly string[];
  mode: 'standalone' | 'cluster';
  /** The store's requirepass; empty for a store without one. Kept out of the URL, which errors may show. */
  password?: string;
  keyPrefix: string;
  /** Per command: past it a read goes to ClickHouse instead, so a stalled store costs a read this much at most. */
  commandTimeoutMs: number;
}

/**
 * The ioredis client of a connection: one `Redis` for a standalone server, a `Cluster` seeded by the addresses in
 * cluster mode. Both fail a command at once or within the command timeout, never later: an outage must cost a read
 * one timeout and a fallback to ClickHouse, never a hang (shared/CONVENTIONS.md, Valkey).
 */
export function createStoreClient({ urls, mode, password, commandTimeoutMs }: PageStoreConnection): Redis | Cluster {
  const perConnection: RedisOptions = {
    ...(password === undefined || password === '' ? {} : { password }),
    // Fail at once while disconnected instead of queueing: a queued read would wait for the store to come back,
    // where it should have gone to ClickHouse.
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    connectTimeout: Math.max(commandTimeoutMs, 1000),
  };
  if (mode === 'standalone') {
    return new Redis(urls[0]!, {
      ...perConnection,
      enableOfflineQueue: false,
      // Keep reconnecting, at most a second apart, so a returning store is used again within about a second.
      retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
      lazyConnect: false,
      // Commands issued in the same tick (concurrent reads) leave in one write: a read app's CPU goes mostly to
      // socket writes, one per command otherwise.
      enableAutoPipelining: true,
    });
  }
  const cluster = new Cluster(
    urls.map((url) => ({ host: new URL(url).hostname, port: Number(new URL(url).port || '6379') })),
    {
      redisOptions: perConnection,
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      // A command meeting a failing node (connection closed, CLUSTERDOWN, TRYAGAIN) fails now and the read falls
      // back: ioredis would otherwise retry it up to 16 times, 100 ms apart, past the command timeout.
      retryDelayOnFailover: 0,
      retryDelayOnClusterDown: 0,
      retryDelayOnTryAgain: 0,
      // The slot map is read again every second, and at once on a MOVED: a replica promoted after its master's loss
      // serves the slots within about a second of the failover, without waiting for a failing command to show it.
      slotsRefreshInterval: 1000,
      slotsRefreshTimeout: Math.max(commandTimeoutMs, 1000),
      // Keep trying the seed nodes, at most a second apart, when every node was lost.
      clusterRetryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    },
  );
  // ioredis opens a node's connection on its first command, and without an offline queue the commands sent while it
  // opens fail: connect each node as soon as the slot map names it (at start, after a failover), not on first use.
  cluster.on('+node', (node: Redis) => {
    if (node.status === 'wait') node.connect().catch(() => {});
  });
  return cluster;
}
