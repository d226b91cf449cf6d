/**
 * The distributed parts of swarm-stack.yml, named once: the ClickHouse cluster (two shards of three replicas), the
 * ClickHouse Keeper ensemble that coordinates it, and the Valkey cluster of the read model. The ClickHouse and Keeper
 * configs are generated from these lists (generate/cluster-files.ts), and the deployment checks hold the stack file to
 * them (checks/cluster-checks.ts). docker-compose.yml runs one of each instead.
 */

/** Every stateful swarm service S runs only on the node labelled badam.S=true, where its volume lives. */
export function placementConstraint(service: string): string {
  return `node.labels.badam.${service} == true`;
}

export const CLICKHOUSE_CLUSTER = {
  /** The remote_servers cluster the tables span: CLICKHOUSE_CLUSTER in the services' settings. */
  name: 'badam',
  image: 'clickhouse/clickhouse-server',
  /**
   * Each shard's replicas, by service name (also their hostnames and their {replica} macro). Three: the consumers'
   * inserts need a majority quorum (pipeline/runtime/src/clickhouse/store-consistency.ts), which a shard of two loses
   * with either replica, and a shard of three keeps with one lost.
   */
  shards: [
    ['clickhouse-s1r1', 'clickhouse-s1r2', 'clickhouse-s1r3'],
    ['clickhouse-s2r1', 'clickhouse-s2r2', 'clickhouse-s2r3'],
  ],
  /** The network alias all the servers answer to: CLICKHOUSE_URL's first host (swarm-stack.yml says why). */
  alias: 'clickhouse',
  httpPort: 8123,
  tcpPort: 9000,
  dataDir: '/var/lib/clickhouse',
  /** The variables each server's macros read (config.d/badam-cluster.xml, from_env). */
  shardVariable: 'BADAM_CLICKHOUSE_SHARD',
  replicaVariable: 'BADAM_CLICKHOUSE_REPLICA',
  /** The Docker secret behind the cluster's inter-server secret and the replicas' interserver HTTP password. */
  interserverSecret: 'clickhouse_interserver_secret',
  interserverVariable: 'CLICKHOUSE_INTERSERVER_SECRET',
} as const;

/**
 * The clients' CLICKHOUSE_URL in the swarm: the shared alias first (new connections spread over the live servers),
 * then every server by name, which a request goes on to when the alias gives no answer (a task just gone, a
 * connection cut): pipeline/runtime/src/clickhouse/failover-client.ts.
 */
export function clickhouseClientUrls(): string {
  const c = CLICKHOUSE_CLUSTER;
  return [c.alias, ...c.shards.flat()].map((host) => `http://${host}:${c.httpPort}`).join(',');
}

/** The ClickHouse servers of the cluster, each with its shard number (1-based). */
export function clickhouseReplicas(): { service: string; shard: number }[] {
  return CLICKHOUSE_CLUSTER.shards.flatMap((replicas, index) =>
    replicas.map((service) => ({ service, shard: index + 1 })),
  );
}

export const KEEPER_ENSEMBLE = {
  image: 'clickhouse/clickhouse-keeper',
  /** Raft server ids 1..3, in this order. Three: a majority (two) survives one lost node. */
  nodes: ['clickhouse-keeper-1', 'clickhouse-keeper-2', 'clickhouse-keeper-3'],
  clientPort: 9181,
  raftPort: 9234,
  dataDir: '/var/lib/clickhouse',
  /** The variable each node reads its raft server id from (keeper_config.xml, from_env). */
  idVariable: 'BADAM_KEEPER_ID',
} as const;

export const VALKEY_CLUSTER = {
  /** Three masters and a replica of each: valkey-cluster-create decides who is which. */
  nodes: ['valkey-1', 'valkey-2', 'valkey-3', 'valkey-4', 'valkey-5', 'valkey-6'],
  replicasPerMaster: 1,
  /** The one-shot that forms the cluster (or re-introduces its nodes after they all moved). */
  creator: 'valkey-cluster-create',
  dataDir: '/data',
} as const;
