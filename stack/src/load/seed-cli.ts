import { parseArgs } from 'node:util';
import { createClickHouseClient, createMessagesRepository, createPageStore, migrate, pageStoreConnection, rebuildReadModel } from '@badam/pipeline';
import { loadStackConfig, stackClickHouse } from '../stack-config.js';
import { seedMessages } from './seed.js';

/**
 * Seeds the native stack's table with a history for load tests: `npm run seed -- --messages 3000000 --groups 1000000`,
 * then fills the read model with every group's latest page (as `npm run rebuild-read-model` does).
 * The stack (scripts/stack.sh up, same BADAM_* variables) must run; the table must be empty (scripts/stack.sh reset).
 */
const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '3000000' },
    groups: { type: 'string', default: '1000000' },
    block: { type: 'string', default: '200000' },
    days: { type: 'string', default: '30' },
    table: { type: 'string', default: 'messages' },
  },
});

const config = loadStackConfig();
const client = createClickHouseClient(stackClickHouse(config));
const store = createPageStore(
  pageStoreConnection({
    READ_MODEL_URL: `redis://127.0.0.1:${config.BADAM_READ_MODEL_PORT}`,
    READ_MODEL_TIMEOUT_MS: 10_000,
    READ_MODEL_RETRY_MS: 0,
    CLICKHOUSE_TABLE: args.table,
  }),
);
try {
  await migrate(client, args.table);
  const messages = Number(args.messages);
  console.log(`[seed] ${messages} messages over ${args.groups} groups into ${args.table}`);
  const result = await seedMessages(
    client,
    args.table,
    { messages, groups: Number(args.groups), days: Number(args.days), nowMs: Date.now() },
    {
      blockRows: Number(args.block),
      onProgress: (rows, ms) => console.log(`[seed] ${rows} rows, ${Math.round(rows / (ms / 1000))} rows/s`),
    },
  );
  console.log(`[seed] done: ${result.rows} rows in ${(result.elapsedMs / 1000).toFixed(1)} s, ${result.rowsPerSecond} rows/s`);
  await store.connected(10_000);
  const started = Date.now();
  const rebuilt = await rebuildReadModel(createMessagesRepository(client, args.table), store, (groups) => {
    if (groups % 100_000 < 5000) console.log(`[seed] read model: ${groups} groups`);
  });
  console.log(`[seed] read model: ${rebuilt.written} pages of ${rebuilt.groups} groups in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  console.error(`[seed] ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await Promise.all([client.close(), store.close()]);
}
