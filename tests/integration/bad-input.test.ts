import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { KEEP_ALIVE_TIMEOUT_MS, quoteIdentifier } from '@badam/pipeline';
import type { ClickHouseClient } from '@clickhouse/client';
import { READ_APPS, type Fleet } from '@badam/stack/fleet';
import type { Gateway } from '@badam/stack/infra/gateway';
import { READ_CORPUS, SEND_CORPUS, type BadRequest } from '@badam/test-kit/bad-input-corpus';
import {
  createTestClickHouse,
  createTestTable,
  createTestTopic,
  startTestFleet,
  startTestGateway,
  suiteCleanup,
} from '@badam/test-kit/fixtures';
import { rawRequest } from '@badam/test-kit/http-client';
import { waitForRows } from '@badam/test-kit/table-watch';

describe('the bad-input corpus through the gateway and straight to each service', () => {
  const t = suiteCleanup();
  let client: ClickHouseClient;
  let table: string;
  let fleet: Fleet;
  let gateway: Gateway;
  before(async () => {
    client = createTestClickHouse(t);
    table = await createTestTable(t, client);
    fleet = await startTestFleet(t, { topic: await createTestTopic(), table });
    gateway = await startTestGateway(t, fleet);
  });

  const check = async (request: BadRequest, path: string, baseUrl = gateway.url) => {
    const response = await rawRequest(baseUrl, request.method, path, {
      ...(request.body === undefined ? {} : { body: request.body }),
      headers: {
        ...(request.contentType === '' ? {} : { 'content-type': request.contentType ?? 'application/json' }),
        ...request.headers,
      },
    });
    const context = `${request.method} ${path.slice(0, 80)} → ${response.status} ${response.text.slice(0, 200)}`;
    assert.ok(response.status >= 400 && response.status < 500, `a 4xx: ${context}`);
    if (request.status !== undefined) assert.equal(response.status, request.status, context);
    assert.match(response.contentType, /^application\/json/, context);
    assert.equal(typeof response.body.error, 'string', context);
    assert.ok(typeof response.body.message === 'string' && response.body.message.length > 0, context);
    if (request.field !== undefined) assert.equal(response.body.field, request.field, context);
  };

  // The same expected answer from the gateway and from the service behind it (one answer per input), except where
  // an entry says why not (BadRequest.only).
  const viaGateway = (request: BadRequest) => request.only?.to !== 'services';
  const direct = (request: BadRequest) => request.only?.to !== 'gateway';
  for (const request of SEND_CORPUS) {
    if (viaGateway(request)) it(`send: ${request.what}`, () => check(request, request.path));
    if (direct(request)) {
      it(`producer: ${request.what}`, () =>
        check(request, request.path.replace(/^\/producer/, ''), fleet.url('producer', 0)));
    }
  }
  for (const app of READ_APPS) {
    for (const request of READ_CORPUS) {
      if (viaGateway(request))
        it(`${app}: ${request.what}`, () => check(request, request.path.replace('{app}', `/${app}`)));
      if (direct(request)) {
        it(`${app} itself: ${request.what}`, () =>
          check(request, request.path.replace('{app}', ''), fleet.url(app, 0)));
      }
    }
  }

  it('stored nothing for any of it; the limits accept what they should, stored exactly', async () => {
    // 3000 code points is the limit whatever their UTF-8 size; SQL in a text is just text.
    const accepted = ['x'.repeat(3000), '😀'.repeat(3000), "'); DROP TABLE messages; --", 'sentinel'];
    for (const [index, text] of accepted.entries()) {
      const response = await rawRequest(gateway.url, 'POST', '/producer/messages', {
        body: JSON.stringify({ group_id: 990_000 + index, sender_id: 1, text }),
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(response.status, 202, response.text);
    }
    await waitForRows(client, table, accepted.length, 30_000);
    await sleep(1000); // anything else the corpus produced would be here too
    const rows = await (
      await client.query({
        query: `SELECT group_id, \`order\`, text FROM ${quoteIdentifier(table)} ORDER BY group_id`,
        format: 'JSONEachRow',
      })
    ).json<{ group_id: string; order: string; text: string }>();
    assert.deepEqual(
      rows.map((row) => [Number(row.group_id), Number(row.order), row.text]),
      accepted.map((text, index) => [990_000 + index, 1, text]),
    );
  });

  it('every service still serves, none restarted', async () => {
    for (const [service, replicas] of fleet.processes) {
      for (const [index, replica] of replicas.entries()) {
        assert.equal(replica.restarts, 0, `${service}-${index + 1} restarted`);
        const health = await fetch(`${fleet.url(service, index)}/health`);
        assert.equal(health.status, 200);
        // The keep-alive timeout the gateway's upstream idle timeouts are checked against (gateway-limits.test.ts).
        if (service !== 'consumer')
          assert.equal(health.headers.get('keep-alive'), `timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}`, service);
      }
    }
  });
});
