import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { envoyYamlPath, loadRouteTable, servicesOf } from '@badam/gateway';
import { dashboardsDir, observabilityRoot, rulesDir, swarmConfigPath } from '@badam/observability';
import { DEFAULT_PARTITIONS } from '@badam/pipeline';
import { parse } from 'yaml';
import { FLEET_SERVICES } from '@badam/stack/fleet';
import { NODE_SERVICES } from '@badam/stack/service-settings';
import { READ_MODEL_PASSWORD_SECRET } from '@badam/stack/infra/stack-secrets';
import { repoRoot } from '@badam/stack/paths';
import { CLICKHOUSE_FILES } from './generate/clickhouse-files.js';
import { renderComposeFile, renderSwarmFile, type DeploymentFile } from './deployment-file.js';
import { filesUnder } from './checks/file-checks.js';
import { listenerPort } from './checks/envoy-bootstrap.js';
import type { LoadRunnerTarget } from './checks/load-runner-checks.js';
import type { SecretExpectations } from './checks/secret-checks.js';
import { GRAFANA_ADMIN_PASSWORD_SECRET, SERVICE_ROLES } from './deployment-services.js';
import { CLICKHOUSE_CLUSTER } from './swarm-topology.js';
import { CLUSTER_FILES, type ClusterFiles } from './generate/cluster-files.js';

/** Everything the deployment checks compare: both files as Docker reads them, and what the repository says. */
export interface DeploymentInputs {
  compose: DeploymentFile;
  swarm: DeploymentFile;
  envoy: unknown;
  /** observability/prometheus/prometheus.swarm.yml, the scrape config of both files. */
  prometheus: unknown;
  /** The services the native stack runs (tools/stack/src/fleet.ts): both deployments run them too. */
  fleet: string[];
  /** badam/<service>:<version of services/<service>/package.json>. */
  ownImages: Record<string, string>;
  /** The services envoy/routes.json sends to. */
  routedServices: string[];
  /** Host files some container needs: the gateway config and every observability file. */
  requiredFiles: string[];
  partitions: number;
  /** k6/ (mounted into the load runner) and the gateway it goes through. */
  loadRunner: LoadRunnerTarget;
  /** Who logs in as which ClickHouse role, and where each password comes from. */
  secrets: SecretExpectations;
  /** The swarm's ClickHouse and Keeper configs (with their text) and the Valkey cluster's creation script. */
  clusterFiles: ClusterFiles;
}

export async function loadDeploymentInputs(): Promise<DeploymentInputs> {
  const [compose, swarm] = await Promise.all([renderComposeFile(), renderSwarmFile()]);
  const envoy: unknown = parse(readFileSync(envoyYamlPath, 'utf8'));
  return {
    compose,
    swarm,
    envoy,
    prometheus: parse(readFileSync(swarmConfigPath, 'utf8')),
    fleet: FLEET_SERVICES,
    ownImages: Object.fromEntries(
      NODE_SERVICES.map((service) => [service, `badam/${service}:${packageVersion(service)}`]),
    ),
    routedServices: servicesOf(loadRouteTable()),
    requiredFiles: [
      envoyYamlPath,
      swarmConfigPath,
      ...filesUnder(rulesDir),
      ...filesUnder(resolve(observabilityRoot, 'grafana/provisioning')),
      ...filesUnder(dashboardsDir),
      CLICKHOUSE_FILES.roles.source,
      CLICKHOUSE_FILES.entrypoint.source,
    ],
    clusterFiles: {
      clickhouse: { ...CLUSTER_FILES.clickhouse, text: readFileSync(CLUSTER_FILES.clickhouse.source, 'utf8') },
      keeper: { ...CLUSTER_FILES.keeper, text: readFileSync(CLUSTER_FILES.keeper.source, 'utf8') },
      valkeyCreator: CLUSTER_FILES.valkeyCreator,
    },
    partitions: DEFAULT_PARTITIONS,
    loadRunner: { scriptsDir: resolve(repoRoot, 'k6'), gateway: 'envoy', gatewayPort: listenerPort(envoy, 'gateway') },
    secrets: {
      roles: SERVICE_ROLES,
      clickhouse: { image: CLICKHOUSE_CLUSTER.image, ...CLICKHOUSE_FILES },
      store: { passwordSecret: READ_MODEL_PASSWORD_SECRET },
      grafana: { service: 'grafana', passwordSecret: GRAFANA_ADMIN_PASSWORD_SECRET },
      composeSecretsDir: resolve(repoRoot, 'secrets'),
    },
  };
}

function packageVersion(service: string): string {
  const manifest = JSON.parse(readFileSync(resolve(repoRoot, 'services', service, 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}
