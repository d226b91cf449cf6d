import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readConfig, int, oneOf, str } from '@badam/pipeline';
import { TOPOLOGIES } from '@badam/stack/infra/clickhouse/topology';
import { READ_MODEL_TOPOLOGIES } from '@badam/stack/infra/read-model-store';
import { startInfra } from '@badam/stack/infra/infra';
import { repoRoot, workspaceFolders } from '@badam/stack/paths';
import { TEST_ENV } from './test-env.js';

/**
 * Runs every workspace's compiled tests in one node:test run (one summary), with a broker and a database started
 * for the run on their own ports, apart from a native stack a developer may have running.
 * `--unit` runs the unit tests alone, without starting anything.
 */
const settings = readConfig({
  BADAM_TEST_KAFKA_PORT: int('Kafka port of the test run; the controller uses the next one', {
    default: 29092,
    min: 1,
    max: 65534,
  }),
  BADAM_TEST_CLICKHOUSE_HTTP_PORT: int('ClickHouse HTTP port of the test run', { default: 28123, min: 1, max: 65535 }),
  BADAM_TEST_CLICKHOUSE_TCP_PORT: int('ClickHouse native port of the test run', { default: 29000, min: 1, max: 65535 }),
  BADAM_TEST_READ_MODEL_PORT: int('read model store (redis-server) port of the test run', {
    default: 26379,
    min: 1,
    max: 65535,
  }),
  // The other servers of a cluster take the ClickHouse ports + 10·i (tools/stack/README.md, "ClickHouse topologies").
  BADAM_TEST_TOPOLOGY: oneOf('ClickHouse topology of the servers the integration tests share', TOPOLOGIES, 'single'),
  // The rule: the fault suite runs on a replicated system of record (private-stack.ts).
  BADAM_TEST_FAULT_TOPOLOGY: oneOf(
    "ClickHouse topology of the fault tests' private stacks, unless a test names one",
    TOPOLOGIES,
    'replicated',
  ),
  BADAM_TEST_ZOOKEEPER_PORT: int('ZooKeeper port of the test run (replicated and sharded topologies)', {
    default: 22181,
    min: 1,
    max: 65535,
  }),
  // Below Linux's ephemeral range (32768-60999): a port found free there can be taken by the next outgoing
  // connection before the server that asked for it binds (seen: HAProxy failing to bind).
  BADAM_TEST_PORT_RANGE: str('first-last: where tests pick free ports (fleets, gateways, private stacks)', {
    default: '20000-32767',
    pattern: /^\d{4,5}-\d{4,5}$/,
  }),
  // The fault tests' private stacks follow it too (private-stack.ts); a cluster's nodes take the port and the next 5.
  BADAM_TEST_READ_MODEL_TOPOLOGY: oneOf(
    'read model store of the test run: single (one redis-server) or cluster (3 masters + 3 replicas)',
    READ_MODEL_TOPOLOGIES,
    'single',
  ),
});

/** The workspaces with unit tests of their own (dist/test/unit); the system tests are in tests/ (integration, faults). */
const WORKSPACES = workspaceFolders().filter((workspace) => workspace !== 'tests');

function testFiles(kind: 'unit' | 'integration' | 'faults'): string[] {
  if (kind !== 'unit') return findTests(join(repoRoot, 'tests/dist', kind));
  return WORKSPACES.flatMap((workspace) => findTests(join(repoRoot, workspace, 'dist/test/unit')));
}

function findTests(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith('.test.js') ? [path] : [];
  });
}

function runNodeTest(files: string[], env: Record<string, string>): Promise<number> {
  console.log(`[tests] ${files.length} files:\n  ${files.map((f) => relative(repoRoot, f)).join('\n  ')}`);
  const child = spawn(process.execPath, ['--test', '--test-concurrency=2', ...files], {
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}

const unitOnly = process.argv.includes('--unit');
// Any other argument narrows the run to test files whose path contains it (e.g. `npm test -- read-apps`).
const filters = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const selected = (files: string[]) =>
  filters.length === 0 ? files : files.filter((f) => filters.some((p) => f.includes(p)));
let exitCode: number;
if (unitOnly) {
  exitCode = await runNodeTest(selected(testFiles('unit')), {});
} else {
  // One folder per Kafka port, so two test runs on their own ports (BADAM_TEST_*) can run side by side.
  const dataDir = join(repoRoot, `.data/test-run-${settings.BADAM_TEST_KAFKA_PORT}`);
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`[tests] starting Kafka, ClickHouse (${settings.BADAM_TEST_TOPOLOGY}) and the read model store`);
  const infra = await startInfra({
    dataDir,
    kafkaPort: settings.BADAM_TEST_KAFKA_PORT,
    clickhouseHttpPort: settings.BADAM_TEST_CLICKHOUSE_HTTP_PORT,
    clickhouseTcpPort: settings.BADAM_TEST_CLICKHOUSE_TCP_PORT,
    readModelPort: settings.BADAM_TEST_READ_MODEL_PORT,
    readModelTopology: settings.BADAM_TEST_READ_MODEL_TOPOLOGY,
    kafkaHeapMb: 384,
    topology: settings.BADAM_TEST_TOPOLOGY,
    zookeeperPort: settings.BADAM_TEST_ZOOKEEPER_PORT,
  });
  try {
    exitCode = await runNodeTest(
      selected([...testFiles('unit'), ...testFiles('integration'), ...testFiles('faults')]),
      {
        [TEST_ENV.kafkaBrokers]: infra.kafka.brokers.join(','),
        [TEST_ENV.clickhouseUrl]: infra.clickhouse.url,
        [TEST_ENV.clickhouseUrls]: infra.clickhouseServers.map((server) => server.url).join(','),
        [TEST_ENV.topology]: infra.topology,
        [TEST_ENV.faultTopology]: settings.BADAM_TEST_FAULT_TOPOLOGY,
        [TEST_ENV.portRange]: settings.BADAM_TEST_PORT_RANGE,
        [TEST_ENV.readModelUrl]: infra.readModelUrl,
        [TEST_ENV.readModelMode]: infra.readModelMode,
        [TEST_ENV.readModelTopology]: settings.BADAM_TEST_READ_MODEL_TOPOLOGY,
        [TEST_ENV.dataDir]: dataDir,
      },
    );
  } finally {
    await infra.stop();
  }
}
process.exit(exitCode);
