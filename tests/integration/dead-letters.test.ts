import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { baseClientConfig, deadLetterTopic, encodeMessage, messageKey, uncommittedRecords } from '@badam/pipeline';
import { repoRoot } from '@badam/stack/paths';
import { waitFor } from '@badam/stack/process/wait';
import {
  createTestClickHouse,
  createTestTable,
  createTestTopic,
  startTestFleet,
  testInfra,
} from '@badam/test-kit/fixtures';
import { metricSum, scrapeMetrics } from '@badam/test-kit/service-metrics';
import { waitForRows } from '@badam/test-kit/table-watch';

const DEAD_LETTERS_TOOL = join(repoRoot, 'services/init/dist/src/dead-letters.js');

/** Writes records straight to the topic, as another producer (an older or newer one, or a foreign one) would. */
async function produceRaw(topic: string, records: { key: string; value: Buffer }[]) {
  const producer = new KafkaJS.Kafka({}).producer({
    ...baseClientConfig(testInfra().kafka),
    'enable.idempotence': true,
  });
  await producer.connect();
  try {
    await producer.send({ topic, messages: records });
  } finally {
    await producer.disconnect();
  }
}

async function deadLetterCount(topic: string): Promise<number> {
  const admin = new KafkaJS.Kafka({}).admin(baseClientConfig(testInfra().kafka));
  await admin.connect();
  try {
    const [partition] = await admin.fetchTopicOffsets(deadLetterTopic(topic));
    return Number(partition?.high ?? 0);
  } finally {
    await admin.disconnect();
  }
}

/** Runs the dead-letters tool and returns what it logged about each record. */
async function deadLettersTool(
  topic: string,
  ...args: string[]
): Promise<{ reason?: string; source?: string; msg: string }[]> {
  const { stdout } = await promisify(execFile)(process.execPath, [DEAD_LETTERS_TOOL, ...args], {
    env: { ...process.env, KAFKA_BROKERS: testInfra().kafka.brokers.join(','), KAFKA_TOPIC: topic, LOG_LEVEL: 'info' },
  });
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { reason?: string; source?: string; msg: string });
}

const valid = (groupId: number, text: string) => encodeMessage({ group_id: groupId, sender_id: 4, text }, Date.now());

describe('records that cannot be stored', () => {
  it('go to the dead-letter topic, never to nowhere; a record with unknown fields is stored; the partition moves on', async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const topic = await createTestTopic(1);
    const fleet = await startTestFleet(t, { topic, table, consumers: 1, readApps: [] });

    const newerFormat = { v: 99, group_id: 7, sender_id: 4, text: 'from the future', accepted_at_ms: Date.now() };
    const extraField = {
      v: 1,
      group_id: 7,
      sender_id: 4,
      text: 'with a reply_to',
      accepted_at_ms: Date.now(),
      reply_to: 3,
    };
    await produceRaw(topic, [
      { key: messageKey(7), value: valid(7, 'first') },
      { key: messageKey(7), value: Buffer.from('not json {') },
      { key: messageKey(7), value: Buffer.from(JSON.stringify(newerFormat)) },
      { key: messageKey(7), value: Buffer.from(JSON.stringify(extraField)) },
      { key: messageKey(7), value: Buffer.from(JSON.stringify({ ...extraField, text: '' })) },
      { key: messageKey(7), value: valid(7, 'last') },
    ]);

    await waitForRows(client, table, 3, 30_000);
    const texts = await (
      await client.query({ query: `SELECT text FROM ${table} ORDER BY \`order\``, format: 'JSONEachRow' })
    ).json<{ text: string }>();
    assert.deepEqual(
      texts.map((row) => row.text),
      ['first', 'with a reply_to', 'last'],
    );
    await waitFor('the three dead letters', async () => (await deadLetterCount(topic)) === 3, 30_000);
    const groupId = fleet.processes.get('consumer')?.[0]?.spec.env?.CONSUMER_GROUP_ID ?? '';
    await waitFor(
      'every offset committed',
      async () => [...(await uncommittedRecords(testInfra().kafka, groupId, topic)).values()].every((n) => n === 0),
      30_000,
    );
    const metrics = await scrapeMetrics(fleet.url('consumer'));
    for (const reason of ['unreadable', 'unsupported_version', 'invalid']) {
      assert.equal(metricSum(metrics, 'badam_consumer_dead_letters_total', { reason }), 1, reason);
    }

    const listed = (await deadLettersTool(topic)).filter((line) => line.msg === 'dead letter');
    assert.deepEqual(
      listed.map((line) => line.reason),
      ['unreadable', 'unsupported_version', 'invalid'],
    );
    assert.ok(
      listed.every((line) => line.source?.startsWith(`${topic}/`)),
      'each names the record it was',
    );

    // Replayed, they are the same bytes on the topic again: still undecodable by this consumer, so set aside again;
    // a second replay finds only those.
    const replayed = (await deadLettersTool(topic, '--replay')).filter((line) => line.msg === 'replaying');
    assert.equal(replayed.length, 3);
    await waitFor('the replayed records set aside again', async () => (await deadLetterCount(topic)) === 6, 30_000);
    assert.equal((await deadLettersTool(topic, '--replay')).filter((line) => line.msg === 'replaying').length, 3);
  });
});
