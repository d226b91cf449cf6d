import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClickHouseClient } from '@clickhouse/client';
import { createMessagesRepository } from '../../src/clickhouse/messages-repository.js';

/** A client that records the settings each query was sent with and answers no rows. */
function recordingClient() {
  const sent: { query: string; settings: unknown }[] = [];
  const client = {
    async query({ query, clickhouse_settings }: { query: string; clickhouse_settings?: unknown }) {
      sent.push({ query, settings: clickhouse_settings });
      return { json: async () => [] };
    },
  } as unknown as ClickHouseClient;
  return { client, sent };
}

describe('the messages repository on a replicated cluster', () => {
  it("reads the pages the read model is written from with the consumers' consistent read settings", async () => {
    const consistent = { select_sequential_consistency: '1' as const };
    const { client, sent } = recordingClient();
    const repository = createMessagesRepository(client, 'messages', {
      headsSettings: consistent,
      pagesSettings: consistent,
    });
    await repository.latestPages([1, 2], 10, new Map([[2, 900]]));
    await repository.groupIdsAfter(0, 10);
    assert.ok(sent.length >= 3);
    for (const { query, settings } of sent) assert.deepEqual(settings, consistent, query);
    sent.length = 0;
    // A read app's page read answers a request: not sequentially consistent (see RELIABILITY.md, Not covered).
    await repository.readPage({ groupId: 1, limit: 10, before: undefined });
    assert.equal(sent[0]?.settings, undefined);
  });
});
