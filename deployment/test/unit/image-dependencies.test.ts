import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  compiledFiles,
  dependencyProblems,
  loadedPackages,
  packageName,
  providedByWorkspaces,
  readManifest,
} from '../../src/checks/image-dependency-checks.js';
import { NODE_SERVICES } from '@badam/stack/service-settings';
import { repoRoot } from '@badam/stack/paths';

const pipelineDir = resolve(repoRoot, 'pipeline/runtime');
const domainDir = resolve(repoRoot, 'pipeline/domain');
const pipeline = readManifest(pipelineDir);

describe('each service image carries what its code loads, and only that', () => {
  for (const service of NODE_SERVICES) {
    it(`${service}: every package its compiled code loads is declared or comes with @badam/pipeline; none unused`, () => {
      const dir = resolve(repoRoot, 'services', service);
      const manifest = readManifest(dir);
      const loaded = loadedPackages(compiledFiles(dir), resolve(dir, 'package.json'));
      assert.deepEqual(dependencyProblems(manifest, loaded, providedByWorkspaces(manifest, [pipeline])), []);
    });
  }

  it('@badam/pipeline: loads every dependency and optional peer it declares, and nothing else', () => {
    const loaded = loadedPackages(compiledFiles(pipelineDir), resolve(pipelineDir, 'package.json'));
    assert.deepEqual(dependencyProblems(pipeline, loaded, []), []);
  });

  it('@badam/domain: declares no dependency and loads no package', () => {
    const domain = readManifest(domainDir);
    assert.deepEqual(domain.dependencies ?? {}, {});
    assert.deepEqual([...loadedPackages(compiledFiles(domainDir), resolve(domainDir, 'package.json')).keys()], []);
  });

  it('the producer, which has no ClickHouse client, Valkey client, hapi or restify, loads none of them', () => {
    const dir = resolve(repoRoot, 'services/producer');
    const loaded = [...loadedPackages(compiledFiles(dir), resolve(dir, 'package.json')).keys()];
    for (const absent of ['@clickhouse/client', 'ioredis', '@hapi/hapi', 'restify'])
      assert.ok(!loaded.includes(absent), absent);
  });
});

describe('the image dependency check reports', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'image-deps-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  const producer = readManifest(resolve(repoRoot, 'services/producer'));

  it('a declared package the code never loads', () => {
    const manifest = { name: '@badam/restify', dependencies: { restify: '^12.0.0', 'restify-errors': '^8.1.0' } };
    const loaded = new Map([['restify', 'app.js']]);
    assert.deepEqual(dependencyProblems(manifest, loaded, []), [
      '@badam/restify: declares restify-errors, which its code never loads',
    ]);
  });

  it('the optional peers a service reaches by importing all of @badam/pipeline instead of its entries', () => {
    const file = join(scratch, 'server.js');
    writeFileSync(file, "import { createLogger } from '@badam/pipeline';\ncreateLogger('x', 'info');\n");
    const loaded = loadedPackages([file], resolve(repoRoot, 'services/producer/package.json'));
    // Only what the file loads counts here: the producer's declared fastify is loaded by its real code, not this file.
    const undeclared = dependencyProblems(producer, loaded, providedByWorkspaces(producer, [pipeline])).filter(
      (problem) => problem.endsWith('but does not declare it'),
    );
    assert.deepEqual(
      undeclared.map((problem) => problem.replace(/ \(.*\)/, '')),
      [
        '@badam/producer: loads @clickhouse/client but does not declare it',
        '@badam/producer: loads ioredis but does not declare it',
      ],
    );
  });

  it('packages loaded by static, side-effect and dynamic imports and require, not by type positions or builtins', () => {
    const file = join(scratch, 'all-forms.js');
    writeFileSync(
      file,
      [
        "import a from 'static-default';",
        "import { b } from '@scope/named/deep/path';",
        "import 'side-effect';",
        "const c = await import('dynamic');",
        "const d = require('required');",
        "import { readFileSync } from 'node:fs';",
        "import events from 'events';",
        "export { e } from 're-exported';",
      ].join('\n'),
    );
    const loaded = [...loadedPackages([file], resolve(repoRoot, 'package.json')).keys()].sort();
    assert.deepEqual(loaded, ['@scope/named', 'dynamic', 're-exported', 'required', 'side-effect', 'static-default']);
    assert.equal(packageName('@hapi/hapi/lib/core.js'), '@hapi/hapi');
  });
});
