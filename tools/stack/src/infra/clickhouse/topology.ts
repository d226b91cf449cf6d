/**
 * How the native stack runs ClickHouse (BADAM_TOPOLOGY for the stack, BADAM_TEST_TOPOLOGY for a test run):
 * - single: one server, no ZooKeeper (the default);
 * - replicated: ZooKeeper and one shard of three replicas;
 * - sharded: ZooKeeper and two shards of three replicas each.
 * Three replicas, not two: the consumers' inserts need a majority quorum (store-consistency.ts), which two replicas
 * lose with either server, three keep with one lost (tests/faults/clickhouse-replica-loss.test.ts).
 */
export const TOPOLOGIES = ['single', 'replicated', 'sharded'] as const;
export type Topology = (typeof TOPOLOGIES)[number];

/** The cluster (remote_servers) of the replicated and sharded topologies; services get it as CLICKHOUSE_CLUSTER. */
export const CLUSTER_NAME = 'badam';

const SHAPES: Readonly<Record<Topology, { shards: number; replicas: number }>> = {
  single: { shards: 1, replicas: 1 },
  replicated: { shards: 1, replicas: 3 },
  sharded: { shards: 2, replicas: 3 },
};

/**
 * Server i (0-based, shard by shard) listens on the base ports + i × SERVER_PORT_STEP, and takes replicas' fetches
 * (interserver HTTP) on its HTTP port + INTERSERVER_PORT_OFFSET. Server 0 is the single topology's server, on the
 * base ports, in the same folder.
 */
export const SERVER_PORT_STEP = 10;
export const INTERSERVER_PORT_OFFSET = 5;

export interface ClickHouseNode {
  /** `clickhouse` for server 0, `clickhouse-<i+1>` for the others: its folder under the data dir and its log's name. */
  name: string;
  /** 1-based, as the `{shard}` and `{replica}` macros give them. */
  shard: number;
  replica: number;
  httpPort: number;
  tcpPort: number;
  interserverPort: number;
}

/** The name services get as CLICKHOUSE_CLUSTER: '' for a single server. */
export function clusterOf(topology: Topology): string {
  return topology === 'single' ? '' : CLUSTER_NAME;
}

/** The servers of a topology, shard by shard, with their ports derived from the base ones. */
export function clickhouseNodes(topology: Topology, base: { httpPort: number; tcpPort: number }): ClickHouseNode[] {
  const { shards, replicas } = SHAPES[topology];
  return Array.from({ length: shards * replicas }, (_, i) => {
    const step = i * SERVER_PORT_STEP;
    return {
      name: i === 0 ? 'clickhouse' : `clickhouse-${i + 1}`,
      shard: Math.floor(i / replicas) + 1,
      replica: (i % replicas) + 1,
      httpPort: base.httpPort + step,
      tcpPort: base.tcpPort + step,
      interserverPort: base.httpPort + step + INTERSERVER_PORT_OFFSET,
    };
  });
}
