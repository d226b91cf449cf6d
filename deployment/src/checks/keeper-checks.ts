import type { DeploymentFile } from '../deployment-file.js';
import { keeperHostsOf, raftServersOf, type ClusterFiles } from '../generate/cluster-files.js';
import { CLICKHOUSE_CLUSTER, KEEPER_ENSEMBLE } from '../swarm-topology.js';
import { mountsOf } from './file-checks.js';
import { dataVolumeProblems } from './placement-checks.js';
import { officialImageProblems, serviceEnvironment } from './service-checks.js';
import { servicesRunning } from './image-names.js';

/** The tag of an image reference ('' without one). */
function tagOf(image: string | undefined): string {
  const name = (image ?? '').slice((image ?? '').lastIndexOf('/') + 1);
  return name.includes(':') ? name.slice(name.indexOf(':') + 1) : '';
}

/**
 * The swarm's ClickHouse Keeper ensemble: its three nodes are services of the file, each the official image at the
 * ClickHouse servers' version, with the Keeper config, its own data volume, and a raft id (BADAM_KEEPER_ID) that
 * the config gives to its own name; the config's raft_configuration lists exactly the three, and the servers'
 * <zookeeper> points at them. (Pinning and distinct volumes: placement-checks.ts.)
 */
export function keeperProblems(file: DeploymentFile, files: Pick<ClusterFiles, 'keeper' | 'clickhouse'>): string[] {
  if (file.kind !== 'swarm') return [];
  const nodes: readonly string[] = KEEPER_ENSEMBLE.nodes;
  const problems: string[] = [];
  const raft = raftServersOf(files.keeper.text);
  const listed = raft.map(({ hostname }) => hostname);
  if (listed.length !== nodes.length || !nodes.every((node) => listed.includes(node)))
    problems.push(`keeper config: raft_configuration lists ${listed.join(', ')}, expected ${nodes.join(', ')}`);
  const pointedAt = keeperHostsOf(files.clickhouse.text);
  if (pointedAt.join(',') !== nodes.join(','))
    problems.push(`ClickHouse config: <zookeeper> lists ${pointedAt.join(', ')}, expected ${nodes.join(', ')}`);

  const serverImage = file.services[servicesRunning(file, CLICKHOUSE_CLUSTER.image)[0] ?? '']?.image;
  for (const name of nodes) {
    const service = file.services[name];
    if (service === undefined) {
      problems.push(`${name}: no such service`);
      continue;
    }
    problems.push(...officialImageProblems(name, service.image, KEEPER_ENSEMBLE.image));
    if (serverImage !== undefined && tagOf(service.image) !== tagOf(serverImage))
      problems.push(
        `${name}: Keeper ${tagOf(service.image)} differs from the ClickHouse servers' ${tagOf(serverImage)}`,
      );
    if (!mountsOf(file, service).some((m) => m.source === files.keeper.source && m.target === files.keeper.target))
      problems.push(`${name}: ${files.keeper.source} is not mounted at ${files.keeper.target}`);
    problems.push(...dataVolumeProblems(name, service, KEEPER_ENSEMBLE.dataDir));
    const id = serviceEnvironment(service)[KEEPER_ENSEMBLE.idVariable];
    const own = raft.find((server) => String(server.id) === id);
    if (own?.hostname !== name)
      problems.push(
        `${name}: ${KEEPER_ENSEMBLE.idVariable} is ${id}, which raft_configuration gives to ${own?.hostname ?? 'no server'}`,
      );
  }
  return problems;
}
