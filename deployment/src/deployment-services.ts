import type { ClickHouseRole } from '@badam/pipeline';
import { FLEET_ROLES } from '@badam/stack/fleet';

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
 * The read model's store: Valkey (BSD licensed) from its official image, one task, the server every READ_MODEL_URL
 * names. A cache the consumers and init's rebuild-read-model command refill from ClickHouse.
 */
export const READ_MODEL_STORE = {
  service: 'valkey',
  image: 'valkey/valkey',
  port: 6379,
} as const;

/** The ClickHouse role each service logs in as: the fleet's, and init, which migrates (as the native stack does). */
export const SERVICE_ROLES: Readonly<Record<string, ClickHouseRole>> = { ...FLEET_ROLES, init: 'migrator' };

/** Grafana's admin password: a Docker secret of this name (the other secrets: tools/stack/src/infra/stack-secrets.ts). */
export const GRAFANA_ADMIN_PASSWORD_SECRET = 'grafana_admin_password';

/** Services that run once and exit: init at every start, the load runner on demand. */
export const ONE_SHOT_SERVICES = ['init', LOAD_RUNNER.service] as const;
