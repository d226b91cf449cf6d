import type { ClickHouseClient } from '@clickhouse/client';
import {
  clusterCreateStatements,
  clusterDropStatements,
  clusterShapeOf,
  clusterShapeQuery,
  type ClusterShape,
} from '@badam/domain/table/cluster-schema';

// The tables on a ClickHouse cluster (CLICKHOUSE_CLUSTER): their statements are the domain's (table/cluster-schema.ts),
// running them on a server is the runtime's.

/** The cluster's shards and replicas per shard, as the server's remote_servers define them. */
export async function readClusterShape(client: ClickHouseClient, cluster: string): Promise<ClusterShape> {
  const result = await client.query({ query: clusterShapeQuery(cluster), format: 'JSONEachRow' });
  return clusterShapeOf(cluster, await result.json<{ shard_num: number; replicas: string }>());
}

/** Creates the table and its keys index on every server of the cluster (idempotent); returns the cluster's shape. */
export async function createClusterTables(
  client: ClickHouseClient,
  database: string,
  table: string,
  cluster: string,
): Promise<ClusterShape> {
  const shape = await readClusterShape(client, cluster);
  for (const query of clusterCreateStatements(database, table, cluster, shape)) await client.command({ query });
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
