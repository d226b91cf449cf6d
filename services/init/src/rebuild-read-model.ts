import {
  clickhouseConnection,
  createLogger,
  createMessagesRepository,
  pageStoreConnection,
  rebuildReadModel,
} from '@badam/pipeline/core';
import { readStoreSettings } from '@badam/pipeline/store-consistency';
import { createClickHouseClient } from '@badam/pipeline/clickhouse-client';
import { createPageStore } from '@badam/pipeline/page-store';
import { loadRebuildReadModelConfig } from './config.js';

/**
 * Fills the read model from ClickHouse, every group: to warm an empty or lost store (which is only a cold cache:
 * reads miss and go to ClickHouse meanwhile). Safe while the consumers run: a page is written only if the store does
 * not hold the same or a newer version. Natively `npm run rebuild-read-model`; in Docker, docs/DEPLOY.md.
 */
const config = loadRebuildReadModelConfig();
const logger = createLogger('rebuild-read-model', config.LOG_LEVEL);
// Long requests: a chunk of thousands of groups per query, and a pipeline of as many writes.
const clickhouse = createClickHouseClient({
  ...clickhouseConnection(config),
  requestTimeoutMs: Math.max(config.CLICKHOUSE_TIMEOUT_MS, 60_000),
});
const store = createPageStore({
  ...pageStoreConnection(config),
  commandTimeoutMs: Math.max(config.READ_MODEL_TIMEOUT_MS, 10_000),
});
const started = Date.now();
try {
  await store.connected(10_000);
  // Pages read as the consumers read them (sequentially consistent on a replicated cluster): none older than stored.
  const { headsRead } = await readStoreSettings(clickhouse, config.CLICKHOUSE_CLUSTER, config.CLICKHOUSE_TIMEOUT_MS);
  const { groups, written, behind } = await rebuildReadModel(
    createMessagesRepository(clickhouse, config.CLICKHOUSE_TABLE, { pagesSettings: headsRead }),
    store,
    (groups, written) => {
      if (groups % 100_000 < 5000)
        logger.info({ groups, written, seconds: (Date.now() - started) / 1000 }, 'rebuilding');
    },
  );
  logger.info({ groups, written, behind, seconds: (Date.now() - started) / 1000 }, 'read model rebuilt');
} catch (error) {
  logger.error({ err: error }, 'rebuild failed');
  process.exitCode = 1;
} finally {
  await Promise.all([clickhouse.close(), store.close()]);
}
