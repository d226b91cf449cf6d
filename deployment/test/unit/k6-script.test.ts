import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { scriptFiles } from '../../src/checks/load-runner-checks.js';
import { repoRoot } from '@badam/stack/paths';
import {
  loadScenarioSpec,
  type ScenarioSettingsValues,
  type ScenarioSpec,
  type ScenarioThreshold,
} from '@badam/load/scenario-spec';

/**
 * The k6 scenario without k6 (AGPL: never run here): every file parses as an ES module, and the options it exports
 * (k6/lib/options.js over k6/lib/settings.js) are the profiles and thresholds of k6/scenario.json.
 */

const k6Dir = resolve(repoRoot, 'k6');
const jsFiles = [
  'scenario.js',
  ...readdirSync(resolve(k6Dir, 'lib'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => `lib/${f}`),
];

type Settings = ScenarioSettingsValues;
type Spec = ScenarioSpec;
type Threshold = ScenarioThreshold;
interface K6Options {
  scenarios: Record<string, Record<string, unknown>>;
  thresholds: Record<string, string[]>;
}
interface Report {
  settings: Settings;
  thresholds: Record<string, boolean>;
  ok: boolean;
}
interface Modules {
  resolveSettings(spec: Spec, env: Record<string, string>): Settings;
  thresholdsOf(settings: Settings, readApis: string[]): Threshold[];
  buildOptions(settings: Settings, readApis: string[]): K6Options;
  thinkTimeS(settings: Settings, random: number): number;
  report(data: unknown, context: { settings: Settings; readApis: string[] }): Report;
  summarize(
    data: unknown,
    context: { settings: Settings; readApis: string[]; summaryDir: string },
  ): Record<string, string>;
  targetsOf(readApis: string[]): Record<string, string[]>;
}

const spec = loadScenarioSpec();
const APIS = [...spec.read_apis, 'send'];
let k6: Modules;

/** Imports the lib modules from Node, once; only the suites that use them, so a syntax error fails its own test. */
async function loadModules(): Promise<void> {
  if (k6 !== undefined) return;
  // config.js reads k6's __ENV; the others are pure.
  Object.assign(globalThis, { __ENV: { BASE_URL: 'http://gateway:8080/', HAPI_URL: 'http://a:1, http://b:2/' } });
  const load = async (file: string) => (await import(pathToFileURL(resolve(k6Dir, file)).href)) as Partial<Modules>;
  k6 = Object.assign(
    {},
    ...(await Promise.all(['lib/settings.js', 'lib/options.js', 'lib/summary.js', 'lib/config.js'].map(load))),
  ) as Modules;
}

/** A profile as the spec writes it: the defaults, then the profile's own values. */
const profile = (name: string): Settings => ({ ...spec.defaults, ...spec.profiles[name] });
const round = (value: number) => Math.round(value * 1000) / 1000;

/** The thresholds k6 must hold for a profile, spelt out from the spec's numbers. */
function expectedThresholds(p: Settings): Record<string, string[]> {
  const n = (key: string) => Number(p[key]);
  const expected: Record<string, string[]> = {};
  for (const api of APIS) {
    const share = api === 'send' ? n('send_ratio') : (1 - n('send_ratio')) / spec.read_apis.length;
    const minRps =
      p.mode === 'users'
        ? n(api === 'send' ? 'min_send_rps' : 'min_read_rps')
        : round(n('rate') * share * n('min_rate_fraction'));
    expected[`http_req_duration{api:${api}}`] = [`p(95)<${n('p95_ms')}`, `p(99)<${n('p99_ms')}`];
    expected[`http_req_failed{api:${api}}`] = [`rate<=${n('max_error_rate')}`];
    expected[`request_errors{api:${api}}`] = [`rate<=${n('max_error_rate')}`];
    expected[`http_reqs{api:${api}}`] = [`rate>${minRps}`];
  }
  if (p.mode === 'arrival')
    expected.dropped_iterations = [`rate<${round(Math.max(n('rate') * n('max_dropped_fraction'), 1))}`];
  return expected;
}

function optionsFor(env: Record<string, string>) {
  const settings = k6.resolveSettings(spec, env);
  return { settings, options: k6.buildOptions(settings, spec.read_apis) };
}

describe('the k6 scripts', () => {
  for (const file of jsFiles) {
    it(`${file} parses as an ES module`, () => {
      // Syntax only: nothing runs, and k6's own modules (k6/http) need not resolve.
      const check = spawnSync(process.execPath, ['--input-type=module', '--check'], {
        input: readFileSync(resolve(k6Dir, file)),
        encoding: 'utf8',
      });
      assert.equal(check.status, 0, `${file}:\n${check.stderr}`);
    });
  }

  it('scenario.js loads exactly scenario.json and the lib modules, and imports nothing but k6 besides', () => {
    const loaded = scriptFiles(resolve(k6Dir, 'scenario.js')).map((path) => path.slice(k6Dir.length + 1));
    assert.deepEqual(loaded.sort(), [...jsFiles, 'scenario.json'].sort());
    for (const file of jsFiles) {
      const source = readFileSync(resolve(k6Dir, file), 'utf8');
      for (const [, name] of source.matchAll(/\bfrom\s*'([^']+)'/g)) {
        assert.ok(
          name?.startsWith('./') || name?.startsWith('../') || /^k6(\/|$)/.test(name ?? ''),
          `${file} imports ${name}`,
        );
      }
    }
  });
});

