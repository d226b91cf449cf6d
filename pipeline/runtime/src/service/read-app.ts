import { pageStoreConnection } from '../config/page-store-connection.js';
import { clickhouseConnection, readAppSettings } from '../config/shared-settings.js';
import { readConfig, type ConfigOf } from '../config/env.js';
import { createClickHouseClient } from '../clickhouse/client.js';
import { createMessageReader, type MessageReader } from './message-reader.js';
import { createMessagesRepository } from '../clickhouse/messages-repository.js';
import { createClickHouseMetrics, createReadModelMetrics } from '../metrics/pipeline-metrics.js';
import { reportFailovers } from './failover-report.js';
import { createPageCache } from '../read-model/page-cache.js';
import { createPageStore } from '../read-model/page-store.js';
import { createServiceMetrics, type ServiceMetrics } from '../metrics/service-metrics.js';
import { createAdmission } from './admission.js';
import { createLogger, type Logger } from './logger.js';
import { onShutdown } from './shutdown.js';
import { createGatewayDrain } from './gateway-drain.js';

export type ReadAppConfig = ConfigOf<typeof readAppSettings>;

/** What each read app's builder takes: the shared reader, and where to log and record. */
export interface ReadAppOptions {
  reader: MessageReader;
  logger: Logger;
  metrics: ServiceMetrics;
}

export interface ReadAppContext extends ReadAppOptions {
  config: ReadAppConfig;
}

/** What a framework adapter hands back once it listens. */
export interface RunningServer {
  /** Stops accepting connections and resolves when in-flight requests are answered. */
  close(): Promise<void>;
}

/**
 * The process around each read app (fastify, hapi, restify), so the three differ only in their framework code:
 * config checked at startup, the ClickHouse client, the read model and the shared reader, one shutdown path.
 */
export async function runReadApp(name: string, start: (context: ReadAppContext) => Promise<RunningServer>) {
  const config = readConfig(readAppSettings);
  const logger = createLogger(name, config.LOG_LEVEL);
  const metrics = createServiceMetrics(name);
  const clickhouse = createClickHouseClient(clickhouseConnection(config), reportFailovers(metrics.registry, logger));
  const repository = createMessagesRepository(clickhouse, config.CLICKHOUSE_TABLE, {
    metrics: createClickHouseMetrics(metrics.registry),
  });
  const store = createPageStore(pageStoreConnection(config));
  const pages = createPageCache(store, {
    retryAfterMs: config.READ_MODEL_RETRY_MS,
    metrics: createReadModelMetrics(metrics.registry),
  });
  const drain = createGatewayDrain(config);
  const reader = createMessageReader(repository, pages, createAdmission(config.MAX_IN_FLIGHT), drain);
  const server = await start({ reader, logger, metrics, config });
  logger.info({ host: config.HOST, port: config.PORT }, 'listening');
  onShutdown(logger, config.SHUTDOWN_GRACE_MS, async () => {
    await drain.leaveRotation();
    await server.close();
    await Promise.all([clickhouse.close(), store.close()]);
  });
}
