import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sleep } from '@badam/pipeline';
import { assertNothingLost } from '../../src/testing/fault-checks.js';
import { describeOutcomes, startLiveTraffic } from '../../src/testing/live-traffic.js';
import { startPrivateStack } from '../../src/testing/private-stack.js';
import { waitForRows } from '../../src/testing/table-watch.js';
import { portOpen, waitFor } from '../../src/process/wait.js';

describe('the Kafka broker stopped and started under traffic', () => {
  it('answers sends with a quick 503 while it is down, 202 again after, and loses nothing acknowledged', async (t) => {
    const stack = await startPrivateStack(t);
    const traffic = startLiveTraffic({ gatewayUrl: stack.gateway.url, groups: 40, firstGroup: 1, senders: 4, readers: 2, pauseMs: 10 });
    await waitForRows(stack.client, stack.table, 100, 60_000);

    await stack.infra.broker.stop();
    const downAt = Date.now();
    await sleep(8_000);
    const upAt = Date.now();
    stack.infra.broker.start();
    const port = Number(stack.infra.kafka.brokers[0]?.split(':')[1]);
    await waitFor('the broker back', () => portOpen(port), 90_000);
    // Sends succeed again once the producers reconnect: wait for a stretch of 202s after the restart.
    await sleep(10_000);
    const result = await traffic.stop();

    const sends = result.outcomes.filter((o) => o.api === 'send');
    // Well inside the outage (after the in-flight sends of the stop had their answer), every send is refused quickly.
    const duringOutage = sends.filter((o) => o.startedAt > downAt + 3_000 && o.startedAt + o.latencyMs < upAt);
    assert.ok(duringOutage.length > 0, 'sends were made while the broker was down');
    assert.deepEqual(
      duringOutage.filter((o) => o.status !== 503 || o.retryAfter === undefined),
      [],
      'every send during the outage is a 503 with Retry-After',
    );
    assert.ok(Math.max(...duringOutage.map((o) => o.latencyMs)) < 5_000, 'refused within the send timeout, not hung');
    const lastSeconds = sends.filter((o) => o.startedAt > Date.now() - 4_000);
    assert.ok(lastSeconds.length > 0 && lastSeconds.every((o) => o.status === 202), `sends recovered: ${describeOutcomes(lastSeconds)}`);
    // Reads do not need the broker.
    assert.deepEqual(result.failures((o) => o.api !== 'send'), [], 'no read failed');
    assert.deepEqual(result.failures((o) => o.api === 'send' && o.status !== 503), [], 'sends failed only with 503');

    await assertNothingLost(stack, result, { unconfirmed: result.failures((o) => o.api === 'send').length });
  });
});
