import type { ClickHouseClient } from '@clickhouse/client';
import {
  ClusterTablesError,
  clusterTablesProblems,
  type EngineRow,
  isSingleServerEngine,
  type ReplicaRow,
  replicasQuery,
  tableEnginesQuery,
} from '@badam/domain/table/cluster-check';
import {
  clusterCreateStatements,
  clusterDropStatements,
  clusterShapeOf,
  clusterShapeQuery,
  type ClusterShape,
} from '@badam/domain/table/cluster-schema';
import { SINGLE_SUFFIX } from '@badam/domain/table/move-to-cluster';

// The tables on a ClickHouse cluster (CLICKHOUSE_CLUSTER): their statements are the domain's (table/cluster-schema.ts),
// running them on a server is the runtime's.

/** The cluster's shards and replicas per shard, as the server's remote_servers define them. */
export async function readClusterShape(client: ClickHouseClient, cluster: string): Promise<ClusterShape> {
  const result = await client.query({ query: clusterShapeQuery(cluster), format: 'JSONEachRow' });
  return clusterShapeOf(cluster, await result.json<{ shard_num: number; replicas: string }>());
}

/** This server's engines of the table's cluster names (table name → engine). */
export async function clusterTableEngines(
  client: ClickHouseClient,
  database: string,
  table: string,
  shape: ClusterShape,
): Promise<Map<string, string>> {
  const result = await client.query({ query: tableEnginesQuery(database, table, shape), format: 'JSONEachRow' });
  return new Map((await result.json<EngineRow>()).map((row) => [row.name, row.engine]));
}

/**
 * Throws a ClusterTablesError naming what is wrong when this server's tables are not the cluster's (cluster-check.ts):
 * a single-server table, or replicas outside init's replication group or in a group lacking servers of the shard.
 */
export async function checkClusterTables(
  client: ClickHouseClient,
  database: string,
  table: string,
  shape: ClusterShape,
): Promise<void> {
  const select = async <T>(query: string) => (await client.query({ query, format: 'JSONEachRow' })).json<T>();
  const problems = clusterTablesProblems(
    database,
    table,
    shape,
    await select<EngineRow>(tableEnginesQuery(database, table, shape)),
    await select<ReplicaRow>(replicasQuery(database, table, shape)),
  );
  if (problems.length > 0) throw new ClusterTablesError(`not the cluster's tables: ${problems.join('; ')}`);
}

/**
 * Creates the table and its keys index on every server of the cluster (idempotent), then checks this server's are
 * the cluster's; returns the cluster's shape. Refuses, creating nothing, on a server that holds the table as a
 * single-server one: consumers would order into the new tables without its history (the move to a cluster copies it).
 */
export async function createClusterTables(
  client: ClickHouseClient,
  database: string,
  table: string,
  cluster: string,
): Promise<ClusterShape> {
  const shape = await readClusterShape(client, cluster);
  const move = 'move-to-cluster (docs/RELIABILITY.md, "Moving to a replicated cluster")';
  const engine = (await clusterTableEngines(client, database, table, shape)).get(table);
  if (isSingleServerEngine(engine)) {
    throw new ClusterTablesError(
      `${database}.${table} on this server is a single-server table (${engine}): move it to cluster ${cluster} ` +
        `with ${move} before creating the cluster's tables`,
    );
  }
  const setAside = `${table}${SINGLE_SUFFIX}`;
  if (engine === undefined && (await clusterTableEngines(client, database, setAside, shape)).has(setAside)) {
    throw new ClusterTablesError(
      `${database}.${setAside} is here but not ${table}: a move to cluster ${cluster} is under way; finish it with ${move}`,
    );
  }
  for (const query of clusterCreateStatements(database, table, cluster, shape)) await client.command({ query });
  await checkClusterTables(client, database, table, shape);
  return shape;
}

/** Drops what createClusterTables made, on every server. */
export async function dropClusterTables(
  client: ClickHouseClient,
  database: string,
  table: string,
  cluster: string,
): Promise<void> {
  const shape = await readClusterShape(client, cluster);
  for (const query of clusterDropStatements(database, table, cluster, shape)) await client.command({ query });
}
