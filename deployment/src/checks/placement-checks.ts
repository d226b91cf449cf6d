import type { DeployedService, DeploymentFile } from '../deployment-file.js';
import { placementConstraint } from '../swarm-topology.js';

/** The named volumes a service mounts (not tmpfs, not bind mounts). */
export function namedVolumesOf(service: DeployedService): { source: string; target: string }[] {
  return (service.volumes ?? []).flatMap((volume) =>
    typeof volume === 'object' && volume.type === 'volume' && volume.source !== undefined
      ? [{ source: volume.source, target: volume.target ?? '' }]
      : [],
  );
}

/**
 * Swarm volumes are local to a node: a service that keeps one (broker, Keeper node, ClickHouse replica, Valkey node,
 * Prometheus, Grafana) runs only on the node labelled for it (badam.<service>=true), or a task moved elsewhere starts
 * empty, and a replica would come back without its data; and no two services share a volume.
 */
export function placementProblems(file: DeploymentFile): string[] {
  if (file.kind !== 'swarm') return [];
  const problems: string[] = [];
  const owners = new Map<string, string>();
  for (const [name, service] of Object.entries(file.services)) {
    const volumes = namedVolumesOf(service);
    for (const { source } of volumes) {
      const owner = owners.get(source);
      if (owner !== undefined) problems.push(`${name}: shares volume ${source} with ${owner}`);
      owners.set(source, name);
    }
    const constraints = service.deploy?.placement?.constraints ?? [];
    if (volumes.length > 0 && !constraints.includes(placementConstraint(name)))
      problems.push(`${name}: keeps a volume but is not pinned to its node (constraint ${placementConstraint(name)})`);
  }
  return problems;
}

/** A service's own volume at a path: the data it must find again after a restart. */
export function dataVolumeProblems(name: string, service: DeployedService, dataDir: string): string[] {
  return namedVolumesOf(service).some(({ target }) => target === dataDir)
    ? []
    : [`${name}: no volume of its own at ${dataDir}`];
}
