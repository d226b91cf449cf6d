import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { renderNativeConfig, rulesDir, swarmConfigPath } from '../../src/index.js';
import { promtool } from './promtool.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'badam-prometheus-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the Docker deployments’ config passes promtool check config, rules included', () => {
  const { code, output } = promtool('check', 'config', swarmConfigPath);
  assert.equal(code, 0, output);
  assert.match(output, /SUCCESS: \d+ rules found/);
});

test('the rendered native config passes promtool check config', (t) => {
  const file = join(tempDir(t), 'prometheus.yml');
  writeFileSync(
    file,
    renderNativeConfig({
      services: new Map([
        ['fastify', [18211, 18212]],
        ['consumer', [18241]],
      ]),
    }),
  );
  const { code, output } = promtool('check', 'config', file);
  assert.equal(code, 0, output);
});

test('the native config has one target per replica, labelled with its service and replica', () => {
  const config = parse(
    renderNativeConfig({
      services: new Map([['hapi', [18221, 18222]]]),
      extraJobs: [{ job: 'gateway', address: '127.0.0.1:18001' }],
    }),
  );
  const hapi = config.scrape_configs.find((job: { job_name: string }) => job.job_name === 'hapi');
  assert.deepEqual(hapi.static_configs, [
    { targets: ['127.0.0.1:18221'], labels: { service: 'hapi', replica: '1' } },
    { targets: ['127.0.0.1:18222'], labels: { service: 'hapi', replica: '2' } },
  ]);
  assert.equal(hapi.honor_labels, true);
  assert.ok(config.scrape_configs.some((job: { job_name: string }) => job.job_name === 'gateway'));
  assert.deepEqual(config.rule_files, [join(rulesDir, '*.yml')]);
});

test('the rule files pass promtool check rules', () => {
  const { code, output } = promtool('check', 'rules', join(rulesDir, 'recording.yml'), join(rulesDir, 'alerts.yml'));
  assert.equal(code, 0, output);
});

test('promtool check rules fails on a broken copy of each rule file (the check is real)', (t) => {
  const dir = tempDir(t);
  const breakages: Record<string, [good: string, broken: string]> = {
    'recording.yml': [
      'sum by (result) (rate(badam_consumer_messages_total[1m]))',
      'sum by (result (rate(badam_consumer_messages_total[1m]))',
    ],
    'alerts.yml': ['expr: up == 0', 'expr: up === 0'],
  };
  for (const [name, [good, broken]] of Object.entries(breakages)) {
    const original = readFileSync(join(rulesDir, name), 'utf8');
    assert.ok(original.includes(good), `${name} no longer contains ${good}; update this test`);
    const copy = join(dir, name);
    writeFileSync(copy, original.replace(good, broken));
    const { code, output } = promtool('check', 'rules', copy);
    assert.notEqual(code, 0, `promtool accepted a broken ${name}:\n${output}`);
  }
});

const ruleTests = ['alerts.test.yml', 'read-model.test.yml', 'dead-letters.test.yml'].map((name) =>
  join(rulesDir, '../tests', name),
);

test('the alerts fire on the conditions they describe (promtool test rules)', () => {
  const { code, output } = promtool('test', 'rules', ...ruleTests);
  assert.equal(code, 0, output);
  for (const file of ruleTests)
    assert.ok(output.includes(`Unit Testing:  ${file}`), `promtool did not run ${file}:\n${output}`);
});

type Breakage = [file: string, good: string, broken: string];

/** Runs one rule test file against copies of the rule files, each broken in turn: every run must fail. */
function assertRuleTestsCatch(t: { after(fn: () => void): void }, testName: string, breakages: Breakage[]) {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'rules'));
  mkdirSync(join(dir, 'tests'));
  const testFile = join(dir, 'tests', testName);
  copyFileSync(join(rulesDir, '../tests', testName), testFile);
  for (const [name, good, broken] of breakages) {
    for (const file of ['recording.yml', 'alerts.yml']) {
      const original = readFileSync(join(rulesDir, file), 'utf8');
      if (file === name) assert.ok(original.includes(good), `${name} no longer contains ${good}; update this test`);
      writeFileSync(join(dir, 'rules', file), file === name ? original.replace(good, broken) : original);
    }
    const { code, output } = promtool('test', 'rules', testFile);
    assert.notEqual(code, 0, `promtool test rules passed with ${broken} in ${name}:\n${output}`);
  }
}

test('promtool test rules fails when a read model rule is weakened (the rule tests are real)', (t) => {
  assertRuleTestsCatch(t, 'read-model.test.yml', [
    // Fires later, or not at all, when the store fails.
    ['alerts.yml', 'badam:read_model_fallback_ratio:rate1m > 0.5', 'badam:read_model_fallback_ratio:rate1m > 0.95'],
    // A busy consumer, refreshing its batches, counts as behind.
    ['alerts.yml', 'unless on (service, instance)', 'or on (service, instance)'],
    // No series for an api without fallbacks.
    [
      'recording.yml',
      '(sum by (api) (badam:read_model_reads:rate1m{result="fallback"}) or sum by (api) (badam:read_model_reads:rate1m) * 0)',
      'sum by (api) (badam:read_model_reads:rate1m{result="fallback"})',
    ],
  ]);
});

test('promtool test rules fails when a dead-letter or stuck-consumer rule is weakened (the rule tests are real)', (t) => {
  assertRuleTestsCatch(t, 'dead-letters.test.yml', [
    // increase() alone: a consumer's first dead letters (a series born at 1) never fire.
    [
      'alerts.yml',
      'unless badam_consumer_dead_letters_total offset 10m',
      'and badam_consumer_dead_letters_total offset 10m',
    ],
    // The gauge as it is, per task: a consumer Swarm replaces every 90 s while stuck never fires.
    [
      'alerts.yml',
      'max by (service) (max_over_time(badam_consumer_failing_seconds[5m])) > 60',
      'max by (service, instance) (badam_consumer_failing_seconds) > 60',
    ],
  ]);
});
