import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { READ_APPS } from '@badam/stack/fleet';
import type { ReadModelNode } from '@badam/stack/infra/read-model-store';
import { READ_MODEL_PASSWORD_SECRET } from '@badam/stack/infra/stack-secrets';
import { waitFor } from '@badam/stack/process/wait';
import { assertNothingLost } from '@badam/test-kit/fault-checks';
import { createTestPageStore } from '@badam/test-kit/fixtures';
import { startLiveTraffic } from '@badam/test-kit/live-traffic';
import { startPrivateStack, type PrivateStack } from '@badam/test-kit/private-stack';
import {
  assertPagesEqualClickHouse,
  assertReadsServed,
  latestVersions,
  olderPages,
  STALE_BOUND_MS,
} from '@badam/test-kit/read-model-checks';
import { metricSum, scrapeMetrics } from '@badam/test-kit/service-metrics';
import { waitForRows } from '@badam/test-kit/table-watch';

const GROUPS = 40;

const groupIds = Array.from({ length: GROUPS }, (_, i) => i + 1);

/** One command to one node of the cluster, on a connection of its own. */
async function ask(port: number, password: string, ...args: string[]): Promise<unknown> {
  const node = new Redis({ port, host: '127.0.0.1', password, lazyConnect: true, maxRetriesPerRequest: 0 });
  node.on('error', () => {});
  try {
    await node.connect();
    return await node.call(...(args as [string, ...string[]]));
  } finally {
    node.disconnect();
  }
}

/** The port of the master serving `slot`, as `port`'s node sees the cluster. */
async function masterOf(port: number, password: string, slot: number): Promise<number | undefined> {
  const ranges = (await ask(port, password, 'CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
  return ranges.find(([first, last]) => slot >= first && slot <= last)?.[2][1];
}

/** Read model reads counted by every read app replica, by result (hit, miss, fallback). */
async function readModelReads(stack: PrivateStack): Promise<Record<'hit' | 'fallback', number>> {
  const texts = await Promise.all(
    READ_APPS.flatMap((app) =>
      (stack.fleet.ports.get(app) ?? []).map((_, i) => scrapeMetrics(stack.fleet.url(app, i))),
    ),
  );
  const sum = (result: string) =>
    texts.reduce((total, text) => total + metricSum(text, 'badam_read_model_reads_total', { result }), 0);
  return { hit: sum('hit'), fallback: sum('fallback') };
}

describe('the read model on a Redis Cluster losing a master under traffic', () => {
  it('SIGKILLed master: reads fall back while its replica takes over, nothing stale past the bound, then pages come from the store again', async (t) => {
    const stack = await startPrivateStack(t, { readModelTopology: 'cluster' });
    assert.equal(stack.infra.readModelMode, 'cluster');
    const password = stack.infra.secrets.value(READ_MODEL_PASSWORD_SECRET);
    const nodes: ReadModelNode[] = stack.infra.readModelNodes;
    assert.equal(nodes.length, 6, 'three masters and three replicas');

    const traffic = startLiveTraffic(t, {
      gatewayUrl: stack.gateway.url,
      groups: GROUPS,
      firstGroup: 1,
      senders: 4,
      readers: 3,
      pauseMs: 10,
    });
    await waitForRows(stack.client, stack.table, 200, 60_000);

    // The victim: the master holding group 1's page (and about a third of the others).
    const slotOf = async (port: number, groupId: number) =>
      Number(await ask(port, password, 'CLUSTER', 'KEYSLOT', `${stack.table}:${groupId}`));
    const slot = await slotOf(nodes[0]!.port, 1);
    const victimPort = await masterOf(nodes[0]!.port, password, slot);
    const victim = nodes.find((node) => node.port === victimPort);
    assert.ok(victim !== undefined, `group 1's master (${victimPort}) is one of the cluster's nodes`);
    const witness = nodes.find((node) => node !== victim)!;
    const store = await createTestPageStore(t, stack.table, stack.infra);
    assert.ok((await store.get(1)) !== null, 'before the fault, group 1 is served by the store');

    const atKill = await readModelReads(stack);
    victim.process.signal('SIGKILL');
    const killedAt = Date.now();
    await waitFor(
      "a replica serving the killed master's slots",
      async () => {
        const master = await masterOf(witness.port, password, slot);
        const info = String(await ask(witness.port, password, 'CLUSTER', 'INFO'));
        return master !== undefined && master !== victim.port && info.includes('cluster_state:ok');
      },
      30_000,
      100,
    );
    const takenOverAt = Date.now();
    t.diagnostic(`replica serving the slots ${takenOverAt - killedAt} ms after the kill`);
    const versionsAtTakeover = await latestVersions(stack.client, stack.table, groupIds);
    await sleep(STALE_BOUND_MS);
    const older = await olderPages(store, versionsAtTakeover);
    // Served from the store again: hits still counted, and no read of any app fell back in the last 3 s.
    const before = await readModelReads(stack);
    await sleep(3_000);
    const after = await readModelReads(stack);
    const result = await traffic.stop();

    assert.deepEqual(
      result.failures((o) => o.api === 'send'),
      [],
      'every send was accepted',
    );
    assertReadsServed(result, killedAt, takenOverAt, 'while the master was lost and its slots failed over');
    assertReadsServed(result, takenOverAt, Date.now() - 500, 'after the replica took over');
    assert.deepEqual(
      older,
      [],
      `${STALE_BOUND_MS} ms after the replica took over, no page was older than ClickHouse's at that moment`,
    );
    assert.ok(
      before.fallback > atKill.fallback,
      `reads fell back to ClickHouse meanwhile (fallbacks ${atKill.fallback} -> ${before.fallback})`,
    );
    assert.ok(after.hit > before.hit, `reads were answered from the store again (hits ${before.hit} -> ${after.hit})`);
    assert.equal(after.fallback, before.fallback, 'and none fell back to ClickHouse any more');
    const failedOver = (
      await Promise.all(groupIds.map(async (id) => ((await slotOf(witness.port, id)) === slot ? id : 0)))
    ).filter((id) => id > 0);
    for (const groupId of failedOver) {
      assert.ok((await store.get(groupId)) !== null, `group ${groupId}'s page is held by the promoted replica`);
    }
    await assertNothingLost(stack, result);
    await assertPagesEqualClickHouse(stack, store, groupIds);
  });
});
