import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { DeployedService, DeploymentFile } from '../deployment-file.js';

/** A host file or directory and where a container sees it. */
export interface Mount {
  source: string;
  target: string;
}

/**
 * What a service's containers get from the host: bind mounts (compose) and the files of its configs (swarm). The
 * tools print the sources as absolute paths.
 */
export function mountsOf(file: DeploymentFile, service: DeployedService): Mount[] {
  return [
    ...(service.volumes ?? []).flatMap((volume) => {
      if (typeof volume === 'string') {
        const [source = '', target = ''] = volume.split(':');
        return source.startsWith('/') ? [{ source, target }] : [];
      }
      return volume.type === 'bind' && volume.source !== undefined
        ? [{ source: volume.source, target: volume.target ?? '' }]
        : [];
    }),
    ...(service.configs ?? []).flatMap(({ source, target }) => {
      const path = file.configs?.[source]?.file;
      return path === undefined ? [] : [{ source: path, target: target ?? `/${source}` }];
    }),
  ];
}

/** The host files a deployment hands to its containers. */
function deliveredPaths(file: DeploymentFile): string[] {
  return Object.values(file.services).flatMap((service) => mountsOf(file, service).map(({ source }) => source));
}

/** Delivered paths that do not exist: Docker would mount an empty directory, or refuse to create the config. */
export function missingPaths(file: DeploymentFile): string[] {
  return deliveredPaths(file)
    .filter((path) => !existsSync(path))
    .map((path) => `${path} does not exist`);
}

/** Files the containers need that the deployment does not deliver (a new rules file, a new dashboard). */
export function undeliveredFiles(file: DeploymentFile, required: readonly string[]): string[] {
  const delivered = deliveredPaths(file);
  return required
    .filter((path) => !delivered.some((source) => path === source || path.startsWith(source + sep)))
    .map((path) => `${path} is not delivered to any container`);
}

/** Every file under a directory, recursively. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}
