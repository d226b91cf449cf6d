import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConsumedRecord, StoredBatch } from '@badam/pipeline';
import {
  storeResiliently,
  StoppedWhileFailing,
  type DeadLetter,
  type ResilientStoreOptions,
} from '../../src/resilient-store.js';

const record = (offset: number): ConsumedRecord => ({
  topicId: 'T',
  partition: 0,
  offset,
  message: { group_id: 1, sender_id: 1, text: `m${offset}`, accepted_at_ms: offset },
});
const refused = () =>
  new Error(
    'Code: 27, e.displayText() = DB::Exception: Cannot parse input: expected { before: x: (at row 1), e.what() = DB::Exception',
  );
const unreachable = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const timedOut = () => new Error('Timeout error.');

/** A store that fails as `fails` says for the records given, and records what it stored, in order. */
function harness(
  fails: (records: readonly ConsumedRecord[], call: number) => Error | undefined,
  databaseAnswers = true,
) {
  const stored: number[] = [];
  const letters: DeadLetter[] = [];
  let calls = 0;
  const options: ResilientStoreOptions = {
    async store(records): Promise<StoredBatch> {
      const error = fails(records, calls++);
      if (error !== undefined) throw error;
      stored.push(...records.map((r) => r.offset));
      return { stored: records.length, alreadyStored: 0, duplicates: 0, maxOrders: new Map([[1, stored.length]]) };
    },
    async deadLetter(batch) {
      letters.push(...batch);
    },
    databaseAnswers: async () => databaseAnswers,
    timeoutsBeforeSplit: 3,
    signal: new AbortController().signal,
    onFailure() {},
    minDelayMs: 1,
    maxDelayMs: 2,
  };
  return { options, stored, letters, calls: () => calls };
}

const batch = Array.from({ length: 8 }, (_, i) => record(i));

const contended = () =>
  new Error(
    'Code: 286, e.displayText() = DB::Exception: Received from 127.0.0.1:32920. DB::Exception: Another quorum insert has been already started., e.what() = DB::Exception',
  );

describe('storeResiliently', () => {
  it('retries a batch that met another quorum insert quickly, a few times, then with the usual backoff', async () => {
    const h = harness((_records, call) => (call < 7 ? contended() : undefined));
    const delays: number[] = [];
    const outcome = await storeResiliently(batch, {
      ...h.options,
      minDelayMs: 100,
      maxDelayMs: 400,
      random: () => 0.5,
      onFailure: ({ delayMs, kind }) => {
        assert.equal(kind, 'transient');
        delays.push(delayMs);
      },
    });
    assert.deepEqual([outcome.stored, outcome.deadLettered], [8, 0]);
    assert.equal(delays.length, 7);
    assert.deepEqual(delays.slice(0, 5), [30, 30, 30, 30, 30], 'quick retries: 10 + 40 * 0.5 ms');
    assert.deepEqual(delays.slice(5), [200, 350], 'then the usual backoff, jittered: 100 + 0.5 * (3 * previous - 100)');
  });

  it('spreads the retries of consumers that met the same outage, so they do not all come back at once', async () => {
    /** The delays before each retry of one consumer whose store fails six times (an outage), drawing from `random`. */
    const delaysOf = async (random: () => number) => {
      let failures = 0;
      const h = harness(() => (failures++ < 6 ? unreachable() : undefined));
      const delays: number[] = [];
      await storeResiliently(batch, {
        ...h.options,
        minDelayMs: 10,
        maxDelayMs: 100,
        random,
        onFailure: ({ delayMs }) => delays.push(delayMs),
      });
      return delays;
    };
    const retryTimes = (delays: number[]) => delays.map((_, i) => delays.slice(0, i + 1).reduce((a, b) => a + b));
    const first = await delaysOf(() => 0.9);
    const second = await delaysOf(() => 0.3);
    assert.deepEqual(
      retryTimes(first).filter((at) => retryTimes(second).includes(at)),
      [],
      'no retry at the same moment',
    );
    assert.deepEqual(first, [28, 76, 100, 100, 100, 100], '10 + 0.9 * (3 * previous - 10), at most 100');
    assert.deepEqual(second, [16, 21, 25, 29, 33, 36]);
  });

  it('retries a batch in place while the database is unreachable, and never splits it', async () => {
    const h = harness((_records, call) => (call < 4 ? unreachable() : undefined));
    const outcome = await storeResiliently(batch, h.options);
    assert.deepEqual(h.stored, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(h.calls(), 5);
    assert.deepEqual([outcome.stored, outcome.deadLettered], [8, 0]);
  });

  it('splits a refused batch, stores the rest in offset order and sets aside only the poison record', async () => {
    const h = harness((records) => (records.some((r) => r.offset === 5) ? refused() : undefined));
    const outcome = await storeResiliently(batch, h.options);
    assert.deepEqual(h.stored, [0, 1, 2, 3, 4, 6, 7]);
    assert.deepEqual(
      h.letters.map((l) => [l.offset, l.reason]),
      [[5, 'unstorable']],
    );
    assert.match(h.letters[0]!.error, /Cannot parse input/);
    assert.deepEqual([outcome.stored, outcome.deadLettered], [7, 1]);
  });

  it('splits a batch that keeps timing out while the database answers, down to the record that times out alone', async () => {
    const h = harness((records) => (records.some((r) => r.offset === 2) ? timedOut() : undefined));
    await storeResiliently(batch, h.options);
    assert.deepEqual(h.stored, [0, 1, 3, 4, 5, 6, 7]);
    assert.deepEqual(
      h.letters.map((l) => l.offset),
      [2],
    );
  });

  it('only retries timeouts while the database answers nothing at all (an outage, not poison)', async () => {
    const h = harness((_records, call) => (call < 6 ? timedOut() : undefined), false);
    await storeResiliently(batch, h.options);
    assert.deepEqual([h.stored.length, h.letters.length], [8, 0]);
  });

  it('gives up without storing or setting aside anything once the consumer stops', async () => {
    const stop = new AbortController();
    const h = harness(() => {
      stop.abort();
      return unreachable();
    });
    await assert.rejects(storeResiliently(batch, { ...h.options, signal: stop.signal }), StoppedWhileFailing);
    assert.deepEqual([h.stored.length, h.letters.length], [0, 0]);
  });

  it('a stop during the wait before a retry ends the wait at once, without storing anything', async () => {
    const stop = new AbortController();
    const h = harness(() => unreachable());
    const started = Date.now();
    setTimeout(() => stop.abort(), 20);
    await assert.rejects(
      storeResiliently(batch, { ...h.options, signal: stop.signal, minDelayMs: 60_000, maxDelayMs: 60_000 }),
      StoppedWhileFailing,
    );
    assert.ok(Date.now() - started < 5_000, 'did not wait out the delay');
    assert.deepEqual([h.stored.length, h.letters.length, h.calls()], [0, 0, 1]);
  });
});
