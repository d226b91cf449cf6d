import { parseArgs } from 'node:util';
import { loadStackConfig } from '@badam/stack/stack-config';
import { rebuildStackReadModel } from './read-model-rebuild.js';

/**
 * `npm run rebuild-read-model [-- --table T]`: fills the running native stack's read model with every group's latest
 * page (same BADAM_* variables as scripts/stack.sh up). In Docker, the init image's command (docs/DEPLOY.md).
 */
const { values: args } = parseArgs({ options: { table: { type: 'string', default: 'messages' } } });
try {
  console.log(await rebuildStackReadModel(loadStackConfig(), args.table));
} catch (error) {
  console.error(`[rebuild-read-model] ${(error as Error).message}`);
  process.exitCode = 1;
}
