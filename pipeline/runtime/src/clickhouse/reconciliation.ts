import type { ClickHouseClient } from '@clickhouse/client';
import {
  brokenOrdersQuery,
  reorderedGroupsQuery,
  storedSourcesQuery,
  totalsQuery,
} from '@badam/domain/table/reconciliation-queries';

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
  const problems: string[] = [];
  const select = async <T>(query: string) => (await client.query({ query, format: 'JSONEachRow' })).json<T>();

  const [totals] = await select<{ rows: string; sources: string }>(totalsQuery(table, since));
  const storedRows = Number(totals?.rows ?? 0);
  if (storedRows < accepted.length || storedRows > accepted.length + unconfirmed) {
    problems.push(
      `${storedRows} rows stored${since === undefined ? '' : ' since the start'} for ${accepted.length} accepted sends` +
        (unconfirmed === 0 ? '' : ` and ${unconfirmed} unconfirmed`),
    );
  }
  if (Number(totals?.sources ?? 0) !== storedRows) problems.push('some Kafka record is stored more than once');

  const broken = await select<{ group_id: string; n: string; lo: string; hi: string; distinct_orders: string }>(
    brokenOrdersQuery(table),
  );
  for (const group of broken) {
    problems.push(
      `group ${group.group_id}: ${group.n} rows with orders ${group.lo}..${group.hi}, ${group.distinct_orders} distinct`,
    );
  }
  for (const group of await select<{ group_id: string }>(reorderedGroupsQuery(table))) {
    problems.push(`group ${group.group_id}: orders do not follow send order`);
  }

  const sources = await select<{ p: string; o: string }>(storedSourcesQuery(table, since));
  const stored = new Set(sources.map((row) => `${row.p}-${row.o}`));
  const missing = accepted.filter((send) => !stored.has(`${send.partition}-${send.offset}`));
  if (missing.length > 0) {
    problems.push(`${missing.length} accepted sends not stored, e.g. ${JSON.stringify(missing.slice(0, 3))}`);
  }
  return { accepted: accepted.length, storedRows, problems };
}
