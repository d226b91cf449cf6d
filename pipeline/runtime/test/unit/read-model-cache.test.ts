import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createReadModelMetrics } from '../../src/metrics/pipeline-metrics.js';
import { FILL_TTL_MS, createPageCache } from '../../src/read-model/page-cache.js';
import { encodeEntry, entryVersion } from '../../src/read-model/page-entry.js';
import { createPageRefresher } from '../../src/read-model/page-refresher.js';
import type { PageEntry, PageStore } from '../../src/read-model/page-store.js';
import type { MessagePage, MessagesRepository } from '@badam/domain/table/repository';

/**
 * The store's contract in memory (the real one is tested against redis-server in stack's integration tests), on three
 * nodes: group id modulo 3, so that one node can fail alone as in a cluster.
 */
function memoryStore() {
  const entries = new Map<number, Buffer>();
  /** Group -> the fill's expiry it was written with (absent: a consumer's write, kept for good). */
  const fillTtls = new Map<number, number>();
  const failingNodes = new Set<string>();
  const calls = { get: 0, put: 0 };
  const nodeOf = (groupId: number) => `n${groupId % 3}`;
  const down = (groupId: number) => failingNodes.has(nodeOf(groupId));
  const store: PageStore = {
    async get(groupId) {
      calls.get++;
      if (down(groupId)) throw new Error('store down');
      return entries.get(groupId) ?? null;
    },
    nodeOf,
    async putIfNewer(list: readonly PageEntry[], { fillTtlMs = 0 } = {}) {
      calls.put++;
      if (list.some(({ groupId }) => down(groupId))) throw new Error('store down');
      let written = 0;
      for (const { groupId, version, entry } of list) {
        const stored = entries.get(groupId);
        if (stored !== undefined && entryVersion(stored) >= version) continue;
        entries.set(groupId, entry);
        if (fillTtlMs > 0) fillTtls.set(groupId, fillTtlMs);
        else fillTtls.delete(groupId);
        written++;
      }
      return written;
    },
    isReachable: async () => failingNodes.size < 3,
    connected: async () => {},
    close: async () => {},
  };
  const fail = (value: boolean) => {
    for (const node of ['n0', 'n1', 'n2']) value ? failingNodes.add(node) : failingNodes.delete(node);
  };
  return { store, entries, fillTtls, calls, fail, failingNodes };
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

/** ClickHouse's side answering with these pages as they are (a replica behind, a page with a hole). */
function repositoryAnswering(pages: Map<number, MessagePage>): MessagesRepository {
  return {
    latestPages: async (groupIds: readonly number[]) =>
      new Map(groupIds.filter((id) => pages.has(id)).map((id) => [id, pages.get(id)!])),
  } as unknown as MessagesRepository;
}

/** The latest page of `newest` with the message of order `missing` left out, as a replica lacking its part reads it. */
const withHole = (groupId: number, newest: number, missing: number): MessagePage => {
  const whole = latest(groupId, newest + 1);
  const messages = whole.messages.filter((m) => m.order <= newest && m.order !== missing);
  return { ...whole, messages };
};

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

  it("backs off only the failing node: groups on the cluster's other nodes are still read from the store", async () => {
    const { store, entries, calls, failingNodes } = memoryStore();
    const registry = new Registry();
    const cache = createPageCache(store, { retryAfterMs: 60_000, metrics: createReadModelMetrics(registry) });
    for (const groupId of [1, 2, 3, 4, 5, 6]) entries.set(groupId, encodeEntry(latest(groupId, 2)));
    failingNodes.add('n1'); // groups 1 and 4
    assert.equal(await cache.get(1), undefined, 'its node fails: fallback');
    for (const groupId of [2, 3, 5, 6]) assert.equal(entryVersion((await cache.get(groupId))!), 2, `group ${groupId}`);
    assert.equal(await cache.get(4), undefined);
    assert.equal(calls.get, 5, 'the failing node is asked once; the others on every read');
    assert.deepEqual([await counter(registry, 'hit'), await counter(registry, 'fallback')], [4, 2]);
    cache.fill(latest(7, 3)); // node n1: skipped while it fails
    cache.fill(latest(8, 3)); // node n2
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual([entries.has(7), entries.has(8)], [false, true]);
  });

  it('fills a miss for FILL_TTL_MS only, and never with a page that is not whole', async () => {
    const { store, entries, fillTtls } = memoryStore();
    const cache = createPageCache(store, { retryAfterMs: 1000, metrics: createReadModelMetrics(new Registry()) });
    cache.fill(latest(1, 5));
    cache.fill(withHole(2, 14, 9)); // 14..5 without 9: ten messages, but not the latest page
    cache.fill({ ...latest(3, 14), messages: latest(3, 14).messages.slice(0, 9) }); // same version, one message short
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(fillTtls.get(1), FILL_TTL_MS);
    assert.deepEqual([entries.has(2), entries.has(3)], [false, false]);
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

  it('never writes a page older than the order it stored, nor reports success for it: retried until ClickHouse has it', async () => {
    const { store, entries } = memoryStore();
    const newest = new Map([[1, 41]]); // a replica that lacks order 42, just stored
    const refresher = createPageRefresher(repositoryOf(newest), store, {
      retryAfterMs: 50,
      metrics: createReadModelMetrics(new Registry()),
    });
    assert.equal(await refresher.refresh(new Map([[1, 42]])), false, 'no success: the offsets stay held');
    assert.equal(entries.has(1), false, 'page 41 not written');
    assert.equal(refresher.pendingGroups(), 1);
    newest.set(1, 42);
    await new Promise((resolve) => setTimeout(resolve, 70));
    assert.equal(await refresher.refresh(new Map()), true);
    assert.equal(entryVersion(entries.get(1)!), 42);
  });

  it('never writes a page with a hole or fewer messages than its version has (it would block the whole one)', async () => {
    const { store, entries } = memoryStore();
    const short = { ...latest(2, 42), messages: latest(2, 42).messages.slice(0, 9) };
    const refresher = createPageRefresher(
      repositoryAnswering(
        new Map([
          [1, withHole(1, 42, 37)],
          [2, short],
          [3, latest(3, 42)],
        ]),
      ),
      store,
      { retryAfterMs: 0, metrics: createReadModelMetrics(new Registry()) },
    );
    assert.equal(
      await refresher.refresh(
        new Map([
          [1, 42],
          [2, 42],
          [3, 42],
        ]),
      ),
      false,
    );
    assert.deepEqual([entries.has(1), entries.has(2), entryVersion(entries.get(3)!)], [false, false, 42]);
    assert.equal(refresher.pendingGroups(), 2, 'the whole page is done; the two others are retried');
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
