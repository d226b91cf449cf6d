import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { repoRoot } from '@badam/stack/paths';
import { LOAD_RUNNER } from './deployment-services.js';

const run = promisify(execFile);

/** Where Docker gives a container each secret it mounts, as a file named after the secret (unless a target says). */
export const SECRETS_DIR = '/run/secrets';

/** The brokers a service's KAFKA_BROKERS lists, trimmed. */
export function brokersOf(env: Readonly<Record<string, string | undefined>>): string[] {
  return (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
}

/** The part of a compose / stack service the deployment checks read, as the Docker tools print it (normalised). */
export interface DeployedService {
  image?: string;
  /** Compose only: the service starts only when one of these profiles is active (or it is run by name). */
  profiles?: string[];
  command?: string | string[];
  entrypoint?: string | string[];
  hostname?: string;
  environment?: Record<string, string | number | boolean | null>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: Record<string, { condition?: string }>;
  networks?: Record<string, { aliases?: string[] } | null>;
  /** Published ports: compose prints strings or objects, the stack tool objects; any entry reaches the host. */
  ports?: unknown[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  configs?: { source: string; target?: string }[];
  /** Docker secrets, at /run/secrets/<source> unless a target says otherwise (swarm: relative to /run/secrets). */
  secrets?: { source: string; target?: string }[];
  stop_grace_period?: string;
  restart?: string;
  user?: string;
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  deploy?: {
    mode?: string;
    replicas?: number;
    endpoint_mode?: string;
    placement?: { constraints?: string[] };
    update_config?: { order?: string };
    restart_policy?: { condition?: string };
    resources?: { limits?: { cpus?: string; memory?: string } };
  };
}

export interface DeploymentFile {
  /** Which tool rendered it: compose files are one container per service, stack files are swarm services. */
  kind: 'compose' | 'swarm';
  services: Record<string, DeployedService>;
  configs?: Record<string, { name?: string; file?: string }>;
  /** compose: a file each; swarm: created beforehand (external), so a deploy without them fails. */
  secrets?: Record<string, { name?: string; file?: string; external?: boolean }>;
  networks?: Record<string, { driver?: string; driver_opts?: Record<string, string>; attachable?: boolean } | null>;
}

/**
 * The files as Docker reads them: each tool validates its file (a non-zero exit fails here with the tool's own
 * message) and prints it normalised, with anchors merged, variables interpolated and paths made absolute. Both
 * tools are installed by scripts/setup.sh; neither needs a running engine.
 */
export async function renderComposeFile(): Promise<DeploymentFile> {
  // With the load runner's profile: `docker compose config` leaves out the services of profiles not enabled.
  const args = ['--profile', LOAD_RUNNER.profile, '-f', resolve(repoRoot, 'docker-compose.yml'), 'config'];
  const stdout = await tool('docker-compose', args);
  return { ...(parse(stdout) as Omit<DeploymentFile, 'kind'>), kind: 'compose' };
}

export async function renderSwarmFile(): Promise<DeploymentFile> {
  const stdout = await tool('docker', ['stack', 'config', '-c', resolve(repoRoot, 'swarm-stack.yml')]);
  return { ...(parse(stdout) as Omit<DeploymentFile, 'kind'>), kind: 'swarm' };
}

async function tool(command: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(command, args, { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { code, stderr } = error as NodeJS.ErrnoException & { stderr?: string };
    if (code === 'ENOENT') throw new Error(`${command} is not installed (scripts/setup.sh installs it)`);
    throw new Error(`${command} ${args.join(' ')} rejected the file:\n${stderr ?? String(error)}`);
  }
}

/** A port a service publishes on its host(s). */
export interface PublishedPort {
  published: number;
  target: number;
  /** Swarm: ingress (the routing mesh, the default) or host. */
  mode?: string;
  /** Compose only: bound to 127.0.0.1, so reachable from the Docker host alone. */
  loopbackOnly: boolean;
}

/**
 * Compose prints "127.0.0.1:9090:9090/tcp"-style strings or {published, target, host_ip} objects; the stack tool
 * prints objects ({published, target, mode}).
 */
export function publishedPorts(service: DeployedService): PublishedPort[] {
  return (service.ports ?? []).flatMap((entry): PublishedPort[] => {
    if (typeof entry === 'string') {
      const parts = entry.replace(/\/\w+$/, '').split(':');
      const host = parts.length === 3 ? parts[0] : undefined;
      const target = Number(parts.at(-1));
      return [
        { published: parts.length >= 2 ? Number(parts.at(-2)) : target, target, loopbackOnly: host === '127.0.0.1' },
      ];
    }
    const port = entry as { published?: number | string; target?: number | string; mode?: string; host_ip?: string };
    if (port.published === undefined) return [];
    return [
      {
        published: Number(port.published),
        target: Number(port.target),
        mode: port.mode,
        loopbackOnly: port.host_ip === '127.0.0.1',
      },
    ];
  });
}
