import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CLICKHOUSE_ROLE_NAMES,
  clickhousePasswordHashVariable,
  clickhousePasswordSecret,
  renderClickHouseRoles,
} from '@badam/pipeline';
import { ManagedProcess } from '../../process/managed-process.js';
import { processHandle, type ProcessHandle } from '../../process/process-handle.js';
import { httpOk } from '../../process/wait.js';
import type { StackSecrets } from '../stack-secrets.js';
import { DATABASE } from './connection.js';
import { clusterConfig, serverConfig, USERS_CONFIG } from './server-config.js';
import type { ClickHouseNode } from './topology.js';

/** One ClickHouse server of the stack, with its place in the cluster and its address. */
export interface ClickHouseServer extends ProcessHandle {
  readonly node: ClickHouseNode;
  /** http://127.0.0.1:<its HTTP port> */
  readonly url: string;
}

export interface ClickHouseServerOptions {
  dataDir: string;
  node: ClickHouseNode;
  /** Where the roles' passwords are (ensureStackSecrets). */
  secrets: StackSecrets;
  /** For the replicated and sharded topologies: every server of the cluster, and ZooKeeper's port. */
  cluster?: { nodes: readonly ClickHouseNode[]; zookeeperPort: number };
}

/**
 * Debian's clickhouse-server (18.16), as a private instance with its own config, ports and data under the stack's
 * data folder; the machine-wide service is never touched.
 */
export async function startClickHouseServer(options: ClickHouseServerOptions): Promise<ClickHouseServer> {
  const { node } = options;
  const dir = join(options.dataDir, node.name);
  const data = join(dir, 'data');
  mkdirSync(data, { recursive: true });
  writeFileSync(join(dir, 'config.xml'), serverConfig(node, data));
  writeFileSync(join(dir, 'users.xml'), USERS_CONFIG);
  // The roles, as the Docker images have them (deployment/clickhouse/users.d/badam-roles.xml), merged into users.xml.
  mkdirSync(join(dir, 'users.d'), { recursive: true });
  writeFileSync(join(dir, 'users.d/badam-roles.xml'), renderClickHouseRoles(DATABASE));
  // Rewritten on every start, so a data folder last run on another topology takes this one's.
  rmSync(join(dir, 'config.d'), { recursive: true, force: true });
  if (options.cluster !== undefined) {
    mkdirSync(join(dir, 'config.d'), { recursive: true });
    writeFileSync(
      join(dir, 'config.d/cluster.xml'),
      clusterConfig(node, options.cluster.nodes, options.cluster.zookeeperPort),
    );
  }
  const process = new ManagedProcess({
    name: node.name,
    command: 'clickhouse-server',
    args: [`--config-file=${join(dir, 'config.xml')}`],
    env: passwordHashes(options.secrets),
    cwd: dir,
    logFile: join(options.dataDir, `logs/${node.name}.log`),
  });
  const url = `http://127.0.0.1:${node.httpPort}`;
  const handle = processHandle(`ClickHouse on port ${node.httpPort}`, process, () => httpOk(`${url}/ping`));
  await handle.start();
  return { ...handle, node, url };
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
