import { once } from 'node:events';
import {
  backoffDelays,
  checkClusterTables,
  clickhouseConnection,
  ClusterTablesError,
  createClickHouseMetrics,
  createConsumerMetrics,
  createLogger,
  createServiceMetrics,
  createMessagesRepository,
  createPageRefresher,
  createReadModelMetrics,
  kafkaConnection,
  pageStoreConnection,
  onShutdown,
  pause,
  readClusterShape,
  reportFailovers,
  storeBatch,
  createStoredFloor,
} from '@badam/pipeline/core';
import { createClickHouseClient, serverVersion } from '@badam/pipeline/clickhouse-client';
import { storeSettings, type StoreSettings } from '@badam/pipeline/store-consistency';
import { connectTopicIdentity, type TopicIdentity } from '@badam/pipeline/topic-admin';
import { createPageStore } from '@badam/pipeline/page-store';
import type { ClickHouseClient } from '@clickhouse/client';
import { createBatchStorer } from './batch-storer.js';
import { loadConsumerConfig } from './config.js';
import { createDeadLetterSender, type DeadLetterSender } from './dead-letters.js';
import { createHealthServer, type HealthReport } from './health-server.js';
import { createKafkaRecordSource } from './kafka-record-source.js';
import type { RecordSource } from './record-source.js';
import { createStoreLoop, type StoreLoop } from './store-loop.js';

const config = loadConsumerConfig();
const logger = createLogger('consumer', config.LOG_LEVEL);
const metrics = createServiceMetrics('consumer');
const clickhouse = createClickHouseClient(clickhouseConnection(config), reportFailovers(metrics.registry, logger));
const starting = new AbortController();
const store = createPageStore(pageStoreConnection(config));

let consumer: StoreLoop | undefined;
let repository: ReturnType<typeof createMessagesRepository> | undefined;
let fatalError: unknown;
/** Connected before ClickHouse answers (see below), so a stop while waiting for it must disconnect them too. */
let source: RecordSource | undefined;
let kafkaClients: Promise<[DeadLetterSender, TopicIdentity]> | undefined;
const health = createHealthServer({ ready: report, failed: () => fatalError !== undefined }, metrics);

const stop = onShutdown(logger, config.SHUTDOWN_GRACE_MS, async () => {
  starting.abort();
  await (consumer === undefined ? source?.stop() : consumer.stop());
  health.close();
  const clients = await kafkaClients?.catch(() => undefined);
  await Promise.all([clickhouse.close(), store.close(), ...(clients ?? []).map((client) => client.close())]);
});

/**
 * 503 while not consuming or ClickHouse is unreachable, and once a batch has failed for CONSUMER_STUCK_AFTER_MS
 * while ClickHouse answers (something no retry fixes alone: see the dead-letter runbook in RELIABILITY.md); 200
 * "retrying" before that.
 */
async function report(): Promise<HealthReport> {
  if (fatalError !== undefined) return { healthy: false, body: { status: 'failed' } };
  if (consumer?.isRunning() !== true || (await repository?.isReachable()) !== true)
    return { healthy: false, body: { status: 'unavailable' } };
  const failing = consumer.failing();
  if (failing === undefined) return { healthy: true, body: { status: 'ok' } };
  const failingForMs = Date.now() - failing.sinceMs;
  const stuck = failingForMs >= config.CONSUMER_STUCK_AFTER_MS;
  return {
    healthy: !stuck,
    body: { status: stuck ? 'stuck' : 'retrying', failing_for_ms: failingForMs, error: failing.error },
  };
}

/**
 * Consuming cannot safely go on in this process (the topic was recreated under it, or the Kafka client failed for
 * good, a fenced static member included): /health stops answering 200 at once, and the process exits 1 to be
 * restarted.
 */
function exitToBeRestarted(error: unknown) {
  fatalError ??= error;
  logger.error({ err: error }, 'cannot go on consuming: exiting to be restarted');
  stop(error instanceof Error ? error.message : String(error));
}

health.listen(config.PORT, config.HOST);
await once(health, 'listening');

