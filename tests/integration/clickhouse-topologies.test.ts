import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClickHouseClient } from '@clickhouse/client';
import { createClickHouseClient } from '@badam/pipeline';
import { localClickHouse } from '@badam/stack/infra/clickhouse';
import type { ClickHouseServers } from '@badam/stack/infra/clickhouse/servers';
import { portOpen, waitFor } from '@badam/stack/process/wait';
import { uniqueName, type Cleanup } from '@badam/test-kit/fixtures';
import { startTestClickHouse } from '@badam/test-kit/test-clickhouse';

// The native stack's replicated and sharded topologies (tools/stack/README.md, "ClickHouse topologies"), on
// ClickHouse and ZooKeeper alone: the servers form the badam cluster, ON CLUSTER DDL reaches them all, a row
// inserted on one replica reaches the other, a group's row lives on one shard, and stop() leaves no process behind.

function clients(t: Cleanup, servers: ClickHouseServers): ClickHouseClient[] {
  return servers.servers.map((server) => {
    const client = createClickHouseClient(localClickHouse(server.url));
    t.after(() => client.close());
    return client;
  });
}

async function rows<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  return (await client.query({ query, format: 'JSONEachRow' })).json<T>();
}

async function count(client: ClickHouseClient, table: string, groupId: number): Promise<number> {
  const [row] = await rows<{ n: string }>(client, `SELECT count() AS n FROM ${table} WHERE group_id = ${groupId}`);
  return Number(row?.n);
}

/** The local replicated table on every server, and a Distributed one over it by group, both ON CLUSTER. */
async function createTables(client: ClickHouseClient): Promise<{ local: string; distributed: string }> {
  const distributed = uniqueName('topology');
  const local = `${distributed}_local`;
  await client.command({
    query: `CREATE TABLE ${local} ON CLUSTER badam (group_id UInt64, order UInt64, text String)
      ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/${local}', '{replica}') ORDER BY (group_id, order)`,
  });
  await client.command({
    query: `CREATE TABLE ${distributed} ON CLUSTER badam AS ${local}
      ENGINE = Distributed(badam, default, ${local}, intHash64(group_id))`,
  });
  return { local, distributed };
}

async function assertClusterIs(client: ClickHouseClient, servers: ClickHouseServers) {
  const listed = await rows<{ shard_num: number; replica_num: number; port: number }>(
    client,
    `SELECT shard_num, replica_num, port FROM system.clusters WHERE cluster = 'badam' ORDER BY shard_num, replica_num`,
  );
  assert.deepEqual(
    listed.map((row) => [Number(row.shard_num), Number(row.replica_num), Number(row.port)]),
    servers.servers.map(({ node }) => [node.shard, node.replica, node.tcpPort]),
  );
}

/** stop() ends every server and ZooKeeper: their pids are gone and their ports closed. */
async function assertStopsEverything(servers: ClickHouseServers) {
  const handles = [...servers.servers, ...(servers.zookeeper === undefined ? [] : [servers.zookeeper])];
  const pids = handles.map((handle) => handle.process.pid as number);
  await servers.stop();
  for (const pid of pids) assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `pid ${pid} still runs`);
  for (const { node } of servers.servers) assert.equal(await portOpen(node.httpPort), false, `${node.httpPort} open`);
}

describe('the single topology', () => {
  it('runs one server, no ZooKeeper and no cluster', async (t) => {
    const servers = await startTestClickHouse(t, 'single');
    assert.deepEqual([servers.servers.length, servers.zookeeper, servers.cluster], [1, undefined, '']);
    const [client] = clients(t, servers) as [ClickHouseClient];
    assert.deepEqual(await rows(client, `SELECT * FROM system.clusters WHERE cluster = 'badam'`), []);
    assert.deepEqual(await rows(client, 'SELECT * FROM system.macros'), []);
    await assertStopsEverything(servers);
  });
});

describe('the replicated topology', () => {
  it('runs three replicas of one shard that copy each other’s inserts, and stops them and ZooKeeper by pid', async (t) => {
    const servers = await startTestClickHouse(t, 'replicated');
    assert.equal(servers.cluster, 'badam');
    assert.ok(servers.zookeeper !== undefined);
    const all = clients(t, servers);
    assert.equal(all.length, 3);
    for (const client of all) await assertClusterIs(client, servers);
    const [first, second, third] = all as [ClickHouseClient, ClickHouseClient, ClickHouseClient];
    const macros = await rows<{ macro: string; substitution: string }>(third, 'SELECT * FROM system.macros');
    assert.deepEqual(Object.fromEntries(macros.map((m) => [m.macro, m.substitution])), { replica: '3', shard: '1' });

    const { local } = await createTables(first);
    await first.command({ query: `INSERT INTO ${local} VALUES (7, 1, 'hello')` });
    for (const other of [second, third])
      await waitFor('the row on the other replicas', async () => (await count(other, local, 7)) === 1, 10_000, 50);

    await assertStopsEverything(servers);
  });
});

describe('the sharded topology', () => {
  it('runs two shards of three replicas; a group’s row lives on one shard, on all its replicas', async (t) => {
    const servers = await startTestClickHouse(t, 'sharded');
    assert.deepEqual(
      servers.servers.map(({ node }) => `${node.shard}.${node.replica}`),
      ['1.1', '1.2', '1.3', '2.1', '2.2', '2.3'],
    );
    const all = clients(t, servers);
    for (const client of all) await assertClusterIs(client, servers);

    const { local, distributed } = await createTables(all[0] as ClickHouseClient);
    await (all[4] as ClickHouseClient).command({
      query: `INSERT INTO ${distributed} VALUES (42, 1, 'hello')`,
      clickhouse_settings: { insert_distributed_sync: 1 },
    });
    const perServer = async () => Promise.all(all.map((client) => count(client, local, 42)));
    await waitFor('every replica of the group’s shard', async () => (await perServer()).filter(Boolean).length === 3);
    const counts = await perServer();
    assert.ok(
      [
        [1, 1, 1, 0, 0, 0],
        [0, 0, 0, 1, 1, 1],
      ].some((expected) => expected.join() === counts.join()),
      `one shard holds the row: ${counts.join()}`,
    );
    for (const client of all) assert.equal(await count(client, distributed, 42), 1, 'read through any server');

    await assertStopsEverything(servers);
  });
});
