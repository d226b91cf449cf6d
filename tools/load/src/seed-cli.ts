import { parseArgs } from 'node:util';
import { createClickHouseClient, migrate } from '@badam/pipeline';
import { clusterOf } from '@badam/stack/infra/clickhouse/topology';
import { loadStackConfig, stackClickHouse } from '@badam/stack/stack-config';
import { rebuildStackReadModel } from './read-model-rebuild.js';
import { seedMessages } from './seed.js';

/**
 * Seeds the native stack's table with a history for load tests: `npm run seed -- --messages 3000000 --groups 1000000`,
 * then fills the read model with every group's latest page by running `rebuild-read-model` (services/init).
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
      cluster: clusterOf(config.BADAM_TOPOLOGY),
      onProgress: (rows, ms) => console.log(`[seed] ${rows} rows, ${Math.round(rows / (ms / 1000))} rows/s`),
    },
  );
  console.log(
    `[seed] done: ${result.rows} rows in ${(result.elapsedMs / 1000).toFixed(1)} s, ${result.rowsPerSecond} rows/s`,
  );
  console.log('[seed] filling the read model (rebuild-read-model)');
  console.log(await rebuildStackReadModel(config, args.table));
} catch (error) {
  console.error(`[seed] ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await client.close();
}
