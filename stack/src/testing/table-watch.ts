import type { ClickHouseClient } from '@clickhouse/client';
import { quoteIdentifier } from '@badam/pipeline';

export async function countRows(client: ClickHouseClient, table: string): Promise<number> {
  const result = await client.query({ query: `SELECT count() AS n FROM ${quoteIdentifier(table)}`, format: 'JSONEachRow' });
  const [row] = await result.json<{ n: string }>();
  return Number(row?.n ?? 0);
}

/** Waits until the table holds at least `rows` rows; fails with the count reached. */
export async function waitForRows(client: ClickHouseClient, table: string, rows: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let count = 0;
  while (Date.now() < deadline) {
    count = await countRows(client, table);
    if (count >= rows) return count;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`table ${table} holds ${count} rows after ${timeoutMs} ms, expected ${rows}`);
}
