import type { ClickHouseClient } from '@clickhouse/client';
import { quoteIdentifier } from './identifiers.js';

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

/**
 * Checks the pipeline's promises against the table: every acknowledged send stored exactly once (no loss, no
 * duplicate, physically: without FINAL), every group's orders exactly 1..n, and orders following the Kafka offsets
 * (send order within a group). Works in aggregates so it scales to a load test's millions of rows.
 */
export async function reconcile(
  client: ClickHouseClient,
  table: string,
  accepted: readonly AcceptedSend[],
): Promise<Reconciliation> {
  const from = quoteIdentifier(table);
  const problems: string[] = [];
  const select = async <T>(query: string) => (await client.query({ query, format: 'JSONEachRow' })).json<T>();

  const [totals] = await select<{ rows: string; sources: string }>(
    `SELECT count() AS rows, uniqExact(kafka_partition, kafka_offset) AS sources FROM ${from}`,
  );
  const storedRows = Number(totals?.rows ?? 0);
  if (storedRows !== accepted.length) problems.push(`${storedRows} rows stored for ${accepted.length} accepted sends`);
  if (Number(totals?.sources ?? 0) !== storedRows) problems.push('some Kafka record is stored more than once');

  const broken = await select<{ group_id: string; n: string; lo: string; hi: string; distinct_orders: string }>(
    `SELECT group_id, count() AS n, min(\`order\`) AS lo, max(\`order\`) AS hi, uniqExact(\`order\`) AS distinct_orders
     FROM ${from} GROUP BY group_id HAVING lo != 1 OR hi != n OR distinct_orders != n LIMIT 20`,
  );
  for (const group of broken) {
    problems.push(`group ${group.group_id}: ${group.n} rows with orders ${group.lo}..${group.hi}, ${group.distinct_orders} distinct`);
  }

  const reordered = await select<{ group_id: string }>(
    `SELECT group_id FROM (
       SELECT group_id, groupArray(kafka_offset) AS offsets
       FROM (SELECT group_id, kafka_offset FROM ${from} ORDER BY group_id, \`order\`) GROUP BY group_id
     ) WHERE offsets != arraySort(offsets) LIMIT 20`,
  );
  for (const group of reordered) problems.push(`group ${group.group_id}: orders do not follow send order`);

  const stored = new Set(
    (await select<{ p: string; o: string }>(`SELECT kafka_partition AS p, kafka_offset AS o FROM ${from}`)).map(
      (row) => `${row.p}-${row.o}`,
    ),
  );
  const missing = accepted.filter((send) => !stored.has(`${send.partition}-${send.offset}`));
  if (missing.length > 0) {
    problems.push(`${missing.length} accepted sends not stored, e.g. ${JSON.stringify(missing.slice(0, 3))}`);
  }
  return { accepted: accepted.length, storedRows, problems };
}
