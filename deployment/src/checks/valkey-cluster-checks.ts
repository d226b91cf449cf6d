import { posix } from 'node:path';
import { READ_MODEL_PASSWORD_SECRET } from '@badam/stack/infra/stack-secrets';
import { SECRETS_DIR, type DeploymentFile } from '../deployment-file.js';
import { READ_MODEL_STORE } from '../deployment-services.js';
import type { ClusterFiles } from '../generate/cluster-files.js';
import { VALKEY_CLUSTER } from '../swarm-topology.js';
import { mountsOf } from './file-checks.js';
import { dataVolumeProblems } from './placement-checks.js';
import { flagValue } from './read-model-checks.js';
import { setsFromSecret } from './store-password-checks.js';
import { commandArgs } from './service-checks.js';

const SECRET_PATH = posix.join(SECRETS_DIR, READ_MODEL_PASSWORD_SECRET);

/**
 * The swarm's Valkey cluster (each node's cache rules: read-model-checks.ts): enough nodes for three masters with
 * their replicas; each node in cluster mode, announcing its service name (the slot map and redirections clients get
 * then survive a task's new address), its replicas authenticating to it with the store's password, its identity
 * (nodes.conf) on its own volume; and the one-shot that forms the cluster runs once per deploy, over every node.
 */
export function valkeyClusterProblems(file: DeploymentFile, files: Pick<ClusterFiles, 'valkeyCreator'>): string[] {
  if (file.kind !== 'swarm') return [];
  const { nodes, replicasPerMaster, creator, dataDir } = VALKEY_CLUSTER;
  const problems: string[] = [];
  const masters = nodes.length / (1 + replicasPerMaster);
  if (!Number.isInteger(masters) || masters < 3)
    problems.push(
      `valkey cluster: ${nodes.length} nodes do not make 3 or more masters of ${replicasPerMaster} replicas each`,
    );

  for (const name of nodes) {
    const service = file.services[name];
    if (service === undefined) continue; // readModelStoreProblems reports it
    const args = commandArgs(service.command);
    if (flagValue(args, '--cluster-enabled') !== 'yes')
      problems.push(`${name}: not a cluster node (--cluster-enabled yes)`);
    if (flagValue(args, '--cluster-preferred-endpoint-type') !== 'hostname')
      problems.push(`${name}: clients would get addresses, not names (--cluster-preferred-endpoint-type hostname)`);
    if (service.hostname !== name) problems.push(`${name}: hostname is ${service.hostname}, expected ${name}`);
    const announced =
      flagValue(args, '--cluster-announce-hostname') === name ||
      args.some((arg) => arg.split('\n').some((line) => /^\s*cluster-announce-hostname \$\(hostname\)\s*$/.test(line)));
    if (!announced) problems.push(`${name}: does not announce its name (cluster-announce-hostname)`);
    if (!setsFromSecret(args, 'masterauth', SECRET_PATH))
      problems.push(`${name}: does not set masterauth from ${SECRET_PATH}: its replica could not sync`);
    problems.push(...dataVolumeProblems(name, service, dataDir));
  }

  const job = file.services[creator];
  if (job === undefined) return [...problems, `${creator}: no such service`];
  if (job.deploy?.mode !== 'replicated-job')
    problems.push(`${creator}: a ${job.deploy?.mode ?? 'replicated'} service, expected a replicated-job`);
  const args = commandArgs(job.command);
  const script = args.indexOf(files.valkeyCreator.target);
  if (
    !mountsOf(file, job).some((m) => m.source === files.valkeyCreator.source && m.target === files.valkeyCreator.target)
  )
    problems.push(`${creator}: ${files.valkeyCreator.source} is not mounted at ${files.valkeyCreator.target}`);
  if (script === -1) problems.push(`${creator}: does not run ${files.valkeyCreator.target}`);
  else if (args[script + 1] !== String(replicasPerMaster))
    problems.push(`${creator}: replicas per master is ${args[script + 1]}, expected ${replicasPerMaster}`);
  for (const name of nodes) {
    if (!args.includes(`${name}:${READ_MODEL_STORE.port}`))
      problems.push(`${creator}: does not list ${name}:${READ_MODEL_STORE.port}`);
  }
  if (!(job.secrets ?? []).some(({ source }) => source === READ_MODEL_PASSWORD_SECRET))
    problems.push(`${creator}: does not mount secret ${READ_MODEL_PASSWORD_SECRET}`);
  return problems;
}
