import type { ClickHouseRole } from '@badam/pipeline';
import { FLEET_ROLES } from '@badam/stack/fleet';
import { VALKEY_CLUSTER } from './swarm-topology.js';

/**
 * The load runner: k6 (AGPL) only from its official image, never fetched or built on our machines. It runs the
 * entry script from the k6/ folder mounted at mountPoint; compose starts it only in its profile.
 */
export const LOAD_RUNNER = {
  service: 'k6',
  image: 'grafana/k6',
  profile: 'load',
  mountPoint: '/scripts',
  entry: 'scenario.js',
} as const;

/**
 * The read model's store: Valkey (BSD licensed) from its official image, a cache the consumers and init's
 * rebuild-read-model command refill from ClickHouse. In compose one server (service); in the swarm a Valkey cluster
 * (swarm-topology.ts VALKEY_CLUSTER). READ_MODEL_URL names its servers.
 */
export const READ_MODEL_STORE = {
  service: 'valkey',
  image: 'valkey/valkey',
  port: 6379,
} as const;

/** The store's servers in a deployment, and the READ_MODEL_MODE its clients use. */
export function readModelStoreOf(kind: 'compose' | 'swarm'): {
  mode: 'standalone' | 'cluster';
  nodes: readonly string[];
} {
  return kind === 'swarm'
    ? { mode: 'cluster', nodes: VALKEY_CLUSTER.nodes }
    : { mode: 'standalone', nodes: [READ_MODEL_STORE.service] };
}

/** READ_MODEL_URL in a deployment: the server, or every cluster node as a seed (any one answers with the slot map). */
export function readModelUrlOf(kind: 'compose' | 'swarm'): string {
  return readModelStoreOf(kind)
    .nodes.map((node) => `redis://${node}:${READ_MODEL_STORE.port}`)
    .join(',');
}

/** The ClickHouse role each service logs in as: the fleet's, and init, which migrates (as the native stack does). */
export const SERVICE_ROLES: Readonly<Record<string, ClickHouseRole>> = { ...FLEET_ROLES, init: 'migrator' };

/** Grafana's admin password: a Docker secret of this name (the other secrets: tools/stack/src/infra/stack-secrets.ts). */
export const GRAFANA_ADMIN_PASSWORD_SECRET = 'grafana_admin_password';

/** Services that run once and exit: init at every start, the load runner on demand. */
export const ONE_SHOT_SERVICES = ['init', LOAD_RUNNER.service] as const;

/** A deployment's one-shots: in the swarm also the job that forms the Valkey cluster. */
export function oneShotServicesOf(kind: 'compose' | 'swarm'): readonly string[] {
  return kind === 'swarm' ? [...ONE_SHOT_SERVICES, VALKEY_CLUSTER.creator] : ONE_SHOT_SERVICES;
}
