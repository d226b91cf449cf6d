import { clickhouseConnection, createLogger, kafkaConnection, migrate } from '@badam/pipeline/core';
import { createClickHouseClient } from '@badam/pipeline/clickhouse-client';
import { ensureTopic } from '@badam/pipeline/topic-admin';
import { loadInitConfig } from './config.js';
import { retryUntilDeadline } from './retry.js';

/**
 * The deployment's one-shot init (compose and swarm run it before the services): creates the topic with its
 * partition count and applies the ClickHouse migrations, retrying while the broker or the database is still
 * starting. Everything it does is idempotent, so it runs on every deploy.
 */
const config = loadInitConfig();
const logger = createLogger('init', config.LOG_LEVEL);
const deadline = Date.now() + config.INIT_TIMEOUT_MS;

const retry = (what: string, step: () => Promise<void>) => retryUntilDeadline(what, step, { deadline, logger });

await retry(`topic ${config.KAFKA_TOPIC} (${config.KAFKA_TOPIC_PARTITIONS} partitions)`, () =>
  ensureTopic(
    kafkaConnection(config),
    config.KAFKA_TOPIC,
    config.KAFKA_TOPIC_PARTITIONS,
    config.KAFKA_TOPIC_REPLICATION,
  ),
);
const clickhouse = createClickHouseClient(clickhouseConnection(config));
await retry(`migrations of ${config.CLICKHOUSE_TABLE}`, () => migrate(clickhouse, config.CLICKHOUSE_TABLE));
await clickhouse.close();
