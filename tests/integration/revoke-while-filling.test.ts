import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { reconcile, uncommittedRecords } from '@badam/pipeline';
import { waitFor } from '@badam/stack/process/wait';
import {
  createTestClickHouse,
  createTestTable,
  createTestTopic,
  startTestFleet,
  testInfra,
} from '@badam/test-kit/fixtures';
import { httpJson } from '@badam/test-kit/http-client';
import { metricSum, scrapeMetrics } from '@badam/test-kit/service-metrics';
import { sendTraffic } from '@badam/test-kit/traffic';
import { waitForRows } from '@badam/test-kit/table-watch';

describe('partitions revoked and handed back while a batch fills', () => {
  it('store every record once, in order, and leave no partition stuck', async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const topic = await createTestTopic();
    // A long linger keeps consumer 1 filling a batch nearly all the time; consumer 2 joins (taking some of its
    // partitions: a revoke mid-fill) and leaves again (handing them back: redelivered from the committed offset).
    const fleet = await startTestFleet(t, {
      topic,
      table,
      consumers: 2,
      readApps: [],
      // Dynamic members: a static one (the fleet's default) that stops sends no LeaveGroup and gets its partitions back
      // when it starts again, so nothing would be handed back mid-fill.
      env: {
        CONSUMER_INSTANCE_ID: '',
        CONSUMER_LINGER_MS: '5000',
        CONSUMER_MAX_BATCH: '10000',
        CONSUMER_SESSION_TIMEOUT_MS: '6000',
      },
    });
    const [filling, joiner] = fleet.processes.get('consumer') ?? [];
    assert.ok(filling !== undefined && joiner !== undefined);
    await joiner.stop();
    // The joiner batches without lingering, so it leaves within a second of being told to, and cannot store (its table
    // does not exist), so it commits nothing: the partitions come back to consumer 1 at the offsets it fetched from.
    Object.assign(joiner.spec.env ?? {}, { CONSUMER_LINGER_MS: '0', CLICKHOUSE_TABLE: `${table}_absent` });

    const enough = new AbortController();
    const traffic = sendTraffic({
      producerUrls: [fleet.url('producer')],
      messages: 200_000,
      groups: 60,
      concurrency: 4,
      signal: enough.signal,
    });
    const joinerFailing = async () =>
      (await httpJson('GET', `${fleet.url('consumer', 1)}/health`).catch(() => undefined))?.body.status === 'retrying';
    const dropped = async (result: string) =>
      metricSum(await scrapeMetrics(fleet.url('consumer', 0)), 'badam_consumer_batch_dropped_total', { result });
    for (let round = 0; round < 12 && (await dropped('redelivered_in_batch')) === 0; round++) {
      joiner.start();
      // It leaves as soon as it has taken partitions and fetched from them (it then fails to store: "retrying").
      await waitFor('the joiner to take partitions', joinerFailing, 30_000, 100);
      await joiner.stop();
      await sleep(1000 + Math.random() * 3000);
    }
    enough.abort();
    const { accepted, refused } = await traffic;
    assert.equal(refused, 0);
    t.diagnostic(
      `dropped from batches: ${await dropped('redelivered_in_batch')} redelivered, ${await dropped('partition_moved')} moved`,
    );
    assert.ok((await dropped('redelivered_in_batch')) > 0, 'a partition was handed back while a batch was filling');

    await waitForRows(client, table, accepted.length, 90_000);
    assert.deepEqual((await reconcile(client, table, accepted)).problems, []);
    const groupId = filling.spec.env?.CONSUMER_GROUP_ID ?? '';
    await waitFor(
      'every offset committed',
      async () => [...(await uncommittedRecords(testInfra().kafka, groupId, topic)).values()].every((n) => n === 0),
      30_000,
    );
  });
});
