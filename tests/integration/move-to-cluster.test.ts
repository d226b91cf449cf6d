import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClickHouseClient } from '@clickhouse/client';
import {
  createClickHouseClient,
  createMessagesRepository,
  migrate,
  type IndexedKey,
  type MessageRow,
  moveToCluster,
  readStoreSettings,
} from '@badam/pipeline';
import { localClickHouse } from '@badam/stack/infra/clickhouse';
import type { Topology } from '@badam/stack/infra/clickhouse/topology';
import { uniqueName, type Cleanup } from '@badam/test-kit/fixtures';
import { startTestClickHouse } from '@badam/test-kit/test-clickhouse';

// The move of a single-server table to a cluster (npm run move-to-cluster; pipeline/domain/src/table/move-to-cluster.ts)
// on the server that held it: every row and key is there after, once, with the same orders, read from another server;
// the consumers' next batch orders from it; the single tables are kept aside; a second run changes nothing.

const GROUPS = 30;

function row(groupId: number, order: number): MessageRow {
  return {
    group_id: groupId,
    order,
    sender_id: 7,
    text: `g${groupId} m${order}`,
    created_at_ms: 1_700_000_000_000 + order,
    kafka_topic_id: 'topic-a',
    kafka_partition: groupId % 12,
    kafka_offset: groupId * 1000 + order,
    idempotency_hash: order % 3 === 0 ? groupId * 100 + order : 0,
  };
}

/** Group g has g + 2 messages, their keys and a watermark; group 1's last row is stored twice (a merge not done yet). */
function history(): { rows: MessageRow[]; keys: IndexedKey[] } {
  const rows: MessageRow[] = [];
  const keys: IndexedKey[] = [];
  for (let groupId = 1; groupId <= GROUPS; groupId++) {
    const n = groupId + 2;
    for (let order = 1; order <= n; order++) rows.push(row(groupId, order));
    for (const stored of rows.filter((r) => r.group_id === groupId && (r.idempotency_hash ?? 0) > 0))
      keys.push({ group_id: groupId, idempotency_hash: stored.idempotency_hash ?? 0, order: n });
    keys.push({ group_id: groupId, idempotency_hash: 0, order: n });
  }
  rows.push(row(1, 3));
  return { rows, keys };
}

async function select<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  return (await client.query({ query, format: 'JSONEachRow' })).json<T>();
}

async function groupsOf(client: ClickHouseClient, table: string): Promise<string[]> {
  const rows = await select<{ g: string; n: string; m: string }>(
    client,
    `SELECT group_id AS g, count() AS n, max(\`order\`) AS m FROM ${table} GROUP BY g ORDER BY g`,
  );
  return rows.map((r) => `${r.g}:${r.n}:${r.m}`);
}

async function moveAndCheck(t: Cleanup, topology: Topology) {
  const servers = await startTestClickHouse(t, topology);
  const [holder, other] = servers.servers.map((server) => {
    const client = createClickHouseClient(localClickHouse(server.url));
    t.after(() => client.close());
    return client;
  }) as [ClickHouseClient, ClickHouseClient, ...ClickHouseClient[]];
  const table = uniqueName('moved');
  await migrate(holder, table);
  const { rows, keys } = history();
  await createMessagesRepository(holder, table).insert(rows);
  await createMessagesRepository(holder, table).indexKeys(keys);
  const expected = await groupsOf(holder, `${table} FINAL`);

  const log: string[] = [];
  const move = () => moveToCluster(holder, { database: 'default', table, cluster: 'badam', log: (m) => log.push(m) });
  assert.equal(await move(), 'moved', log.join('\n'));

  // Read from another server (the other replica, or a server of the other shard): every group whole, each row once.
  assert.deepEqual(await groupsOf(other, table), expected, 'rows per group and highest orders, physically');
  const [keysCount] = await select<{ n: string }>(other, `SELECT count() AS n FROM ${table}_keys FINAL`);
  assert.equal(Number(keysCount?.n), keys.length, 'the keys index moved');
  const [engine] = await select<{ engine: string }>(
    holder,
    `SELECT engine FROM system.tables WHERE database = 'default' AND name = '${table}'`,
  );
  assert.match(engine?.engine ?? '', topology === 'sharded' ? /^Distributed$/ : /^ReplicatedReplacingMergeTree$/);
  assert.deepEqual(await groupsOf(holder, `${table}_single FINAL`), expected, 'the single table is kept aside');

  // The consumers' next batch, on another server, orders after the moved history.
  const settings = await readStoreSettings(other, 'badam', 10_000);
  const repository = createMessagesRepository(other, table, {
    insertSettings: settings.insert,
    headsSettings: settings.headsRead,
  });
  const heads = await repository.groupHeads(new Map([[GROUPS, [GROUPS * 100 + 3]]]));
  assert.equal(heads.heads.get(GROUPS)?.maxOrder, GROUPS + 2);
  assert.deepEqual([...(heads.heads.get(GROUPS)?.storedIdempotencyHashes ?? [])], [GROUPS * 100 + 3]);
  await repository.insert([row(GROUPS, GROUPS + 3)]);
  assert.deepEqual((await groupsOf(holder, table)).at(-1), `${GROUPS}:${GROUPS + 3}:${GROUPS + 3}`);

  assert.equal(await move(), 'already moved', 'a second run changes nothing');
}

describe('moving a single-server table to a cluster (npm run move-to-cluster)', () => {
  it('replicated: copied FINAL, checked group by group, swapped; consumers order after the history', async (t) => {
    await moveAndCheck(t, 'replicated');
  });

  it('sharded: the same through Distributed tables, each group on one shard', async (t) => {
    await moveAndCheck(t, 'sharded');
  });
});
