import type { ClickHouseClient } from '@clickhouse/client';
import { isSingleServerEngine } from '@badam/domain/table/cluster-check';
import {
  type ClusterShape,
  clusterDropStatements,
  replicatedTableName,
  ZOOKEEPER_TABLES_ROOT,
  zooKeeperPath,
} from '@badam/domain/table/cluster-schema';
import {
  copyStatements,
  engineQuery,
  fingerprintQuery,
  MOVING_SUFFIX,
  movingCreateStatements,
  movingDistributedDropStatements,
  SINGLE_SUFFIX,
  setAsideStatement,
  swapStatements,
  zooKeeperChildrenQuery,
} from '@badam/domain/table/move-to-cluster';
import { keysTable } from '@badam/domain/table/schema';
import { serverVersion } from './client.js';
import { checkClusterTables, readClusterShape } from './cluster.js';
import { storeSettings } from './store-consistency.js';

// Runs the move of a single-server table to a cluster (the steps and why: table/move-to-cluster.ts). Whatever ran
// before it (a prepare or init on the cluster topology, a move stopped at any step), a run either finishes the move
// or refuses, saying why, before changing anything it cannot undo; a move already done is checked and left alone.

export interface MoveOptions {
  database: string;
  table: string;
  cluster: string;
  /** Each step as it happens, for the operator. */
  log(message: string): void;
}

export type MoveOutcome = 'moved' | 'already moved';

type Fingerprint = { groups: string; rows: string; groups_hash: string; keys: string; keys_hash: string };

export async function moveToCluster(client: ClickHouseClient, options: MoveOptions): Promise<MoveOutcome> {
  const { database, table, cluster, log } = options;
  const select = async <T>(query: string) => (await client.query({ query, format: 'JSONEachRow' })).json<T>();
  const engine = async (name: string) => (await select<{ engine: string }>(engineQuery(database, name)))[0]?.engine;
  const run = async (queries: readonly string[]) => {
    for (const query of queries) await client.command({ query });
  };

  const shape = await readClusterShape(client, cluster);
  const single = `${table}${SINGLE_SUFFIX}`;
  const moving = `${table}${MOVING_SUFFIX}`;
  const source = await engine(table);
  const setAside = (await engine(single)) !== undefined;
  if (isSingleServerEngine(source)) {
    if (setAside) throw new Error(`${table} (${source}) and ${single} are both here: which one is the history?`);
    await refuseIfClusterTablesHoldRows(select, database, table, shape);
    log(
      `moving ${database}.${table} (${source}) to cluster ${cluster}: ${shape.shards} shard(s) × ${shape.replicasPerShard} replicas`,
    );
    await run([setAsideStatement(database, table)]);
    log(`the single tables are set aside as ${single}`);
  } else if (!setAside) {
    if (source === undefined)
      throw new Error(`no table ${database}.${table} on this server: run this on the server holding the single table`);
    await checkClusterTables(client, database, table, shape);
    log(`${table} is on cluster ${cluster} (${source}) and no single table was set aside here: nothing to move`);
    return 'already moved';
  }

  if ((await engine(replicatedTableName(moving, shape))) === undefined) {
    const current = await engine(table);
    if (current !== undefined) {
      // The swap made the service names the cluster's here (the single tables stepping aside freed them, and init
      // refuses to create tables while a move is under way): done. A swap stopped last leaves moving Distributed ones.
      if (shape.shards > 1) await run(movingDistributedDropStatements(database, table, cluster));
      await checkClusterTables(client, database, table, shape);
      log(`${table} is on cluster ${cluster} (${current}), the single tables kept as ${single}: already moved`);
      return 'already moved';
    }
    await refuseIfClusterTablesHoldRows(select, database, table, shape);
    const before = clusterDropStatements(database, table, cluster, shape);
    log(`dropping what the cluster has under the service names (empty, checked in ZooKeeper): they hold init's paths`);
    await run(before);
  } else {
    log(`${moving} is here (a move stopped midway): going on from it`);
  }
  // IF NOT EXISTS: also makes again moving Distributed tables a swap stopped midway had dropped.
  await run(movingCreateStatements(database, table, cluster, shape));

  const fingerprint = async (name: string) => (await select<Fingerprint>(fingerprintQuery(database, name)))[0];
  const expected = await fingerprint(single);
  const copied = await fingerprint(moving);
  if (Number(copied?.rows ?? 0) === 0 && Number(copied?.keys ?? 0) === 0) {
    // The consumers' consistency: the copy returns once a majority of every shard's replicas has it.
    const { insert } = storeSettings(await serverVersion(client), shape, 600_000);
    for (const query of copyStatements(database, single, moving))
      await client.command({ query, clickhouse_settings: insert });
    log(`copied ${expected?.rows} rows of ${expected?.groups} groups and ${expected?.keys} keys`);
  } else {
    log(`${moving} already holds rows (a move stopped midway): checking them`);
  }
  const result = await fingerprint(moving);
  if (JSON.stringify(result) !== JSON.stringify(expected)) {
    throw new Error(
      `the copy differs from ${single} (were the consumers stopped?): expected ${JSON.stringify(expected)}, ` +
        `found ${JSON.stringify(result)}; drop the ${moving} tables (ON CLUSTER) and run again`,
    );
  }
  log('the copy matches group by group (rows, highest order) and key by key');
  await run(swapStatements(database, table, cluster, shape));
  await checkClusterTables(client, database, table, shape);
  log(`${table} now spans cluster ${cluster}; the single tables are kept as ${single}`);
  return 'moved';
}

type Select = <T>(query: string) => Promise<T[]>;

/**
 * Tables under the service names that a prepare or init made on the cluster before the move are dropped by it; if
 * any replica of them holds a part, consumers have written there, ordering groups without the single table's history
 * (orders from 1) and committing their Kafka offsets: dropping them would lose acknowledged messages, keeping them
 * would collide with the history. ZooKeeper sees every replica of every shard from here (the stray tables of the
 * other servers cannot be queried from this one).
 */
async function refuseIfClusterTablesHoldRows(
  select: Select,
  database: string,
  table: string,
  shape: ClusterShape,
): Promise<void> {
  const childrenOf = async (path: string) =>
    (await select<{ name: string }>(zooKeeperChildrenQuery(path))).map((row) => row.name);
  // None when the node does not exist: each level is looked up in its parent first, since reading a missing node is
  // an error the client logs as one (an operator would take it for a failure).
  const children = async (path: string) => {
    let at = '';
    for (const part of path.split('/').filter((p) => p !== '')) {
      if (!(await childrenOf(at === '' ? '/' : at)).includes(part)) return [];
      at = `${at}/${part}`;
    }
    return childrenOf(at === '' ? '/' : at);
  };
  const replicated = [table, keysTable(table)].map((name) => replicatedTableName(name, shape));
  const written: string[] = [];
  for (const shard of await children(ZOOKEEPER_TABLES_ROOT)) {
    for (const name of replicated) {
      const group = zooKeeperPath(database, name, shard);
      for (const replica of await children(`${group}/replicas`)) {
        const parts = (await children(`${group}/replicas/${replica}/parts`)).length;
        if (parts > 0) written.push(`${name} on shard ${shard}, replica ${replica}: ${parts} part(s)`);
      }
    }
  }
  if (written.length > 0) {
    throw new Error(
      `the cluster already has tables under the service names holding rows (${written.join('; ')}): consumers wrote ` +
        "there before the move, ordering groups without the single table's history. Nothing was dropped: keep the " +
        'consumers stopped and see docs/RELIABILITY.md, "Moving to a replicated cluster"',
    );
  }
}
