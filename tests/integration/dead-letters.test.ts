import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import {
  baseClientConfig,
  DEAD_LETTER_HEADERS,
  deadLetterTopic,
  encodeMessage,
  messageKey,
  uncommittedRecords,
} from '@badam/pipeline';
import { connectTopicIdentity } from '@badam/pipeline/topic-admin';
import { repoRoot } from '@badam/stack/paths';
import { waitFor } from '@badam/stack/process/wait';
import {
  createTestClickHouse,
  createTestTable,
  createTestTopic,
  startTestFleet,
  testInfra,
  uniqueName,
} from '@badam/test-kit/fixtures';
import { metricSum, scrapeMetrics } from '@badam/test-kit/service-metrics';
import { waitForRows } from '@badam/test-kit/table-watch';

const DEAD_LETTERS_TOOL = join(repoRoot, 'services/init/dist/src/dead-letters.js');

/** Writes records straight to the topic, as another producer (an older or newer one, or a foreign one) would. */
async function produceRaw(topic: string, records: { key: string; value: Buffer; headers?: Record<string, string> }[]) {
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
interface ToolLine {
  reason?: string;
  source?: string;
  copies?: number;
  msg: string;
}

async function deadLettersTool({ topic, table }: { topic: string; table: string }, ...args: string[]) {
  const { kafka, clickhouse } = testInfra();
  const { stdout } = await promisify(execFile)(process.execPath, [DEAD_LETTERS_TOOL, ...args], {
    env: {
      ...process.env,
      KAFKA_BROKERS: kafka.brokers.join(','),
      KAFKA_TOPIC: topic,
      CLICKHOUSE_URL: clickhouse.url,
      CLICKHOUSE_USER: clickhouse.username,
      CLICKHOUSE_PASSWORD: clickhouse.password,
      CLICKHOUSE_DATABASE: clickhouse.database,
      CLICKHOUSE_TABLE: table,
      LOG_LEVEL: 'info',
    },
  });
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ToolLine);
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

    const listed = (await deadLettersTool({ topic, table })).filter((line) => line.msg === 'dead letter');
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
    const replayed = (await deadLettersTool({ topic, table }, '--replay')).filter((line) => line.msg === 'replaying');
    assert.equal(replayed.length, 3);
    await waitFor('the replayed records set aside again', async () => (await deadLetterCount(topic)) === 6, 30_000);
    assert.equal(
      (await deadLettersTool({ topic, table }, '--replay')).filter((line) => line.msg === 'replaying').length,
      3,
    );
  });

  it('set aside again on each redelivery, are listed once with their copies and replayed once', async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const topic = await createTestTopic(1);
    const consumerGroup = uniqueName('consumers');
    // A consumer whose read model does not answer: it stores the batch and sets the poison aside, but can refresh no
    // page, so it holds the offsets back; then it dies.
    const blind = await startTestFleet(t, {
      topic,
      table,
      consumers: 1,
      producers: 0,
      readApps: [],
      env: { CONSUMER_GROUP_ID: consumerGroup, READ_MODEL_URL: 'redis://127.0.0.1:9', READ_MODEL_TIMEOUT_MS: '50' },
    });
    await produceRaw(topic, [
      { key: messageKey(7), value: valid(7, 'first') },
      { key: messageKey(7), value: Buffer.from('not json {') },
    ]);
    await waitForRows(client, table, 1, 30_000);
    await waitFor('the poison set aside', async () => (await deadLetterCount(topic)) === 1, 30_000);
    blind.processes.get('consumer')?.[0]?.signal('SIGKILL');
    await blind.stop();

    // The next owner gets both records again: the first is skipped as stored, the poison is set aside a second time.
    await startTestFleet(t, {
      topic,
      table,
      consumers: 1,
      producers: 0,
      readApps: [],
      env: { CONSUMER_GROUP_ID: consumerGroup },
    });
    await waitFor(
      'every offset committed',
      async () =>
        [...(await uncommittedRecords(testInfra().kafka, consumerGroup, topic)).values()].every((n) => n === 0),
      60_000,
    );
    assert.equal(await deadLetterCount(topic), 2, 'two copies of one record on the dead-letter topic');

    const listed = (await deadLettersTool({ topic, table })).filter((line) => line.msg === 'dead letter');
    assert.deepEqual(
      listed.map(({ reason, copies }) => ({ reason, copies })),
      [{ reason: 'unreadable', copies: 2 }],
    );
    const replayed = (await deadLettersTool({ topic, table }, '--replay')).filter((line) => line.msg === 'replaying');
    assert.deepEqual(
      replayed.map((line) => line.source),
      listed.map((line) => line.source),
      'one message for one bad record',
    );
    // Replayed, it is a new record (still unreadable): set aside once more, under its new source, and replayed once.
    await waitFor('the replayed record set aside again', async () => (await deadLetterCount(topic)) === 3, 30_000);
    const again = (await deadLettersTool({ topic, table }, '--replay')).filter((line) => line.msg === 'replaying');
    assert.equal(again.length, 1);
    assert.notEqual(again[0]?.source, listed[0]?.source);
  });

  it('are not replayed again once replayed, whatever copies come after', async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const topic = await createTestTopic(1);
    await startTestFleet(t, { topic, table, consumers: 1, producers: 0, readApps: [] });
    // A record a consumer set aside that the database takes now (the cause fixed), and a late copy of it: set aside
    // by a consumer that got it again before its offset was committed, after the first replay.
    // A new object per send: the client rewrites a message's headers in place.
    const setAside = () => ({
      key: messageKey(8),
      value: valid(8, 'set aside, storable now'),
      headers: {
        [DEAD_LETTER_HEADERS.reason]: 'unstorable',
        [DEAD_LETTER_HEADERS.error]: 'refused for a cause since fixed',
        [DEAD_LETTER_HEADERS.source]: `${topic}/AAAAAAAAAAAAAAAAAAAAAQ/0/41`,
      },
    });
    await produceRaw(deadLetterTopic(topic), [setAside()]);
    assert.equal(
      (await deadLettersTool({ topic, table }, '--replay')).filter((line) => line.msg === 'replaying').length,
      1,
    );
    await waitForRows(client, table, 1, 30_000);

    await produceRaw(deadLetterTopic(topic), [setAside()]);
    assert.deepEqual(
      (await deadLettersTool({ topic, table })).filter((line) => line.msg === 'dead letter'),
      [],
      'nothing left to replay',
    );
    assert.equal(
      (await deadLettersTool({ topic, table }, '--replay')).filter((line) => line.msg === 'replaying').length,
      0,
    );
    // Had it been sent again, the consumer would store it as a new message.
    await produceRaw(topic, [{ key: messageKey(8), value: valid(8, 'a marker sent after the replays') }]);
    await waitForRows(client, table, 2, 30_000);
    const texts = await (
      await client.query({ query: `SELECT text FROM ${table} ORDER BY \`order\``, format: 'JSONEachRow' })
    ).json<{ text: string }>();
    assert.deepEqual(
      texts.map((row) => row.text),
      ['set aside, storable now', 'a marker sent after the replays'],
    );
  });

  it('are not replayed when a redelivery stored them after all', async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const topic = await createTestTopic(1);
    await startTestFleet(t, { topic, table, consumers: 1, producers: 0, readApps: [] });
    const identity = await connectTopicIdentity(testInfra().kafka, topic);
    const topicId = await identity.current();
    await identity.close();
    // The record at offset 0, stored; and a dead letter of it, as a consumer whose format or database was behind
    // set it aside before a redelivery (its offset still uncommitted) found the cause fixed and stored it.
    const record = { key: messageKey(5), value: valid(5, 'stored on redelivery') };
    await produceRaw(topic, [record]);
    await waitForRows(client, table, 1, 30_000);
    await produceRaw(deadLetterTopic(topic), [
      {
        ...record,
        headers: {
          [DEAD_LETTER_HEADERS.reason]: 'unsupported_version',
          [DEAD_LETTER_HEADERS.error]: 'set aside by a consumer since upgraded',
          [DEAD_LETTER_HEADERS.source]: `${topic}/${topicId}/0/0`,
        },
      },
    ]);
    const listed = await deadLettersTool({ topic, table });
    assert.deepEqual(
      listed.filter((line) => line.msg === 'dead letter'),
      [],
    );
    assert.equal(listed.filter((line) => line.msg === 'stored after all: not replayed').length, 1);
    assert.equal(
      (await deadLettersTool({ topic, table }, '--replay')).filter((line) => line.msg === 'replaying').length,
      0,
    );
    await produceRaw(topic, [{ key: messageKey(5), value: valid(5, 'a marker sent after the replay') }]);
    await waitForRows(client, table, 2, 30_000);
    const texts = await (
      await client.query({ query: `SELECT text FROM ${table} ORDER BY \`order\``, format: 'JSONEachRow' })
    ).json<{ text: string }>();
    assert.deepEqual(
      texts.map((row) => row.text),
      ['stored on redelivery', 'a marker sent after the replay'],
    );
  });
});
