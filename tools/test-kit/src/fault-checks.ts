import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { READ_APPS } from '@badam/stack/fleet';
import { quoteIdentifier, reconcile, type MessagePage } from '@badam/pipeline';
import type { PrivateStack } from './private-stack.js';
import { httpJson } from './http-client.js';
import type { LiveTrafficResult } from './live-traffic.js';
import { countRows, waitForRows } from './table-watch.js';

/**
 * How every fault test ends: once the pipeline has caught up, every acknowledged send is stored exactly once,
 * every group's orders are 1..n (over the whole table), and the three apps, through the gateway, answer the same
 * latest messages for the groups the traffic wrote to.
 */
export async function assertNothingLost(
  stack: Pick<PrivateStack, 'client' | 'table' | 'gateway'>,
  traffic: LiveTrafficResult,
  { unconfirmed = 0, timeoutMs = 120_000 } = {},
) {
  await waitForRows(stack.client, stack.table, traffic.accepted.length, timeoutMs);
  await untilStable(() => countRows(stack.client, stack.table));
  const result = await reconcile(stack.client, stack.table, traffic.accepted, {
    unconfirmed: unconfirmed + traffic.resentSends,
  });
  assert.deepEqual(result.problems, [], `reconciliation of ${traffic.accepted.length} accepted sends`);

  const groups = [...new Set(traffic.accepted.map((send) => send.groupId))].slice(0, 10);
  for (const groupId of groups) {
    const pages = await Promise.all(
      READ_APPS.map(async (app) => {
        const response = await httpJson('GET', `${stack.gateway.url}/${app}/groups/${groupId}/messages?limit=100`);
        assert.equal(response.status, 200, `${app} read of group ${groupId}`);
        return response.body as unknown as MessagePage;
      }),
    );
    assert.deepEqual(pages[1], pages[0], `hapi and fastify agree on group ${groupId}`);
    assert.deepEqual(pages[2], pages[0], `restify and fastify agree on group ${groupId}`);
    const orders = pages[0]?.messages.map((m) => m.order) ?? [];
    assert.deepEqual(
      orders,
      Array.from({ length: orders.length }, (_, i) => (orders[0] ?? 0) - i),
      `group ${groupId} newest first`,
    );
    assert.ok(
      orders.length > 0 && orders.at(-1) === Math.max(1, (orders[0] ?? 0) - 99),
      `group ${groupId} pages from its latest`,
    );
  }
}

/**
 * For traffic that resent unknown outcomes with an Idempotency-Key: every accepted send's text is stored exactly
 * once (a resend whose first attempt also reached Kafka is not stored twice), and nothing else is stored.
 */
export async function assertEachStoredOnce(stack: Pick<PrivateStack, 'client' | 'table'>, traffic: LiveTrafficResult) {
  const result = await stack.client.query({
    query: `SELECT text, count() AS n FROM ${quoteIdentifier(stack.table)} GROUP BY text`,
    format: 'JSONEachRow',
  });
  const counts = new Map((await result.json<{ text: string; n: string }>()).map((row) => [row.text, Number(row.n)]));
  assert.deepEqual(
    [...counts].filter(([, n]) => n !== 1),
    [],
    'texts stored more than once',
  );
  assert.deepEqual(
    traffic.acceptedTexts.filter((text) => !counts.has(text)),
    [],
    'accepted sends not stored',
  );
  assert.equal(counts.size, traffic.acceptedTexts.length, 'rows stored for sends never accepted');
}

/** Waits until a count stops changing for two seconds (late records of unconfirmed sends). */
async function untilStable(read: () => Promise<number>) {
  let last = await read();
  for (let still = 0; still < 4; ) {
    await sleep(500);
    const now = await read();
    still = now === last ? still + 1 : 0;
    last = now;
  }
}
