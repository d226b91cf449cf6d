import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertNothingLost } from '@badam/test-kit/fault-checks';
import { startLiveTraffic } from '@badam/test-kit/live-traffic';
import { startPrivateStack, type PrivateStack } from '@badam/test-kit/private-stack';
import { countRows, waitForRows } from '@badam/test-kit/table-watch';

// The ordering invariant across replicas (pipeline/runtime/src/clickhouse/store-consistency.ts), under the faults of a
// replicated ClickHouse (ZooKeeper, one shard of three replicas, quorum 2; each consumer and read app on one of the
// servers first, failing over to the others):
// every accepted send is stored exactly once with orders 1..n, and a batch that cannot be ordered safely (quorum not
// reachable, unknown status, ZooKeeper away) waits and is retried, never ordered from a replica that may be stale.

/** Replication errors the consumers logged as retried (transient) batches, by ClickHouse code. */
function retriedReplicationCodes(stack: PrivateStack): Set<number> {
  const logs = join(stack.dataDir, 'logs');
  const codes = new Set<number>();
  for (const file of readdirSync(logs).filter((name) => name.startsWith('consumer'))) {
    for (const line of readFileSync(join(logs, file), 'utf8').split('\n')) {
      if (!line.includes('storing a batch failed, retrying') || !line.includes('"kind":"transient"')) continue;
      for (const match of line.matchAll(/Code: (\d+)/g)) codes.add(Number(match[1]));
    }
  }
  return codes;
}

/** Nothing was set aside: a replication fault is a wait, never a record the database "refuses". */
function deadLettered(stack: PrivateStack): number {
  const logs = join(stack.dataDir, 'logs');
  return readdirSync(logs)
    .filter((name) => name.startsWith('consumer'))
    .reduce((n, file) => n + (readFileSync(join(logs, file), 'utf8').match(/dead-letter topic/g)?.length ?? 0), 0);
}

/** A replicated stack under traffic; runs `fault` once rows flow, then checks the table whole. */
async function underTraffic(t: Parameters<typeof startPrivateStack>[0], fault: (stack: PrivateStack) => Promise<void>) {
  const stack = await startPrivateStack(t, { topology: 'replicated' });
  assert.equal(stack.clickhouseServers.length, 3, 'three replicas');
  const traffic = startLiveTraffic(t, {
    gatewayUrl: stack.gateway.url,
    groups: 30,
    firstGroup: 1,
    senders: 4,
    readers: 2,
    pauseMs: 10,
  });
  await waitForRows(stack.client, stack.table, 100, 60_000);
  await fault(stack);
  const rowsAfterFault = await countRows(stack.client, stack.table);
  await waitForRows(stack.client, stack.table, rowsAfterFault + 100, 60_000);
  const result = await traffic.stop();
  assert.deepEqual(
    result.failures((o) => o.api === 'send'),
    [],
    'sends only need the broker',
  );
  await assertNothingLost(stack, result);
  assert.equal(deadLettered(stack), 0, 'nothing dead-lettered');
  return stack;
}

describe('a replicated ClickHouse under faults, with traffic', () => {
  it('two replicas of three stopped (no quorum), restarted, then one SIGKILLed mid-stream: batches wait for the quorum, nothing lost or reordered', async (t) => {
    const stack = await underTraffic(t, async ({ client, table, clickhouseServers }) => {
      const [, second, third] = clickhouseServers;
      assert.ok(second !== undefined && third !== undefined);
      await Promise.all([second.stop(), third.stop()]);
      await sleep(5_000);
      await Promise.all([second.start(), third.start()]);
      await waitForRows(client, table, (await countRows(client, table)) + 100, 60_000);
      await second.kill();
      await sleep(12_000); // past ZooKeeper's session of the killed server: a quorum insert it was writing times out
      await second.start();
    });
    const codes = retriedReplicationCodes(stack);
    assert.ok(
      [285, 286, 319].some((code) => codes.has(code)),
      `quorum inserts failed and were retried: ${[...codes]}`,
    );
  });

  it('a replica lagging (SIGSTOP for 8 s, then SIGCONT): nothing ordered from it while behind', async (t) => {
    await underTraffic(t, async ({ clickhouseServers }) => {
      const replica = clickhouseServers[1];
      assert.ok(replica !== undefined);
      replica.pause();
      await sleep(8_000);
      replica.resume();
    });
  });

  it('ZooKeeper stopped for 10 s and restarted: writes wait (read-only tables), then resume', async (t) => {
    const stack = await underTraffic(t, async ({ zookeeper }) => {
      assert.ok(zookeeper !== undefined);
      await zookeeper.stop();
      await sleep(10_000);
      await zookeeper.start();
    });
    const codes = retriedReplicationCodes(stack);
    assert.ok(
      [242, 225, 999].some((code) => codes.has(code)),
      `inserts refused while ZooKeeper was away, and retried: ${[...codes]}`,
    );
  });
});
