import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot } from '@badam/stack/paths';
import { checkImportLayers, workspaceSources } from '../../src/import-layers.js';

describe('the import layers (.dependency-cruiser.cjs, pipeline/README.md)', () => {
  it('hold in every workspace: no cycle, no arrow back up a layer', () => {
    const report = checkImportLayers(workspaceSources());
    assert.deepEqual(report.violations, []);
    assert.ok(report.modules > 250, `the cruise saw only ${report.modules} modules`);
  });
});

describe('the import layer check reports', () => {
  // A tree laid out like the repository's, with one breach of each rule, and imports each rule allows.
  const scratch = mkdtempSync(join(tmpdir(), 'import-layers-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  symlinkSync(resolve(repoRoot, 'node_modules'), join(scratch, 'node_modules'), 'dir');
  copyFileSync(resolve(repoRoot, 'package.json'), join(scratch, 'package.json'));
  const files: Record<string, string> = {
    // Domain to domain and to Node's built-ins: allowed.
    'pipeline/domain/src/contract/ids.ts':
      "import { createHash } from 'node:crypto';\nimport type { Row } from '../table/rows.js';\nexport const ids = (row: Row) => createHash('sha256').update(String(row)).digest();\n",
    // Domain to a client's types and to a metrics library.
    'pipeline/domain/src/table/rows.ts':
      "import type { ClickHouseClient } from '@clickhouse/client';\nimport { Registry } from 'prom-client';\nexport type Row = { client: ClickHouseClient; registry: Registry };\nexport const registry = new Registry();\n",
    // Domain to a Node built-in that does I/O.
    'pipeline/domain/src/table/dump.ts':
      "import { writeFileSync } from 'node:fs';\nexport const dump = (text: string) => writeFileSync('rows', text);\n",
    // Domain to runtime.
    'pipeline/domain/src/ordering/plan.ts':
      "import { query } from '../../../runtime/src/clickhouse/query.js';\nexport const plan = query;\n",
    // Two runtime folders importing each other through different modules: a cycle of folders, not of modules.
    'pipeline/runtime/src/clickhouse/query.ts':
      "import { cache } from '../read-model/cache.js';\nexport const query = cache;\n",
    'pipeline/runtime/src/clickhouse/client.ts': 'export const client = 1;\n',
    'pipeline/runtime/src/read-model/cache.ts':
      "import { client } from '../clickhouse/client.js';\nexport const cache = client;\n",
    // The shared package importing a service.
    'pipeline/runtime/src/service/app.ts':
      "import { server } from '../../../../services/chat/src/server.js';\nexport const app = server;\n",
    // A cycle of modules; a service importing another service; an import that resolves to nothing.
    'services/chat/src/server.ts':
      "import { routes } from './routes.js';\nimport { other } from '../../other/src/other.js';\nexport const server = () => [routes, other];\n",
    'services/chat/src/routes.ts':
      "import { server } from './server.js';\nimport { missing } from './missing.js';\nexport const routes = () => [server, missing];\n",
    'services/other/src/other.ts': 'export const other = 1;\n',
    // The native stack importing the test kit (up the ladder); the gateway importing a tool; a tool importing a test.
    'tools/stack/src/fleet.ts':
      "import { fixture } from '../../test-kit/src/fixture.js';\nexport const fleet = fixture;\n",
    'tools/test-kit/src/fixture.ts':
      "import { check } from '../../../tests/integration/check.test.js';\nexport const fixture = check;\n",
    'envoy/src/routes.ts': "import { fleet } from '../../tools/stack/src/fleet.js';\nexport const routes = fleet;\n",
    // Down the ladder and into the product: allowed.
    'tools/load/src/seed.ts':
      "import { fixture } from '../../test-kit/src/fixture.js';\nimport { ids } from '../../../pipeline/domain/src/contract/ids.js';\nexport const seed = [fixture, ids];\n",
    'tests/integration/check.test.ts': 'export const check = 1;\n',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(scratch, path)), { recursive: true });
    writeFileSync(join(scratch, path), text);
  }

  it('each breach, by rule, and nothing the rules allow', () => {
    const report = checkImportLayers(workspaceSources(scratch), scratch);
    assert.deepEqual(report.violations.sort(), [
      'deployment-part-not-to-tools: envoy/src/routes.ts → tools/stack/src/fleet.ts',
      // A built-in is named without its node: prefix.
      'domain-not-to-io-builtins: pipeline/domain/src/table/dump.ts → fs',
      'domain-not-to-runtime-libraries: pipeline/domain/src/table/rows.ts → @clickhouse/client',
      'domain-not-to-runtime-libraries: pipeline/domain/src/table/rows.ts → prom-client',
      'domain-not-to-runtime: pipeline/domain/src/ordering/plan.ts → pipeline/runtime/src/clickhouse/query.ts',
      'no-circular-folders: pipeline/runtime/src/clickhouse → pipeline/runtime/src/read-model → pipeline/runtime/src/clickhouse',
      'no-circular-folders: pipeline/runtime/src/read-model → pipeline/runtime/src/clickhouse → pipeline/runtime/src/read-model',
      // A cycle of modules is reported once, from one of its modules.
      'no-circular: services/chat/src/routes.ts → services/chat/src/server.ts → services/chat/src/routes.ts',
      'not-to-unresolvable: services/chat/src/routes.ts → ./missing.js',
      'nothing-imports-the-system-tests: tools/test-kit/src/fixture.ts → tests/integration/check.test.ts',
      'pipeline-imports-no-other-workspace: pipeline/runtime/src/service/app.ts → services/chat/src/server.ts',
      'service-imports-only-pipeline: services/chat/src/server.ts → services/other/src/other.ts',
      'tools-import-down-the-ladder: tools/stack/src/fleet.ts → tools/test-kit/src/fixture.ts',
      'tools-import-down-the-ladder: tools/test-kit/src/fixture.ts → tests/integration/check.test.ts',
    ]);
  });
});
