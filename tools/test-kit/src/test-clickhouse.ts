import { join } from 'node:path';
import { startClickHouse, type ClickHouseServers } from '@badam/stack/infra/clickhouse/servers';
import type { Topology } from '@badam/stack/infra/clickhouse/topology';
import { ensureStackSecrets, type StackSecrets } from '@badam/stack/infra/stack-secrets';
import { freeBasePort, testInfra, uniqueName, type Cleanup } from './fixtures.js';

/** Ports of a private topology relative to a free base port; its servers take + 10·i (stack topology.ts). */
export const PRIVATE_CLICKHOUSE_PORTS = { http: 3, tcp: 4, zookeeper: 6 } as const;

/**
 * ClickHouse alone in the given topology (with its ZooKeeper), on free ports and a folder of its own, for a test of
 * the servers themselves; stopped, by pid, after the test. `secrets` holds its roles' passwords (for services run
 * against it).
 */
export async function startTestClickHouse(
  t: Cleanup,
  topology: Topology,
): Promise<ClickHouseServers & { secrets: StackSecrets }> {
  const dataDir = join(testInfra().dataDir, uniqueName(`clickhouse-${topology}`));
  const base = await freeBasePort();
  const secrets = ensureStackSecrets(dataDir);
  const servers = await startClickHouse({
    dataDir,
    httpPort: base + PRIVATE_CLICKHOUSE_PORTS.http,
    tcpPort: base + PRIVATE_CLICKHOUSE_PORTS.tcp,
    zookeeperPort: base + PRIVATE_CLICKHOUSE_PORTS.zookeeper,
    secrets,
    topology,
  });
  t.after(() => servers.stop());
  return { ...servers, secrets };
}
