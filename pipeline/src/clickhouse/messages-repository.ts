import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import type { ReadQuery } from '../contract/read-query.js';
import { BadamError } from '../errors.js';
import type { GroupHead, MessageRow } from '../ordering/assign-orders.js';
import type { ClickHouseMetrics } from '../metrics/pipeline-metrics.js';
import { secondsSince } from '../metrics/service-metrics.js';
import { quoteIdentifier, sqlInteger } from './identifiers.js';

/** One message as every read API returns it. */
export interface MessageView {
  group_id: number;
  order: number;
  sender_id: number;
  text: string;
  /** ISO-8601 with milliseconds, UTC. */
  time: string;
}

export interface MessagePage {
  group_id: number;
  messages: MessageView[];
  has_more: boolean;
  /** Pass as `before` to get the next (older) page; null when there is none. */
  next_before: number | null;
}

export interface MessagesRepository {
  readPage(query: ReadQuery): Promise<MessagePage>;
  /** The latest page of `limit` messages of each group that has messages, in one query. */
  latestPages(groupIds: readonly number[], limit: number): Promise<Map<number, MessagePage>>;
  /** Up to `limit` group ids above `after` that have messages, ascending: to walk every group. */
  groupIdsAfter(after: number, limit: number): Promise<number[]>;
  /**
   * For each group that has messages: its highest order, per source partition the next offset to store, and which
   * of the given idempotency hashes it already has.
   */
  groupHeads(groupIds: readonly number[], idempotencyHashes?: readonly number[]): Promise<Map<number, GroupHead>>;
  insert(rows: readonly MessageRow[]): Promise<void>;
  isReachable(): Promise<boolean>;
}

/** The columns of a StoredRow, read by every page query. */
const PAGE_COLUMNS = 'group_id, `order`, sender_id, text, created_at_ms';

// 64-bit integers arrive as JSON strings (output_format_json_quote_64bit_integers); ids fit in a double by contract.
interface StoredRow {
  group_id: string;
  order: string;
  sender_id: string;
  text: string;
  created_at_ms: string;
}

interface HeadRow {
  group_id: string;
  kafka_partition: number;
  max_order: string;
  next_offset: string;
  /** Only when hashes were asked for: those of the given hashes this group has from this partition. */
  stored_hashes?: string[];
}

export interface RepositoryOptions {
  /** Settings for inserts (see synchronousInsertSettings). */
  insertSettings?: ClickHouseSettings;
  metrics?: ClickHouseMetrics;
}

