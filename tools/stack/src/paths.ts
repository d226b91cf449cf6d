import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Compiled to tools/stack/dist/src/, four levels below the repository root. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** What scripts/setup.sh downloads or builds (Kafka jars, k6, the Envoy validator); git-ignored. */
export const toolsDir = resolve(repoRoot, '.tools');

export const kafkaLibsDir = resolve(toolsDir, 'kafka/libs');

/** ZooKeeper's jars (zookeeper/pom.xml), for the replicated and sharded topologies. */
export const zookeeperLibsDir = resolve(toolsDir, 'zookeeper/libs');

export function serviceEntry(service: string): string {
  return resolve(repoRoot, 'services', service, 'dist/src/server.js');
}

/**
 * The workspaces of the repository at `root`, as its package.json lists them ("workspaces"; a trailing `/*` is every
 * folder under it), so the test runner, the layer check and the
 * deployment checks follow that one list.
 */
export function workspaceFolders(root = repoRoot): string[] {
  const { workspaces } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { workspaces: string[] };
  return workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return existsSync(resolve(root, pattern)) ? [pattern] : [];
    const parent = pattern.slice(0, -2);
    if (!existsSync(resolve(root, parent))) return [];
    return readdirSync(resolve(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${parent}/${entry.name}`);
  });
}
