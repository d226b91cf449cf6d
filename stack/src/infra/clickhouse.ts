import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClickHouseConnection } from '@badam/pipeline';
import { ManagedProcess } from '../process/managed-process.js';
import { httpOk } from '../process/wait.js';

/** How the stack's own tools reach a private instance: its default user, no password, the default database. */
export function localClickHouse(url: string, limits: Partial<Pick<ClickHouseConnection, 'requestTimeoutMs' | 'maxOpenConnections'>> = {}): ClickHouseConnection {
  return { url, username: 'default', password: '', database: 'default', requestTimeoutMs: 30_000, maxOpenConnections: 4, ...limits };
}

export interface ClickHouseOptions {
  dataDir: string;
  httpPort: number;
  tcpPort: number;
}

/**
 * Debian's clickhouse-server (18.16), as a private instance with its own config, ports and data under the stack's
 * data folder; the machine-wide service is never touched.
 */
export async function startClickHouse(options: ClickHouseOptions): Promise<ManagedProcess> {
  const dir = join(options.dataDir, 'clickhouse');
  const data = join(dir, 'data');
  mkdirSync(data, { recursive: true });
  writeFileSync(
    join(dir, 'config.xml'),
    `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <http_port>${options.httpPort}</http_port>
  <tcp_port>${options.tcpPort}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${data}/</path>
  <tmp_path>${data}/tmp/</tmp_path>
  <user_files_path>${data}/user_files/</user_files_path>
  <format_schema_path>${data}/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <max_concurrent_queries>400</max_concurrent_queries>
  <mark_cache_size>1073741824</mark_cache_size>
  <uncompressed_cache_size>1073741824</uncompressed_cache_size>
</yandex>
`,
  );
  // max_threads 2: the machine has two cores; more threads per query only contend with the other queries.
  writeFileSync(
    join(dir, 'users.xml'),
    `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_threads>2</max_threads><use_uncompressed_cache>1</use_uncompressed_cache></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default></default></quotas>
</yandex>
`,
  );
  const server = new ManagedProcess({
    name: 'clickhouse',
    command: 'clickhouse-server',
    args: [`--config-file=${join(dir, 'config.xml')}`],
    cwd: dir,
    logFile: join(options.dataDir, 'logs/clickhouse.log'),
  }).start();
  return server.ready(`ClickHouse on port ${options.httpPort}`, () => httpOk(`http://127.0.0.1:${options.httpPort}/ping`));
}
