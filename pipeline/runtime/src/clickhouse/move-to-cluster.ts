import type { ClickHouseClient } from '@clickhouse/client';
import { replicatedTableName } from '@badam/domain/table/cluster-schema';
import {
  copyStatements,
  engineQuery,
  fingerprintQuery,
  MOVING_SUFFIX,
  movingCreateStatements,
  SINGLE_SUFFIX,
  swapStatements,
} from '@badam/domain/table/move-to-cluster';
import { serverVersion } from './client.js';
import { readClusterShape } from './cluster.js';
import { storeSettings } from './store-consistency.js';

// Runs the move of a single-server table to a cluster (the steps and why: table/move-to-cluster.ts). Every step can
// be run again: a move stopped midway is resumed, and a table already moved is left alone.

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

  const shape = await readClusterShape(client, cluster);
  const moving = `${table}${MOVING_SUFFIX}`;
  const swap = swapStatements(database, table, cluster, shape);
  const source = await engine(table);
  if (source === undefined) {
    const setAside = (await engine(`${table}${SINGLE_SUFFIX}`)) !== undefined;
    if (!setAside || (await engine(replicatedTableName(moving, shape))) === undefined)
      throw new Error(`no table ${database}.${table} on this server: run this on the server holding the single table`);
    log(`a move stopped during the swap (${table}${SINGLE_SUFFIX} set aside, ${moving} not renamed yet): finishing it`);
    for (const query of swap.slice(1)) await client.command({ query });
    return 'moved';
  }
  if (/^(Replicated|Distributed)/.test(source)) {
    log(`${table} is already on cluster ${cluster} (${source}): nothing to do`);
    return 'already moved';
  }
  log(
    `moving ${database}.${table} (${source}) to cluster ${cluster}: ${shape.shards} shard(s) × ${shape.replicasPerShard} replicas`,
  );
  for (const query of movingCreateStatements(database, table, cluster, shape)) await client.command({ query });

  const fingerprint = async (name: string) => (await select<Fingerprint>(fingerprintQuery(database, name)))[0];
  const expected = await fingerprint(table);
  const copied = await fingerprint(moving);
  if (Number(copied?.rows ?? 0) === 0 && Number(copied?.keys ?? 0) === 0) {
    // The same consistency as the consumers' inserts: the copy returns once every replica of every shard has it.
    const { insert } = storeSettings(await serverVersion(client), shape, 600_000);
    for (const query of copyStatements(database, table)) await client.command({ query, clickhouse_settings: insert });
    log(`copied ${expected?.rows} rows of ${expected?.groups} groups and ${expected?.keys} keys`);
  } else {
    log(`${moving} already holds rows (a move stopped midway): checking them`);
  }
  const result = await fingerprint(moving);
  if (JSON.stringify(result) !== JSON.stringify(expected)) {
    throw new Error(
      `the copy differs from ${table} (were the consumers stopped?): expected ${JSON.stringify(expected)}, ` +
        `found ${JSON.stringify(result)}; drop the ${moving} tables (ON CLUSTER) and run again`,
    );
  }
  log('the copy matches group by group (rows, highest order) and key by key');
  for (const query of swap) await client.command({ query });
  log(`${table} now spans cluster ${cluster}; the single tables are kept as ${table}${SINGLE_SUFFIX}`);
  return 'moved';
}
