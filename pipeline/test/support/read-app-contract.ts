import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { MessageReader } from '../../src/clickhouse/message-reader.js';
import type { MessagePage } from '../../src/clickhouse/messages-repository.js';
import { parseReadQuery, type ReadQuery } from '../../src/contract/read-query.js';
import { BadamError } from '../../src/errors.js';
import { createServiceMetrics } from '../../src/metrics/service-metrics.js';
import { renderPage } from '../../src/read-model/page-entry.js';
import { createLogger } from '../../src/runtime/logger.js';
import type { ReadAppOptions } from '../../src/runtime/read-app.js';

/**
 * The contract every read app (fastify, hapi, restify) keeps over the shared MessageReader, written once and run
 * against each app's own builder with a stub reader: no ClickHouse, no read model. An app passes the raw path
 * parameter and query string to the reader, sends the bytes it returns as JSON, and turns what it throws into the
 * project's JSON error; validation is the shared one (parseReadQuery), so the three refuse the same requests.
 */

/**
 * Requests every read app refuses with a 400 naming `field`: checked here over a stub reader, and by the bad-input
 * corpus (stack/src/testing/bad-input-corpus.ts) against the real apps, directly and through the gateway.
 */
export interface BadReadRequest {
  what: string;
  /** From /groups on; the group in it does not matter. */
  path: string;
  field: string;
}

const badGroupId = (what: string, id: string): BadReadRequest => ({ what: `group id ${what}`, path: `/groups/${id}/messages`, field: 'group_id' });
const badQuery = (what: string, query: string, field: string): BadReadRequest => ({ what, path: `/groups/1/messages?${query}`, field });

export const BAD_READ_REQUESTS: readonly BadReadRequest[] = [
  badGroupId('zero', '0'),
  badGroupId('negative', '-1'),
  badGroupId('fractional', '1.5'),
  badGroupId('an exponent', '1e3'),
  badGroupId('hex', '0x10'),
  badGroupId('beyond 2^64', '18446744073709551617'),
  badGroupId('beyond Number.MAX_SAFE_INTEGER', '9007199254740993'),
  badGroupId('of 200 digits', '1'.repeat(200)),
  badGroupId('letters', 'abc'),
  badGroupId('SQL', '1%3B%20DROP%20TABLE%20messages'),
  badGroupId('SQL with quotes', '%27%20OR%20%271%27%3D%271'),
  badGroupId('a leading plus', '%2B5'),
  badGroupId('padded', '%205'),
  ...['0', '101', '-1', 'ten', '1.5', '', '1%3B%20DROP%20TABLE%20messages'].map((value) => badQuery(`limit=${value}`, `limit=${value}`, 'limit')),
  badQuery('limit twice', 'limit=5&limit=6', 'limit'),
  badQuery('before=0', 'before=0', 'before'),
  badQuery('before=x', 'before=x', 'before'),
  badQuery('before with SQL', 'before=1%20OR%201%3D1', 'before'),
  badQuery('an unknown parameter', 'order=1', 'order'),
  // Names a framework's own query parser dropped, and parameters past the 1000th, where hapi's and restify's parsers
  // stop: every app parses the query alike (parseQueryString).
  ...['constructor', '__proto__', 'toString', 'hasOwnProperty'].map((name) => badQuery(`a parameter named ${name}`, `${name}=1`, name)),
  badQuery('a parameter with no name', '=5', ''),
  badQuery('an unknown parameter after 1000 empty ones', `limit=5${'&'.repeat(1000)}&x=1`, 'x'),
  badQuery('an unknown parameter after 1000 repeats', `${'limit=5&'.repeat(1000)}x=1`, 'x'),
  badQuery('a bracketed parameter', 'limit[]=5', 'limit[]'),
];

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

/** A MessageReader without a database: records what the app handed it and answers as it is told. */
export interface StubReader extends MessageReader {
  /** The raw arguments of each readPage call, query copied onto a plain object. */
  readonly calls: { groupId: string | undefined; query: Record<string, unknown> }[];
  /** Thrown by readPage after validation while set, as the real reader throws when ClickHouse is unreachable. */
  failure: unknown;
  healthStatus: 'ok' | 'degraded' | 'unavailable';
}

export function createStubReader(): StubReader {
  const reader: StubReader = {
    calls: [],
    failure: undefined,
    healthStatus: 'ok',
    async readPage(groupId, query) {
      reader.calls.push({ groupId, query: Object.fromEntries(Object.entries(query)) });
      const parsed = parseReadQuery(groupId, query);
      if (reader.failure !== undefined) throw reader.failure;
      return stubPageBody(parsed);
    },
    async health() {
      return reader.healthStatus === 'unavailable'
        ? { status: 503, body: { status: 'unavailable' } }
        : { status: 200, body: { status: reader.healthStatus } };
    },
  };
  return reader;
}

/** The page the stub answers for a query: `limit` messages counting down from below `before` (or from 1000). */
export function stubPageBody({ groupId, limit, before }: ReadQuery): Buffer {
  const newest = (before ?? 1001) - 1;
  const messages = Array.from({ length: Math.min(limit, newest) }, (_, i) => ({
    group_id: groupId,
    order: newest - i,
    sender_id: 9,
    text: `stub ${newest - i} ✓`,
    time: new Date(1_750_000_000_000 + newest - i).toISOString(),
  }));
  const page: MessagePage = { group_id: groupId, messages, has_more: newest > limit, next_before: messages.at(-1)?.order ?? null };
  return renderPage(page);
}

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
    it('answers 200 with the reader\'s page as JSON, byte for byte, handing it the raw path and query', async (t) => {
      const { app, reader } = await start(t);
      const response = await app.get('/groups/7/messages?limit=3&before=50');
      assert.equal(response.status, 200, response.body);
      assert.match(String(response.headers['content-type']), /^application\/json/);
      assert.equal(response.body, stubPageBody({ groupId: 7, limit: 3, before: 50 }).toString());
      assert.deepEqual(reader.calls, [{ groupId: '7', query: { limit: '3', before: '50' } }]);
      const page = json(response) as unknown as MessagePage;
      assert.deepEqual(Object.keys(page).sort(), ['group_id', 'has_more', 'messages', 'next_before']);
      assert.deepEqual(page.messages.map((m) => m.order), [49, 48, 47]);
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
      assert.equal(assertJsonError(await app.get(`/groups/7/messages?x=${'a'.repeat(9000)}`), 414, 'uri_too_long').field, 'url');
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
