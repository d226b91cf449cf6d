import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { MessagePage } from '@badam/domain/table/repository';
import { BadamError } from '@badam/domain/contract/errors';
import { createServiceMetrics } from '../../src/metrics/service-metrics.js';
import { createLogger } from '../../src/service/logger.js';
import type { ReadAppOptions } from '../../src/service/read-app.js';
import { BAD_READ_REQUESTS } from './bad-read-requests.js';
import { createStubReader, stubPageBody } from './stub-reader.js';

export { BAD_READ_REQUESTS, type BadReadRequest } from './bad-read-requests.js';
export { createStubReader, stubPageBody, type StubReader } from './stub-reader.js';

/**
 * The contract every read app (fastify, hapi, restify) keeps over the shared MessageReader, written once and run
 * against each app's own builder with a stub reader: no ClickHouse, no read model. An app passes the raw path
 * parameter and query string to the reader, sends the bytes it returns as JSON, and turns what it throws into the
 * project's JSON error; validation is the shared one (parseReadQuery), so the three refuse the same requests.
 */

/** One answer, as any framework's injection or a real request gives it. */
export interface ContractResponse {
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

/** A read app built over the given reader for one test; it is closed by the cleanup the builder registers on `t`. */
export interface ContractApp {
  /** A GET of `path`, sent as written. */
  get(path: string): Promise<ContractResponse>;
}

export type BuildContractApp = (t: TestContext, options: ReadAppOptions) => Promise<ContractApp>;

const json = (response: ContractResponse) => JSON.parse(response.body) as Record<string, unknown>;

function assertJsonError(response: ContractResponse, status: number, error: string) {
  const context = `${response.status} ${response.body.slice(0, 200)}`;
  assert.equal(response.status, status, context);
  assert.match(String(response.headers['content-type']), /^application\/json/, context);
  const body = json(response);
  assert.equal(body.error, error, context);
  assert.ok(typeof body.message === 'string' && body.message.length > 0, context);
  return body;
}

/** The read app contract as node:test cases for the app `framework` (the label its metrics carry). */
export function readAppContract(framework: string, build: BuildContractApp): void {
  const start = async (t: TestContext) => {
    const reader = createStubReader();
    const metrics = createServiceMetrics(framework);
    const app = await build(t, { reader, logger: createLogger(framework, 'silent'), metrics });
    return { app, reader };
  };

  describe(`${framework} read app over a stub reader`, () => {
    it("answers 200 with the reader's page as JSON, byte for byte, handing it the raw path and query", async (t) => {
      const { app, reader } = await start(t);
      const response = await app.get('/groups/7/messages?limit=3&before=50');
      assert.equal(response.status, 200, response.body);
      assert.match(String(response.headers['content-type']), /^application\/json/);
      assert.equal(response.body, stubPageBody({ groupId: 7, limit: 3, before: 50 }).toString());
      assert.deepEqual(reader.calls, [{ groupId: '7', query: { limit: '3', before: '50' } }]);
      const page = json(response) as unknown as MessagePage;
      assert.deepEqual(Object.keys(page).sort(), ['group_id', 'has_more', 'messages', 'next_before']);
      assert.deepEqual(
        page.messages.map((m) => m.order),
        [49, 48, 47],
      );
      assert.deepEqual(Object.keys(page.messages[0] ?? {}).sort(), ['group_id', 'order', 'sender_id', 'text', 'time']);
    });

    it('hands the reader an empty query for the latest page, and nothing for other routes', async (t) => {
      const { app, reader } = await start(t);
      assert.equal((await app.get('/groups/12/messages')).status, 200);
      await app.get('/health');
      await app.get('/metrics');
      assert.deepEqual(reader.calls, [{ groupId: '12', query: {} }]);
    });

    for (const { what, path, field } of BAD_READ_REQUESTS) {
      it(`answers ${what} with a 400 naming ${JSON.stringify(field)}`, async (t) => {
        const { app } = await start(t);
        const body = assertJsonError(await app.get(path), 400, 'invalid_request');
        assert.equal(body.field, field);
      });
    }

    it('answers an over-long URL with a 414 naming the url', async (t) => {
      const { app } = await start(t);
      assert.equal(
        assertJsonError(await app.get(`/groups/7/messages?x=${'a'.repeat(9000)}`), 414, 'uri_too_long').field,
        'url',
      );
    });

    for (const path of ['/nothing/here', '/groups/7', '/groups/7/messages/extra']) {
      it(`answers the unknown route ${path} with a JSON 404, without reading`, async (t) => {
        const { app, reader } = await start(t);
        assertJsonError(await app.get(path), 404, 'not_found');
        assert.deepEqual(reader.calls, []);
      });
    }

    for (const code of ['database_unavailable', 'overloaded'] as const) {
      it(`answers the reader's ${code} with a 503 and Retry-After`, async (t) => {
        const { app, reader } = await start(t);
        reader.failure = new BadamError(code, `${code}, retry later`);
        const response = await app.get('/groups/7/messages');
        assertJsonError(response, 503, code);
        assert.equal(response.headers['retry-after'], '1');
      });
    }

    it('answers an unexpected failure with a 500 that hides its details', async (t) => {
      const { app, reader } = await start(t);
      reader.failure = new Error('connect ECONNREFUSED secret-host:8123');
      const response = await app.get('/groups/7/messages');
      assert.deepEqual(assertJsonError(response, 500, 'internal'), { error: 'internal', message: 'internal error' });
      assert.equal(response.headers['retry-after'], undefined);
    });

    for (const [status, healthStatus] of [
      [200, 'ok'],
      [200, 'degraded'],
      [503, 'unavailable'],
      [503, 'draining'],
    ] as const) {
      it(`answers /health ${status} ${healthStatus} as the reader reports it`, async (t) => {
        const { app, reader } = await start(t);
        reader.healthStatus = healthStatus;
        const response = await app.get('/health');
        assert.equal(response.status, status);
        assert.match(String(response.headers['content-type']), /^application\/json/);
        assert.deepEqual(json(response), { status: healthStatus });
      });
    }

    it('answers /live 200 (liveness, for Docker) while its dependencies are down and /health is 503', async (t) => {
      const { app, reader } = await start(t);
      reader.healthStatus = 'unavailable';
      assert.equal((await app.get('/health')).status, 503);
      const response = await app.get('/live');
      assert.equal(response.status, 200);
      assert.deepEqual(json(response), { status: 'live' });
    });

    it('exposes on /metrics the request histogram by route template and status, never by raw path', async (t) => {
      const { app } = await start(t);
      await app.get('/groups/7/messages');
      await app.get('/groups/abc/messages');
      await app.get('/nothing/7');
      const response = await app.get('/metrics');
      assert.equal(response.status, 200);
      assert.match(String(response.headers['content-type']), /^text\/plain/);
      const sample = (route: string, status: number) =>
        new RegExp(
          `^http_request_duration_seconds_count\\{(?=[^}]*framework="${framework}")(?=[^}]*route="${route}")` +
            `(?=[^}]*method="GET")(?=[^}]*status_code="${status}")(?=[^}]*service="${framework}")[^}]*\\} 1$`,
          'm',
        );
      assert.match(response.body, sample('/groups/:group_id/messages', 200));
      assert.match(response.body, sample('/groups/:group_id/messages', 400));
      assert.match(response.body, sample('unmatched', 404));
      assert.doesNotMatch(response.body, /route="\/(groups\/\d|groups\/abc|nothing)/);
    });
  });
}
