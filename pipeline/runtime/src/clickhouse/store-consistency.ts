import type { ClickHouseSettings } from '@clickhouse/client';
import type { ClusterShape } from '@badam/domain/table/cluster-schema';
import type { ClickHouseClient } from '@clickhouse/client';
import { serverVersion, synchronousInsertSettings, type ServerVersion } from './client.js';
import { readClusterShape } from './cluster.js';

/**
 * The settings of the consumer's writes and of its group heads reads (the max(order) a batch is ordered from). The
 * ordering invariant: a batch's heads read must see every row already stored for its groups, whichever replica
 * answers it. On a cluster, two settings give that:
 * - insert_quorum = a majority of the shard's replicas (2 of 2, 2 of 3): an insert returns only once that many have
 *   the part, and a replica read after it either has the rows or refuses (below); a majority, not all, so a shard of
 *   three keeps taking writes with one replica lost (with two, a lost replica stops its writes); with several shards, insert_distributed_sync = 1 makes the insert through
 *   the Distributed table return only once each shard has its rows (else the Distributed table queues them);
 * - select_sequential_consistency = 1 on the heads reads: a replica that lacks a part written with quorum refuses the
 *   read (Code 289) instead of answering stale, and parts whose quorum is not confirmed (a timed-out insert, Code 319
 *   "unknown status") are hidden. The retry of such a batch then reads the same heads, orders the same rows the
 *   same, and ClickHouse's block deduplication drops the identical block, or (Code 286, the earlier quorum still
 *   pending) it waits until the missing replica has the part, and then sees the rows as stored.
 * insert_quorum_parallel (21.1 on, default 1) would allow quorum inserts whose order sequential consistency cannot
 * follow: 0 where the server knows the setting (18.16 refuses unknown settings). insert_quorum_timeout stays under the
 * request timeout, so a missing replica shows as 319 (retried in place) and not as a client timeout (which can end
 * in splitting the batch).
 */
export interface StoreSettings {
  insert: ClickHouseSettings;
  headsRead: ClickHouseSettings;
}

export function storeSettings(
  version: ServerVersion,
  shape: ClusterShape | undefined,
  requestTimeoutMs: number,
): StoreSettings {
  const insert: ClickHouseSettings = { ...synchronousInsertSettings(version) };
  const headsRead: ClickHouseSettings = {};
  if (shape === undefined) return { insert, headsRead };
  if (shape.replicasPerShard > 1) {
    insert.insert_quorum = String(Math.floor(shape.replicasPerShard / 2) + 1);
    insert.insert_quorum_timeout = Math.max(100, Math.floor(requestTimeoutMs / 2));
    if (version.major > 21 || (version.major === 21 && version.minor >= 1)) insert.insert_quorum_parallel = 0;
    headsRead.select_sequential_consistency = '1';
  }
  if (shape.shards > 1) insert.insert_distributed_sync = 1;
  return { insert, headsRead };
}

/**
 * The consumers' store settings for this server and cluster ('' for a single server): what every writer that must
 * keep the ordering invariant (consumers, seeding, the move to a cluster, tests) asks the server for.
 */
export async function readStoreSettings(
  client: ClickHouseClient,
  cluster: string,
  requestTimeoutMs: number,
): Promise<StoreSettings> {
  const shape = cluster === '' ? undefined : await readClusterShape(client, cluster);
  return storeSettings(await serverVersion(client), shape, requestTimeoutMs);
}
