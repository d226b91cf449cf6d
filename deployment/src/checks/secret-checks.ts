import { posix } from 'node:path';
import { clickhousePasswordSecret, type ClickHouseRole } from '@badam/pipeline';
import { SECRETS_DIR, type DeployedService, type DeploymentFile } from '../deployment-file.js';
import { mountsOf } from './file-checks.js';
import { commandArgs, serviceEnvironment } from './service-checks.js';
import { servicesRunning } from './image-names.js';

/**
 * Passwords in the deployment files: none written in them. Each is a Docker secret (swarm: created beforehand, so a
 * deploy without it fails; compose: a git-ignored file under secrets/), reaches a container as a file under
 * /run/secrets, and is named by a *_FILE variable. (Which role and which secret each of our services uses is
 * generated: deployment-values.ts.) Grafana asks everyone to log in.
 */
export interface SecretExpectations {
  /** The ClickHouse role of each service that reaches ClickHouse: the server needs each one's secret. */
  roles: Readonly<Record<string, ClickHouseRole>>;
  /** Where every ClickHouse server (each service of the image) must have the roles file and the entrypoint. */
  clickhouse: {
    image: string;
    roles: { source: string; target: string };
    entrypoint: { source: string; target: string };
  };
  /** The read model store's password's secret (its servers: readModelStoreOf). */
  store: { passwordSecret: string };
  /** Grafana and its admin password's secret. */
  grafana: { service: string; passwordSecret: string };
  /** compose: the folder the secrets' files must be in (git-ignored). */
  composeSecretsDir: string;
}

/** A variable that would hold a secret itself rather than name its file. */
const SECRET_NAME = /PASSWORD|SECRET|TOKEN/i;

/** Where each secret of a service appears in its containers. */
export function secretMounts(service: DeployedService): { source: string; target: string }[] {
  return (service.secrets ?? []).map(({ source, target }) => ({
    source,
    target: posix.resolve(SECRETS_DIR, target ?? source),
  }));
}

/** No variable holds a password (only *_FILE ones, naming a file), and no URL carries one. Values are never shown. */
export function passwordValueProblems(file: DeploymentFile): string[] {
  return Object.entries(file.services).flatMap(([name, service]) =>
    Object.entries(serviceEnvironment(service)).flatMap(([key, value]) => {
      if (SECRET_NAME.test(key) && !key.endsWith('_FILE'))
        return [`${name}: ${key} is set in the file; a secret goes in a Docker secret, named by a *_FILE variable`];
      if (value !== undefined && URL.canParse(value) && new URL(value).password !== '')
        return [`${name}: ${key} carries a password in its URL`];
      return [];
    }),
  );
}

/**
 * Every *_FILE variable names a secret its service mounts, declared at the top of the file: in swarm created beforehand
 * (external), in compose a file in the secrets folder.
 */
export function secretFileProblems(
  file: DeploymentFile,
  expected: Pick<SecretExpectations, 'composeSecretsDir'>,
): string[] {
  const problems: string[] = [];
  for (const [name, declared] of Object.entries(file.secrets ?? {})) {
    if (file.kind === 'swarm' && declared.external !== true)
      problems.push(`secret ${name}: not external (created with docker secret create)`);
    if (file.kind === 'compose' && posix.dirname(declared.file ?? '') !== expected.composeSecretsDir) {
      problems.push(`secret ${name}: file ${declared.file ?? '(none)'} is not in ${expected.composeSecretsDir}`);
    }
  }
  for (const [name, service] of Object.entries(file.services)) {
    const mounts = secretMounts(service);
    for (const { source } of mounts) {
      if (file.secrets?.[source] === undefined)
        problems.push(`${name}: mounts secret ${source}, which the file does not declare`);
    }
    for (const [key, value] of Object.entries(serviceEnvironment(service))) {
      if (!key.endsWith('_FILE') || value === undefined) continue;
      if (!mounts.some(({ target }) => target === value))
        problems.push(`${name}: ${key} is ${value}, not a secret the service mounts`);
    }
  }
  return problems;
}

/** The secret a service's *_FILE variable points at, by the mount whose target it names. */
function secretNamedBy(service: DeployedService, variable: string): string | undefined {
  const path = serviceEnvironment(service)[variable];
  return secretMounts(service).find(({ target }) => target === path)?.source;
}

/**
 * Every ClickHouse server (compose: the one; swarm: each replica of the cluster) loads the roles file through its
 * entrypoint wrapper, has every role's secret, and is not given CLICKHOUSE_USER or CLICKHOUSE_PASSWORD (with them the
 * image would replace the default user by one open to the network).
 */
export function clickhouseRoleProblems(
  file: DeploymentFile,
  expected: Pick<SecretExpectations, 'roles' | 'clickhouse'>,
): string[] {
  const { image, roles, entrypoint } = expected.clickhouse;
  const servers = servicesRunning(file, image);
  if (servers.length === 0) return [`no service runs ${image}`];
  return servers.flatMap((serverName) => {
    const server = file.services[serverName] ?? {};
    const problems: string[] = [];
    const mounts = mountsOf(file, server);
    for (const wanted of [roles, entrypoint]) {
      if (!mounts.some(({ source, target }) => source === wanted.source && target === wanted.target)) {
        problems.push(`${serverName}: ${wanted.source} is not mounted at ${wanted.target}`);
      }
    }
    if (!commandArgs(server.entrypoint).includes(entrypoint.target)) {
      problems.push(`${serverName}: entrypoint does not run ${entrypoint.target} (the roles would have no passwords)`);
    }
    const mounted = secretMounts(server).map(({ source }) => source);
    for (const role of new Set(Object.values(expected.roles))) {
      if (!mounted.includes(clickhousePasswordSecret(role)))
        problems.push(`${serverName}: does not mount secret ${clickhousePasswordSecret(role)}`);
    }
    const env = serviceEnvironment(server);
    for (const key of ['CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD']) {
      if (env[key] !== undefined)
        problems.push(
          `${serverName}: ${key} is set: the image would replace the default user by one open to the network`,
        );
    }
    return problems;
  });
}

/** Grafana: everyone logs in (no anonymous viewers, who could run any query), the admin password from its secret. */
export function grafanaProblems(file: DeploymentFile, expected: Pick<SecretExpectations, 'grafana'>): string[] {
  const { service: name, passwordSecret } = expected.grafana;
  const grafana = file.services[name];
  if (grafana === undefined) return [`${name}: no such service`];
  const env = serviceEnvironment(grafana);
  const problems: string[] = [];
  if ((env.GF_AUTH_ANONYMOUS_ENABLED ?? 'false').toLowerCase() !== 'false')
    problems.push(`${name}: anonymous access is on (GF_AUTH_ANONYMOUS_ENABLED)`);
  const secret = secretNamedBy(grafana, 'GF_SECURITY_ADMIN_PASSWORD__FILE');
  if (secret !== passwordSecret)
    problems.push(
      `${name}: GF_SECURITY_ADMIN_PASSWORD__FILE is secret ${secret ?? '(none)'}, expected ${passwordSecret}`,
    );
  return problems;
}
