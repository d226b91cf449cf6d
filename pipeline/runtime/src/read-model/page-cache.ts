import type { MessagePage } from '@badam/domain/table/repository';
import type { ReadModelMetrics } from '../metrics/pipeline-metrics.js';
import { secondsSince } from '../metrics/service-metrics.js';
import { isWholeLatestPage, toPageEntry } from './page-entry.js';
import type { PageStore } from './page-store.js';

/**
 * How long a page a reader filled is kept unless a consumer's write confirms it: the bound on how long a fill that
 * lost a race with an eviction or a store restart (read before a newer page was stored, written after that page was
 * lost) can be served for an idle group. A hot group's filled page costs one ClickHouse read per minute.
 */
export const FILL_TTL_MS = 60_000;

/** The read apps' side of the read model: look a page up, fill a miss; never fail a read because of the store. */
export interface PageCache {
  /** The group's entry; undefined on a miss, and when its node fails or was failing a moment ago (fallback). */
  get(groupId: number): Promise<Buffer | undefined>;
  /**
   * Stores a page read from ClickHouse after a miss, for FILL_TTL_MS, unless the store holds a newer one or the page
   * is not whole (read from a replica lacking some of the group's rows). Never awaited by a read.
   */
  fill(page: MessagePage): void;
  isReachable(): Promise<boolean>;
}

export interface PageCacheOptions {
  /**
   * After a store error, reads of the groups on the failing node go straight to ClickHouse this long, so an outage
   * costs one timeout, not one per read; the groups on the other nodes of a cluster are still read from the store.
   */
  retryAfterMs: number;
  metrics: ReadModelMetrics;
}

export function createPageCache(store: PageStore, { retryAfterMs, metrics }: PageCacheOptions): PageCache {
  // Bound once: label lookups on every read would cost more than the rest of a hit's bookkeeping.
  const counted = {
    hit: metrics.reads.labels({ result: 'hit' }),
    miss: metrics.reads.labels({ result: 'miss' }),
    fallback: metrics.reads.labels({ result: 'fallback' }),
  };
  const getOk = metrics.duration.labels({ operation: 'get', result: 'ok' });
  /** Node (store.nodeOf) -> until when its groups skip the store. A failover moves the slots to another node. */
  const skipUntil = new Map<string, number>();
  const skipping = (node: string) => Date.now() < (skipUntil.get(node) ?? 0);
  const failed = (node: string) => skipUntil.set(node, Date.now() + retryAfterMs);

  return {
    async get(groupId) {
      const node = store.nodeOf(groupId);
      if (skipping(node)) {
        counted.fallback.inc();
        return undefined;
      }
      const start = process.hrtime.bigint();
      try {
        const entry = await store.get(groupId);
        getOk.observe(secondsSince(start));
        (entry === null ? counted.miss : counted.hit).inc();
        return entry ?? undefined;
      } catch {
        metrics.duration.observe({ operation: 'get', result: 'error' }, secondsSince(start));
        counted.fallback.inc();
        failed(node);
        return undefined;
      }
    },

    isReachable: () => store.isReachable(),

    fill(page) {
      const node = store.nodeOf(page.group_id);
      if (skipping(node) || !isWholeLatestPage(page)) return;
      const start = process.hrtime.bigint();
      store.putIfNewer([toPageEntry(page)], { fillTtlMs: FILL_TTL_MS }).then(
        () => metrics.duration.observe({ operation: 'fill', result: 'ok' }, secondsSince(start)),
        () => {
          metrics.duration.observe({ operation: 'fill', result: 'error' }, secondsSince(start));
          failed(node);
        },
      );
    },
  };
}
