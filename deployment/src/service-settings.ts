import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readAppSettings, type ClickHouseRole, type EnvSpec } from '@badam/pipeline';
import { FLEET_ROLES, READ_APPS } from '@badam/stack/fleet';
import { repoRoot } from '@badam/stack/paths';

/** The services the deployments run from this repository's images. */
export const NODE_SERVICES = ['init', 'producer', 'consumer', ...READ_APPS] as const;

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

/**
 * The settings spec each service reads at startup (the same objects its config module passes to readConfig), so a
 * deployment is checked against what the code reads, not against a copy of the list. The services are not
 * dependencies of this workspace: their compiled config modules are loaded from the built tree.
 */
export async function serviceSettings(): Promise<Record<string, EnvSpec>> {
  const specs: Record<string, EnvSpec> = {
    producer: await exported('producer', 'producerSettings'),
    consumer: await exported('consumer', 'consumerSettings'),
    // The init image has two more commands, rebuild-read-model and dead-letters, run with the init service's
    // environment (docs/DEPLOY.md): the service must carry what any of them reads.
    init: {
      ...(await exported('init', 'initSettings')),
      ...(await exported('init', 'rebuildReadModelSettings')),
      ...(await exported('init', 'deadLettersSettings')),
    },
  };
  for (const app of READ_APPS) specs[app] = readAppSettings;
  return specs;
}

async function exported(service: string, name: string): Promise<EnvSpec> {
  const path = resolve(repoRoot, 'services', service, 'dist/src/config.js');
  const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const spec = module[name];
  if (typeof spec !== 'object' || spec === null) throw new Error(`${path} does not export ${name}`);
  return spec as EnvSpec;
}
