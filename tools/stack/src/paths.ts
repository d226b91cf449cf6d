import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Compiled to tools/stack/dist/src/, four levels below the repository root. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** What scripts/setup.sh downloads or builds (Kafka jars, k6, the Envoy validator); git-ignored. */
export const toolsDir = resolve(repoRoot, '.tools');

export const kafkaLibsDir = resolve(toolsDir, 'kafka/libs');

export function serviceEntry(service: string): string {
  return resolve(repoRoot, 'services', service, 'dist/src/server.js');
}
