import {
  clickhouseSettings,
  int,
  kafkaSettings,
  readConfig,
  readModelSettings,
  str,
  topicSettings,
} from '@badam/pipeline/core';

export const initSettings = {
  ...kafkaSettings,
  ...topicSettings,
  ...clickhouseSettings,
  LOG_LEVEL: str('pino log level', { default: 'info' }),
  INIT_TIMEOUT_MS: int('give up after this long, ms', { default: 180_000, min: 1000, max: 3_600_000 }),
} as const;

export function loadInitConfig(env: NodeJS.ProcessEnv = process.env) {
  return readConfig(initSettings, env);
}

/** The image's second command, rebuild-read-model, run with the same environment as init. */
export const rebuildReadModelSettings = {
  ...clickhouseSettings,
  ...readModelSettings,
  LOG_LEVEL: initSettings.LOG_LEVEL,
} as const;

export function loadRebuildReadModelConfig(env: NodeJS.ProcessEnv = process.env) {
  return readConfig(rebuildReadModelSettings, env);
}

/** The image's fourth command, move-to-cluster: the same ClickHouse settings as init (CLICKHOUSE_CLUSTER required). */
export const moveToClusterSettings = {
  ...clickhouseSettings,
  LOG_LEVEL: initSettings.LOG_LEVEL,
} as const;

export function loadMoveToClusterConfig(env: NodeJS.ProcessEnv = process.env) {
  return readConfig(moveToClusterSettings, env);
}

/**
 * The image's third command, dead-letters: lists or replays the dead-letter topic, asking ClickHouse (reads only) which
 * records set aside were stored after all.
 */
export const deadLettersSettings = {
  ...kafkaSettings,
  ...clickhouseSettings,
  LOG_LEVEL: initSettings.LOG_LEVEL,
} as const;

export function loadDeadLettersConfig(env: NodeJS.ProcessEnv = process.env) {
  return readConfig(deadLettersSettings, env);
}

/**
 * Everything the init image reads, whichever of its commands runs: the init service of a deployment carries these
 * (docs/DEPLOY.md runs rebuild-read-model and dead-letters with the init service's environment).
 */
export const initImageSettings = {
  ...initSettings,
  ...rebuildReadModelSettings,
  ...deadLettersSettings,
  ...moveToClusterSettings,
} as const;
