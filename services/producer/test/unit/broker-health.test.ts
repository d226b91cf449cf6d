import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { createBrokerHealth, isFatalKafkaError, watchFatalErrors } from '../../src/broker-health.js';

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

  it('tells fatal client errors from those a reconnect heals', () => {
    // A send's KafkaJSError (fatal flag, ErrorCodes.ERR__FATAL) and librdkafka's error event as the binding builds it.
    assert.equal(isFatalKafkaError({ code: -150, message: 'x' }), true);
    assert.equal(
      isFatalKafkaError(Object.assign(new Error('Broker: Out of order sequence number'), { fatal: true })),
      true,
    );
    assert.equal(isFatalKafkaError(Object.assign(new Error('fatal error'), { code: -1, origin: 'local' })), true);
    assert.equal(isFatalKafkaError(new Error('Local: Fatal error')), true);
    for (const healing of [
      new Error('Local: All broker connections are down'),
      { code: -195, fatal: false },
      new Error('Local: Message timed out'),
      'fatal',
      undefined,
    ]) {
      assert.equal(isFatalKafkaError(healing), false, String(healing));
    }
  });

  it("calls onFatal once, at the client's first fatal error event", () => {
    const client = new EventEmitter();
    const seen: unknown[] = [];
    watchFatalErrors(client, (error) => seen.push(error));
    client.emit('event.error', new Error('Local: All broker connections are down'));
    assert.equal(seen.length, 0);
    const fatal = new Error('Local: Fatal error');
    client.emit('event.error', fatal);
    client.emit('event.error', new Error('Local: Fatal error'));
    assert.deepEqual(seen, [fatal]);
  });
});
