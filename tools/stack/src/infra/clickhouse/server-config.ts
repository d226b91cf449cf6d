import { CLUSTER_NAME, type ClickHouseNode } from './topology.js';

/** config.xml of one server: its ports and paths; the single topology's server has exactly this and nothing else. */
export function serverConfig(node: ClickHouseNode, data: string): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <http_port>${node.httpPort}</http_port>
  <tcp_port>${node.tcpPort}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${data}/</path>
  <tmp_path>${data}/tmp/</tmp_path>
  <user_files_path>${data}/user_files/</user_files_path>
  <format_schema_path>${data}/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <max_concurrent_queries>400</max_concurrent_queries>
  <mark_cache_size>1073741824</mark_cache_size>
  <uncompressed_cache_size>1073741824</uncompressed_cache_size>
</yandex>
`;
}

// max_threads 2: the machine has two cores; more threads per query only contend with the other queries.
export const USERS_CONFIG = `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_threads>2</max_threads><use_uncompressed_cache>1</use_uncompressed_cache></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default></default></quotas>
</yandex>
`;

/**
 * How long ZooKeeper keeps a server that stopped answering (30 s by default). A server SIGKILLed in the middle of a
 * quorum insert leaves that insert's part on no live replica, and the shard's quorum inserts wait (Code 286) until its
 * session ends and a live replica marks the part failed: this bounds the pause (tests/faults/clickhouse-replica-loss
 * measured 42 s with the default). Above ZooKeeper's minimum (2 × tickTime, 4 s), with room for a busy machine.
 */
export const ZOOKEEPER_SESSION_TIMEOUT_MS = 10_000;

/**
 * config.d/cluster.xml of a server of the replicated or sharded topology: ZooKeeper, its own `{shard}`/`{replica}`
 * macros, the interserver endpoint replicas fetch parts from, and the cluster (`badam`) listing every server, so
 * `ON CLUSTER badam` DDL and Distributed tables work from any of them. internal_replication: a Distributed insert
 * goes to one replica of the shard and the replicated table copies it (never both writing the same rows).
 */
export function clusterConfig(node: ClickHouseNode, nodes: readonly ClickHouseNode[], zookeeperPort: number): string {
  const shards = [...new Set(nodes.map((n) => n.shard))].map((shard) => {
    const replicas = nodes
      .filter((n) => n.shard === shard)
      .map((n) => `        <replica><host>127.0.0.1</host><port>${n.tcpPort}</port></replica>`);
    return `      <shard>
        <internal_replication>true</internal_replication>
${replicas.join('\n')}
      </shard>`;
  });
  return `<?xml version="1.0"?>
<yandex>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <interserver_http_port>${node.interserverPort}</interserver_http_port>
  <zookeeper>
    <node><host>127.0.0.1</host><port>${zookeeperPort}</port></node>
    <session_timeout_ms>${ZOOKEEPER_SESSION_TIMEOUT_MS}</session_timeout_ms>
  </zookeeper>
  <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
  <!-- A server SIGKILLed during an insert keeps that part on disk though ZooKeeper never registered it (the insert
       failed and the consumer retried it). At start 18.16 refuses to attach the table when such parts hold over half
       its rows (replicated_max_ratio_of_wrong_parts 0.5), which a young table's last insert can (seen in
       faults/clickhouse-replica-faults: 1,545 of 1,840 rows, the server never ready). With 1 it moves them to
       detached/ and fetches what the other replicas have: nothing acknowledged is in them. -->
  <merge_tree><replicated_max_ratio_of_wrong_parts>1</replicated_max_ratio_of_wrong_parts></merge_tree>
  <macros>
    <shard>${node.shard}</shard>
    <replica>${node.replica}</replica>
  </macros>
  <remote_servers>
    <${CLUSTER_NAME}>
${shards.join('\n')}
    </${CLUSTER_NAME}>
  </remote_servers>
</yandex>
`;
}
