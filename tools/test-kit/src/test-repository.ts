import type { ClickHouseClient } from '@clickhouse/client';
import { createMessagesRepository, readStoreSettings } from '@badam/pipeline';
import { testInfra } from './fixtures.js';

/**
 * The messages repository as a consumer has it on the run's topology (BADAM_TEST_TOPOLOGY): on a cluster, quorum
 * inserts (synchronous through Distributed tables) and sequentially consistent heads reads (store-consistency.ts),
 * so a test that writes then reads sees what a consumer would.
 */
export async function createTestRepository(
  client: ClickHouseClient,
  table: string,
): Promise<ReturnType<typeof createMessagesRepository>> {
  const settings = await readStoreSettings(client, testInfra().clickhouseCluster, 30_000);
  return createMessagesRepository(client, table, {
    insertSettings: settings.insert,
    headsSettings: settings.headsRead,
  });
}
