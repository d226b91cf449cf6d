import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { baseClientConfig, DEFAULT_PARTITIONS, reconcile, quoteIdentifier } from '@badam/pipeline';
import { ManagedProcess } from '@badam/stack/process/managed-process';
import { httpOk, waitFor } from '@badam/stack/process/wait';
import { watchDelivery } from '@badam/test-kit/delivery-pause';
import {
  createTestClickHouse,
  createTestTable,
  createTestTopic,
  freeBasePort,
  startTestFleet,
  testInfra,
} from '@badam/test-kit/fixtures';
import { waitForRows } from '@badam/test-kit/table-watch';

/**
 * The fleet runs its consumers as static members (CONSUMER_INSTANCE_ID consumer-<n>), as the swarm does. A session
 * timeout of 30 s, as in the swarm: long enough that a restart never waits for it.
 */
const SESSION_TIMEOUT_MS = 30_000;

/**
 * Bound on how long a restarted consumer's groups wait for their first new order once it is ready (/health 200): a
 * join under its instance id and one batch take well under a second here (docs/BENCHMARKS.md, "Consumer failover").
 * Counted from readiness, so a slow process start on a busy machine does not count against it; generous (ten times
 * what it takes), yet far below what dynamic membership waits: the session timeout after a SIGKILL.
 */
const RESUME_AFTER_READY_BOUND_MS = 10_000;

describe('a consumer restarted (SIGKILL, SIGTERM) under traffic', () => {
  it('gets its own partitions back at once, without a rebalance, and nothing is lost', async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const topic = await createTestTopic();
    const fleet = await startTestFleet(t, {
      topic,
      table,
      consumers: 2,
      readApps: [],
      env: { CONSUMER_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS) },
    });
    const watch = await watchDelivery({
      fleet,
      client,
      topic,
      table,
      partitions: DEFAULT_PARTITIONS,
      ratePerGroup: 5,
      roundTimeoutMs: 2 * SESSION_TIMEOUT_MS,
    });
    const rounds = [];
    let sent: Awaited<ReturnType<typeof watch.stop>>;
    try {
      rounds.push(await watch.restart(0, 'SIGKILL'));
      rounds.push(await watch.restart(1, 'SIGTERM'));
    } finally {
      sent = await watch.stop();
    }
    const { accepted, refused } = sent;
    t.diagnostic(JSON.stringify(rounds));
    for (const round of rounds) {
      assert.deepEqual(round.movedPartitions, [], `${round.fault}: no other member took ${round.victim}'s partitions`);
      assert.ok(
        round.resumedAfterReadyMs < RESUME_AFTER_READY_BOUND_MS,
        `${round.fault}: ${round.victim}'s groups delivered again ${round.resumedAfterReadyMs} ms after it was ready`,
      );
    }
    assert.equal(refused, 0);
    await waitForRows(client, table, accepted.length, 60_000);
    assert.deepEqual((await reconcile(client, table, accepted)).problems, []);
  });
});

describe('a zombie consumer: frozen, replaced by a process with its instance id, then woken', () => {
  it('is fenced: it exits to be restarted, commits nothing over the new member, and every send is stored once', async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const topic = await createTestTopic();
    const fleet = await startTestFleet(t, {
      topic,
      table,
      consumers: 1,
      readApps: [],
      env: { CONSUMER_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS), CONSUMER_MAX_BATCH: '50' },
    });
    const zombie = fleet.processes.get('consumer')?.[0];
    assert.ok(zombie?.spec.env !== undefined);
    const groupId = zombie.spec.env.CONSUMER_GROUP_ID ?? '';
    const watch = await watchDelivery({ fleet, client, topic, table, partitions: DEFAULT_PARTITIONS, ratePerGroup: 5 });
    const admin = new KafkaJS.Kafka({}).admin(
      baseClientConfig({ brokers: testInfra().kafka.brokers, clientId: 'badam-test-zombie' }),
    );
    await admin.connect();
    t.after(() => admin.disconnect());
    const committed = async () => {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic], timeout: 5000 });
      return new Map((offsets?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    };

    let sent: Awaited<ReturnType<typeof watch.stop>>;
    try {
      await sleep(2000);
      // Frozen mid-stream, as a process stalls (a long GC, a paused VM): it still holds fetched, uncommitted records.
      zombie.spec.restart = false; // its supervisor must not restart it under the same id once it exits
      zombie.signal('SIGSTOP');
      const port = await freeBasePort();
      const replacement = new ManagedProcess({
        ...zombie.spec,
        name: 'consumer-1-replacement',
        env: { ...zombie.spec.env, PORT: String(port), KAFKA_CLIENT_ID: 'consumer-1-replacement' },
        logFile: join(zombie.spec.logFile, '..', 'consumer-1-replacement.log'),
        restart: false,
      }).start();
      t.after(() => replacement.stop());
      await waitFor('the replacement ready', () => httpOk(`http://127.0.0.1:${port}/health`), 60_000);
      const stored = async () => {
        const result = await client.query({
          query: `SELECT count() AS n FROM ${quoteIdentifier(table)}`,
          format: 'JSONEachRow',
        });
        return Number((await result.json<{ n: string }>())[0]?.n ?? 0);
      };
      const before = await stored();
      await waitFor('the replacement storing', async () => (await stored()) > before + 50, 60_000);
      const committedBefore = await committed();

      zombie.signal('SIGCONT');
      // Watch the committed offsets while the zombie wakes: a commit of its stale batch would set them back.
      const setBack: string[] = [];
      const exited = zombie.exited().then(() => true);
      for (let i = 0; i < 600 && !(await Promise.race([exited, sleep(100).then(() => false)])); i++) {
        for (const [partition, offset] of await committed()) {
          if (offset < (committedBefore.get(partition) ?? -1)) setBack.push(`${partition}: ${offset}`);
        }
      }
      assert.equal(zombie.running, false, 'the fenced zombie exited (instead of retrying forever with /health 200)');
      assert.deepEqual(setBack, [], 'no committed offset went back');
      const log = readFileSync(zombie.spec.logFile, 'utf8');
      assert.match(log, /cannot go on consuming: exiting to be restarted/);
      await waitFor('the replacement still healthy', () => httpOk(`http://127.0.0.1:${port}/health`), 10_000);
    } finally {
      sent = await watch.stop();
    }
    const { accepted, refused } = sent;
    assert.equal(refused, 0);
    await waitForRows(client, table, accepted.length, 60_000);
    // A batch the zombie had under way when it woke may land as a second copy of rows the replacement stored: the same
    // key and bytes (docs/ARCHITECTURE.md, "Exactly once"), which a merge folds. Anything else (another order, a lost
    // or reordered send) survives the merge and fails the reconciliation.
    await client.command({ query: `OPTIMIZE TABLE ${quoteIdentifier(table)} FINAL` });
    assert.deepEqual((await reconcile(client, table, accepted)).problems, []);
  });
});
