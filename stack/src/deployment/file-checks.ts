import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { DeploymentFile } from './deployment-file.js';

/**
 * The host files a deployment hands to its containers: bind-mount sources (compose) and the files of the configs a
 * service uses (swarm). The tools print both as absolute paths.
 */
function deliveredPaths(file: DeploymentFile): string[] {
  return Object.values(file.services).flatMap((service) => [
    ...(service.volumes ?? []).flatMap((volume) => {
      if (typeof volume === 'string') {
        const source = volume.split(':')[0] ?? '';
        return source.startsWith('/') ? [source] : [];
      }
      return volume.type === 'bind' && volume.source !== undefined ? [volume.source] : [];
    }),
    ...(service.configs ?? []).flatMap(({ source }) => {
      const path = file.configs?.[source]?.file;
      return path === undefined ? [] : [path];
    }),
  ]);
}

/** Delivered paths that do not exist: Docker would mount an empty directory, or refuse to create the config. */
export function missingPaths(file: DeploymentFile): string[] {
  return deliveredPaths(file).filter((path) => !existsSync(path)).map((path) => `${path} does not exist`);
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
