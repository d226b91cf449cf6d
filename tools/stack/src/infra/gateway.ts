import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRouteTable, renderHaproxyConfig, type RouteTable } from '@badam/gateway';
import { ManagedProcess, run } from '../process/managed-process.js';
import { httpOk } from '../process/wait.js';

export interface GatewayOptions {
  dataDir: string;
  port: number;
  /** HAProxy's Prometheus exporter (/metrics) and stats page (/stats); none when omitted. */
  metricsPort?: number;
  /** Ports of every replica by service (fleet.ports); a routed service with none answers 503. */
  services: ReadonlyMap<string, readonly number[]>;
  /** Defaults to envoy/routes.json, the table envoy.yaml is generated from. */
  routes?: RouteTable;
  /** Requests/s per client address (BADAM_GATEWAY_CLIENT_RATE_LIMIT); envoy.yaml's value when omitted. */
  clientRateLimit?: number;
}

export interface Gateway {
  /** Stands before /fastify/..., /producer/messages... */
  url: string;
  metricsUrl: string | undefined;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Debian's HAProxy as the native stack's gateway, with the routes of envoy/routes.json (what Envoy does in the Docker
 * deployments) over the local replicas. Its config is rendered into the data folder at every start; a config HAProxy
 * refuses fails here with HAProxy's own message, before anything is started.
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const dir = join(options.dataDir, 'gateway');
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, 'haproxy.cfg');
  const servers = new Map(
    [...options.services].map(([service, ports]) => [service, ports.map((port) => `127.0.0.1:${port}`)]),
  );
  const table = options.routes ?? loadRouteTable();
  const { port, metricsPort, clientRateLimit } = options;
  writeFileSync(configFile, renderHaproxyConfig(table, { port, metricsPort, servers, clientRateLimit }));
  await run('haproxy', ['-c', '-q', '-f', configFile]);
  const url = `http://127.0.0.1:${options.port}`;
  const gateway = new ManagedProcess({
    name: 'gateway',
    command: 'haproxy',
    // -db: foreground, no daemon, so the process is ours to watch and stop by pid.
    args: ['-db', '-f', configFile],
    cwd: dir,
    logFile: join(options.dataDir, 'logs/gateway.log'),
    restart: true,
  }).start();
  await gateway.ready(`gateway (HAProxy) on port ${options.port}`, () => httpOk(`${url}${table.healthPath}`));
  return {
    url,
    metricsUrl: options.metricsPort === undefined ? undefined : `http://127.0.0.1:${options.metricsPort}/metrics`,
    process: gateway,
    stop: () => gateway.stop(),
  };
}
