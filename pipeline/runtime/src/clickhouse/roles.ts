import { quoteIdentifier } from '@badam/domain/table/identifiers';

/**
 * The ClickHouse users of a deployment, one per kind of service, each allowed what its service does and no more. The
 * native stack (tools/stack/src/infra/clickhouse.ts) and the Docker images (deployment/clickhouse/users.d/badam-roles.xml, generated)
 * load the same rendering of this table, so the integration tests prove the roles the deployments run.
 *
 * Two servers read it: Debian's 18.16 here and 25.8 in Docker. Each role's limits are its profile's settings, which
 * both enforce, and its grants, which only 25.8 has (18.16 ignores the element):
 * - readonly=1: only reads, and no query may change a setting, readonly included.
 * - allow_ddl=0: no CREATE, DROP, ALTER, TRUNCATE, RENAME, OPTIMIZE. 18.16 refuses `SET allow_ddl = 1` and a
 *   SETTINGS clause, but takes the setting as an HTTP URL parameter: there only the grants (25.8) close it.
 * - grants are database-wide: the table name is a setting (CLICKHOUSE_TABLE, and each test makes its own), and
 *   25.8 refuses <grants> beside <allow_databases>, so on 18.16 a role reaches every database of its server.
 */
export interface ClickHouseRoleSpec {
  /** Which services log in as this role. */
  usedBy: string;
  /** Profile settings on top of the server's default profile. */
  settings: Readonly<Record<string, number>>;
  /** Privileges on the deployment's database (25.8). */
  grants: readonly string[];
  /**
   * Privileges outside it (25.8), for a cluster: the cluster's shape (system.clusters, read by init and the
   * consumers) and `ON CLUSTER` statements, which 25.8 refuses without the CLUSTER privilege.
   */
  serverGrants: readonly string[];
}

export const CLICKHOUSE_ROLES = {
  reader: {
    usedBy: 'the read apps (fastify, hapi, restify)',
    settings: { readonly: 1 },
    grants: ['SELECT'],
    serverGrants: [],
  },
  writer: {
    usedBy: 'the consumers',
    // Everything else the consumer sends is a query; its one setting, async_insert=0 (25.8), needs readonly=0.
    settings: { allow_ddl: 0 },
    grants: ['SELECT', 'INSERT'],
    serverGrants: ['SELECT ON system.clusters'],
  },
  migrator: {
    usedBy:
      "init: the migrations (CREATE TABLE, DESCRIBE, ALTER ADD COLUMN), and its rebuild-read-model command's reads",
    settings: {},
    grants: ['SELECT', 'CREATE TABLE', 'ALTER ADD COLUMN'],
    serverGrants: ['SELECT ON system.clusters', 'CLUSTER ON *.*'],
  },
} as const satisfies Record<string, ClickHouseRoleSpec>;

export type ClickHouseRole = keyof typeof CLICKHOUSE_ROLES;

export const CLICKHOUSE_ROLE_NAMES = Object.keys(CLICKHOUSE_ROLES) as ClickHouseRole[];

/** The user a role logs in as. */
export function clickhouseUser(role: ClickHouseRole): string {
  return role;
}

/** The secret holding a role's password: a Docker secret's name, and a file of the native stack's secrets folder. */
export function clickhousePasswordSecret(role: ClickHouseRole): string {
  return `clickhouse_${role}_password`;
}

/**
 * The server's environment variable holding the SHA-256 (hex) of a role's password. A hash rather than the password:
 * unset, it is empty, which neither server accepts as a hash (18.16 refuses to start, 25.8 to load the user), where
 * an empty <password> would let anyone in.
 */
export function clickhousePasswordHashVariable(role: ClickHouseRole): string {
  return `CLICKHOUSE_${role.toUpperCase()}_PASSWORD_SHA256`;
}

function profileName(role: ClickHouseRole): string {
  return `badam_${role}`;
}

function grantQueries(role: ClickHouseRole, quotedDatabase: string): string {
  const { grants, serverGrants } = CLICKHOUSE_ROLES[role] as ClickHouseRoleSpec;
  return [`${grants.join(', ')} ON ${quotedDatabase}.*`, ...serverGrants]
    .map((grant) => `<query>GRANT ${grant}</query>`)
    .join('');
}

/** The users.d file defining every role on `database`; passwords come from the server's environment (hashes). */
export function renderClickHouseRoles(database: string): string {
  const quotedDatabase = quoteIdentifier(database);
  const profiles = CLICKHOUSE_ROLE_NAMES.map((role) => {
    const settings = Object.entries(CLICKHOUSE_ROLES[role].settings as Record<string, number>).map(
      ([name, value]) => `\n      <${name}>${value}</${name}>`,
    );
    return `    <${profileName(role)}>
      <profile>default</profile>${settings.join('')}
    </${profileName(role)}>`;
  });
  const users = CLICKHOUSE_ROLE_NAMES.map(
    (role) => `    <!-- ${CLICKHOUSE_ROLES[role].usedBy} -->
    <${clickhouseUser(role)}>
      <password_sha256_hex from_env="${clickhousePasswordHashVariable(role)}"/>
      <networks><ip>::/0</ip></networks>
      <profile>${profileName(role)}</profile>
      <quota>default</quota>
      <grants>${grantQueries(role, quotedDatabase)}</grants>
    </${clickhouseUser(role)}>`,
  );
  return `<?xml version="1.0"?>
<!-- GENERATED from pipeline/runtime/src/clickhouse/roles.ts: npm run generate. Do not edit. -->
<yandex>
  <profiles>
${profiles.join('\n')}
  </profiles>
  <users>
    <!-- The server's own administrator: from its own machine only, never over the network. -->
    <default>
      <networks replace="replace"><ip>::1</ip><ip>127.0.0.1</ip></networks>
    </default>
${users.join('\n')}
  </users>
</yandex>
`;
}
