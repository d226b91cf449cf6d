import { ConfigError, type ConfigOf } from './env.js';
import { redisDatabase } from './env-vars.js';
import type { readModelSettings } from './shared-settings.js';

/**
 * The page of group G of table T is at key `T:G`: tables (and so test runs) can share one store. A cluster spreads
 * those keys over its nodes by hash slot; every command touches one key, so no hash tag is needed. Checks what one
 * setting alone cannot: a standalone store is one server, and a cluster has only database 0.
 */
export function pageStoreConnection(
  config: Pick<
    ConfigOf<typeof readModelSettings>,
    'READ_MODEL_URL' | 'READ_MODEL_MODE' | 'READ_MODEL_PASSWORD' | 'READ_MODEL_TIMEOUT_MS'
  > & { CLICKHOUSE_TABLE: string },
) {
  const problems: string[] = [];
  const urls = config.READ_MODEL_URL;
  if (config.READ_MODEL_MODE === 'standalone' && urls.length > 1) {
    problems.push(
      `READ_MODEL_URL: names ${urls.length} servers, but READ_MODEL_MODE is standalone (one server); set READ_MODEL_MODE=cluster for a cluster's seed nodes`,
    );
  }
  if (config.READ_MODEL_MODE === 'cluster') {
    for (const url of urls.filter((item) => redisDatabase(item) !== 0)) {
      problems.push(
        `READ_MODEL_URL: ${url} names database ${redisDatabase(url)}, but a cluster (READ_MODEL_MODE=cluster) has only database 0`,
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    urls,
    mode: config.READ_MODEL_MODE,
    password: config.READ_MODEL_PASSWORD,
    keyPrefix: `${config.CLICKHOUSE_TABLE}:`,
    commandTimeoutMs: config.READ_MODEL_TIMEOUT_MS,
  };
}
