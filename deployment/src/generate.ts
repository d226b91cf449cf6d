import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { envoyYamlPath, loadRouteTable, renderEnvoyYaml } from '@badam/gateway';
import { repoRoot } from '@badam/stack/paths';
import { CLICKHOUSE_FILES, renderDeployedRoles } from './clickhouse-files.js';

/**
 * Writes the files the Docker deployments read that are generated from code, so the deployments and the native
 * stack cannot drift apart: `npm run generate`. `--check` writes nothing and exits 1 when a checked-in file differs
 * from what its source gives (the unit tests check the same).
 */
const GENERATED = [
  { path: envoyYamlPath, source: 'envoy/routes.json and envoy/src/', render: () => renderEnvoyYaml(loadRouteTable()) },
  { path: CLICKHOUSE_FILES.roles.source, source: 'pipeline/src/clickhouse/roles.ts', render: renderDeployedRoles },
];

const check = process.argv.includes('--check');
let stale = 0;
for (const { path, source, render } of GENERATED) {
  const wanted = render();
  const shown = relative(repoRoot, path);
  if (!check) {
    writeFileSync(path, wanted);
    console.log(`wrote ${shown}`);
  } else if (readIfPresent(path) === wanted) {
    console.log(`${shown} is up to date`);
  } else {
    console.error(`${shown} is out of date with ${source}: run npm run generate`);
    stale += 1;
  }
}
process.exit(stale === 0 ? 0 : 1);

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
