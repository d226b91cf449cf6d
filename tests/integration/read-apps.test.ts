import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { READ_APPS, type Fleet } from '@badam/stack/fleet';
import {
  createTestClickHouse,
  createTestTable,
  startTestFleet,
  suiteCleanup,
  uniqueName,
} from '@badam/test-kit/fixtures';
import { CONTRACT_GROUP, databaseDownContract, readContract, seedContractGroup } from '@badam/test-kit/read-contract';

describe('the three read apps, one contract', () => {
  const t = suiteCleanup();
  let fleet: Fleet;
  before(async () => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    await seedContractGroup(client, table);
    fleet = await startTestFleet(t, { topic: uniqueName('unused'), table, producers: 0, consumers: 0 });
  });
  for (const app of READ_APPS) readContract(app, () => fleet.url(app));

  it('all three answer byte-for-byte the same JSON for the same request', async () => {
    const path = `/groups/${CONTRACT_GROUP}/messages?limit=12&before=30`;
    const bodies = await Promise.all(READ_APPS.map(async (app) => (await fetch(`${fleet.url(app)}${path}`)).text()));
    assert.equal(new Set(bodies).size, 1, bodies.join('\n'));
  });

  for (const app of READ_APPS) {
    it(`${app}: /metrics counts requests by route template and status, never by raw path`, async () => {
      await fetch(`${fleet.url(app)}/groups/${CONTRACT_GROUP}/messages`);
      await fetch(`${fleet.url(app)}/groups/abc/messages`);
      const metrics = await (await fetch(`${fleet.url(app)}/metrics`)).text();
      const sample = (status: number) =>
        new RegExp(
          `^http_request_duration_seconds_count\\{(?=[^}]*framework="${app}")(?=[^}]*route="/groups/:group_id/messages")` +
            `(?=[^}]*status_code="${status}")(?=[^}]*service="${app}")[^}]*\\} [1-9]`,
          'm',
        );
      assert.match(metrics, sample(200));
      assert.match(metrics, sample(400));
      assert.doesNotMatch(metrics, /route="\/groups\/\d/);
      assert.match(metrics, /^badam_clickhouse_query_duration_seconds_count\{[^}]*operation="read"/m);
      assert.match(metrics, /^process_cpu_seconds_total/m);
    });
  }
});

for (const readModel of ['up', 'down'] as const) {
  describe(`the three read apps with ClickHouse unreachable, the read model ${readModel}`, () => {
    const t = suiteCleanup();
    let fleet: Fleet;
    before(async () => {
      fleet = await startTestFleet(t, {
        topic: uniqueName('unused'),
        table: uniqueName('messages'),
        producers: 0,
        consumers: 0,
        readiness: 'listening',
        env: {
          CLICKHOUSE_URL: 'http://127.0.0.1:9',
          CLICKHOUSE_TIMEOUT_MS: '1000',
          ...(readModel === 'down' ? { READ_MODEL_URL: 'redis://127.0.0.1:9' } : {}),
        },
      });
    });
    for (const app of READ_APPS) databaseDownContract(app, () => fleet.url(app), readModel);
  });
}
