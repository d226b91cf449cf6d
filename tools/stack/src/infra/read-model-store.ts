import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ManagedProcess } from '../process/managed-process.js';

export interface ReadModelStoreOptions {
  dataDir: string;
  port: number;
  /** Clients must AUTH with it (requirepass), as with the Docker deployments' Valkey. */
  password: string;
  /** Past this the store evicts the least recently used pages (a miss, then a fill) instead of refusing writes. */
  maxMemoryMb?: number;
}

/**
 * Debian's redis-server (7.0; the Docker deployments run Valkey, same protocol) as a private instance: a cache the
 * consumers rebuild, so nothing is saved to disk and a restart starts empty (a cold cache, never wrong pages).
 */
export async function startReadModelStore(options: ReadModelStoreOptions): Promise<ManagedProcess> {
  const dir = join(options.dataDir, 'read-model');
  mkdirSync(dir, { recursive: true });
  // The password in a file only the stack's user reads, not on the command line, which every local user sees.
  const config = join(dir, 'redis.conf');
  writeFileSync(config, `requirepass ${options.password}\n`, { mode: 0o600 });
  const server = new ManagedProcess({
    name: 'read-model',
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
    logFile: join(options.dataDir, 'logs/read-model.log'),
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
