import {
  clickhousePasswordSecret,
  clickhouseUser,
  type ClickHouseConnection,
  type ClickHouseRole,
} from '@badam/pipeline';
import type { StackSecrets } from '../stack-secrets.js';

/** The database of the native stack, which its roles are granted on. */
export const DATABASE = 'default';

/**
 * How the stack's own tools and the test harness reach a private instance: its default user (the administrator, from
 * 127.0.0.1 only, no password), the default database. The services log in as their roles instead (roleClickHouse).
 */
export function localClickHouse(
  url: string,
  limits: Partial<Pick<ClickHouseConnection, 'requestTimeoutMs' | 'maxOpenConnections'>> = {},
): ClickHouseConnection {
  return {
    url,
    username: 'default',
    password: '',
    database: DATABASE,
    requestTimeoutMs: 30_000,
    maxOpenConnections: 4,
    ...limits,
  };
}

/** The same instance as a role sees it (pipeline/runtime/src/clickhouse/roles.ts), with the password the stack made for it. */
export function roleClickHouse(
  admin: ClickHouseConnection,
  role: ClickHouseRole,
  secrets: StackSecrets,
): ClickHouseConnection {
  return { ...admin, username: clickhouseUser(role), password: secrets.value(clickhousePasswordSecret(role)) };
}