// The Kafka clients connect while ClickHouse is asked for its version: a restarted consumer's partitions wait for its
// start (docs/BENCHMARKS.md, "Consumer failover"). The group is joined only in consumer.start(), after the topic's id
// is read. A client that cannot connect ends the process, as it did when connected in turn.
const consumerMetrics = createConsumerMetrics(metrics.registry);
source = createKafkaRecordSource({
  ...kafkaConnection(config),
  topic: config.KAFKA_TOPIC,
  groupId: config.CONSUMER_GROUP_ID,
  instanceId: config.CONSUMER_INSTANCE_ID,
  sessionTimeoutMs: config.CONSUMER_SESSION_TIMEOUT_MS,
  logger,
  lag: consumerMetrics.lag,
  onFatal: exitToBeRestarted,
});
kafkaClients = Promise.all([
  createDeadLetterSender(kafkaConnection(config), config.KAFKA_TOPIC),
  connectTopicIdentity(kafkaConnection(config), config.KAFKA_TOPIC),
]);
const settings = await waitForClickHouse(clickhouse);
if (settings !== undefined) {
  const messages = createMessagesRepository(clickhouse, config.CLICKHOUSE_TABLE, {
    insertSettings: settings.insert,
    headsSettings: settings.headsRead,
    // The pages the refresher writes are read as the heads are: never older than the rows just stored.
    pagesSettings: settings.headsRead,
    metrics: createClickHouseMetrics(metrics.registry),
  });
  repository = messages;
  // What this process stored, per group: heads read below it come from a replica that is behind (stored-floor.ts).
  const floor = createStoredFloor();
  const [deadLetters, topicIdentity] = await kafkaClients;
  consumer = createStoreLoop({
    source,
    storer: createBatchStorer({
      write: (records) => storeBatch(messages, records, floor),
      databaseAnswers: () => messages.isReachable(),
      deadLetters,
      timeoutsBeforeSplit: config.CONSUMER_TIMEOUTS_BEFORE_SPLIT,
      logger,
      metrics: consumerMetrics,
    }),
    pages: createPageRefresher(messages, store, {
      retryAfterMs: config.READ_MODEL_RETRY_MS,
      metrics: createReadModelMetrics(metrics.registry),
    }),
    topic: config.KAFKA_TOPIC,
    topicIdentity,
    maxBatch: config.CONSUMER_MAX_BATCH,
    lingerMs: config.CONSUMER_LINGER_MS,
    logger,
    metrics: consumerMetrics,
    onFatal: exitToBeRestarted,
  });
  await consumer.start();
  logger.info({ topic: config.KAFKA_TOPIC, group: config.CONSUMER_GROUP_ID }, 'consuming');
}

/**
 * The store's settings depend on the server version and, on a cluster, on its replicas per shard
 * (store-consistency.ts), so nothing is consumed before ClickHouse answers both. On a cluster, nothing is consumed
 * either while this server's tables are not the cluster's (a single-server table not moved yet, a replication group
 * lacking servers: cluster-check.ts): the batch would be ordered without the history and its offsets committed. It
 * waits, saying why, and starts once the operator has run init or move-to-cluster.
 */
async function waitForClickHouse(client: ClickHouseClient): Promise<StoreSettings | undefined> {
  const nextDelay = backoffDelays(200, 5000);
  const cluster = config.CLICKHOUSE_CLUSTER;
  while (!starting.signal.aborted) {
    try {
      const version = await serverVersion(client);
      const shape = cluster === '' ? undefined : await readClusterShape(client, cluster);
      if (shape !== undefined)
        await checkClusterTables(client, config.CLICKHOUSE_DATABASE, config.CLICKHOUSE_TABLE, shape);
      logger.info({ clickhouse: version.text, cluster, shape }, 'connected to ClickHouse');
      return storeSettings(version, shape, config.CLICKHOUSE_TIMEOUT_MS);
    } catch (error) {
      const delay = nextDelay();
      if (error instanceof ClusterTablesError) logger.error({ err: error, delayMs: delay }, 'not consuming: retrying');
      else logger.warn({ err: error, delayMs: delay }, 'ClickHouse not reachable yet, retrying');
      await pause(delay, starting.signal);
    }
  }
  return undefined;
}
