import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createMessagesRepository, type MessagePage, type MessageRow } from '@badam/pipeline';
import type { ClickHouseClient } from '@clickhouse/client';
import { httpJson } from './http-client.js';

/** A group the contract expects to hold orders 1..35, and one that holds nothing. */
export const CONTRACT_GROUP = 4242;
const CONTRACT_GROUP_SIZE = 35;
const EMPTY_GROUP = 4243;

/** Stores what readContract expects: orders 1..CONTRACT_GROUP_SIZE in CONTRACT_GROUP, straight into `table`. */
export async function seedContractGroup(client: ClickHouseClient, table: string): Promise<void> {
  const rows: MessageRow[] = Array.from({ length: CONTRACT_GROUP_SIZE }, (_, i) => ({
    group_id: CONTRACT_GROUP,
    order: i + 1,
    sender_id: 9,
    text: `contract ${i + 1} ✓`,
    created_at_ms: 1_750_000_000_000 + i,
    kafka_partition: 0,
    kafka_offset: i,
  }));
  await createMessagesRepository(client, table).insert(rows);
}

/**
 * The read API's contract, as test cases run unchanged against each app (fastify, hapi, restify), directly and
 * through the gateway, so the three cannot drift. `baseUrl` is what stands before /groups/... The refusals (400s) are
 * in the bad-input corpus (BAD_READ_REQUESTS), which the read apps' unit tests share.
 */
export function readContract(name: string, baseUrl: () => string) {
  const get = (path: string) => httpJson('GET', `${baseUrl()}${path}`);

  it(`${name}: latest 10, newest first, with the message fields`, async () => {
    const { status, body } = await get(`/groups/${CONTRACT_GROUP}/messages`);
    assert.equal(status, 200);
    const page = body as unknown as MessagePage;
    assert.deepEqual(
      page.messages.map((m) => m.order),
      [35, 34, 33, 32, 31, 30, 29, 28, 27, 26],
    );
    assert.deepEqual(Object.keys(page.messages[0] ?? {}).sort(), ['group_id', 'order', 'sender_id', 'text', 'time']);
    assert.match(page.messages[0]?.time ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(page.has_more, true);
    assert.equal(page.next_before, 26);
  });

  it(`${name}: pages back to order 1 with no gap or repeat`, async () => {
    const seen: number[] = [];
    let query = '?limit=7';
    for (let pages = 0; pages < 10; pages++) {
      const { status, body } = await get(`/groups/${CONTRACT_GROUP}/messages${query}`);
      assert.equal(status, 200);
      const page = body as unknown as MessagePage;
      seen.push(...page.messages.map((m) => m.order));
      if (!page.has_more) break;
      query = `?limit=7&before=${page.next_before}`;
    }
    assert.deepEqual(
      seen,
      Array.from({ length: CONTRACT_GROUP_SIZE }, (_, i) => CONTRACT_GROUP_SIZE - i),
    );
  });

  it(`${name}: an empty group is 200 with no messages`, async () => {
    const { status, body } = await get(`/groups/${EMPTY_GROUP}/messages`);
    assert.equal(status, 200);
    assert.deepEqual(body, { group_id: EMPTY_GROUP, messages: [], has_more: false, next_before: null });
  });

  it(`${name}: an unknown route is a JSON 404`, async () => {
    const { status, body } = await get('/nothing/here');
    assert.equal(status, 404);
    assert.equal(body.error, 'not_found');
  });
}

/**
 * Asserts the apps answer 503 JSON, quickly, when ClickHouse cannot be reached for a page the read model does not
 * hold; their health is `degraded` (still in rotation: they serve what the read model holds) while the read model
 * answers, and 503 when it does not either.
 */
export function databaseDownContract(name: string, baseUrl: () => string, readModel: 'up' | 'down') {
  it(`${name}: ClickHouse unreachable is a fast 503 with Retry-After; health ${readModel === 'up' ? 'degraded' : 'unavailable'} with the read model ${readModel}`, async () => {
    const started = Date.now();
    const response = await httpJson('GET', `${baseUrl()}/groups/1/messages`);
    assert.equal(response.status, 503);
    assert.equal(response.body.error, 'database_unavailable');
    assert.equal(response.headers['retry-after'], '1');
    assert.ok(Date.now() - started < 3000, 'answered within 3 s');
    const health = await httpJson('GET', `${baseUrl()}/health`);
    assert.deepEqual(
      [health.status, health.body.status],
      readModel === 'up' ? [200, 'degraded'] : [503, 'unavailable'],
    );
  });
}
