import { join } from 'node:path';
import {
  clickhousePasswordSecret,
  clickhouseUser,
  environmentOf,
  type ClickHouseConnection,
  type ClickHouseRole,
  type KafkaConnection,
  type SettingValue,
} from '@badam/pipeline';
import { READ_MODEL_PASSWORD_SECRET, type StackSecrets } from './infra/stack-secrets.js';
import { serviceEntry } from './paths.js';
import { SERVICE_SETTINGS } from './service-settings.js';
import { ManagedProcess } from './process/managed-process.js';
import { httpAnswers, httpOk, waitFor } from './process/wait.js';

/** The read apps the stack runs, each an adapter over the same query module. */
export const READ_APPS = ['fastify', 'hapi', 'restify'] as const;

/**
 * The ClickHouse role each service of the fleet logs in as (pipeline/runtime/src/clickhouse/roles.ts), here and in Docker;
 * the producer never reaches ClickHouse. (init, not part of the fleet, is the migrator.)
 */
export const FLEET_ROLES: Readonly<Record<string, ClickHouseRole>> = {
  consumer: 'writer',
  ...Object.fromEntries(READ_APPS.map((app) => [app, 'reader'])),
};

/** Port blocks per service, relative to the base port: replica i of a service listens on base + offset + i. */
const PORT_OFFSETS = { producer: 1, fastify: 11, hapi: 21, restify: 31, consumer: 41 } as const;

export type ServiceName = keyof typeof PORT_OFFSETS;
/** The services the fleet runs (the one-shot init aside). */
export const FLEET_SERVICES = Object.keys(PORT_OFFSETS) as ServiceName[];

/** The ports of a service's replicas in a fleet started at basePort. */
export function servicePorts(basePort: number, service: ServiceName, count: number): number[] {
  return Array.from({ length: count }, (_, i) => basePort + PORT_OFFSETS[service] + i);
}

/** Where the fleet's services find the broker, the database and the read model: what startInfra (or a test run) gives. */
export interface FleetInfra {
  kafka: KafkaConnection;
  /** The server and database; each service logs in as its role (FLEET_ROLES), with the password from `secrets`. */
  clickhouse: Pick<ClickHouseConnection, 'url' | 'database'>;
  /** The cluster the tables span (CLICKHOUSE_CLUSTER); '' or none for a single server. */
  clickhouseCluster?: string;
  /** Every server services may use, spread over them (clickhouseUrlOf); none: `clickhouse.url` alone. */
  clickhouseServers?: readonly { url: string }[];
  /** The read model's store; pages are kept under `<table>:<group id>` (pageStoreConnection), so tests share one. */
  readModelUrl: string;
  /** standalone, or cluster when readModelUrl lists a cluster's nodes. */
  readModelMode: 'standalone' | 'cluster';
  /** The files holding the roles' and the store's passwords: each service is given the paths, as in Docker. */
  secrets: StackSecrets;
}

export interface FleetOptions {
  dataDir: string;
  infra: FleetInfra;
  topic: string;
  table: string;
  basePort: number;
  /** Replicas of each read app, and of the producer unless `producers` says otherwise. */
  replicas: number;
  producers?: number;
  consumers: number;
  readApps?: readonly string[];
  logLevel?: string;
  /** What ready() waits for: a 200 from /health (default), or any answer (for tests of a dependency that is down). */
  readiness?: 'healthy' | 'listening';
  /** Extra environment for every service (tuning knobs in tests and benchmarks). */
  env?: Record<string, string>;
}

