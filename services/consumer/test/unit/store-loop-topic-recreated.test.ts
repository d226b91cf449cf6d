import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { record } from '../support/fake-source.js';
import { createLoopHarness, waitUntil } from '../support/loop-harness.js';

// Offsets are committed by topic name. A topic deleted and created again after a batch's topic check and before its
// commit would inherit the old topic's offsets, and the new topic's first records would never be read.
describe('the store loop when the topic is recreated after its records were checked', { timeout: 10_000 }, () => {
  it('commits nothing and asks to restart when the topic is recreated while the batch stores', async (t) => {
    const h = createLoopHarness();
    t.after(h.close);
    h.store.hold();
    h.fake.push(record(0, 0, 7), record(1, 5, 8));
    await h.loop.start();
    await waitUntil('the write to begin', () => h.store.state.writes === 1);
    h.topic.id = 'T2';
    h.store.release();

    await waitUntil('the fatal error or a commit', () => h.fatal.length > 0 || h.fake.commits.length > 0);
    assert.deepEqual(h.fake.commits, [], "the old topic's offsets are not committed to the new one");
    await waitUntil('the fatal error', () => h.fatal.length === 1);
    assert.match(h.fatal[0]!.message, /topic messages was recreated \(id T1 -> T2\)/);
  });

  it('commits nothing when the topic is recreated while offsets are held for a page refresh', async (t) => {
    const h = createLoopHarness();
    t.after(h.close);
    h.pages.answer = false;
    h.fake.push(record(0, 0, 7));
    await h.loop.start();
    await waitUntil('the record stored', () => h.store.rows.length === 1 && h.pages.refreshes.length === 1);
    h.topic.id = 'T2';
    h.pages.answer = true;
    h.pages.pending = 1;

    await waitUntil('the fatal error or a commit', () => h.fatal.length > 0 || h.fake.commits.length > 0);
    assert.deepEqual(h.fake.commits, [], "the old topic's held offsets are not committed to the new one");
    assert.equal(h.fatal.length, 1);
  });

  it('still commits at once when the topic keeps its id', async (t) => {
    const h = createLoopHarness();
    t.after(h.close);
    h.fake.push(record(0, 0, 7));
    await h.loop.start();
    await waitUntil('the commit', () => h.fake.commits.length === 1);
    assert.deepEqual([...h.fake.committed()], [[0, 1]]);
    assert.deepEqual(h.fatal, []);
  });
});
