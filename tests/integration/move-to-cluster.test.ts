import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it, type TestContext } from 'node:test';
import type { ClickHouseClient } from '@clickhouse/client';
import {
  checkClusterTables,
  clusterCreateStatements,
  createClickHouseClient,
  createClusterTables,
  createMessagesRepository,
  migrate,
  type IndexedKey,
  type MessageRow,
  moveToCluster,
  readClusterShape,
  readStoreSettings,
  replicatedTableName,
  zooKeeperPath,
} from '@badam/pipeline';
import { startFleet } from '@badam/stack/fleet';
import { localClickHouse } from '@badam/stack/infra/clickhouse';
import type { ClickHouseNode, Topology } from '@badam/stack/infra/clickhouse/topology';
import { READ_MODEL_PASSWORD_SECRET, type StackSecrets } from '@badam/stack/infra/stack-secrets';
import { createTestTopic, freeBasePort, testInfra, uniqueName } from '@badam/test-kit/fixtures';
import { send } from '@badam/test-kit/http-client';
import { startTestClickHouse } from '@badam/test-kit/test-clickhouse';

// The move of a single-server table to a cluster (npm run move-to-cluster; pipeline/domain/src/table/move-to-cluster.ts)
// on the server that held it, whatever ran before it: every row and key is there after, once, with the same orders,
// read from every server; the consumers' next batch orders from it; the single tables are kept aside; a second run
// changes nothing; the tables sit at init's ZooKeeper paths, so a server given the table by init later gets the rows.
// Tables a prepare or init made on the cluster first are replaced when empty, and refused when a consumer wrote there.
// Nothing here assumes a number of replicas per shard: the cluster's shape is read from system.clusters.

const GROUPS = 30;
const DATABASE = 'default';
const CLUSTER = 'badam';

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

async function engineOf(client: ClickHouseClient, table: string): Promise<string | undefined> {
  const [found] = await select<{ engine: string }>(
    client,
    `SELECT engine FROM system.tables WHERE database = '${DATABASE}' AND name = '${table}'`,
  );
  return found?.engine;
}

interface Server {
  node: ClickHouseNode;
  client: ClickHouseClient;
}

async function startCluster(t: TestContext, topology: Topology) {
  const started = await startTestClickHouse(t, topology);
  const servers: Server[] = started.servers.map((server) => {
    const client = createClickHouseClient(localClickHouse(server.url));
    t.after(() => client.close());
    return { node: server.node, client };
  });
  const holder = servers[0] as Server;
  return { servers, holder, secrets: started.secrets, shape: await readClusterShape(holder.client, CLUSTER) };
}

type Cluster = Awaited<ReturnType<typeof startCluster>>;

/** A single-server table with history on the holder (server 0, the single topology's server); its groups, FINAL. */
async function singleTable(cluster: Cluster, prefix: string) {
  const table = uniqueName(prefix);
  const { client } = cluster.holder;
  await migrate(client, table);
  const { rows, keys } = history();
  await createMessagesRepository(client, table).insert(rows);
  await createMessagesRepository(client, table).indexKeys(keys);
  return { table, keys, expected: await groupsOf(client, `${table} FINAL`) };
}

function mover(cluster: Cluster, table: string) {
  const log: string[] = [];
  const move = () =>
    moveToCluster(cluster.holder.client, { database: DATABASE, table, cluster: CLUSTER, log: (m) => log.push(m) });
  return { move, log };
}

/** What the old prepare and init did on the cluster topology before the move: the cluster's tables, ON CLUSTER. */
async function prepareRanFirst(cluster: Cluster, table: string) {
  for (const query of clusterCreateStatements(DATABASE, table, CLUSTER, cluster.shape))
    await cluster.holder.client.command({ query });
}

/** Every server has the cluster's tables at init's ZooKeeper paths, in groups holding every replica of its shard. */
async function assertClusterTablesEverywhere(cluster: Cluster, table: string) {
  for (const { node, client } of cluster.servers) {
    await checkClusterTables(client, DATABASE, table, cluster.shape).catch((error: Error) => {
      assert.fail(`shard ${node.shard} replica ${node.replica}: ${error.message}`);
    });
    const local = replicatedTableName(table, cluster.shape);
    const [replica] = await select<{ zookeeper_path: string }>(
      client,
      `SELECT zookeeper_path FROM system.replicas WHERE database = '${DATABASE}' AND table = '${local}'`,
    );
    assert.equal(replica?.zookeeper_path, zooKeeperPath(DATABASE, local, String(node.shard)));
  }
}

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`not within ${timeoutMs / 1000} s: ${what}`);
    await sleep(250);
  }
}

