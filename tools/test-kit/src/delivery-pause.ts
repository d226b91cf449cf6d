import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import type { ClickHouseClient } from '@clickhouse/client';
import { baseClientConfig, quoteIdentifier, type AcceptedSend } from '@badam/pipeline';
import type { Fleet } from '@badam/stack/fleet';
import { httpOk, waitFor } from '@badam/stack/process/wait';
import { receiptOf, send } from './http-client.js';

/** How a consumer is restarted: a crash, or a stop as in a rolling update. */
export type RestartFault = 'SIGKILL' | 'SIGTERM';

export interface PauseRound {
  fault: RestartFault;
  /** The consumer restarted (its KAFKA_CLIENT_ID). */
  victim: string;
  /** The longest time without a new order readable in a group on the victim's partitions, around the fault, ms. */
  victimPauseMs: number;
  /** The same over the groups the other consumers own: a rebalance of the whole group pauses them too. */
  othersPauseMs: number;
  /** From the signal to the restarted consumer answering /health 200 (the supervisor's delay and a process start). */
  readyAfterMs: number;
  /** From the restarted consumer's /health 200 to a new order in every group on its old partitions, ms. */
  resumedAfterReadyMs: number;
  /** The victim's partitions that another member owned at some moment of the round (none: nothing moved). */
  movedPartitions: number[];
}

export interface DeliveryWatch {
  /** The group sent to on each partition. */
  groups: ReadonlyMap<number, number>;
  /** Signals one consumer, waits until its groups deliver again, and measures the pause. */
  restart(victimIndex: number, fault: RestartFault): Promise<PauseRound>;
  /** Stops the sends and the watchers; what was accepted, for a reconciliation. */
  stop(): Promise<{ accepted: AcceptedSend[]; refused: number }>;
}

export interface DeliveryWatchOptions {
  fleet: Fleet;
  client: ClickHouseClient;
  topic: string;
  table: string;
  partitions: number;
  /** Sends per second to each group (one group per partition). */
  ratePerGroup: number;
  /** Group ids tried from here upward until every partition has one. */
  firstGroup?: number;
  /** How long a restarted consumer's groups may take to deliver again before the round fails, ms. */
  roundTimeoutMs?: number;
}

/**
 * Steady sends to one group per partition, straight to the producers (not through the gateway, whose per-client limit
 * must not shape them), and a watch of each group's highest readable order every 20 ms and of the consumer group's
 * assignment every 250 ms: what a restart of one consumer does to delivery, as the issue measured it ("no new order
 * readable for N s after the kill"). Used by `npm run failover-bench` and `tests/faults/consumer-failover`.
 */
