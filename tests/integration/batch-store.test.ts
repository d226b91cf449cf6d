import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planBatch, storeBatch, writeBatch, type ConsumedRecord } from '@badam/pipeline';
import { createTestClickHouse, createTestTable } from '@badam/test-kit/fixtures';
import { createTestRepository } from '@badam/test-kit/test-repository';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';

function record(offset: number, groupId: number, hash?: number): ConsumedRecord {
  return {
    topicId: TOPIC_ID,
    partition: 0,
    offset,
    message: {
      group_id: groupId,
      sender_id: 3,
      text: `message at ${offset}`,
      accepted_at_ms: 1_700_000_000_000 + offset,
      ...(hash === undefined ? {} : { idempotency_hash: hash }),
    },
  };
}

describe('storing batches on the real ClickHouse', () => {
  it('two consumers writing overlapping batches with different boundaries leave byte-identical copies, and orders 1..n', async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const repository = await createTestRepository(client, table);
    const groupOf = (offset: number) => 1 + (offset % 3);
    await storeBatch(
      repository,
      [0, 1, 2, 3, 4, 5].map((offset) => record(offset, groupOf(offset))),
    );

    // Both read the heads before either writes (a zombie that lost its partitions and its successor, both from the
    // committed offset 6), with different batch boundaries; then they write in turn, each on its own schedule.
    const zombie = await planBatch(
      repository,
      [6, 7, 8, 9].map((offset) => record(offset, groupOf(offset))),
    );
    const owner = await planBatch(
      repository,
      [6, 7, 8, 9, 10, 11, 12].map((offset) => record(offset, groupOf(offset))),
    );
    await writeBatch(repository, owner);
    await new Promise((resolve) => setTimeout(resolve, 5)); // another clock reading, which must not matter
    await writeBatch(repository, zombie);
    // An insert that timed out on the client but completed on the server, then retried: the same plan written again.
    await writeBatch(repository, owner);

    const copies = await (
      await client.query({
        query: `SELECT group_id, \`order\`, count() AS copies,
          uniqExact(sender_id, text, created_at_ms, kafka_topic_id, kafka_partition, kafka_offset, idempotency_hash) AS variants
        FROM ${table} GROUP BY group_id, \`order\` ORDER BY group_id, \`order\``,
        format: 'JSONEachRow',
      })
    ).json<{ group_id: string; order: string; copies: string; variants: string }>();
    assert.equal(copies.length, 13, 'one key per record');
    assert.ok(
      copies.some((row) => Number(row.copies) > 1),
      'the test wrote copies',
    );
    assert.deepEqual(
      copies.filter((row) => row.variants !== '1'),
      [],
      'every copy of a key is byte-identical',
    );
    const merged = await (
      await client.query({
        query: `SELECT group_id, arraySort((offset, order) -> order, groupArray(kafka_offset), groupArray(\`order\`)) AS offsets
        FROM ${table} FINAL GROUP BY group_id ORDER BY group_id`,
        format: 'JSONEachRow',
      })
    ).json<{ group_id: string; offsets: string[] }>();
    // Orders 1..n in send order: the n-th row of a group (by order) is its n-th record (by offset).
    assert.deepEqual(
      merged.map((row) => row.offsets.map(Number)),
      [
        [0, 3, 6, 9, 12],
        [1, 4, 7, 10],
        [2, 5, 8, 11],
      ],
    );
  });

  it('stores a batch of 10,000 keyed records to 9-digit groups (heads queries stay under max_query_size)', async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const repository = await createTestRepository(client, table);
    const records = Array.from({ length: 10_000 }, (_, offset) =>
      record(offset, 100_000_000 + offset * 7919, 1_000_000_000_000 + offset),
    );
    assert.equal((await storeBatch(repository, records)).stored, 10_000);
    // Again, as a redelivery: every record is recognised, none stored twice.
    const again = await storeBatch(repository, records);
    assert.deepEqual([again.stored, again.alreadyStored], [0, 10_000]);
  });
});
