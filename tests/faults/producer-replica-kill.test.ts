import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertEachStoredOnce, assertNothingLost } from '@badam/test-kit/fault-checks';
import { describeOutcomes, startLiveTraffic } from '@badam/test-kit/live-traffic';
import { startPrivateStack } from '@badam/test-kit/private-stack';
import { waitForRows } from '@badam/test-kit/table-watch';
import { httpOk, waitFor } from '@badam/stack/process/wait';

describe('a producer replica killed with SIGKILL under traffic', () => {
  it('fails at most the sends it held; resent with their Idempotency-Key, every send is stored exactly once', async (t) => {
    const stack = await startPrivateStack(t, { replicas: 2, consumers: 1 });
    const senders = 6;
    const traffic = startLiveTraffic(t, {
      gatewayUrl: stack.gateway.url,
      groups: 40,
      firstGroup: 1,
      senders,
      readers: 2,
      pauseMs: 5,
      resendWithKey: true,
    });
    await waitForRows(stack.client, stack.table, 100, 60_000);
    const [victim] = stack.fleet.processes.get('producer') ?? [];
    victim?.signal('SIGKILL');
    await waitFor('the producer back', () => httpOk(`${stack.fleet.url('producer', 0)}/health`), 60_000);
    await sleep(5_000);
    const result = await traffic.stop();

    // A send in flight on the killed process gets no answer (the gateway cannot retry a POST it has sent: it may
    // have reached Kafka). New sends go to the other replica. So at most one failed attempt per sending client, and
    // the client's resend with the same key is accepted.
    const failedSends = result.failures((o) => o.api === 'send');
    assert.ok(failedSends.length <= senders, `failed sends: ${describeOutcomes(failedSends)}`);
    assert.equal(result.acceptedTexts.length, result.accepted.length + result.acceptedAfterResend);
    assert.ok(result.acceptedAfterResend <= failedSends.length + result.resentSends);
    assert.deepEqual(
      result.failures((o) => o.api !== 'send'),
      [],
      'no read failed',
    );
    assert.ok((victim?.restarts ?? 0) >= 1, 'the killed replica was restarted');
    await assertNothingLost(stack, result, { unconfirmed: result.acceptedAfterResend });
    await assertEachStoredOnce(stack, result);
  });
});
