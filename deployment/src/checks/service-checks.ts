import { GATEWAY_POLICY } from '@badam/gateway';
import { LIVENESS_PATH } from '@badam/pipeline';
import { brokersOf, type DeployedService, type DeploymentFile } from '../deployment-file.js';
import { repositoryOf } from './image-names.js';

/**
 * Checks over a rendered deployment file (docker-compose.yml or swarm-stack.yml). Each returns the problems it
 * found, naming the service and the key, so one test run lists everything wrong at once; [] means none.
 */

export function missingServices(file: DeploymentFile, names: readonly string[]): string[] {
  return names.filter((name) => file.services[name] === undefined).map((name) => `${name}: no such service`);
}

export function replicaProblems(file: DeploymentFile, expected: Record<string, number>): string[] {
  return Object.entries(expected).flatMap(([name, replicas]) => {
    const found = file.services[name]?.deploy?.replicas;
    return found === replicas ? [] : [`${name}: deploy.replicas is ${found}, expected ${replicas}`];
  });
}

/** Every long-running service says how Docker tells it is healthy (depends_on conditions and rollouts use it). */
export function healthcheckProblems(file: DeploymentFile, oneShot: readonly string[]): string[] {
  return Object.entries(file.services)
    .filter(([name]) => !oneShot.includes(name))
    .flatMap(([name, service]) => {
      const test = service.healthcheck?.test;
      const command = typeof test === 'string' ? [test] : (test ?? []);
      const disabled = service.healthcheck?.disable === true || command.length === 0 || command[0] === 'NONE';
      return disabled ? [`${name}: no healthcheck`] : [];
    });
}

/**
 * Docker restarts a container whose healthcheck fails (Swarm replaces the task): our services' healthchecks must ask
 * liveness (LIVENESS_PATH, /live: the process works), never readiness (/health, which fails while ClickHouse or the
 * broker is down), or an outage of a dependency restarts every replica, again and again, until it ends. `services`:
 * ours (the fleet); `dockerfile`: the images' own HEALTHCHECK, which the files repeat.
 */
export function livenessProblems(file: DeploymentFile, services: readonly string[], dockerfile?: string): string[] {
  const asksLiveness = (command: string) => command.includes(`${LIVENESS_PATH}'`) && !command.includes('/health');
  const problems = services.flatMap((name) => {
    const test = file.services[name]?.healthcheck?.test;
    const command = typeof test === 'string' ? test : (test ?? []).join(' ');
    return asksLiveness(command) ? [] : [`${name}: the healthcheck does not ask ${LIVENESS_PATH} (liveness)`];
  });
  if (dockerfile !== undefined) {
    for (const check of dockerfile.match(/^HEALTHCHECK (?!NONE)(?:.*\\\n)*.*/gm) ?? []) {
      if (!asksLiveness(check)) problems.push(`Dockerfile: a HEALTHCHECK does not ask ${LIVENESS_PATH} (liveness)`);
    }
  }
  return problems;
}

/** Why an image reference is not pinned to a version, or undefined when it is (a tag other than latest, or a digest). */
export function imagePinProblem(image: string | undefined): string | undefined {
  if (image === undefined || image === '') return 'no image';
  if (image.includes('@sha256:')) return undefined;
  // The tag follows the last colon after the last slash (a colon before it is a registry port).
  const name = image.slice(image.lastIndexOf('/') + 1);
  const colon = name.lastIndexOf(':');
  if (colon === -1) return `${image} has no tag (means latest)`;
  const tag = name.slice(colon + 1);
  if (tag === '' || tag === 'latest' || tag.endsWith('-latest')) return `${image} is not pinned to a version`;
  return undefined;
}

/** A third-party service's image: the official one (Docker Hub's own name, with or without docker.io/), pinned. */
export function officialImageProblems(name: string, image: string | undefined, official: string): string[] {
  const problems: string[] = [];
  const repository = repositoryOf(image);
  if (repository !== official) problems.push(`${name}: image is ${image}, expected the official ${official}`);
  const pin = imagePinProblem(image);
  if (pin !== undefined) problems.push(`${name}: ${pin}`);
  return problems;
}

