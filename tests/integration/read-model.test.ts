import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  createMessagesRepository,
  entryBody,
  entryVersion,
  rebuildReadModel,
  reconcile,
  refreshGroups,
  toPageEntry,
  type MessagePage,
  type MessageRow,
  type PageStore,
} from '@badam/pipeline';
import type { ClickHouseClient } from '@clickhouse/client';
import { Redis } from 'ioredis';
import { READ_APPS, type Fleet } from '@badam/stack/fleet';
import { READ_MODEL_PASSWORD_SECRET } from '@badam/stack/infra/stack-secrets';
import {
  createTestClickHouse,
  createTestPageStore,
  createTestTable,
  createTestTopic,
  startTestFleet,
  suiteCleanup,
  testInfra,
  uniqueName,
} from '@badam/test-kit/fixtures';
import { readGroup } from '@badam/test-kit/http-client';
import { metricSum, scrapeMetrics } from '@badam/test-kit/service-metrics';
import { sendTraffic } from '@badam/test-kit/traffic';
import { waitForRows } from '@badam/test-kit/table-watch';
import { waitFor } from '@badam/stack/process/wait';

const page = (groupId: number, newest: number, text = 'from the read model'): MessagePage => ({
  group_id: groupId,
  messages: Array.from({ length: Math.min(newest, 10) }, (_, i) => ({
    group_id: groupId,
    order: newest - i,
    sender_id: 1,
    text,
    time: '2026-01-01T00:00:00.000Z',
  })),
  has_more: newest > 10,
  next_before: newest > 10 ? newest - 9 : null,
});
const put = (store: PageStore, p: MessagePage) => store.putIfNewer([toPageEntry(p)]);

async function seedGroup(client: ClickHouseClient, table: string, groupId: number, count: number) {
  const rows: MessageRow[] = Array.from({ length: count }, (_, i) => ({
    group_id: groupId,
    order: i + 1,
    sender_id: 3,
    text: `stored ${i + 1}`,
    created_at_ms: 1_750_000_000_000 + i,
    kafka_partition: 0,
    kafka_offset: groupId * 1000 + i,
  }));
  await createMessagesRepository(client, table).insert(rows);
}

