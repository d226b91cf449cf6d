import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { availableParallelism, totalmem } from 'node:os';
import { createClickHouseClient, keysTable, quoteIdentifier, reconcile, type AcceptedSend } from '@badam/pipeline';
import { startFleet } from '@badam/stack/fleet';
import { startInfra } from '@badam/stack/infra/infra';
import { repoRoot } from '@badam/stack/paths';
import { loadStackConfig } from '@badam/stack/stack-config';
import { sendTraffic } from '@badam/test-kit/traffic';
import { receiptOf, send } from '@badam/test-kit/http-client';
import { waitForRows } from '@badam/test-kit/table-watch';
import { percentiles } from './percentiles.js';

/**
 * Pipeline benchmark: producer -> Kafka -> consumers -> ClickHouse on a stack of its own.
 *   1. throughput: N sends as fast as `--concurrency` allows; accepted sends/s, and stored messages/s while the
 *      consumers drain;
 *   2. latency: sends at a fixed `--rate` for `--seconds`; end-to-end delay from the producer's 202 to the row being
 *      visible to a SELECT (polled every 20 ms, so figures carry up to ~20 ms of polling granularity).
 *   3. drain: consumers stopped, `--backlog` sends queued in Kafka, consumers started; stored messages/s from the
 *      first stored row to the last: the consumer fleet's sustained capacity, with the CPU to itself;
 * Ends with the reconciliation of every acknowledged send. `--keyed`: every send carries an Idempotency-Key, which
 * makes the consumers look up keys too. `--big-group N`: before the drain, one group is given N stored messages (as
 * if from an earlier topic) and every tenth backlog send goes to it, to show the per-batch cost does not grow with a
 * group's history. `--drain-only`: skip the throughput and latency runs. ClickHouse runs in the topology BADAM_TOPOLOGY
 * names (single, replicated, sharded; tools/stack/README.md), the services spread over its servers as on the stack.
 */
const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '50000' },
    backlog: { type: 'string', default: '100000' },
    groups: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '64' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    producers: { type: 'string', default: '3' },
    consumers: { type: 'string', default: '3' },
    keyed: { type: 'boolean', default: false },
    'big-group': { type: 'string', default: '0' },
    'drain-only': { type: 'boolean', default: false },
  },
});
const n = (name: Exclude<keyof typeof args, 'keyed' | 'drain-only'>) => Number(args[name]);
const BIG_GROUP = 999;
/** The big group's history is stored with this acceptance time: the reconciliation counts only rows accepted after it. */
const BIG_GROUP_FILLED_AT = 1_600_000_000_000;
const keyPrefix = (phase: string) => (args.keyed ? { keyPrefix: phase } : {});

const topology = loadStackConfig().BADAM_TOPOLOGY;
const dataDir = join(repoRoot, '.data/bench');
rmSync(dataDir, { recursive: true, force: true });
// Ports of its own below Linux's ephemeral range (32768-60999), where an outgoing connection can take a port just
// before a server binds it (seen: the fourth ClickHouse server of the sharded topology).
const infra = await startInfra({
  dataDir,
  kafkaPort: 24092,
  clickhouseHttpPort: 24123, // and + 10·i for server i of a cluster, interserver + 5
  clickhouseTcpPort: 24900,
  readModelPort: 24379,
  topology,
  zookeeperPort: 24181,
});
const table = 'messages_bench';
const topic = 'messages-bench';
await infra.prepare(topic, 12, table);
const fleet = await startFleet({
  dataDir,
  infra,
  topic,
  table,
  basePort: 24200,
  replicas: n('producers'),
  consumers: n('consumers'),
  readApps: [],
  logLevel: 'warn',
});
const client = createClickHouseClient(infra.clickhouse);
const producerUrls = (fleet.ports.get('producer') ?? []).map((_, i) => fleet.url('producer', i));

