import type { DeploymentFile } from './deployment-file.js';
import { serviceEnvironment } from './service-checks.js';

interface EnvoyCluster {
  name?: string;
  load_assignment?: {
    endpoints?: { lb_endpoints?: { endpoint?: { address?: { socket_address?: { address?: string; port_value?: number } } } }[] }[];
  };
}

/**
 * The cluster names and endpoints of envoy/envoy.yaml. That every route sends to a cluster that exists is Envoy's own
 * check (envoy/validate, run by the gateway tests).
 */
function envoyClusters(envoy: unknown): Map<string, string[]> {
  const bootstrap = envoy as { static_resources?: { clusters?: EnvoyCluster[] } };
  const clusters = new Map<string, string[]>();
  for (const cluster of bootstrap.static_resources?.clusters ?? []) {
    const endpoints = (cluster.load_assignment?.endpoints ?? [])
      .flatMap((locality) => locality.lb_endpoints ?? [])
      .map(({ endpoint }) => `${endpoint?.address?.socket_address?.address}:${endpoint?.address?.socket_address?.port_value}`);
    clusters.set(cluster.name ?? '', endpoints);
  }
  return clusters;
}

/**
 * The one envoy.yaml serves compose and swarm: its clusters are exactly the routed services, each a service of the
 * file, reached at tasks.<service> on the port that service listens on. Swarm answers tasks.<service> itself;
 * compose needs the network alias.
 */
export function gatewayProblems(envoy: unknown, file: DeploymentFile, routedServices: readonly string[]): string[] {
  const clusters = envoyClusters(envoy);
  const problems: string[] = [];
  const names = [...clusters.keys()].sort();
  if (names.join() !== [...routedServices].sort().join()) {
    problems.push(`envoy clusters are ${names.join(', ')}, expected ${[...routedServices].sort().join(', ')}`);
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

/** The port of envoy.yaml's listener named "gateway": where clients, and the load runner, reach the gateway. */
export function gatewayPort(envoy: unknown): number | undefined {
  const bootstrap = envoy as {
    static_resources?: { listeners?: { name?: string; address?: { socket_address?: { port_value?: number } } }[] };
  };
  const listener = bootstrap.static_resources?.listeners?.find(({ name }) => name === 'gateway');
  return listener?.address?.socket_address?.port_value;
}
