import { existsSync, readFileSync } from 'node:fs';
import { dirname, posix, relative, resolve, sep } from 'node:path';
import type { DeployedService, DeploymentFile } from '../deployment-file.js';
import { mountsOf } from './file-checks.js';
import { commandArgs, officialImageProblems, serviceEnvironment } from './service-checks.js';
import { LOAD_RUNNER } from '../deployment-services.js';

/**
 * The files k6 loads for a script: the script, every module it imports by relative path and every file it open()s,
 * recursively, each resolved against the file that names it as k6 does (`k6/...` modules are built into k6). Files
 * that do not exist are listed too, so a check reports them.
 */
export function scriptFiles(entry: string): string[] {
  const files = new Set<string>();
  const visit = (path: string): void => {
    if (files.has(path)) return;
    files.add(path);
    if (!path.endsWith('.js') || !existsSync(path)) return;
    const source = readFileSync(path, 'utf8');
    for (const [, , name] of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\bopen\(\s*)(['"])(\.\.?\/[^'"]+)\1/g)) {
      visit(resolve(dirname(path), name ?? ''));
    }
  };
  visit(entry);
  return [...files];
}

export interface LoadRunnerTarget {
  /** The host folder mounted at LOAD_RUNNER.mountPoint (k6/). */
  scriptsDir: string;
  /** The gateway service and the port its listener uses: the runner goes through it, as users do. */
  gateway: string;
  gatewayPort: number | undefined;
}

/** Where a container of the service sees a host file, through a bind mount of it or of a folder above it, or a config. */
function containerPaths(file: DeploymentFile, service: DeployedService, hostPath: string): string[] {
  return mountsOf(file, service).flatMap(({ source, target }) => {
    if (hostPath === source) return [target];
    if (hostPath.startsWith(source + sep)) return [posix.join(target, ...relative(source, hostPath).split(sep))];
    return [];
  });
}

/**
 * The load runner of a deployment file: the official k6 image pinned to a version, never started by a deploy
 * (compose: only in its profile; swarm: 0 replicas and no restart, so one run starts when scaled to 1 and ends),
 * running the entry script against the gateway, with every file the script loads at its path under the mount point.
 */
export function loadRunnerProblems(file: DeploymentFile, target: LoadRunnerTarget): string[] {
  const name = LOAD_RUNNER.service;
  const service = file.services[name];
  if (service === undefined) return [`${name}: no such service`];
  const problems = officialImageProblems(name, service.image, LOAD_RUNNER.image);

  if (file.kind === 'compose' && !(service.profiles ?? []).includes(LOAD_RUNNER.profile)) {
    problems.push(`${name}: not in the ${LOAD_RUNNER.profile} profile, so docker compose up would start a load test`);
  }
  if (file.kind === 'swarm') {
    const deploy = service.deploy;
    if (deploy?.mode !== undefined && deploy.mode !== 'replicated') {
      problems.push(`${name}: deploy.mode is ${deploy.mode}, expected replicated (a job runs again at every deploy)`);
    }
    if (deploy?.replicas !== 0) {
      problems.push(
        `${name}: deploy.replicas is ${deploy?.replicas}, expected 0 (a deploy must not start a load test)`,
      );
    }
    if (deploy?.restart_policy?.condition !== 'none') {
      problems.push(
        `${name}: deploy.restart_policy.condition is ${deploy?.restart_policy?.condition}, expected none (a run ends)`,
      );
    }
  }

  const entry = posix.join(LOAD_RUNNER.mountPoint, LOAD_RUNNER.entry);
  const command = commandArgs(service.command);
  if (command[0] !== 'run' || !command.includes(entry))
    problems.push(`${name}: command is "${command.join(' ')}", expected run ${entry}`);

  const baseUrl = `http://${target.gateway}:${target.gatewayPort}`;
  const env = serviceEnvironment(service);
  if (env.BASE_URL !== baseUrl)
    problems.push(`${name}: BASE_URL is ${env.BASE_URL}, expected ${baseUrl} (the gateway)`);
  if (file.services[target.gateway] === undefined)
    problems.push(`${name}: the gateway ${target.gateway} is not a service`);
  if (file.kind === 'compose' && service.depends_on?.[target.gateway] === undefined) {
    problems.push(`${name}: does not depend on the gateway ${target.gateway}`);
  }

  for (const path of scriptFiles(resolve(target.scriptsDir, LOAD_RUNNER.entry))) {
    const expected = posix.join(LOAD_RUNNER.mountPoint, ...relative(target.scriptsDir, path).split(sep));
    if (!existsSync(path)) problems.push(`${name}: ${path} does not exist (the script loads it)`);
    else if (!containerPaths(file, service, path).includes(expected))
      problems.push(`${name}: ${path} is not delivered at ${expected}`);
  }
  return problems;
}
