import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { record } from '../support/fake-source.js';
import { createLoopHarness, waitUntil } from '../support/loop-harness.js';

const unknownSetting = () =>
  new Error(
    'Code: 115, e.displayText() = DB::Exception: Unknown setting insert_quorum_parallel, e.what() = DB::Exception',
  );
const cutMidStream = () => new SyntaxError('Unexpected end of JSON input');

describe('the store loop when the database fails in a way no record causes', { timeout: 10_000 }, () => {
  for (const [what, error] of [
    ['an unknown setting (a server of another version, mid-upgrade)', unknownSetting],
    ['a response cut mid-stream', cutMidStream],
  ] as const) {
    it(`retries the batch in place on ${what}, sets nothing aside, and stores it all once the error is gone`, async (t) => {
      const h = createLoopHarness();
      t.after(h.close);
      h.store.state.refuse = error;
      h.fake.push(record(0, 0, 7), record(0, 1, 7), record(0, 2, 7), record(1, 0, 8));
      await h.loop.start();
      await waitUntil(
        'a dozen failed writes, or a dead letter',
        () => h.store.state.writes >= 12 || h.deadLetters.length > 0,
      );
      assert.deepEqual(h.deadLetters, [], 'no healthy record set aside');
      assert.deepEqual(h.fake.commits, [], 'nothing committed');

      h.store.state.refuse = undefined;
      await waitUntil('the commit', () => h.fake.commits.length === 1);
      assert.deepEqual(
        h.store.rows.map((row) => [row.partition, row.offset, row.order]),
        [
          [0, 0, 1],
          [0, 1, 2],
          [0, 2, 3],
          [1, 0, 1],
        ],
      );
      assert.deepEqual(h.deadLetters, []);
    });
  }
});
