import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { settleBatch } from '../../src/settle-batch.js';

const delivered = (partition: number, ...offsets: number[]) => offsets.map((offset) => ({ partition, offset }));
const ids = (records: { partition: number; offset: number }[]) =>
  records.map(({ partition, offset }) => `${partition}:${offset}`);

describe('settleBatch (a partition revoked while the batch fills)', () => {
  it('keeps each offset once, in order, when the partition was handed back and redelivered from the committed offset', () => {
    // 10..13 fetched, then revoked and assigned again: redelivered from the committed offset 8.
    const batch = [...delivered(0, 10, 11, 12, 13), ...delivered(1, 4), ...delivered(0, 8, 9, 10, 11, 12, 13, 14)];
    const settled = settleBatch(batch, new Set([0, 1]));
    assert.deepEqual(ids(settled.records), ['0:8', '0:9', '0:10', '0:11', '0:12', '0:13', '0:14', '1:4']);
    assert.deepEqual([settled.redelivered, settled.moved], [4, 0]);
  });

  it('drops the records of a partition that now belongs to another member', () => {
    const settled = settleBatch([...delivered(0, 1, 2), ...delivered(1, 7)], new Set([1]));
    assert.deepEqual(ids(settled.records), ['1:7']);
    assert.deepEqual([settled.redelivered, settled.moved], [0, 2]);
  });

  it('leaves an ordinary batch as it is', () => {
    const batch = [...delivered(2, 5, 6), ...delivered(3, 1)];
    assert.deepEqual(ids(settleBatch(batch, new Set([2, 3])).records), ['2:5', '2:6', '3:1']);
  });
});
