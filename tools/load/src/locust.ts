import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { AcceptedSend } from '@badam/pipeline';
import { repoRoot, toolsDir } from '@badam/stack/paths';
import { manyClientsEnv } from './many-clients.js';

/** Installed by scripts/setup.sh from PyPI (k6/locust/requirements.txt) into its own virtual environment. */
const LOCUST_BIN = join(toolsDir, 'locust/bin/locust');
const LOCUSTFILE = join(repoRoot, 'k6/locust/locustfile.py');
export const LOCUST_PYTHON = join(toolsDir, 'locust/bin/python');

export type ApiName = 'fastify' | 'hapi' | 'restify' | 'send';

export interface ApiFigures {
  requests: number;
  rps: number;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  max_ms: number | null;
  errors: number;
  error_rate: number;
}

/** The settings k6/scenario.json resolves to for one run (k6/lib/settings.js, k6/locust/settings.py). */
export interface ScenarioSettings {
  profile: string;
  mode: 'users' | 'arrival';
  [setting: string]: number | string;
}

/** What k6/locust/locustfile.py writes to report.json. */
export interface LoadReport {
  runner: 'locust';
  scenario: string;
  settings: ScenarioSettings;
  duration_s: number;
  apis: Record<ApiName, ApiFigures>;
  total_rps: number;
  dropped_per_s: number;
  sends_accepted: number;
  failures: Record<string, number>;
  thresholds: Record<string, boolean>;
  ok: boolean;
}

export interface LoadRun {
  /** 0: every threshold passed; 99: some threshold was crossed; 2: a target was not ready; other: Locust failed. */
  exitCode: number;
  report: LoadReport | undefined;
  /** Every send Locust saw accepted (202 with partition and offset). */
  accepted: AcceptedSend[];
  /** CPU seconds of Locust's own processes (master and workers), for its cost per request. */
  generatorCpuSeconds: number;
  outDir: string;
}

/** The scenario's per-API base URLs (each a list of replicas) when there is no gateway. */
export interface DirectTargets {
  fastify: string[];
  hapi: string[];
  restify: string[];
  producer: string[];
}

export function directTargetEnv(targets: DirectTargets): Record<string, string> {
  return {
    FASTIFY_URL: targets.fastify.join(','),
    HAPI_URL: targets.hapi.join(','),
    RESTIFY_URL: targets.restify.join(','),
    PRODUCER_URL: targets.producer.join(','),
  };
}

export interface LoadRunOptions {
  /** Keep Locust's output and show it only if the run fails. */
  quiet?: boolean;
  /**
   * Locust worker processes; default one per core. One gevent worker tops out at a few thousand requests/s, and a
   * generator that saturates its process measures itself, not the system.
   */
  processes?: number;
}

/**
 * Runs the scenario of k6/scenario.json on Locust with `env` (SCENARIO, overrides, targets), recording every accepted
 * send. report.json, sends-<pid>.log and cpu-<pid>.json go to outDir. Each user's connection comes from its own
 * loopback address (manyClientsEnv), so the gateway's per-client limit applies per user, as it would to real users.
 */
export async function runLocust(
  env: Record<string, string>,
  outDir: string,
  options: LoadRunOptions = {},
): Promise<LoadRun> {
  if (!existsSync(LOCUST_BIN)) throw new Error(`${LOCUST_BIN} is missing: run bash scripts/setup.sh`);
  mkdirSync(outDir, { recursive: true });
  const processes = options.processes ?? availableParallelism();
  const args = ['-f', LOCUSTFILE, '--headless', '--only-summary', '--loglevel', 'WARNING'];
  // --processes forks workers that report to a master; one process needs neither.
  if (processes > 1) args.push('--processes', String(processes));
  const child = spawn(LOCUST_BIN, args, {
    env: { ...manyClientsEnv(), ...env, SUMMARY_DIR: outDir },
    stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
  if (options.quiet && exitCode !== 0) process.stderr.write(output);
  const reportFile = join(outDir, 'report.json');
  const report = existsSync(reportFile) ? (JSON.parse(readFileSync(reportFile, 'utf8')) as LoadReport) : undefined;
  const files = readdirSync(outDir);
  const read = (prefix: string) =>
    files.filter((f) => f.startsWith(prefix)).map((f) => readFileSync(join(outDir, f), 'utf8'));
  return {
    exitCode,
    report,
    accepted: read('sends-').flatMap(parseAcceptedSends),
    generatorCpuSeconds: read('cpu-').reduce((sum, text) => sum + (JSON.parse(text) as { cpu_s: number }).cpu_s, 0),
    outDir,
  };
}

/** Lines `accepted <group> <partition> <offset>`, one per accepted send. */
export function parseAcceptedSends(log: string): AcceptedSend[] {
  const accepted: AcceptedSend[] = [];
  for (const match of log.matchAll(/^accepted (\d+) (\d+) (\d+)$/gm)) {
    accepted.push({ groupId: Number(match[1]), partition: Number(match[2]), offset: Number(match[3]) });
  }
  return accepted;
}

/** Locust's own CPU per request, and its share of a core over the run: is the generator the bottleneck? */
export function generatorCost(run: LoadRun): string {
  const report = run.report;
  if (report === undefined) return 'no report';
  const requests = Object.values(report.apis).reduce((sum, api) => sum + api.requests, 0);
  const perRequestMs = requests === 0 ? 0 : (run.generatorCpuSeconds * 1000) / requests;
  const cores = report.duration_s === 0 ? 0 : run.generatorCpuSeconds / report.duration_s;
  return `locust used ${run.generatorCpuSeconds.toFixed(1)} s of CPU (${(cores * 100).toFixed(0)} % of a core), ${perRequestMs.toFixed(3)} ms per request`;
}
