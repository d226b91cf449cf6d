// handleSummary: a table per API on stdout, and with a summary folder, report.json (the run's settings, figures and
// thresholds by name, for the runner and the smoke test) and summary.json (k6's whole summary). Pure: no k6 module.
import { k6Rules } from './options.js';
import { thresholdsOf } from './settings.js';

const round = (value, digits = 2) => (typeof value === 'number' ? Number(value.toFixed(digits)) : null);

function apiFigures(data, api) {
  const metric = (name) => data.metrics[`${name}{api:${api}}`]?.values ?? {};
  const duration = metric('http_req_duration');
  const reqs = metric('http_reqs');
  // Wrong status or wrong body (scenario.js), as the error-rate threshold counts them.
  const failed = metric('request_errors');
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

/**
 * Each threshold of the spec by the name both runners print (thresholdsOf), passed when every k6 rule behind it
 * passed. k6 lists every metric that has a threshold, sampled or not; a rule missing from its summary counts as failed.
 */
function thresholdResults(data, settings, readApis) {
  return Object.fromEntries(
    thresholdsOf(settings, readApis).map((threshold) => [
      threshold.name,
      k6Rules(threshold).every(([metric, expression]) => data.metrics[metric]?.thresholds?.[expression]?.ok === true),
    ]),
  );
}

export function report(data, { settings, readApis }) {
  const apis = [...readApis, 'send'];
  const value = (name, key) => data.metrics[name]?.values?.[key] ?? 0;
  const thresholds = thresholdResults(data, settings, readApis);
  return {
    runner: 'k6',
    scenario: settings.profile,
    settings,
    duration_s: round(data.state.testRunDurationMs / 1000, 1),
    apis: Object.fromEntries(apis.map((api) => [api, apiFigures(data, api)])),
    total_rps: round(
      apis.reduce((sum, api) => sum + value(`http_reqs{api:${api}}`, 'rate'), 0),
      1,
    ),
    iterations: value('iterations', 'count'),
    dropped_iterations: value('dropped_iterations', 'count'),
    dropped_per_s: round(value('dropped_iterations', 'rate'), 1),
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
  const line = (cells) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  const s = r.settings;
  const crossed = Object.keys(r.thresholds).filter((name) => !r.thresholds[name]);
  const out = [
    '',
    `badam load: ${r.scenario}, ` +
      (s.mode === 'users' ? `${s.users} users` : `${s.rate} iterations/s`) +
      `, ${r.duration_s} s, ${s.groups} groups`,
    '',
    line(cols),
    ...rows.map(line),
    '',
    `total ${r.total_rps} req/s, ${r.iterations} iterations (${r.dropped_iterations} dropped), ` +
      `${r.sends_accepted} sends accepted, checks ${(r.checks_rate * 100).toFixed(2)} %`,
    '',
    ...Object.entries(r.thresholds).map(([name, ok]) => `  ${ok ? 'ok  ' : 'FAIL'} ${name}`),
    '',
    crossed.length === 0 ? 'all thresholds passed' : `THRESHOLDS CROSSED: ${crossed.join('; ')}`,
    '',
  ];
  return out.join('\n');
}

/** The files handleSummary returns: the table on stdout; with summaryDir, report.json and summary.json in it. */
export function summarize(data, { settings, readApis, summaryDir }) {
  const r = report(data, { settings, readApis });
  const files = { stdout: table(r) };
  if (summaryDir !== '') {
    files[`${summaryDir}/report.json`] = JSON.stringify(r, null, 2);
    files[`${summaryDir}/summary.json`] = JSON.stringify(data, null, 2);
  }
  return files;
}
