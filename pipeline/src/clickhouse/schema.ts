import type { ClickHouseClient } from '@clickhouse/client';
import { quoteIdentifier } from './identifiers.js';

/**
 * The one table. ReplacingMergeTree keyed by (group_id, order): if a message is ever written twice (a consumer that
 * lost its partition finishing a batch the new owner also processed), both copies carry the same key and the same
 * content, and reads use FINAL so the copy never shows, even before a merge.
 *
 * - created_at_ms: epoch milliseconds as UInt64, because DateTime64 does not exist on 18.16 (Debian's server).
 * - kafka_partition, kafka_offset: where the row came from, for exactly-once: a consumer skips a record whose offset
 *   is not above the highest one stored for that group from that partition.
 * - idempotency_hash: the hash of the send's Idempotency-Key (0: none), so a client's resend is stored once; added by
 *   the second migration.
 * - index_granularity 256: reads and heads queries are point lookups of one group; a granule of 256 rows cut
 *   ClickHouse CPU per read by a fifth against 1024 (docs/BENCHMARKS.md), for a primary index 4x larger (still tiny).
 *
 * Steps are idempotent and run in order by `migrate`; a new migration is appended, never edited.
 */
export type Migration =
  | { statement: string }
  /** ClickHouse 18.16 has no ADD COLUMN IF NOT EXISTS: `migrate` adds the column only when DESCRIBE lacks it. */
  | { addColumn: string; definition: string };

export function migrations(table: string): Migration[] {
  const name = quoteIdentifier(table);
  return [
    { statement: `CREATE TABLE IF NOT EXISTS ${name} (
      group_id UInt64,
      \`order\` UInt64,
      sender_id UInt64,
      text String,
      created_at_ms UInt64,
      kafka_partition UInt32,
      kafka_offset UInt64
    ) ENGINE = ReplacingMergeTree()
    ORDER BY (group_id, \`order\`)
    SETTINGS index_granularity = 256` },
    { addColumn: 'idempotency_hash', definition: 'UInt64 DEFAULT 0' },
  ];
}

export async function migrate(client: ClickHouseClient, table: string): Promise<void> {
  const name = quoteIdentifier(table);
  for (const step of migrations(table)) {
    if ('statement' in step) {
      await client.command({ query: step.statement });
    } else if (!(await columnNames(client, name)).includes(step.addColumn)) {
      await client.command({ query: `ALTER TABLE ${name} ADD COLUMN ${quoteIdentifier(step.addColumn)} ${step.definition}` });
    }
  }
}

async function columnNames(client: ClickHouseClient, quotedTable: string): Promise<string[]> {
  const result = await client.query({ query: `DESCRIBE TABLE ${quotedTable}`, format: 'JSONEachRow' });
  return (await result.json<{ name: string }>()).map((column) => column.name);
}

export async function dropTable(client: ClickHouseClient, table: string): Promise<void> {
  await client.command({ query: `DROP TABLE IF EXISTS ${quoteIdentifier(table)}` });
}
