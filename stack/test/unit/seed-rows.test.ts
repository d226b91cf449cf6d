import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SEED_PARTITION, seedBlocks } from '../../src/load/seed-rows.js';
import { parseAcceptedSends } from '../../src/load/k6.js';

describe('seedBlocks', () => {
  const nowMs = Date.UTC(2026, 0, 1);
  const blocks = [...seedBlocks({ messages: 5000, groups: 700, nowMs }, 1000)];
  const rows = blocks.flat();

  it('makes exactly the messages asked for, in blocks of at most blockRows', () => {
    assert.equal(rows.length, 5000);
    assert.deepEqual(blocks.map((block) => block.length), [1000, 1000, 1000, 1000, 1000]);
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
    assert.deepEqual(rows.map((row) => row.kafka_offset), rows.map((_, i) => i));
  });

  it('is reproducible from its seed', () => {
    const again = [...seedBlocks({ messages: 5000, groups: 700, nowMs }, 1000)].flat();
    assert.deepEqual(again, rows);
  });
});

describe('parseAcceptedSends', () => {
  it('reads the scenario\'s console lines in logfmt or JSON, ignoring k6\'s own', () => {
    const log = [
      'time="2026-01-01T00:00:00Z" level=info msg="accepted 17 3 42" source=console',
      '{"level":"info","msg":"accepted 999999 11 0","time":"2026-01-01T00:00:00Z"}',
      'time="2026-01-01T00:00:00Z" level=warning msg="Request Failed" error="timeout"',
    ].join('\n');
    assert.deepEqual(parseAcceptedSends(log), [
      { groupId: 17, partition: 3, offset: 42 },
      { groupId: 999999, partition: 11, offset: 0 },
    ]);
  });
});
