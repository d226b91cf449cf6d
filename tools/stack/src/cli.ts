import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterTablesError, DEFAULT_PARTITIONS } from '@badam/pipeline';
import { launchFleet } from './fleet.js';
import { startGateway } from './infra/gateway.js';
import { startInfra } from './infra/infra.js';
import { gatewayScrapeJobs, startPrometheus } from './infra/prometheus.js';
import { READ_MODEL_PASSWORD_SECRET } from './infra/stack-secrets.js';
import { loadStackConfig } from './stack-config.js';

const USAGE = `usage: scripts/stack.sh <command>
  up      start Kafka, ClickHouse (BADAM_TOPOLOGY), the producer, the consumer fleet, the read apps and the gateway; Ctrl-C stops all
  reset   delete all native stack state (the data folder); the stack must be stopped
`;

const TOPIC = 'messages';
const TABLE = 'messages';

async function up() {
  const config = loadStackConfig();
  const pidFile = join(config.BADAM_DATA_DIR, 'stack.pid');
  if (runningPid(pidFile) !== undefined) throw new Error(`the stack already runs (pid ${runningPid(pidFile)})`);

  const infra = await startInfra({
    dataDir: config.BADAM_DATA_DIR,
    kafkaPort: config.BADAM_KAFKA_PORT,
    clickhouseHttpPort: config.BADAM_CLICKHOUSE_HTTP_PORT,
    clickhouseTcpPort: config.BADAM_CLICKHOUSE_TCP_PORT,
    readModelPort: config.BADAM_READ_MODEL_PORT,
    readModelTopology: config.BADAM_READ_MODEL_TOPOLOGY,
    kafkaHeapMb: config.BADAM_KAFKA_HEAP_MB,
    topology: config.BADAM_TOPOLOGY,
    zookeeperPort: config.BADAM_ZOOKEEPER_PORT,
  });
  writeFileSync(pidFile, String(process.pid));
  const stops: (() => Promise<void>)[] = [() => infra.stop()];
  let stopping = false;
  const stopAll = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\n[stack] stopping...');
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => console.error(error));
    rmSync(pidFile, { force: true });
    console.log('[stack] stopped');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    if (config.BADAM_PARTITIONS !== DEFAULT_PARTITIONS)
      console.log(`[stack] topic with ${config.BADAM_PARTITIONS} partitions`);
    const prepared = await infra.prepare(TOPIC, config.BADAM_PARTITIONS, TABLE).then(
      () => true,
      (error: unknown) => {
        if (!(error instanceof ClusterTablesError)) throw error;
        // The single topology's table is on server 0: the services wait while it moves (docs/RELIABILITY.md).
        console.error(`[stack] ${error.message}`);
        console.log(`[stack] Kafka and ClickHouse (${infra.topology}) are up, no service started. Now run
  CLICKHOUSE_URL=${infra.clickhouse.url} CLICKHOUSE_CLUSTER=${infra.clickhouseCluster} npm run move-to-cluster
then stop this (Ctrl-C) and start the stack again.`);
        return false;
      },
    );
    if (!prepared) return;
    const fleet = launchFleet({
      dataDir: config.BADAM_DATA_DIR,
      infra,
      topic: TOPIC,
      table: TABLE,
      basePort: config.BADAM_SERVICE_BASE_PORT,
      replicas: config.BADAM_REPLICAS,
      consumers: config.BADAM_CONSUMERS,
    });
    stops.push(() => fleet.stop());
    await fleet.ready();
    // After the fleet: HAProxy would mark not-yet-listening replicas down and wait for its next checks.
    const gateway = await startGateway({
      dataDir: config.BADAM_DATA_DIR,
      port: config.BADAM_GATEWAY_PORT,
      metricsPort: config.BADAM_GATEWAY_METRICS_PORT,
      services: fleet.ports,
      clientRateLimit: config.BADAM_GATEWAY_CLIENT_RATE_LIMIT,
    });
    stops.push(() => gateway.stop());
    const prometheus = await startPrometheus({
      dataDir: config.BADAM_DATA_DIR,
      port: config.BADAM_PROMETHEUS_PORT,
      services: fleet.ports,
      extraJobs: gatewayScrapeJobs(gateway),
    });
    stops.push(() => prometheus.stop());
    console.log(`[stack] up. State and logs: ${config.BADAM_DATA_DIR}`);
    console.log(`  kafka       127.0.0.1:${config.BADAM_KAFKA_PORT} (topic ${TOPIC})`);
    console.log(
      `  clickhouse  ${infra.clickhouse.url} (table ${TABLE}; services as reader/writer/migrator, you as default)`,
    );
    if (infra.zookeeper !== undefined) {
      console.log(
        `              ${infra.topology}: cluster ${infra.clickhouseCluster}, ZooKeeper 127.0.0.1:${infra.zookeeper.port}`,
      );
      for (const { node, url } of infra.clickhouseServers) {
        console.log(`              shard ${node.shard} replica ${node.replica}: ${url} (native ${node.tcpPort})`);
      }
    }
    console.log(
      `  read model  ${infra.readModelUrl} (redis-server, ${infra.readModelMode}; a key per group: ${TABLE}:<group id>)`,
    );
    console.log(
      `  passwords   ${infra.secrets.path(READ_MODEL_PASSWORD_SECRET).replace(/[^/]+$/, '')} (one file per role and the store's)`,
    );
    for (const [service, ports] of fleet.ports) {
      console.log(`  ${service.padEnd(11)} ${ports.map((port) => `127.0.0.1:${port}`).join(' ')}`);
    }
    console.log(
      `  gateway     ${gateway.url}/{producer,fastify,hapi,restify}/ (metrics ${gateway.metricsUrl}, stats /stats)`,
    );
    console.log(
      `              at most ${config.BADAM_GATEWAY_CLIENT_RATE_LIMIT} requests/s per client address (BADAM_GATEWAY_CLIENT_RATE_LIMIT)`,
    );
    console.log(`  prometheus  ${prometheus.url} (targets: /targets, alerts: /alerts, query: /graph)`);
    console.log(`\n  send:  curl -s -XPOST ${gateway.url}/producer/messages -H 'content-type: application/json' \\
           -d '{"group_id":1,"sender_id":7,"text":"hello"}'`);
    console.log(`  read:  curl -s ${gateway.url}/fastify/groups/1/messages   (or /hapi/..., /restify/...)`);
    console.log(`  dashboards: Grafana comes with the Docker deployment (docs/DEPLOY.md); here, query ${prometheus.url}/graph,
           e.g. badam:api_requests:rate1m or badam:api_request_duration_seconds:p95_5m (observability/README.md)`);
    console.log('\n[stack] Ctrl-C stops everything.');
  } catch (error) {
    console.error(`[stack] failed to start: ${(error as Error).message}`);
    await stopAll(1);
  }
}

function runningPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

function reset() {
  const config = loadStackConfig();
  const pid = runningPid(join(config.BADAM_DATA_DIR, 'stack.pid'));
  if (pid !== undefined) throw new Error(`the stack runs (pid ${pid}); stop it first`);
  rmSync(config.BADAM_DATA_DIR, { recursive: true, force: true });
  console.log(`[stack] removed ${config.BADAM_DATA_DIR}`);
}

const command = process.argv[2];
try {
  if (command === 'up') await up();
  else if (command === 'reset') reset();
  else {
    process.stderr.write(USAGE);
    process.exit(command === undefined || command === 'help' ? 0 : 2);
  }
} catch (error) {
  console.error(`[stack] ${(error as Error).message}`);
  process.exit(1);
}
