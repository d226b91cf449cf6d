import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { repoRoot } from '@badam/stack/paths';
import { GENERATED_FILES } from './generated-files.js';

/**
 * Writes the generated files (generated-files.ts): `npm run generate`. `--check` writes nothing and exits 1 when a
 * checked-in file differs from what its source gives (the unit tests check the same).
 */
const check = process.argv.includes('--check');
let stale = 0;
for (const { path, source, render } of GENERATED_FILES) {
  const current = readIfPresent(path);
  const wanted = render(current ?? '');
  const shown = relative(repoRoot, path);
  if (!check) {
    writeFileSync(path, wanted);
    console.log(`wrote ${shown}`);
  } else if (current === wanted) {
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
