import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMessagesRepository, migrate, type MessageRow } from '@badam/pipeline';
import { createTestClickHouse, createTestTable } from '../../src/testing/fixtures.js';

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
    assert.deepEqual(page.messages.map((m) => m.order), [12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
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
    assert.deepEqual(seen, Array.from({ length: 35 }, (_, i) => 35 - i));
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
    assert.deepEqual(page.messages.map((m) => m.order), [2, 1]);
  });

  it('reports each group head: max order and the next offset per source partition', async (t) => {
    const client = createTestClickHouse(t);
    const repository = createMessagesRepository(client, await createTestTable(t, client));
    await repository.insert([row(4, 1, 10), row(4, 2, 15), { ...row(5, 1, 3), kafka_partition: 9 }]);
    const heads = await repository.groupHeads([4, 5, 6]);
    assert.deepEqual(heads.get(4), { maxOrder: 2, nextOffsets: new Map([[2, 16]]), storedIdempotencyHashes: new Set() });
    assert.deepEqual(heads.get(5), { maxOrder: 1, nextOffsets: new Map([[9, 4]]), storedIdempotencyHashes: new Set() });
    assert.equal(heads.has(6), false);
  });

  it('reports which of the asked idempotency hashes each group has stored', async (t) => {
    const client = createTestClickHouse(t);
    const repository = createMessagesRepository(client, await createTestTable(t, client));
    await repository.insert([{ ...row(4, 1), idempotency_hash: 11 }, { ...row(4, 2), idempotency_hash: 12 }, row(4, 3), { ...row(5, 1), idempotency_hash: 13 }]);
    const heads = await repository.groupHeads([4, 5], [11, 13, 99]);
    assert.deepEqual(heads.get(4)?.storedIdempotencyHashes, new Set([11]));
    assert.deepEqual(heads.get(5)?.storedIdempotencyHashes, new Set([13]));
    // Without hashes to look for, none are looked up.
    assert.deepEqual((await repository.groupHeads([4])).get(4)?.storedIdempotencyHashes, new Set());
  });

  it('adds the idempotency_hash column to a table made before it (migrations run again on every start)', async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    await client.command({ query: `ALTER TABLE ${table} DROP COLUMN idempotency_hash` });
    await migrate(client, table);
    await migrate(client, table);
    const columns = await (await client.query({ query: `DESCRIBE TABLE ${table}`, format: 'JSONEachRow' })).json<{ name: string; type: string }>();
    assert.deepEqual(columns.filter((c) => c.name === 'idempotency_hash').map((c) => c.type), ['UInt64']);
  });
});
