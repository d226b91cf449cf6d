import { quoteIdentifier, sqlInteger } from './identifiers.js';

// The checks of the pipeline's promises on the messages table, as SQL text (clickhouse/reconciliation.ts runs them and
// words the findings). Physical reads (no FINAL): a duplicate a merge would hide is exactly what they look for. They
// work in aggregates, so they scale to a load test's millions of rows.

/** How many groups a check names at most. */
const EXAMPLES = 20;

/** Rows (at or after `since`, epoch ms, when given) and distinct Kafka records among them: one row of { rows, sources }. */
export function totalsQuery(table: string, since?: number): string {
  return `SELECT count() AS rows, uniqExact(kafka_topic_id, kafka_partition, kafka_offset) AS sources FROM ${quoteIdentifier(table)}${scope(since)}`;
}

/** Groups whose orders are not exactly 1..n (rows: { group_id, n, lo, hi, distinct_orders }). */
export function brokenOrdersQuery(table: string): string {
  return `SELECT group_id, count() AS n, min(\`order\`) AS lo, max(\`order\`) AS hi, uniqExact(\`order\`) AS distinct_orders
    FROM ${quoteIdentifier(table)} GROUP BY group_id HAVING lo != 1 OR hi != n OR distinct_orders != n LIMIT ${EXAMPLES}`;
}

/**
 * Groups whose orders do not follow the Kafka offsets (rows: { group_id }). Offsets only order records within one
 * partition of one topic: a seeded history, a repartitioned or a recreated topic gives a group rows from several
 * sources, each of which must follow send order on its own. Offsets are sorted by their rows' order with arraySort's
 * key array, not by an ORDER BY in a subquery, which a parallel GROUP BY does not have to keep.
 */
export function reorderedGroupsQuery(table: string): string {
  return `SELECT DISTINCT group_id FROM (
      SELECT group_id, arraySort((o, k) -> k, groupArray(kafka_offset), groupArray(\`order\`)) AS offsets
      FROM ${quoteIdentifier(table)} GROUP BY group_id, kafka_topic_id, kafka_partition
    ) WHERE offsets != arraySort(offsets) LIMIT ${EXAMPLES}`;
}

/** Where each row (at or after `since` when given) came from (rows: { p: partition, o: offset }). */
export function storedSourcesQuery(table: string, since?: number): string {
  return `SELECT kafka_partition AS p, kafka_offset AS o FROM ${quoteIdentifier(table)}${scope(since)}`;
}

function scope(since: number | undefined): string {
  return since === undefined ? '' : ` WHERE created_at_ms >= ${sqlInteger(since)}`;
}