/** A producer and a consumer of the test run's Kafka, the consumer writing through `server` of the cluster. */
async function startConsumerOn(t: TestContext, cluster: Cluster, server: Server, table: string) {
  const run = testInfra();
  const url = `http://127.0.0.1:${server.node.httpPort}`;
  // The cluster's roles' passwords; the read model store is the test run's.
  const secrets: StackSecrets = {
    path: (name) => (name === READ_MODEL_PASSWORD_SECRET ? run.secrets : cluster.secrets).path(name),
    value: (name) => (name === READ_MODEL_PASSWORD_SECRET ? run.secrets : cluster.secrets).value(name),
  };
  const dataDir = join(run.dataDir, uniqueName('fleet'));
  const fleet = await startFleet({
    dataDir,
    infra: {
      ...run,
      clickhouse: { url, database: DATABASE },
      clickhouseServers: [{ url }],
      clickhouseCluster: CLUSTER,
      secrets,
    },
    topic: await createTestTopic(2),
    table,
    basePort: await freeBasePort(),
    replicas: 1,
    consumers: 1,
    readApps: [],
    readiness: 'listening',
    logLevel: 'info',
    env: { CONSUMER_GROUP_ID: uniqueName('consumers') },
  });
  t.after(() => fleet.stop());
  const log = join(dataDir, 'logs', 'consumer-1.log');
  return { fleet, log: () => (existsSync(log) ? readFileSync(log, 'utf8') : '') };
}