export function createMessagesRepository(
  client: ClickHouseClient,
  table: string,
  { insertSettings = {}, metrics }: RepositoryOptions = {},
): MessagesRepository {
  const from = quoteIdentifier(table);

  /** Whatever goes wrong talking to ClickHouse is, for the caller, the database being unavailable: retry later. */
  async function run<T>(operation: 'read' | 'heads' | 'insert' | 'pages', call: () => Promise<T>): Promise<T> {
    const start = process.hrtime.bigint();
    try {
      const result = await call();
      metrics?.observe(operation, 'ok', secondsSince(start));
      return result;
    } catch (error) {
      metrics?.observe(operation, 'error', secondsSince(start));
      throw new BadamError('database_unavailable', 'the message store is unavailable, retry later', { cause: error });
    }
  }

  return {
    async readPage({ groupId, limit, before }) {
      // FINAL hides a duplicate that a merge has not removed yet; filtered on the key prefix it reads one group only.
      // One row more than asked tells whether an older page exists.
      const query = `SELECT ${PAGE_COLUMNS} FROM ${from} FINAL
        WHERE group_id = ${sqlInteger(groupId)}${before === undefined ? '' : ` AND \`order\` < ${sqlInteger(before)}`}
        ORDER BY \`order\` DESC LIMIT ${sqlInteger(limit + 1)}`;
      return toPage(groupId, await run('read', () => selectRows<StoredRow>(client, query)), limit);
    },

    async latestPages(groupIds, limit) {
      const pages = new Map<number, MessagePage>();
      if (groupIds.length === 0) return pages;
      // The same read as readPage's for many groups at once: LIMIT n BY keeps each group's newest n + 1.
      const query = `SELECT ${PAGE_COLUMNS} FROM ${from} FINAL
        WHERE group_id IN (${groupIds.map(sqlInteger).join(',')})
        ORDER BY group_id, \`order\` DESC LIMIT ${sqlInteger(limit + 1)} BY group_id`;
      const byGroup = new Map<number, StoredRow[]>();
      for (const row of await run('pages', () => selectRows<StoredRow>(client, query))) {
        const groupId = Number(row.group_id);
        const rows = byGroup.get(groupId) ?? [];
        rows.push(row);
        byGroup.set(groupId, rows);
      }
      for (const [groupId, rows] of byGroup) pages.set(groupId, toPage(groupId, rows, limit));
      return pages;
    },

    async groupIdsAfter(after, limit) {
      const query = `SELECT group_id FROM ${from} WHERE group_id > ${sqlInteger(after)}
        GROUP BY group_id ORDER BY group_id LIMIT ${sqlInteger(limit)}`;
      return (await run('pages', () => selectRows<{ group_id: string }>(client, query))).map((row) => Number(row.group_id));
    },

    async groupHeads(groupIds, idempotencyHashes = []) {
      const heads = new Map<number, { maxOrder: number; nextOffsets: Map<number, number>; storedIdempotencyHashes: Set<number> }>();
      if (groupIds.length === 0) return heads;
      // One query, so the orders, offsets and hashes all come from the same set of parts: a second query could see a
      // racing consumer's insert that the first did not, and mix two states of the group. The hash column is read
      // only for batches that carry keys.
      const storedHashes = idempotencyHashes.length === 0
        ? ''
        : `, groupUniqArrayIf(idempotency_hash, idempotency_hash IN (${idempotencyHashes.map(sqlInteger).join(',')})) AS stored_hashes`;
      const query = `SELECT group_id, kafka_partition, max(\`order\`) AS max_order, max(kafka_offset) + 1 AS next_offset${storedHashes}
        FROM ${from} WHERE group_id IN (${groupIds.map(sqlInteger).join(',')}) GROUP BY group_id, kafka_partition`;
      for (const row of await run('heads', () => selectRows<HeadRow>(client, query))) {
        const groupId = Number(row.group_id);
        const head = heads.get(groupId) ?? { maxOrder: 0, nextOffsets: new Map<number, number>(), storedIdempotencyHashes: new Set<number>() };
        head.maxOrder = Math.max(head.maxOrder, Number(row.max_order));
        head.nextOffsets.set(Number(row.kafka_partition), Number(row.next_offset));
        for (const hash of row.stored_hashes ?? []) head.storedIdempotencyHashes.add(Number(hash));
        heads.set(groupId, head);
      }
      return heads;
    },

    async insert(rows) {
      if (rows.length === 0) return;
      // One INSERT is one block, stored whole or not at all: a batch never lands half-written.
      await run('insert', () => client.insert({ table, values: rows as MessageRow[], format: 'JSONEachRow', clickhouse_settings: insertSettings }));
    },

    async isReachable() {
      try {
        const result = await client.ping();
        return result.success;
      } catch {
        return false;
      }
    },
  };
}

async function selectRows<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  const result = await client.query({ query, format: 'JSONEachRow' });
  return result.json<T>();
}

/** Rows of one group, newest first, one more than the page holds when an older page exists. */
function toPage(groupId: number, rows: readonly StoredRow[], limit: number): MessagePage {
  const messages = rows.slice(0, limit).map(toView);
  const hasMore = rows.length > limit;
  return { group_id: groupId, messages, has_more: hasMore, next_before: hasMore ? (messages.at(-1)?.order ?? null) : null };
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
