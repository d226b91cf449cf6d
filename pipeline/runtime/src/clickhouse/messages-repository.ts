import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import { BadamError } from '@badam/domain/contract/errors';
import type { ClickHouseMetrics } from '../metrics/pipeline-metrics.js';
import { secondsSince } from '../metrics/service-metrics.js';
import {
  afterProbe,
  chunkGroups,
  emptyHeads,
  foldKeys,
  foldWindows,
  splitByWatermark,
} from '@badam/domain/table/group-heads';
import { quoteIdentifier } from '@badam/domain/table/identifiers';
import {
  keysQuery,
  probeWhere,
  rangesWhere,
  windowQuery,
  type KeyRow,
  type WindowRow,
} from '@badam/domain/table/heads-queries';
import {
  groupIdsAfterQuery,
  latestPagesQueries,
  readPageQuery,
  toPage,
  toPages,
} from '@badam/domain/table/page-queries';
import { HEADS_PER_QUERY } from '@badam/domain/table/query-limits';
import type { MessagesRepository } from '@badam/domain/table/repository';
import type { IndexedKey, MessageRow, StoredRow } from '@badam/domain/table/rows';
import { keysTable } from '@badam/domain/table/schema';

// The MessagesRepository on a ClickHouse client: runs the table's queries (table/*-queries.ts, SQL text from validated
// integers, since 18.16 has no query parameters) and measures each call. What the queries are and what their rows
// mean is the domain's (table/); this module only talks to the server.

type Operation = 'read' | 'heads' | 'insert' | 'pages';

export interface RepositoryOptions {
  /** Settings for inserts (see synchronousInsertSettings, and on a cluster storeSettings). */
  insertSettings?: ClickHouseSettings;
  /** Settings for the group heads reads a batch is ordered from (on a cluster: storeSettings). */
  headsSettings?: ClickHouseSettings;
  /**
   * Settings for the latest-page reads the read model is written from (refresh, rebuild; on a cluster the same as
   * the heads reads: storeSettings' headsRead). A replica that lacks a part written with quorum then refuses the read
   * instead of handing a page older than the rows just stored to the store, where an idle group would keep it.
   */
  pagesSettings?: ClickHouseSettings;
  metrics?: ClickHouseMetrics;
}

export function createMessagesRepository(
  client: ClickHouseClient,
  table: string,
  { insertSettings = {}, headsSettings = {}, pagesSettings = {}, metrics }: RepositoryOptions = {},
): MessagesRepository {
  quoteIdentifier(table); // a name that cannot be a table fails here, not as "unavailable" at the first query
  /** Whatever goes wrong talking to ClickHouse is, for the caller, the database being unavailable: retry later. */
  async function run<T>(operation: Operation, call: () => Promise<T>): Promise<T> {
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

  function select<T>(operation: Operation, query: string): Promise<T[]> {
    const clickhouse_settings =
      operation === 'heads' ? headsSettings : operation === 'pages' ? pagesSettings : undefined;
    return run(operation, async () =>
      (await client.query({ query, format: 'JSONEachRow', clickhouse_settings })).json<T>(),
    );
  }

  /** One INSERT is one block, stored whole or not at all: a batch never lands half-written. */
  async function insertInto(into: string, values: readonly (MessageRow | IndexedKey)[]): Promise<void> {
    if (values.length === 0) return;
    await run('insert', () =>
      client.insert({ table: into, values, format: 'JSONEachRow', clickhouse_settings: insertSettings }),
    );
  }

  return {
    async readPage(query) {
      return toPage(query.groupId, await select<StoredRow>('read', readPageQuery(table, query)), query.limit);
    },

    async latestPages(groupIds, limit, knownMaxOrders = new Map()) {
      if (groupIds.length === 0) return new Map();
      const rows: StoredRow[] = [];
      for (const query of latestPagesQueries(table, groupIds, limit, knownMaxOrders)) {
        for (const row of await select<StoredRow>('pages', query)) rows.push(row);
      }
      return toPages(rows, limit);
    },

    async groupIdsAfter(after, limit) {
      return (await select<{ group_id: string }>('pages', groupIdsAfterQuery(table, after, limit))).map((row) =>
        Number(row.group_id),
      );
    },

    // The steps and why: table/group-heads.ts.
    async groupHeads(hashesByGroup) {
      const result = emptyHeads();
      await Promise.all(
        chunkGroups(hashesByGroup, HEADS_PER_QUERY).map(async (asked) => {
          const watermarks = foldKeys(asked, await select<KeyRow>('heads', keysQuery(table, asked)), result);
          const { probed, whole } = splitByWatermark(watermarks);
          const readWindow = async (where: string) =>
            foldWindows(await select<WindowRow>('heads', windowQuery(table, where)), asked, result);
          const rest =
            probed.length === 0 ? { after: [], whole: [] } : afterProbe(probed, await readWindow(probeWhere(probed)));
          const ranges = rangesWhere(rest.after, [...rest.whole, ...whole]);
          if (ranges !== undefined) await readWindow(ranges);
        }),
      );
      return result;
    },

    insert: (rows) => insertInto(table, rows),

    indexKeys: (keys) => insertInto(keysTable(table), keys),

    async isReachable() {
      try {
        return (await client.ping()).success;
      } catch {
        return false;
      }
    },
  };
}
