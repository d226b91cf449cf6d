import { createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';

export interface ClickHouseConnection {
  url: string;
  username: string;
  password: string;
  database: string;
  requestTimeoutMs: number;
  maxOpenConnections: number;
}

export function createClickHouseClient(connection: ClickHouseConnection): ClickHouseClient {
  return createClient({
    url: connection.url,
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
