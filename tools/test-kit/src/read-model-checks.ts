import assert from 'node:assert/strict';
import { createMessagesRepository, entryBody, entryVersion, pageVersion, type PageStore } from '@badam/pipeline';
import type { ClickHouseClient } from '@clickhouse/client';
import { READ_APPS } from '@badam/stack/fleet';
import { waitFor } from '@badam/stack/process/wait';
import { describeOutcomes, type LiveTrafficResult } from './live-traffic.js';
import type { PrivateStack } from './private-stack.js';

/** What the read model's fault tests check: pages never older than the stated bound, reads always answered. */

/**
 * The read model's staleness bound (docs/ARCHITECTURE.md, "Read model"): once the store serves a group again (back
 * from an outage, or its slot failed over), no page it holds is older than what ClickHouse held at that moment for
 * longer than this. The consumers retry a failed refresh every READ_MODEL_RETRY_MS (1 s); cluster clients read the
 * slot map every second.
 */
export const STALE_BOUND_MS = 5_000;

/** Each group's latest page version (its newest order) in ClickHouse now. */
export async function latestVersions(
  client: ClickHouseClient,
  table: string,
  groupIds: readonly number[],
): Promise<Map<number, number>> {
  const pages = await createMessagesRepository(client, table).latestPages(groupIds, 10);
  return new Map([...pages].map(([groupId, page]) => [groupId, pageVersion(page)]));
}

/** Groups whose page in the store is older than `versions` (a missing page is only a miss, not stale). */
export async function olderPages(store: PageStore, versions: Map<number, number>): Promise<string[]> {
  const older: string[] = [];
  for (const [groupId, version] of versions) {
    const entry = await store.get(groupId);
    if (entry !== null && entryVersion(entry) < version)
      older.push(`group ${groupId}: ${entryVersion(entry)} < ${version}`);
  }
  return older;
}

/**
 * Once the traffic is over and the pipeline idle, every page the store holds is ClickHouse's latest, byte for byte,
 * and so is what each app answers for the latest page through the gateway.
 */
export async function assertPagesEqualClickHouse(stack: PrivateStack, store: PageStore, groupIds: readonly number[]) {
  const pages = await createMessagesRepository(stack.client, stack.table).latestPages(groupIds, 10);
  await waitFor(
    "every stored page equal to ClickHouse's",
    async () => {
      for (const [groupId, page] of pages) {
        const entry = await store.get(groupId);
        if (entry !== null && entryBody(entry).toString() !== JSON.stringify(page)) return false;
      }
      return true;
    },
    15_000,
    200,
  );
  for (const groupId of groupIds.slice(0, 10)) {
    for (const app of READ_APPS) {
      const body = await (await fetch(`${stack.gateway.url}/${app}/groups/${groupId}/messages`)).text();
      assert.equal(body, JSON.stringify(pages.get(groupId)), `${app}'s latest page of group ${groupId}`);
    }
  }
}

/** Every read started in [from, to) answered 200, none held up by the store. */
export function assertReadsServed(result: LiveTrafficResult, from: number, to: number, what: string) {
  const reads = result.outcomes.filter((o) => o.api !== 'send' && o.startedAt >= from && o.startedAt < to);
  assert.ok(reads.length > 20, `reads were made ${what}`);
  assert.deepEqual(
    reads.filter((o) => o.status !== 200),
    [],
    `every read ${what} answered 200: ${describeOutcomes(reads)}`,
  );
  assert.ok(Math.max(...reads.map((o) => o.latencyMs)) < 1_500, `reads ${what} were not held up by the store`);
}
