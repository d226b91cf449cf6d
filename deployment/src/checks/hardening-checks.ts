import { publishedPorts, type DeploymentFile } from '../deployment-file.js';
import { repositoryOf } from './image-names.js';

/**
 * How each container is confined. Every service drops every Linux capability, asks for no-new-privileges and runs
 * with a read-only root filesystem, except where an image cannot (WRITABLE_ROOT says why). Images that start as root
 * and step down to their own user in the entrypoint need the capabilities dropped here to do so, so they are started
 * as that user directly (START_AS).
 */
const WRITABLE_ROOT: Readonly<Record<string, string>> = {
  redpanda: 'rpk rewrites /etc/redpanda/redpanda.yaml from its flags at every start',
};

/**
 * Official images whose entrypoint starts as root: the user each is started as instead (the image's own user). By
 * image, so every ClickHouse server, Keeper node and Valkey node of the swarm's clusters is held to it.
 */
const START_AS: Readonly<Record<string, string>> = {
  'clickhouse/clickhouse-server': '101:101',
  'clickhouse/clickhouse-keeper': '101:101',
  'valkey/valkey': '999:999',
  'envoyproxy/envoy': '101:101',
};

/** The services that may publish a port to every address, and which: the public gateway, and Grafana behind its login. */
const PUBLIC_PORTS: Readonly<Record<string, readonly number[]>> = {
  envoy: [8080],
  grafana: [3000],
};

/** The base name of a service: redpanda-0 in swarm is a redpanda broker like compose's redpanda. */
function role(name: string): string {
  return name.replace(/-\d+$/, '');
}

export function confinementProblems(file: DeploymentFile): string[] {
  return Object.entries(file.services).flatMap(([name, service]) => {
    const problems: string[] = [];
    if (!(service.cap_drop ?? []).includes('ALL'))
      problems.push(`${name}: does not drop every capability (cap_drop: [ALL])`);
    if (!(service.security_opt ?? []).includes('no-new-privileges:true')) {
      problems.push(`${name}: security_opt lacks no-new-privileges:true`);
    }
    if (service.read_only !== true && WRITABLE_ROOT[role(name)] === undefined) {
      problems.push(`${name}: root filesystem is writable (read_only: true, with a tmpfs where it must write)`);
    }
    const user = START_AS[repositoryOf(service.image)];
    if (user !== undefined && service.user !== user) {
      problems.push(`${name}: must start as ${user} (its entrypoint would switch users with the dropped capabilities)`);
    }
    if (service.user !== undefined && /^(0|root)(:|$)/.test(String(service.user)))
      problems.push(`${name}: runs as root`);
    return problems;
  });
}

/**
 * Ports reachable from other machines: only PUBLIC_PORTS. Compose may also publish on 127.0.0.1 (this machine only);
 * swarm has no such binding (a published port is open on every node), so there nothing else is published at all.
 */
export function publishedPortProblems(file: DeploymentFile): string[] {
  return Object.entries(file.services).flatMap(([name, service]) =>
    publishedPorts(service)
      .filter((port) => !port.loopbackOnly && !(PUBLIC_PORTS[name] ?? []).includes(port.published))
      .map((port) => `${name}: port ${port.published} is published to every address`),
  );
}

/** Swarm's overlay carries passwords and messages between nodes: it must be encrypted (IPsec). */
export function networkProblems(file: DeploymentFile): string[] {
  if (file.kind !== 'swarm') return [];
  return Object.entries(file.networks ?? {}).flatMap(([name, network]) =>
    network?.driver === 'overlay' && network.driver_opts?.encrypted !== 'true'
      ? [`network ${name}: overlay is not encrypted`]
      : [],
  );
}
