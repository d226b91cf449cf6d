import { resolve } from 'node:path';
import { GATEWAY_POLICY } from '@badam/gateway';
import { int, oneOf, readConfig, str, type ClickHouseConnection } from '@badam/pipeline';
import { localClickHouse } from './infra/clickhouse/connection.js';
import { TOPOLOGIES } from './infra/clickhouse/topology.js';
import { READ_MODEL_TOPOLOGIES } from './infra/read-model-store.js';
import { repoRoot } from './paths.js';

/** Ports default to ranges well away from the usual services of a developer machine (8080, 9000, 9092, 5432...). */
const stackSettings = {
  BADAM_DATA_DIR: str('folder holding all native stack state; `reset` wipes it', { default: '.data' }),
  BADAM_GATEWAY_PORT: int('gateway (HAProxy) port', { default: 18000, min: 1, max: 65535 }),
  BADAM_GATEWAY_METRICS_PORT: int('gateway Prometheus exporter (/metrics) and stats page (/stats)', {
    default: 18001,
    min: 1,
    max: 65535,
  }),
  // envoy.yaml's value by default. The load runner and the benchmarks connect from many loopback addresses
  // (tools/load/src/many-clients.ts), as many users would, so they reach their rates under it.
  BADAM_GATEWAY_CLIENT_RATE_LIMIT: int(
    `requests/s the gateway serves one client address (bursts of ${GATEWAY_POLICY.clientRateLimit.burstSeconds} s worth), 429 past it`,
    {
      default: GATEWAY_POLICY.clientRateLimit.defaultPerSecond,
      min: 1,
      max: 1_000_000,
    },
  ),
  BADAM_PROMETHEUS_PORT: int('Prometheus (scrapes every replica, evaluates the alert rules)', {
    default: 18090,
    min: 1,
    max: 65535,
  }),
  BADAM_KAFKA_PORT: int('Kafka broker port; the KRaft controller uses the next one', {
    default: 19092,
    min: 1,
    max: 65534,
  }),
  BADAM_CLICKHOUSE_HTTP_PORT: int('ClickHouse HTTP port', { default: 18123, min: 1, max: 65535 }),
  BADAM_CLICKHOUSE_TCP_PORT: int('ClickHouse native protocol port', { default: 19000, min: 1, max: 65535 }),
  BADAM_TOPOLOGY: oneOf(
    'ClickHouse: single (one server), replicated (ZooKeeper, 3 replicas), sharded (ZooKeeper, 2 shards × 3 replicas); server i takes the ClickHouse ports + 10×i, interserver HTTP port + 5',
    TOPOLOGIES,
    'single',
  ),
  BADAM_ZOOKEEPER_PORT: int('ZooKeeper port (replicated and sharded topologies)', {
    default: 12181,
    min: 1,
    max: 65535,
  }),
  BADAM_READ_MODEL_PORT: int("read model store (redis-server) port; a cluster's nodes take it and the next five", {
    default: 16379,
    min: 1,
    max: 65430,
  }),
  BADAM_READ_MODEL_TOPOLOGY: oneOf(
    'read model store: single (one redis-server) or cluster (3 masters + 3 replicas on the port and the next 5, buses at +100)',
    READ_MODEL_TOPOLOGIES,
    'single',
  ),
  BADAM_SERVICE_BASE_PORT: int(
    'first port of the services: producer N+1.., fastify N+11.., hapi N+21.., restify N+31.., consumers N+41..',
    {
      default: 18200,
      min: 1,
      max: 65000,
    },
  ),
  // One of each on this machine: 9 read app processes on 2 cores cost 58 % of a core where 3 cost 40 %, at the same
  // 900 requests/s (idle event loops, GC, metrics per process); the swarm stack runs three of each on its nodes.
  BADAM_REPLICAS: int('replicas of the producer and of each read app', { default: 1, min: 1, max: 9 }),
  BADAM_CONSUMERS: int('consumer processes in the fleet', { default: 1, min: 1, max: 9 }),
  BADAM_PARTITIONS: int('partitions of the topic (the most consumers that can work)', {
    default: 12,
    min: 1,
    max: 1000,
  }),
  BADAM_KAFKA_HEAP_MB: int('Kafka JVM heap, MiB', { default: 512, min: 128, max: 16384 }),
} as const;

export type StackConfig = ReturnType<typeof loadStackConfig>;

export function loadStackConfig(env: NodeJS.ProcessEnv = process.env) {
  const config = readConfig(stackSettings, env);
  return { ...config, BADAM_DATA_DIR: resolve(repoRoot, config.BADAM_DATA_DIR) };
}

/** The stack's ClickHouse as the stack's tools (seed, load runner) reach it: long requests, few connections. */
export function stackClickHouse(config: StackConfig): ClickHouseConnection {
  return localClickHouse(`http://127.0.0.1:${config.BADAM_CLICKHOUSE_HTTP_PORT}`, {
    requestTimeoutMs: 60_000,
    maxOpenConnections: 2,
  });
}
