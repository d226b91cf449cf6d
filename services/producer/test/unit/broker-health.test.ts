import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBrokerHealth } from '../../src/broker-health.js';

/** A probe answering as told, counting its calls; no broker involved. */
function fakeProbe(answer: 'ok' | 'fail' | 'hang') {
  const probe = Object.assign(
    async () => {
      probe.calls++;
      if (probe.answer === 'fail') throw new Error('Local: Broker transport failure');
      if (probe.answer === 'hang') await new Promise(() => {});
    },
    { calls: 0, answer },
  );
  return probe;
}

describe("the producer's broker health", () => {
  it("reports the probe's answer, sharing it for cacheMs and one probe among concurrent checks", async () => {
    let clock = 0;
    const probe = fakeProbe('ok');
    const health = createBrokerHealth({ probe, cacheMs: 1000, now: () => clock });
    assert.deepEqual(await Promise.all([health.isReachable(), health.isReachable(), health.isReachable()]), [
      true,
      true,
      true,
    ]);
    assert.equal(probe.calls, 1);
    probe.answer = 'fail';
    clock = 999;
    assert.equal(await health.isReachable(), true, 'cached');
    clock = 1000;
    assert.equal(await health.isReachable(), false, 'probed again after cacheMs');
    probe.answer = 'ok';
    clock = 2000;
    assert.equal(await health.isReachable(), true, 'back once the broker answers');
    assert.equal(probe.calls, 3);
  });

  it('answers false within its timeout when the probe never settles', async () => {
    const health = createBrokerHealth({ probe: fakeProbe('hang'), timeoutMs: 50 });
    const started = Date.now();
    assert.equal(await health.isReachable(), false);
    assert.ok(Date.now() - started < 1000, 'bounded by the timeout');
  });

  it('is false for good after a fatal error, whatever the broker answers', async () => {
    const probe = fakeProbe('ok');
    const health = createBrokerHealth({ probe, cacheMs: 0 });
    assert.equal(await health.isReachable(), true);
    const error = new Error('Local: Fatal error');
    health.markFatal(error);
    health.markFatal(new Error('a later one'));
    assert.equal(health.fatalError, error, 'the first fatal error is kept');
    assert.equal(await health.isReachable(), false);
  });
});
