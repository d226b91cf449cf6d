import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dropTable, migrate } from '@badam/pipeline';
import { waitFor } from '@badam/stack/process/wait';
import { createTestClickHouse, createTestTable, createTestTopic, startTestFleet } from '@badam/test-kit/fixtures';
import { httpJson, send } from '@badam/test-kit/http-client';
import { waitForRows } from '@badam/test-kit/table-watch';

describe('a consumer whose batch keeps failing', () => {
  it('retries a missing table in place, says it is stuck on /health, and stores the batch once the table is back', async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const topic = await createTestTopic(1);
    const fleet = await startTestFleet(t, {
      topic,
      table,
      consumers: 1,
      readApps: [],
      env: { CONSUMER_STUCK_AFTER_MS: '2000' },
    });
    const health = () => httpJson('GET', `${fleet.url('consumer')}/health`);

    assert.equal((await send(fleet.url('producer'), { group_id: 5, sender_id: 1, text: 'before' })).status, 202);
    await waitForRows(client, table, 1, 30_000);
    // The table gone (an operator's mistake, a migration not applied yet): nothing the batch can fix, nothing to set
    // aside either: the consumer waits, and says so.
    await dropTable(client, table);
    assert.equal((await send(fleet.url('producer'), { group_id: 5, sender_id: 1, text: 'while missing' })).status, 202);
    await waitFor('the consumer to report itself stuck', async () => (await health()).status === 503, 30_000);
    const stuck = await health();
    assert.equal(stuck.body.status, 'stuck');
    assert.match(String(stuck.body.error), /doesn't exist|UNKNOWN_TABLE|Code: 60/);

    await migrate(client, table);
    await waitFor('the consumer healthy again', async () => (await health()).status === 200, 30_000);
    await waitForRows(client, table, 1, 30_000);
    const texts = await (
      await client.query({ query: `SELECT text, \`order\` FROM ${table}`, format: 'JSONEachRow' })
    ).json<{ text: string; order: string }>();
    assert.deepEqual(texts, [{ text: 'while missing', order: '1' }], 'stored, not set aside');
  });
});
