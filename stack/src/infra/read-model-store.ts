import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ManagedProcess } from '../process/managed-process.js';

export interface ReadModelStoreOptions {
  dataDir: string;
  port: number;
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
  const server = new ManagedProcess({
    name: 'read-model',
    command: 'redis-server',
    args: [
      '--port', String(options.port),
      '--bind', '127.0.0.1',
      '--dir', dir,
      '--save', '',
      '--appendonly', 'no',
      '--maxmemory', `${options.maxMemoryMb ?? 2048}mb`,
      '--maxmemory-policy', 'allkeys-lru',
    ],
    cwd: dir,
    logFile: join(options.dataDir, 'logs/read-model.log'),
  }).start();
  return server.ready(`the read model store on port ${options.port}`, () => redisPing(options.port));
}

/** PING over a bare socket: the store answers +PONG once it serves commands. */
export function redisPing(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.setTimeout(1000);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
