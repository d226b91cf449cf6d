import { quoteIdentifier } from './identifiers.js';
import { keysTable } from './schema.js';

// The messages table and its keys index on a ClickHouse cluster (CLICKHOUSE_CLUSTER): each a ReplicatedReplacingMergeTree
// on every server, coordinated through ZooKeeper (or ClickHouse Keeper), and with more than one shard a Distributed
// table over them that routes a row by intHash64(group_id): all of a group's rows and keys live on one shard, so a
// batch's per-group reads and its insert touch one shard per group. Services use the same names as on one server
// (`messages`, `messages_keys`); the replicated tables under a Distributed one are `<name>_local`.
//
// A new topology is created at the current full schema in one statement per table: the single-server migrations
// (schema.ts) add columns one by one because 18.16 has no ADD COLUMN IF NOT EXISTS, which a fresh table does not need.
// The columns are in the order the migrations leave them, so INSERT SELECT from a single-server table matches.

/** Shards of the cluster and replicas of each (system.clusters). */
export interface ClusterShape {
  shards: number;
  replicasPerShard: number;
}

/** The cluster's shards and their replicas (rows: { shard_num, replicas }); the name passes quoteIdentifier's check. */
export function clusterShapeQuery(cluster: string): string {
  quoteIdentifier(cluster);
  return `SELECT shard_num, count() AS replicas FROM system.clusters WHERE cluster = '${cluster}' GROUP BY shard_num`;
}

/** A cluster name the server's remote_servers lack, or a shape the tables cannot have: a configuration error, not a wait. */
export class ClusterConfigError extends Error {}

/** The shape of clusterShapeQuery's rows; a cluster the server does not know, or with uneven shards, is an error. */
export function clusterShapeOf(
  cluster: string,
  rows: readonly { shard_num: number | string; replicas: number | string }[],
): ClusterShape {
  if (rows.length === 0) {
    throw new ClusterConfigError(
      `ClickHouse knows no cluster ${JSON.stringify(cluster)} (CLICKHOUSE_CLUSTER; see system.clusters)`,
    );
  }
  const replicas = new Set(rows.map((row) => Number(row.replicas)));
  if (replicas.size !== 1) {
    throw new ClusterConfigError(
      `cluster ${JSON.stringify(cluster)} has shards of unequal replica counts (${[...replicas]})`,
    );
  }
  return { shards: rows.length, replicasPerShard: [...replicas][0] ?? 1 };
}

/** The replicated table holding a service table's rows: the table itself on one shard, `<name>_local` under a Distributed one. */
export function replicatedTableName(table: string, shape: ClusterShape): string {
  return shape.shards > 1 ? `${table}_local` : table;
}

/** Where replicated tables coordinate: `<root>/<shard>/<database>/<table>`, one replication group per shard. */
export const ZOOKEEPER_TABLES_ROOT = '/clickhouse/tables';

/**
 * Where the replicas of a table coordinate: one path per shard ({shard} is each server's macro). Fixed when a replica
 * is created (a RENAME keeps it): a table made under another name joins this group only if created with this path.
 */
export function zooKeeperPath(database: string, table: string, shard = '{shard}'): string {
  return `${ZOOKEEPER_TABLES_ROOT}/${shard}/${database}/${table}`;
}

interface TableSpec {
  name: string;
  columns: string;
  /** The version column of ReplacingMergeTree, if any. */
  version?: string;
  orderBy: string;
}

const MESSAGE_TABLE_COLUMNS = `group_id UInt64,
      \`order\` UInt64,
      sender_id UInt64,
      text String,
      created_at_ms UInt64,
      kafka_partition UInt32,
      kafka_offset UInt64,
      idempotency_hash UInt64 DEFAULT 0,
      kafka_topic_id String DEFAULT ''`;

const KEYS_TABLE_COLUMNS = `group_id UInt64,
      idempotency_hash UInt64,
      \`order\` UInt64`;

function tableSpecs(table: string): TableSpec[] {
  return [
    { name: table, columns: MESSAGE_TABLE_COLUMNS, orderBy: '(group_id, `order`)' },
    {
      name: keysTable(table),
      columns: KEYS_TABLE_COLUMNS,
      version: '`order`',
      orderBy: '(group_id, idempotency_hash)',
    },
  ];
}

/**
 * The statements creating the table and its keys index on every server of the cluster (idempotent: IF NOT EXISTS,
 * ON CLUSTER), replicated tables first, then, with several shards, the Distributed tables over them. `createdAs`
 * names the tables differently but keeps `table`'s ZooKeeper paths (the move to a cluster builds them aside, then
 * renames them: they must end in the replication group init's tables join).
 */
export function clusterCreateStatements(
  database: string,
  table: string,
  cluster: string,
  shape: ClusterShape,
  createdAs = table,
): string[] {
  const db = quoteIdentifier(database);
  quoteIdentifier(table);
  const onCluster = `ON CLUSTER ${quoteIdentifier(cluster)}`;
  const paths = tableSpecs(table).map((spec) => zooKeeperPath(database, replicatedTableName(spec.name, shape)));
  const specs = tableSpecs(createdAs);
  const replicated = specs.map((spec, i) => {
    const local = replicatedTableName(spec.name, shape);
    const engineArgs = [`'${paths[i]}'`, "'{replica}'", ...(spec.version ? [spec.version] : [])];
    return `CREATE TABLE IF NOT EXISTS ${db}.${quoteIdentifier(local)} ${onCluster} (
      ${spec.columns}
    ) ENGINE = ReplicatedReplacingMergeTree(${engineArgs.join(', ')})
    ORDER BY ${spec.orderBy}
    SETTINGS index_granularity = 256`;
  });
  if (shape.shards === 1) return replicated;
  const distributed = specs.map(
    (spec) => `CREATE TABLE IF NOT EXISTS ${db}.${quoteIdentifier(spec.name)} ${onCluster} (
      ${spec.columns}
    ) ENGINE = Distributed(${quoteIdentifier(cluster)}, ${db}, ${quoteIdentifier(replicatedTableName(spec.name, shape))}, intHash64(group_id))`,
  );
  return [...replicated, ...distributed];
}

/** Drops the tables of clusterCreateStatements on every server: Distributed ones first, then what they routed to. */
export function clusterDropStatements(database: string, table: string, cluster: string, shape: ClusterShape): string[] {
  const names = tableSpecs(table).map((spec) => spec.name);
  const ordered = shape.shards === 1 ? names : [...names, ...names.map((name) => replicatedTableName(name, shape))];
  return ordered.map(
    (name) =>
      `DROP TABLE IF EXISTS ${quoteIdentifier(database)}.${quoteIdentifier(name)} ON CLUSTER ${quoteIdentifier(cluster)}`,
  );
}
