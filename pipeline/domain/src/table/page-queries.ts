import type { ReadQuery } from '../contract/read-query.js';
import { quoteIdentifier, sqlInteger } from './identifiers.js';
import { LARGE_GROUPS_PER_QUERY, READ_WHOLE_UP_TO } from './query-limits.js';
import type { MessagePage, MessageView } from './repository.js';
import { PAGE_COLUMNS, type StoredRow } from './rows.js';

// The page reads of the messages table as SQL text, and the pages their rows make. FINAL hides a duplicate that a
// merge has not removed yet; filtered on the key prefix it reads the asked groups only. Every query reads one row
// more than the page holds: it tells whether an older page exists.

const COLUMNS = PAGE_COLUMNS.map(quoteIdentifier).join(', ');

/** One page of one group, newest first, older than `before` when given. */
export function readPageQuery(table: string, { groupId, limit, before }: ReadQuery): string {
  const older = before === undefined ? '' : ` AND \`order\` < ${sqlInteger(before)}`;
  return `SELECT ${COLUMNS} FROM ${quoteIdentifier(table)} FINAL
    WHERE group_id = ${sqlInteger(groupId)}${older}
    ORDER BY \`order\` DESC LIMIT ${sqlInteger(limit + 1)}`;
}

/**
 * The latest page of each group, in as few queries as the query size allows: LIMIT n BY keeps each group's newest
 * n + 1. Orders are gapless, so for a large group with a known highest order m the page is exactly orders m - n .. m:
 * point lookups of the sort key, where FINAL on 18.16 would otherwise read the whole group. (Rows newer than m, from a
 * racing writer, are that writer's to publish: the read model keeps the newest version.)
 */
export function latestPagesQueries(
  table: string,
  groupIds: readonly number[],
  limit: number,
  knownMaxOrders: ReadonlyMap<number, number>,
): string[] {
  const large = (groupId: number) => (knownMaxOrders.get(groupId) ?? 0) > READ_WHOLE_UP_TO;
  const small = groupIds.filter((groupId) => !large(groupId));
  const lookedUp = groupIds.filter(large);
  const wheres = small.length === 0 ? [] : [`group_id IN (${small.map(sqlInteger).join(',')})`];
  for (let i = 0; i < lookedUp.length; i += LARGE_GROUPS_PER_QUERY) {
    const tuples = lookedUp.slice(i, i + LARGE_GROUPS_PER_QUERY).flatMap((groupId) => {
      const newest = knownMaxOrders.get(groupId) ?? 0;
      return Array.from(
        { length: Math.min(limit + 1, newest) },
        (_, back) => `(${sqlInteger(groupId)},${sqlInteger(newest - back)})`,
      );
    });
    wheres.push(`(group_id, \`order\`) IN (${tuples.join(',')})`);
  }
  return wheres.map(
    (where) => `SELECT ${COLUMNS} FROM ${quoteIdentifier(table)} FINAL WHERE ${where}
    ORDER BY group_id, \`order\` DESC LIMIT ${sqlInteger(limit + 1)} BY group_id`,
  );
}

/** Up to `limit` group ids above `after` that have messages, ascending (rows: { group_id }). */
export function groupIdsAfterQuery(table: string, after: number, limit: number): string {
  return `SELECT group_id FROM ${quoteIdentifier(table)} WHERE group_id > ${sqlInteger(after)}
    GROUP BY group_id ORDER BY group_id LIMIT ${sqlInteger(limit)}`;
}

/** The pages of the rows of latestPagesQueries, by group. */
export function toPages(rows: readonly StoredRow[], limit: number): Map<number, MessagePage> {
  const byGroup = new Map<number, StoredRow[]>();
  for (const row of rows) {
    const groupId = Number(row.group_id);
    const groupRows = byGroup.get(groupId) ?? [];
    groupRows.push(row);
    byGroup.set(groupId, groupRows);
  }
  return new Map([...byGroup].map(([groupId, groupRows]) => [groupId, toPage(groupId, groupRows, limit)]));
}

/** Rows of one group, newest first, one more than the page holds when an older page exists. */
export function toPage(groupId: number, rows: readonly StoredRow[], limit: number): MessagePage {
  const messages = rows.slice(0, limit).map(toView);
  const hasMore = rows.length > limit;
  return {
    group_id: groupId,
    messages,
    has_more: hasMore,
    next_before: hasMore ? (messages.at(-1)?.order ?? null) : null,
  };
}

function toView(row: StoredRow): MessageView {
  return {
    group_id: Number(row.group_id),
    order: Number(row.order),
    sender_id: Number(row.sender_id),
    text: row.text,
    time: new Date(Number(row.created_at_ms)).toISOString(),
  };
}
