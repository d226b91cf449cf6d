import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createMessagesRepository,
  keysTable,
  migrate,
  sourceKey,
  storeBatch,
  type ConsumedRecord,
  type MessageRow,
} from '@badam/pipeline';
import { createTestClickHouse, createTestTable } from '@badam/test-kit/fixtures';

function row(groupId: number, order: number, offset = order): MessageRow {
  return {
    group_id: groupId,
    order,
    sender_id: 100 + order,
    text: `message ${order}`,
    created_at_ms: 1_700_000_000_000 + order,
    kafka_partition: 2,
    kafka_offset: offset,
  };
}

describe('messages repository on the real ClickHouse', () => {
  it('reads the latest 10 newest first, with millisecond ISO times', async (t) => {
    const client = createTestClickHouse(t);
    const repository = createMessagesRepository(client, await createTestTable(t, client));
    await repository.insert(Array.from({ length: 12 }, (_, i) => row(7, i + 1)));
    await repository.insert([row(8, 1)]);
    const page = await repository.readPage({ groupId: 7, limit: 10, before: undefined });
    assert.deepEqual(
      page.messages.map((m) => m.order),
      [12, 11, 10, 9, 8, 7, 6, 5, 4, 3],
    );
    assert.deepEqual(page.messages[0], {
      group_id: 7,
      order: 12,
      sender_id: 112,
      text: 'message 12',
      time: '2023-11-14T22:13:20.012Z',
    });
    assert.equal(page.has_more, true);
    assert.equal(page.next_before, 3);
  });

  it('pages a 35-message group back to order 1 with no gap or repeat', async (t) => {
    const client = createTestClickHouse(t);
    const repository = createMessagesRepository(client, await createTestTable(t, client));
    await repository.insert(Array.from({ length: 35 }, (_, i) => row(1, i + 1)));
    const seen: number[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await repository.readPage({ groupId: 1, limit: 10, before });
      seen.push(...page.messages.map((m) => m.order));
      if (!page.has_more) {
        assert.equal(page.next_before, null);
        break;
      }
      before = page.next_before ?? undefined;
    }
    assert.deepEqual(
      seen,
      Array.from({ length: 35 }, (_, i) => 35 - i),
    );
  });

  it('answers an empty page for a group with no messages', async (t) => {
    const client = createTestClickHouse(t);
    const repository = createMessagesRepository(client, await createTestTable(t, client));
    assert.deepEqual(await repository.readPage({ groupId: 99, limit: 10, before: undefined }), {
      group_id: 99,
      messages: [],
      has_more: false,
      next_before: null,
    });
  });

  it('never shows a row written twice, even before a merge', async (t) => {
    const client = createTestClickHouse(t);
    const repository = createMessagesRepository(client, await createTestTable(t, client));
    await repository.insert([row(3, 1), row(3, 2)]);
    await repository.insert([row(3, 2)]); // a zombie consumer's identical write, in a separate part
    const page = await repository.readPage({ groupId: 3, limit: 10, before: undefined });
    assert.deepEqual(
      page.messages.map((m) => m.order),
      [2, 1],
    );
  });

  it('reports each group head: max order and the next offset per source (topic id, partition)', async (t) => {
    const client = createTestClickHouse(t);
    const repository = createMessagesRepository(client, await createTestTable(t, client));
    await repository.insert([
      row(4, 1, 10),
      row(4, 2, 15),
      { ...row(5, 1, 3), kafka_partition: 9, kafka_topic_id: 'T' },
    ]);
    const { heads } = await repository.groupHeads(
      new Map([
        [4, []],
        [5, []],
        [6, []],
      ]),
    );
    assert.deepEqual(heads.get(4), {
      maxOrder: 2,
      nextOffsets: new Map([[sourceKey('', 2), 16]]),
      storedIdempotencyHashes: new Set(),
    });
    assert.deepEqual(heads.get(5), {
      maxOrder: 1,
      nextOffsets: new Map([[sourceKey('T', 9), 4]]),
      storedIdempotencyHashes: new Set(),
    });
    assert.equal(heads.has(6), false);
  });

  it('reports which of the asked idempotency hashes each group has stored', async (t) => {
    const client = createTestClickHouse(t);
    const repository = createMessagesRepository(client, await createTestTable(t, client));
    await repository.insert([
      { ...row(4, 1), idempotency_hash: 11 },
      { ...row(4, 2), idempotency_hash: 12 },
      row(4, 3),
      { ...row(5, 1), idempotency_hash: 13 },
    ]);
    const { heads } = await repository.groupHeads(
      new Map([
        [4, [11, 99]],
        [5, [13]],
      ]),
    );
    assert.deepEqual(heads.get(4)?.storedIdempotencyHashes, new Set([11]));
    assert.deepEqual(heads.get(5)?.storedIdempotencyHashes, new Set([13]));
  });

  it("reads only the rows from each group's watermark on, and finds older keys in the keys index", async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const repository = createMessagesRepository(client, table);
    const record = (offset: number, hash?: number): ConsumedRecord => ({
      topicId: 'T',
      partition: 1,
      offset,
      message: {
        group_id: 4,
        sender_id: 9,
        text: `m${offset}`,
        accepted_at_ms: 1_700_000_000_000 + offset,
        ...(hash === undefined ? {} : { idempotency_hash: hash }),
      },
    });
    // 600 messages: more than a group read whole (512), so its heads come from point lookups.
    for (let batch = 0; batch < 6; batch++) {
      await storeBatch(
        repository,
        Array.from({ length: 100 }, (_, i) => record(batch * 100 + i, batch * 100 + i + 1)),
      );
    }
    const window = `SELECT count() AS c FROM ${table} WHERE group_id = 4 AND \`order\` >= (SELECT max(\`order\`) FROM ${keysTable(table)} WHERE group_id = 4 AND idempotency_hash = 0)`;
    assert.deepEqual(
      await (await client.query({ query: window, format: 'JSONEachRow' })).json(),
      [{ c: '1' }],
      'the watermark is the newest row',
    );
    const { heads, unindexedHashes } = await repository.groupHeads(new Map([[4, [1, 250, 601]]]));
    assert.deepEqual(heads.get(4), {
      maxOrder: 600,
      nextOffsets: new Map([[sourceKey('T', 1), 600]]),
      storedIdempotencyHashes: new Set([1, 250]),
    });
    assert.deepEqual(unindexedHashes.get(4), [600], 'only the newest row is read from the messages table');
    // A resend of an old key is refused, a redelivery is skipped, a new record continues the group.
    const result = await storeBatch(repository, [record(599), record(600, 250), record(601, 9999)]);
    assert.deepEqual([result.alreadyStored, result.duplicates, result.stored, result.maxOrders.get(4)], [1, 1, 1, 601]);

    // Rows stored but not indexed (a crash between the two inserts): the lagging window is read whole and indexed.
    await repository.insert(
      [602, 603].map((order) => ({
        group_id: 4,
        order,
        sender_id: 9,
        text: `m${order}`,
        created_at_ms: 1,
        kafka_topic_id: 'T',
        kafka_partition: 1,
        kafka_offset: order,
        idempotency_hash: 7000 + order,
      })),
    );
    const lagging = await repository.groupHeads(new Map([[4, [7602]]]));
    assert.equal(lagging.heads.get(4)?.maxOrder, 603);
    assert.deepEqual(lagging.heads.get(4)?.storedIdempotencyHashes, new Set([7602]));
    assert.deepEqual(new Set(lagging.unindexedHashes.get(4)), new Set([9999, 7602, 7603]));
  });

  it('falls back to the whole group when its watermark is above every row (the table lost rows)', async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const repository = createMessagesRepository(client, table);
    await repository.insert([row(4, 1, 10), row(4, 2, 11)]);
    await repository.indexKeys([{ group_id: 4, idempotency_hash: 0, order: 5000 }]);
    const { heads } = await repository.groupHeads(new Map([[4, []]]));
    assert.equal(heads.get(4)?.maxOrder, 2);
  });

  it('adds the idempotency_hash column to a table made before it (migrations run again on every start)', async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    await client.command({ query: `ALTER TABLE ${table} DROP COLUMN idempotency_hash` });
    await migrate(client, table);
    await migrate(client, table);
    const columns = await (await client.query({ query: `DESCRIBE TABLE ${table}`, format: 'JSONEachRow' })).json<{
      name: string;
      type: string;
    }>();
    assert.deepEqual(
      columns.filter((c) => c.name === 'idempotency_hash').map((c) => c.type),
      ['UInt64'],
    );
  });
});
