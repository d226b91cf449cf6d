import { envoyOutcome } from '@badam/gateway';
import { READ_APPS } from '@badam/stack/fleet';
import { publishedPorts, type DeploymentFile } from '../deployment-file.js';
import { type EnvoyBootstrap, endpointsOf, envoyClusters, listenerPort } from './envoy-bootstrap.js';

/**
 * What the gateway lets clients reach, read from envoy.yaml and the deployment files: the public API and nothing
 * else. The lists below are the assignment's API, written out here rather than taken from envoy/routes.json, so a
 * route added there that opens more (a service's /metrics) fails these checks.
 */
const PUBLIC_API: readonly { method: string; path: string; service: string }[] = [
  { method: 'POST', path: '/producer/messages', service: 'producer' },
  ...READ_APPS.map((app) => ({ method: 'GET', path: `/${app}/groups/42/messages?limit=10&before=99`, service: app })),
];

/** Requests that must not be forwarded to any service: each routed service's own pages, other paths and methods. */
function notPublic(services: readonly string[]): [string, string][] {
  return [
    ...services.flatMap((service): [string, string][] => [
      ['GET', `/${service}/metrics`],
      ['GET', `/${service}/health`],
      ['GET', `/${service}/live`],
      ['GET', `/${service}/`],
      ['GET', `/${service}/admin`],
    ]),
    ...READ_APPS.flatMap((app): [string, string][] => [
      ['POST', `/${app}/groups/42/messages`],
      ['GET', `/${app}/groups/42`],
      ['GET', `/${app}/groups/42/messages/7`],
    ]),
    ['GET', '/producer/messages'],
    ['POST', '/producer/messages/7'],
    ['GET', '/stats/prometheus'],
  ];
}

/** Admin pages that must not be forwarded from the stats listener, which serves GET /stats/prometheus only. */
const ADMIN_PAGES: readonly [string, string][] = [
  ['GET', '/ready'],
  ['GET', '/stats'],
  ['GET', '/config_dump'],
  ['GET', '/clusters'],
  ['POST', '/quitquitquit'],
  ['POST', '/runtime_modify'],
  ['POST', '/logging'],
  ['POST', '/stats/prometheus'],
];

const STATS_PATH = '/stats/prometheus';

/**
 * envoy.yaml: the admin interface on loopback; the gateway listener forwarding the public API, each call to its
 * service, and nothing else; the stats listener forwarding GET /stats/prometheus to the admin interface and nothing else.
 */
export function envoyExposureProblems(envoy: unknown, routedServices: readonly string[]): string[] {
  const problems: string[] = [];
  const admin = (envoy as EnvoyBootstrap).admin?.address?.socket_address;
  if (admin?.address !== '127.0.0.1') {
    problems.push(
      `envoy admin listens on ${admin?.address}:${admin?.port_value}, expected 127.0.0.1 (the container's loopback only)`,
    );
  }
  for (const { method, path, service } of PUBLIC_API) {
    const outcome = envoyOutcome(envoy, 'gateway', method, path);
    if (!('forwardedTo' in outcome) || outcome.forwardedTo !== service) {
      problems.push(`envoy gateway: ${method} ${path} is ${JSON.stringify(outcome)}, expected forwarded to ${service}`);
    }
  }
  for (const [method, path] of notPublic(routedServices)) {
    const outcome = envoyOutcome(envoy, 'gateway', method, path);
    if ('forwardedTo' in outcome)
      problems.push(`envoy gateway: ${method} ${path} is forwarded to ${outcome.forwardedTo}, not the public API`);
  }
  const statsTarget = envoyOutcome(envoy, 'stats', 'GET', STATS_PATH);
  const adminCluster =
    'forwardedTo' in statsTarget
      ? endpointsOf(envoyClusters(envoy).find((cluster) => cluster.name === statsTarget.forwardedTo))
      : [];
  if (admin === undefined || adminCluster.join() !== `${admin.address}:${admin.port_value}`) {
    problems.push(
      `envoy stats listener: GET ${STATS_PATH} is ${JSON.stringify(statsTarget)} (${adminCluster.join(', ')}), expected the admin interface`,
    );
  }
  for (const [method, path] of ADMIN_PAGES) {
    const outcome = envoyOutcome(envoy, 'stats', method, path);
    if ('forwardedTo' in outcome)
      problems.push(`envoy stats listener: ${method} ${path} is forwarded to ${outcome.forwardedTo}`);
  }
  return problems;
}

/**
 * The Envoy service of a deployment file publishes the gateway listener and nothing else (the stats listener and the
 * admin interface stay off the host). In swarm, the port is published in host mode on every node (a global service):
 * the ingress routing mesh would hide each client's address behind its own, and the per-client limit with it.
 */
export function envoyPublishingProblems(file: DeploymentFile, envoy: unknown, gatewayService = 'envoy'): string[] {
  const service = file.services[gatewayService];
  if (service === undefined) return [`${gatewayService}: no such service`];
  const gatewayPort = listenerPort(envoy, 'gateway');
  const problems: string[] = [];
  const published = publishedPorts(service);
  const targets = published.map((port) => port.target);
  if (targets.join() !== String(gatewayPort)) {
    problems.push(
      `${gatewayService}: publishes container ports ${targets.join(', ') || 'none'}, expected only the gateway listener's ${gatewayPort}`,
    );
  }
  if (file.kind === 'swarm') {
    for (const port of published.filter((p) => p.mode !== 'host')) {
      problems.push(
        `${gatewayService}: port ${port.target} is published through the ingress mesh (mode ${port.mode ?? 'ingress'}), which hides client addresses; expected mode host`,
      );
    }
    if (service.deploy?.mode !== 'global') {
      problems.push(
        `${gatewayService}: deploy.mode is ${service.deploy?.mode ?? 'replicated'}, expected global (a host-mode port on every node)`,
      );
    }
  }
  return problems;
}

/** Prometheus (prometheus.swarm.yml) scrapes Envoy's stats listener: the admin interface is not on the network. */
export function envoyScrapeProblems(prometheus: unknown, envoy: unknown): string[] {
  const jobs = (
    prometheus as {
      scrape_configs?: { job_name?: string; metrics_path?: string; dns_sd_configs?: { port?: number }[] }[];
    }
  ).scrape_configs;
  const job = jobs?.find((j) => j.job_name === 'envoy');
  if (job === undefined) return ['prometheus: no envoy scrape job'];
  const statsPort = listenerPort(envoy, 'stats');
  const ports = (job.dns_sd_configs ?? []).map((sd) => sd.port);
  const problems: string[] = [];
  if (ports.length === 0 || ports.some((port) => port !== statsPort)) {
    problems.push(
      `prometheus: the envoy job scrapes port ${ports.join(', ')}, expected the stats listener's ${statsPort}`,
    );
  }
  if (job.metrics_path !== STATS_PATH)
    problems.push(`prometheus: the envoy job's metrics_path is ${job.metrics_path}, expected ${STATS_PATH}`);
  return problems;
}
