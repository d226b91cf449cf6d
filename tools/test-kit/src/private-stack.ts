import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { createClickHouseClient } from '@badam/pipeline';
import { launchFleet, type Fleet, type FleetOptions } from '@badam/stack/fleet';
import type { ClickHouseServer } from '@badam/stack/infra/clickhouse/server';
import type { Topology } from '@badam/stack/infra/clickhouse/topology';
import type { Gateway } from '@badam/stack/infra/gateway';
import { startInfra, type Infra } from '@badam/stack/infra/infra';
import type { ZooKeeperServer } from '@badam/stack/infra/zookeeper';
import { faultTopology, freeBasePort, startTestGateway, testInfra, uniqueName, type Cleanup } from './fixtures.js';
import { PRIVATE_CLICKHOUSE_PORTS } from './test-clickhouse.js';
import type { ReadModelTopology } from '@badam/stack/infra/read-model-store';
import { TEST_ENV } from './test-env.js';

export interface PrivateStack {
  infra: Infra;
  /** The administrator on server 0 (on a cluster, the tables services use are there too). */
  client: ClickHouseClient;
  /**
   * Every ClickHouse server, shard by shard (shard 1's replicas first): `url`, `node` (shard, replica, ports) and
   * stop(), kill() (SIGKILL), pause() (SIGSTOP) / resume(), start() (again, waiting until it answers).
   */
  clickhouseServers: ClickHouseServer[];
  /** The replicated and sharded topologies' coordinator, with the same stop/kill/pause/start; none for single. */
  zookeeper: ZooKeeperServer | undefined;
  table: string;
  fleet: Fleet;
  gateway: Gateway;
  /** Where its state and logs (logs/<service>-<n>.log) are. */
  dataDir: string;
}

export type PrivateStackOptions = Partial<Pick<FleetOptions, 'replicas' | 'producers' | 'consumers' | 'env'>> & {
  /** ClickHouse's topology; by default the fault suite's (BADAM_TEST_FAULT_TOPOLOGY, replicated when unset). */
  topology?: Topology;
  /** The read model's store: the test run's choice (BADAM_TEST_READ_MODEL_TOPOLOGY, default single) unless given. */
  readModelTopology?: ReadModelTopology;
};

/**
 * A whole stack of its own (broker, database, fleet, gateway) for a fault test that stops the broker or the
 * database, which the test run's shared ones must never be. Everything is stopped after the test.
 */
export async function startPrivateStack(t: Cleanup, options: PrivateStackOptions = {}): Promise<PrivateStack> {
  const dataDir = join(testInfra().dataDir, uniqueName('private'));
  const ports = await freeBasePort();
  const readModelTopology =
    options.readModelTopology ?? (process.env[TEST_ENV.readModelTopology] === 'cluster' ? 'cluster' : 'single');
  const infra = await startInfra({
    dataDir,
    kafkaPort: ports + 1, // and the controller on ports + 2
    clickhouseHttpPort: ports + PRIVATE_CLICKHOUSE_PORTS.http,
    clickhouseTcpPort: ports + PRIVATE_CLICKHOUSE_PORTS.tcp,
    // A cluster's six nodes at +60..+65, their buses at +70..+75: past the ClickHouse servers' ports (+3..+58, six
    // servers 10 apart), inside the block found free.
    ...(readModelTopology === 'cluster'
      ? { readModelPort: ports + 60, readModelTopology, readModelBusPortOffset: 10 }
      : { readModelPort: ports + 5 }),
    kafkaHeapMb: 384,
    topology: options.topology ?? faultTopology(),
    zookeeperPort: ports + PRIVATE_CLICKHOUSE_PORTS.zookeeper,
  });
  t.after(() => infra.stop());
  const topic = 'messages';
  const table = 'messages';
  await infra.prepare(topic, 12, table);
  const client = createClickHouseClient({ ...infra.clickhouse, requestTimeoutMs: 10_000 });
  t.after(() => client.close());

  const fleet = launchFleet({
    dataDir,
    infra,
    topic,
    table,
    basePort: await freeBasePort(),
    replicas: options.replicas ?? 2,
    ...(options.producers === undefined ? {} : { producers: options.producers }),
    consumers: options.consumers ?? 2,
    logLevel: 'info',
    // Short timeouts so the faults show quickly: a send fails within 2 s, a query within 2 s.
    env: {
      PRODUCER_SEND_TIMEOUT_MS: '2000',
      CLICKHOUSE_TIMEOUT_MS: '2000',
      CONSUMER_SESSION_TIMEOUT_MS: '6000',
      ...options.env,
    },
  });
  t.after(() => fleet.stop());
  await fleet.ready(90_000);
  const gateway = await startTestGateway(t, fleet);
  return {
    infra,
    client,
    clickhouseServers: infra.clickhouseServers,
    zookeeper: infra.zookeeper,
    table,
    fleet,
    gateway,
    dataDir,
  };
}
