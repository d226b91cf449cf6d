import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import {
  FILL_TTL_MS,
  createPageCache,
  createPageStore,
  entryVersion,
  toPageEntry,
  type MessagePage,
  type PageStore,
} from '@badam/pipeline';
import { createReadModelMetrics, createServiceMetrics } from '@badam/pipeline/core';
import { startReadModelCluster } from '@badam/stack/infra/read-model-cluster';
import type { ReadModelNode, ReadModelStore } from '@badam/stack/infra/read-model-store';
import { freeBasePort, testInfra, uniqueName } from '@badam/test-kit/fixtures';
import { metricSum } from '@badam/test-kit/service-metrics';

// A Redis Cluster of this file's own (3 masters, 3 replicas), whatever store the run shares: these tests freeze
// nodes. Its failover is left off (a node timeout far past the tests), so a frozen master stays the slots' master.

const PASSWORD = 'read-model-cluster-test';
const COMMAND_TIMEOUT_MS = 400;

const page = (groupId: number, newest: number): MessagePage => ({
  group_id: groupId,
  messages: Array.from({ length: Math.min(newest, 10) }, (_, i) => ({
    group_id: groupId,
    order: newest - i,
    sender_id: 1,
    text: 'cluster',
    time: '2026-01-01T00:00:00.000Z',
  })),
  has_more: newest > 10,
  next_before: newest > 10 ? newest - 9 : null,
});

/** One command to one node, on a connection of its own. */
async function ask(port: number, ...args: string[]): Promise<unknown> {
  const node = new Redis({ port, host: '127.0.0.1', password: PASSWORD, lazyConnect: true, maxRetriesPerRequest: 0 });
  node.on('error', () => {});
  try {
    await node.connect();
    return await node.call(...(args as [string, ...string[]]));
  } finally {
    node.disconnect();
  }
}

/** The port of the replica of the master on `port` (from the master's INFO replication). */
async function replicaOf(port: number): Promise<number> {
  const info = String(await ask(port, 'INFO', 'replication'));
  const match = /^slave0:.*port=(\d+)/m.exec(info);
  assert.ok(match, `the master on ${port} has a replica: ${info}`);
  return Number(match[1]);
}

describe('the read model on a Redis Cluster with one failing node', () => {
  const stores: PageStore[] = [];
  let cluster: ReadModelStore;
  const frozen = new Set<ReadModelNode>();
  const freeze = (node: ReadModelNode) => {
    frozen.add(node);
    node.process.signal('SIGSTOP');
  };
  const thaw = (node: ReadModelNode) => {
    if (!frozen.delete(node)) return;
    node.process.signal('SIGCONT');
  };
  const nodeOn = (port: number) => cluster.nodes.find((node) => node.port === port)!;

  /** A store client as a read app or a consumer has it: its own connections to every node. */
  async function openStore(keyPrefix: string): Promise<PageStore> {
    const store = createPageStore({
      urls: cluster.url.split(','),
      mode: 'cluster',
      password: PASSWORD,
      keyPrefix,
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
    });
    stores.push(store);
    await store.connected(10_000);
    return store;
  }

  before(async () => {
    const base = await freeBasePort();
    cluster = await startReadModelCluster({
      dataDir: join(testInfra().dataDir, uniqueName('read-model-cluster')),
      port: base + 1,
      password: PASSWORD,
      busPortOffset: 10,
      nodeTimeoutMs: 600_000,
    });
  });
  after(async () => {
    for (const node of [...frozen]) thaw(node);
    await Promise.all(stores.map((store) => store.close()));
    await cluster?.stop();
  });

  it('backs off the failing node only: reads of groups on the other nodes still hit the store', async (t) => {
    const prefix = `${uniqueName('pages')}:`;
    const consumer = await openStore(prefix);
    const groupIds = Array.from({ length: 60 }, (_, i) => i + 1);
    await consumer.putIfNewer(groupIds.map((groupId) => toPageEntry(page(groupId, 3))));

    const reader = await openStore(prefix);
    const { registry } = createServiceMetrics('read-model-cluster-test');
    const cache = createPageCache(reader, { retryAfterMs: 60_000, metrics: createReadModelMetrics(registry) });
    const victim = reader.nodeOf(1);
    const onVictim = groupIds.filter((groupId) => reader.nodeOf(groupId) === victim);
    const elsewhere = groupIds.filter((groupId) => reader.nodeOf(groupId) !== victim);
    assert.ok(onVictim.length > 0 && elsewhere.length > 0, 'groups on the failing node and on the others');

    const victimNode = nodeOn(Number(victim.split(':')[1]));
    freeze(victimNode);
    t.after(() => thaw(victimNode));
    // The failing node's group first: its timeout must not turn the store off for the others.
    for (const groupId of [...onVictim, ...elsewhere]) {
      const entry = await cache.get(groupId);
      if (reader.nodeOf(groupId) === victim) assert.equal(entry, undefined, `group ${groupId} falls back`);
      else {
        assert.ok(entry !== undefined, `group ${groupId}, on a node that answers, is read from the store`);
        assert.equal(entryVersion(entry), 3);
      }
    }
    const reads = await registry.metrics();
    assert.equal(metricSum(reads, 'badam_read_model_reads_total', { result: 'hit' }), elsewhere.length);
    assert.equal(metricSum(reads, 'badam_read_model_reads_total', { result: 'fallback' }), onVictim.length);
  });

  it("confirms the page the store holds when a consumer's write finds a reader's unreplicated fill of it", async (t) => {
    const prefix = `${uniqueName('pages')}:`;
    const reader = await openStore(prefix);
    const consumer = await openStore(prefix);
    const master = Number(reader.nodeOf(5).split(':')[1]);
    const replica = nodeOn(await replicaOf(master));
    const key = `${prefix}5`;
    // Acknowledged by the replica (WAIT): the consumer's own writes are all on it before it is frozen.
    await consumer.putIfNewer([toPageEntry(page(5, 1))]);

    freeze(replica);
    t.after(() => thaw(replica));
    assert.equal(await reader.putIfNewer([toPageEntry(page(5, 8))], { fillTtlMs: FILL_TTL_MS }), 1);
    const ttl = Number(await ask(master, 'PTTL', key));
    assert.ok(ttl > 0 && ttl <= FILL_TTL_MS, `a fill expires (PTTL ${ttl})`);
    // The same page from the consumer: the store holds it, but only on the master. Counting it as written would let
    // a failover bring back an older page for good; the consumer's write must wait for the replica. (Redis 7.0's WAIT
    // here also waits after a write that wrote nothing; the rewrite in PUT_IF_NEWER makes it so whatever the server,
    // and is seen below in the fill's expiry it clears.)
    await assert.rejects(consumer.putIfNewer([toPageEntry(page(5, 8))]), /no replica of .* confirmed the pages/);
    thaw(replica);
    assert.equal(await consumer.putIfNewer([toPageEntry(page(5, 8))]), 0, 'the page was there already');
    assert.equal(Number(await ask(master, 'PTTL', key)), -1, "confirmed by a consumer: the fill's expiry is gone");
  });
});
