import { createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { failoverClient } from './failover-client.js';

export interface ClickHouseConnection {
  /** One server's HTTP endpoint, or several comma-separated: a cluster's servers, the preferred one first. */
  url: string;
  username: string;
  password: string;
  database: string;
  requestTimeoutMs: number;
  maxOpenConnections: number;
}

/** How long a server that did not answer is skipped before it is tried first again. */
export const SERVER_BACKOFF_MS = 2000;

export interface ClickHouseClientOptions {
  /** Told when a request moves to another server because `url` did not answer (log which server is used). */
  onFailover?: (event: { from: string; to: string; error: unknown }) => void;
}

/**
 * A client of one server, or, when `connection.url` lists several, of all of them with failover
 * (clickhouse/server-failover.ts): a request that gets no answer goes to the next server, a read whatever happened to
 * it, a write only when it never reached the first (a write cut off mid-request may have been applied: its caller
 * decides, as the consumer does by re-reading its heads; the identical block is then deduplicated).
 */
export function createClickHouseClient(
  connection: ClickHouseConnection,
  options: ClickHouseClientOptions = {},
): ClickHouseClient {
  const urls = serverUrls(connection.url);
  if (urls.length === 1) return serverClient(connection, urls[0] as string);
  return failoverClient(
    urls.map((url) => ({ url, client: serverClient(connection, url) })),
    SERVER_BACKOFF_MS,
    options.onFailover,
  );
}

/** The servers a connection's url lists, in order. */
export function serverUrls(url: string): string[] {
  return url
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function serverClient(connection: ClickHouseConnection, url: string): ClickHouseClient {
  return createClient({
    url,
    username: connection.username,
    password: connection.password,
    database: connection.database,
    request_timeout: connection.requestTimeoutMs,
    max_open_connections: connection.maxOpenConnections,
    keep_alive: { enabled: true },
    // No compression: everything is on one host or one overlay network, and 18.16 predates some of its settings.
    compression: { request: false, response: false },
  });
}

export interface ServerVersion {
  major: number;
  minor: number;
  text: string;
}

export async function serverVersion(client: ClickHouseClient): Promise<ServerVersion> {
  const result = await client.query({ query: 'SELECT version() AS version', format: 'JSONEachRow' });
  const [row] = await result.json<{ version: string }>();
  const text = row?.version ?? '';
  const match = /^(\d+)\.(\d+)/.exec(text);
  if (match === null) throw new Error(`cannot read the ClickHouse version from ${JSON.stringify(text)}`);
  return { major: Number(match[1]), minor: Number(match[2]), text };
}

/**
 * Settings for the consumer's inserts. ClickHouse 26.3 turned async inserts on by default; an async insert is not
 * visible to the next max(order) query until flushed, which would hand out an order twice. So inserts must be
 * synchronous, but 18.16 (Debian's server) knows no async_insert setting (added in 21.11) and rejects unknown ones:
 * the setting is sent only where it exists.
 */
export function synchronousInsertSettings(version: ServerVersion): ClickHouseSettings {
  const hasAsyncInsert = version.major > 21 || (version.major === 21 && version.minor >= 11);
  return hasAsyncInsert ? { async_insert: 0 } : {};
}
