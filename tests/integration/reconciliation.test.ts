import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMessagesRepository, reconcile, type MessageRow } from '@badam/pipeline';
import { SEED_PARTITION } from '@badam/load/seed-rows';
import { createTestClickHouse, createTestTable } from '@badam/test-kit/fixtures';

const row = (
  group_id: number,
  order: number,
  kafka_partition: number,
  kafka_offset: number,
  created_at_ms: number,
): MessageRow => ({
  group_id,
  order,
  sender_id: 1,
  text: 'hi',
  created_at_ms,
  kafka_partition,
  kafka_offset,
});

describe('reconcile on a table with a seeded history', () => {
  const seededAt = 1_000;
  const since = 2_000;
  // Group 1: seeded orders 1-2 (seed offsets 0-1), then live orders 3-4 from partition 5, offsets 7 and 9.
  const history = [row(1, 1, SEED_PARTITION, 0, seededAt), row(1, 2, SEED_PARTITION, 1, seededAt)];
  const live = [row(1, 3, 5, 7, since + 10), row(1, 4, 5, 9, since + 20)];
  const accepted = [
    { groupId: 1, partition: 5, offset: 7 },
    { groupId: 1, partition: 5, offset: 9 },
  ];

  it('accepts live rows that continue seeded groups, comparing only rows stored since the start', async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    await createMessagesRepository(client, table).insert([...history, ...live]);
    const result = await reconcile(client, table, accepted, { since });
    assert.deepEqual(result.problems, []);
    assert.equal(result.storedRows, 2);
  });

  it('finds a lost send, a duplicate, a gap and a group out of send order', async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    await createMessagesRepository(client, table).insert([
      ...history,
      // Group 1's second live message stored twice (two orders), the first one lost.
      row(1, 3, 5, 9, since + 10),
      row(1, 4, 5, 9, since + 20),
      // Group 2: orders 1 and 3 (a gap). Group 3: order 2 has the older offset (not send order).
      row(2, 1, 6, 1, since + 10),
      row(2, 3, 6, 2, since + 10),
      row(3, 1, 7, 5, since + 10),
      row(3, 2, 7, 4, since + 10),
    ]);
    const { problems } = await reconcile(client, table, accepted, { since });
    const text = problems.join('\n');
    assert.match(text, /6 rows stored since the start for 2 accepted sends/);
    assert.match(text, /stored more than once/);
    assert.match(text, /group 2: 2 rows with orders 1\.\.3/);
    assert.match(text, /group 3: orders do not follow send order/);
    assert.match(text, /1 accepted sends not stored/);
    assert.doesNotMatch(text, /group 1:/);
  });
});
