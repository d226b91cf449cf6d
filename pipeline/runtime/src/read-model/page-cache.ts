import type { MessagePage } from '@badam/domain/table/repository';
import type { ReadModelMetrics } from '../metrics/pipeline-metrics.js';
import { secondsSince } from '../metrics/service-metrics.js';
import { toPageEntry } from './page-entry.js';
import type { PageStore } from './page-store.js';

/** The read apps' side of the read model: look a page up, fill a miss; never fail a read because of the store. */
export interface PageCache {
  /** The group's entry; undefined on a miss, and when the store fails or was failing a moment ago (fallback). */
  get(groupId: number): Promise<Buffer | undefined>;
  /** Stores a page read from ClickHouse after a miss, unless the store holds a newer one. Never awaited by a read. */
  fill(page: MessagePage): void;
  isReachable(): Promise<boolean>;
}

export interface PageCacheOptions {
  /** After a store error, reads go straight to ClickHouse this long, so an outage costs one timeout, not one per read. */
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
  let skipUntil = 0;
  const failed = () => {
    skipUntil = Date.now() + retryAfterMs;
  };

  return {
    async get(groupId) {
      if (Date.now() < skipUntil) {
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
        failed();
        return undefined;
      }
    },

    isReachable: () => store.isReachable(),

    fill(page) {
      if (Date.now() < skipUntil) return;
      const start = process.hrtime.bigint();
      store.putIfNewer([toPageEntry(page)], { unconfirmed: true }).then(
        () => metrics.duration.observe({ operation: 'fill', result: 'ok' }, secondsSince(start)),
        () => {
          metrics.duration.observe({ operation: 'fill', result: 'error' }, secondsSince(start));
          failed();
        },
      );
    },
  };
}
