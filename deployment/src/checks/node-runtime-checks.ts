import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { workspaceFolders } from '@badam/stack/paths';

/**
 * One Node everywhere: scripts/setup.sh pins the version the scripts, tests and benchmarks run on (.tools/node), the
 * Dockerfile's base image must be the same release line (same minor), every package.json's engines.node must accept
 * it, and @types/node must describe its major. These read where each is written and say which one drifted.
 */
export interface NodePins {
  /** NODE_VERSION in scripts/setup.sh. */
  setup: string | undefined;
  /** The default of the Dockerfile's NODE_IMAGE argument. */
  image: string | undefined;
  /** engines.node of the root package.json and of every workspace, by package.json path. */
  engines: Record<string, string | undefined>;
  /** Every declared @types/node range, by package.json path. */
  typesNode: Record<string, string>;
}

interface PackageJson {
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export function readNodePins(root: string): NodePins {
  const manifests = manifestPaths(root).map(
    (path) => [path, JSON.parse(readFileSync(resolve(root, path), 'utf8')) as PackageJson] as const,
  );
  const typesNode: Record<string, string> = {};
  for (const [path, manifest] of manifests) {
    const range = manifest.devDependencies?.['@types/node'] ?? manifest.dependencies?.['@types/node'];
    if (range !== undefined) typesNode[path] = range;
  }
  return {
    setup: /^NODE_VERSION=(\S+)$/m.exec(readFileSync(resolve(root, 'scripts/setup.sh'), 'utf8'))?.[1],
    image: /^ARG NODE_IMAGE=(\S+)$/m.exec(readFileSync(resolve(root, 'Dockerfile'), 'utf8'))?.[1],
    engines: Object.fromEntries(manifests.map(([path, manifest]) => [path, manifest.engines?.node])),
    typesNode,
  };
}

/** package.json and the package.json of every workspace it lists ('services/*' included). */
function manifestPaths(root: string): string[] {
  const dirs = workspaceFolders(root);
  return [
    'package.json',
    ...dirs.map((dir) => join(dir, 'package.json')).filter((path) => existsSync(resolve(root, path))),
  ];
}

const EXACT = /^(\d+)\.(\d+)\.(\d+)$/;
/** node:<version>-<variant>@sha256:<digest>: a tag for people, a digest for Docker. */
const PINNED_IMAGE = /^node:(\d+\.\d+\.\d+)-[a-z0-9.-]+@sha256:[0-9a-f]{64}$/;
const CARET = /^\^(\d+)(?:\.(\d+))?(?:\.(\d+))?$/;

export function nodeRuntimeProblems(pins: NodePins): string[] {
  const setup = EXACT.exec(pins.setup ?? '');
  if (setup === null)
    return [`scripts/setup.sh: NODE_VERSION is ${pins.setup ?? 'missing'}, expected an exact version (24.21.0)`];
  const [version, major = '', minor = ''] = setup;
  const problems: string[] = [];

  const image = PINNED_IMAGE.exec(pins.image ?? '');
  if (image === null) {
    problems.push(
      `Dockerfile: NODE_IMAGE is ${pins.image ?? 'missing'}, expected node:<version>-<variant>@sha256:<digest>`,
    );
  } else if (!image[1]?.startsWith(`${major}.${minor}.`)) {
    problems.push(
      `Dockerfile: NODE_IMAGE runs Node ${image[1]}, scripts/setup.sh installs ${version}: not the same minor`,
    );
  }

  for (const [path, range] of Object.entries(pins.engines)) {
    if (range === undefined) problems.push(`${path}: no engines.node`);
    else if (!CARET.test(range)) problems.push(`${path}: engines.node ${range} is not a ^ range on one major`);
    else if (!caretAccepts(range, version))
      problems.push(`${path}: engines.node ${range} does not accept Node ${version}`);
  }

  if (Object.keys(pins.typesNode).length === 0) problems.push('no package.json declares @types/node');
  for (const [path, range] of Object.entries(pins.typesNode)) {
    if (CARET.exec(range)?.[1] !== major)
      problems.push(`${path}: @types/node ${range} does not describe Node ${major}`);
  }
  return problems;
}

/** Whether a ^ range (^24, ^24.21, ^24.21.0) accepts an exact version: same major, not below the range's floor. */
export function caretAccepts(range: string, version: string): boolean {
  const caret = CARET.exec(range);
  const exact = EXACT.exec(version);
  if (caret === null || exact === null) return false;
  const [floorMajor = 0, floorMinor = 0, floorPatch = 0] = caret.slice(1).map((part) => Number(part ?? 0));
  const [major = 0, minor = 0, patch = 0] = exact.slice(1).map(Number);
  return floorMajor === major && (floorMinor < minor || (floorMinor === minor && floorPatch <= patch));
}
