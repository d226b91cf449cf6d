import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryUntilDeadline } from '../../src/retry.js';

/** A clock the waits advance, a log of what was said, and no real time spent. */
function harness(deadline: number) {
  let clock = 0;
  const said: string[] = [];
  const waits: number[] = [];
  const options = {
    deadline,
    logger: {
      info: (message: string) => said.push(message),
      warn: (_fields: object, message: string) => said.push(message),
    },
    nextDelay: () => 1000,
    wait: async (ms: number) => {
      waits.push(ms);
      clock += ms;
    },
    now: () => clock,
  };
  return { options, said, waits };
}

/** A step that fails `failures` times, then succeeds; counts its calls. */
function flakyStep(failures: number) {
  const step = Object.assign(
    async () => {
      step.calls++;
      if (step.calls <= failures) throw new Error(`not yet (${step.calls})`);
    },
    { calls: 0 },
  );
  return step;
}

describe("init's retry until the deadline", () => {
  it('runs a step once when it succeeds at once', async () => {
    const { options, said, waits } = harness(10_000);
    const step = flakyStep(0);
    await retryUntilDeadline('topic', step, options);
    assert.equal(step.calls, 1);
    assert.deepEqual(waits, []);
    assert.deepEqual(said, ['topic: done']);
  });

  it('waits between attempts while the broker or database is not ready, then succeeds', async () => {
    const { options, said, waits } = harness(10_000);
    const step = flakyStep(3);
    await retryUntilDeadline('migrations', step, options);
    assert.equal(step.calls, 4);
    assert.deepEqual(waits, [1000, 1000, 1000]);
    assert.equal(said.at(-1), 'migrations: done');
  });

  it('throws the last error once the deadline has passed', async () => {
    const { options } = harness(2500);
    const step = flakyStep(100);
    await assert.rejects(retryUntilDeadline('topic', step, options), /not yet \(4\)/);
    assert.equal(step.calls, 4);
  });

  it('throws at once an error no wait can fix (an unknown cluster)', async () => {
    const { options, waits } = harness(10_000);
    const step = flakyStep(100);
    const isFatal = (error: unknown) => error instanceof Error && /not yet \(2\)/.test(error.message);
    await assert.rejects(retryUntilDeadline('tables', step, { ...options, isFatal }), /not yet \(2\)/);
    assert.equal(step.calls, 2);
    assert.deepEqual(waits, [1000]);
  });
});
