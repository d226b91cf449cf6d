import { resolve } from 'node:path';
import { repoRoot } from '@badam/stack/paths';
import { CLICKHOUSE_CLUSTER, KEEPER_ENSEMBLE } from '../swarm-topology.js';

/**
 * The swarm's ClickHouse cluster config and its Keeper config, rendered from the lists in swarm-topology.ts (one list,
 * so the servers, the Keeper ensemble and the stack file cannot disagree). Every server and every Keeper node gets the
 * same file; what differs per node (its macros, its raft id) comes from its environment (from_env).
 */
export const CLUSTER_FILES = {
  clickhouse: {
    source: resolve(repoRoot, 'deployment/clickhouse/config.d/badam-cluster.xml'),
    target: '/etc/clickhouse-server/config.d/badam-cluster.xml',
  },
  keeper: {
    source: resolve(repoRoot, 'deployment/clickhouse/keeper/keeper_config.xml'),
    target: '/etc/clickhouse-keeper/keeper_config.xml',
  },
  /** Not generated: the script of the one-shot that forms the Valkey cluster. */
  valkeyCreator: {
    source: resolve(repoRoot, 'deployment/valkey/cluster-create.sh'),
    target: '/usr/local/bin/cluster-create.sh',
  },
} as const;

/** A file a swarm service gets, and where; with its text where the checks read it. */
export interface DeliveredFile {
  source: string;
  target: string;
}

/** What the cluster checks compare the stack file with. */
export interface ClusterFiles {
  clickhouse: DeliveredFile & { text: string };
  keeper: DeliveredFile & { text: string };
  valkeyCreator: DeliveredFile;
}

const GENERATED = '<!-- GENERATED from deployment/src/swarm-topology.ts: npm run generate. Do not edit. -->';

/** The swarm servers' MergeTree settings that make an insert durable when it returns (durability-checks.ts). */
export const DURABLE_INSERT_SETTINGS = [
  ['fsync_after_insert', 1],
  ['fsync_part_directory', 1],
] as const;

export function renderClickHouseClusterConfig(): string {
  const c = CLICKHOUSE_CLUSTER;
  const keepers = KEEPER_ENSEMBLE.nodes.map(
    (host) => `    <node><host>${host}</host><port>${KEEPER_ENSEMBLE.clientPort}</port></node>`,
  );
  const shards = c.shards.map((replicas) =>
    [
      '      <shard>',
      '        <internal_replication>true</internal_replication>',
      ...replicas.map((host) => `        <replica><host>${host}</host><port>${c.tcpPort}</port></replica>`),
      '      </shard>',
    ].join('\n'),
  );
  return `<?xml version="1.0"?>
${GENERATED}
<clickhouse>
  <!-- Replicated tables keep their parts' list and the replication log in Keeper. -->
  <zookeeper>
${keepers.join('\n')}
  </zookeeper>
  <!-- This server's place in the cluster, from its service's environment: {shard} and {replica} in the
       ReplicatedReplacingMergeTree path. -->
  <macros>
    <shard from_env="${c.shardVariable}"/>
    <replica from_env="${c.replicaVariable}"/>
  </macros>
  <!-- The replicas fetch parts from each other at this name (the service's, as in remote_servers), and only with the
       cluster's password: no one else on the network can download parts. -->
  <interserver_http_host from_env="${c.replicaVariable}"/>
  <interserver_http_credentials>
    <user>interserver</user>
    <password from_env="${c.interserverVariable}"/>
  </interserver_http_credentials>
  <!-- An insert returns only once its part and the part's directory are on disk (both off by default), so the rows
       of every offset a consumer committed outlive a power cut of every machine (docs/RELIABILITY.md, "Power loss").
       The consumers insert a few large batches a second: one fsync each. Merged parts need none: the parts a merge
       replaced stay old_parts_lifetime (480 s), and a server finding the merged part broken at start takes them back. -->
  <merge_tree>
${DURABLE_INSERT_SETTINGS.map(([name, value]) => `    <${name}>${value}</${name}>`).join('\n')}
  </merge_tree>
  <!-- The cluster's shared secret: a server sends a query on to another shard as the user who asked (the reader
       stays read-only everywhere) rather than as a user of its own in this file, and accepts forwarded queries only
       from holders of the secret. internal_replication: a Distributed insert goes to one replica per shard, the
       replicated table copies it to the other. Replaces the image's sample clusters. -->
  <remote_servers replace="replace">
    <${c.name}>
      <secret from_env="${c.interserverVariable}"/>
${shards.join('\n')}
    </${c.name}>
  </remote_servers>
</clickhouse>
`;
}

export function renderKeeperConfig(): string {
  const k = KEEPER_ENSEMBLE;
  const servers = k.nodes.map(
    (host, index) =>
      `      <server><id>${index + 1}</id><hostname>${host}</hostname><port>${k.raftPort}</port></server>`,
  );
  return `<?xml version="1.0"?>
${GENERATED}
<clickhouse>
  <logger>
    <level>information</level>
    <console>1</console>
  </logger>
  <listen_host>0.0.0.0</listen_host>
  <keeper_server>
    <tcp_port>${k.clientPort}</tcp_port>
    <!-- This node's raft id, from its service's environment: its position in raft_configuration. -->
    <server_id from_env="${k.idVariable}"/>
    <log_storage_path>${k.dataDir}/coordination/log</log_storage_path>
    <snapshot_storage_path>${k.dataDir}/coordination/snapshots</snapshot_storage_path>
    <coordination_settings>
      <operation_timeout_ms>10000</operation_timeout_ms>
      <session_timeout_ms>30000</session_timeout_ms>
      <raft_logs_level>warning</raft_logs_level>
    </coordination_settings>
    <raft_configuration>
${servers.join('\n')}
    </raft_configuration>
  </keeper_server>
</clickhouse>
`;
}

/** The replicas listed in a rendered remote_servers cluster, shard by shard (what the checks compare the stack to). */
export function shardsOf(config: string, cluster: string): string[][] {
  const body = new RegExp(`<${cluster}>([\\s\\S]*?)</${cluster}>`).exec(config)?.[1] ?? '';
  return [...body.matchAll(/<shard>([\s\S]*?)<\/shard>/g)].map(([, shard]) =>
    [...(shard ?? '').matchAll(/<host>([^<]*)<\/host>/g)].map(([, host]) => host ?? ''),
  );
}

/** The raft servers listed in a rendered Keeper config, by id. */
export function raftServersOf(config: string): { id: number; hostname: string }[] {
  return [...config.matchAll(/<server><id>(\d+)<\/id><hostname>([^<]*)<\/hostname>/g)].map(([, id, hostname]) => ({
    id: Number(id),
    hostname: hostname ?? '',
  }));
}

/** The Keeper nodes a rendered ClickHouse config points at. */
export function keeperHostsOf(config: string): string[] {
  const body = /<zookeeper>([\s\S]*?)<\/zookeeper>/.exec(config)?.[1] ?? '';
  return [...body.matchAll(/<host>([^<]*)<\/host>/g)].map(([, host]) => host ?? '');
}
