// k6's options for one run: the profile's scenario and the spec's thresholds (lib/settings.js), as k6 spells them.
// Pure: no k6 module, so deployment/test/unit/k6-script.test.ts imports it from Node.
import { thresholdsOf } from './settings.js';

/**
 * The k6 rules that enforce one threshold of thresholdsOf, as [metric, expression] pairs. Per API on tagged requests,
 * never on the average. k6's http_req_failed judges the status only; request_errors (scenario.js) also counts a wrong
 * body, as the spec and Locust do.
 */
export function k6Rules({ api, stat, limit }) {
  switch (stat) {
    case 'p95_ms':
      return [[`http_req_duration{api:${api}}`, `p(95)<${limit}`]];
    case 'p99_ms':
      return [[`http_req_duration{api:${api}}`, `p(99)<${limit}`]];
    case 'error_rate':
      return [
        [`http_req_failed{api:${api}}`, `rate<=${limit}`],
        [`request_errors{api:${api}}`, `rate<=${limit}`],
      ];
    case 'rps':
      return [[`http_reqs{api:${api}}`, `rate>${limit}`]];
    case 'dropped_per_s':
      // A rate is sustained only if k6 could start (nearly) every iteration it was asked for.
      return [['dropped_iterations', `rate<${limit}`]];
    default:
      throw new Error(`no k6 rule for the threshold stat "${stat}"`);
  }
}

function scenarioOf(settings) {
  if (settings.mode === 'users') {
    return {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: `${settings.ramp_s}s`, target: settings.users },
        { duration: `${settings.hold_s}s`, target: settings.users },
      ],
      gracefulRampDown: '10s',
      gracefulStop: '10s',
    };
  }
  // Iterations start at the rate whether or not earlier ones finished, each on a VU from a pool that grows up to
  // max_users; starting with a fifth of the rate avoids allocating VUs mid-run, but never more than may run at all.
  return {
    executor: 'constant-arrival-rate',
    rate: settings.rate,
    timeUnit: '1s',
    duration: `${settings.hold_s}s`,
    preAllocatedVUs: Math.min(Math.max(Math.ceil(settings.rate / 5), 10), 500, settings.max_users),
    maxVUs: settings.max_users,
    gracefulStop: '10s',
  };
}

/** The options scenario.js exports: one scenario named after the profile, and every threshold of the spec. */
export function buildOptions(settings, readApis) {
  const thresholds = {};
  for (const threshold of thresholdsOf(settings, readApis)) {
    // Not ??=: k6's JavaScript engine (Sobek) has not always parsed logical assignment.
    for (const [metric, expression] of k6Rules(threshold))
      thresholds[metric] = [...(thresholds[metric] ?? []), expression];
  }
  return {
    scenarios: { [settings.profile]: scenarioOf(settings) },
    thresholds,
    summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max', 'count'],
  };
}

/**
 * Seconds a user thinks after each iteration, uniform in [think_min_s, think_max_s] (random in [0, 1)). None at a
 * fixed arrival rate: there k6 paces the iterations itself.
 */
export function thinkTimeS(settings, random) {
  if (settings.mode !== 'users') return 0;
  return settings.think_min_s + random * (settings.think_max_s - settings.think_min_s);
}
