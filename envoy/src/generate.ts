import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { renderEnvoyYaml } from './envoy-config.js';
import { envoyYamlPath, repoRoot } from './paths.js';
import { loadRouteTable } from './route-table.js';

/**
 * Writes envoy/envoy.yaml from envoy/routes.json. `--check` writes nothing and exits 1 when the checked-in file
 * differs from what the route table gives (for CI and for reviewers).
 */
const check = process.argv.includes('--check');
const wanted = renderEnvoyYaml(loadRouteTable());
const shown = relative(repoRoot, envoyYamlPath);
if (check) {
  let current = '';
  try {
    current = readFileSync(envoyYamlPath, 'utf8');
  } catch {
    // A missing file is out of date like any other.
  }
  if (current !== wanted) {
    console.error(`${shown} is out of date with envoy/routes.json: run npm run generate -w @badam/gateway`);
    process.exit(1);
  }
  console.log(`${shown} is up to date`);
} else {
  writeFileSync(envoyYamlPath, wanted);
  console.log(`wrote ${shown}`);
}
