import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after } from 'node:test';
import {
  DEFAULT_PARTITIONS,
  createClickHouseClient,
  createClusterTables,
  createPageStore,
  dropClusterTables,
  dropTable,
  ensureTopic,
  migrate,
  pageStoreConnection,
  type ClickHouseConnection,
  type PageStore,
  type KafkaConnection,
} from '@badam/pipeline';
import type { ClickHouseClient } from '@clickhouse/client';
import { startFleet, type Fleet, type FleetOptions } from '@badam/stack/fleet';
import { localClickHouse } from '@badam/stack/infra/clickhouse';
import { clusterOf, TOPOLOGIES, type Topology } from '@badam/stack/infra/clickhouse/topology';
import { startGateway, type Gateway } from '@badam/stack/infra/gateway';
import { READ_MODEL_PASSWORD_SECRET, stackSecrets, type StackSecrets } from '@badam/stack/infra/stack-secrets';
import { gatewayScrapeJobs, startPrometheus, type Prometheus } from '@badam/stack/infra/prometheus';
import { TEST_ENV } from './test-env.js';

/**
 * Factories for integration tests. Each makes uniquely named resources (topic, table, consumer group, ports), so
 * test files run in parallel against one broker and one database, and registers its own cleanup on the test.
 */
/** Where a fixture registers its cleanup: a test's context (t), or a suite's, from suiteCleanup(). */
export interface Cleanup {
  after(fn: () => unknown): void;
}

/**
 * For resources shared by the tests of a describe block (created in before()): call at the describe level; the
 * cleanups run, newest first, after the suite.
 */
export function suiteCleanup(): Cleanup {
  const cleanups: (() => unknown)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  return { after: (fn) => void cleanups.push(fn) };
}

export interface TestInfra {
  kafka: KafkaConnection;
  /** The administrator, on server 0: tests create, read and drop their tables with it. */
  clickhouse: ClickHouseConnection;
  /** The run's ClickHouse topology (BADAM_TEST_TOPOLOGY), its cluster ('' for single) and every server's URL. */
  topology: Topology;
  clickhouseCluster: string;
  clickhouseServers: { url: string }[];
  /** READ_MODEL_URL of the test run's store: one server, or a cluster's nodes (readModelMode). */
  readModelUrl: string;
  readModelMode: 'standalone' | 'cluster';
  /** The roles' and the store's passwords the test run's servers were started with. */
  secrets: StackSecrets;
  dataDir: string;
}

export function testInfra(): TestInfra {
  const brokers = process.env[TEST_ENV.kafkaBrokers];
  const url = process.env[TEST_ENV.clickhouseUrl];
  const readModelUrl = process.env[TEST_ENV.readModelUrl];
  const dataDir = process.env[TEST_ENV.dataDir];
  if (brokers === undefined || url === undefined || readModelUrl === undefined || dataDir === undefined) {
    throw new Error('integration tests run under the test harness: npm test (scripts/test.sh)');
  }
  const topology = testTopology();
  return {
    kafka: { brokers: brokers.split(','), clientId: 'badam-test' },
    clickhouse: localClickHouse(url, { maxOpenConnections: 8 }),
    topology,
    clickhouseCluster: clusterOf(topology),
    clickhouseServers: (process.env[TEST_ENV.clickhouseUrls] ?? url).split(',').map((server) => ({ url: server })),
    readModelUrl,
    readModelMode: process.env[TEST_ENV.readModelMode] === 'cluster' ? 'cluster' : 'standalone',
    secrets: stackSecrets(dataDir),
    dataDir,
  };
}

/** The run's topology, as the runner was told (BADAM_TEST_TOPOLOGY); single when unset. */
export function testTopology(): Topology {
  return topologyFrom(TEST_ENV.topology, 'single');
}

/** The private stacks' topology, as the runner was told (BADAM_TEST_FAULT_TOPOLOGY); replicated when unset. */
export function faultTopology(): Topology {
  return topologyFrom(TEST_ENV.faultTopology, 'replicated');
}

