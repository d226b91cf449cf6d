import type { DeploymentFile } from '../deployment-file.js';
import { serviceEnvironment } from './service-checks.js';

/**
 * How each file starts and replaces services. Compose: a service waits for what it needs (the one-shot init to have
 * succeeded, a dependency to be healthy). Swarm has no start order; there the checks are about rolling updates and
 * restarts.
 */
export function composeOrderProblems(
  file: DeploymentFile,
  options: { dependsOnInit: readonly string[]; oneShot: readonly string[] },
): string[] {
  const problems: string[] = [];
  for (const name of options.dependsOnInit) {
    const condition = file.services[name]?.depends_on?.init?.condition;
    if (condition !== 'service_completed_successfully') {
      problems.push(`${name}: depends_on init is ${condition ?? 'missing'}, expected service_completed_successfully`);
    }
  }
  for (const [name, service] of Object.entries(file.services)) {
    const oneShot = options.oneShot.includes(name);
    if (oneShot && service.restart !== 'no')
      problems.push(`${name}: a one-shot needs restart "no", has ${service.restart}`);
    if (!oneShot && service.restart === undefined) problems.push(`${name}: no restart policy`);
    for (const [target, { condition }] of Object.entries(service.depends_on ?? {})) {
      const dependency = file.services[target];
      if (dependency === undefined) problems.push(`${name}: depends on ${target}, which is not a service`);
      else if (condition === 'service_healthy' && dependency.healthcheck?.test === undefined) {
        problems.push(`${name}: waits for ${target} to be healthy, which has no healthcheck`);
      } else if (condition === 'service_completed_successfully' && !options.oneShot.includes(target)) {
        problems.push(`${name}: waits for ${target} to complete, which is not a one-shot`);
      }
    }
  }
  return problems;
}

export interface SwarmRollout {
  /** Stateless: a new task starts (and turns healthy) before an old one stops. */
  startFirst: readonly string[];
  /** Consumers, static members of the group: one id must never live in two tasks, so the old task stops first. */
  staticMembers: readonly string[];
  oneShot: readonly string[];
}

export function swarmRolloutProblems(file: DeploymentFile, rollout: SwarmRollout): string[] {
  const problems: string[] = [];
  for (const name of rollout.startFirst) {
    const order = file.services[name]?.deploy?.update_config?.order;
    if (order !== 'start-first') problems.push(`${name}: update_config.order is ${order}, expected start-first`);
  }
  for (const name of rollout.staticMembers) {
    const service = file.services[name];
    const order = service?.deploy?.update_config?.order;
    if (order !== 'stop-first') problems.push(`${name}: update_config.order is ${order}, expected stop-first`);
    const id = service?.environment?.CONSUMER_INSTANCE_ID;
    if (typeof id !== 'string' || !/\{\{\s*\.Task\.Slot\s*\}\}/.test(id)) {
      problems.push(`${name}: CONSUMER_INSTANCE_ID is ${id}, expected one id per task slot ({{.Task.Slot}})`);
    }
    if (Number(serviceEnvironment(service).CONSUMER_SESSION_TIMEOUT_MS) < 20_000) {
      problems.push(`${name}: CONSUMER_SESSION_TIMEOUT_MS too short for a static member to restart before it expires`);
    }
  }
  for (const [name, service] of Object.entries(file.services)) {
    const deploy = service.deploy;
    if (rollout.oneShot.includes(name)) {
      const job = deploy?.mode === 'replicated-job' || deploy?.restart_policy?.condition === 'none';
      if (!job) problems.push(`${name}: a one-shot must be a replicated-job or never restart`);
      continue;
    }
    if (deploy?.restart_policy?.condition === undefined) problems.push(`${name}: no deploy.restart_policy`);
    if (deploy?.resources?.limits?.memory === undefined) problems.push(`${name}: no deploy.resources.limits.memory`);
  }
  return problems;
}
