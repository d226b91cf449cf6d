import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  caretAccepts,
  nodeRuntimeProblems,
  readNodePins,
  type NodePins,
} from '../../src/checks/node-runtime-checks.js';
import { repoRoot } from '@badam/stack/paths';

const pins = readNodePins(repoRoot);
const DIGEST = `sha256:${'0'.repeat(64)}`;

/** A copy of the repository's pins with `change` applied. */
function broken(change: (copy: NodePins) => void): NodePins {
  const copy = structuredClone(pins);
  change(copy);
  return copy;
}

describe('one Node everywhere', () => {
  it('setup, the Dockerfile image, every engines.node and @types/node agree', () => {
    assert.ok(Object.keys(pins.engines).length >= 10, 'the root and every workspace are read');
    assert.deepEqual(nodeRuntimeProblems(pins), []);
  });
});

describe('the Node runtime check reports', () => {
  it('a setup moved to another major without the rest', () => {
    const problems = nodeRuntimeProblems(broken((copy) => (copy.setup = '26.3.0')));
    assert.ok(
      problems.some((problem) =>
        /^Dockerfile: NODE_IMAGE runs Node 24\.\d+\.\d+, scripts\/setup.sh installs 26.3.0/.test(problem),
      ),
    );
    assert.ok(problems.includes('package.json: engines.node ^24 does not accept Node 26.3.0'));
    assert.ok(problems.includes('services/restify/package.json: engines.node ^24 does not accept Node 26.3.0'));
    assert.ok(
      problems.some((problem) => /^package.json: @types\/node \^24\S* does not describe Node 26$/.test(problem)),
    );
  });

  it('an image of another minor, and one pinned by tag only', () => {
    const otherMinor = broken((copy) => {
      copy.setup = '24.21.0';
      copy.image = `node:24.11.1-bookworm-slim@${DIGEST}`;
    });
    assert.deepEqual(nodeRuntimeProblems(otherMinor), [
      'Dockerfile: NODE_IMAGE runs Node 24.11.1, scripts/setup.sh installs 24.21.0: not the same minor',
    ]);
    const tagOnly = broken((copy) => (copy.image = 'node:24.21.0-bookworm-slim'));
    assert.deepEqual(nodeRuntimeProblems(tagOnly), [
      'Dockerfile: NODE_IMAGE is node:24.21.0-bookworm-slim, expected node:<version>-<variant>@sha256:<digest>',
    ]);
  });

  it('a workspace without engines.node, or with an open range', () => {
    const problems = nodeRuntimeProblems(
      broken((copy) => {
        copy.engines['pipeline/runtime/package.json'] = undefined;
        copy.engines['services/hapi/package.json'] = '>=20';
      }),
    );
    assert.deepEqual(problems, [
      'pipeline/runtime/package.json: no engines.node',
      'services/hapi/package.json: engines.node >=20 is not a ^ range on one major',
    ]);
  });

  it('@types/node of another major, or declared nowhere', () => {
    assert.deepEqual(nodeRuntimeProblems(broken((copy) => (copy.typesNode = { 'package.json': '^20.19.0' }))), [
      `package.json: @types/node ^20.19.0 does not describe Node ${pins.setup?.split('.')[0]}`,
    ]);
    assert.deepEqual(nodeRuntimeProblems(broken((copy) => (copy.typesNode = {}))), [
      'no package.json declares @types/node',
    ]);
  });

  it('a setup version that is not exact', () => {
    assert.deepEqual(nodeRuntimeProblems(broken((copy) => (copy.setup = '24'))), [
      'scripts/setup.sh: NODE_VERSION is 24, expected an exact version (24.21.0)',
    ]);
  });

  it('^ ranges by their floor', () => {
    assert.equal(caretAccepts('^24', '24.0.0'), true);
    assert.equal(caretAccepts('^24.21', '24.21.0'), true);
    assert.equal(caretAccepts('^24.21.1', '24.21.0'), false);
    assert.equal(caretAccepts('^24.20.5', '24.21.0'), true);
    assert.equal(caretAccepts('^24', '25.0.0'), false);
    assert.equal(caretAccepts('>=24', '24.21.0'), false);
  });
});
