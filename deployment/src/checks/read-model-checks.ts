import type { DeployedService, DeploymentFile } from '../deployment-file.js';
import { commandArgs, officialImageProblems, serviceEnvironment } from './service-checks.js';
import { READ_MODEL_STORE, readModelStoreOf, readModelUrlOf } from '../deployment-services.js';

export type ReadModelStore = typeof READ_MODEL_STORE;

/**
 * The read model's store in a deployment file (compose: one server; swarm: each node of the Valkey cluster,
 * readModelStoreOf): the official Valkey image pinned to a version; run as a cache (no snapshots or append-only file,
 * a memory ceiling, and an allkeys-* policy so a full store evicts pages instead of refusing the consumers' writes);
 * not published; in the swarm one task per server (two behind one name would each hold part of the pages), replaced
 * stop-first, its ceiling below its memory limit. Every service given a READ_MODEL_URL names servers of the store
 * (one in standalone mode) with the store's READ_MODEL_MODE, and in compose none waits for it to be healthy: without
 * the store, reads go to ClickHouse. The cluster's own rules: valkey-cluster-checks.ts.
 */
export function readModelStoreProblems(file: DeploymentFile, store: ReadModelStore = READ_MODEL_STORE): string[] {
  const { mode, nodes } = readModelStoreOf(file.kind);
  const problems: string[] = [];
  for (const name of nodes) {
    const service = file.services[name];
    if (service === undefined) problems.push(`${name}: no such service`);
    else problems.push(...storeServiceProblems(file, name, service, store));
  }

  const expected = readModelUrlOf(file.kind);
  for (const [reader, deployed] of Object.entries(file.services)) {
    const env = serviceEnvironment(deployed);
    const value = env.READ_MODEL_URL;
    if (value === undefined) continue;
    const seeds = value.split(',').map((seed) => seed.trim());
    const wrongCount = mode === 'standalone' && seeds.length !== 1;
    if (wrongCount || !seeds.every((seed) => nodes.some((node) => pointsAt(seed, node, store.port))))
      problems.push(`${reader}: READ_MODEL_URL is ${value}, expected ${expected} (the store)`);
    if ((env.READ_MODEL_MODE ?? 'standalone') !== mode)
      problems.push(`${reader}: READ_MODEL_MODE is ${env.READ_MODEL_MODE ?? '(unset)'}, expected ${mode}`);
    for (const name of nodes) {
      const condition = deployed.depends_on?.[name]?.condition;
      if (file.kind === 'compose' && condition === 'service_healthy') {
        problems.push(`${reader}: waits for ${name} to be healthy; it works without the store (service_started)`);
      }
    }
  }
  return problems;
}

function storeServiceProblems(
  file: DeploymentFile,
  name: string,
  service: DeployedService,
  store: ReadModelStore,
): string[] {
  const problems = officialImageProblems(name, service.image, store.image);
  if ((service.ports ?? []).length > 0)
    problems.push(`${name}: publishes a port; only the services on the network reach the store`);

  const args = commandArgs(service.command);
  if (flagValue(args, '--save') !== '')
    problems.push(`${name}: saves snapshots (--save ""): a cache rebuilt from ClickHouse keeps nothing on disk`);
  const appendOnly = flagValue(args, '--appendonly');
  if (appendOnly !== undefined && appendOnly !== 'no')
    problems.push(`${name}: --appendonly ${appendOnly}, expected no (a cache keeps nothing on disk)`);
  const policy = flagValue(args, '--maxmemory-policy');
  if (policy === undefined || !policy.startsWith('allkeys-')) {
    problems.push(
      `${name}: --maxmemory-policy ${policy ?? 'noeviction (default)'}: a full store would refuse writes; expected allkeys-lru`,
    );
  }
  const maxMemory = valkeyBytes(flagValue(args, '--maxmemory'));
  if (maxMemory === undefined || maxMemory === 0)
    problems.push(`${name}: no --maxmemory: the store would grow until the container is killed`);

  const limit = dockerBytes(service.deploy?.resources?.limits?.memory);
  if (maxMemory !== undefined && limit !== undefined && maxMemory >= limit) {
    problems.push(
      `${name}: --maxmemory ${flagValue(args, '--maxmemory')} does not leave room below the memory limit ${service.deploy?.resources?.limits?.memory}`,
    );
  }
  if (file.kind === 'swarm') {
    const replicas = service.deploy?.replicas;
    if (replicas !== 1)
      problems.push(
        `${name}: deploy.replicas is ${replicas}, expected 1 (one store: several would each hold part of the pages)`,
      );
    const order = service.deploy?.update_config?.order;
    if (order !== 'stop-first')
      problems.push(`${name}: update_config.order is ${order}, expected stop-first (never two stores at once)`);
  }
  return problems;
}

function pointsAt(value: string | undefined, host: string, port: number): boolean {
  if (value === undefined || !URL.canParse(value)) return false;
  const url = new URL(value);
  return url.protocol === 'redis:' && url.hostname === host && Number(url.port === '' ? 6379 : url.port) === port;
}

/** The argument after a flag, or undefined when the flag is not given. */
export function flagValue(args: readonly string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index === -1 ? undefined : args[index + 1];
}

/** A Valkey memory setting in bytes: 1k = 1000, 1kb = 1024, likewise m/mb and g/gb; plain bytes otherwise. */
export function valkeyBytes(text: string | undefined): number | undefined {
  const match = /^(\d+)(k|kb|m|mb|g|gb)?$/i.exec(text?.trim() ?? '');
  if (match === null) return undefined;
  const units: Record<string, number> = { '': 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };
  return Number(match[1]) * (units[(match[2] ?? '').toLowerCase()] ?? 1);
}

/** A Docker memory size in bytes ("2G", "512m", "2147483648"; units are binary). */
export function dockerBytes(text: string | number | undefined): number | undefined {
  if (typeof text === 'number') return text;
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(text?.trim() ?? '');
  if (match === null) return undefined;
  const units: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
  return Number(match[1]) * (units[(match[2] ?? '').toLowerCase()] ?? 1);
}
