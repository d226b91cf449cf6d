import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { record } from '../support/fake-source.js';
import { createLoopHarness, waitUntil } from '../support/loop-harness.js';

const orders = (rows: { groupId: number; order: number; offset: number }[], groupId: number) =>
  rows.filter((row) => row.groupId === groupId).map((row) => [row.order, row.offset]);

describe('the store loop', { timeout: 10_000 }, () => {
  it('stores what is ready in batches of at most maxBatch, orders each group 1..n, commits past the last stored', async (t) => {
    const h = createLoopHarness({ maxBatch: 3 });
    t.after(h.close);
    h.fake.push(record(0, 0, 1), record(0, 1, 1), record(1, 0, 2), record(0, 2, 1), record(1, 1, 2));
    await h.loop.start();
    await waitUntil('every record stored', () => h.store.rows.length === 5);
    await waitUntil('both partitions committed', () => h.fake.committed().size === 2);

    assert.equal(h.store.state.writes, 2, 'two batches: 3 records, then 2');
    assert.ok(h.fake.fetches.every((fetch) => fetch.max <= 3));
    assert.deepEqual(orders(h.store.rows, 1), [
      [1, 0],
      [2, 1],
      [3, 2],
    ]);
    assert.deepEqual(orders(h.store.rows, 2), [
      [1, 0],
      [2, 1],
    ]);
    assert.deepEqual(
      [...h.fake.committed()].sort(),
      [
        [0, 3],
        [1, 2],
      ],
      'the next offset to read, per partition',
    );
  });

  it('lingers after the first record until the batch is full or lingerMs has passed, then stores it in one write', async (t) => {
    const h = createLoopHarness({ maxBatch: 10, lingerMs: 300 });
    t.after(h.close);
    h.fake.push(record(0, 0, 1), record(0, 1, 1));
    h.fake.state.beforeFetch = (call) => {
      if (call === 3) h.fake.push(record(0, 2, 1), record(1, 0, 2));
    };
    await h.loop.start();
    await waitUntil('every record stored', () => h.store.rows.length === 4);
    assert.equal(h.store.state.writes, 1);
    assert.equal(h.fake.fetches[0]?.timeoutMs, 200, 'the first fetch waits for a first record');
    assert.ok(
      h.fake.fetches.slice(1).every((fetch) => fetch.timeoutMs <= 300),
      'the others only while the linger lasts',
    );
  });

  it('commits only once the batch is stored and its pages refreshed', async (t) => {
    const h = createLoopHarness();
    t.after(h.close);
    h.store.hold();
    h.fake.push(record(0, 0, 7), record(0, 1, 7));
    await h.loop.start();
    await waitUntil('the write to begin', () => h.store.state.writes === 1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.deepEqual(h.fake.commits, [], 'nothing committed while the insert runs');
    assert.deepEqual(h.pages.refreshes, [], 'no page refreshed before the rows exist');

    h.store.release();
    await waitUntil('the commit', () => h.fake.commits.length === 1);
    assert.deepEqual([...h.pages.refreshes[0]!], [[7, 2]], 'the group refreshed up to its highest order');
    assert.deepEqual([...h.fake.committed()], [[0, 2]]);
  });

  it('holds the offsets while the read model refresh fails, and commits them once an idle refresh succeeds', async (t) => {
    const h = createLoopHarness();
    t.after(h.close);
    h.pages.answer = false;
    h.fake.push(record(0, 0, 7));
    await h.loop.start();
    await waitUntil('the record stored', () => h.store.rows.length === 1 && h.pages.refreshes.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.deepEqual(h.fake.commits, [], 'held while the page is not refreshed');

    h.pages.answer = true;
    h.pages.pending = 1;
    await waitUntil('the held offset committed', () => h.fake.commits.length === 1);
    assert.deepEqual([...h.fake.committed()], [[0, 1]]);
    assert.equal(h.pages.refreshes.at(-1)?.size, 0, 'the idle refresh asks only for the groups left behind');
  });

  it('skips what a batch redelivers after a crash, and still refreshes and commits it', async (t) => {
    const h = createLoopHarness();
    t.after(h.close);
    h.store.rows.push({ groupId: 3, order: 1, partition: 0, offset: 0, text: 'stored before the crash' });
    h.fake.push(record(0, 0, 3), record(0, 1, 3));
    await h.loop.start();
    await waitUntil('the commit', () => h.fake.commits.length === 1);
    assert.deepEqual(
      orders(h.store.rows, 3),
      [
        [1, 0],
        [2, 1],
      ],
      'stored once each',
    );
    assert.deepEqual([...h.pages.refreshes[0]!], [[3, 2]]);
    assert.deepEqual([...h.fake.committed()], [[0, 2]]);
  });
});
