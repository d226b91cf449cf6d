import { resolve } from 'node:path';
import { envoyYamlPath, loadRouteTable, renderEnvoyYaml } from '@badam/gateway';
import { repoRoot } from '@badam/stack/paths';
import { CLICKHOUSE_FILES, renderDeployedRoles } from './clickhouse-files.js';
import { CLUSTER_FILES, renderClickHouseClusterConfig, renderKeeperConfig } from './cluster-files.js';
import { renderEnvExample } from './env-example.js';
import { withGeneratedEnvironments } from './environment-blocks.js';

/**
 * The checked-in files generated from code, so the deployments, the native stack and the docs cannot drift apart.
 * render gets the file as it is (the Docker files are rewritten in place: only their services' environment blocks).
 */
export interface GeneratedFile {
  path: string;
  source: string;
  render(current: string): string;
}

export const GENERATED_FILES: readonly GeneratedFile[] = [
  { path: envoyYamlPath, source: 'envoy/routes.json and envoy/src/', render: () => renderEnvoyYaml(loadRouteTable()) },
  {
    path: CLICKHOUSE_FILES.roles.source,
    source: 'pipeline/runtime/src/clickhouse/roles.ts',
    render: renderDeployedRoles,
  },
  {
    path: CLUSTER_FILES.clickhouse.source,
    source: 'deployment/src/swarm-topology.ts',
    render: renderClickHouseClusterConfig,
  },
  { path: CLUSTER_FILES.keeper.source, source: 'deployment/src/swarm-topology.ts', render: renderKeeperConfig },
  { path: resolve(repoRoot, '.env.example'), source: 'the settings specs', render: () => renderEnvExample() },
  {
    path: resolve(repoRoot, 'docker-compose.yml'),
    source: 'the settings specs and deployment/src/generate/deployment-values.ts',
    render: (current) => withGeneratedEnvironments(current, 'compose'),
  },
  {
    path: resolve(repoRoot, 'swarm-stack.yml'),
    source: 'the settings specs and deployment/src/generate/deployment-values.ts',
    render: (current) => withGeneratedEnvironments(current, 'swarm'),
  },
];
