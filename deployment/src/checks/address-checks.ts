import { brokersOf, type DeploymentFile } from '../deployment-file.js';
import { serviceEnvironment } from './service-checks.js';

/**
 * The broker, database and read model addresses each service is given name services of the same file (service
 * names, hostnames, network aliases): the environment is generated from a table (deployment-values.ts), the services
 * are written by hand, and a renamed one would leave its clients knocking at nothing.
 */
export function addressProblems(file: DeploymentFile): string[] {
  const hosts = knownHosts(file);
  return Object.entries(file.services).flatMap(([name, service]) =>
    dependencyHosts(serviceEnvironment(service))
      .filter((host) => !hosts.has(host))
      .map((host) => `${name}: ${host} is not a service of this file`),
  );
}

/** The names a container of this file can reach: service names, hostnames, network aliases. */
function knownHosts(file: DeploymentFile): Set<string> {
  return new Set(
    Object.entries(file.services).flatMap(([name, service]) => [
      name,
      ...(service.hostname === undefined ? [] : [service.hostname]),
      ...Object.values(service.networks ?? {}).flatMap((network) => network?.aliases ?? []),
    ]),
  );
}

function dependencyHosts(env: Record<string, string | undefined>): string[] {
  const hosts = brokersOf(env).map((broker) => broker.slice(0, broker.lastIndexOf(':')));
  // READ_MODEL_URL lists a cluster's seed nodes, comma-separated.
  const seeds = (env.READ_MODEL_URL ?? '').split(',').map((seed) => seed.trim());
  // CLICKHOUSE_URL lists a cluster's servers, comma-separated, too.
  const servers = (env.CLICKHOUSE_URL ?? '').split(',').map((server) => server.trim());
  for (const url of [...servers, ...seeds]) {
    if (url !== undefined && URL.canParse(url)) hosts.push(new URL(url).hostname);
  }
  return hosts;
}
