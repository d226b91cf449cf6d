import { mkdirSync } from 'node:fs';
import {
  createClickHouseClient,
  ensureTopic,
  migrate,
  type ClickHouseConnection,
  type KafkaConnection,
} from '@badam/pipeline';
import type { ManagedProcess } from '../process/managed-process.js';
import { localClickHouse, roleClickHouse, startClickHouse } from './clickhouse.js';
import { startKafka } from './kafka.js';
import { startReadModelCluster } from './read-model-cluster.js';
import {
  startSingleReadModelStore,
  type ReadModelNode,
  type ReadModelStore,
  type ReadModelTopology,
} from './read-model-store.js';
import { ensureStackSecrets, READ_MODEL_PASSWORD_SECRET, type StackSecrets } from './stack-secrets.js';

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
}

/** The broker, the database and the read model's store: what every service and every integration test needs running. */
export interface Infra {
  kafka: KafkaConnection;
  /** The administrator (default user, from 127.0.0.1 only): the tests' and tools' own connection, never a service's. */
  clickhouse: ClickHouseConnection;
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
  database: ManagedProcess;
  /** The store's server; a cluster's first node (its nodes: readModelNodes). */
  readModelStore: ManagedProcess;
  readModelNodes: ReadModelNode[];
  /** Creates the topic (if missing) and applies the migrations to the table, as the migrator (as init does). */
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
    }),
    startStore(options, secrets.value(READ_MODEL_PASSWORD_SECRET)),
  ]);
  // One that started must not outlive the other's failure: it would keep the caller (a test file) from exiting.
  const failed = started.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(started.map((result) => (result.status === 'fulfilled' ? result.value.stop() : undefined)));
    throw failed.reason;
  }
  const [broker, database, store] = started.map(
    (result) => (result as PromiseFulfilledResult<ManagedProcess | ReadModelStore>).value,
  ) as [ManagedProcess, ManagedProcess, ReadModelStore];
  const kafka: KafkaConnection = { brokers: [`127.0.0.1:${options.kafkaPort}`], clientId: 'badam-stack' };
  const clickhouse = localClickHouse(`http://127.0.0.1:${options.clickhouseHttpPort}`);
  return {
    kafka,
    clickhouse,
    readModelUrl: store.url,
    readModelMode: store.mode,
    secrets,
    broker,
    database,
    readModelStore: store.nodes[0]!.process,
    readModelNodes: store.nodes,
    async prepare(topic, partitions, table) {
      await ensureTopic(kafka, topic, partitions);
      const client = createClickHouseClient(roleClickHouse(clickhouse, 'migrator', secrets));
      try {
        await migrate(client, table);
      } finally {
        await client.close();
      }
    },
    async stop() {
      await Promise.all([broker.stop(), database.stop(), store.stop()]);
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
