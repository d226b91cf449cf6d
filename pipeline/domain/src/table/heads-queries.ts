import { quoteIdentifier, sqlInteger } from './identifiers.js';
import type { IndexedKey } from './rows.js';
import { keysTable } from './schema.js';

// The reads of a batch's group heads as SQL text (the steps are group-heads.ts's). 64-bit integers arrive as JSON
// strings (output_format_json_quote_64bit_integers); ids fit in a double by contract.

/** A row of keysQuery: a key the group has, or (idempotency_hash 0) its watermark. */
export type KeyRow = Record<keyof IndexedKey, string>;

/** A row of windowQuery: a group's rows matching the query, per source. */
export interface WindowRow {
  group_id: string;
  kafka_topic_id: string;
  kafka_partition: number;
  max_order: string;
  next_offset: string;
  hashes: string[];
}

/**
 * One point lookup in the keys index per group: its watermark, and which of the batch's hashes it has. Two sets on the
 * two key columns (cheaper for 18.16 than a set of pairs): pairs not asked for come back too, to be dropped.
 */
export function keysQuery(table: string, hashesByGroup: ReadonlyMap<number, readonly number[]>): string {
  const hashes = new Set([0, ...[...hashesByGroup.values()].flat()]);
  return `SELECT group_id, idempotency_hash, max(\`order\`) AS order FROM ${quoteIdentifier(keysTable(table))}
    WHERE group_id IN (${[...hashesByGroup.keys()].map(sqlInteger).join(',')}) AND idempotency_hash IN (${[...hashes].map(sqlInteger).join(',')})
    GROUP BY group_id, idempotency_hash`;
}

/**
 * Per group and source, the rows matching `where`: highest order, next offset, idempotency hashes. One query per
 * group set: the orders, offsets and hashes of a group come from the same set of parts, so a racing consumer's insert
 * is either wholly seen or not at all.
 */
export function windowQuery(table: string, where: string): string {
  return `SELECT group_id, kafka_topic_id, kafka_partition, max(\`order\`) AS max_order, max(kafka_offset) + 1 AS next_offset,
      groupUniqArrayIf(idempotency_hash, idempotency_hash != 0) AS hashes
    FROM ${quoteIdentifier(table)} WHERE ${where} GROUP BY group_id, kafka_topic_id, kafka_partition`;
}

/**
 * The probe of groups with a watermark w: the rows (group, w) and (group, w + 1). A tuple IN on the sort key is a set
 * of point lookups; OR-ed ranges cost 18.16 time quadratic in their number.
 */
export function probeWhere(watermarks: readonly (readonly [groupId: number, watermark: number])[]): string {
  const pairs = watermarks.flatMap(([groupId, w]) => [
    `(${sqlInteger(groupId)},${sqlInteger(w)})`,
    `(${sqlInteger(groupId)},${sqlInteger(w + 1)})`,
  ]);
  return `(group_id, \`order\`) IN (${pairs.join(',')})`;
}

/** Groups read from their watermark on (`after`: group and watermark), and groups read whole; undefined for none. */
export function rangesWhere(
  after: readonly (readonly [groupId: number, watermark: number])[],
  whole: readonly number[],
): string | undefined {
  const ranges = after.map(([groupId, w]) => `(group_id = ${sqlInteger(groupId)} AND \`order\` > ${sqlInteger(w)})`);
  if (whole.length > 0) ranges.push(`group_id IN (${whole.map(sqlInteger).join(',')})`);
  return ranges.length === 0 ? undefined : ranges.join(' OR ');
}
