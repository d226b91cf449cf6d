import {
  ClusterConfigError,
  clickhouseConnection,
  createClusterTables,
  createLogger,
  kafkaConnection,
  migrate,
} from '@badam/pipeline/core';
import { createClickHouseClient } from '@badam/pipeline/clickhouse-client';
import { ensureTopic } from '@badam/pipeline/topic-admin';
import { loadInitConfig } from './config.js';
import { retryUntilDeadline } from './retry.js';

/**
 * The deployment's one-shot init (compose and swarm run it before the services): creates the topic with its
 * partition count and applies the ClickHouse migrations (on a cluster, CLICKHOUSE_CLUSTER: creates the replicated,
 * and when sharded Distributed, tables matching the cluster's shape on every server), retrying while the broker or
 * the database is still starting. Everything it does is idempotent, so it runs on every deploy. On a cluster it
 * stops at once, creating nothing, on a server that still holds the table as a single-server one (move-to-cluster
 * moves it), and checks that the tables it leaves are the cluster's (cluster-check.ts).
 */
const config = loadInitConfig();
const logger = createLogger('init', config.LOG_LEVEL);
const deadline = Date.now() + config.INIT_TIMEOUT_MS;

const retry = (what: string, step: () => Promise<void>) =>
  retryUntilDeadline(what, step, { deadline, logger, isFatal: (error) => error instanceof ClusterConfigError });

await retry(`topic ${config.KAFKA_TOPIC} (${config.KAFKA_TOPIC_PARTITIONS} partitions)`, () =>
  ensureTopic(
    kafkaConnection(config),
    config.KAFKA_TOPIC,
    config.KAFKA_TOPIC_PARTITIONS,
    config.KAFKA_TOPIC_REPLICATION,
  ),
);
const clickhouse = createClickHouseClient(clickhouseConnection(config));
const cluster = config.CLICKHOUSE_CLUSTER;
if (cluster === '') {
  await retry(`migrations of ${config.CLICKHOUSE_TABLE}`, () => migrate(clickhouse, config.CLICKHOUSE_TABLE));
} else {
  await retry(`tables of ${config.CLICKHOUSE_TABLE} on cluster ${cluster}`, async () => {
    const shape = await createClusterTables(clickhouse, config.CLICKHOUSE_DATABASE, config.CLICKHOUSE_TABLE, cluster);
    logger.info({ cluster, ...shape }, 'tables created on the cluster');
  });
}
await clickhouse.close();
