import { spawnSync } from 'node:child_process';

/** Runs Debian's promtool (installed by scripts/setup.sh with prometheus); returns its exit code and output. */
export function promtool(...args: string[]): { code: number; output: string } {
  const result = spawnSync('promtool', args, { encoding: 'utf8' });
  if (result.error !== undefined) throw result.error;
  return { code: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}
