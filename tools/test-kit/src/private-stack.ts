import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { createClickHouseClient } from '@badam/pipeline';
import { launchFleet, type Fleet, type FleetOptions } from '@badam/stack/fleet';
import type { Gateway } from '@badam/stack/infra/gateway';
import { startInfra, type Infra } from '@badam/stack/infra/infra';
import type { ReadModelTopology } from '@badam/stack/infra/read-model-store';
import { freeBasePort, startTestGateway, testInfra, uniqueName, type Cleanup } from './fixtures.js';
import { TEST_ENV } from './test-env.js';

export interface PrivateStack {
  infra: Infra;
  client: ClickHouseClient;
  table: string;
  fleet: Fleet;
  gateway: Gateway;
  /** Where its state and logs (logs/<service>-<n>.log) are. */
  dataDir: string;
}

export type PrivateStackOptions = Partial<Pick<FleetOptions, 'replicas' | 'producers' | 'consumers' | 'env'>> & {
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
  const topology =
    options.readModelTopology ?? (process.env[TEST_ENV.readModelTopology] === 'cluster' ? 'cluster' : 'single');
  const infra = await startInfra({
    dataDir,
    kafkaPort: ports + 1, // and the controller on ports + 2
    clickhouseHttpPort: ports + 3,
    clickhouseTcpPort: ports + 4,
    // A cluster's six nodes at +30..+35, their buses at +40..+45: all inside the block found free.
    ...(topology === 'cluster'
      ? { readModelPort: ports + 30, readModelTopology: topology, readModelBusPortOffset: 10 }
      : { readModelPort: ports + 5 }),
    kafkaHeapMb: 384,
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
  return { infra, client, table, fleet, gateway, dataDir };
}
