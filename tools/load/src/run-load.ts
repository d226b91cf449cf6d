import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createClickHouseClient, reconcile } from '@badam/pipeline';
import type { ClickHouseClient } from '@clickhouse/client';
import { servicePorts, type ServiceName } from '@badam/stack/fleet';
import { httpOk } from '@badam/stack/process/wait';
import { clusterOf } from '@badam/stack/infra/clickhouse/topology';
import { loadStackConfig, stackClickHouse, type StackConfig } from '@badam/stack/stack-config';
import { rowsWithin } from '@badam/test-kit/table-watch';
import { directTargetEnv, generatorCost, runLocust, type DirectTargets, type LoadReport } from './locust.js';
import { formatSearch, nextRate, type SearchStep } from './rate-search.js';
import { seedMessages } from './seed.js';

/**
 * The load scenario of k6/scenario.json on Locust against a running native stack (scripts/stack.sh up, same BADAM_*
 * variables), then the reconciliation of every send Locust saw accepted against the stack's table.
 *   npm run load                     # the assignment's scenario: 1000 users in 10 s, 5 min, think 0.5-1.5 s
 *   npm run load -- --smoke          # 50 users for 20 s, no error allowed
 *   npm run load -- --seed           # first fill an empty table with 3,000,000 messages over 1,000,000 groups
 *   npm run load -- --think 0        # stress: no think time
 *   npm run load -- --arrival --rate 800 --duration 60   # a fixed arrival rate; thresholds p95 < 100 ms
 *   npm run load -- --search --rate 250 --step 250       # arrival-rate search: up from 250/s until a rate fails
 *   npm run load -- --env P95_MS=500 --env GROUPS=1000   # any override k6/scenario.json lists under "env"
 * Through the gateway when it answers, else straight to the replicas (--direct forces that).
 */
const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    seed: { type: 'boolean', default: false },
    'seed-messages': { type: 'string', default: '3000000' },
    groups: { type: 'string' },
    users: { type: 'string' },
    duration: { type: 'string' },
    think: { type: 'string' },
    arrival: { type: 'boolean', default: false },
    rate: { type: 'string' },
    search: { type: 'boolean', default: false },
    step: { type: 'string', default: '250' },
    'max-rate': { type: 'string', default: '20000' },
    processes: { type: 'string' },
    direct: { type: 'boolean', default: false },
    env: { type: 'string', multiple: true, default: [] },
    table: { type: 'string', default: 'messages' },
  },
});

const config = loadStackConfig();
const groups = args.groups ?? '1000000';

/** The spec's overrides (k6/scenario.json "env") from the flags; Locust resolves and checks them. */
function scenarioEnv(): Record<string, string> {
  const env: Record<string, string> = { GROUPS: groups };
  if (args.smoke) env.SCENARIO = 'smoke';
  if (args.arrival || args.search) env.SCENARIO = 'arrival';
  if (args.users !== undefined) env.USERS = args.users;
  if (args.duration !== undefined) env.HOLD_S = args.duration;
  if (args.rate !== undefined) env.RATE = args.rate;
  if (args.think !== undefined) Object.assign(env, { THINK_MIN_S: args.think, THINK_MAX_S: args.think });
  for (const pair of args.env) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--env takes NAME=value, got ${JSON.stringify(pair)}`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

function replicaTargets(stack: StackConfig): DirectTargets {
  const replicas = (service: ServiceName) =>
    servicePorts(stack.BADAM_SERVICE_BASE_PORT, service, stack.BADAM_REPLICAS).map(
      (port) => `http://127.0.0.1:${port}`,
    );
  return {
    fastify: replicas('fastify'),
    hapi: replicas('hapi'),
    restify: replicas('restify'),
    producer: replicas('producer'),
  };
}

/** The gateway if it answers, else the replicas' own ports; the locustfile then checks every API before the load. */
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
  console.log(
    `[load] replicas: ${Object.entries(targets)
      .map(([api, urls]) => `${api} ${urls.length}`)
      .join(', ')}`,
  );
  return directTargetEnv(targets);
}

