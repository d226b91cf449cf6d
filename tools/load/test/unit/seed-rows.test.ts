import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SEED_PARTITION, seedBlocks } from '../../src/seed-rows.js';

describe('seedBlocks', () => {
  const nowMs = Date.UTC(2026, 0, 1);
  const blocks = [...seedBlocks({ messages: 5000, groups: 700, nowMs }, 1000)];
  const rows = blocks.flat();

  it('makes exactly the messages asked for, in blocks of at most blockRows', () => {
    assert.equal(rows.length, 5000);
    assert.deepEqual(
      blocks.map((block) => block.length),
      [1000, 1000, 1000, 1000, 1000],
    );
  });

  it('gives every group orders 1..n, dated in order, in sort-key order', () => {
    let previous: (typeof rows)[number] | undefined;
    for (const row of rows) {
      if (previous?.group_id === row.group_id) {
        assert.equal(row.order, previous.order + 1);
        assert.ok(row.created_at_ms >= previous.created_at_ms);
      } else {
        assert.equal(row.order, 1);
        if (previous !== undefined) assert.ok(row.group_id > previous.group_id);
      }
      assert.ok(row.group_id >= 1 && row.group_id <= 700);
      assert.ok(row.created_at_ms < nowMs);
      assert.ok(row.text.length >= 1 && row.text.length <= 3000);
      previous = row;
    }
  });

  it('puts every row in a partition no topic has, with offsets unique within it', () => {
    assert.ok(rows.every((row) => row.kafka_partition === SEED_PARTITION));
    assert.ok(SEED_PARTITION > 2 ** 31 - 1 && SEED_PARTITION <= 2 ** 32 - 1, 'above int32, within the UInt32 column');
    assert.deepEqual(
      rows.map((row) => row.kafka_offset),
      rows.map((_, i) => i),
    );
  });

  it('is reproducible from its seed', () => {
    const again = [...seedBlocks({ messages: 5000, groups: 700, nowMs }, 1000)].flat();
    assert.deepEqual(again, rows);
  });
});
