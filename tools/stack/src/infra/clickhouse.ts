import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CLICKHOUSE_ROLE_NAMES,
  clickhousePasswordHashVariable,
  clickhousePasswordSecret,
  clickhouseUser,
  renderClickHouseRoles,
  type ClickHouseConnection,
  type ClickHouseRole,
} from '@badam/pipeline';
import { ManagedProcess } from '../process/managed-process.js';
import { httpOk } from '../process/wait.js';
import type { StackSecrets } from './stack-secrets.js';

/** The database of the native stack, which its roles are granted on. */
const DATABASE = 'default';

/**
 * How the stack's own tools and the test harness reach a private instance: its default user (the administrator, from
 * 127.0.0.1 only, no password), the default database. The services log in as their roles instead (roleClickHouse).
 */
export function localClickHouse(
  url: string,
  limits: Partial<Pick<ClickHouseConnection, 'requestTimeoutMs' | 'maxOpenConnections'>> = {},
): ClickHouseConnection {
  return {
    url,
    username: 'default',
    password: '',
    database: DATABASE,
    requestTimeoutMs: 30_000,
    maxOpenConnections: 4,
    ...limits,
  };
}

/** The same instance as a role sees it (pipeline/runtime/src/clickhouse/roles.ts), with the password the stack made for it. */
export function roleClickHouse(
  admin: ClickHouseConnection,
  role: ClickHouseRole,
  secrets: StackSecrets,
): ClickHouseConnection {
  return { ...admin, username: clickhouseUser(role), password: secrets.value(clickhousePasswordSecret(role)) };
}

export interface ClickHouseOptions {
  dataDir: string;
  httpPort: number;
  tcpPort: number;
  /** Where the roles' passwords are (ensureStackSecrets). */
  secrets: StackSecrets;
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
  // The roles, as the Docker images have them (deployment/clickhouse/users.d/badam-roles.xml), merged into users.xml.
  mkdirSync(join(dir, 'users.d'), { recursive: true });
  writeFileSync(join(dir, 'users.d/badam-roles.xml'), renderClickHouseRoles(DATABASE));
  const server = new ManagedProcess({
    name: 'clickhouse',
    command: 'clickhouse-server',
    args: [`--config-file=${join(dir, 'config.xml')}`],
    env: passwordHashes(options.secrets),
    cwd: dir,
    logFile: join(options.dataDir, 'logs/clickhouse.log'),
  }).start();
  return server.ready(`ClickHouse on port ${options.httpPort}`, () =>
    httpOk(`http://127.0.0.1:${options.httpPort}/ping`),
  );
}

/** What the roles file reads its passwords from: each role's SHA-256, as deployment/clickhouse/entrypoint.sh exports in Docker. */
function passwordHashes(secrets: StackSecrets): Record<string, string> {
  return Object.fromEntries(
    CLICKHOUSE_ROLE_NAMES.map((role) => [
      clickhousePasswordHashVariable(role),
      createHash('sha256')
        .update(secrets.value(clickhousePasswordSecret(role)))
        .digest('hex'),
    ]),
  );
}
