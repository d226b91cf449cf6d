import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import type { ClickHouseClient } from '@clickhouse/client';
import { baseClientConfig, quoteIdentifier } from '@badam/pipeline';
import type { Fleet } from '@badam/stack/fleet';
import type { ManagedProcess } from '@badam/stack/process/managed-process';
import { waitFor } from '@badam/stack/process/wait';
import { metricSum, scrapeMetrics } from './service-metrics.js';

/** The consumers' default group (services/consumer/src/config.ts) when the fleet's env does not name one. */
const DEFAULT_CONSUMER_GROUP = 'badam-consumers';

export interface WindowKill {
  /** Freezes it took to find the consumer inside the window. */
  attempts: number;
  /** The victim's partitions holding stored records above the group's committed offset when it was killed. */
  partitions: number[];
}

/**
 * SIGKILLs a consumer at a moment it has stored records whose offsets Kafka has not committed: the window a crash
 * test is about, where the next owner must read them again and skip them as already stored. Timing alone rarely
 * hits it (a batch's insert-to-commit is a few tens of ms), so the consumer is frozen (SIGSTOP, its requests already
 * on the wire land), then its partitions (the group's assignment), their committed offsets and the highest offset
 * the table holds for each are compared; killed if one partition has stored records at or above its committed
 * offset, resumed (SIGCONT) and tried again a moment later otherwise. A freeze lasts well under the session timeout.
 */
export async function killConsumerInsideWindow(
  consumer: ManagedProcess,
  client: ClickHouseClient,
  { timeoutMs = 60_000 } = {},
): Promise<WindowKill> {
  const env = consumer.spec.env ?? {};
  const [brokers, topic, table, clientId] = [
    env.KAFKA_BROKERS,
    env.KAFKA_TOPIC,
    env.CLICKHOUSE_TABLE,
    env.KAFKA_CLIENT_ID,
  ];
  if (brokers === undefined || topic === undefined || table === undefined || clientId === undefined) {
    throw new Error(`${consumer.spec.name} was not started by launchFleet: no Kafka or ClickHouse settings in its env`);
  }
  const groupId = env.CONSUMER_GROUP_ID ?? DEFAULT_CONSUMER_GROUP;
  const admin = new KafkaJS.Kafka({}).admin(
    baseClientConfig({ brokers: brokers.split(','), clientId: 'badam-test-window' }),
  );
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (let attempts = 1; Date.now() < deadline; attempts++) {
      consumer.signal('SIGSTOP');
      let killed = false;
      try {
        await sleep(300);
        const partitions = await exposedPartitions(admin, client, { groupId, topic, table, clientId });
        if (partitions.length > 0) {
          consumer.signal('SIGKILL');
          killed = true;
          await consumer.exited();
          return { attempts, partitions };
        }
      } finally {
        if (!killed) consumer.signal('SIGCONT');
      }
      await sleep(50 + Math.random() * 250);
    }
    throw new Error(`${consumer.spec.name} was never caught with stored, uncommitted records in ${timeoutMs} ms`);
  } finally {
    await admin.disconnect();
  }
}

async function exposedPartitions(
  admin: KafkaJS.Admin,
  client: ClickHouseClient,
  { groupId, topic, table, clientId }: { groupId: string; topic: string; table: string; clientId: string },
): Promise<number[]> {
  const { groups } = await admin.describeGroups([groupId], { timeout: 5000 });
  const owned = new Set(
    (groups[0]?.members ?? [])
      .filter((member) => member.clientId === clientId)
      .flatMap((member) =>
        member.assignment.topicPartitions.filter((tp) => tp.topic === topic).map((tp) => tp.partition),
      ),
  );
  if (owned.size === 0) return [];
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic], timeout: 5000 });
  const committed = new Map(offsets?.partitions.map((p) => [p.partition, Math.max(0, Number(p.offset))]) ?? []); // -1: none yet
  const result = await client.query({
    query: `SELECT kafka_partition AS partition, max(kafka_offset) AS offset FROM ${quoteIdentifier(table)} GROUP BY kafka_partition`,
    format: 'JSONEachRow',
  });
  const stored = await result.json<{ partition: number; offset: string }>();
  return stored
    .filter(
      (row) => owned.has(Number(row.partition)) && Number(row.offset) >= (committed.get(Number(row.partition)) ?? 0),
    )
    .map((row) => Number(row.partition));
}

/** What each consumer process has counted as `badam_consumer_messages_total{result="already_stored"}`, by pid. */
export type RedeliveryBaseline = Map<number, { pid: number | undefined; count: number }>;

/** The consumers' already-stored counts now (every replica must answer), to subtract from the survivors' later. */
export async function redeliveryBaseline(fleet: Fleet): Promise<RedeliveryBaseline> {
  const consumers = fleet.processes.get('consumer') ?? [];
  const counts = await Promise.all(consumers.map((_, replica) => alreadyStored(fleet, replica)));
  return new Map(consumers.map((process, replica) => [replica, { pid: process.pid, count: counts[replica] ?? 0 }]));
}

/**
 * Records skipped as already stored since the baseline, over the consumers running now: the survivors' increase
 * and the whole count of restarted ones (a killed process's counters die with it, so only the processes that took
 * over can show the redelivery).
 */
export async function redeliveredSince(fleet: Fleet, baseline: RedeliveryBaseline): Promise<number> {
  const consumers = fleet.processes.get('consumer') ?? [];
  const counts = await Promise.all(consumers.map((_, replica) => alreadyStored(fleet, replica)));
  return consumers.reduce((sum, process, replica) => {
    const before = baseline.get(replica);
    const count = counts[replica] ?? 0;
    return sum + (before !== undefined && before.pid === process.pid ? count - before.count : count);
  }, 0);
}

/** One consumer's already-stored count, from the /metrics its health port serves; waits for a restarting one. */
async function alreadyStored(fleet: Fleet, replica: number): Promise<number> {
  let text = '';
  await waitFor(
    `consumer-${replica + 1} /metrics`,
    async () => {
      text = await scrapeMetrics(fleet.url('consumer', replica)).catch(() => '');
      return text !== '';
    },
    60_000,
  );
  return metricSum(text, 'badam_consumer_messages_total', { result: 'already_stored' });
}
