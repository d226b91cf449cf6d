import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '@badam/stack/paths';
import { GENERATED_FILES } from '../../src/generate/generated-files.js';

/**
 * The generated files (envoy.yaml, the ClickHouse roles, .env.example, the environment blocks of both Docker files)
 * are what their sources give today: regenerated in memory and compared with the checked-in copy.
 * checks-fail.test.ts shows a stale copy reported.
 */
describe('the generated files', () => {
  for (const { path, source, render } of GENERATED_FILES) {
    it(`${relative(repoRoot, path)} is up to date with ${source} (npm run generate)`, () => {
      const checkedIn = readFileSync(path, 'utf8');
      assert.equal(render(checkedIn), checkedIn);
    });
  }
});