/** A compose command as its arguments; a string form split on spaces, with "" or '' as an empty argument. */
export function commandArgs(command: string | string[] | undefined): string[] {
  if (command === undefined) return [];
  if (Array.isArray(command)) return command;
  return command
    .split(/\s+/)
    .filter((word) => word !== '')
    .map((word) => (word === '""' || word === "''" ? '' : word));
}

/**
 * Every image pinned; this repository's images named badam/<service>:<its package version>, optionally behind a
 * registry (BADAM_REGISTRY=registry.example:5000/).
 */
export function imageProblems(file: DeploymentFile, ownImages: Record<string, string>): string[] {
  return Object.entries(file.services).flatMap(([name, service]) => {
    const own = ownImages[name];
    const image = service.image ?? '';
    if (own !== undefined && image !== own && !image.endsWith(`/${own}`)) {
      return [`${name}: image is ${service.image}, expected ${own}`];
    }
    const problem = imagePinProblem(service.image);
    return problem === undefined ? [] : [`${name}: ${problem}`];
  });
}

/** A service's environment as its process sees it: values as strings, swarm templates filled in for task 1. */
export function serviceEnvironment(service: DeployedService | undefined): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(service?.environment ?? {}).map(([key, value]) => [
      key,
      value === null ? undefined : String(value).replace(/\{\{\s*\.Task\.Slot\s*\}\}/g, '1'),
    ]),
  );
}

/** The topic init creates: the partition count the consumer fleet is sized for, replicated over the brokers listed. */
export function topicProblems(file: DeploymentFile, expected: { partitions: number; replication: number }): string[] {
  const env = serviceEnvironment(file.services.init);
  const problems: string[] = [];
  if (env.KAFKA_TOPIC_PARTITIONS !== String(expected.partitions)) {
    problems.push(`init: KAFKA_TOPIC_PARTITIONS is ${env.KAFKA_TOPIC_PARTITIONS}, expected ${expected.partitions}`);
  }
  if (env.KAFKA_TOPIC_REPLICATION !== String(expected.replication)) {
    problems.push(`init: KAFKA_TOPIC_REPLICATION is ${env.KAFKA_TOPIC_REPLICATION}, expected ${expected.replication}`);
  }
  const brokers = brokersOf(env).length;
  if (brokers < expected.replication) {
    problems.push(`init: KAFKA_BROKERS lists ${brokers} brokers, fewer than ${expected.replication} replicas`);
  }
  return problems;
}

/** The longest the gateway takes to mark a replica down once its /health fails (GATEWAY_POLICY.healthCheck). */
export const GATEWAY_DOWN_DETECTION_MS =
  GATEWAY_POLICY.healthCheck.intervalMs * GATEWAY_POLICY.healthCheck.unhealthyThreshold +
  GATEWAY_POLICY.healthCheck.timeoutMs;

/**
 * Docker kills a container stop_grace_period (10 s unless set) after SIGTERM: it must outlast SHUTDOWN_GRACE_MS. A
 * service behind the gateway reports itself down for SHUTDOWN_DRAIN_MS before it closes: the gateway must have
 * marked it down by then, or a send can reach a connection as it closes (pipeline/runtime/src/service/gateway-drain.ts).
 */
export function shutdownProblems(file: DeploymentFile): string[] {
  return Object.entries(file.services).flatMap(([name, service]) => {
    const { SHUTDOWN_GRACE_MS: grace, SHUTDOWN_DRAIN_MS: drain } = serviceEnvironment(service);
    if (grace === undefined) return [];
    const problems: string[] = [];
    if (durationMs(service.stop_grace_period ?? '10s') <= Number(grace)) {
      problems.push(
        `${name}: stop_grace_period ${service.stop_grace_period ?? '10s (default)'} does not outlast SHUTDOWN_GRACE_MS ${grace}`,
      );
    }
    if (drain !== undefined && Number(drain) < GATEWAY_DOWN_DETECTION_MS) {
      problems.push(
        `${name}: SHUTDOWN_DRAIN_MS ${drain} is shorter than the gateway takes to mark a replica down (${GATEWAY_DOWN_DETECTION_MS} ms)`,
      );
    }
    return problems;
  });
}

/** A Go / compose duration ("15s", "1m30s", "500ms") in milliseconds. */
export function durationMs(text: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, ns: 0.000001 };
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|us|ns|h|m|s)/g)) {
    total += Number(amount) * (units[unit ?? 's'] ?? 0);
  }
  return total;
}
