import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { createClickHouseClient, reconcile } from '@badam/pipeline';
import { startFleet } from '@badam/stack/fleet';
import { startInfra } from '@badam/stack/infra/infra';
import { repoRoot } from '@badam/stack/paths';
import { watchDelivery, type PauseRound, type RestartFault } from '@badam/test-kit/delivery-pause';
import { waitForRows } from '@badam/test-kit/table-watch';

/**
 * Consumer failover: how long delivery stops when one consumer is restarted, after a SIGKILL (a crash) and after a
 * SIGTERM (a rolling restart), on a native stack of its own. One group per partition receives `--rate` sends/s
 * straight to the producers; a watcher polls each group's highest order in ClickHouse every 20 ms. The pause of a
 * round is the longest time without a new order in a group on the restarted consumer's partitions (and, separately,
 * on the others': a rebalance of the whole group holds them too). `--dynamic` runs the consumers without an instance
 * id (dynamic membership, as the native stack did before issue 22), for the comparison.
 */
const { values: args } = parseArgs({
  options: {
    consumers: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    rate: { type: 'string', default: '10' },
    'session-timeout-ms': { type: 'string', default: '10000' },
    dynamic: { type: 'boolean', default: false },
  },
});
const consumers = Number(args.consumers);
const partitions = 12;

const dataDir = join(repoRoot, '.data/failover-bench');
rmSync(dataDir, { recursive: true, force: true });
// Ports of its own, below Linux's ephemeral range and apart from the pipeline bench's and the test runs' (20000 up).
const infra = await startInfra({
  dataDir,
  kafkaPort: 19092,
  clickhouseHttpPort: 19123,
  clickhouseTcpPort: 19900,
  readModelPort: 19379,
  topology: 'single',
  zookeeperPort: 19181,
});
const table = 'messages_failover';
const topic = 'messages-failover';
await infra.prepare(topic, partitions, table);
const fleet = await startFleet({
  dataDir,
  infra,
  topic,
  table,
  basePort: 19200,
  replicas: 2,
  consumers,
  readApps: [],
  logLevel: 'info', // the consumers' start-up steps, timed, in .data/failover-bench/logs
  env: {
    CONSUMER_SESSION_TIMEOUT_MS: args['session-timeout-ms'],
    ...(args.dynamic ? { CONSUMER_INSTANCE_ID: '' } : {}),
  },
});
const client = createClickHouseClient(infra.clickhouse);

try {
  const watch = await watchDelivery({ fleet, client, topic, table, partitions, ratePerGroup: Number(args.rate) });
  const rounds: PauseRound[] = [];
  const loadBefore = loadavg()[0] ?? 0;
  for (const fault of ['SIGKILL', 'SIGTERM'] as RestartFault[]) {
    for (let round = 0; round < Number(args.rounds); round++) {
      const result = await watch.restart(round % consumers, fault);
      console.log(JSON.stringify(result));
      rounds.push(result);
    }
  }
  const { accepted, refused } = await watch.stop();
  await waitForRows(client, table, accepted.length, 120_000);
  const { problems } = await reconcile(client, table, accepted);

  const summary = (fault: RestartFault, field: 'victimPauseMs' | 'othersPauseMs' | 'readyAfterMs') => {
    const values = rounds.filter((r) => r.fault === fault).map((r) => r[field]);
    const sorted = [...values].sort((a, b) => a - b);
    return `median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms (${values.join(', ')})`;
  };
  console.log(`\nconsumer failover, ${args.dynamic ? 'dynamic' : 'static'} membership, ${consumers} consumers,`);
  console.log(`  ${partitions} groups x ${args.rate} sends/s, session timeout ${args['session-timeout-ms']} ms`);
  console.log(
    `  machine: ${availableParallelism()} cores (${cpus()[0]?.model}), ${Math.round(totalmem() / 2 ** 30)} GiB`,
  );
  // The machine is shared: its load says how far a process start (the larger part of a pause) was slowed.
  console.log(
    `  load average (1 min) ${loadBefore.toFixed(1)} at the start, ${(loadavg()[0] ?? 0).toFixed(1)} at the end`,
  );
  for (const fault of ['SIGKILL', 'SIGTERM'] as RestartFault[]) {
    console.log(`${fault}: restarted consumer's groups paused ${summary(fault, 'victimPauseMs')}`);
    console.log(`${fault}: other consumers' groups paused ${summary(fault, 'othersPauseMs')}`);
    console.log(`${fault}: restarted consumer healthy after ${summary(fault, 'readyAfterMs')}`);
    const moved = rounds.filter((r) => r.fault === fault && r.movedPartitions.length > 0).length;
    console.log(`${fault}: rounds where its partitions moved to another member: ${moved}`);
  }
  console.log(`sends accepted ${accepted.length}, refused ${refused}; reconciliation: ${problems.length} problems`);
  if (problems.length > 0) console.log(problems.slice(0, 10).join('\n'));
} finally {
  await client.close();
  await fleet.stop();
  await infra.stop();
}
