import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LOCUST_PYTHON } from '../../src/locust.js';
import {
  loadScenarioSpec,
  type ScenarioSettingsValues,
  type ScenarioSpec,
  type ScenarioThreshold,
} from '../../src/scenario-spec.js';
import { repoRoot } from '@badam/stack/paths';

// One scenario spec (k6/scenario.json), two runners: k6 resolves it in k6/lib/settings.js, Locust in
// k6/locust/settings.py. Both must run exactly what the spec says, for the defaults and for every kind of override.

type Settings = ScenarioSettingsValues;
type Spec = ScenarioSpec;
type Threshold = ScenarioThreshold;

const spec = loadScenarioSpec();
const k6Settings = (await import(pathToFileURL(join(repoRoot, 'k6/lib/settings.js')).href)) as {
  resolveSettings(spec: Spec, env: Record<string, string>): Settings;
  thresholdsOf(settings: Settings, readApis: string[]): Threshold[];
};

interface LocustEffective {
  settings: Settings;
  thresholds: Threshold[];
  shape: { start: [number, number]; last: [number, number]; after: null; end_s: number };
  pacing: { think_s?: [number, number]; users?: number; interval_s?: number };
  timeout_s: [number, number];
}

/** What the locustfile itself will run (its shape, pacing and timeouts), not only its settings module. */
function locustEffective(env: Record<string, string>): LocustEffective {
  const out = execFileSync(LOCUST_PYTHON, ['effective_settings.py'], {
    cwd: join(repoRoot, 'k6/locust'),
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
  });
  return JSON.parse(out) as LocustEffective;
}

function locustError(env: Record<string, string>): string {
  try {
    execFileSync(LOCUST_PYTHON, ['settings.py'], {
      cwd: join(repoRoot, 'k6/locust'),
      env: { PATH: process.env.PATH, ...env },
      stdio: 'pipe',
    });
  } catch (error) {
    return String((error as { stderr: Buffer }).stderr);
  }
  return '';
}

/** The spec's profile as written, with the spec's defaults under it and the overrides on top. */
function expected(profile: string, overrides: Settings = {}): Settings {
  const { $comment: _, ...values } = spec.profiles[profile]!;
  return { profile, ...spec.defaults, ...values, ...overrides };
}

const CASES: { env: Record<string, string>; expect: Settings }[] = [
  { env: {}, expect: expected('ramp') },
  { env: { SCENARIO: 'smoke' }, expect: expected('smoke') },
  { env: { SCENARIO: 'arrival', RATE: '800' }, expect: expected('arrival', { rate: 800 }) },
  {
    env: { USERS: '50', THINK_MIN_S: '0', THINK_MAX_S: '0', GROUPS: '2000', P95_MS: '250' },
    expect: expected('ramp', { users: 50, think_min_s: 0, think_max_s: 0, groups: 2000, p95_ms: 250 }),
  },
  {
    env: { SCENARIO: 'arrival', RATE: '2500', HOLD_S: '45', SEND_RATIO: '0.25' },
    expect: expected('arrival', { rate: 2500, hold_s: 45, send_ratio: 0.25 }),
  },
];

describe('the load scenario spec, as both runners read it', () => {
  it('is the assignment by default: 1000 users in 10 s, 1,000,000 groups, 10 % sends, think 0.5-1.5 s', () => {
    const settings = k6Settings.resolveSettings(spec, {});
    assert.deepEqual(
      [
        settings.users,
        settings.ramp_s,
        settings.groups,
        settings.send_ratio,
        settings.think_min_s,
        settings.think_max_s,
      ],
      [1000, 10, 1_000_000, 0.1, 0.5, 1.5],
    );
    assert.deepEqual(spec.read_apis, ['fastify', 'hapi', 'restify']);
  });

  for (const { env, expect } of CASES) {
    it(`resolves ${JSON.stringify(env)} to the same settings and thresholds in k6 and in Locust`, () => {
      const k6 = k6Settings.resolveSettings(spec, env);
      assert.deepEqual(k6, expect);
      const locust = locustEffective(env);
      assert.deepEqual(locust.settings, expect);
      assert.deepEqual(locust.thresholds, k6Settings.thresholdsOf(k6, spec.read_apis));
      // 4 per API, and the unstarted-rate limit at a fixed arrival rate.
      assert.equal(locust.thresholds.length, 16 + (expect.mode === 'arrival' ? 1 : 0));
    });

    it(`runs ${JSON.stringify(env)} on Locust with the spec's shape, pacing and timeouts`, () => {
      const { shape, pacing, timeout_s } = locustEffective(env);
      assert.deepEqual(timeout_s, [expect.request_timeout_s, expect.request_timeout_s]);
      assert.equal(shape.after, null, 'the run ends after its hold (and the drain)');
      if (expect.mode === 'users') {
        const users = expect.users as number;
        assert.equal(shape.end_s, (expect.ramp_s as number) + (expect.hold_s as number));
        assert.deepEqual(
          shape.start,
          [users, users / (expect.ramp_s as number)],
          'linear ramp to every user in ramp_s',
        );
        assert.deepEqual(shape.last, shape.start);
        assert.deepEqual(pacing.think_s, [expect.think_min_s, expect.think_max_s]);
      } else {
        assert.equal(shape.end_s, expect.hold_s);
        assert.ok(pacing.users! <= (expect.max_users as number));
        assert.ok(
          Math.abs(pacing.users! / pacing.interval_s! - (expect.rate as number)) < 1e-6,
          'users x their pace = the rate',
        );
      }
    });
  }

  it('names every threshold the same way on both runners', () => {
    const names = k6Settings
      .thresholdsOf(k6Settings.resolveSettings(spec, { SCENARIO: 'arrival', RATE: '1000' }), spec.read_apis)
      .map((t) => t.name);
    assert.ok(names.includes('fastify p95_ms < 100'));
    assert.ok(names.includes('send rps > 90'), 'sends: 10 % of 1000/s, at 90 %');
    assert.ok(names.includes('hapi rps > 270'), 'reads: a third of 90 % of 1000/s, at 90 %');
    assert.ok(names.includes('all dropped_per_s < 10'));
  });

  for (const [env, message] of [
    [{ SCENARIO: 'soak' }, /SCENARIO must be one of ramp, smoke, arrival/],
    [{ RATE: '800' }, /RATE does not apply to the ramp profile/],
    [{ USERS: '-5' }, /USERS must be a number >= 0/],
    [{ SCENARIO: 'smoke', THINK_MIN_S: '2' }, /THINK_MAX_S \(1.5\) must be >= THINK_MIN_S \(2\)/],
  ] as const) {
    it(`refuses ${JSON.stringify(env)} in both runners, naming the variable`, () => {
      assert.throws(() => k6Settings.resolveSettings(spec, env), message);
      assert.match(locustError(env), message);
    });
  }
});
