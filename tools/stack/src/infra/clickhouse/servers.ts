import type { StackSecrets } from '../stack-secrets.js';
import { startZooKeeper, type ZooKeeperServer } from '../zookeeper.js';
import { startClickHouseServer, type ClickHouseServer } from './server.js';
import { clickhouseNodes, clusterOf, type Topology } from './topology.js';

export interface ClickHouseOptions {
  dataDir: string;
  /** Ports of server 0; the others' derive from them (topology.ts). */
  httpPort: number;
  tcpPort: number;
  /** Where the roles' passwords are (ensureStackSecrets). */
  secrets: StackSecrets;
  topology?: Topology;
  /** Needed by the replicated and sharded topologies. */
  zookeeperPort?: number;
}

/** The ClickHouse servers of a topology, and the ZooKeeper coordinating them (none for a single server). */
export interface ClickHouseServers {
  topology: Topology;
  /** The cluster name services get as CLICKHOUSE_CLUSTER: '' for a single server. */
  cluster: string;
  /** Shard by shard: server 0 is shard 1's first replica. */
  servers: ClickHouseServer[];
  zookeeper: ZooKeeperServer | undefined;
  stop(): Promise<void>;
}

/**
 * Starts ZooKeeper first (a server with replicated tables does not start without it), then every server at once.
 * A failure stops what did start: nothing outlives a failed start.
 */
export async function startClickHouse(options: ClickHouseOptions): Promise<ClickHouseServers> {
  const topology = options.topology ?? 'single';
  const nodes = clickhouseNodes(topology, options);
  let zookeeper: ZooKeeperServer | undefined;
  if (topology !== 'single') {
    if (options.zookeeperPort === undefined) throw new Error(`the ${topology} topology needs a ZooKeeper port`);
    zookeeper = await startZooKeeper({ dataDir: options.dataDir, port: options.zookeeperPort });
  }
  const cluster = zookeeper === undefined ? undefined : { nodes, zookeeperPort: zookeeper.port };
  const started = await Promise.allSettled(
    nodes.map((node) =>
      startClickHouseServer({
        dataDir: options.dataDir,
        node,
        secrets: options.secrets,
        ...(cluster === undefined ? {} : { cluster }),
      }),
    ),
  );
  const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  // Servers before ZooKeeper: a server losing it mid-shutdown waits on its session.
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await zookeeper?.stop();
  };
  const failed = started.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await stop();
    throw failed.reason;
  }
  return { topology, cluster: clusterOf(topology), servers, zookeeper, stop };
}
