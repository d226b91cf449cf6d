import type { MessagesRepository } from '@badam/domain/table/repository';
import type { ReadModelMetrics } from '../metrics/pipeline-metrics.js';
import { secondsSince } from '../metrics/service-metrics.js';
import { MODEL_PAGE_SIZE, isWholeLatestPage, pageVersion, toPageEntry } from './page-entry.js';
import type { PageEntry, PageStore } from './page-store.js';

/** Groups per latestPages call: 1000 ids of up to 16 digits stay far below 18.16's 256 KiB max_query_size. */
const GROUPS_PER_QUERY = 1000;

/** Group ids listed per step of a rebuild. */
const GROUPS_PER_WALK = 5000;

/** The consumers' side of the read model: after a batch is stored, its groups' pages are rewritten from ClickHouse. */
export interface PageRefresher {
  /**
   * Refreshes these groups' pages and those of every group whose refresh failed before. False when it could not
   * (store or database unavailable): the groups are kept for the next call, and the caller holds back its offsets.
   * Each group comes with its highest order as far as the caller knows (0: unknown), which bounds the read.
   */
  refresh(maxOrders: ReadonlyMap<number, number>): Promise<boolean>;
  pendingGroups(): number;
}

export interface PageRefresherOptions {
  /** After a failed refresh, calls only collect groups this long: a store outage costs no ClickHouse query per batch. */
  retryAfterMs: number;
  metrics: ReadModelMetrics;
}

export function createPageRefresher(
  repository: MessagesRepository,
  store: PageStore,
  { retryAfterMs, metrics }: PageRefresherOptions,
): PageRefresher {
  /** Group -> highest order known. */
  const pending = new Map<number, number>();
  let retryAt = 0;

  return {
    async refresh(maxOrders) {
      for (const [groupId, maxOrder] of maxOrders) pending.set(groupId, Math.max(maxOrder, pending.get(groupId) ?? 0));
      if (pending.size === 0) return true;
      if (Date.now() < retryAt) {
        metrics.pendingGroups.set(pending.size);
        return false;
      }
      const start = process.hrtime.bigint();
      try {
        const { behind } = await refreshGroups(
          repository,
          store,
          [...pending.keys()],
          (done) => {
            for (const groupId of done) pending.delete(groupId);
          },
          new Map(pending),
        );
        if (behind.length > 0) {
          // ClickHouse answered with pages older than the rows stored (a replica behind): never success, so the
          // caller holds its offsets and the groups are read again after retryAfterMs, when the replica has caught up.
          metrics.duration.observe({ operation: 'refresh', result: 'behind' }, secondsSince(start));
          retryAt = Date.now() + retryAfterMs;
          return false;
        }
        metrics.duration.observe({ operation: 'refresh', result: 'ok' }, secondsSince(start));
        return true;
      } catch {
        metrics.duration.observe({ operation: 'refresh', result: 'error' }, secondsSince(start));
        retryAt = Date.now() + retryAfterMs;
        return false;
      } finally {
        metrics.pendingGroups.set(pending.size);
      }
    },
    pendingGroups: () => pending.size,
  };
}

export interface RefreshOutcome {
  /** Pages written (the others the store held in that version or newer). */
  written: number;
  /**
   * Groups whose page ClickHouse gave older than their known highest order, or not whole (isWholeLatestPage): a
   * replica that lacks some of their rows. Not written: the store would keep such a page for good, as the newest an
   * idle group has (and one of the same version but fewer messages would block the whole one).
   */
  behind: number[];
}

/**
 * Reads the latest page of each group from ClickHouse (one query per GROUPS_PER_QUERY groups) and writes those the
 * store does not hold in that version or newer, unless the page is behind (RefreshOutcome). `onChunkDone` is given
 * the groups whose pages the store now holds.
 */
export async function refreshGroups(
  repository: MessagesRepository,
  store: PageStore,
  groupIds: readonly number[],
  onChunkDone: (groupIds: readonly number[]) => void = () => {},
  knownMaxOrders: ReadonlyMap<number, number> = new Map(),
): Promise<RefreshOutcome> {
  let written = 0;
  const behind: number[] = [];
  for (let i = 0; i < groupIds.length; i += GROUPS_PER_QUERY) {
    const chunk = groupIds.slice(i, i + GROUPS_PER_QUERY);
    const pages = await repository.latestPages(chunk, MODEL_PAGE_SIZE, knownMaxOrders);
    const done: number[] = [];
    const entries: PageEntry[] = [];
    for (const groupId of chunk) {
      const page = pages.get(groupId);
      const known = knownMaxOrders.get(groupId) ?? 0;
      // No rows and none expected: nothing to write.
      if (page === undefined && known === 0) done.push(groupId);
      else if (page === undefined || pageVersion(page) < known || !isWholeLatestPage(page)) behind.push(groupId);
      else {
        done.push(groupId);
        entries.push(toPageEntry(page));
      }
    }
    written += await store.putIfNewer(entries);
    onChunkDone(done);
  }
  return { written, behind };
}

/**
 * Fills the store from ClickHouse, every group in group id order: after a seed, or to warm an empty or lost store
 * (which is a cold cache, never wrong data: reads miss and fall back until then). Groups whose page was behind
 * (RefreshOutcome) are counted and not written: they stay cold (a read misses and fills), never stale.
 */
export async function rebuildReadModel(
  repository: MessagesRepository,
  store: PageStore,
  onProgress: (groups: number, written: number) => void = () => {},
): Promise<{ groups: number; written: number; behind: number }> {
  let after = 0;
  let groups = 0;
  let written = 0;
  let behind = 0;
  for (;;) {
    const ids = await repository.groupIdsAfter(after, GROUPS_PER_WALK);
    if (ids.length === 0) return { groups, written, behind };
    const outcome = await refreshGroups(repository, store, ids);
    written += outcome.written;
    behind += outcome.behind.length;
    groups += ids.length;
    after = ids.at(-1)!;
    onProgress(groups, written);
  }
}
