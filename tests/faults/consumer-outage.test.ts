import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertNothingLost } from '@badam/test-kit/fault-checks';
import { killConsumerInsideWindow, redeliveredSince, redeliveryBaseline } from '@badam/test-kit/consumer-kill';
import { describeOutcomes, startLiveTraffic } from '@badam/test-kit/live-traffic';
import { startPrivateStack } from '@badam/test-kit/private-stack';
import { countRows, waitForRows } from '@badam/test-kit/table-watch';

describe('consumers failing under traffic through the gateway', () => {
  it('a consumer killed with SIGKILL mid-batch is restarted, and nothing is lost or stored twice', async (t) => {
    // Small batches, many of them; each kill lands between an insert and its commit (killConsumerInsideWindow).
    const stack = await startPrivateStack(t, { consumers: 2, env: { CONSUMER_MAX_BATCH: '40' } });
    const traffic = startLiveTraffic(t, {
      gatewayUrl: stack.gateway.url,
      groups: 60,
      firstGroup: 1,
      senders: 6,
      readers: 2,
      pauseMs: 2,
    });
    const [first, second] = stack.fleet.processes.get('consumer') ?? [];
    await waitForRows(stack.client, stack.table, 200, 60_000);
    const baseline = await redeliveryBaseline(stack.fleet);
    const kills = [await killConsumerInsideWindow(first!, stack.client)];
    await sleep(4_000);
    kills.push(await killConsumerInsideWindow(second!, stack.client));
    await sleep(8_000);
    const result = await traffic.stop();
    assert.deepEqual(result.failures(), [], `no request failed: ${describeOutcomes(result.failures())}`);
    assert.ok((first?.restarts ?? 0) >= 1 && (second?.restarts ?? 0) >= 1, 'both were restarted');
    await assertNothingLost(stack, result);
    // Scraped once everything is stored: the processes that took over skipped what the killed ones had stored.
    const redelivered = await redeliveredSince(stack.fleet, baseline);
    t.diagnostic(`kills: ${JSON.stringify(kills)}; skipped as already stored: ${redelivered}`);
    assert.ok(redelivered > 0, 'records were skipped as already stored');
  });

  it('all consumers stopped for a while: sends are still accepted, and the backlog drains when they start', async (t) => {
    const stack = await startPrivateStack(t, { consumers: 2 });
    const traffic = startLiveTraffic(t, {
      gatewayUrl: stack.gateway.url,
      groups: 60,
      firstGroup: 1,
      senders: 4,
      readers: 2,
      pauseMs: 5,
    });
    await waitForRows(stack.client, stack.table, 100, 60_000);
    const consumers = stack.fleet.processes.get('consumer') ?? [];
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    const stoppedRows = await countRows(stack.client, stack.table);
    await sleep(8_000);
    assert.equal(await countRows(stack.client, stack.table), stoppedRows, 'nothing is stored while no consumer runs');
    for (const consumer of consumers) consumer.start();
    await sleep(5_000);
    const result = await traffic.stop();
    assert.ok(result.accepted.length > stoppedRows, 'sends were accepted while the consumers were stopped');
    assert.deepEqual(result.failures(), [], `no request failed: ${describeOutcomes(result.failures())}`);
    await assertNothingLost(stack, result);
  });
});
