import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertNothingLost } from '@badam/test-kit/fault-checks';
import { httpJson } from '@badam/test-kit/http-client';
import { describeOutcomes, startLiveTraffic } from '@badam/test-kit/live-traffic';
import { startPrivateStack } from '@badam/test-kit/private-stack';
import { countRows, waitForRows } from '@badam/test-kit/table-watch';
import { httpOk, waitFor } from '@badam/stack/process/wait';

describe('ClickHouse stopped, then killed, and started under traffic', () => {
  it('keeps accepting sends, answers latest pages from the read model and the rest with a quick 503, and catches up after', async (t) => {
    const stack = await startPrivateStack(t);
    const traffic = startLiveTraffic(t, {
      gatewayUrl: stack.gateway.url,
      groups: 40,
      firstGroup: 1,
      senders: 4,
      readers: 3,
      pauseMs: 10,
    });
    await waitForRows(stack.client, stack.table, 100, 60_000);
    // The whole system of record: every server of the run's topology (one on single; a cluster's replicas too, whose
    // single losses tests/faults/clickhouse-replica-faults covers).
    const servers = stack.clickhouseServers;
    const everyServer = (act: (server: (typeof servers)[number]) => Promise<void>) => Promise.all(servers.map(act));

    await everyServer((server) => server.stop());
    const downAt = Date.now();
    await sleep(3_000);
    const health = await httpJson('GET', `${stack.fleet.url('fastify')}/health`);
    assert.deepEqual(
      [health.status, health.body.status],
      [200, 'degraded'],
      'a read app stays in rotation, degraded, on the read model',
    );
    await sleep(5_000);
    const upAt = Date.now();
    await everyServer((server) => server.start());
    await waitFor('ClickHouse back', () => httpOk(`${stack.infra.clickhouse.url}/ping`), 60_000);
    const rowsWhenBack = await countRows(stack.client, stack.table);
    await sleep(8_000);
    // Then SIGKILL, with inserts in flight (no shutdown: whatever an insert had written before the kill is found at
    // start, and the batch's retry skips it as already stored), and start it again.
    await waitForRows(stack.client, stack.table, rowsWhenBack + 100, 30_000);
    await everyServer((server) => server.kill());
    const killedAt = Date.now();
    await sleep(5_000);
    await everyServer((server) => server.start());
    await waitFor('ClickHouse back after SIGKILL', () => httpOk(`${stack.infra.clickhouse.url}/ping`), 60_000);
    const backAfterKill = Date.now();
    await sleep(8_000);
    const result = await traffic.stop();

    // Sends only need the broker.
    assert.deepEqual(
      result.failures((o) => o.api === 'send'),
      [],
      'every send was accepted during both outages',
    );
    const readsWhileKilled = result.outcomes.filter(
      (o) => o.api !== 'send' && o.startedAt > killedAt + 1_000 && o.startedAt + o.latencyMs < backAfterKill,
    );
    assert.deepEqual(
      readsWhileKilled.filter((o) => o.status !== 200 && (o.status !== 503 || o.retryAfter === undefined)),
      [],
      `after the SIGKILL too, every read is a 200 or a 503 with Retry-After: ${describeOutcomes(readsWhileKilled)}`,
    );
    const readsDuringOutage = result.outcomes.filter(
      (o) => o.api !== 'send' && o.startedAt > downAt + 1_000 && o.startedAt + o.latencyMs < upAt,
    );
    assert.ok(readsDuringOutage.length > 0, 'reads were made while ClickHouse was down');
    // The latest pages the read model holds are still served; a page it does not hold is a 503 with Retry-After.
    assert.deepEqual(
      readsDuringOutage.filter((o) => o.status !== 200 && (o.status !== 503 || o.retryAfter === undefined)),
      [],
      `every read during the outage is a 200 or a 503 with Retry-After: ${describeOutcomes(readsDuringOutage)}`,
    );
    assert.ok(
      readsDuringOutage.some((o) => o.status === 200),
      `the read model answered reads: ${describeOutcomes(readsDuringOutage)}`,
    );
    assert.ok(Math.max(...readsDuringOutage.map((o) => o.latencyMs)) < 5_000, 'reads refused quickly, not hung');
    const lastReads = result.outcomes.filter((o) => o.api !== 'send' && o.startedAt > Date.now() - 3_000);
    assert.ok(
      lastReads.length > 0 && lastReads.every((o) => o.status === 200),
      `reads recovered: ${describeOutcomes(lastReads)}`,
    );
    assert.ok(rowsWhenBack < result.accepted.length, 'sends accepted during the outage were stored only after it');

    await assertNothingLost(stack, result);
  });
});
