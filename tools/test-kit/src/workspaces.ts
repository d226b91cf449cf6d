import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { repoRoot } from '@badam/stack/paths';

/**
 * The workspaces of the repository at `root`, as its package.json lists them ("workspaces"; a trailing `/*` is every
 * folder under it), so the test runner and the layer check follow that one list.
 */
export function workspaceFolders(root = repoRoot): string[] {
  const { workspaces } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { workspaces: string[] };
  return workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return existsSync(resolve(root, pattern)) ? [pattern] : [];
    const parent = pattern.slice(0, -2);
    if (!existsSync(resolve(root, parent))) return [];
    return readdirSync(resolve(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${parent}/${entry.name}`);
  });
}
