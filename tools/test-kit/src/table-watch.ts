import { setTimeout as sleep } from 'node:timers/promises';
import type { ClickHouseClient } from '@clickhouse/client';
import { quoteIdentifier, sqlInteger } from '@badam/pipeline';

/**
 * Rows in the table; with `sinceMs`, only those stored at or after it (the consumer's clock): what a run added to a
 * table that held rows before (a seeded history).
 */
export async function countRows(client: ClickHouseClient, table: string, sinceMs?: number): Promise<number> {
  const scope = sinceMs === undefined ? '' : ` WHERE created_at_ms >= ${sqlInteger(sinceMs)}`;
  const result = await client.query({
    query: `SELECT count() AS n FROM ${quoteIdentifier(table)}${scope}`,
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ n: string }>();
  return Number(row?.n ?? 0);
}

/** Waits until the table holds at least `rows` rows (since `sinceMs` if given); returns the count reached, maybe fewer. */
export async function rowsWithin(
  client: ClickHouseClient,
  table: string,
  rows: number,
  timeoutMs: number,
  sinceMs?: number,
) {
  const deadline = Date.now() + timeoutMs;
  let count = await countRows(client, table, sinceMs);
  while (count < rows && Date.now() < deadline) {
    await sleep(100);
    count = await countRows(client, table, sinceMs);
  }
  return count;
}

/** Waits until the table holds at least `rows` rows; fails with the count reached. */
export async function waitForRows(client: ClickHouseClient, table: string, rows: number, timeoutMs: number) {
  const count = await rowsWithin(client, table, rows, timeoutMs);
  if (count < rows) throw new Error(`table ${table} holds ${count} rows after ${timeoutMs} ms, expected ${rows}`);
  return count;
}
