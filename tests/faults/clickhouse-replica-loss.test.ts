import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClickHouseClient } from '@badam/pipeline';
import { assertNothingLost } from '@badam/test-kit/fault-checks';
import { describeOutcomes, startLiveTraffic, type LiveTrafficResult } from '@badam/test-kit/live-traffic';
import { startPrivateStack } from '@badam/test-kit/private-stack';
import { countRows, waitForRows } from '@badam/test-kit/table-watch';

// Scenario 14 of issue 22: a replicated deployment survives losing one ClickHouse server. Shards of three replicas
// (ZooKeeper; sharded: two such shards behind Distributed tables), each service given every server, its own first
// (tools/stack/src/fleet.ts clickhouseUrlOf), failing over to the next when its own gives no answer
// (pipeline/runtime/src/clickhouse/failover-client.ts); the consumers' inserts need a majority quorum, 2 of 3
// (store-consistency.ts).

/** While the server is down, every send accepted by then is stored within this long of the kill. */
const STORED_WITHIN_MS = 60_000;
/** How long the server stays down, under traffic: past ZooKeeper's session of the killed server. */
const DOWN_MS = 20_000;

function merged(a: LiveTrafficResult, b: LiveTrafficResult): LiveTrafficResult {
  const outcomes = [...a.outcomes, ...b.outcomes];
  return {
    accepted: [...a.accepted, ...b.accepted],
    acceptedAfterResend: a.acceptedAfterResend + b.acceptedAfterResend,
    acceptedTexts: [...a.acceptedTexts, ...b.acceptedTexts],
    resentSends: a.resentSends + b.resentSends,
    outcomes,
    failures: (filter = () => true) => outcomes.filter((o) => (o.status < 200 || o.status >= 300) && filter(o)),
  };
}

describe('one ClickHouse server of a shard of three SIGKILLed under traffic', () => {
  for (const topology of ['replicated', 'sharded'] as const)
    it(`${topology}: every read answered, every send stored while it is down, nothing lost or reordered when it returns`, async (t) => {
      const stack = await startPrivateStack(t, { topology });
      assert.equal(stack.clickhouseServers.length, topology === 'replicated' ? 3 : 6, 'shards of three replicas');
      const victim = stack.clickhouseServers[1];
      assert.ok(victim !== undefined);

      // Writes and latest-page reads of 30 groups (mostly answered by the read model), and reads of groups never
      // written, each a new one, which only ClickHouse answers: each read app's replicas among them.
      const round = () =>
        startLiveTraffic(t, {
          gatewayUrl: stack.gateway.url,
          groups: 30,
          firstGroup: 1,
          senders: 3,
          readers: 2,
          pauseMs: 20,
        });
      const cold = [0, 1, 2].map((i) =>
        startLiveTraffic(t, {
          gatewayUrl: stack.gateway.url,
          groups: 1_000_000,
          firstGroup: 100_000_000 + i * 1_000_000,
          senders: 0,
          readers: 1,
          pauseMs: 20,
        }),
      );
      const before = round();
      await waitForRows(stack.client, stack.table, 100, 60_000);

      const killedAt = Date.now();
      await victim.kill();
      await sleep(DOWN_MS);
      const outage = await before.stop();
      assert.deepEqual(outage.failures(), [], `answers while a server is down: ${describeOutcomes(outage.failures())}`);
      // Stored through the two live replicas (a quorum of 2 of 3), the server still down.
      await waitForRows(stack.client, stack.table, outage.accepted.length, killedAt + STORED_WITHIN_MS - Date.now());
      const storedAfterMs = Date.now() - killedAt;
      t.diagnostic(
        `${outage.accepted.length} sends, all stored ${storedAfterMs} ms after the kill (server still down)`,
      );

      await victim.start();
      const after = round();
      await waitForRows(stack.client, stack.table, (await countRows(stack.client, stack.table)) + 100, 60_000);
      const returned = await after.stop();
      const reads = (await Promise.all(cold.map((c) => c.stop()))).flatMap((r) => r.outcomes);
      assert.ok(reads.length > 0);
      assert.deepEqual(
        reads.filter((o) => o.status !== 200),
        [],
        `reads of groups not in the read model: ${describeOutcomes(reads.filter((o) => o.status !== 200))}`,
      );
      assert.deepEqual(returned.failures(), [], `answers after it returned: ${describeOutcomes(returned.failures())}`);
      const all = merged(outage, returned);
      await assertNothingLost(stack, all);

      // The returned server caught up: it holds every row too.
      const own = createClickHouseClient({ ...stack.infra.clickhouse, url: victim.url, requestTimeoutMs: 10_000 });
      t.after(() => own.close());
      await waitForRows(own, stack.table, await countRows(stack.client, stack.table), 60_000);

      // The app whose own server was killed (fastify replica 1: clickhouseUrlOf) answered from another.
      const log = readFileSync(join(stack.dataDir, 'logs', 'fastify-1.log'), 'utf8');
      assert.match(log, /a ClickHouse server could not answer: asking the next one/);
    });
});
