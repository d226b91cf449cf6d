import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reconcile } from '@badam/pipeline';
import { createTestClickHouse, createTestTable, createTestTopic, startTestFleet } from '@badam/test-kit/fixtures';
import { killConsumerInsideWindow, redeliveredSince, redeliveryBaseline } from '@badam/test-kit/consumer-kill';
import { sendTraffic } from '@badam/test-kit/traffic';
import { countRows, waitForRows } from '@badam/test-kit/table-watch';

describe('consumers killed with SIGKILL mid-stream', () => {
  it('lose nothing, duplicate nothing, and keep every group 1..n', async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const topic = await createTestTopic();
    const fleet = await startTestFleet(t, {
      topic,
      table,
      consumers: 3,
      replicas: 2,
      // Small batches so a kill lands in the middle of many; a short session so partitions move on quickly.
      env: { CONSUMER_MAX_BATCH: '50', CONSUMER_SESSION_TIMEOUT_MS: '6000' },
    });
    const consumers = fleet.processes.get('consumer') ?? [];

    // Records flow until both kills are done (a window needs records in flight: a fixed count could all be stored
    // and committed before the second consumer is caught), then the senders stop.
    const killsDone = new AbortController();
    const traffic = sendTraffic({
      producerUrls: (fleet.ports.get('producer') ?? []).map((_, i) => fleet.url('producer', i)),
      messages: 300_000,
      groups: 80,
      concurrency: 16,
      signal: killsDone.signal,
    });
    // Kill while records flow, each between an insert and its commit: the first consumer once some rows are stored,
    // another a little later.
    await waitForRows(client, table, 300, 30_000);
    const baseline = await redeliveryBaseline(fleet);
    const kills = [await killConsumerInsideWindow(consumers[0]!, client)];
    await waitForRows(client, table, 1500, 30_000);
    kills.push(await killConsumerInsideWindow(consumers[1]!, client));
    killsDone.abort();
    const { accepted, refused } = await traffic;
    assert.equal(refused, 0, 'the producers refused sends');
    assert.ok(accepted.length < 300_000, 'the senders stopped after the kills');

    await waitForRows(client, table, accepted.length, 90_000);
    const result = await reconcile(client, table, accepted);
    assert.deepEqual(result.problems, []);
    assert.equal(await countRows(client, table), accepted.length);
    assert.ok((consumers[0]?.restarts ?? 0) >= 1, 'the killed consumer was restarted');
    // The redelivery path ran: records the killed consumers stored were read again and skipped, not stored twice.
    const redelivered = await redeliveredSince(fleet, baseline);
    t.diagnostic(`kills: ${JSON.stringify(kills)}; skipped as already stored: ${redelivered}`);
    assert.ok(redelivered > 0, 'records were skipped as already stored');
  });

  it('store messages sent concurrently to many groups with contiguous orders', async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const topic = await createTestTopic();
    const fleet = await startTestFleet(t, { topic, table, consumers: 2 });
    const { accepted, refused } = await sendTraffic({
      producerUrls: [fleet.url('producer')],
      messages: 3000,
      groups: 500,
      concurrency: 32,
    });
    assert.equal(refused, 0);
    await waitForRows(client, table, accepted.length, 60_000);
    assert.deepEqual((await reconcile(client, table, accepted)).problems, []);
  });
});
