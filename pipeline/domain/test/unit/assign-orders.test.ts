import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignOrders, type ConsumedRecord } from '../../src/ordering/assign-orders.js';
import type { GroupHead } from '../../src/table/repository.js';
import { sourceKey } from '../../src/table/rows.js';

const TOPIC = 'AAAAAAAAAAAAAAAAAAAAAQ';
const ACCEPTED_AT = 1_700_000_000_123;

function record(
  offset: number,
  groupId: number,
  partition = 3,
  idempotencyHash?: number,
  topicId = TOPIC,
): ConsumedRecord {
  const message = { group_id: groupId, sender_id: 1, text: `m${offset}`, accepted_at_ms: ACCEPTED_AT + offset };
  return {
    topicId,
    partition,
    offset,
    message: idempotencyHash === undefined ? message : { ...message, idempotency_hash: idempotencyHash },
  };
}

function head(
  maxOrder: number,
  nextOffsets: Record<number, number> = {},
  storedHashes: number[] = [],
  topicId = TOPIC,
): GroupHead {
  return {
    maxOrder,
    nextOffsets: new Map(Object.entries(nextOffsets).map(([p, o]) => [sourceKey(topicId, Number(p)), o])),
    storedIdempotencyHashes: new Set(storedHashes),
  };
}

describe('assignOrders', () => {
  it('starts a new group at order 1 and counts up within the batch', () => {
    const { rows, alreadyStored } = assignOrders([record(0, 5), record(1, 5), record(2, 5)], new Map());
    assert.deepEqual(
      rows.map((r) => r.order),
      [1, 2, 3],
    );
    assert.equal(alreadyStored, 0);
    assert.ok(rows.every((r) => r.kafka_partition === 3 && r.kafka_topic_id === TOPIC));
    assert.deepEqual(
      rows.map((r) => r.created_at_ms),
      [0, 1, 2].map((offset) => ACCEPTED_AT + offset),
      "the time is the record's",
    );
  });

  it('continues each group from its stored maximum, groups and partitions interleaved', () => {
    const heads = new Map([
      [5, head(10)],
      [6, head(2)],
    ]);
    const batch = [record(20, 5), record(7, 6, 1), record(21, 5), record(22, 7), record(8, 6, 1)];
    assert.deepEqual(
      assignOrders(batch, heads).rows.map((r) => [r.group_id, r.order]),
      [
        [5, 11],
        [6, 3],
        [5, 12],
        [7, 1],
        [6, 4],
      ],
    );
  });

  it('skips records a previous run already stored (redelivery after a crash)', () => {
    const heads = new Map([[5, head(2, { 3: 12 })]]);
    const { rows, alreadyStored } = assignOrders([record(10, 5), record(11, 5), record(12, 5), record(13, 9)], heads);
    assert.equal(alreadyStored, 2);
    assert.deepEqual(
      rows.map((r) => [r.kafka_offset, r.group_id, r.order]),
      [
        [12, 5, 3],
        [13, 9, 1],
      ],
    );
  });

  it('compares offsets only within the same partition', () => {
    // Stored from partition 0 up to offset 99; a record at offset 5 of partition 3 is new.
    const { rows } = assignOrders([record(5, 5, 3)], new Map([[5, head(4, { 0: 100 })]]));
    assert.deepEqual(
      rows.map((r) => r.order),
      [5],
    );
  });

  it('gives byte-identical rows to two consumers whose overlapping batches start at the same offset', () => {
    // A zombie took offsets 3..5, the new owner 3..8 (both from the committed offset 3), from the same heads.
    const heads = new Map([[5, head(4, { 3: 3 })]]);
    const zombie = assignOrders([record(3, 5), record(4, 6), record(5, 5)], heads).rows;
    const owner = assignOrders(
      [3, 4, 5, 6, 7, 8].map((offset) => record(offset, offset % 2 === 0 ? 6 : 5)),
      heads,
    ).rows;
    const key = (row: { group_id: number; order: number }) => `${row.group_id}/${row.order}`;
    const ownerByKey = new Map(owner.map((row) => [key(row), JSON.stringify(row)]));
    for (const row of zombie) assert.equal(ownerByKey.get(key(row)), JSON.stringify(row), key(row));
  });

  it('takes a record of a recreated topic as new, whatever the offsets stored from the old one', () => {
    const heads = new Map([[5, head(7, { 3: 500 }, [], 'OLD_TOPIC_ID_AAAAAAAAAA')]]);
    assert.deepEqual(
      assignOrders([record(2, 5)], heads).rows.map((r) => [r.order, r.kafka_topic_id]),
      [[8, TOPIC]],
    );
  });

  it("takes rows stored before topic ids were recorded as the current topic's", () => {
    const heads = new Map([[5, head(7, { 3: 500 }, [], '')]]);
    assert.equal(assignOrders([record(2, 5), record(500, 5)], heads).alreadyStored, 1);
  });

  it("reports every group's highest order after the batch, also groups whose records were all skipped", () => {
    const heads = new Map([[5, head(4, { 3: 20 })]]);
    assert.deepEqual(
      [...assignOrders([record(10, 5), record(11, 6), record(12, 6)], heads).maxOrders],
      [
        [5, 4],
        [6, 2],
      ],
    );
  });

  it('skips a resend whose idempotency hash the group has stored, or got earlier in the batch', () => {
    const heads = new Map([[5, head(2, { 3: 10 }, [77])]]);
    const batch = [
      record(10, 5, 3, 77),
      record(11, 5, 3, 78),
      record(12, 5, 3),
      record(13, 5, 3, 78),
      record(14, 6, 3, 77),
    ];
    const { rows, alreadyStored, duplicates } = assignOrders(batch, heads);
    assert.equal(alreadyStored, 0);
    assert.equal(duplicates, 2);
    // Group 6 has no message with hash 77: hashes are compared within a group only.
    assert.deepEqual(
      rows.map((r) => [r.kafka_offset, r.group_id, r.order, r.idempotency_hash]),
      [
        [11, 5, 3, 78],
        [12, 5, 4, undefined],
        [14, 6, 1, 77],
      ],
    );
  });

  it('refuses a partition whose records are out of offset order', () => {
    assert.throws(() => assignOrders([record(2, 5), record(1, 5)], new Map()), /increasing offset order/);
    assert.doesNotThrow(() => assignOrders([record(2, 5, 0), record(1, 6, 1)], new Map()));
  });
});
