import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import calculateSlot from 'cluster-key-slot';
import type { Cluster } from 'ioredis';
import { putIfNewerPerNode, type KeyedWrite } from '../../src/read-model/cluster-writes.js';

/** A master's INFO replication, as Redis 7 words it (CRLF line ends). */
const replicationOf = (...replicas: string[]) =>
  [
    '# Replication',
    'role:master',
    `connected_slaves:${replicas.length}`,
    ...replicas.map((r, i) => `slave${i}:${r}`),
    'master_repl_offset:900',
    '',
  ].join('\r\n');
const NO_REPLICA = replicationOf();
const LIVE_REPLICA = replicationOf('ip=127.0.0.1,port=7004,state=online,offset=880,lag=0');
const FROZEN_REPLICA = replicationOf('ip=127.0.0.1,port=7004,state=online,offset=420,lag=9');

/** A cluster client as the writes see it: a slot map, and pipelines that record their commands and answer. */
function fakeCluster(
  slotOwners: (slot: number) => string[] | undefined,
  waitReplies = 1,
  replicationInfo = NO_REPLICA,
) {
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
        info: (section: string) => commands.push(`info ${section}`),
        exec: async () =>
          commands.map((c) => [null, c.startsWith('wait') ? waitReplies : c.startsWith('info') ? replicationInfo : 1]),
      };
    },
  } as unknown as Cluster;
  return { cluster, pipelines };
}

const confirmed = { waitTimeoutMs: 50, fillTtlMs: 0 };
const fill = { waitTimeoutMs: undefined, fillTtlMs: 60_000 };
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
    assert.equal(await putIfNewerPerNode(cluster, writes, confirmed), 40);
    assert.equal(pipelines.length, 3);
    for (const commands of pipelines) {
      assert.equal(commands.at(-1), 'wait 1 50');
      const shards = new Set(commands.slice(0, -1).map((c) => Math.floor(calculateSlot(c.slice(4)) / 5462)));
      assert.equal(shards.size, 1, `one node's keys per pipeline: ${commands.join(', ')}`);
    }
  });

  it('fail when no replica confirms them, so the refresher keeps the groups and retries', async () => {
    const { cluster } = fakeCluster(threeShards, 0);
    await assert.rejects(putIfNewerPerNode(cluster, writes, confirmed), /no replica of m\d:6379 confirmed the pages/);
  });

  it('take a master without a live replica at its word, and send fills without WAIT', async () => {
    const alone = fakeCluster((slot) => [`m${Math.floor(slot / 5462)}:6379`], 0);
    assert.equal(await putIfNewerPerNode(alone.cluster, writes, confirmed), 40);
    assert.ok(alone.pipelines.every((commands) => !commands.some((c) => c.startsWith('wait'))));
    assert.ok(alone.pipelines.every((commands) => commands.at(-1) === 'info replication'));
    const fills = fakeCluster(threeShards, 0);
    assert.equal(await putIfNewerPerNode(fills.cluster, writes, fill), 40);
    assert.ok(fills.pipelines.every((commands) => !commands.some((c) => c.startsWith('wait') || c.startsWith('info'))));
  });

  it('do not count on a master whose replica the slot map (up to a second old) does not show yet', async () => {
    const masterOnly = (slot: number) => [`m${Math.floor(slot / 5462)}:6379`];
    const stale = fakeCluster(masterOnly, 0, LIVE_REPLICA);
    await assert.rejects(
      putIfNewerPerNode(stale.cluster, writes, confirmed),
      /has a replica the slot map does not show yet/,
    );
    // A replica the master has not heard from for seconds (frozen, cut off) is not live: the slot map is right.
    const frozen = fakeCluster(masterOnly, 0, FROZEN_REPLICA);
    assert.equal(await putIfNewerPerNode(frozen.cluster, writes, confirmed), 40);
  });

  it('fail at once while a slot has no node (the cluster not ready)', async () => {
    const { cluster, pipelines } = fakeCluster(() => undefined);
    await assert.rejects(putIfNewerPerNode(cluster, writes, confirmed), /no node of the read model serves slot/);
    assert.equal(pipelines.length, 0);
  });
});
