import { DEFAULT_PARTITIONS } from '@badam/domain/contract/topic';
import { httpUrls, int, list, oneOf, redisUrls, secret, str } from './env-vars.js';

/**
 * The variables more than one service reads, defined once. Each service's config spreads the groups it needs into
 * its own spec. Defaults suit the native stack (scripts/stack.sh); compose and swarm set every one explicitly.
 */
export const kafkaSettings = {
  KAFKA_BROKERS: list('comma-separated Kafka bootstrap addresses, host:port', { default: ['127.0.0.1:19092'] }),
  KAFKA_TOPIC: str('the topic messages travel on', { default: 'messages', pattern: /^[A-Za-z0-9._-]{1,200}$/ }),
  KAFKA_CLIENT_ID: str('client id reported to the broker', { default: 'badam' }),
} as const;

/** The topic's shape: read by the one-shot init that creates it, and checked against by the consumers' docs. */
export const topicSettings = {
  KAFKA_TOPIC_PARTITIONS: int('partitions of the topic: the most consumers that can work at once', {
    default: DEFAULT_PARTITIONS,
    min: 1,
    max: 10000,
  }),
  KAFKA_TOPIC_REPLICATION: int('replicas of each partition (1 for one broker, 3 for the swarm cluster)', {
    default: 1,
    min: 1,
    max: 5,
  }),
} as const;

export const clickhouseSettings = {
  // On a cluster, every server the process may use (each has the tables; the Distributed one reaches every shard):
  // a request the first cannot answer goes to the next (clickhouse/failover-client.ts).
  CLICKHOUSE_URL: httpUrls(
    "ClickHouse HTTP endpoint, or comma-separated endpoints: a cluster's servers, preferred first",
    {
      default: 'http://127.0.0.1:18123',
    },
  ),
  // Each service logs in as its role (pipeline/runtime/src/clickhouse/roles.ts): reader, writer or migrator.
  CLICKHOUSE_USER: str('ClickHouse user', { default: 'default' }),
  CLICKHOUSE_PASSWORD: secret('ClickHouse password, or CLICKHOUSE_PASSWORD_FILE: a file holding it', { default: '' }),
  CLICKHOUSE_DATABASE: str('ClickHouse database', { default: 'default', pattern: /^[A-Za-z_][A-Za-z0-9_]{0,63}$/ }),
  // 59 characters at most: the keys index is named <table>_keys, and ClickHouse identifiers here stop at 64.
  CLICKHOUSE_TABLE: str('the messages table', { default: 'messages', pattern: /^[A-Za-z_][A-Za-z0-9_]{0,58}$/ }),
  CLICKHOUSE_CLUSTER: str('ClickHouse cluster (remote_servers) the tables span; empty for a single server', {
    default: '',
    pattern: /^([A-Za-z_][A-Za-z0-9_]{0,63})?$/,
  }),
  CLICKHOUSE_TIMEOUT_MS: int('timeout of every ClickHouse request, ms', { default: 5000, min: 100, max: 600000 }),
  // Few: each connection is a query running at once in ClickHouse, and past a few per process they only contend for
  // the same cores (16 → 4 lowered read p95 at a fixed 450 req/s in each A/B pair here; docs/BENCHMARKS.md).
  CLICKHOUSE_MAX_CONNECTIONS: int('HTTP connections kept to ClickHouse: queries at once per process', {
    default: 4,
    min: 1,
    max: 1024,
  }),
} as const;

export const httpSettings = {
  HOST: str('interface to listen on', { default: '127.0.0.1' }),
  PORT: int('HTTP port', { default: 3000, min: 0, max: 65535 }),
  LOG_LEVEL: str('pino log level', { default: 'info', pattern: /^(fatal|error|warn|info|debug|trace|silent)$/ }),
  SHUTDOWN_GRACE_MS: int('time allowed for in-flight work on SIGTERM, ms', { default: 10000, min: 0, max: 120000 }),
} as const;

/** For the services that answer API requests (producer, read apps); the consumer's HTTP server only serves health. */
export const admissionSettings = {
  MAX_IN_FLIGHT: int('requests a process works on at once; more are refused with 503 and Retry-After', {
    default: 1000,
    min: 1,
    max: 100000,
  }),
} as const;

/**
 * For the services behind the gateway (producer, read apps): how long a stopping replica reports itself down before
 * it closes (service/gateway-drain.ts). At least the gateway's time to mark it down (envoy/src/policy.ts healthCheck).
 */
export const gatewayMemberSettings = {
  SHUTDOWN_DRAIN_MS: int('on SIGTERM, how long /health answers 503 before the server closes (part of the grace), ms', {
    default: 3000,
    min: 0,
    max: 60000,
  }),
} as const;

export const READ_MODEL_MODES = ['standalone', 'cluster'] as const;

/** The hot read model: written by the consumers, read by the read apps (docs/ARCHITECTURE.md, "Read model"). */
export const readModelSettings = {
  READ_MODEL_URL: redisUrls(
    'Valkey/Redis of the read model, redis://host:port[/db]: the server, or in cluster mode comma-separated seed nodes',
    { default: 'redis://127.0.0.1:16379' },
  ),
  READ_MODEL_MODE: oneOf(
    'standalone: one server (READ_MODEL_URL names one); cluster: a Valkey/Redis Cluster reached through READ_MODEL_URL',
    READ_MODEL_MODES,
    'standalone',
  ),
  READ_MODEL_PASSWORD: secret(
    'password of the read model store (its requirepass), or READ_MODEL_PASSWORD_FILE: a file holding it',
    {
      default: '',
    },
  ),
  // A store reply takes well under a millisecond here; past this, a read goes to ClickHouse instead.
  READ_MODEL_TIMEOUT_MS: int('timeout of every read model command, ms', { default: 100, min: 5, max: 60000 }),
  READ_MODEL_RETRY_MS: int('after a read model error, how long reads skip it and go to ClickHouse, ms', {
    default: 1000,
    min: 0,
    max: 60000,
  }),
} as const;

/** The three read apps (fastify, hapi, restify) take exactly the same configuration. */
export const readAppSettings = {
  ...httpSettings,
  ...admissionSettings,
  ...gatewayMemberSettings,
  ...clickhouseSettings,
  ...readModelSettings,
} as const;

type Settings<S> = { [K in keyof S]: S[K] extends { parse(...args: never[]): infer T } ? T : never };

export function clickhouseConnection(config: Settings<typeof clickhouseSettings>) {
  return {
    url: config.CLICKHOUSE_URL.join(','),
    username: config.CLICKHOUSE_USER,
    password: config.CLICKHOUSE_PASSWORD,
    database: config.CLICKHOUSE_DATABASE,
    requestTimeoutMs: config.CLICKHOUSE_TIMEOUT_MS,
    maxOpenConnections: config.CLICKHOUSE_MAX_CONNECTIONS,
  };
}

export function kafkaConnection(config: Settings<typeof kafkaSettings>) {
  return { brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID };
}
