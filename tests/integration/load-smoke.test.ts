import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { reconcile } from '@badam/pipeline';
import { READ_APPS } from '@badam/stack/fleet';
import { runLocust } from '@badam/load/locust';
import { seedMessages } from '@badam/load/seed';
import {
  createTestClickHouse,
  createTestTable,
  createTestTopic,
  startTestFleet,
  startTestGateway,
  testInfra,
  uniqueName,
} from '@badam/test-kit/fixtures';
import { countRows, rowsWithin } from '@badam/test-kit/table-watch';

const GROUPS = 2000;
const SEEDED = 20_000;

describe('the load scenario on Locust, small', () => {
  it('meets its thresholds through the gateway, and every accepted send is stored once after a seeded history', async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const topic = await createTestTopic();
    // A history first, so the live sends land in groups that already have messages: their orders must continue
    // from the seeded ones, which the consumer sees through max(order) while ignoring the seed partition's offsets.
    const seeded = await seedMessages(
      client,
      table,
      { messages: SEEDED, groups: GROUPS, nowMs: Date.now() },
      { blockRows: 5000, cluster: testInfra().clickhouseCluster },
    );
    assert.equal(seeded.rows, SEEDED);

    // Two replicas of each API behind the gateway, as the scenario runs in production (one consumer: 2 cores).
    const fleet = await startTestFleet(t, { topic, table, replicas: 2, consumers: 1 });
    const gateway = await startTestGateway(t, fleet);
    const env = { BASE_URL: gateway.url, GROUPS: String(GROUPS), SCENARIO: 'smoke' };
    const runStart = Date.now();
    // One Locust process: the smoke profile offers ~50 requests/s.
    const run = await runLocust(env, join(testInfra().dataDir, uniqueName('locust')), { quiet: true, processes: 1 });

    assert.equal(run.exitCode, 0, `locust thresholds: ${JSON.stringify(run.report?.thresholds)}`);
    const report = run.report;
    assert.ok(report?.ok);
    assert.equal(report.settings.profile, 'smoke');
    assert.equal(report.settings.groups, GROUPS);
    assert.ok(Object.keys(report.thresholds).length >= 16, 'every API has its thresholds');
    for (const api of [...READ_APPS, 'send'] as const) {
      assert.ok(report.apis[api].requests > 0, `${api} got requests`);
      assert.equal(report.apis[api].errors, 0, `${api} errors`);
      assert.ok((report.apis[api].p95_ms ?? Infinity) < 1000, `${api} p95`);
    }
    assert.ok(run.accepted.length > 0);
    assert.equal(run.accepted.length, report.sends_accepted, 'every accepted send was logged');

    const stored = await rowsWithin(client, table, run.accepted.length, 60_000, runStart);
    assert.equal(stored, run.accepted.length);
    assert.deepEqual((await reconcile(client, table, run.accepted, { since: runStart })).problems, []);
    assert.equal(await countRows(client, table), SEEDED + run.accepted.length);
  });
});
