import type { DeploymentFile } from '../deployment-file.js';
import { shardsOf, type ClusterFiles } from '../generate/cluster-files.js';
import { CLICKHOUSE_CLUSTER } from '../swarm-topology.js';
import { mountsOf } from './file-checks.js';
import { dataVolumeProblems } from './placement-checks.js';
import { serviceEnvironment } from './service-checks.js';
import { servicesRunning } from './image-names.js';

/**
 * The ClickHouse servers and their clients. Compose: one server, CLICKHOUSE_CLUSTER empty. Swarm: the cluster config
 * has at least two shards of at least three replicas (a majority quorum that survives one lost replica), and lists
 * exactly the file's ClickHouse servers; every client's CLICKHOUSE_URL lists every server (to fail over to); each server has
 * the config and the inter-server secret, its own data volume, the shared alias, and macros naming it (its replica
 * name is its own: the others fetch parts from that host) in the shard remote_servers puts it in, so no two replicas
 * share a place; every client's CLICKHOUSE_CLUSTER is the cluster's name. (Pinning: placement-checks.ts.)
 */
export function clickhouseClusterProblems(file: DeploymentFile, files: Pick<ClusterFiles, 'clickhouse'>): string[] {
  const c = CLICKHOUSE_CLUSTER;
  const servers = servicesRunning(file, c.image);
  const expectedCluster = file.kind === 'swarm' ? c.name : '';
  const problems: string[] = [];
  for (const [name, service] of Object.entries(file.services)) {
    const cluster = serviceEnvironment(service).CLICKHOUSE_CLUSTER;
    if (cluster !== undefined && cluster !== expectedCluster)
      problems.push(
        `${name}: CLICKHOUSE_CLUSTER is ${JSON.stringify(cluster)}, expected ${JSON.stringify(expectedCluster)}`,
      );
  }
  if (file.kind === 'compose') {
    if (servers.length !== 1) problems.push(`${servers.length} ClickHouse servers, expected one`);
    return problems;
  }

  const shards = shardsOf(files.clickhouse.text, c.name);
  if (shards.length < 2) problems.push(`cluster ${c.name}: ${shards.length} shards, expected at least 2`);
  shards.forEach((replicas, index) => {
    if (replicas.length < 3)
      problems.push(
        `cluster ${c.name}: shard ${index + 1} has ${replicas.length} replicas, expected at least 3 (a quorum of 2 that survives one lost)`,
      );
  });
  for (const host of shards.flat()) {
    if (!servers.includes(host))
      problems.push(`cluster ${c.name}: lists ${host}, not a ClickHouse server of this file`);
  }
  for (const [name, service] of Object.entries(file.services)) {
    const url = serviceEnvironment(service).CLICKHOUSE_URL;
    if (url === undefined) continue;
    const hosts = url.split(',').map((server) => (URL.canParse(server.trim()) ? new URL(server.trim()).hostname : ''));
    const missing = servers.filter((server) => !hosts.includes(server));
    if (missing.length > 0)
      problems.push(`${name}: CLICKHOUSE_URL does not list ${missing.join(', ')} (nothing to fail over to)`);
  }

  const places = new Map<string, string>();
  for (const name of servers) {
    const service = file.services[name] ?? {};
    const shard = shards.findIndex((replicas) => replicas.includes(name)) + 1;
    if (shard === 0) problems.push(`${name}: not a replica of cluster ${c.name} (remote_servers)`);
    const env = serviceEnvironment(service);
    const [macroShard, macroReplica] = [env[c.shardVariable], env[c.replicaVariable]];
    if (shard !== 0 && macroShard !== String(shard))
      problems.push(`${name}: ${c.shardVariable} is ${macroShard}, but remote_servers has it in shard ${shard}`);
    if (macroReplica !== name)
      problems.push(
        `${name}: ${c.replicaVariable} is ${macroReplica}, expected its own name (the host others fetch from)`,
      );
    const place = `${macroShard}/${macroReplica}`;
    const other = places.get(place);
    if (other !== undefined) problems.push(`${name}: macros ${place} are also ${other}'s`);
    places.set(place, name);
    if (
      !mountsOf(file, service).some((m) => m.source === files.clickhouse.source && m.target === files.clickhouse.target)
    )
      problems.push(`${name}: ${files.clickhouse.source} is not mounted at ${files.clickhouse.target}`);
    if (!(service.secrets ?? []).some(({ source }) => source === c.interserverSecret))
      problems.push(`${name}: does not mount secret ${c.interserverSecret}`);
    if (!(service.networks?.badam?.aliases ?? []).includes(c.alias))
      problems.push(`${name}: does not answer to ${c.alias} (the clients' CLICKHOUSE_URL)`);
    problems.push(...dataVolumeProblems(name, service, c.dataDir));
  }
  return problems;
}
