import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignOrders, type ConsumedRecord, type GroupHead } from '../../src/index.js';

function record(offset: number, groupId: number, partition = 3, idempotencyHash?: number): ConsumedRecord {
  const message = { group_id: groupId, sender_id: 1, text: `m${offset}`, accepted_at_ms: 1 };
  return { partition, offset, message: idempotencyHash === undefined ? message : { ...message, idempotency_hash: idempotencyHash } };
}

function head(maxOrder: number, nextOffsets: Record<number, number> = {}, storedHashes: number[] = []): GroupHead {
  return {
    maxOrder,
    nextOffsets: new Map(Object.entries(nextOffsets).map(([p, o]) => [Number(p), o])),
    storedIdempotencyHashes: new Set(storedHashes),
  };
}

const NOW = 1_700_000_000_123;

describe('assignOrders', () => {
  it('starts a new group at order 1 and counts up within the batch', () => {
    const { rows, alreadyStored } = assignOrders([record(0, 5), record(1, 5), record(2, 5)], new Map(), NOW);
    assert.deepEqual(rows.map((r) => r.order), [1, 2, 3]);
    assert.equal(alreadyStored, 0);
    assert.ok(rows.every((r) => r.created_at_ms === NOW && r.kafka_partition === 3));
  });

  it('continues each group from its stored maximum, groups and partitions interleaved', () => {
    const heads = new Map([
      [5, head(10)],
      [6, head(2)],
    ]);
    const batch = [record(20, 5), record(7, 6, 1), record(21, 5), record(22, 7), record(8, 6, 1)];
    assert.deepEqual(
      assignOrders(batch, heads, NOW).rows.map((r) => [r.group_id, r.order]),
      [[5, 11], [6, 3], [5, 12], [7, 1], [6, 4]],
    );
  });

  it('skips records a previous run already stored (redelivery after a crash)', () => {
    const heads = new Map([[5, head(2, { 3: 12 })]]);
    const { rows, alreadyStored } = assignOrders([record(10, 5), record(11, 5), record(12, 5), record(13, 9)], heads, NOW);
    assert.equal(alreadyStored, 2);
    assert.deepEqual(rows.map((r) => [r.kafka_offset, r.group_id, r.order]), [[12, 5, 3], [13, 9, 1]]);
  });

  it('compares offsets only within the same partition', () => {
    // Stored from partition 0 up to offset 99; a record at offset 5 of partition 3 is new.
    const { rows } = assignOrders([record(5, 5, 3)], new Map([[5, head(4, { 0: 100 })]]), NOW);
    assert.deepEqual(rows.map((r) => r.order), [5]);
  });

  it('gives the same rows for the same batch and heads (two racing consumers write identical keys)', () => {
    const heads = new Map([[5, head(4, { 3: 3 })]]);
    const batch = [record(3, 5), record(4, 6), record(5, 5)];
    assert.deepEqual(assignOrders(batch, heads, NOW), assignOrders(batch, heads, NOW));
  });

  it('skips a resend whose idempotency hash the group has stored, or got earlier in the batch', () => {
    const heads = new Map([[5, head(2, { 3: 10 }, [77])]]);
    const batch = [record(10, 5, 3, 77), record(11, 5, 3, 78), record(12, 5, 3), record(13, 5, 3, 78), record(14, 6, 3, 77)];
    const { rows, alreadyStored, duplicates } = assignOrders(batch, heads, NOW);
    assert.equal(alreadyStored, 0);
    assert.equal(duplicates, 2);
    // Group 6 has no message with hash 77: hashes are compared within a group only.
    assert.deepEqual(rows.map((r) => [r.kafka_offset, r.group_id, r.order, r.idempotency_hash]), [
      [11, 5, 3, 78],
      [12, 5, 4, undefined],
      [14, 6, 1, 77],
    ]);
  });

  it('refuses a partition whose records are out of offset order', () => {
    assert.throws(() => assignOrders([record(2, 5), record(1, 5)], new Map(), NOW), /increasing offset order/);
    assert.doesNotThrow(() => assignOrders([record(2, 5, 0), record(1, 6, 1)], new Map(), NOW));
  });
});
