import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createClickHouseClient, reconcile } from '@badam/pipeline';
import { servicePorts, type ServiceName } from '../fleet.js';
import { httpOk } from '../process/wait.js';
import { loadStackConfig, stackClickHouse, type StackConfig } from '../stack-config.js';
import { SMOKE_ENV, directTargetEnv, runK6, type DirectTargets } from './k6.js';
import { rowsWithin } from '../testing/table-watch.js';
import { seedMessages } from './seed.js';

/**
 * The load scenario against a running native stack (scripts/stack.sh up, same BADAM_* variables), then the
 * reconciliation of every send k6 saw accepted against the stack's table.
 *   npm run load                    # the assignment's scenario: 1000 VUs in 10 s, 5 min, think 0.5-1.5 s
 *   npm run load -- --smoke         # 50 VUs for 20 s, no error allowed
 *   npm run load -- --seed          # first fill an empty table with 3,000,000 messages over 1,000,000 groups
 *   npm run load -- --think 0       # stress: no think time
 *   npm run load -- --arrival --rate 800 --duration 1m   # a fixed arrival rate; thresholds p95 < 100 ms
 *   npm run load -- --env P95_MS=500 --env GROUPS=1000   # any k6/lib/config.js setting
 * Through the gateway when it answers, else straight to the replicas (--direct forces that).
 */
const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    seed: { type: 'boolean', default: false },
    'seed-messages': { type: 'string', default: '3000000' },
    groups: { type: 'string' },
    vus: { type: 'string' },
    duration: { type: 'string' },
    think: { type: 'string' },
    arrival: { type: 'boolean', default: false },
    rate: { type: 'string' },
    direct: { type: 'boolean', default: false },
    env: { type: 'string', multiple: true, default: [] },
    table: { type: 'string', default: 'messages' },
  },
});

const config = loadStackConfig();
const groups = args.groups ?? '1000000';

function scenarioEnv(): Record<string, string> {
  const env: Record<string, string> = { GROUPS: groups };
  if (args.smoke) Object.assign(env, SMOKE_ENV);
  if (args.arrival) env.SCENARIO = 'arrival';
  if (args.vus !== undefined) env.VUS = args.vus;
  if (args.duration !== undefined) env.DURATION = args.duration;
  if (args.rate !== undefined) env.RATE = args.rate;
  if (args.think !== undefined) {
    if (args.think === '0') env.THINK = '0';
    else Object.assign(env, { THINK_MIN: args.think, THINK_MAX: args.think });
  }
  for (const pair of args.env) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--env takes NAME=value, got ${JSON.stringify(pair)}`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

function replicaTargets(stack: StackConfig): DirectTargets {
  const replicas = (service: ServiceName) =>
    servicePorts(stack.BADAM_SERVICE_BASE_PORT, service, stack.BADAM_REPLICAS).map((port) => `http://127.0.0.1:${port}`);
  return { fastify: replicas('fastify'), hapi: replicas('hapi'), restify: replicas('restify'), producer: replicas('producer') };
}

/** The gateway if it answers, else the replicas' own ports; k6's setup() then checks every API through it. */
async function targetEnv(): Promise<Record<string, string>> {
  const gateway = `http://127.0.0.1:${config.BADAM_GATEWAY_PORT}`;
  if (!args.direct) {
    if (await httpOk(`${gateway}/health`).catch(() => false)) {
      console.log(`[load] through the gateway ${gateway}`);
      return { BASE_URL: gateway };
    }
    console.log(`[load] no gateway answers on ${gateway}; going straight to the replicas`);
  }
  const targets = replicaTargets(config);
  console.log(`[load] replicas: ${Object.entries(targets).map(([api, urls]) => `${api} ${urls.length}`).join(', ')}`);
  return directTargetEnv(targets);
}

const client = createClickHouseClient(stackClickHouse(config));
let exitCode = 1;
try {
  if (!(await client.ping()).success) {
    throw new Error(`ClickHouse does not answer on port ${config.BADAM_CLICKHOUSE_HTTP_PORT}: start the stack (scripts/stack.sh up)`);
  }
  if (args.seed) {
    const messages = Number(args['seed-messages']);
    console.log(`[load] seeding ${messages} messages over ${groups} groups`);
    const seeded = await seedMessages(client, args.table, { messages, groups: Number(groups), nowMs: Date.now() }, {
      onProgress: (rows, ms) => console.log(`[seed] ${rows} rows, ${Math.round(rows / (ms / 1000))} rows/s`),
    }).catch((error: Error) => console.log(`[seed] skipped: ${error.message} (scripts/stack.sh reset empties it)`));
    if (seeded) console.log(`[seed] ${seeded.rows} rows in ${(seeded.elapsedMs / 1000).toFixed(1)} s, ${seeded.rowsPerSecond} rows/s`);
  }

  const env = { ...(await targetEnv()), ...scenarioEnv() };
  const outDir = join(config.BADAM_DATA_DIR, 'load', new Date().toISOString().replaceAll(':', '-'));
  console.log(`[load] k6 ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  const runStart = Date.now();
  const run = await runK6(env, outDir);
  if (run.report === undefined) throw new Error(`k6 exited with ${run.exitCode} without a report (see above)`);

  console.log(`[load] reconciling ${run.accepted.length} accepted sends (k6 counted ${run.report.sends_accepted})`);
  const stored = await rowsWithin(client, args.table, run.accepted.length, 120_000, runStart);
  console.log(`[load] ${stored} rows stored since the start, ${Math.round((Date.now() - runStart) / 1000)} s after it`);
  // A send k6 saw fail (timeout, 503, 504) may still have reached Kafka, so it may be stored: allowed, and counted.
  const unconfirmed = run.report.apis.send.errors;
  const result = await reconcile(client, args.table, run.accepted, { since: runStart, unconfirmed });
  const problems = [...result.problems];
  if (run.accepted.length !== run.report.sends_accepted) {
    problems.push(`k6 counted ${run.report.sends_accepted} accepted sends but logged ${run.accepted.length}`);
  }
  if (problems.length === 0) {
    const extra = result.storedRows - result.accepted;
    console.log(
      `[load] reconciliation ok: ${result.accepted} accepted sends stored exactly once, every group's orders 1..n in send order` +
        (unconfirmed === 0 ? '' : `; ${extra} of ${unconfirmed} failed sends were stored all the same`),
    );
  } else {
    console.log(`[load] RECONCILIATION FAILED:\n  ${problems.join('\n  ')}`);
  }
  console.log(`[load] k6 ${run.exitCode === 0 ? 'thresholds passed' : `exited ${run.exitCode}`}; summary and report: ${outDir}`);
  exitCode = run.exitCode !== 0 ? run.exitCode : problems.length > 0 ? 1 : 0;
} catch (error) {
  console.error(`[load] ${(error as Error).message}`);
} finally {
  await client.close();
}
process.exit(exitCode);
