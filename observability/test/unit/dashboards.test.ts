import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse, stringify } from 'yaml';
import {
  DATASOURCE,
  dashboardQueries,
  dashboardsDir,
  observabilityRoot,
  renderDashboardFiles,
  rulesDir,
  substitute,
  type DashboardJson,
} from '../../src/index.js';
import { promtool } from './promtool.js';

const files = renderDashboardFiles();
const dashboards = [...files].map(([name, content]) => ({ name, json: JSON.parse(content) as DashboardJson }));

test('the checked-in dashboards are what the definitions generate (run `npm run dashboards -w @badam/observability`)', () => {
  for (const [name, content] of files) {
    assert.equal(readFileSync(join(dashboardsDir, name), 'utf8'), content, `grafana/dashboards/${name} is out of date`);
  }
});

test('every panel has a title, a unit and at least one non-empty query', () => {
  for (const { name, json } of dashboards) {
    assert.ok(json.panels.length > 0, name);
    assert.equal(new Set(json.panels.map((panel) => panel.id)).size, json.panels.length, `${name}: panel ids repeat`);
    for (const panel of json.panels) {
      assert.ok(panel.title.trim() !== '', `${name}: a panel without a title`);
      assert.ok(panel.fieldConfig.defaults.unit, `${name} / ${panel.title}: no unit`);
      assert.ok(panel.targets.length > 0, `${name} / ${panel.title}: no query`);
      for (const target of panel.targets) assert.ok(target.expr.trim() !== '', `${name} / ${panel.title}: empty expr`);
    }
  }
});

test('panels are laid out two to a row, 12 columns by 8 rows each, in definition order', () => {
  for (const { name, json } of dashboards) {
    json.panels.forEach((panel, index) => {
      const expected = { x: (index % 2) * 12, y: Math.floor(index / 2) * 8, w: 12, h: 8 };
      assert.deepEqual(panel.gridPos, expected, `${name} / ${panel.title}`);
    });
  }
});

test('every query of the service dashboard is filtered by the service variable', () => {
  const service = dashboards.find((d) => d.name === 'service.json')?.json;
  assert.ok(service);
  assert.deepEqual(
    service.templating.list.map((v) => v.name),
    ['service'],
  );
  for (const panel of service.panels) {
    for (const target of panel.targets) assert.match(target.expr, /service="\$service"/, panel.title);
  }
});

test('every query parses as PromQL once Grafana variables are substituted (promtool check rules)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'badam-dashboards-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const rules = dashboards.flatMap(({ json }) => dashboardQueries(json, { service: 'fastify' }));
  const file = join(dir, 'dashboard-queries.yml');
  // Each query as a recording rule: promtool then parses them all without a server.
  writeFileSync(
    file,
    stringify({
      groups: [{ name: 'dashboards', rules: rules.map((r, i) => ({ record: `dashboard:query_${i}`, expr: r.expr })) }],
    }),
  );
  const { code, output } = promtool('check', 'rules', file);
  assert.equal(code, 0, output);
});

test('every badam: series the dashboards and the alerts read is a recording rule', () => {
  const rules = (name: string) =>
    (
      parse(readFileSync(join(rulesDir, name), 'utf8')) as { groups: { rules: { record?: string; expr: string }[] }[] }
    ).groups.flatMap((group) => group.rules);
  const recorded = new Set(rules('recording.yml').flatMap((rule) => (rule.record === undefined ? [] : [rule.record])));
  const readers = [
    ...dashboards.flatMap(({ name, json }) =>
      dashboardQueries(json, { service: 'fastify' }).map((q) => ({ where: `${name} / ${q.panel}`, expr: q.expr })),
    ),
    ...rules('alerts.yml').map((rule) => ({ where: 'alerts.yml', expr: rule.expr })),
  ];
  const read = readers.flatMap(({ where, expr }) =>
    (expr.match(/badam:[a-zA-Z0-9_:]+/g) ?? []).map((name) => ({ where, name })),
  );
  assert.ok(
    read.some(({ name }) => name === 'badam:read_model_fallback_ratio:rate1m'),
    'no reader found: the pattern is wrong',
  );
  assert.deepEqual(
    read.filter(({ name }) => !recorded.has(name)),
    [],
    'series read but never recorded',
  );
});

// biome-ignore lint/suspicious/noTemplateCurlyInString: ${name} is Grafana's variable syntax, the subject of the test
test('substitute replaces $name, ${name} and $__rate_interval, and refuses unknown variables', () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, as above
  const expr = 'rate(x{service="$service",a="${a}"}[$__rate_interval])';
  assert.equal(substitute(expr, { service: 'hapi', a: '1' }), 'rate(x{service="hapi",a="1"}[1m])');
  assert.equal(substitute('rate(x[$__rate_interval])', { __rate_interval: '30s' }), 'rate(x[30s])');
  assert.throws(() => substitute('x{a="$nope"}', {}), /\$nope/);
});

test('the provisioned datasource has the uid the dashboards use', () => {
  const provisioning = parse(
    readFileSync(join(observabilityRoot, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
  );
  assert.equal(provisioning.datasources[0].uid, DATASOURCE.uid);
  assert.equal(provisioning.datasources[0].type, DATASOURCE.type);
});
