import { clickhouseConnection, createLogger } from '@badam/pipeline/core';
import { createClickHouseClient } from '@badam/pipeline/clickhouse-client';
import { moveToCluster } from '@badam/pipeline/move-to-cluster';
import { loadMoveToClusterConfig } from './config.js';

/**
 * Moves the single-server messages table and its keys index to the replicated layout of CLICKHOUSE_CLUSTER, on the
 * server holding them (CLICKHOUSE_URL), without losing or reordering a message: copy, check group by group, swap
 * names. Stop the consumers first; producers keep accepting into Kafka meanwhile; start the consumers with
 * CLICKHOUSE_CLUSTER after. It runs as a user that may create, insert, rename and drop (natively the server's
 * default user). Natively `npm run move-to-cluster`; the procedure: docs/RELIABILITY.md, "Moving to a replicated cluster".
 */
const config = loadMoveToClusterConfig();
const logger = createLogger('move-to-cluster', config.LOG_LEVEL);
if (config.CLICKHOUSE_CLUSTER === '') {
  logger.error('CLICKHOUSE_CLUSTER names no cluster: set it to the cluster (remote_servers) to move the table to');
  process.exit(2);
}
const clickhouse = createClickHouseClient({ ...clickhouseConnection(config), requestTimeoutMs: 900_000 });
try {
  const outcome = await moveToCluster(clickhouse, {
    database: config.CLICKHOUSE_DATABASE,
    table: config.CLICKHOUSE_TABLE,
    cluster: config.CLICKHOUSE_CLUSTER,
    log: (message) => logger.info(message),
  });
  logger.info({ outcome }, 'done');
} catch (error) {
  logger.error({ err: error }, 'the move stopped; fix the cause and run it again (every step can be run again)');
  process.exitCode = 1;
} finally {
  await clickhouse.close();
}
