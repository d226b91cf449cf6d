import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { repoRoot } from '../paths.js';
import { CLICKHOUSE_FILES, renderDeployedRoles } from './clickhouse-files.js';

/**
 * Writes clickhouse/users.d/badam-roles.xml from pipeline/src/clickhouse/roles.ts. `--check` writes nothing and exits
 * 1 when the checked-in file differs from what the roles give (a unit test checks the same).
 */
const check = process.argv.includes('--check');
const path = CLICKHOUSE_FILES.roles.source;
const wanted = renderDeployedRoles();
const shown = relative(repoRoot, path);
if (check) {
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    // A missing file is out of date like any other.
  }
  if (current !== wanted) {
    console.error(`${shown} is out of date with pipeline/src/clickhouse/roles.ts: run npm run generate -w @badam/stack`);
    process.exit(1);
  }
  console.log(`${shown} is up to date`);
} else {
  writeFileSync(path, wanted);
  console.log(`wrote ${shown}`);
}
