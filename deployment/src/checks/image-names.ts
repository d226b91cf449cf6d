import type { DeploymentFile } from '../deployment-file.js';

/** An image reference without its tag or digest, and without docker.io/(library/). */
export function repositoryOf(image: string | undefined): string {
  return (image ?? '').replace(/^docker\.io\/(library\/)?/, '').replace(/[:@].*$/, '');
}

/** The services of a file that run an image (official name, any tag). */
export function servicesRunning(file: DeploymentFile, repository: string): string[] {
  return Object.entries(file.services)
    .filter(([, service]) => repositoryOf(service.image) === repository)
    .map(([name]) => name);
}
