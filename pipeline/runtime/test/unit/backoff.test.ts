import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelays } from '../../src/service/backoff.js';

/** A random source that answers the values given, in turn. */
const answering =
  (...values: number[]) =>
  () => {
    const value = values.shift();
    if (value === undefined) throw new Error('no more values');
    return value;
  };

const draw = (next: () => number, times: number) => Array.from({ length: times }, () => next());

describe('backoffDelays', () => {
  it('draws each delay between the first delay and three times the previous one', () => {
    // 100 + r * (3 * previous - 100)
    assert.deepEqual(draw(backoffDelays(100, 5000, answering(0.5, 0.5, 0, 0.25)), 4), [200, 350, 100, 150]);
  });

  it('never waits less than the first delay nor more than the max, however the draws fall', () => {
    assert.deepEqual(
      draw(
        backoffDelays(100, 5000, () => 0),
        5,
      ),
      [100, 100, 100, 100, 100],
    );
    const highest = draw(
      backoffDelays(100, 5000, () => 0.999_999),
      8,
    );
    assert.deepEqual(highest, [299, 896, 2687, 5000, 5000, 5000, 5000, 5000]);
    for (const delay of draw(backoffDelays(100, 5000), 1000)) assert.ok(delay >= 100 && delay <= 5000, String(delay));
  });

  it('spreads processes that failed at the same moment: their retries do not fall together', () => {
    const first = draw(backoffDelays(100, 5000, answering(0.1, 0.7, 0.4, 0.9)), 4);
    const second = draw(backoffDelays(100, 5000, answering(0.8, 0.2, 0.6, 0.3)), 4);
    const retryTimes = (delays: number[]) => delays.map((_, i) => delays.slice(0, i + 1).reduce((a, b) => a + b));
    const together = retryTimes(first).filter((at) => retryTimes(second).includes(at));
    assert.deepEqual(together, [], `${retryTimes(first)} and ${retryTimes(second)}`);
  });
});
