import { Counter, type Registry } from 'prom-client';
import type { ClickHouseClientOptions } from '../clickhouse/client.js';
import type { Logger } from './logger.js';

/**
 * What a process says when a ClickHouse request moves to another server (clickhouse/failover-client.ts): a warning
 * naming both servers, and badam_clickhouse_failovers_total by server, so a dashboard shows which one is skipped.
 */
export function reportFailovers(registry: Registry, logger: Logger): ClickHouseClientOptions {
  const failovers = new Counter({
    name: 'badam_clickhouse_failovers_total',
    help: 'ClickHouse requests sent on to the next server because this one (from) gave no answer or was behind (289)',
    labelNames: ['from', 'to'] as const,
    registers: [registry],
  });
  return {
    onFailover({ from, to, error }) {
      failovers.inc({ from, to });
      logger.warn({ from, to, err: error }, 'a ClickHouse server could not answer: asking the next one');
    },
  };
}
