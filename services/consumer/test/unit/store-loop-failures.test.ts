import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { record } from '../support/fake-source.js';
import { createLoopHarness, TOPIC_ID, waitUntil } from '../support/loop-harness.js';

const unreachable = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const refused = () =>
  new Error('Code: 27, e.displayText() = DB::Exception: Cannot parse input: expected {, e.what() = DB::Exception');

describe('the store loop when records or dependencies fail', { timeout: 10_000 }, () => {
  it('sets an undecodable record aside with its own bytes, stores the others, and commits past all of them', async (t) => {
    const h = createLoopHarness();
    t.after(h.close);
    const poison = { partition: 0, offset: 1, key: 'k7', value: Buffer.from('not json {') };
    h.fake.push(record(0, 0, 7), poison, record(0, 2, 7));
    await h.loop.start();
    await waitUntil('the commit', () => h.fake.commits.length === 1);
    assert.deepEqual(
      h.store.rows.map((row) => [row.order, row.offset]),
      [
        [1, 0],
        [2, 2],
      ],
    );
    assert.equal(h.deadLetters.length, 1);
    const [dead] = h.deadLetters;
    assert.deepEqual(
      [dead?.key, dead?.value, dead?.topicId, dead?.letter.reason],
      ['k7', poison.value, TOPIC_ID, 'unreadable'],
    );
    assert.deepEqual([...h.fake.committed()], [[0, 3]]);
  });

  it('sets aside a record the database refuses, stores the rest of its batch, and commits past it', async (t) => {
    const h = createLoopHarness();
    t.after(h.close);
    h.store.state.refuse = (records) => (records.some((r) => r.offset === 1) ? refused() : undefined);
    h.fake.push(record(0, 0, 7), record(0, 1, 7), record(0, 2, 7));
    await h.loop.start();
    await waitUntil('the commit', () => h.fake.commits.length === 1);
    assert.deepEqual(
      h.store.rows.map((row) => row.offset),
      [0, 2],
    );
    assert.deepEqual(
      h.deadLetters.map((dead) => [dead.letter.offset, dead.letter.reason]),
      [[1, 'unstorable']],
    );
    assert.deepEqual([...h.fake.committed()], [[0, 3]]);
  });

  it('retries a batch in place while the database is down, reports since when it fails, and commits once stored', async (t) => {
    const h = createLoopHarness();
    t.after(h.close);
    h.store.state.refuse = unreachable;
    h.fake.push(record(0, 0, 7));
    await h.loop.start();
    await waitUntil('several failed attempts', () => h.store.state.writes >= 3);
    const failing = h.loop.failing();
    assert.ok(failing !== undefined && failing.sinceMs <= Date.now());
    assert.match(failing.error, /ECONNREFUSED/);
    assert.deepEqual([h.fake.commits, h.deadLetters], [[], []], 'nothing committed nor set aside');

    h.store.state.refuse = undefined;
    await waitUntil('the commit', () => h.fake.commits.length === 1);
    assert.equal(h.loop.failing(), undefined);
    assert.equal(h.store.rows.length, 1);
  });

  it('on stop, lets the batch in progress store and commit, fetches nothing more, then leaves', async (t) => {
    const h = createLoopHarness();
    t.after(h.close);
    h.store.hold();
    h.fake.push(record(0, 0, 7));
    await h.loop.start();
    await waitUntil('the write to begin', () => h.store.state.writes === 1);
    const fetches = h.fake.fetches.length;
    const stopped = h.loop.stop();
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(h.fake.stopped(), false, 'still in the group while the batch stores');

    h.store.release();
    await stopped;
    assert.deepEqual([...h.fake.committed()], [[0, 1]]);
    assert.equal(h.fake.fetches.length, fetches, 'no fetch after the stop');
    assert.deepEqual([h.fake.stopped(), h.loop.isRunning()], [true, false]);
  });

  it('on stop while a batch keeps failing, gives it up uncommitted (the next owner reads it again)', async (t) => {
    const h = createLoopHarness();
    t.after(h.close);
    h.store.state.refuse = unreachable;
    h.fake.push(record(0, 0, 7));
    await h.loop.start();
    await waitUntil('a failed attempt', () => h.loop.failing() !== undefined);
    await h.loop.stop();
    assert.deepEqual([h.fake.commits, h.deadLetters, h.store.rows], [[], [], []]);
    assert.equal(h.fake.stopped(), true);
  });

  it('stores nothing and asks to restart when the topic was recreated under it', async (t) => {
    const h = createLoopHarness();
    t.after(h.close);
    await h.loop.start();
    h.topic.id = 'T2';
    h.fake.push(record(0, 0, 7));
    await waitUntil('the fatal error', () => h.fatal.length === 1);
    assert.match(h.fatal[0]!.message, /topic messages was recreated \(id T1 -> T2\)/);
    assert.deepEqual([h.store.state.writes, h.fake.commits.length], [0, 0]);
  });

  it('keeps the records already fetched when a later fetch of the same batch fails', async (t) => {
    const h = createLoopHarness({ lingerMs: 200 });
    t.after(h.close);
    h.fake.push(record(0, 0, 7), record(0, 1, 7));
    h.fake.state.beforeFetch = (call) => {
      if (call === 2) throw new Error('Local: Broker transport failure');
    };
    await h.loop.start();
    await waitUntil('the commit', () => h.fake.commits.length === 1);
    assert.deepEqual(
      h.store.rows.map((row) => row.offset),
      [0, 1],
    );
    assert.deepEqual([...h.fake.committed()], [[0, 2]]);
  });

  it('waits and fetches again after a fetch that read nothing fails', async (t) => {
    const h = createLoopHarness();
    t.after(h.close);
    h.fake.push(record(0, 0, 7));
    h.fake.state.beforeFetch = (call) => {
      if (call === 1) throw new Error('Local: Broker transport failure');
    };
    await h.loop.start();
    await waitUntil('the commit', () => h.fake.commits.length === 1, 3000);
    assert.deepEqual(
      h.store.rows.map((row) => row.offset),
      [0],
    );
  });
});
