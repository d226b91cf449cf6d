import { mkdirSync } from 'node:fs';
import {
  createClickHouseClient,
  createClusterTables,
  ensureTopic,
  migrate,
  type ClickHouseConnection,
  type KafkaConnection,
} from '@badam/pipeline';
import type { ManagedProcess } from '../process/managed-process.js';
import { localClickHouse, roleClickHouse } from './clickhouse/connection.js';
import type { ClickHouseServer } from './clickhouse/server.js';
import { startClickHouse, type ClickHouseServers } from './clickhouse/servers.js';
import type { Topology } from './clickhouse/topology.js';
import { startKafka } from './kafka.js';
import { startReadModelCluster } from './read-model-cluster.js';
import {
  startSingleReadModelStore,
  type ReadModelNode,
  type ReadModelStore,
  type ReadModelTopology,
} from './read-model-store.js';
import { ensureStackSecrets, READ_MODEL_PASSWORD_SECRET, type StackSecrets } from './stack-secrets.js';
import type { ZooKeeperServer } from './zookeeper.js';

export interface InfraOptions {
  dataDir: string;
  kafkaPort: number;
  clickhouseHttpPort: number;
  clickhouseTcpPort: number;
  /** The store's port; a cluster's six nodes take this one and the next five. */
  readModelPort: number;
  /** single (default): one redis-server; cluster: 3 masters + 3 replicas (read-model-cluster.ts). */
  readModelTopology?: ReadModelTopology;
  /** A cluster node's bus port is its port + this (default 100, read-model-cluster.ts). */
  readModelBusPortOffset?: number;
  kafkaHeapMb?: number;
  /** How ClickHouse runs (clickhouse/topology.ts); single by default. */
  topology?: Topology;
  /** ZooKeeper's port, for the replicated and sharded topologies. */
  zookeeperPort?: number;
}

/** The broker, the database and the read model's store: what every service and every integration test needs running. */
export interface Infra {
  kafka: KafkaConnection;
  /**
   * The administrator (default user, from 127.0.0.1 only) on server 0: the tests' and tools' own connection, never a
   * service's.
   */
  clickhouse: ClickHouseConnection;
  topology: Topology;
  /** What services get as CLICKHOUSE_CLUSTER: the cluster the tables span, '' for a single server. */
  clickhouseCluster: string;
  /** Every ClickHouse server, shard by shard, to reach or fault one (stop, kill, pause, start again). */
  clickhouseServers: ClickHouseServer[];
  /** The coordinator of the replicated and sharded topologies (none for single). */
  zookeeper: ZooKeeperServer | undefined;
  /**
   * The services' READ_MODEL_URL: redis://… of the read model's store, or its cluster's nodes, comma-separated (its
   * password: secrets, READ_MODEL_PASSWORD_SECRET).
   */
  readModelUrl: string;
  /** The services' READ_MODEL_MODE. */
  readModelMode: 'standalone' | 'cluster';
  /** The ClickHouse roles' and the store's passwords, one file each, as the services get them. */
  secrets: StackSecrets;
  broker: ManagedProcess;
  /** Server 0's process (the only one of the single topology). */
  database: ManagedProcess;
  /** The store's server; a cluster's first node (its nodes: readModelNodes). */
  readModelStore: ManagedProcess;
  readModelNodes: ReadModelNode[];
  /**
   * Creates the topic (if missing) and applies the migrations to the table, or on a cluster creates its tables on
   * every server, as the migrator (as init does).
   */
  prepare(topic: string, partitions: number, table: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startInfra(options: InfraOptions): Promise<Infra> {
  mkdirSync(options.dataDir, { recursive: true });
  const secrets = ensureStackSecrets(options.dataDir);
  const started = await Promise.allSettled([
    startKafka({
      dataDir: options.dataDir,
      port: options.kafkaPort,
      controllerPort: options.kafkaPort + 1,
      ...(options.kafkaHeapMb === undefined ? {} : { heapMb: options.kafkaHeapMb }),
    }),
    startClickHouse({
      dataDir: options.dataDir,
      httpPort: options.clickhouseHttpPort,
      tcpPort: options.clickhouseTcpPort,
      secrets,
      ...(options.topology === undefined ? {} : { topology: options.topology }),
      ...(options.zookeeperPort === undefined ? {} : { zookeeperPort: options.zookeeperPort }),
    }),
    startStore(options, secrets.value(READ_MODEL_PASSWORD_SECRET)),
  ]);
  // One that started must not outlive the other's failure: it would keep the caller (a test file) from exiting.
  const failed = started.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(started.map((result) => (result.status === 'fulfilled' ? result.value.stop() : undefined)));
    throw failed.reason;
  }
  const [broker, clickhouseServers, store] = started.map(
    (result) => (result as PromiseFulfilledResult<unknown>).value,
  ) as [ManagedProcess, ClickHouseServers, ReadModelStore];
  const kafka: KafkaConnection = { brokers: [`127.0.0.1:${options.kafkaPort}`], clientId: 'badam-stack' };
  const clickhouse = localClickHouse(`http://127.0.0.1:${options.clickhouseHttpPort}`);
  return {
    kafka,
    clickhouse,
    readModelUrl: store.url,
    readModelMode: store.mode,
    secrets,
    topology: clickhouseServers.topology,
    clickhouseCluster: clickhouseServers.cluster,
    clickhouseServers: clickhouseServers.servers,
    zookeeper: clickhouseServers.zookeeper,
    broker,
    database: (clickhouseServers.servers[0] as ClickHouseServer).process,
    readModelStore: store.nodes[0]!.process,
    readModelNodes: store.nodes,
    async prepare(topic, partitions, table) {
      await ensureTopic(kafka, topic, partitions);
      const client = createClickHouseClient(roleClickHouse(clickhouse, 'migrator', secrets));
      try {
        if (clickhouseServers.cluster === '') await migrate(client, table);
        else await createClusterTables(client, clickhouse.database, table, clickhouseServers.cluster);
      } finally {
        await client.close();
      }
    },
    async stop() {
      await Promise.all([broker.stop(), clickhouseServers.stop(), store.stop()]);
    },
  };
}

function startStore(options: InfraOptions, password: string): Promise<ReadModelStore> {
  const store = { dataDir: options.dataDir, port: options.readModelPort, password };
  if (options.readModelTopology !== 'cluster') return startSingleReadModelStore(store);
  return startReadModelCluster({
    ...store,
    ...(options.readModelBusPortOffset === undefined ? {} : { busPortOffset: options.readModelBusPortOffset }),
  });
}
