import { createMessagesRepository, readStoreSettings } from '@badam/pipeline';
import type { ClickHouseClient } from '@clickhouse/client';
import { countRows } from '@badam/test-kit/table-watch';
import { seedBlocks, type SeedPlan } from './seed-rows.js';

export interface SeedOptions {
  /** Rows per INSERT: ClickHouse wants few, large inserts. */
  blockRows?: number;
  onProgress?: (rows: number, elapsedMs: number) => void;
  /** The cluster the table spans (CLICKHOUSE_CLUSTER); '' or none for a single server. */
  cluster?: string;
}

export interface SeedResult {
  rows: number;
  elapsedMs: number;
  rowsPerSecond: number;
}

/**
 * Fills an empty messages table with a history (see seedBlocks), through the repository's insert, the one the
 * consumers use. Refuses a table that holds rows: seeded orders start at 1 and would collide with them.
 * The next block is generated while the previous INSERT is in flight, so the two cores both work.
 */
export async function seedMessages(
  client: ClickHouseClient,
  table: string,
  plan: SeedPlan,
  { blockRows = 200_000, onProgress, cluster = '' }: SeedOptions = {},
): Promise<SeedResult> {
  const existing = await countRows(client, table);
  if (existing > 0) throw new Error(`table ${table} already holds ${existing} rows; seed only an empty table`);
  // The consumers' insert settings: a seeded block is visible, on every replica and shard, as soon as its INSERT
  // returns, so a consumer never orders a seeded group from an incomplete history.
  const repository = createMessagesRepository(client, table, {
    insertSettings: (await readStoreSettings(client, cluster, 600_000)).insert,
  });
  const started = Date.now();
  let rows = 0;
  let inFlight: Promise<void> = Promise.resolve();
  for (const block of seedBlocks(plan, blockRows)) {
    await inFlight;
    inFlight = repository.insert(block).then(() => {
      rows += block.length;
      onProgress?.(rows, Date.now() - started);
    });
  }
  await inFlight;
  const elapsedMs = Date.now() - started;
  return { rows, elapsedMs, rowsPerSecond: Math.round(rows / Math.max(elapsedMs / 1000, 0.001)) };
}
