import type { MessagePage } from '../clickhouse/messages-repository.js';
import type { ReadModelMetrics } from '../metrics/pipeline-metrics.js';
import { secondsSince } from '../metrics/service-metrics.js';
import { encodeEntry, pageVersion } from './page-entry.js';
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
  let skipUntil = 0;
  const failed = () => {
    skipUntil = Date.now() + retryAfterMs;
  };

  return {
    async get(groupId) {
      if (Date.now() < skipUntil) {
        metrics.reads.inc({ result: 'fallback' });
        return undefined;
      }
      const start = process.hrtime.bigint();
      try {
        const entry = await store.get(groupId);
        metrics.duration.observe({ operation: 'get', result: 'ok' }, secondsSince(start));
        metrics.reads.inc({ result: entry === null ? 'miss' : 'hit' });
        return entry ?? undefined;
      } catch {
        metrics.duration.observe({ operation: 'get', result: 'error' }, secondsSince(start));
        metrics.reads.inc({ result: 'fallback' });
        failed();
        return undefined;
      }
    },

    isReachable: () => store.isReachable(),

    fill(page) {
      if (Date.now() < skipUntil) return;
      const start = process.hrtime.bigint();
      store.putIfNewer([{ groupId: page.group_id, version: pageVersion(page), entry: encodeEntry(page) }]).then(
        () => metrics.duration.observe({ operation: 'fill', result: 'ok' }, secondsSince(start)),
        () => {
          metrics.duration.observe({ operation: 'fill', result: 'error' }, secondsSince(start));
          failed();
        },
      );
    },
  };
}
