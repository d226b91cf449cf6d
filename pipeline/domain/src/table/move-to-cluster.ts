import { clusterCreateStatements, replicatedTableName, type ClusterShape } from './cluster-schema.js';
import { quoteIdentifier } from './identifiers.js';
import { MESSAGE_COLUMNS } from './rows.js';
import { keysTable } from './schema.js';

// Moving a single-server messages table (and its keys index) to a cluster's replicated layout, in place: the table
// lives on one server of the cluster (natively, server 0 is the single topology's server). With the consumers
// stopped (producers keep accepting into Kafka), the rows are copied, FINAL, into `<table>_moving` tables made
// like the cluster's; the copy is checked group by group (rows and highest order) against the source; then names are
// swapped: the single tables become `<table>_single` (kept until the operator drops them), the moving ones take the
// service names. Consumers started with CLICKHOUSE_CLUSTER then order from exactly the history they would have seen.
// docs/RELIABILITY.md, "Moving to a replicated cluster".

export const MOVING_SUFFIX = '_moving';
export const SINGLE_SUFFIX = '_single';

/** The tables the copy goes to: the cluster's tables, under `<table>_moving`. */
export function movingCreateStatements(
  database: string,
  table: string,
  cluster: string,
  shape: ClusterShape,
): string[] {
  return clusterCreateStatements(database, `${table}${MOVING_SUFFIX}`, cluster, shape);
}

/** The table's engine on this server (rows: { engine }; none when it does not exist). */
export function engineQuery(database: string, table: string): string {
  quoteIdentifier(database);
  quoteIdentifier(table);
  return `SELECT engine FROM system.tables WHERE database = '${database}' AND name = '${table}'`;
}

const KEY_COLUMNS = ['group_id', 'idempotency_hash', 'order'].map(quoteIdentifier).join(', ');

/** Copies the rows, FINAL (a duplicate a merge had not removed yet is copied once), through the moving tables' names. */
export function copyStatements(database: string, table: string): string[] {
  const db = quoteIdentifier(database);
  const columns = MESSAGE_COLUMNS.map(quoteIdentifier).join(', ');
  const moving = `${table}${MOVING_SUFFIX}`;
  return [
    `INSERT INTO ${db}.${quoteIdentifier(moving)} (${columns}) SELECT ${columns} FROM ${db}.${quoteIdentifier(table)} FINAL`,
    `INSERT INTO ${db}.${quoteIdentifier(keysTable(moving))} (${KEY_COLUMNS}) SELECT ${KEY_COLUMNS} FROM ${db}.${quoteIdentifier(keysTable(table))} FINAL`,
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
 * The swap: the single tables step aside (on their own server), then the moving tables take the service names on
 * every server. With several shards the Distributed tables are made again over the renamed replicated tables (they
 * hold no rows of their own: inserts through them are synchronous).
 */
export function swapStatements(database: string, table: string, cluster: string, shape: ClusterShape): string[] {
  const db = quoteIdentifier(database);
  const name = (n: string) => `${db}.${quoteIdentifier(n)}`;
  const onCluster = `ON CLUSTER ${quoteIdentifier(cluster)}`;
  const moving = `${table}${MOVING_SUFFIX}`;
  const pairs = [
    [moving, table],
    [keysTable(moving), keysTable(table)],
  ] as const;
  const asideSingle = `RENAME TABLE ${name(table)} TO ${name(`${table}${SINGLE_SUFFIX}`)}, ${name(keysTable(table))} TO ${name(`${keysTable(table)}${SINGLE_SUFFIX}`)}`;
  if (shape.shards === 1) {
    return [
      asideSingle,
      `RENAME TABLE ${pairs.map(([from, to]) => `${name(from)} TO ${name(to)}`).join(', ')} ${onCluster}`,
    ];
  }
  const local = (n: string) => replicatedTableName(n, shape);
  return [
    asideSingle,
    ...pairs.map(([from]) => `DROP TABLE IF EXISTS ${name(from)} ${onCluster}`),
    `RENAME TABLE ${pairs.map(([from, to]) => `${name(local(from))} TO ${name(local(to))}`).join(', ')} ${onCluster}`,
    ...clusterCreateStatements(database, table, cluster, shape).filter((statement) =>
      /ENGINE = Distributed/.test(statement),
    ),
  ];
}
