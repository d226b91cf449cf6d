import type { DeploymentFile } from './deployment-file.js';
import { serviceEnvironment } from './service-checks.js';

interface EnvoyCluster {
  name?: string;
  load_assignment?: {
    endpoints?: { lb_endpoints?: { endpoint?: { address?: { socket_address?: { address?: string; port_value?: number } } } }[] }[];
  };
}

/** The cluster names and endpoints of envoy/envoy.yaml, and the clusters its routes send to. */
export function envoyClusters(envoy: unknown): { clusters: Map<string, string[]>; routed: string[] } {
  const bootstrap = envoy as {
    static_resources?: { clusters?: EnvoyCluster[]; listeners?: { filter_chains?: { filters?: { typed_config?: unknown }[] }[] }[] };
  };
  const clusters = new Map<string, string[]>();
  for (const cluster of bootstrap.static_resources?.clusters ?? []) {
    const endpoints = (cluster.load_assignment?.endpoints ?? [])
      .flatMap((locality) => locality.lb_endpoints ?? [])
      .map(({ endpoint }) => `${endpoint?.address?.socket_address?.address}:${endpoint?.address?.socket_address?.port_value}`);
    clusters.set(cluster.name ?? '', endpoints);
  }
  const routed = (bootstrap.static_resources?.listeners ?? [])
    .flatMap((listener) => listener.filter_chains ?? [])
    .flatMap((chain) => chain.filters ?? [])
    .flatMap((filter) => {
      const manager = filter.typed_config as { route_config?: { virtual_hosts?: { routes?: { route?: { cluster?: string } }[] }[] } };
      return (manager.route_config?.virtual_hosts ?? []).flatMap((host) => host.routes ?? []);
    })
    .flatMap((route) => (route.route?.cluster === undefined ? [] : [route.route.cluster]));
  return { clusters, routed };
}

/**
 * The one envoy.yaml serves compose and swarm: its clusters are exactly the routed services, each a service of the
 * file, reached at tasks.<service> on the port that service listens on. Swarm answers tasks.<service> itself;
 * compose needs the network alias.
 */
export function gatewayProblems(envoy: unknown, file: DeploymentFile, routedServices: readonly string[]): string[] {
  const { clusters, routed } = envoyClusters(envoy);
  const problems: string[] = [];
  const names = [...clusters.keys()].sort();
  if (names.join() !== [...routedServices].sort().join()) {
    problems.push(`envoy clusters are ${names.join(', ')}, expected ${[...routedServices].sort().join(', ')}`);
  }
  for (const cluster of routed.filter((name) => !clusters.has(name))) problems.push(`a route sends to ${cluster}, no such cluster`);
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
