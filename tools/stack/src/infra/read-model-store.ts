import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ManagedProcess } from '../process/managed-process.js';

/** One server (today's), or a Redis Cluster of 3 masters and 3 replicas (read-model-cluster.ts). */
export const READ_MODEL_TOPOLOGIES = ['single', 'cluster'] as const;
export type ReadModelTopology = (typeof READ_MODEL_TOPOLOGIES)[number];

/** The services' READ_MODEL_MODE for a topology. */
export function readModelMode(topology: ReadModelTopology): 'standalone' | 'cluster' {
  return topology === 'cluster' ? 'cluster' : 'standalone';
}

export interface ReadModelStoreOptions {
  dataDir: string;
  /** The server's port; a cluster's nodes take this one and the next five. */
  port: number;
  /** Clients must AUTH with it (requirepass), as with the Docker deployments' Valkey. */
  password: string;
  /** Past this the store evicts the least recently used pages (a miss, then a fill) instead of refusing writes. */
  maxMemoryMb?: number;
}

/** A store's server process and its port: a cluster's tests stop or kill one node. */
export interface ReadModelNode {
  port: number;
  process: ManagedProcess;
}

/** What the services are given (READ_MODEL_URL, READ_MODEL_MODE) and the processes behind it. */
export interface ReadModelStore {
  url: string;
  mode: 'standalone' | 'cluster';
  nodes: ReadModelNode[];
  stop(): Promise<void>;
}

export async function startSingleReadModelStore(options: ReadModelStoreOptions): Promise<ReadModelStore> {
  const process = await startReadModelServer(options);
  return {
    url: `redis://127.0.0.1:${options.port}`,
    mode: 'standalone',
    nodes: [{ port: options.port, process }],
    stop: () => process.stop(),
  };
}

/**
 * Debian's redis-server (7.0; the Docker deployments run Valkey, same protocol) as a private instance: a cache the
 * consumers rebuild, so nothing is saved to disk and a restart starts empty (a cold cache, never wrong pages).
 */
export async function startReadModelServer(
  options: ReadModelStoreOptions & { name?: string; extraConfig?: string[] },
): Promise<ManagedProcess> {
  const name = options.name ?? 'read-model';
  const dir = join(options.dataDir, name);
  mkdirSync(dir, { recursive: true });
  // The password in a file only the stack's user reads, not on the command line, which every local user sees.
  const config = join(dir, 'redis.conf');
  const lines = [`requirepass ${options.password}`, ...(options.extraConfig ?? [])];
  writeFileSync(config, lines.map((line) => `${line}\n`).join(''), { mode: 0o600 });
  const server = new ManagedProcess({
    name,
    command: 'redis-server',
    args: [
      config,
      '--port',
      String(options.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory',
      `${options.maxMemoryMb ?? 2048}mb`,
      '--maxmemory-policy',
      'allkeys-lru',
    ],
    cwd: dir,
    logFile: join(options.dataDir, `logs/${name}.log`),
  }).start();
  return server.ready(`the read model store on port ${options.port}`, () => redisPing(options.port, options.password));
}

/** AUTH and PING over a bare socket: the store answers +PONG once it serves commands to a client with the password. */
export function redisPing(port: number, password: string, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.setTimeout(1000);
    let replies = '';
    socket.once('connect', () => socket.write(`${respCommand('AUTH', password)}${respCommand('PING')}`));
    socket.on('data', (data) => {
      replies += data.toString();
      const [auth, ping, rest] = replies.split('\r\n');
      if (rest === undefined) return; // one reply per line: wait for both
      socket.destroy();
      resolve(auth === '+OK' && ping === '+PONG');
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** A command in the protocol's array form, so an argument may hold any byte. */
function respCommand(...args: string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
}
