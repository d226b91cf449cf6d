import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { repoRoot, workspaceFolders } from '@badam/stack/paths';

/**
 * The import layers (.dependency-cruiser.cjs at the root, explained in pipeline/README.md), checked by
 * dependency-cruiser: its rules name paths from the repository root, so it runs from there, or from a fixture tree
 * laid out the same way.
 */
const DEPCRUISE = resolve(repoRoot, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');
const IMPORT_LAYERS_CONFIG = resolve(repoRoot, '.dependency-cruiser.cjs');

/** The code the layers govern: every workspace's sources and tests, under a root laid out like the repository. */
export function workspaceSources(root = repoRoot): string[] {
  const codeFolders = workspaceFolders(root).flatMap((workspace) =>
    ['src', 'test', 'integration', 'faults'].map((sub) => `${workspace}/${sub}`),
  );
  return codeFolders.filter((folder) => existsSync(resolve(root, folder)));
}

export interface LayerReport {
  /** How many modules the cruise saw: a check that saw nothing would pass for nothing. */
  modules: number;
  /** One line per broken rule: `rule: from → to`, or the whole loop for a cycle. */
  violations: string[];
}

interface Violation {
  from: string;
  to: string;
  unresolvedTo?: string;
  dependencyTypes?: string[];
  rule: { name: string };
  cycle?: { name: string }[];
}

interface CruiseOutput {
  summary: { totalCruised: number; violations: Violation[] };
}

export function checkImportLayers(paths: readonly string[], cwd = repoRoot): LayerReport {
  // process.execPath: the Node the tests run on (24), whatever `node` the PATH has.
  const run = spawnSync(
    process.execPath,
    [DEPCRUISE, '--config', IMPORT_LAYERS_CONFIG, '--output-type', 'json', ...paths],
    {
      cwd,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  let output: CruiseOutput;
  try {
    output = JSON.parse(run.stdout) as CruiseOutput;
  } catch {
    throw new Error(
      `dependency-cruiser failed (exit ${String(run.status)}): ${run.stderr || run.error?.message || 'no output'}`,
    );
  }
  return { modules: output.summary.totalCruised, violations: output.summary.violations.map(describe) };
}

function describe(violation: Violation): string {
  if (violation.cycle !== undefined) {
    return `${violation.rule.name}: ${[violation.from, ...violation.cycle.map((step) => step.name)].join(' → ')}`;
  }
  // A package is named as imported, not by its file under node_modules.
  const isPackage = violation.dependencyTypes?.some((type) => type.startsWith('npm')) ?? false;
  return `${violation.rule.name}: ${violation.from} → ${isPackage ? violation.unresolvedTo : violation.to}`;
}
