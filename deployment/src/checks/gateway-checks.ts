import { KEEP_ALIVE_TIMEOUT_MS } from '@badam/pipeline';
import type { DeploymentFile } from '../deployment-file.js';
import { type EnvoyCluster, endpointsOf, envoyClusters } from './envoy-bootstrap.js';
import { serviceEnvironment } from './service-checks.js';

/**
 * The clusters of envoy/envoy.yaml that reach services: all but those on the container's loopback (Envoy's own
 * admin interface, behind the stats listener; gateway-exposure-checks.ts).
 */
function serviceClusters(envoy: unknown): EnvoyCluster[] {
  const onLoopback = (cluster: EnvoyCluster) => {
    const endpoints = endpointsOf(cluster);
    return endpoints.length > 0 && endpoints.every((endpoint) => endpoint.startsWith('127.0.0.1:'));
  };
  return envoyClusters(envoy).filter((cluster) => !onLoopback(cluster));
}

/**
 * The service cluster names and endpoints of envoy/envoy.yaml. That every route sends to a cluster that exists is
 * Envoy's own check (envoy/validate, run by the gateway tests).
 */
function serviceEndpoints(envoy: unknown): Map<string, string[]> {
  return new Map(serviceClusters(envoy).map((cluster) => [cluster.name ?? '', endpointsOf(cluster)]));
}

const HTTP_PROTOCOL_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

/** Each cluster's upstream idle timeout in milliseconds, undefined where it is not set (Envoy's default, 1 h). */
function idleTimeouts(envoy: unknown): Map<string, number | undefined> {
  const timeouts = new Map<string, number | undefined>();
  for (const cluster of serviceClusters(envoy)) {
    const idle =
      cluster.typed_extension_protocol_options?.[HTTP_PROTOCOL_OPTIONS]?.common_http_protocol_options?.idle_timeout;
    const match = /^(\d+(?:\.\d+)?)s$/.exec(idle ?? '');
    timeouts.set(cluster.name ?? '', match ? Number(match[1]) * 1000 : undefined);
  }
  return timeouts;
}

/**
 * The one envoy.yaml serves compose and swarm: its clusters are exactly the routed services, each a service of the
 * file, reached at tasks.<service> on the port that service listens on. Swarm answers tasks.<service> itself;
 * compose needs the network alias.
 */
export function gatewayProblems(envoy: unknown, file: DeploymentFile, routedServices: readonly string[]): string[] {
  const clusters = serviceEndpoints(envoy);
  const problems: string[] = [];
  const names = [...clusters.keys()].sort();
  if (names.join() !== [...routedServices].sort().join()) {
    problems.push(`envoy clusters are ${names.join(', ')}, expected ${[...routedServices].sort().join(', ')}`);
  }
  for (const [name, idle] of idleTimeouts(envoy)) {
    // Envoy's default (an hour) or anything not below the services' keep-alive lets Envoy reuse a connection the
    // service is closing: a send on it fails with a 503.
    if (idle === undefined || !(idle < KEEP_ALIVE_TIMEOUT_MS)) {
      problems.push(
        `envoy cluster ${name}: idle_timeout must be below the services' keep-alive (${KEEP_ALIVE_TIMEOUT_MS} ms)`,
      );
    }
  }
  for (const [name, endpoints] of clusters) {
    const service = file.services[name];
    if (service === undefined) {
      problems.push(`envoy cluster ${name} is not a service`);
      continue;
    }
    const expected = `tasks.${name}:${serviceEnvironment(service).PORT}`;
    if (endpoints.length !== 1 || endpoints[0] !== expected) {
      problems.push(`envoy cluster ${name} reaches ${endpoints.join(', ')}, expected ${expected}`);
    }
    const aliases = Object.values(service.networks ?? {}).flatMap((network) => network?.aliases ?? []);
    if (file.kind === 'compose' && !aliases.includes(`tasks.${name}`)) {
      problems.push(`${name}: no network alias tasks.${name} (envoy cluster ${name} resolves it)`);
    }
  }
  return problems;
}