export async function watchDelivery(options: DeliveryWatchOptions): Promise<DeliveryWatch> {
  const { fleet, client, topic, table } = options;
  const producerUrls = (fleet.ports.get('producer') ?? []).map((_, i) => fleet.url('producer', i));
  const consumers = fleet.processes.get('consumer') ?? [];
  const env = consumers[0]?.spec.env ?? {};
  const groupId = env.CONSUMER_GROUP_ID ?? 'badam-consumers';
  const brokers = (env.KAFKA_BROKERS ?? '').split(',');

  const accepted: AcceptedSend[] = [];
  const groups = await groupPerPartition(producerUrls[0] ?? '', options.partitions, options.firstGroup ?? 1, accepted);
  const stopping = new AbortController();
  let refused = 0;
  /** Per group, the times (epoch ms) at which its highest readable order went up. */
  const advances = new Map<number, number[]>([...groups.values()].map((group) => [group, []]));
  /** Per partition, the client ids seen owning it since the last reset. */
  let owners = new Map<number, Set<string>>();
  let latestAssignment = new Map<number, string>();
  /** Since when (epoch ms) the assignment has been what latestAssignment says. */
  let assignmentSince = Date.now();

  const intervalMs = 1000 / options.ratePerGroup;
  const senders = [...groups.values()].map(async (group, index) => {
    const started = Date.now();
    for (let i = 0; !stopping.signal.aborted; i++) {
      await sleep(Math.max(0, started + i * intervalMs - Date.now()));
      const producer = producerUrls[(index + i) % producerUrls.length] ?? '';
      const response = await send(producer, { group_id: group, sender_id: 1, text: `steady ${i}` }).catch(
        () => undefined,
      );
      if (response?.status === 202) accepted.push(receiptOf(group, response));
      else refused++;
    }
  });

  const groupList = [...groups.values()].join(',');
  const orderWatch = (async () => {
    const highest = new Map<number, number>();
    while (!stopping.signal.aborted) {
      try {
        const result = await client.query({
          query: `SELECT group_id, max(\`order\`) AS top FROM ${quoteIdentifier(table)} WHERE group_id IN (${groupList}) GROUP BY group_id`,
          format: 'JSONEachRow',
        });
        const now = Date.now();
        for (const row of await result.json<{ group_id: string; top: string }>()) {
          const group = Number(row.group_id);
          const top = Number(row.top);
          if (top > (highest.get(group) ?? 0)) {
            highest.set(group, top);
            advances.get(group)?.push(now);
          }
        }
      } catch {
        // A slow or failed poll only coarsens the measurement.
      }
      await sleep(20);
    }
  })();

  const admin = new KafkaJS.Kafka({}).admin(baseClientConfig({ brokers, clientId: 'badam-delivery-watch' }));
  await admin.connect();
  const assignmentWatch = (async () => {
    while (!stopping.signal.aborted) {
      try {
        const { groups: described } = await admin.describeGroups([groupId], { timeout: 2000 });
        const now = new Map<number, string>();
        for (const member of described[0]?.members ?? []) {
          for (const tp of member.assignment.topicPartitions) {
            if (tp.topic === topic) now.set(tp.partition, member.clientId);
          }
        }
        for (const [partition, clientId] of now) {
          if (!owners.has(partition)) owners.set(partition, new Set());
          owners.get(partition)?.add(clientId);
        }
        const key = (assignment: Map<number, string>) => JSON.stringify([...assignment].sort(([a], [b]) => a - b));
        if (key(now) !== key(latestAssignment)) assignmentSince = Date.now();
        latestAssignment = now;
      } catch {
        // Asked again in a moment.
      }
      await sleep(250);
    }
  })();

  /**
   * Waits until the group is settled: every consumer owns partitions, every partition has an owner, the assignment has
   * not changed for 3 s, and every group delivered lately.
   */
  async function settled(timeoutMs: number) {
    await waitFor(
      'a settled consumer group delivering to every group',
      async () => {
        const now = Date.now();
        return (
          latestAssignment.size === options.partitions &&
          new Set(latestAssignment.values()).size === consumers.length &&
          now - assignmentSince >= 3000 &&
          [...advances.values()].every((times) => (times.at(-1) ?? 0) > now - 1500)
        );
      },
      timeoutMs,
      250,
    );
  }

  return {
    groups,
    async restart(victimIndex, fault) {
      const timeoutMs = options.roundTimeoutMs ?? 60_000;
      await settled(timeoutMs);
      const victim = consumers[victimIndex];
      const victimId = victim?.spec.env?.KAFKA_CLIENT_ID;
      if (victim === undefined || victimId === undefined) throw new Error(`no consumer ${victimIndex + 1}`);
      const victimPartitions = [...latestAssignment].filter(([, id]) => id === victimId).map(([p]) => p);
      const victimGroups = new Set(victimPartitions.map((p) => groups.get(p) ?? -1));
      owners = new Map();
      const oldPid = victim.pid;
      const faultAt = Date.now();
      victim.signal(fault);
      const url = `${fleet.url('consumer', victimIndex)}/health`;
      await waitFor(
        `${victimId} restarted`,
        async () => victim.pid !== oldPid && victim.running && (await httpOk(url)),
        timeoutMs,
        50,
      );
      const readyAt = Date.now();
      await waitFor(
        `${victimId}'s groups delivering again`,
        async () => [...victimGroups].every((group) => (advances.get(group)?.at(-1) ?? 0) > readyAt),
        timeoutMs,
        50,
      );
      await sleep(1000); // the other groups' pause, if a rebalance held them, ends within this too
      const pauseOf = (group: number) => longestGapAcross(advances.get(group) ?? [], faultAt);
      const others = [...groups.values()].filter((group) => !victimGroups.has(group));
      return {
        fault,
        victim: victimId,
        victimPauseMs: Math.max(0, ...[...victimGroups].map(pauseOf)),
        othersPauseMs: Math.max(0, ...others.map(pauseOf)),
        readyAfterMs: readyAt - faultAt,
        resumedAfterReadyMs: Math.max(
          0,
          ...[...victimGroups].map((group) => (advances.get(group)?.find((at) => at > readyAt) ?? readyAt) - readyAt),
        ),
        movedPartitions: victimPartitions.filter((p) => [...(owners.get(p) ?? [])].some((id) => id !== victimId)),
      };
    },
    async stop() {
      stopping.abort();
      await Promise.all([...senders, orderWatch, assignmentWatch]);
      await admin.disconnect();
      return { accepted, refused };
    },
  };
}

/** The longest interval between two consecutive advances that ends after `from` (it may start before). */
export function longestGapAcross(times: readonly number[], from: number): number {
  let longest = 0;
  for (let i = 1; i < times.length; i++) {
    const [start, end] = [times[i - 1] as number, times[i] as number];
    if (end > from) longest = Math.max(longest, end - start);
  }
  return longest;
}

/** One group id per partition, found by sending to ids from `firstGroup` upward (the producer says where each went). */
async function groupPerPartition(
  producerUrl: string,
  partitions: number,
  firstGroup: number,
  accepted: AcceptedSend[],
) {
  const groups = new Map<number, number>();
  for (let group = firstGroup; groups.size < partitions; group++) {
    if (group > firstGroup + 50 * partitions) throw new Error(`no group found for some of ${partitions} partitions`);
    const response = await send(producerUrl, { group_id: group, sender_id: 1, text: 'which partition' });
    if (response.status !== 202) throw new Error(`send refused: ${response.status}`);
    const receipt = receiptOf(group, response);
    accepted.push(receipt);
    const { partition } = receipt;
    if (!groups.has(partition)) groups.set(partition, group);
  }
  return groups;
}
