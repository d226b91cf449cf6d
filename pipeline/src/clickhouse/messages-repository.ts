import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import { BadamError } from '../contract/errors.js';
import type { ClickHouseMetrics } from '../metrics/pipeline-metrics.js';
import { secondsSince } from '../metrics/service-metrics.js';
import type { GroupHeads, MessagePage, MessagesRepository, MessageView } from '../table/repository.js';
import { quoteIdentifier, sqlInteger } from '../table/identifiers.js';
import { sourceKey, type IndexedKey, type MessageRow } from '../table/rows.js';
import { keysTable } from '../table/schema.js';

/**
 * A group with at most this many rows is read whole rather than by point lookups of its sort key: measured on 18.16,
 * a tuple IN costs several times more per group than reading a small group's granules (docs/BENCHMARKS.md). Larger
 * groups are read by point lookups, so no read costs more than about this many rows, whatever a group's history.
 */
const READ_WHOLE_UP_TO = 512;

/** Large groups per page query (see latestPages). */
const LARGE_GROUPS_PER_QUERY = 400;

/**
 * Groups plus hashes per chunk of a heads read: at most 2,000 ids in the keys lookup, and two (group, order) pairs per
 * large group in the probe (about 150 KB of SQL at 16 digits each), below 18.16's 256 KiB max_query_size, whatever
 * CONSUMER_MAX_BATCH is.
 */
const HEADS_PER_QUERY = 2000;

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

interface KeyRow {
  group_id: string;
  idempotency_hash: string;
  order: string;
}

/** A group's rows at or above its watermark, per source. */
interface WindowRow {
  group_id: string;
  kafka_topic_id: string;
  kafka_partition: number;
  max_order: string;
  next_offset: string;
  hashes: string[];
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
  const keys = keysTable(table);

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

  /**
   * One point lookup in the keys index per group: its watermark, and which of the batch's hashes it has below it.
   * Returns each group's watermark (0: none yet, its whole history is the window).
   */
  async function readKeys(chunk: ReadonlyMap<number, readonly number[]>, into: GroupHeads): Promise<Map<number, number>> {
    // Two sets on the two key columns (cheaper for 18.16 than a set of pairs); pairs not asked for are dropped below.
    const hashes = new Set([0, ...[...chunk.values()].flat()]);
    const query = `SELECT group_id, idempotency_hash, max(\`order\`) AS order FROM ${quoteIdentifier(keys)}
      WHERE group_id IN (${[...chunk.keys()].map(sqlInteger).join(',')}) AND idempotency_hash IN (${[...hashes].map(sqlInteger).join(',')})
      GROUP BY group_id, idempotency_hash`;
    const watermarks = new Map([...chunk.keys()].map((groupId) => [groupId, 0]));
    for (const row of await run('heads', () => selectRows<KeyRow>(client, query))) {
      const groupId = Number(row.group_id);
      const hash = Number(row.idempotency_hash);
      if (hash === 0) watermarks.set(groupId, Number(row.order));
      else if (chunk.get(groupId)?.includes(hash)) headOf(into, groupId).storedIdempotencyHashes.add(hash);
    }
    return watermarks;
  }

  /**
   * The rows of each group at or above its watermark w (normally just its newest): its highest order, where its
   * records came from, and the keys not yet indexed. Orders are gapless, so one point lookup of (w, w + 1) per group
   * tells all: w alone is the whole window; w + 1 too means the index lags (a crash between insert and indexing), and
   * only those groups are read as a range; no w means the table lost rows the index still counts, and that group is
   * read whole, so the answer is right even then, only slower. Small groups (watermark up to READ_WHOLE_UP_TO) and
   * groups without one (new, or stored before the index existed: once) are read whole.
   */
  async function readWindows(watermarks: ReadonlyMap<number, number>, asked: ReadonlyMap<number, readonly number[]>, into: GroupHeads) {
    const indexed = [...watermarks].filter(([, watermark]) => watermark > READ_WHOLE_UP_TO);
    const whole = [...watermarks].filter(([, watermark]) => watermark <= READ_WHOLE_UP_TO).map(([groupId]) => groupId);
    const ranges: string[] = [];
    if (indexed.length > 0) {
      const probes = indexed.flatMap(([groupId, w]) => [`(${sqlInteger(groupId)},${sqlInteger(w)})`, `(${sqlInteger(groupId)},${sqlInteger(w + 1)})`]);
      // A tuple IN on the sort key is a set of point lookups; OR-ed ranges cost 18.16 time quadratic in their number.
      const seen = await readWindowRows(`(group_id, \`order\`) IN (${probes.join(',')})`, asked, into);
      for (const [groupId, w] of indexed) {
        const newest = seen.get(groupId);
        if (newest === undefined) whole.push(groupId);
        else if (newest > w) ranges.push(`(group_id = ${sqlInteger(groupId)} AND \`order\` > ${sqlInteger(w)})`);
      }
    }
    if (whole.length > 0) ranges.push(`group_id IN (${whole.map(sqlInteger).join(',')})`);
    if (ranges.length > 0) await readWindowRows(ranges.join(' OR '), asked, into);
  }

