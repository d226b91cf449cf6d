import { readFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';
import { filesUnder } from './file-checks.js';

/**
 * Each service's image is built from `turbo prune <service>` and `npm ci --omit=dev` (Dockerfile): it holds the
 * service's production dependencies and those of the workspaces it depends on, nothing else. These checks read the
 * compiled code, so type-only imports (erased) do not count, and follow it into the workspace entries it imports
 * (@badam/pipeline/core, …/read-app): an image missing a package its code loads would fail at startup, and a
 * declared package the code never loads is carried for nothing.
 */

/** The fields of a package.json these checks read. */
export interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const WORKSPACE_SCOPE = '@badam/';

export function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(resolve(dir, 'package.json'), 'utf8')) as Manifest;
}

/** The JavaScript files a workspace's image carries (its dist/src). */
export function compiledFiles(workspaceDir: string): string[] {
  return filesUnder(resolve(workspaceDir, 'dist/src')).filter((path) => path.endsWith('.js'));
}

/**
 * The packages the given files load at run time, each with a file that loads it, following relative imports and
 * imports of our workspaces (resolved as Node resolves them from `resolveFrom`, through their exports). Node's
 * builtins are left out.
 */
export function loadedPackages(files: readonly string[], resolveFrom: string): Map<string, string> {
  const resolveWorkspace = createRequire(resolveFrom).resolve;
  const loaded = new Map<string, string>();
  const seen = new Set<string>();
  const queue = [...files];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const { fileName: specifier } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (specifier.startsWith('.')) queue.push(resolve(dirname(file), specifier));
      else if (isBuiltin(specifier)) continue;
      else {
        const name = packageName(specifier);
        if (!loaded.has(name)) loaded.set(name, file);
        if (name.startsWith(WORKSPACE_SCOPE)) queue.push(resolveWorkspace(specifier));
      }
    }
  }
  return loaded;
}

/** 'fastify' of 'fastify/types', '@hapi/hapi' of '@hapi/hapi/lib/x'. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

/**
 * What is wrong between a workspace's manifest and what its code loads: a loaded package it neither declares
 * (dependencies or peerDependencies) nor gets from a workspace it depends on (`provided`), and a declared one its
 * code never loads.
 */
export function dependencyProblems(
  manifest: Manifest,
  loaded: ReadonlyMap<string, string>,
  provided: readonly string[],
): string[] {
  const declared = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies });
  const undeclared = [...loaded]
    .filter(([name]) => !declared.includes(name) && !provided.includes(name))
    .map(([name, file]) => `${manifest.name}: loads ${name} (${file}) but does not declare it`);
  const unused = declared
    .filter((name) => !loaded.has(name))
    .map((name) => `${manifest.name}: declares ${name}, which its code never loads`);
  return [...undeclared, ...unused];
}

/** The production dependencies of the workspaces a manifest depends on: npm installs them with those workspaces. */
export function providedByWorkspaces(manifest: Manifest, workspaceManifests: readonly Manifest[]): string[] {
  return workspaceManifests
    .filter(({ name }) => manifest.dependencies?.[name] !== undefined)
    .flatMap((workspace) => Object.keys(workspace.dependencies ?? {}));
}