async function movesAndChecks(t: TestContext, topology: Topology) {
  const cluster = await startCluster(t, topology);
  const { holder, servers, shape } = cluster;
  const other = servers[1] as Server;

  await t.test(
    'a fresh cluster: copied FINAL, checked, swapped; consumers order after the history; a rerun changes nothing',
    async () => {
      const { table, keys, expected } = await singleTable(cluster, 'moved');
      const { move, log } = mover(cluster, table);
      assert.equal(await move(), 'moved', log.join('\n'));

      // Read from another server (another replica, or a server of another shard): every group whole, each row once.
      assert.deepEqual(await groupsOf(other.client, table), expected, 'rows per group and highest orders, physically');
      const [keysCount] = await select<{ n: string }>(other.client, `SELECT count() AS n FROM ${table}_keys FINAL`);
      assert.equal(Number(keysCount?.n), keys.length, 'the keys index moved');
      assert.match(
        (await engineOf(holder.client, table)) ?? '',
        shape.shards > 1 ? /^Distributed$/ : /^ReplicatedReplacingMergeTree$/,
      );
      assert.deepEqual(
        await groupsOf(holder.client, `${table}_single FINAL`),
        expected,
        'the single table is kept aside',
      );
      await assertClusterTablesEverywhere(cluster, table);

      // The consumers' next batch, on another server, orders after the moved history.
      const settings = await readStoreSettings(other.client, CLUSTER, 10_000);
      const repository = createMessagesRepository(other.client, table, {
        insertSettings: settings.insert,
        headsSettings: settings.headsRead,
      });
      const heads = await repository.groupHeads(new Map([[GROUPS, [GROUPS * 100 + 3]]]));
      assert.equal(heads.heads.get(GROUPS)?.maxOrder, GROUPS + 2);
      assert.deepEqual([...(heads.heads.get(GROUPS)?.storedIdempotencyHashes ?? [])], [GROUPS * 100 + 3]);
      await repository.insert([row(GROUPS, GROUPS + 3)]);
      assert.deepEqual((await groupsOf(holder.client, table)).at(-1), `${GROUPS}:${GROUPS + 3}:${GROUPS + 3}`);

      assert.equal(await move(), 'already moved', 'a second run changes nothing');
      assert.equal(await move(), 'already moved', 'nor a third');
    },
  );

  await t.test(
    'a server given the table by init after the move joins its replication group and gets the rows',
    async () => {
      const { table, expected } = await singleTable(cluster, 'rejoined');
      const { move, log } = mover(cluster, table);
      assert.equal(await move(), 'moved', log.join('\n'));
      // The last server (another shard's when sharded) loses its tables, as a replaced server would.
      const joining = servers.at(-1) as Server;
      const sibling = servers.find((s) => s !== joining && s.node.shard === joining.node.shard) as Server;
      const local = replicatedTableName(table, shape);
      const shardRows = await groupsOf(sibling.client, local);
      assert.ok(shardRows.length > 0, 'the shard holds rows');
      for (const name of [table, `${table}_keys`, local, `${replicatedTableName(`${table}_keys`, shape)}`])
        await joining.client.command({ query: `DROP TABLE IF EXISTS ${DATABASE}.${name}` });
      await createClusterTables(holder.client, DATABASE, table, CLUSTER); // what init runs, from any server
      await eventually('the new replica has its shard’s rows', async () => {
        return JSON.stringify(await groupsOf(joining.client, local)) === JSON.stringify(shardRows);
      });
      assert.deepEqual(await groupsOf(joining.client, table), expected, 'and serves every group');
      await assertClusterTablesEverywhere(cluster, table);
    },
  );

  await t.test(
    'tables a prepare or init made first: init now refuses; the move replaces them; every server serves the history; reruns',
    async () => {
      const { table, expected } = await singleTable(cluster, 'prepared');
      await assert.rejects(
        createClusterTables(holder.client, DATABASE, table, CLUSTER),
        /single-server table .*move-to-cluster/,
      );
      await prepareRanFirst(cluster, table);
      // A consumer would refuse to write on the holder (its table is not the cluster's), and, with one shard, on every
      // other server (their replication group lacks the holder).
      await assert.rejects(
        checkClusterTables(holder.client, DATABASE, table, shape),
        /single-server table: run move-to-cluster/,
      );
      if (shape.shards === 1)
        await assert.rejects(checkClusterTables(other.client, DATABASE, table, shape), /servers are replicas of it/);

      const { move, log } = mover(cluster, table);
      assert.equal(await move(), 'moved', log.join('\n'));
      for (const { node, client } of servers)
        assert.deepEqual(
          await groupsOf(client, `${table} FINAL`),
          expected,
          `server of shard ${node.shard} replica ${node.replica}`,
        );
      await assertClusterTablesEverywhere(cluster, table);
      assert.equal(await move(), 'already moved', log.join('\n'));
      await createClusterTables(holder.client, DATABASE, table, CLUSTER); // init after the move: nothing to do
      assert.equal(await move(), 'already moved');
    },
  );

  await t.test(
    'a consumer started on the cluster before the move stores nothing until it, then orders after the history',
    async (st) => {
      const { table } = await singleTable(cluster, 'waited');
      await prepareRanFirst(cluster, table);
      // Where it would order without the history: with one shard another replica (whose group lacks the holder),
      // sharded the holder itself (its table is the single one, not the Distributed one).
      const server = shape.shards === 1 ? other : holder;
      const { fleet, log } = await startConsumerOn(st, cluster, server, table);
      for (let i = 1; i <= 3; i++) {
        const sent = await send(fleet.url('producer'), { group_id: GROUPS, sender_id: 1, text: `sent ${i}` });
        assert.equal(sent.status, 202);
      }
      await eventually('the consumer says why it does not consume', async () =>
        log().includes("not the cluster's tables"),
      );

      const { move, log: moveLog } = mover(cluster, table);
      assert.equal(await move(), 'moved', moveLog.join('\n'));
      await eventually('the sends stored after the history', async () => {
        return (await groupsOf(holder.client, `${table} FINAL`)).at(-1) === `${GROUPS}:${GROUPS + 5}:${GROUPS + 5}`;
      });
      const latest = await select<{ order: string; text: string }>(
        holder.client,
        `SELECT \`order\`, text FROM ${table} FINAL WHERE group_id = ${GROUPS} AND \`order\` > ${GROUPS + 2} ORDER BY \`order\``,
      );
      assert.deepEqual(
        latest.map((r) => `${r.order} ${r.text}`),
        [1, 2, 3].map((i) => `${GROUPS + 2 + i} sent ${i}`),
      );
    },
  );

  await t.test(
    'those tables already hold a consumer’s rows: the move refuses, drops nothing, changes nothing',
    async () => {
      const { table, expected } = await singleTable(cluster, 'written');
      await prepareRanFirst(cluster, table);
      // A consumer on another server stored a batch there, ordered without the history (order 1 of group 2).
      const writer = servers.at(-1) as Server;
      await createMessagesRepository(writer.client, table, { insertSettings: { insert_distributed_sync: 1 } }).insert([
        { ...row(2, 1), text: 'ordered without the history' },
      ]);
      const { move, log } = mover(cluster, table);
      await assert.rejects(move(), /holding rows .*Nothing was dropped/);
      assert.match((await engineOf(holder.client, table)) ?? '', /^ReplacingMergeTree$/, log.join('\n'));
      assert.deepEqual(await groupsOf(holder.client, `${table} FINAL`), expected);
      assert.deepEqual(await groupsOf(writer.client, table), ['2:1:1'], 'the consumer’s row is still there');
      await assert.rejects(move(), /holding rows/, 'a rerun refuses the same');
    },
  );
}

describe('moving a single-server table to a cluster (npm run move-to-cluster)', () => {
  it('replicated', async (t) => {
    await movesAndChecks(t, 'replicated');
  });

  it('sharded: the same through Distributed tables, each group on one shard', async (t) => {
    await movesAndChecks(t, 'sharded');
  });
});
