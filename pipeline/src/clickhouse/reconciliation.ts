import type { ClickHouseClient } from '@clickhouse/client';
import { quoteIdentifier, sqlInteger } from '../table/identifiers.js';

/** A send the producer acknowledged: where Kafka put it. */
export interface AcceptedSend {
  groupId: number;
  partition: number;
  offset: number;
}

export interface Reconciliation {
  accepted: number;
  storedRows: number;
  problems: string[];
}

export interface ReconcileOptions {
  /**
   * Compare the accepted sends with the rows accepted at or after this time (epoch ms, the producer's clock) instead of
   * the whole table: for a table that already held rows (a seeded history, earlier runs). Orders and send order are
   * still checked over every group of the table.
   */
  since?: number;
  /**
   * Sends that got no confirmation (a 503 or no answer while the broker failed): Kafka may have written such a record
   * before the answer was lost, so each may be stored once, or not at all. Stored rows may exceed the accepted sends
   * by at most this many.
   */
  unconfirmed?: number;
}

/**
 * Checks the pipeline's promises against the table: every acknowledged send stored exactly once (no loss, no
 * duplicate, physically: without FINAL), every group's orders exactly 1..n, and orders following the Kafka offsets
 * (send order within a group, per source partition). Works in aggregates so it scales to a load test's millions of
 * rows.
 */
export async function reconcile(
  client: ClickHouseClient,
  table: string,
  accepted: readonly AcceptedSend[],
  { since, unconfirmed = 0 }: ReconcileOptions = {},
): Promise<Reconciliation> {
  const from = quoteIdentifier(table);
  const scope = since === undefined ? '' : `WHERE created_at_ms >= ${sqlInteger(since)}`;
  const problems: string[] = [];
  const select = async <T>(query: string) => (await client.query({ query, format: 'JSONEachRow' })).json<T>();

  const [totals] = await select<{ rows: string; sources: string }>(
    `SELECT count() AS rows, uniqExact(kafka_topic_id, kafka_partition, kafka_offset) AS sources FROM ${from} ${scope}`,
  );
  const storedRows = Number(totals?.rows ?? 0);
  if (storedRows < accepted.length || storedRows > accepted.length + unconfirmed) {
    problems.push(
      `${storedRows} rows stored${since === undefined ? '' : ' since the start'} for ${accepted.length} accepted sends` +
        (unconfirmed === 0 ? '' : ` and ${unconfirmed} unconfirmed`),
    );
  }
  if (Number(totals?.sources ?? 0) !== storedRows) problems.push('some Kafka record is stored more than once');

  const broken = await select<{ group_id: string; n: string; lo: string; hi: string; distinct_orders: string }>(
    `SELECT group_id, count() AS n, min(\`order\`) AS lo, max(\`order\`) AS hi, uniqExact(\`order\`) AS distinct_orders
     FROM ${from} GROUP BY group_id HAVING lo != 1 OR hi != n OR distinct_orders != n LIMIT 20`,
  );
  for (const group of broken) {
    problems.push(`group ${group.group_id}: ${group.n} rows with orders ${group.lo}..${group.hi}, ${group.distinct_orders} distinct`);
  }

  // Offsets only order records within one partition of one topic: a seeded history, a repartitioned or a recreated
  // topic gives a group rows from several sources, each of which must follow send order on its own. Offsets are sorted by their rows' order
  // with arraySort's key array, not by an ORDER BY in a subquery, which a parallel GROUP BY does not have to keep.
  const reordered = await select<{ group_id: string }>(
    `SELECT DISTINCT group_id FROM (
       SELECT group_id, arraySort((o, k) -> k, groupArray(kafka_offset), groupArray(\`order\`)) AS offsets
       FROM ${from} GROUP BY group_id, kafka_topic_id, kafka_partition
     ) WHERE offsets != arraySort(offsets) LIMIT 20`,
  );
  for (const group of reordered) problems.push(`group ${group.group_id}: orders do not follow send order`);

  const stored = new Set(
    (await select<{ p: string; o: string }>(`SELECT kafka_partition AS p, kafka_offset AS o FROM ${from} ${scope}`)).map(
      (row) => `${row.p}-${row.o}`,
    ),
  );
  const missing = accepted.filter((send) => !stored.has(`${send.partition}-${send.offset}`));
  if (missing.length > 0) {
    problems.push(`${missing.length} accepted sends not stored, e.g. ${JSON.stringify(missing.slice(0, 3))}`);
  }
  return { accepted: accepted.length, storedRows, problems };
}
