import { clusterCreateStatements, replicatedTableName, type ClusterShape } from './cluster-schema.js';
import { quoteIdentifier } from './identifiers.js';
import { MESSAGE_COLUMNS } from './rows.js';
import { keysTable } from './schema.js';

// Moving a single-server messages table (and its keys index) to a cluster's replicated layout, in place: the table
// lives on one server of the cluster (natively, server 0 is the single topology's server). With the consumers
// stopped (producers keep accepting into Kafka):
// 1. the single tables step aside as `<table>_single` (kept until the operator drops them);
// 2. tables the cluster already has under the service names (a `prepare` or `init` run on the cluster topology
//    before the move made them) go, once ZooKeeper shows they hold no row: they occupy init's ZooKeeper paths;
// 3. the cluster's tables are made as `<table>_moving`, but at init's ZooKeeper paths (fixed at CREATE, kept by a
//    RENAME), so a server given the table by init later joins the same replication group;
// 4. the rows are copied, FINAL, and checked group by group (rows and highest order) against the single table;
// 5. the moving tables take the service names on every server.
// Consumers started with CLICKHOUSE_CLUSTER then order from exactly the history they would have seen; until step 5
// there is no table for them to write (or, sharded, no replicated table under the Distributed one), so nothing they
// do can get ahead of the check. docs/RELIABILITY.md, "Moving to a replicated cluster".

export const MOVING_SUFFIX = '_moving';
export const SINGLE_SUFFIX = '_single';

/** The tables the copy goes to: the cluster's tables under `<table>_moving`, at `<table>`'s ZooKeeper paths. */
export function movingCreateStatements(
  database: string,
  table: string,
  cluster: string,
  shape: ClusterShape,
): string[] {
  return clusterCreateStatements(database, table, cluster, shape, `${table}${MOVING_SUFFIX}`);
}

/** The table's engine on this server (rows: { engine }; none when it does not exist). */
export function engineQuery(database: string, table: string): string {
  quoteIdentifier(database);
  quoteIdentifier(table);
  return `SELECT engine FROM system.tables WHERE database = '${database}' AND name = '${table}'`;
}

/** The single tables step aside, on their own server: the service names are then free for the cluster's tables. */
export function setAsideStatement(database: string, table: string): string {
  const db = quoteIdentifier(database);
  const name = (n: string) => `${db}.${quoteIdentifier(n)}`;
  const single = `${table}${SINGLE_SUFFIX}`;
  return `RENAME TABLE ${name(table)} TO ${name(single)}, ${name(keysTable(table))} TO ${name(keysTable(single))}`;
}

const KEY_COLUMNS = ['group_id', 'idempotency_hash', 'order'].map(quoteIdentifier).join(', ');

/** Copies the rows and keys of `from`, FINAL (a duplicate a merge had not removed yet is copied once), into `to`. */
export function copyStatements(database: string, from: string, to: string): string[] {
  const db = quoteIdentifier(database);
  const columns = MESSAGE_COLUMNS.map(quoteIdentifier).join(', ');
  return [
    `INSERT INTO ${db}.${quoteIdentifier(to)} (${columns}) SELECT ${columns} FROM ${db}.${quoteIdentifier(from)} FINAL`,
    `INSERT INTO ${db}.${quoteIdentifier(keysTable(to))} (${KEY_COLUMNS}) SELECT ${KEY_COLUMNS} FROM ${db}.${quoteIdentifier(keysTable(from))} FINAL`,
  ];
}

/**
 * A fingerprint of a table that two copies share exactly when every group has the same number of rows and the same
 * highest order (and, orders being 1..n, the same orders), plus the keys index's (key, order) pairs (rows: one of
 * { groups, rows, groups_hash, keys, keys_hash }). Sums of hashes wrap around in UInt64: order does not matter.
 */
export function fingerprintQuery(database: string, table: string): string {
  const db = quoteIdentifier(database);
  return `SELECT groups, rows, groups_hash, keys, keys_hash FROM
    (SELECT 1 AS j, count() AS groups, sum(n) AS rows, sum(cityHash64(group_id, n, m)) AS groups_hash
      FROM (SELECT group_id, count() AS n, max(\`order\`) AS m FROM ${db}.${quoteIdentifier(table)} FINAL GROUP BY group_id))
    ANY INNER JOIN
    (SELECT 1 AS j, count() AS keys, sum(cityHash64(group_id, idempotency_hash, \`order\`)) AS keys_hash
      FROM ${db}.${quoteIdentifier(keysTable(table))} FINAL) USING j`;
}

/**
 * The moving tables take the service names on every server. With several shards the Distributed tables are made
 * first, over the replicated tables' final names (a Distributed table resolves them per query), then the replicated
 * ones are renamed, then the moving Distributed ones go (they hold no rows: inserts through them are synchronous).
 * Each step leaves a state the next run recognises: moving replicated tables still there (swap again), or gone.
 */
export function swapStatements(database: string, table: string, cluster: string, shape: ClusterShape): string[] {
  const db = quoteIdentifier(database);
  const name = (n: string) => `${db}.${quoteIdentifier(n)}`;
  const onCluster = `ON CLUSTER ${quoteIdentifier(cluster)}`;
  const moving = `${table}${MOVING_SUFFIX}`;
  const local = (n: string) => replicatedTableName(n, shape);
  const pairs = [
    [moving, table],
    [keysTable(moving), keysTable(table)],
  ] as const;
  const rename = `RENAME TABLE ${pairs.map(([from, to]) => `${name(local(from))} TO ${name(local(to))}`).join(', ')} ${onCluster}`;
  if (shape.shards === 1) return [rename];
  return [
    ...clusterCreateStatements(database, table, cluster, shape).filter((statement) =>
      /ENGINE = Distributed/.test(statement),
    ),
    rename,
    ...movingDistributedDropStatements(database, table, cluster),
  ];
}

/** Drops the moving Distributed tables (several shards: what a swap leaves last). */
export function movingDistributedDropStatements(database: string, table: string, cluster: string): string[] {
  const moving = `${table}${MOVING_SUFFIX}`;
  return [moving, keysTable(moving)].map(
    (n) =>
      `DROP TABLE IF EXISTS ${quoteIdentifier(database)}.${quoteIdentifier(n)} ON CLUSTER ${quoteIdentifier(cluster)}`,
  );
}

/** The children of a ZooKeeper node (rows: { name }); paths are built from checked names and shard macros only. */
export function zooKeeperChildrenQuery(path: string): string {
  if (!/^\/[A-Za-z0-9_./-]*$/.test(path))
    throw new Error(`not a ZooKeeper path this tool builds: ${JSON.stringify(path)}`);
  return `SELECT name FROM system.zookeeper WHERE path = '${path}'`;
}
