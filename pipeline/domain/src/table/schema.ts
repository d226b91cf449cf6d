import { quoteIdentifier } from './identifiers.js';

/**
 * The messages table. ReplacingMergeTree keyed by (group_id, order): if a message is ever written twice (a consumer
 * that lost its partition finishing a batch the new owner also processed, or an insert that timed out on the client
 * but completed on the server), both copies are byte-identical (every column comes from the record and the heads,
 * none from the consumer: see assignOrders), and reads use FINAL so the copy never shows, even before a merge.
 *
 * - created_at_ms: the producer's acceptance time, epoch milliseconds as UInt64 (no DateTime64 on 18.16).
 * - kafka_topic_id, kafka_partition, kafka_offset: which record the row is, for exactly-once: a consumer skips a
 *   record whose offset is below the next one stored for that group from that partition of that topic. The topic id
 *   (KIP-516) makes a recreated topic or a wiped broker a new source whose offsets start again; '' in rows stored
 *   before it was recorded (the fourth migration), taken to be the current topic.
 * - idempotency_hash: the hash of the send's Idempotency-Key (0: none), so a client's resend is stored once; added by
 *   the second migration.
 * - index_granularity 256: reads and heads queries are point lookups of one group; a granule of 256 rows cut
 *   ClickHouse CPU per read by a fifth against 1024 (docs/BENCHMARKS.md), for a primary index 4x larger (still tiny).
 *
 * The keys index (`<table>_keys`, the third migration) makes the consumers' per-batch lookup independent of how many
 * messages a group has (a range of the sort key is all 18.16 reads cheaply: it has no read-in-order for max()).
 * Per group it holds a watermark (idempotency_hash 0, `order` w: every row below w has its key here) and the keys
 * themselves. A batch reads the watermark and its own keys there (point lookups), then only the group's rows from
 * w on (normally one) for the highest order and offsets; after its insert it indexes those rows' keys and moves the
 * watermark to the group's highest order. The index is written after the messages, so it can lag but never lead:
 * a watermark never passes a row whose key is not indexed.
 *
 * Steps are idempotent and run in order by `migrate` (clickhouse/migrate.ts); a new migration is appended, never
 * edited.
 */
export function keysTable(table: string): string {
  return `${table}_keys`;
}

export type Migration =
  | { statement: string }
  /** ClickHouse 18.16 has no ADD COLUMN IF NOT EXISTS: `migrate` adds the column only when DESCRIBE lacks it. */
  | { addColumn: string; definition: string };

export function migrations(table: string): Migration[] {
  const name = quoteIdentifier(table);
  return [
    {
      statement: `CREATE TABLE IF NOT EXISTS ${name} (
      group_id UInt64,
      \`order\` UInt64,
      sender_id UInt64,
      text String,
      created_at_ms UInt64,
      kafka_partition UInt32,
      kafka_offset UInt64
    ) ENGINE = ReplacingMergeTree()
    ORDER BY (group_id, \`order\`)
    SETTINGS index_granularity = 256`,
    },
    { addColumn: 'idempotency_hash', definition: 'UInt64 DEFAULT 0' },
    {
      statement: `CREATE TABLE IF NOT EXISTS ${quoteIdentifier(keysTable(table))} (
      group_id UInt64,
      idempotency_hash UInt64,
      \`order\` UInt64
    ) ENGINE = ReplacingMergeTree(\`order\`)
    ORDER BY (group_id, idempotency_hash)
    SETTINGS index_granularity = 256`,
    },
    { addColumn: 'kafka_topic_id', definition: "String DEFAULT ''" },
  ];
}

/** Adds a migration's column (run only when describeQuery's rows lack it: see Migration). */
export function addColumnStatement(
  table: string,
  { addColumn, definition }: { addColumn: string; definition: string },
): string {
  return `ALTER TABLE ${quoteIdentifier(table)} ADD COLUMN ${quoteIdentifier(addColumn)} ${definition}`;
}

/** The table's columns (rows: { name }). */
export function describeQuery(table: string): string {
  return `DESCRIBE TABLE ${quoteIdentifier(table)}`;
}

/** Drops the table with its keys index: a keys index without its rows would refuse their resends as duplicates. */
export function dropStatements(table: string): string[] {
  return [table, keysTable(table)].map((name) => `DROP TABLE IF EXISTS ${quoteIdentifier(name)}`);
}