export interface Fleet {
  processes: Map<ServiceName, ManagedProcess[]>;
  ports: Map<ServiceName, number[]>;
  url(service: ServiceName, replica?: number): string;
  /** Resolves when every replica reports healthy. */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * What each service is started with: the stack's values, of which each service gets those its settings spec reads
 * (SERVICE_SETTINGS; the producer, reading no ClickHouse or store setting, gets no credentials), unset ones keeping
 * the spec's defaults, which suit this stack; passwords as files, as in Docker.
 */
export function serviceEnvironment(
  options: FleetOptions,
  service: ServiceName,
  replica: number,
  port: number,
): Record<string, string> {
  const role = FLEET_ROLES[service];
  const values: Record<string, SettingValue | undefined> = {
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: options.logLevel ?? 'info',
    KAFKA_BROKERS: options.infra.kafka.brokers.join(','),
    KAFKA_TOPIC: options.topic,
    KAFKA_CLIENT_ID: `${service}-${replica + 1}`,
    // A static member per slot, as in the swarm (consumer-{{.Task.Slot}}): a restarted consumer rejoins under its id and
    // gets its partitions back at once, instead of waiting out a session timeout (SIGKILL) or two rebalances of the
    // whole group (SIGTERM). Two processes of a fleet never share an id, the slot being the replica's number.
    CONSUMER_INSTANCE_ID: `consumer-${replica + 1}`,
    CLICKHOUSE_URL: clickhouseUrlOf(options.infra, service, replica),
    CLICKHOUSE_CLUSTER: options.infra.clickhouseCluster ?? '',
    CLICKHOUSE_USER: role === undefined ? undefined : clickhouseUser(role),
    CLICKHOUSE_PASSWORD:
      role === undefined ? undefined : { file: options.infra.secrets.path(clickhousePasswordSecret(role)) },
    CLICKHOUSE_DATABASE: options.infra.clickhouse.database,
    CLICKHOUSE_TABLE: options.table,
    READ_MODEL_URL: options.infra.readModelUrl,
    READ_MODEL_MODE: options.infra.readModelMode,
    READ_MODEL_PASSWORD: { file: options.infra.secrets.path(READ_MODEL_PASSWORD_SECRET) },
  };
  return { ...environmentOf(SERVICE_SETTINGS[service], values), ...options.env };
}

/** The services that query ClickHouse, in the order clickhouseUrlOf deals the servers out. */
const CLICKHOUSE_USERS: readonly ServiceName[] = ['consumer', 'fastify', 'hapi', 'restify'];

/**
 * The servers a service replica queries (CLICKHOUSE_URL), comma-separated, its own first: round robin over the
 * servers, consumers first (consumer i on server i), each read app starting one server further, so that one replica
 * of each spreads over the servers too; then the others in turn, which it fails over to when its own gives no answer
 * (pipeline/runtime/src/clickhouse/failover-client.ts). Any server will do: each has the tables (ON CLUSTER), and
 * when sharded the Distributed one reaches every shard.
 */
export function clickhouseUrlOf(infra: FleetInfra, service: ServiceName, replica: number): string {
  const servers = infra.clickhouseServers ?? [];
  if (servers.length === 0) return infra.clickhouse.url;
  const first = Math.max(CLICKHOUSE_USERS.indexOf(service), 0) + replica;
  return servers.map((_, i) => (servers[(first + i) % servers.length] as { url: string }).url).join(',');
}

/**
 * Starts every service replica, restarting any that dies. Returns at once, so the caller can register stop()
 * before waiting on ready(): an interrupted start-up must not leave processes behind.
 */
export function launchFleet(options: FleetOptions): Fleet {
  const wanted: [ServiceName, number][] = [
    ['producer', options.producers ?? options.replicas],
    ['consumer', options.consumers],
    ...(options.readApps ?? READ_APPS).map((app): [ServiceName, number] => [app as ServiceName, options.replicas]),
  ];
  const counts = new Map(wanted.filter(([, count]) => count > 0));
  const processes = new Map<ServiceName, ManagedProcess[]>();
  const ports = new Map<ServiceName, number[]>();
  for (const [service, count] of counts) {
    const replicaPorts = servicePorts(options.basePort, service, count);
    ports.set(service, replicaPorts);
    processes.set(
      service,
      replicaPorts.map((port, replica) =>
        new ManagedProcess({
          name: `${service}-${replica + 1}`,
          command: process.execPath,
          args: [serviceEntry(service)],
          env: serviceEnvironment(options, service, replica, port),
          logFile: join(options.dataDir, 'logs', `${service}-${replica + 1}.log`),
          restart: true,
        }).start(),
      ),
    );
  }
  const check = options.readiness === 'listening' ? httpAnswers : httpOk;
  const fleet: Fleet = {
    processes,
    ports,
    url: (service, replica = 0) => `http://127.0.0.1:${ports.get(service)?.[replica]}`,
    async ready(timeoutMs = 60_000) {
      await Promise.all(
        [...ports.entries()].flatMap(([service, list]) =>
          list.map((_, replica) =>
            waitFor(`${service}-${replica + 1}`, () => check(`${fleet.url(service, replica)}/health`), timeoutMs),
          ),
        ),
      );
    },
    async stop() {
      // Producers and apps first (no new work), then consumers (they finish and commit what they hold).
      const all = [...processes.entries()];
      await Promise.all(all.filter(([name]) => name !== 'consumer').flatMap(([, list]) => list.map((p) => p.stop())));
      await Promise.all((processes.get('consumer') ?? []).map((p) => p.stop()));
    },
  };
  return fleet;
}

/** launchFleet, then waits until every replica is healthy; stops them all if that fails. */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const fleet = launchFleet(options);
  try {
    await fleet.ready();
  } catch (error) {
    await fleet.stop();
    throw error;
  }
  return fleet;
}
