import { run } from '../process/managed-process.js';
import { waitFor } from '../process/wait.js';
import {
  startReadModelServer,
  type ReadModelNode,
  type ReadModelStore,
  type ReadModelStoreOptions,
} from './read-model-store.js';

/** Three masters, each with one replica: a master's loss is covered by its replica's promotion. */
const MASTERS = 3;
const NODES = MASTERS * 2;
/**
 * Not Redis' default (+10000): that puts the stack's buses (16379..) on the test run's ports (26379..), and the test
 * ports' (2xxxx-3xxxx) in the range Linux hands out to outgoing connections, where a bind can fail (seen here).
 */
const BUS_PORT_OFFSET = 100;

export interface ReadModelClusterOptions extends ReadModelStoreOptions {
  /**
   * Each node's cluster bus listens at its port + this (default BUS_PORT_OFFSET); a test's private stack passes a
   * smaller one so the bus ports stay inside the block of ports it checked free.
   */
  busPortOffset?: number;
  /** How long a silent master is given before its replica takes over, ms (Redis' cluster-node-timeout). */
  nodeTimeoutMs?: number;
}

/**
 * A Redis Cluster of 3 masters + 3 replicas on ports port..port+5 (Debian's redis-server 7.0; Docker runs Valkey in
 * cluster mode), each node with its own folder: created once with `redis-cli --cluster create`, after which the nodes
 * keep the layout in their nodes.conf (pages are never saved: a restarted node comes back empty, a cold cache).
 */
export async function startReadModelCluster(options: ReadModelClusterOptions): Promise<ReadModelStore> {
  const ports = Array.from({ length: NODES }, (_, i) => options.port + i);
  const started = await Promise.allSettled(
    ports.map((port) =>
      startReadModelServer({
        ...options,
        port,
        name: `read-model-${port}`,
        maxMemoryMb: options.maxMemoryMb ?? 256,
        extraConfig: clusterConfig(options, port),
      }),
    ),
  );
  const nodes: ReadModelNode[] = started.flatMap((result, i) =>
    result.status === 'fulfilled' ? [{ port: ports[i]!, process: result.value }] : [],
  );
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.process.stop()));
  };
  try {
    const failed = started.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    if (!(await clusterInfo(options, ports[0]!)).includes('cluster_slots_assigned:16384')) {
      await redisCli(options, [
        '--cluster',
        'create',
        ...ports.map((port) => `127.0.0.1:${port}`),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ]);
    }
    // Ready once every node sees the whole cluster and every replica has its master's data: a replica that never
    // synced could not take over (and a test that kills a master at once would find no failover).
    await waitFor(
      `the read model cluster on ports ${ports[0]}..${ports.at(-1)} (cluster_state:ok, every replica in sync)`,
      async () => {
        const states = await Promise.all(ports.map((port) => nodeState(options, port)));
        return states.every(
          ({ cluster, replication }) =>
            cluster.includes('cluster_state:ok') &&
            (replication.includes('role:master') || replication.includes('master_link_status:up')),
        );
      },
      60_000,
      300,
    );
    // A replica is left out of CLUSTER SLOTS until the nodes have gossiped its replication offset (seconds, on a new
    // cluster): a client reading the slot map before sees masters only, and consumer writes to a master whose replica
    // the map does not show do not count (pipeline/runtime cluster-writes.ts). Ready once every node lists them.
    await waitFor(
      'every master listed with its replica in CLUSTER SLOTS',
      async () => {
        const maps = await Promise.all(
          ports.map((port) =>
            redisCli(options, ['--json', '-p', String(port), 'cluster', 'slots'])
              .then((text) => JSON.parse(text) as unknown[][])
              .catch(() => []),
          ),
        );
        return maps.every((ranges) => ranges.length > 0 && ranges.every((range) => range.length >= 4));
      },
      60_000,
      300,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: ports.map((port) => `redis://127.0.0.1:${port}`).join(','), mode: 'cluster', nodes, stop };
}

function clusterConfig(options: ReadModelClusterOptions, port: number): string[] {
  return [
    'cluster-enabled yes',
    'cluster-config-file nodes.conf',
    `cluster-node-timeout ${options.nodeTimeoutMs ?? 3000}`,
    `cluster-port ${port + (options.busPortOffset ?? BUS_PORT_OFFSET)}`,
    // A cache keeps serving the slots of the masters that answer while one's slots fail over (the default, yes,
    // refuses every command of the whole cluster meanwhile).
    'cluster-require-full-coverage no',
    // Any replica may take over, however long it was cut off from its master: its data is a cache, and every page a
    // consumer counted as written is on it (WAIT, cluster-writes.ts); older ones are rewritten by the refresher.
    'cluster-replica-validity-factor 0',
    // A replica authenticates to its master with the password every client gives.
    `masterauth ${options.password}`,
  ];
}

async function nodeState(options: Pick<ReadModelStoreOptions, 'password'>, port: number) {
  const [cluster, replication] = await Promise.all([
    clusterInfo(options, port),
    redisCli(options, ['-p', String(port), 'info', 'replication']).catch(() => ''),
  ]);
  return { cluster, replication };
}

/** CLUSTER INFO of a node ('' when it does not answer). */
export async function clusterInfo(options: Pick<ReadModelStoreOptions, 'password'>, port: number): Promise<string> {
  return redisCli(options, ['-p', String(port), 'cluster', 'info']).catch(() => '');
}

/** redis-cli with the password in its environment (REDISCLI_AUTH), not on its command line, which every user sees. */
function redisCli({ password }: Pick<ReadModelStoreOptions, 'password'>, args: string[]): Promise<string> {
  return run('redis-cli', ['-h', '127.0.0.1', ...args], { env: { REDISCLI_AUTH: password } });
}