/** One Locust run and its reconciliation; true when every threshold held and every accepted send is stored once. */
async function runAndReconcile(
  client: ClickHouseClient,
  env: Record<string, string>,
): Promise<{ ok: boolean; report: LoadReport }> {
  const outDir = join(config.BADAM_DATA_DIR, 'load', new Date().toISOString().replaceAll(':', '-'));
  console.log(
    `[load] locust ${Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
  const runStart = Date.now();
  const processes = args.processes === undefined ? undefined : Number(args.processes);
  const run = await runLocust(env, outDir, { processes, quiet: args.search });
  if (run.report === undefined) throw new Error(`locust exited with ${run.exitCode} without a report (see above)`);
  console.log(`[load] ${generatorCost(run)}`);

  console.log(`[load] reconciling ${run.accepted.length} accepted sends`);
  const stored = await rowsWithin(client, args.table, run.accepted.length, 120_000, runStart);
  console.log(`[load] ${stored} rows stored since the start, ${Math.round((Date.now() - runStart) / 1000)} s after it`);
  // A send Locust saw fail (timeout, 503, 504) may still have reached Kafka, so it may be stored: allowed, and counted.
  const unconfirmed = run.report.apis.send.errors;
  const result = await reconcile(client, args.table, run.accepted, { since: runStart, unconfirmed });
  const problems = [...result.problems];
  if (run.accepted.length !== run.report.sends_accepted) {
    problems.push(`locust counted ${run.report.sends_accepted} accepted sends but logged ${run.accepted.length}`);
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
  console.log(
    `[load] locust ${run.exitCode === 0 ? 'thresholds passed' : `exited ${run.exitCode}`}; report: ${outDir}`,
  );
  return { ok: run.exitCode === 0 && problems.length === 0, report: run.report };
}

/** Raises the arrival rate by --step from --rate until a run misses a threshold; the last rate that held is the figure. */
async function searchRates(client: ClickHouseClient, env: Record<string, string>): Promise<boolean> {
  const steps: SearchStep[] = [];
  let rate: number | undefined = Number(args.rate ?? 250);
  while (rate !== undefined) {
    const { ok, report } = await runAndReconcile(client, { ...env, RATE: String(rate) });
    steps.push({ rate, ok, report });
    console.log(formatSearch(steps));
    rate = nextRate(steps, Number(args.step), Number(args['max-rate']));
  }
  return steps.some((step) => step.ok);
}

const client = createClickHouseClient(stackClickHouse(config));
let exitCode = 1;
try {
  if (!(await client.ping()).success) {
    throw new Error(
      `ClickHouse does not answer on port ${config.BADAM_CLICKHOUSE_HTTP_PORT}: start the stack (scripts/stack.sh up)`,
    );
  }
  if (args.seed) {
    const messages = Number(args['seed-messages']);
    console.log(`[load] seeding ${messages} messages over ${groups} groups`);
    const seeded = await seedMessages(
      client,
      args.table,
      { messages, groups: Number(groups), nowMs: Date.now() },
      {
        onProgress: (rows, ms) => console.log(`[seed] ${rows} rows, ${Math.round(rows / (ms / 1000))} rows/s`),
        cluster: clusterOf(config.BADAM_TOPOLOGY),
      },
    ).catch((error: Error) => console.log(`[seed] skipped: ${error.message} (scripts/stack.sh reset empties it)`));
    if (seeded)
      console.log(
        `[seed] ${seeded.rows} rows in ${(seeded.elapsedMs / 1000).toFixed(1)} s, ${seeded.rowsPerSecond} rows/s`,
      );
  }
  const env = { ...(await targetEnv()), ...scenarioEnv() };
  const ok = args.search ? await searchRates(client, env) : (await runAndReconcile(client, env)).ok;
  exitCode = ok ? 0 : 1;
} catch (error) {
  console.error(`[load] ${(error as Error).message}`);
} finally {
  await client.close();
}
process.exit(exitCode);