describe('the k6 options, from k6/scenario.json', () => {
  before(loadModules);

  it('default: the ramp profile, 1000 users in 10 s then held, and its thresholds per API', () => {
    const { settings, options } = optionsFor({});
    const p = profile('ramp');
    assert.equal(settings.profile, 'ramp');
    assert.deepEqual(Object.keys(options.scenarios), ['ramp']);
    assert.equal(options.scenarios.ramp?.executor, 'ramping-vus');
    assert.deepEqual(options.scenarios.ramp?.stages, [
      { duration: `${p.ramp_s}s`, target: p.users },
      { duration: `${p.hold_s}s`, target: p.users },
    ]);
    assert.deepEqual((options.scenarios.ramp?.stages as unknown[] | undefined)?.[0], { duration: '10s', target: 1000 });
    assert.deepEqual(options.thresholds, expectedThresholds(p));
    assert.deepEqual(options.thresholds['http_req_duration{api:fastify}'], ['p(95)<1000', 'p(99)<2000']);
    assert.deepEqual(options.thresholds['request_errors{api:send}'], ['rate<=0.01']);
    assert.equal(options.thresholds.dropped_iterations, undefined);
  });

  it('SCENARIO=smoke: its own users, stages and no error allowed', () => {
    const { options } = optionsFor({ SCENARIO: 'smoke' });
    const p = profile('smoke');
    assert.equal(options.scenarios.smoke?.executor, 'ramping-vus');
    assert.deepEqual(options.scenarios.smoke?.stages, [
      { duration: `${p.ramp_s}s`, target: p.users },
      { duration: `${p.hold_s}s`, target: p.users },
    ]);
    assert.deepEqual(options.thresholds, expectedThresholds(p));
    assert.deepEqual(options.thresholds['http_req_failed{api:hapi}'], ['rate<=0']);
    assert.deepEqual(options.thresholds['request_errors{api:hapi}'], ['rate<=0']);
  });

  it('SCENARIO=arrival RATE=800: a constant arrival rate, each API held to its share of it, few iterations dropped', () => {
    const { settings, options } = optionsFor({ SCENARIO: 'arrival', RATE: '800' });
    const p: Settings = { ...profile('arrival'), rate: 800 };
    assert.equal(settings.rate, 800);
    assert.deepEqual(options.scenarios.arrival, {
      executor: 'constant-arrival-rate',
      rate: 800,
      timeUnit: '1s',
      duration: `${p.hold_s}s`,
      preAllocatedVUs: 160,
      maxVUs: p.max_users,
      gracefulStop: '10s',
    });
    assert.deepEqual(options.thresholds, expectedThresholds(p));
    assert.deepEqual(options.thresholds['http_reqs{api:restify}'], ['rate>216']);
    assert.deepEqual(options.thresholds['http_reqs{api:send}'], ['rate>72']);
    assert.deepEqual(options.thresholds.dropped_iterations, ['rate<8']);
    assert.equal(k6.thinkTimeS(settings, 0.5), 0, 'no think time at a fixed rate');
  });

  it('USERS=50 THINK_MIN_S=0 THINK_MAX_S=0: the ramp profile with 50 users and no think time', () => {
    const { settings, options } = optionsFor({ USERS: '50', THINK_MIN_S: '0', THINK_MAX_S: '0' });
    const p = profile('ramp');
    assert.deepEqual(options.scenarios.ramp?.stages, [
      { duration: `${p.ramp_s}s`, target: 50 },
      { duration: `${p.hold_s}s`, target: 50 },
    ]);
    assert.deepEqual(options.thresholds, expectedThresholds({ ...p, users: 50 }));
    assert.equal(k6.thinkTimeS(settings, 0.99), 0);
    const ramp = k6.resolveSettings(spec, {});
    assert.equal(k6.thinkTimeS(ramp, 0), p.think_min_s);
    assert.equal(k6.thinkTimeS(ramp, 0.5), (Number(p.think_min_s) + Number(p.think_max_s)) / 2);
  });

  it('a wrong environment throws, naming the variable', () => {
    assert.throws(() => k6.resolveSettings(spec, { RATE: '800' }), /^Error: RATE does not apply to the ramp profile$/);
    assert.throws(() => k6.resolveSettings(spec, { USERS: '-5' }), /^Error: USERS must be a number >= 0, got "-5"$/);
    assert.throws(
      () => k6.resolveSettings(spec, { HOLD_S: 'long' }),
      /^Error: HOLD_S must be a number >= 0, got "long"$/,
    );
    const profiles = Object.keys(spec.profiles).join(', ');
    assert.throws(() => k6.resolveSettings(spec, { SCENARIO: 'soak' }), {
      message: `SCENARIO must be one of ${profiles}, got "soak"`,
    });
    assert.throws(
      () => k6.resolveSettings(spec, { THINK_MIN_S: '2' }),
      /THINK_MAX_S \(1\.5\) must be >= THINK_MIN_S \(2\)/,
    );
  });
});

