import {
  clickhouseConnection,
  createClickHouseClient,
  createLogger,
  createMessageReader,
  createMessagesRepository,
  onShutdown,
} from '@badam/pipeline';
import { buildFastifyApp } from './app.js';
import { loadReadAppConfig } from './config.js';

const config = loadReadAppConfig();
const logger = createLogger('fastify', config.LOG_LEVEL);
const clickhouse = createClickHouseClient(clickhouseConnection(config));
const reader = createMessageReader(createMessagesRepository(clickhouse, config.CLICKHOUSE_TABLE));
const app = buildFastifyApp({ reader, logger });

onShutdown(logger, config.SHUTDOWN_GRACE_MS, async () => {
  await app.close();
  await clickhouse.close();
});

await app.listen({ host: config.HOST, port: config.PORT });