function topologyFrom(variable: string, unset: Topology): Topology {
  const topology = process.env[variable] ?? unset;
  if (!(TOPOLOGIES as readonly string[]).includes(topology)) {
    throw new Error(`${variable} must be one of ${TOPOLOGIES.join(', ')}, got ${JSON.stringify(topology)}`);
  }
  return topology as Topology;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

export function createTestClickHouse(t: Cleanup): ClickHouseClient {
  const client = createClickHouseClient(testInfra().clickhouse);
  t.after(() => client.close());
  return client;
}

/**
 * A fresh messages table with the production schema, dropped after the test; on the run's cluster
 * (BADAM_TEST_TOPOLOGY replicated or sharded) the tables init makes there, on every server.
 */
export async function createTestTable(t: Cleanup, client: ClickHouseClient): Promise<string> {
  const table = uniqueName('messages_test');
  const { clickhouse, clickhouseCluster: cluster } = testInfra();
  if (cluster === '') {
    await migrate(client, table);
    t.after(() => dropTable(client, table));
  } else {
    await createClusterTables(client, clickhouse.database, table, cluster);
    t.after(() => dropClusterTables(client, clickhouse.database, table, cluster));
  }
  return table;
}

/**
 * The read model's store as the services of a fleet on `table` see it (their key prefix), closed after the test; by
 * default the test run's, else another infra's (a private stack's).
 */
export async function createTestPageStore(
  t: Cleanup,
  table: string,
  { readModelUrl, readModelMode, secrets }: Pick<TestInfra, 'readModelUrl' | 'readModelMode' | 'secrets'> = testInfra(),
): Promise<PageStore> {
  const store = createPageStore(
    pageStoreConnection({
      READ_MODEL_URL: readModelUrl.split(','),
      READ_MODEL_MODE: readModelMode,
      READ_MODEL_PASSWORD: secrets.value(READ_MODEL_PASSWORD_SECRET),
      READ_MODEL_TIMEOUT_MS: 2000,
      CLICKHOUSE_TABLE: table,
    }),
  );
  t.after(() => store.close());
  await store.connected(10_000);
  return store;
}

export async function createTestTopic(partitions = DEFAULT_PARTITIONS): Promise<string> {
  const topic = uniqueName('messages-test');
  await ensureTopic(testInfra().kafka, topic, partitions);
  return topic;
}

/**
 * Test ports come from the runner's BADAM_TEST_PORT_RANGE, by default 20000-32767, below Linux's ephemeral range
 * (32768-60999): a port found free there can be taken by the next outgoing connection before the server that asked
 * for it binds (seen: HAProxy failing to bind).
 */
function testPorts(): { first: number; last: number } {
  const [first, last] = (process.env[TEST_ENV.portRange] ?? '20000-32767').split('-').map(Number) as [number, number];
  return { first, last };
}

/** Ports a private stack may take above its base: see private-stack.ts for who takes which. */
const PORT_BLOCK = 80;

/** A base port whose whole block (base+1 .. base+PORT_BLOCK-1) is free right now. */
export async function freeBasePort(): Promise<number> {
  const range = testPorts();
  const blocks = Math.floor((range.last - range.first) / PORT_BLOCK);
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = range.first + Math.floor(Math.random() * blocks) * PORT_BLOCK;
    const free = await Promise.all(Array.from({ length: PORT_BLOCK - 1 }, (_, i) => portFree(base + 1 + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free block of ports found');
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export type TestFleetOptions = Partial<Omit<FleetOptions, 'infra'>> & {
  topic: string;
  table: string;
};

/** The real services as processes, against the test broker and database; stopped by pid after the test. */
export async function startTestFleet(t: Cleanup, options: TestFleetOptions): Promise<Fleet> {
  const infra = testInfra();
  const fleet = await startFleet({
    dataDir: join(infra.dataDir, uniqueName('fleet')),
    infra,
    basePort: await freeBasePort(),
    replicas: 1,
    consumers: 1,
    logLevel: 'warn',
    ...options,
    env: { CONSUMER_GROUP_ID: uniqueName('consumers'), ...options.env },
  });
  t.after(() => fleet.stop());
  return fleet;
}

/** A single port, free right now, from the test range (testPorts). */
async function freePort(): Promise<number> {
  const range = testPorts();
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = range.first + Math.floor(Math.random() * (range.last - range.first));
    if (await portFree(port)) return port;
  }
  throw new Error('no free port found');
}

/**
 * Prometheus scraping every replica of the fleet every 5 s (and the gateway's exporter when given), with the
 * project's rules loaded; stopped after the test.
 */
export async function startTestPrometheus(t: Cleanup, fleet: Fleet, gateway?: Gateway): Promise<Prometheus> {
  const prometheus = await startPrometheus({
    dataDir: join(testInfra().dataDir, uniqueName('prometheus')),
    port: await freePort(),
    services: fleet.ports,
    extraJobs: gateway === undefined ? [] : gatewayScrapeJobs(gateway),
  });
  t.after(() => prometheus.stop());
  return prometheus;
}

/**
 * Requests/s per client address of every gateway the test kit starts (its private stacks included), unless a test
 * asks for another. A test's own traffic all comes from 127.0.0.1 and, on a quiet machine, passes the stack's
 * default (1,000/s) within a second: its 429s would fail a test whose system is right (issue 22: a fault test got
 * 157). This limit no test's traffic can reach, on a quiet or a busy machine; the limit itself is proven by the
 * gateway test that asks for 5/s.
 */
export const TEST_GATEWAY_CLIENT_RATE_LIMIT = 1_000_000;

/**
 * The HAProxy gateway over every replica of the fleet, on free ports (routes and metrics); stopped after the test.
 * A service without replicas (an empty list, or none) answers 503. The per-client rate limit is
 * TEST_GATEWAY_CLIENT_RATE_LIMIT unless `clientRateLimit` says otherwise.
 */
export async function startTestGateway(
  t: Cleanup,
  fleet: Pick<Fleet, 'ports'>,
  options: { clientRateLimit?: number } = {},
): Promise<Gateway> {
  const gateway = await startGateway({
    dataDir: join(testInfra().dataDir, uniqueName('gateway')),
    port: await freePort(),
    metricsPort: await freePort(),
    services: fleet.ports,
    clientRateLimit: options.clientRateLimit ?? TEST_GATEWAY_CLIENT_RATE_LIMIT,
  });
  t.after(() => gateway.stop());
  return gateway;
}