describe('the k6 summary', () => {
  before(loadModules);

  /** handleSummary's data as k6 gives it: every threshold rule of the options passed, but for those named. */
  function summaryData(options: K6Options, failing: [string, string][]) {
    const metrics: Record<string, { values: Record<string, number>; thresholds: Record<string, { ok: boolean }> }> = {};
    for (const [metric, rules] of Object.entries(options.thresholds)) {
      const ok = (rule: string) => !failing.some(([m, r]) => m === metric && r === rule);
      metrics[metric] = { values: {}, thresholds: Object.fromEntries(rules.map((rule) => [rule, { ok: ok(rule) }])) };
    }
    return { metrics, state: { testRunDurationMs: 310_000 } };
  }

  it('reports the resolved settings and each threshold by the name both runners use', () => {
    const { settings, options } = optionsFor({});
    const data = summaryData(options, [
      ['http_req_duration{api:hapi}', 'p(99)<2000'],
      ['request_errors{api:send}', 'rate<=0.01'],
    ]);
    const report = k6.report(data, { settings, readApis: spec.read_apis });
    assert.deepEqual(report.settings, settings);
    const names = k6.thresholdsOf(settings, spec.read_apis).map((t) => t.name);
    assert.deepEqual(Object.keys(report.thresholds), names);
    const failed = Object.entries(report.thresholds)
      .filter(([, ok]) => !ok)
      .map(([name]) => name);
    assert.deepEqual(failed, ['hapi p99_ms < 2000', 'send error_rate <= 0.01']);
    assert.equal(report.ok, false);

    const files = k6.summarize(data, { settings, readApis: spec.read_apis, summaryDir: '/out' });
    assert.deepEqual(Object.keys(files).sort(), ['/out/report.json', '/out/summary.json', 'stdout']);
    assert.match(files.stdout ?? '', /FAIL hapi p99_ms < 2000/);
    assert.match(files.stdout ?? '', /THRESHOLDS CROSSED: hapi p99_ms < 2000; send error_rate <= 0\.01/);
    assert.deepEqual(JSON.parse(files['/out/report.json'] ?? '{}').settings, settings);
    assert.deepEqual(Object.keys(k6.summarize(data, { settings, readApis: spec.read_apis, summaryDir: '' })), [
      'stdout',
    ]);
  });

  it('counts a rule k6 did not report as failed', () => {
    const { settings, options } = optionsFor({ SCENARIO: 'arrival' });
    const data = summaryData(options, []);
    delete data.metrics.dropped_iterations;
    const report = k6.report(data, { settings, readApis: spec.read_apis });
    assert.deepEqual(
      Object.entries(report.thresholds)
        .filter(([, ok]) => !ok)
        .map(([name]) => name),
      ['all dropped_per_s < 5'],
    );
  });
});

describe('the k6 targets', () => {
  before(loadModules);

  it('go through the gateway by prefix, unless an API lists its own replicas', () => {
    assert.deepEqual(k6.targetsOf(spec.read_apis), {
      send: ['http://gateway:8080/producer'],
      fastify: ['http://gateway:8080/fastify'],
      hapi: ['http://a:1', 'http://b:2'],
      restify: ['http://gateway:8080/restify'],
    });
  });
});
