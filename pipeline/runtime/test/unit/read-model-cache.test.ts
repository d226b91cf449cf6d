import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createReadModelMetrics } from '../../src/metrics/pipeline-metrics.js';
import { createPageCache } from '../../src/read-model/page-cache.js';
import { encodeEntry, entryVersion } from '../../src/read-model/page-entry.js';
import { createPageRefresher } from '../../src/read-model/page-refresher.js';
import type { PageEntry, PageStore } from '../../src/read-model/page-store.js';
import type { MessagePage, MessagesRepository } from '@badam/domain/table/repository';

/** The store's contract in memory (the real one is tested against redis-server in stack's integration tests). */
function memoryStore() {
  const entries = new Map<number, Buffer>();
  let failing = false;
  const calls = { get: 0, put: 0 };
  const store: PageStore = {
    async get(groupId) {
      calls.get++;
      if (failing) throw new Error('store down');
      return entries.get(groupId) ?? null;
    },
    async putIfNewer(list: readonly PageEntry[]) {
      calls.put++;
      if (failing) throw new Error('store down');
      let written = 0;
      for (const { groupId, version, entry } of list) {
        const stored = entries.get(groupId);
        if (stored !== undefined && entryVersion(stored) >= version) continue;
        entries.set(groupId, entry);
        written++;
      }
      return written;
    },
    isReachable: async () => !failing,
    connected: async () => {},
    close: async () => {},
  };
  return { store, entries, calls, fail: (value: boolean) => (failing = value) };
}

const latest = (groupId: number, newest: number): MessagePage => ({
  group_id: groupId,
  messages: Array.from({ length: Math.min(newest, 10) }, (_, i) => ({
    group_id: groupId,
    order: newest - i,
    sender_id: 1,
    text: 't',
    time: 'x',
  })),
  has_more: newest > 10,
  next_before: newest > 10 ? newest - 9 : null,
});

/** ClickHouse's side as the refresher uses it: each group's newest order. */
function repositoryOf(newest: Map<number, number>, failing = { value: false }): MessagesRepository {
  return {
    async latestPages(groupIds: readonly number[]) {
      if (failing.value) throw new Error('database down');
      return new Map(groupIds.filter((id) => newest.has(id)).map((id) => [id, latest(id, newest.get(id)!)]));
    },
  } as unknown as MessagesRepository;
}

async function counter(registry: Registry, result: string) {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'badam_read_model_reads_total');
  return (
    ((metric?.values ?? []) as { labels: { result?: string }; value: number }[]).find((v) => v.labels.result === result)
      ?.value ?? 0
  );
}

describe("the read apps' page cache", () => {
  it('counts hits and misses, and fills only when the store has no newer page', async () => {
    const { store, entries } = memoryStore();
    const registry = new Registry();
    const cache = createPageCache(store, { retryAfterMs: 1000, metrics: createReadModelMetrics(registry) });
    assert.equal(await cache.get(1), undefined);
    cache.fill(latest(1, 5));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(entryVersion((await cache.get(1))!), 5);
    entries.set(2, encodeEntry(latest(2, 9)));
    cache.fill(latest(2, 8)); // a slow reader's older page
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(entryVersion(entries.get(2)!), 9);
    assert.deepEqual(
      [await counter(registry, 'hit'), await counter(registry, 'miss'), await counter(registry, 'fallback')],
      [1, 1, 0],
    );
  });

  it('falls back after a store error and leaves the store alone for retryAfterMs, then tries it again', async () => {
    const { store, calls, fail } = memoryStore();
    const registry = new Registry();
    const cache = createPageCache(store, { retryAfterMs: 150, metrics: createReadModelMetrics(registry) });
    fail(true);
    assert.equal(await cache.get(1), undefined);
    for (let i = 0; i < 5; i++) assert.equal(await cache.get(1), undefined);
    assert.equal(calls.get, 1, 'one timeout per outage window, not one per read');
    assert.equal(await counter(registry, 'fallback'), 6);
    fail(false);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await cache.get(1);
    assert.equal(calls.get, 2);
    assert.equal(await counter(registry, 'miss'), 1);
  });
});

/** Groups as the consumer hands them over, with no highest order known. */
const known = (...groupIds: number[]) => new Map(groupIds.map((groupId) => [groupId, 0]));

describe("the consumers' page refresher", () => {
  it("writes each group's latest page from ClickHouse", async () => {
    const { store, entries } = memoryStore();
    const refresher = createPageRefresher(
      repositoryOf(
        new Map([
          [1, 3],
          [2, 12],
        ]),
      ),
      store,
      { retryAfterMs: 0, metrics: createReadModelMetrics(new Registry()) },
    );
    assert.equal(await refresher.refresh(known(1, 2)), true);
    assert.deepEqual([entryVersion(entries.get(1)!), entryVersion(entries.get(2)!)], [3, 12]);
  });

  it('keeps the groups it could not refresh and refreshes them with the next call, after retryAfterMs', async () => {
    const { store, entries, fail } = memoryStore();
    const newest = new Map([
      [1, 3],
      [2, 4],
      [3, 5],
    ]);
    const refresher = createPageRefresher(repositoryOf(newest), store, {
      retryAfterMs: 100,
      metrics: createReadModelMetrics(new Registry()),
    });
    fail(true);
    assert.equal(await refresher.refresh(known(1, 2)), false);
    fail(false);
    assert.equal(await refresher.refresh(known(3)), false, 'within retryAfterMs: collects only');
    assert.equal(refresher.pendingGroups(), 3);
    await new Promise((resolve) => setTimeout(resolve, 120));
    newest.set(1, 7);
    assert.equal(await refresher.refresh(new Map()), true);
    assert.equal(refresher.pendingGroups(), 0);
    assert.deepEqual(
      [1, 2, 3].map((id) => entryVersion(entries.get(id)!)),
      [7, 4, 5],
    );
  });

  it('never puts an older page over a newer one', async () => {
    const { store, entries } = memoryStore();
    entries.set(1, encodeEntry(latest(1, 9)));
    const refresher = createPageRefresher(repositoryOf(new Map([[1, 8]])), store, {
      retryAfterMs: 0,
      metrics: createReadModelMetrics(new Registry()),
    });
    assert.equal(await refresher.refresh(known(1)), true);
    assert.equal(entryVersion(entries.get(1)!), 9);
  });
});
