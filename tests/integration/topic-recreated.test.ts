import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { baseClientConfig, ensureTopic } from '@badam/pipeline';
import {
  createTestClickHouse,
  createTestTable,
  createTestTopic,
  startTestFleet,
  testInfra,
} from '@badam/test-kit/fixtures';
import { send } from '@badam/test-kit/http-client';
import { waitForRows } from '@badam/test-kit/table-watch';

const GROUP = 42;

/** Sends until accepted (the producer may refuse or restart while the topic is gone); the key makes a resend safe. */
async function sendUntilAccepted(producerUrl: string, text: string) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const response = await send(
      producerUrl,
      { group_id: GROUP, sender_id: 1, text },
      { idempotencyKey: text.replace(' ', '-') },
    ).catch(() => undefined);
    if (response?.status === 202) return;
    await sleep(500);
  }
  throw new Error(`"${text}" was never accepted`);
}

describe("the topic deleted and created again (or the broker's data wiped) while ClickHouse keeps its rows", () => {
  it("stores the new topic's records although their offsets restart at 0", async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const topic = await createTestTopic(1);
    const fleet = await startTestFleet(t, { topic, table, consumers: 1, readApps: [] });
    for (let i = 1; i <= 5; i++) await sendUntilAccepted(fleet.url('producer'), `before ${i}`);
    await waitForRows(client, table, 5, 30_000);

    const admin = new KafkaJS.Kafka({}).admin(baseClientConfig(testInfra().kafka));
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: [topic] });
      for (let i = 0; i < 100 && (await admin.listTopics()).includes(topic); i++) await sleep(200);
    } finally {
      await admin.disconnect();
    }
    await ensureTopic(testInfra().kafka, topic, 1);

    for (let i = 1; i <= 3; i++) await sendUntilAccepted(fleet.url('producer'), `after ${i}`);
    await waitForRows(client, table, 8, 90_000);
    const rows = await (
      await client.query({
        query: `SELECT \`order\`, text, kafka_topic_id, kafka_offset FROM ${table} FINAL WHERE group_id = ${GROUP} ORDER BY \`order\``,
        format: 'JSONEachRow',
      })
    ).json<{ order: string; text: string; kafka_topic_id: string; kafka_offset: string }>();
    assert.deepEqual(
      rows.map((row) => [Number(row.order), row.text]),
      [
        [1, 'before 1'],
        [2, 'before 2'],
        [3, 'before 3'],
        [4, 'before 4'],
        [5, 'before 5'],
        [6, 'after 1'],
        [7, 'after 2'],
        [8, 'after 3'],
      ],
    );
    assert.equal(new Set(rows.map((row) => row.kafka_topic_id)).size, 2, 'rows of the old and the new topic');
    assert.equal(
      rows[5]?.kafka_offset,
      '0',
      'the new topic\'s offsets start again (and did not read as "already stored")',
    );
  });
});
