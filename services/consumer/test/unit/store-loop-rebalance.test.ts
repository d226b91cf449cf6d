import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { record } from '../support/fake-source.js';
import { createLoopHarness, waitUntil } from '../support/loop-harness.js';

async function dropped(h: ReturnType<typeof createLoopHarness>, result: string): Promise<number> {
  return (await h.metrics.settled.get()).values.find((value) => value.labels.result === result)?.value ?? 0;
}

describe('the store loop when partitions are revoked', { timeout: 10_000 }, () => {
  it("drops the records of a partition revoked while the batch filled: they are its next owner's", async (t) => {
    const h = createLoopHarness({ lingerMs: 200 });
    t.after(h.close);
    h.fake.push(record(0, 0, 1), record(1, 0, 2), record(1, 1, 2));
    h.fake.state.beforeFetch = async (call) => {
      if (call === 2) await h.fake.revoke(1);
    };
    await h.loop.start();
    await waitUntil('the commit', () => h.fake.commits.length === 1);
    assert.deepEqual(
      h.store.rows.map((row) => [row.partition, row.offset]),
      [[0, 0]],
    );
    assert.deepEqual([...h.fake.committed()], [[0, 1]], 'nothing committed for the revoked partition');
    assert.equal(await dropped(h, 'partition_moved'), 2);
  });

  it('stores each record once, in offset order, when a partition handed back redelivers it into the same batch', async (t) => {
    const h = createLoopHarness({ lingerMs: 200 });
    t.after(h.close);
    h.fake.push(record(0, 0, 1), record(0, 1, 1), record(0, 2, 1));
    h.fake.state.beforeFetch = (call) => {
      // Revoked and assigned again: delivered again from the committed offset (nothing committed yet: 0).
      if (call === 2) h.fake.push(record(0, 0, 1), record(0, 1, 1), record(0, 2, 1), record(0, 3, 1));
    };
    await h.loop.start();
    await waitUntil('the commit', () => h.fake.commits.length === 1);
    assert.deepEqual(
      h.store.rows.map((row) => [row.order, row.offset]),
      [
        [1, 0],
        [2, 1],
        [3, 2],
        [4, 3],
      ],
    );
    assert.equal(h.store.state.writes, 1);
    assert.equal(await dropped(h, 'redelivered_in_batch'), 3);
    assert.deepEqual([...h.fake.committed()], [[0, 4]]);
  });

  it('lets a partition go only once the batch in progress is stored and committed', async (t) => {
    const h = createLoopHarness();
    t.after(h.close);
    h.store.hold();
    h.fake.push(record(0, 0, 1), record(1, 0, 2));
    await h.loop.start();
    await waitUntil('the write to begin', () => h.store.state.writes === 1);
    let released = false;
    const revoked = h.fake.revoke(0).then(() => (released = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(released, false, 'held while the batch stores');

    h.store.release();
    await revoked;
    assert.deepEqual(
      [...h.fake.committed()].sort(),
      [
        [0, 1],
        [1, 1],
      ],
      'committed before the partition was released',
    );
  });

  it('lets a partition go only once the batch whose topic is being checked is stored and committed', async (t) => {
    const h = createLoopHarness();
    t.after(h.close);
    await h.loop.start();
    h.topic.hold(); // a slow broker answering the topic check
    h.fake.push(record(0, 0, 1), record(1, 0, 2));
    await waitUntil('the topic check of the batch to begin', () => h.topic.checks === 2);
    let released = false;
    const revoked = h.fake.revoke(1).then(() => (released = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(released, false, 'held while the batch is checked');

    h.topic.release();
    await revoked;
    assert.deepEqual(
      [...h.fake.committed()].sort(),
      [
        [0, 1],
        [1, 1],
      ],
      'committed before the partition was released',
    );
    assert.deepEqual(h.fake.foreignCommits, [], 'no commit of a partition already released');
  });

  it("forgets offsets held for a page refresh of a partition revoked meanwhile: they are the next owner's to redeliver", async (t) => {
    const h = createLoopHarness();
    t.after(h.close);
    h.pages.answer = false;
    h.fake.push(record(0, 0, 1));
    await h.loop.start();
    await waitUntil('the record stored', () => h.store.rows.length === 1 && h.pages.refreshes.length === 1);
    await h.fake.revoke(0);

    h.pages.answer = true;
    h.fake.push(record(1, 0, 2));
    await waitUntil('the commit', () => h.fake.commits.length === 1);
    assert.deepEqual([...h.fake.committed()], [[1, 1]], 'only the partition still owned');
  });
});
