// handleSummary: a table per API on stdout, and with SUMMARY_DIR, report.json (the figures below, for the runner and
// the smoke test) and summary.json (k6's whole summary).
import { DURATION, GROUPS, RATE, SUMMARY_DIR, THINK_MAX, THINK_MIN, VUS } from './config.js';

const round = (value, digits = 2) => (typeof value === 'number' ? Number(value.toFixed(digits)) : null);

function apiFigures(data, api) {
  const metric = (name) => data.metrics[`${name}{api:${api}}`]?.values ?? {};
  const duration = metric('http_req_duration');
  const reqs = metric('http_reqs');
  const failed = metric('http_req_failed');
  return {
    requests: reqs.count ?? 0,
    rps: round(reqs.rate ?? 0, 1),
    p50_ms: round(duration.med),
    p95_ms: round(duration['p(95)']),
    p99_ms: round(duration['p(99)']),
    max_ms: round(duration.max),
    errors: failed.passes ?? 0,
    error_rate: round(failed.rate ?? 0, 4),
  };
}

export function report(data, { apis, scenario }) {
  const thresholds = {};
  for (const [name, metric] of Object.entries(data.metrics)) {
    for (const [rule, result] of Object.entries(metric.thresholds ?? {})) thresholds[`${name} ${rule}`] = result.ok;
  }
  const value = (name, key) => data.metrics[name]?.values?.[key] ?? 0;
  return {
    scenario,
    settings: { vus: VUS, duration: DURATION, groups: GROUPS, think_s: [THINK_MIN, THINK_MAX], rate: scenario === 'arrival' ? RATE : null },
    duration_s: round(data.state.testRunDurationMs / 1000, 1),
    apis: Object.fromEntries(apis.map((api) => [api, apiFigures(data, api)])),
    total_rps: round(apis.reduce((sum, api) => sum + (value(`http_reqs{api:${api}}`, 'rate')), 0), 1),
    iterations: value('iterations', 'count'),
    dropped_iterations: value('dropped_iterations', 'count'),
    sends_accepted: value('sends_accepted', 'count'),
    checks_rate: round(value('checks', 'rate'), 4),
    thresholds,
    ok: Object.values(thresholds).every(Boolean),
  };
}

function table(r) {
  const cols = ['api', 'requests', 'rps', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors'];
  const rows = Object.entries(r.apis).map(([api, f]) => [
    api,
    String(f.requests),
    String(f.rps),
    String(f.p50_ms),
    String(f.p95_ms),
    String(f.p99_ms),
    String(f.max_ms),
    `${f.errors} (${(f.error_rate * 100).toFixed(2)} %)`,
  ]);
  const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  const out = [
    '',
    `badam load: ${r.scenario}, ` +
      (r.settings.rate === null ? `${r.settings.vus} VUs` : `${r.settings.rate} iterations/s`) +
      `, ${r.duration_s} s, ${r.settings.groups} groups`,
    '',
    line(cols),
    ...rows.map(line),
    '',
    `total ${r.total_rps} req/s, ${r.iterations} iterations (${r.dropped_iterations} dropped), ` +
      `${r.sends_accepted} sends accepted, checks ${(r.checks_rate * 100).toFixed(2)} %`,
    '',
    ...Object.entries(r.thresholds).sort(([a], [b]) => a.localeCompare(b)).map(([name, ok]) => `  ${ok ? 'ok  ' : 'FAIL'} ${name}`),
    '',
    r.ok ? 'all thresholds passed' : 'THRESHOLDS FAILED',
    '',
  ];
  return out.join('\n');
}

export function summarize(data, context) {
  const r = report(data, context);
  const files = { stdout: table(r) };
  if (SUMMARY_DIR !== '') {
    files[`${SUMMARY_DIR}/report.json`] = JSON.stringify(r, null, 2);
    files[`${SUMMARY_DIR}/summary.json`] = JSON.stringify(data, null, 2);
  }
  return files;
}
