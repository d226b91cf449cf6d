import type { MessagesRepository } from '@badam/domain/table/repository';
import type { ReadModelMetrics } from '../metrics/pipeline-metrics.js';
import { secondsSince } from '../metrics/service-metrics.js';
import { MODEL_PAGE_SIZE, toPageEntry } from './page-entry.js';
import type { PageStore } from './page-store.js';

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
        await refreshGroups(
          repository,
          store,
          [...pending.keys()],
          (done) => {
            for (const groupId of done) pending.delete(groupId);
          },
          new Map(pending),
        );
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

/**
 * Reads the latest page of each group from ClickHouse (one query per GROUPS_PER_QUERY groups) and writes those the
 * store does not hold in that version or newer. Returns how many pages were written.
 */
export async function refreshGroups(
  repository: MessagesRepository,
  store: PageStore,
  groupIds: readonly number[],
  onChunkDone: (groupIds: readonly number[]) => void = () => {},
  knownMaxOrders?: ReadonlyMap<number, number>,
): Promise<number> {
  let written = 0;
  for (let i = 0; i < groupIds.length; i += GROUPS_PER_QUERY) {
    const chunk = groupIds.slice(i, i + GROUPS_PER_QUERY);
    const pages = await repository.latestPages(chunk, MODEL_PAGE_SIZE, knownMaxOrders);
    written += await store.putIfNewer([...pages.values()].map(toPageEntry));
    onChunkDone(chunk);
  }
  return written;
}

/**
 * Fills the store from ClickHouse, every group in group id order: after a seed, or to warm an empty or lost store
 * (which is a cold cache, never wrong data: reads miss and fall back until then).
 */
export async function rebuildReadModel(
  repository: MessagesRepository,
  store: PageStore,
  onProgress: (groups: number, written: number) => void = () => {},
): Promise<{ groups: number; written: number }> {
  let after = 0;
  let groups = 0;
  let written = 0;
  for (;;) {
    const ids = await repository.groupIdsAfter(after, GROUPS_PER_WALK);
    if (ids.length === 0) return { groups, written };
    written += await refreshGroups(repository, store, ids);
    groups += ids.length;
    after = ids.at(-1)!;
    onProgress(groups, written);
  }
}