describe('the read model store (redis-server)', () => {
  it('never replaces a page with an older or equal version', async (t) => {
    const store = await createTestPageStore(t, uniqueName('pages'));
    assert.equal(await put(store, page(1, 5)), 1);
    assert.equal(await put(store, page(1, 3)), 0);
    assert.equal(await put(store, page(1, 5, 'same version, other bytes')), 0);
    assert.equal(entryBody((await store.get(1))!).toString(), JSON.stringify(page(1, 5)));
    assert.equal(await put(store, page(1, 7)), 1);
    assert.equal(entryVersion((await store.get(1))!), 7);
  });

  it('keeps the newest of many writers racing on one group, whatever order they land in', async (t) => {
    const table = uniqueName('pages');
    // Separate connections, as separate consumers and read apps have.
    const writers = await Promise.all(Array.from({ length: 8 }, () => createTestPageStore(t, table)));
    const versions = Array.from({ length: 64 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
    await Promise.all(versions.map((version, i) => put(writers[i % writers.length]!, page(9, version))));
    assert.equal(entryVersion((await writers[0]!.get(9))!), 64);
  });

  it('keeps working after the store forgets its scripts (SCRIPT FLUSH, as after a restart)', async (t) => {
    const store = await createTestPageStore(t, uniqueName('pages'));
    assert.equal(await put(store, page(2, 1)), 1);
    const { readModelUrl, secrets } = testInfra();
    // Every server of the store: the one, or each node of a cluster (each loads the script for itself).
    const admins = readModelUrl
      .split(',')
      .map((url) => new Redis(url, { password: secrets.value(READ_MODEL_PASSWORD_SECRET) }));
    t.after(() => {
      for (const admin of admins) admin.disconnect();
    });
    await Promise.all(admins.map((admin) => admin.script('FLUSH')));
    assert.equal(await put(store, page(2, 2)), 1);
    assert.equal(await put(store, page(2, 1)), 0);
  });
});

describe('the read apps with the read model', () => {
  const t = suiteCleanup();
  let fleet: Fleet;
  let store: PageStore;
  let client: ClickHouseClient;
  let table: string;
  before(async () => {
    client = createTestClickHouse(t);
    table = await createTestTable(t, client);
    store = await createTestPageStore(t, table);
    for (const groupId of [101, 102, 103, 104]) await seedGroup(client, table, groupId, 25);
    fleet = await startTestFleet(t, { topic: uniqueName('unused'), table, producers: 0, consumers: 0 });
  });

  it('answer a latest page the store holds with its bytes, from all three apps: no database read', async () => {
    // A page ClickHouse does not have (other texts, version 25): only the read model can have answered it.
    const planted = page(101, 25, 'planted in the read model');
    await put(store, planted);
    for (const app of READ_APPS) {
      const response = await fetch(`${fleet.url(app)}/groups/101/messages`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(await response.text(), JSON.stringify(planted), app);
    }
  });

  it('cut a shorter latest page from the stored one, and read history and longer pages from ClickHouse', async () => {
    for (const app of READ_APPS) {
      const short = await readGroup(fleet.url(app), 101, '?limit=4');
      assert.deepEqual(
        short.messages.map((m) => [m.order, m.text]),
        [25, 24, 23, 22].map((o) => [o, 'planted in the read model']),
      );
      assert.deepEqual([short.has_more, short.next_before], [true, 22]);
      const history = await readGroup(fleet.url(app), 101, `?before=${short.next_before}&limit=3`);
      assert.deepEqual(
        history.messages.map((m) => [m.order, m.text]),
        [21, 20, 19].map((o) => [o, `stored ${o}`]),
      );
      const long = await readGroup(fleet.url(app), 101, '?limit=11');
      assert.equal(long.messages[0]?.text, 'stored 25', 'more than the model holds: from ClickHouse');
    }
  });

  it('fill a miss from ClickHouse, so the next read of any app is a hit', async () => {
    assert.equal(await store.get(102), null);
    const first = await readGroup(fleet.url('fastify'), 102);
    assert.deepEqual(
      first.messages.map((m) => m.order),
      [25, 24, 23, 22, 21, 20, 19, 18, 17, 16],
    );
    await waitFor('the filled page', async () => (await store.get(102)) !== null, 5000, 50);
    const entry = (await store.get(102))!;
    assert.equal(entryVersion(entry), 25);
    assert.deepEqual(JSON.parse(entryBody(entry).toString()), first);
    const hits = async () =>
      metricSum(await scrapeMetrics(fleet.url('hapi')), 'badam_read_model_reads_total', { result: 'hit' });
    const before = await hits();
    assert.deepEqual(await readGroup(fleet.url('hapi'), 102), first);
    assert.equal(await hits(), before + 1);
  });

  it('page from the latest page across the boundary into history with no gap or repeat', async () => {
    for (const app of READ_APPS) {
      const seen: number[] = [];
      let query = '';
      for (let pages = 0; pages < 5; pages++) {
        const next = await readGroup(fleet.url(app), 103, query);
        seen.push(...next.messages.map((m) => m.order));
        if (!next.has_more) break;
        query = `?before=${next.next_before}`;
      }
      assert.deepEqual(
        seen,
        Array.from({ length: 25 }, (_, i) => 25 - i),
        app,
      );
    }
  });

  it("never let a reader's fill replace a newer page", async () => {
    await put(store, page(104, 30, 'newer than ClickHouse'));
    // A hit now; but a reader that missed before the consumer wrote version 30 fills version 25 afterwards:
    const older = await createMessagesRepository(client, table).readPage({
      groupId: 104,
      limit: 10,
      before: undefined,
    });
    assert.equal(await put(store, older), 0);
    assert.equal(entryVersion((await store.get(104))!), 30);
    assert.equal((await readGroup(fleet.url('restify'), 104)).messages[0]?.text, 'newer than ClickHouse');
  });
});

describe('rebuilding the read model from ClickHouse', () => {
  it("writes every group's latest page, walking past its chunk size, and never replaces a newer page", async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const store = await createTestPageStore(t, table);
    // 6,500 groups (more than one 5,000-group chunk), 1 to 3 messages each, ids spread out.
    const groups = Array.from({ length: 6500 }, (_, i) => 10 + i * 7);
    const rows: MessageRow[] = groups.flatMap((groupId, i) =>
      Array.from({ length: 1 + (i % 3) }, (_, order) => ({
        group_id: groupId,
        order: order + 1,
        sender_id: 1,
        text: `g${groupId} m${order + 1}`,
        created_at_ms: 1_750_000_000_000,
        kafka_partition: 0,
        kafka_offset: i * 3 + order,
      })),
    );
    const repository = createMessagesRepository(client, table);
    await repository.insert(rows);
    await put(store, page(groups[0]!, 99, 'newer than ClickHouse'));

    const progress: number[] = [];
    const result = await rebuildReadModel(repository, store, (done) => progress.push(done));
    assert.deepEqual(result, { groups: 6500, written: 6499, behind: 0 });
    assert.deepEqual(progress, [5000, 6500]);
    assert.equal(entryVersion((await store.get(groups[0]!))!), 99, 'the newer page stayed');
    const expected = await repository.latestPages(groups.slice(1, 1001), 10);
    for (const [groupId, latest] of expected)
      assert.equal(entryBody((await store.get(groupId))!).toString(), JSON.stringify(latest));
    assert.equal(await store.get(groups.at(-1)! + 1), null, 'nothing for a group without messages');
  });
});

describe('consumers keep the read model current', () => {
  it("write every stored group's latest page, equal to ClickHouse's, before any read", async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const store = await createTestPageStore(t, table);
    const topic = await createTestTopic();
    const fleet = await startTestFleet(t, { topic, table, consumers: 2, readApps: [] });
    const { accepted, refused } = await sendTraffic({
      producerUrls: [fleet.url('producer')],
      messages: 600,
      groups: 40,
      concurrency: 16,
    });
    assert.equal(refused, 0);
    await waitForRows(client, table, accepted.length, 60_000);
    await assertPagesCurrent(client, table, store, 1, 40);
  });

  it('heal on redelivery after a consumer died between the insert and the refresh', async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const store = await createTestPageStore(t, table);
    const topic = await createTestTopic();
    const consumerGroup = uniqueName('consumers');
    // First a consumer whose store does not answer: it stores every batch but can refresh no page, so it holds its
    // offsets back; then it is killed.
    const blind = await startTestFleet(t, {
      topic,
      table,
      consumers: 1,
      readApps: [],
      env: { CONSUMER_GROUP_ID: consumerGroup, READ_MODEL_URL: 'redis://127.0.0.1:9', READ_MODEL_TIMEOUT_MS: '50' },
    });
    const { accepted } = await sendTraffic({
      producerUrls: [blind.url('producer')],
      messages: 300,
      groups: 30,
      concurrency: 8,
    });
    await waitForRows(client, table, accepted.length, 60_000);
    for (let groupId = 1; groupId <= 30; groupId++)
      assert.equal(await store.get(groupId), null, 'no page could be written');
    blind.processes.get('consumer')?.[0]?.signal('SIGKILL');
    await blind.stop();

    // The next owner of the partitions gets every record again, finds each already stored, and refreshes the pages.
    const healer = await startTestFleet(t, {
      topic,
      table,
      consumers: 1,
      producers: 0,
      readApps: [],
      env: { CONSUMER_GROUP_ID: consumerGroup },
    });
    await assertPagesCurrent(client, table, store, 1, 30);
    const metrics = await scrapeMetrics(healer.url('consumer'));
    assert.equal(
      metricSum(metrics, 'badam_consumer_messages_total', { result: 'already_stored' }),
      300,
      'all 300 redelivered and skipped',
    );
    assert.deepEqual((await reconcile(client, table, accepted)).problems, [], 'and stored once');
  });

  it('never write a page older than the order stored or with a hole (a replica lacking parts), and say so', async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const repository = createMessagesRepository(client, table);
    const store = await createTestPageStore(t, table);
    // Group 41 as a replica lacking the last insert reads it (orders 1..41 of 42 stored); group 43 lacking a middle
    // part (order 37 of 1..43).
    await seedGroup(client, table, 41, 41);
    const rows = Array.from({ length: 43 }, (_, i) => i + 1)
      .filter((order) => order !== 37)
      .map((order) => ({
        group_id: 43,
        order,
        sender_id: 3,
        text: `stored ${order}`,
        created_at_ms: 1,
        kafka_partition: 1,
        kafka_offset: order,
      }));
    await repository.insert(rows);
    const known = new Map([
      [41, 42],
      [43, 43],
    ]);
    assert.deepEqual(await refreshGroups(repository, store, [41, 43], undefined, known), {
      written: 0,
      behind: [41, 43],
    });
    assert.deepEqual([await store.get(41), await store.get(43)], [null, null]);
  });

  it('let the newer page win when two consumers refresh one group with different versions (a zombie and the owner)', async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const repository = createMessagesRepository(client, table);
    const owner = await createTestPageStore(t, table);
    const zombie = await createTestPageStore(t, table);
    await seedGroup(client, table, 7, 12);
    // The zombie read version 12, then stalled; meanwhile the owner stored more and refreshed version 15.
    const stale = (await repository.latestPages([7], 10)).get(7)!;
    await repository.insert(
      [13, 14, 15].map((order) => ({
        group_id: 7,
        order,
        sender_id: 3,
        text: `stored ${order}`,
        created_at_ms: 1,
        kafka_partition: 0,
        kafka_offset: 7000 + order,
      })),
    );
    assert.deepEqual(await refreshGroups(repository, owner, [7]), { written: 1, behind: [] });
    assert.equal(await put(zombie, stale), 0, "the zombie's late write is refused");
    assert.equal(entryVersion((await owner.get(7))!), 15);
  });
});

/** Every group's page in the store is ClickHouse's latest page, byte for byte (waits for the consumers). */
async function assertPagesCurrent(
  client: ClickHouseClient,
  table: string,
  store: PageStore,
  first: number,
  last: number,
) {
  const repository = createMessagesRepository(client, table);
  const groups = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  const expected = await repository.latestPages(groups, 10);
  await waitFor(
    'pages equal to ClickHouse',
    async () => {
      for (const groupId of groups) {
        const entry = await store.get(groupId);
        if (entry === null || entryBody(entry).toString() !== JSON.stringify(expected.get(groupId))) return false;
      }
      return true;
    },
    30_000,
    100,
  );
}
