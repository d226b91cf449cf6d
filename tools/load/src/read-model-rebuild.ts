import { resolve } from 'node:path';
import { readModelMode } from '@badam/stack/infra/read-model-store';
import { READ_MODEL_PASSWORD_SECRET, stackSecrets } from '@badam/stack/infra/stack-secrets';
import { run } from '@badam/stack/process/managed-process';
import { repoRoot } from '@badam/stack/paths';
import { stackClickHouse, type StackConfig } from '@badam/stack/stack-config';

/**
 * Runs init's rebuild-read-model against the native stack: reads as its administrator (default user, 127.0.0.1), writes
 * the store with the stack's password (its secrets folder), as the init image does in Docker with its secrets.
 * Returns the command's last log line (groups written, seconds).
 */
export async function rebuildStackReadModel(config: StackConfig, table: string): Promise<string> {
  const log = await run(process.execPath, [resolve(repoRoot, 'services/init/dist/src/rebuild-read-model.js')], {
    env: {
      CLICKHOUSE_URL: stackClickHouse(config).url,
      CLICKHOUSE_TABLE: table,
      // The server, or a cluster's first node: a seed from which the client learns the others.
      READ_MODEL_URL: `redis://127.0.0.1:${config.BADAM_READ_MODEL_PORT}`,
      READ_MODEL_MODE: readModelMode(config.BADAM_READ_MODEL_TOPOLOGY),
      READ_MODEL_PASSWORD_FILE: stackSecrets(config.BADAM_DATA_DIR).path(READ_MODEL_PASSWORD_SECRET),
    },
  });
  return log.trim().split('\n').at(-1) ?? '';
}
