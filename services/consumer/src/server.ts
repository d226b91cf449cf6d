import { once } from 'node:events';
import {
  backoffDelays,
  clickhouseConnection,
  createClickHouseClient,
  createClickHouseMetrics,
  createConsumerMetrics,
  createLogger,
  createServiceMetrics,
  createMessagesRepository,
  createPageRefresher,
  createPageStore,
  createReadModelMetrics,
  kafkaConnection,
  pageStoreConnection,
  onShutdown,
  serverVersion,
  sleep,
  synchronousInsertSettings,
  type ServerVersion,
} from '@badam/pipeline';
import type { ClickHouseClient } from '@clickhouse/client';
import { createBatchConsumer } from './batch-consumer.js';
import { loadConsumerConfig } from './config.js';
import { createHealthServer } from './health-server.js';

const config = loadConsumerConfig();
const logger = createLogger('consumer', config.LOG_LEVEL);
const clickhouse = createClickHouseClient(clickhouseConnection(config));
const starting = new AbortController();
const metrics = createServiceMetrics('consumer');
const store = createPageStore(pageStoreConnection(config));

let consumer: ReturnType<typeof createBatchConsumer> | undefined;
let repository: ReturnType<typeof createMessagesRepository> | undefined;
const health = createHealthServer(async () => consumer?.isRunning() === true && (await repository?.isReachable()) === true, metrics);

onShutdown(logger, config.SHUTDOWN_GRACE_MS, async () => {
  starting.abort();
  await consumer?.stop();
  health.close();
  await Promise.all([clickhouse.close(), store.close()]);
});

health.listen(config.PORT, config.HOST);
await once(health, 'listening');

const version = await waitForClickHouse(clickhouse);
if (version !== undefined) {
  logger.info({ clickhouse: version.text }, 'connected to ClickHouse');
  repository = createMessagesRepository(clickhouse, config.CLICKHOUSE_TABLE, {
    insertSettings: synchronousInsertSettings(version),
    metrics: createClickHouseMetrics(metrics.registry),
  });
  consumer = createBatchConsumer({
    ...kafkaConnection(config),
    topic: config.KAFKA_TOPIC,
    groupId: config.CONSUMER_GROUP_ID,
    instanceId: config.CONSUMER_INSTANCE_ID,
    sessionTimeoutMs: config.CONSUMER_SESSION_TIMEOUT_MS,
    maxBatch: config.CONSUMER_MAX_BATCH,
    lingerMs: config.CONSUMER_LINGER_MS,
    repository,
    pages: createPageRefresher(repository, store, {
      retryAfterMs: config.READ_MODEL_RETRY_MS,
      metrics: createReadModelMetrics(metrics.registry),
    }),
    logger,
    metrics: createConsumerMetrics(metrics.registry),
  });
  await consumer.start();
  logger.info({ topic: config.KAFKA_TOPIC, group: config.CONSUMER_GROUP_ID }, 'consuming');
}

/** The insert settings depend on the server version, so nothing is consumed before ClickHouse answers. */
async function waitForClickHouse(client: ClickHouseClient): Promise<ServerVersion | undefined> {
  const nextDelay = backoffDelays(200, 5000);
  while (!starting.signal.aborted) {
    try {
      return await serverVersion(client);
    } catch (error) {
      const delay = nextDelay();
      logger.warn({ err: error, delayMs: delay }, 'ClickHouse not reachable yet, retrying');
      await sleep(delay, starting.signal);
    }
  }
  return undefined;
}
