import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import calculateSlot from 'cluster-key-slot';
import type { Cluster } from 'ioredis';
import { putIfNewerPerNode, type KeyedWrite } from '../../src/read-model/cluster-writes.js';

/** A cluster client as the writes see it: a slot map, and pipelines that record their commands and answer. */
function fakeCluster(slotOwners: (slot: number) => string[] | undefined, waitReplies = 1) {
  const pipelines: string[][] = [];
  const slots = new Proxy([] as string[][], { get: (_, key) => slotOwners(Number(key)) });
  const cluster = {
    slots,
    pipeline() {
      const commands: string[] = [];
      pipelines.push(commands);
      return {
        putIfNewer: (key: string) => commands.push(`put ${key}`),
        wait: (replicas: number, ms: number) => commands.push(`wait ${replicas} ${ms}`),
        exec: async () => commands.map((c) => [null, c.startsWith('wait') ? waitReplies : 1]),
      };
    },
  } as unknown as Cluster;
  return { cluster, pipelines };
}

const writes: KeyedWrite[] = Array.from({ length: 40 }, (_, i) => ({
  key: `messages:${i}`,
  version: 1,
  entry: Buffer.from('x'),
}));
/** Three masters, each with a replica, owning a third of the slots each. */
const threeShards = (slot: number) => {
  const shard = Math.floor(slot / 5462);
  return [`m${shard}:6379`, `r${shard}:6379`];
};

describe('the consumers’ writes on a cluster', () => {
  it('go in one pipeline per node, each key to the node of its slot, each pipeline ending with WAIT 1', async () => {
    const { cluster, pipelines } = fakeCluster(threeShards);
    assert.equal(await putIfNewerPerNode(cluster, writes, 50), 40);
    assert.equal(pipelines.length, 3);
    for (const commands of pipelines) {
      assert.equal(commands.at(-1), 'wait 1 50');
      const shards = new Set(commands.slice(0, -1).map((c) => Math.floor(calculateSlot(c.slice(4)) / 5462)));
      assert.equal(shards.size, 1, `one node's keys per pipeline: ${commands.join(', ')}`);
    }
  });

  it('fail when no replica confirms them, so the refresher keeps the groups and retries', async () => {
    const { cluster } = fakeCluster(threeShards, 0);
    await assert.rejects(putIfNewerPerNode(cluster, writes, 50), /no replica of m\d:6379 confirmed the pages/);
  });

  it('take a master without a live replica at its word, and send fills without WAIT', async () => {
    const alone = fakeCluster((slot) => [`m${Math.floor(slot / 5462)}:6379`], 0);
    assert.equal(await putIfNewerPerNode(alone.cluster, writes, 50), 40);
    assert.ok(alone.pipelines.every((commands) => !commands.some((c) => c.startsWith('wait'))));
    const fills = fakeCluster(threeShards, 0);
    assert.equal(await putIfNewerPerNode(fills.cluster, writes, undefined), 40);
    assert.ok(fills.pipelines.every((commands) => !commands.some((c) => c.startsWith('wait'))));
  });

  it('fail at once while a slot has no node (the cluster not ready)', async () => {
    const { cluster, pipelines } = fakeCluster(() => undefined);
    await assert.rejects(putIfNewerPerNode(cluster, writes, 50), /no node of the read model serves slot/);
    assert.equal(pipelines.length, 0);
  });
});
