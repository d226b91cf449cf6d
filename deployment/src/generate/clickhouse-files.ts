import { resolve } from 'node:path';
import { renderClickHouseRoles } from '@badam/pipeline';
import { repoRoot } from '@badam/stack/paths';

/**
 * The files the Docker deployments give the clickhouse service (deployment/clickhouse/README.md): the roles, generated from
 * pipeline/runtime/src/clickhouse/roles.ts and checked in, and the entrypoint that turns the roles' secrets into the password
 * hashes the roles file reads.
 */
export const CLICKHOUSE_FILES = {
  roles: {
    source: resolve(repoRoot, 'deployment/clickhouse/users.d/badam-roles.xml'),
    target: '/etc/clickhouse-server/users.d/badam-roles.xml',
  },
  entrypoint: {
    source: resolve(repoRoot, 'deployment/clickhouse/entrypoint.sh'),
    target: '/usr/local/bin/badam-entrypoint.sh',
  },
} as const;

/** The database the Docker deployments keep the messages in (CLICKHOUSE_DATABASE), which the roles are granted on. */
export const DEPLOYED_DATABASE = 'default';

export function renderDeployedRoles(): string {
  return renderClickHouseRoles(DEPLOYED_DATABASE);
}
