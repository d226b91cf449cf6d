import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTestClickHouse, createTestTable, createTestTopic, startTestFleet } from '@badam/test-kit/fixtures';
import { readGroup, send } from '@badam/test-kit/http-client';
import { metricSum, scrapeMetrics } from '@badam/test-kit/service-metrics';

describe('a message through the whole pipeline', () => {
  it('is readable within a second with order = previous max + 1 and a millisecond time', async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const topic = await createTestTopic();
    const fleet = await startTestFleet(t, { topic, table, consumers: 2 });
    const groupId = 1 + Math.floor(Math.random() * 1e9);

    for (const [index, text] of ['first', 'second', 'third'].entries()) {
      const before = Date.now();
      const receipt = await send(fleet.url('producer'), { group_id: groupId, sender_id: 7, text });
      assert.equal(receipt.status, 202);
      assert.match(String(receipt.body.id), /^\d+-\d+$/);
      // The first message may wait for the fresh consumer group's partition assignment; later ones get a second.
      const page = await waitForOrder(fleet.url('fastify'), groupId, index + 1, index === 0 ? 10_000 : 1000);
      const newest = page.messages[0];
      assert.equal(newest?.text, text);
      assert.equal(newest?.sender_id, 7);
      assert.match(newest?.time ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(Date.parse(newest?.time ?? '') >= before - 5);
    }
    const page = await readGroup(fleet.url('fastify'), groupId);
    assert.deepEqual(
      page.messages.map((m) => [m.order, m.text]),
      [
        [3, 'third'],
        [2, 'second'],
        [1, 'first'],
      ],
    );

    // The consumers' and the producer's own metrics saw the same three messages.
    const consumerMetrics = (await Promise.all([0, 1].map((i) => scrapeMetrics(fleet.url('consumer', i))))).join('\n');
    assert.equal(metricSum(consumerMetrics, 'badam_consumer_messages_total', { result: 'stored' }), 3);
    assert.equal(metricSum(consumerMetrics, 'badam_end_to_end_delay_seconds_count'), 3);
    assert.ok(
      metricSum(consumerMetrics, 'badam_clickhouse_query_duration_seconds_count', { operation: 'insert' }) >= 3,
    );
    const producerMetrics = await scrapeMetrics(fleet.url('producer'));
    assert.equal(metricSum(producerMetrics, 'badam_produce_duration_seconds_count', { result: 'ok' }), 3);
  });

  it('stores a send resent with the same Idempotency-Key once, and keyless or other-key sends each time', async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const topic = await createTestTopic();
    const fleet = await startTestFleet(t, { topic, table, replicas: 2 });
    const groupId = 1 + Math.floor(Math.random() * 1e9);
    const message = { group_id: groupId, sender_id: 7, text: 'maybe lost' };
    // The client resends after an unknown outcome, to any replica; then the same text as a new message, twice.
    for (const [replica, options] of [
      [0, { idempotencyKey: 'k-1' }],
      [1, { idempotencyKey: 'k-1' }],
      [0, { idempotencyKey: 'k-1' }],
      [1, { idempotencyKey: 'k-2' }],
      [0, {}],
      [1, {}],
    ] as const) {
      assert.equal((await send(fleet.url('producer', replica), message, options)).status, 202);
    }
    const last = await send(fleet.url('producer'), { ...message, text: 'after' }, { idempotencyKey: 'k-3' });
    assert.equal(last.status, 202);
    const page = await waitForOrder(fleet.url('fastify'), groupId, 5, 10_000);
    assert.deepEqual(page.messages.map((m) => [m.order, m.text]).reverse(), [
      [1, 'maybe lost'],
      [2, 'maybe lost'],
      [3, 'maybe lost'],
      [4, 'maybe lost'],
      [5, 'after'],
    ]);
    // A resend that arrives after its original was stored, in a later batch, is skipped as well.
    assert.equal((await send(fleet.url('producer'), message, { idempotencyKey: 'k-1' })).status, 202);
    const marker = await send(fleet.url('producer'), { ...message, text: 'marker' });
    assert.equal(marker.status, 202);
    const final = await waitForOrder(fleet.url('fastify'), groupId, 6, 10_000);
    assert.deepEqual(
      final.messages.slice(0, 2).map((m) => [m.order, m.text]),
      [
        [6, 'marker'],
        [5, 'after'],
      ],
    );
  });

  it('refuses bad input with a 4xx naming the field, and stores nothing', async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const topic = await createTestTopic();
    const fleet = await startTestFleet(t, { topic, table });
    const bad = await send(fleet.url('producer'), { group_id: -4, sender_id: 7, text: 'x' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'group_id');
    const good = await send(fleet.url('producer'), { group_id: 5, sender_id: 7, text: 'after the bad one' });
    assert.equal(good.status, 202);
    await waitForOrder(fleet.url('fastify'), 5, 1, 5000);
    const result = await client.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' });
    assert.deepEqual(await result.json(), [{ n: '1' }]);
  });
});

async function waitForOrder(appUrl: string, groupId: number, order: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const page = await readGroup(appUrl, groupId);
    if (page.messages[0]?.order === order) return page;
    if (Date.now() > deadline) assert.fail(`order ${order} of group ${groupId} not readable after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