try {
  // Warm-up: the consumer group's first assignment and the JIT, outside the measurement.
  const warmUp = await sendTraffic({ producerUrls, messages: 50, groups: 5, concurrency: 5 });
  await waitForRows(client, table, warmUp.accepted.length, 60_000);

  // 1. Throughput.
  const throughputStart = Date.now();
  const burst = args['drain-only']
    ? { accepted: [], refused: 0, elapsedMs: 1 }
    : await sendTraffic({
        producerUrls,
        messages: n('messages'),
        groups: n('groups'),
        concurrency: n('concurrency'),
        firstGroup: 1000,
        ...keyPrefix('burst'),
      });
  const acceptedPerSecond = burst.accepted.length / (burst.elapsedMs / 1000);
  await waitForRows(client, table, warmUp.accepted.length + burst.accepted.length, 300_000);
  const storedPerSecond = burst.accepted.length / ((Date.now() - throughputStart) / 1000);

  // 2. Latency at a fixed rate.
  const acceptedAt = new Map<string, number>();
  const visibleAfter: number[] = [];
  const seen = new Set<string>();
  let polling = true;
  const since = Date.now();
  const poller = (async () => {
    while (polling || seen.size < acceptedAt.size) {
      const result = await client.query({
        query: `SELECT kafka_partition AS p, kafka_offset AS o FROM ${quoteIdentifier(table)} WHERE created_at_ms >= ${since}`,
        format: 'JSONEachRow',
      });
      const now = Date.now();
      for (const row of await result.json<{ p: string; o: string }>()) {
        const key = `${row.p}-${row.o}`;
        const at = acceptedAt.get(key);
        if (at !== undefined && !seen.has(key)) {
          seen.add(key);
          visibleAfter.push(now - at);
        }
      }
      if (!polling && Date.now() - since > (n('seconds') + 60) * 1000) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const rate = n('rate');
  const latencyRun = args['drain-only']
    ? { accepted: [], refused: 0, sendLatencies: [] }
    : await sendAtRate(producerUrls, rate, n('seconds'), (send, at) =>
        acceptedAt.set(`${send.partition}-${send.offset}`, at),
      );
  polling = false;
  await poller;

  // 3. Backlog drain, last: restarting the consumers rebalances the group, which would disturb the latency run.
  const consumers = fleet.processes.get('consumer') ?? [];
  await Promise.all(consumers.map((consumer) => consumer.stop()));
  const bigGroup = n('big-group');
  if (bigGroup > 0) await fillBigGroup(bigGroup);
  const backlog = await sendTraffic({
    producerUrls,
    messages: n('backlog'),
    groups: n('groups'),
    concurrency: n('concurrency'),
    firstGroup: 1000,
    ...(bigGroup > 0
      ? { groupOf: (index: number) => (index % 10 === 0 ? BIG_GROUP : 1000 + (index % n('groups'))) }
      : {}),
    ...keyPrefix('backlog'),
  });
  const before = warmUp.accepted.length + burst.accepted.length + bigGroup;
  for (const consumer of consumers) consumer.start();
  await waitForRows(client, table, before + 1, 60_000);
  const drainStart = Date.now();
  await waitForRows(client, table, before + backlog.accepted.length, 600_000);
  const drainPerSecond = (backlog.accepted.length - 1) / ((Date.now() - drainStart) / 1000);

  const everything = [...warmUp.accepted, ...burst.accepted, ...backlog.accepted, ...latencyRun.accepted];
  await waitForRows(client, table, everything.length + bigGroup, 60_000);
  const { problems } = await reconcile(
    client,
    table,
    everything,
    bigGroup > 0 ? { since: BIG_GROUP_FILLED_AT + 1 } : {},
  );

  const latency = percentiles(visibleAfter, [50, 95, 99]);
  const report = {
    date: new Date().toISOString(),
    machine: `${availableParallelism()} cores, ${Math.round(totalmem() / 2 ** 30)} GiB`,
    topology,
    producers: n('producers'),
    consumers: n('consumers'),
    keyed: args.keyed,
    throughput: {
      messages: burst.accepted.length,
      refused: burst.refused,
      groups: n('groups'),
      concurrency: n('concurrency'),
      accepted_per_s: Math.round(acceptedPerSecond),
      stored_per_s: Math.round(storedPerSecond),
    },
    drain: { backlog: backlog.accepted.length, big_group_messages: bigGroup, stored_per_s: Math.round(drainPerSecond) },
    latency: {
      rate_per_s: rate,
      seconds: n('seconds'),
      accepted: latencyRun.accepted.length,
      refused: latencyRun.refused,
      send_p95_ms: percentiles(latencyRun.sendLatencies, [95])[0],
      end_to_end_ms: { p50: latency[0], p95: latency[1], p99: latency[2] },
    },
    reconciliation: problems.length === 0 ? 'ok' : problems,
  };
  console.log(JSON.stringify(report, null, 2));
  process.exitCode = problems.length === 0 ? 0 : 1;
} finally {
  await client.close();
  await fleet.stop();
  await infra.stop();
}

/**
 * Stores `messages` rows for BIG_GROUP as an earlier topic would have (another topic id, so none of its offsets
 * collides with the backlog's), with its keys index watermark, as the consumers leave a group they stored.
 */
async function fillBigGroup(messages: number) {
  await client.command({
    query: `INSERT INTO ${quoteIdentifier(table)} (group_id, \`order\`, sender_id, text, created_at_ms, kafka_topic_id, kafka_partition, kafka_offset)
      SELECT ${BIG_GROUP}, number + 1, 1, concat('history ', toString(number + 1)), ${BIG_GROUP_FILLED_AT}, 'an-earlier-topic', 0, number FROM system.numbers LIMIT ${messages}`,
  });
  await client.command({
    query: `INSERT INTO ${quoteIdentifier(keysTable(table))} (group_id, idempotency_hash, \`order\`) VALUES (${BIG_GROUP}, 0, ${messages})`,
  });
}

async function sendAtRate(
  urls: string[],
  perSecond: number,
  seconds: number,
  onAccepted: (send: AcceptedSend, at: number) => void,
) {
  const accepted: AcceptedSend[] = [];
  const sendLatencies: number[] = [];
  let refused = 0;
  const inFlight: Promise<void>[] = [];
  const start = Date.now();
  let sent = 0;
  const total = perSecond * seconds;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - start) / 1000) * perSecond));
    for (; sent < due; sent++) {
      const index = sent;
      const groupId = 2_000_000 + (index % 100_000);
      const began = Date.now();
      inFlight.push(
        send(
          urls[index % urls.length] ?? '',
          { group_id: groupId, sender_id: index + 1, text: `rate ${index}` },
          args.keyed ? { idempotencyKey: `rate-${index}` } : {},
        ).then(
          (response) => {
            const now = Date.now();
            if (response.status !== 202) return void refused++;
            const receipt = receiptOf(groupId, response);
            accepted.push(receipt);
            sendLatencies.push(now - began);
            onAccepted(receipt, now);
          },
          () => void refused++,
        ),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await Promise.all(inFlight);
  return { accepted, refused, sendLatencies };
}
