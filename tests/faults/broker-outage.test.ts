import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertNothingLost } from '@badam/test-kit/fault-checks';
import { httpJson } from '@badam/test-kit/http-client';
import { describeOutcomes, startLiveTraffic, type Outcome } from '@badam/test-kit/live-traffic';
import { startPrivateStack, type PrivateStack } from '@badam/test-kit/private-stack';
import { waitForRows } from '@badam/test-kit/table-watch';
import { portOpen, waitFor } from '@badam/stack/process/wait';

interface Outage {
  how: string;
  downAt: number;
  upAt: number;
  /** When the producers answered /health 200 again and sends had a stretch of time to recover. */
  recoveredAt: number;
  /** Every producer /health answer while the broker was down: status and how long it took. */
  health: { producer: number; status: number; body: unknown; at: number; latencyMs: number }[];
}

/**
 * Takes the broker down (how: stop = SIGTERM, a clean shutdown; kill = SIGKILL, then log recovery at start) for 8 s
 * under traffic, watching each producer's /health meanwhile, then starts it again and waits until the producers
 * are healthy and sends had time to recover.
 */
async function brokerOutage(stack: PrivateStack, how: 'stop' | 'kill'): Promise<Outage> {
  const producers = (stack.fleet.ports.get('producer') ?? []).map((_, i) => stack.fleet.url('producer', i));
  if (how === 'stop') await stack.infra.broker.stop();
  else {
    stack.infra.broker.signal('SIGKILL');
    await stack.infra.broker.exited();
  }
  const downAt = Date.now();
  const health: Outage['health'] = [];
  await Promise.all(
    producers.map(async (url, producer) => {
      while (Date.now() < downAt + 8_000) {
        const at = Date.now();
        const answer = await httpJson('GET', `${url}/health`, undefined, { timeoutMs: 5_000 }).catch(() => ({
          status: 0,
          body: {} as Record<string, unknown>,
        }));
        health.push({ producer, status: answer.status, body: answer.body.status, at, latencyMs: Date.now() - at });
        await sleep(250);
      }
    }),
  );
  const upAt = Date.now();
  stack.infra.broker.start();
  const port = Number(stack.infra.kafka.brokers[0]?.split(':')[1]);
  await waitFor('the broker back', () => portOpen(port), 90_000);
  await waitFor(
    'every producer healthy again',
    async () =>
      (await Promise.all(producers.map((url) => httpJson('GET', `${url}/health`)))).every((r) => r.status === 200),
    60_000,
  );
  // Sends succeed again once the gateway has the producers back (two passed checks); the idempotent producer may
  // still be settling its sequence numbers with the restarted broker (OutOfOrderSequence in its log) for a moment
  // after that: then a stretch of 202s.
  await sleep(12_000);
  return { how, downAt, upAt, recoveredAt: Date.now(), health };
}

function assertOutageHandled(sends: Outcome[], outage: Outage, producers: number) {
  const label = `broker ${outage.how}`;
  // Well inside the outage (after the in-flight sends of the stop had their answer), every send is refused quickly.
  const duringOutage = sends.filter(
    (o) => o.startedAt > outage.downAt + 3_000 && o.startedAt + o.latencyMs < outage.upAt,
  );
  assert.ok(duringOutage.length > 0, `${label}: sends were made while the broker was down`);
  assert.deepEqual(
    duringOutage.filter((o) => o.status !== 503 || o.retryAfter === undefined),
    [],
    `${label}: every send during the outage is a 503 with Retry-After`,
  );
  assert.ok(
    Math.max(...duringOutage.map((o) => o.latencyMs)) < 5_000,
    `${label}: refused within the send timeout, not hung`,
  );
  // Each producer's /health: a quick answer always, 503 (JSON) within a few seconds of the broker going, and staying.
  assert.ok(
    Math.max(...outage.health.map((h) => h.latencyMs)) < 1_500,
    `${label}: /health answers quickly: ${JSON.stringify(outage.health)}`,
  );
  for (let producer = 0; producer < producers; producer++) {
    const late = outage.health.filter((h) => h.producer === producer && h.at > outage.downAt + 4_000);
    assert.ok(late.length > 0, `${label}: producer ${producer + 1} /health was checked`);
    assert.deepEqual(
      late.filter((h) => h.status !== 503 || h.body !== 'unavailable'),
      [],
      `${label}: producer ${producer + 1} /health is 503 while the broker is down`,
    );
  }
  // Answered before the outage ended its stretch: a send still in flight then may meet the next phase's kill.
  const recovered = sends.filter(
    (o) => o.startedAt > outage.recoveredAt - 4_000 && o.startedAt + o.latencyMs < outage.recoveredAt,
  );
  assert.ok(
    recovered.length > 0 && recovered.every((o) => o.status === 202),
    `${label}: sends recovered: ${describeOutcomes(recovered)}`,
  );
}

describe('the Kafka broker stopped, then killed, under traffic', () => {
  it('answers sends with a quick 503 and /health 503 while it is down, 202 and 200 again after, and loses nothing acknowledged', async (t) => {
    const stack = await startPrivateStack(t);
    const traffic = startLiveTraffic(t, {
      gatewayUrl: stack.gateway.url,
      groups: 40,
      firstGroup: 1,
      senders: 4,
      readers: 2,
      pauseMs: 10,
    });
    await waitForRows(stack.client, stack.table, 100, 60_000);

    // First a clean stop, then a SIGKILL (no shutdown: the broker recovers its log at start), on the same stack.
    const stopped = await brokerOutage(stack, 'stop');
    const killed = await brokerOutage(stack, 'kill');
    const result = await traffic.stop();

    const sends = result.outcomes.filter((o) => o.api === 'send');
    const producers = stack.fleet.ports.get('producer')?.length ?? 0;
    assertOutageHandled(sends, stopped, producers);
    assertOutageHandled(sends, killed, producers);
    // Reads do not need the broker.
    assert.deepEqual(
      result.failures((o) => o.api !== 'send'),
      [],
      'no read failed',
    );
    assert.deepEqual(
      result.failures((o) => o.api === 'send' && o.status !== 503),
      [],
      'sends failed only with 503',
    );
    assert.deepEqual(
      (stack.fleet.processes.get('producer') ?? []).map((p) => p.restarts),
      Array.from({ length: producers }, () => 0),
      'no producer restarted: a broker outage is not fatal to its client',
    );

    await assertNothingLost(stack, result, { unconfirmed: result.failures((o) => o.api === 'send').length });
  });
});
