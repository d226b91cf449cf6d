import { ClusterConfigError, type ClusterShape, replicatedTableName, zooKeeperPath } from './cluster-schema.js';
import { quoteIdentifier } from './identifiers.js';
import { keysTable } from './schema.js';

// Whether the tables a server has under the service names are the cluster's (what clusterCreateStatements makes):
// init checks it after creating them, a consumer before it writes, the move to a cluster before it says "moved". A
// server of the cluster that still holds a single-server table (a ReplacingMergeTree with history: the move to a
// cluster not run yet), or replicas registered at another ZooKeeper path, would let a consumer order a group from an
// empty or partial history (orders restarting at 1) and commit its offsets: the rows then collide with the history.

/** A server's tables that are not the cluster's: fixing them is the operator's (init, or move-to-cluster), not a wait. */
export class ClusterTablesError extends ClusterConfigError {}

const REPLICATED_ENGINE = 'ReplicatedReplacingMergeTree';

/** A MergeTree table that is not replicated: a single server's table. */
export function isSingleServerEngine(engine: string | undefined): boolean {
  return engine !== undefined && /MergeTree$/.test(engine) && !engine.startsWith('Replicated');
}

/** The names a table has on the cluster, with the engine each must have there. */
export function expectedClusterEngines(table: string, shape: ClusterShape): Map<string, string> {
  const names = [table, keysTable(table)];
  if (shape.shards === 1) return new Map(names.map((name) => [name, REPLICATED_ENGINE]));
  return new Map([
    ...names.map((name) => [name, 'Distributed'] as const),
    ...names.map((name) => [replicatedTableName(name, shape), REPLICATED_ENGINE] as const),
  ]);
}

/** The names as SQL string literals: only names quoteIdentifier accepts (no quote can be in them). */
function namesList(database: string, table: string, shape: ClusterShape): string {
  quoteIdentifier(database);
  const names = [...expectedClusterEngines(table, shape).keys()];
  for (const name of names) quoteIdentifier(name);
  return names.map((name) => `'${name}'`).join(', ');
}

/** This server's engines of the table's cluster names (rows: { name, engine }). */
export function tableEnginesQuery(database: string, table: string, shape: ClusterShape): string {
  return `SELECT name, engine FROM system.tables WHERE database = '${database}' AND name IN (${namesList(database, table, shape)})`;
}

/** Where this server's replicas of them coordinate, and how many replicas their groups have (rows: ReplicaRow). */
export function replicasQuery(database: string, table: string, shape: ClusterShape): string {
  return `SELECT table, zookeeper_path, total_replicas FROM system.replicas WHERE database = '${database}' AND table IN (${namesList(database, table, shape)})`;
}

export interface EngineRow {
  name: string;
  engine: string;
}

export interface ReplicaRow {
  table: string;
  zookeeper_path: string;
  total_replicas: number | string;
}

/**
 * What is wrong with this server's tables for the cluster (none: they are the cluster's). A missing table is not
 * reported: init creates it, and a consumer's batch waits for it (stuck, nothing committed).
 */
export function clusterTablesProblems(
  database: string,
  table: string,
  shape: ClusterShape,
  engines: readonly EngineRow[],
  replicas: readonly ReplicaRow[],
): string[] {
  const problems: string[] = [];
  for (const [name, expected] of expectedClusterEngines(table, shape)) {
    const engine = engines.find((row) => row.name === name)?.engine;
    if (engine === undefined) continue;
    if (engine !== expected) {
      const single = isSingleServerEngine(engine) ? ' (a single-server table: run move-to-cluster)' : '';
      problems.push(`${database}.${name} is ${engine}, not ${expected}${single}`);
      continue;
    }
    if (expected !== REPLICATED_ENGINE) continue;
    const replica = replicas.find((row) => row.table === name);
    const path = zooKeeperPath(database, name);
    const pathPattern = new RegExp(`^${path.replace('{shard}', '[^/]+')}$`);
    if (replica === undefined || !pathPattern.test(replica.zookeeper_path)) {
      problems.push(
        `${database}.${name} replicates at ${replica?.zookeeper_path ?? '(unknown)'}, not at init's ${path}: ` +
          'a server given the table by init would join another replication group',
      );
    } else if (Number(replica.total_replicas) > 0 && Number(replica.total_replicas) < shape.replicasPerShard) {
      // 0: ZooKeeper did not answer (a replica always counts itself); the consumers' inserts wait for it anyway.
      problems.push(
        `${database}.${name}: ${replica.total_replicas} of the shard's ${shape.replicasPerShard} servers are replicas ` +
          'of it; another holds a different table under this name (a single-server table: run move-to-cluster) ' +
          'or none (run init)',
      );
    }
  }
  return problems;
}
