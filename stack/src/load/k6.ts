import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AcceptedSend } from '@badam/pipeline';
import { repoRoot, toolsDir } from '../paths.js';

/** Built by scripts/setup.sh (go install go.k6.io/k6). */
const K6_BIN = join(toolsDir, 'bin/k6');
const SCENARIO_SCRIPT = join(repoRoot, 'k6/scenario.js');

/** What k6/lib/summary.js writes to report.json. */
/**
 * The short run (`npm run load -- --smoke`, and the suite's smoke test): 50 VUs with ~1 s think time make ~50
 * iterations/s, ~15 reads/s per app and ~5 sends/s; the rate floors scale to that, and no request may fail.
 */
export const SMOKE_ENV = { VUS: '50', RAMP: '5s', DURATION: '20s', RATE_MIN: '8', SEND_RATE_MIN: '1', MAX_ERROR_RATE: '0' };

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

export interface LoadReport {
  scenario: 'ramp' | 'arrival';
  duration_s: number;
  apis: Record<'fastify' | 'hapi' | 'restify' | 'send', ApiFigures>;
  total_rps: number;
  iterations: number;
  dropped_iterations: number;
  sends_accepted: number;
  checks_rate: number;
  thresholds: Record<string, boolean>;
  ok: boolean;
}

export interface K6Run {
  /** 0: every threshold passed; 99: some threshold failed; other: k6 could not run the test. */
  exitCode: number;
  report: LoadReport | undefined;
  /** Every send k6 saw accepted (202 with partition and offset), from its console log. */
  accepted: AcceptedSend[];
  outDir: string;
}

/** The scenario's per-API base URLs (each a comma-separated list of replicas) when there is no gateway. */
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

/**
 * Runs k6/scenario.js with `env` (the scenario's settings, see k6/lib/config.js), recording every accepted send.
 * k6's output goes to our stdout/stderr, or when quiet is kept and shown only if k6 fails; summary.json and
 * report.json go to outDir, with sends.log (the accepted sends, and k6's own log lines).
 */
export async function runK6(env: Record<string, string>, outDir: string, { quiet = false } = {}): Promise<K6Run> {
  // Without a terminal, k6's progress bar becomes a line a second: leave it out of logs.
  const progress = !quiet && process.stdout.isTTY;
  if (!existsSync(K6_BIN)) throw new Error(`${K6_BIN} is missing: run bash scripts/setup.sh`);
  mkdirSync(outDir, { recursive: true });
  const sendsLog = join(outDir, 'sends.log');
  const child = spawn(
    K6_BIN,
    ['run', '--no-color', '--console-output', sendsLog, ...(progress ? [] : ['--quiet']), SCENARIO_SCRIPT],
    {
      env: { ...process.env, ...env, SUMMARY_DIR: outDir, RECORD_SENDS: '1', K6_NO_USAGE_REPORT: 'true' },
      stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
  if (quiet && exitCode !== 0) process.stderr.write(output);
  const reportFile = join(outDir, 'report.json');
  const report = existsSync(reportFile) ? (JSON.parse(readFileSync(reportFile, 'utf8')) as LoadReport) : undefined;
  return { exitCode, report, accepted: existsSync(sendsLog) ? parseAcceptedSends(readFileSync(sendsLog, 'utf8')) : [], outDir };
}

/**
 * The scenario logs `accepted <group> <partition> <offset>` per accepted send (RECORD_SENDS=1); k6 writes console
 * lines as logfmt (`msg="accepted 1 2 3"`) or JSON, and appends its own errors to the same file, so lines are
 * matched, not parsed.
 */
export function parseAcceptedSends(log: string): AcceptedSend[] {
  const accepted: AcceptedSend[] = [];
  for (const match of log.matchAll(/accepted (\d+) (\d+) (\d+)/g)) {
    accepted.push({ groupId: Number(match[1]), partition: Number(match[2]), offset: Number(match[3]) });
  }
  return accepted;
}