  /** Adds the rows matching `where` to the heads; returns each group's highest order among them. */
  async function readWindowRows(where: string, asked: ReadonlyMap<number, readonly number[]>, into: GroupHeads): Promise<Map<number, number>> {
    // One query per group set: the orders, offsets and hashes of a group come from the same set of parts, so a racing
    // consumer's insert is either wholly seen or not at all.
    const query = `SELECT group_id, kafka_topic_id, kafka_partition, max(\`order\`) AS max_order, max(kafka_offset) + 1 AS next_offset,
        groupUniqArrayIf(idempotency_hash, idempotency_hash != 0) AS hashes
      FROM ${from} WHERE ${where} GROUP BY group_id, kafka_topic_id, kafka_partition`;
    const seen = new Map<number, number>();
    for (const row of await run('heads', () => selectRows<WindowRow>(client, query))) {
      const groupId = Number(row.group_id);
      seen.set(groupId, Math.max(Number(row.max_order), seen.get(groupId) ?? 0));
      const head = headOf(into, groupId);
      head.maxOrder = Math.max(head.maxOrder, Number(row.max_order));
      head.nextOffsets.set(sourceKey(row.kafka_topic_id, row.kafka_partition), Number(row.next_offset));
      const hashes = row.hashes.map(Number);
      const wanted = asked.get(groupId) ?? [];
      for (const hash of hashes) if (wanted.includes(hash)) head.storedIdempotencyHashes.add(hash);
      into.unindexedHashes.set(groupId, [...(into.unindexedHashes.get(groupId) ?? []), ...hashes]);
    }
    return seen;
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

    async latestPages(groupIds, limit, knownMaxOrders = new Map()) {
      const pages = new Map<number, MessagePage>();
      if (groupIds.length === 0) return pages;
      // The same read as readPage's for many groups at once: LIMIT n BY keeps each group's newest n + 1. Orders are
      // gapless, so for a large group with a known highest order m the page is exactly orders m - n .. m: point
      // lookups of the sort key, where FINAL on 18.16 would otherwise read the whole group. (Rows newer than m, from a
      // racing writer, are that writer's to publish: the read model keeps the newest version.)
      const large = (groupId: number) => (knownMaxOrders.get(groupId) ?? 0) > READ_WHOLE_UP_TO;
      const small = groupIds.filter((groupId) => !large(groupId));
      const lookedUp = groupIds.filter(large);
      const wheres: string[] = small.length === 0 ? [] : [`group_id IN (${small.map(sqlInteger).join(',')})`];
      // limit + 1 pairs of up to 16 + 16 digits per large group: LARGE_GROUPS_PER_QUERY keeps a query below 200 KB.
      for (let i = 0; i < lookedUp.length; i += LARGE_GROUPS_PER_QUERY) {
        const tuples = lookedUp.slice(i, i + LARGE_GROUPS_PER_QUERY).flatMap((groupId) => {
          const newest = knownMaxOrders.get(groupId) ?? 0;
          return Array.from({ length: Math.min(limit + 1, newest) }, (_, back) => `(${sqlInteger(groupId)},${sqlInteger(newest - back)})`);
        });
        wheres.push(`(group_id, \`order\`) IN (${tuples.join(',')})`);
      }
      const byGroup = new Map<number, StoredRow[]>();
      for (const where of wheres) {
        const query = `SELECT ${PAGE_COLUMNS} FROM ${from} FINAL WHERE ${where}
          ORDER BY group_id, \`order\` DESC LIMIT ${sqlInteger(limit + 1)} BY group_id`;
        for (const row of await run('pages', () => selectRows<StoredRow>(client, query))) {
          const groupId = Number(row.group_id);
          const rows = byGroup.get(groupId) ?? [];
          rows.push(row);
          byGroup.set(groupId, rows);
        }
      }
      for (const [groupId, rows] of byGroup) pages.set(groupId, toPage(groupId, rows, limit));
      return pages;
    },

    async groupIdsAfter(after, limit) {
      const query = `SELECT group_id FROM ${from} WHERE group_id > ${sqlInteger(after)}
        GROUP BY group_id ORDER BY group_id LIMIT ${sqlInteger(limit)}`;
      return (await run('pages', () => selectRows<{ group_id: string }>(client, query))).map((row) => Number(row.group_id));
    },

    async groupHeads(hashesByGroup) {
      const result: GroupHeads = { heads: new Map(), unindexedHashes: new Map() };
      const chunks = chunkGroups(hashesByGroup, HEADS_PER_QUERY);
      await Promise.all(chunks.map(async (chunk) => {
        const watermarks = await readKeys(chunk, result);
        await readWindows(watermarks, chunk, result);
      }));
      return result;
    },

    async insert(rows) {
      if (rows.length === 0) return;
      // One INSERT is one block, stored whole or not at all: a batch never lands half-written.
      await run('insert', () => client.insert({ table, values: rows as MessageRow[], format: 'JSONEachRow', clickhouse_settings: insertSettings }));
    },

    async indexKeys(rows) {
      if (rows.length === 0) return;
      await run('insert', () => client.insert({ table: keys, values: rows as IndexedKey[], format: 'JSONEachRow', clickhouse_settings: insertSettings }));
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

type MutableHead = { maxOrder: number; nextOffsets: Map<string, number>; storedIdempotencyHashes: Set<number> };

function headOf(into: GroupHeads, groupId: number): MutableHead {
  let head = into.heads.get(groupId) as MutableHead | undefined;
  if (head === undefined) {
    head = { maxOrder: 0, nextOffsets: new Map(), storedIdempotencyHashes: new Set() };
    into.heads.set(groupId, head);
  }
  return head;
}

/** Splits groups (each counted once, plus once per hash it carries) into chunks of at most `maxTuples`. */
function chunkGroups(hashesByGroup: ReadonlyMap<number, readonly number[]>, maxTuples: number): Map<number, readonly number[]>[] {
  const chunks: Map<number, readonly number[]>[] = [];
  let current = new Map<number, readonly number[]>();
  let tuples = 0;
  for (const [groupId, hashes] of hashesByGroup) {
    if (current.size > 0 && tuples + 1 + hashes.length > maxTuples) {
      chunks.push(current);
      current = new Map();
      tuples = 0;
    }
    current.set(groupId, hashes);
    tuples += 1 + hashes.length;
  }
  if (current.size > 0) chunks.push(current);
  return chunks;
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
