// The assignment's load scenario: users enter, each picks a random group per iteration, reads its latest messages
// (90 %) from the app its user id selects (id mod 3: fastify, hapi, restify) or sends "Hello from <id>" (10 %).
//   .tools/bin/k6 run k6/scenario.js                                   # 1000 VUs in 10 s, then 5 min, via the gateway
//   .tools/bin/k6 run -e DURATION=30s -e VUS=50 -e RATE_MIN=10 -e SEND_RATE_MIN=2 k6/scenario.js   # smoke
//   .tools/bin/k6 run -e THINK=0 k6/scenario.js                        # stress: no think time
//   .tools/bin/k6 run -e SCENARIO=arrival -e RATE=800 k6/scenario.js   # fixed arrival rate; p95 < 100 ms
// Every setting is in lib/config.js; `npm run load` runs this against the native stack and reconciles the table.
import http from 'k6/http';
import { check, sleep } from 'k6';
import { Counter } from 'k6/metrics';
import {
  DURATION,
  GROUPS,
  MAX_ERROR_RATE,
  MAX_VUS,
  P95_MS,
  P99_MS,
  PRE_VUS,
  RAMP,
  RATE,
  RATE_MIN,
  READ_APIS,
  RECORD_SENDS,
  REQUEST_TIMEOUT,
  SCENARIO,
  SEND_RATE_MIN,
  SEND_RATIO,
  TARGETS,
  THINK_MAX,
  THINK_MIN,
  VUS,
} from './lib/config.js';
import { summarize } from './lib/summary.js';

const APIS = [...READ_APIS, 'send'];
const sendsAccepted = new Counter('sends_accepted');

// The thresholds are the specification (read them first). Per API, on tagged requests; never on the average.
const thresholds = {
  // Every response's status and body, so an error page answered 200 still fails the run.
  checks: [`rate>=${1 - MAX_ERROR_RATE}`],
};
for (const api of APIS) {
  thresholds[`http_req_duration{api:${api}}`] = [`p(95)<${P95_MS}`, `p(99)<${P99_MS}`];
  thresholds[`http_req_failed{api:${api}}`] = [`rate<=${MAX_ERROR_RATE}`];
  thresholds[`http_reqs{api:${api}}`] = [`rate>${api === 'send' ? SEND_RATE_MIN : RATE_MIN}`];
}
if (SCENARIO === 'arrival') {
  // A rate is sustained only if k6 could start (nearly) every iteration it was asked for.
  thresholds.dropped_iterations = [`rate<${Math.max(RATE * 0.01, 1)}`];
}

const scenarios = {
  ramp: {
    executor: 'ramping-vus',
    startVUs: 0,
    stages: [
      { duration: RAMP, target: VUS },
      { duration: DURATION, target: VUS },
    ],
    gracefulRampDown: '10s',
    gracefulStop: '10s',
  },
  arrival: {
    executor: 'constant-arrival-rate',
    rate: RATE,
    timeUnit: '1s',
    duration: DURATION,
    preAllocatedVUs: PRE_VUS,
    maxVUs: Math.max(MAX_VUS, PRE_VUS),
    gracefulStop: '10s',
  },
};

export const options = {
  scenarios: { [SCENARIO]: scenarios[SCENARIO] },
  thresholds,
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max', 'count'],
  // Keep-alive connections per VU, as browsers and app clients hold them.
  noConnectionReuse: false,
};

/** Fails fast, before any load, if a target does not answer. */
export function setup() {
  const problems = [];
  for (const api of READ_APIS) {
    for (const url of TARGETS[api]) {
      const res = http.get(`${url}/groups/1/messages`, { tags: { api: 'setup' }, timeout: REQUEST_TIMEOUT });
      if (res.status !== 200) problems.push(`${api} ${url}: ${res.status} ${res.error ?? ''}`);
    }
  }
  for (const url of TARGETS.send) {
    // An invalid body: the producer answers 400 without producing anything (the gateway routes POST only, so the
    // producer's GET /health is not reachable through it), and the reconciliation's count stays exact.
    const res = http.post(`${url}/messages`, '{}', {
      headers: { 'content-type': 'application/json' },
      tags: { api: 'setup' },
      timeout: REQUEST_TIMEOUT,
    });
    if (res.status !== 400) problems.push(`producer ${url}/messages: ${res.status} ${res.error ?? ''}`);
  }
  if (problems.length > 0) throw new Error(`targets not ready:\n  ${problems.join('\n  ')}`);
}

const pick = (list) => list[Math.floor(Math.random() * list.length)];

function readLatest(api, groupId) {
  // The name tag groups every group id under one URL: one time series per API, not one per group.
  const res = http.get(`${pick(TARGETS[api])}/groups/${groupId}/messages`, {
    tags: { api, name: `${api} GET /groups/{id}/messages` },
    timeout: REQUEST_TIMEOUT,
  });
  check(
    res,
    {
      'read: status 200': (r) => r.status === 200,
      'read: the group\'s latest messages, newest first': (r) => isPage(json(r), groupId),
    },
    { api },
  );
}

function isPage(body, groupId) {
  if (body === undefined || body.group_id !== groupId || !Array.isArray(body.messages)) return false;
  if (body.messages.length > 10 || typeof body.has_more !== 'boolean') return false;
  return body.messages.every(
    (m, i) =>
      m.group_id === groupId &&
      Number.isInteger(m.order) &&
      m.order >= 1 &&
      (i === 0 || m.order < body.messages[i - 1].order) &&
      typeof m.text === 'string' &&
      typeof m.time === 'string',
  );
}

function sendMessage(groupId) {
  const res = http.post(
    `${pick(TARGETS.send)}/messages`,
    JSON.stringify({ group_id: groupId, sender_id: __VU, text: `Hello from ${__VU}` }),
    { headers: { 'content-type': 'application/json' }, tags: { api: 'send', name: 'send POST /messages' }, timeout: REQUEST_TIMEOUT },
  );
  const body = json(res);
  const accepted = check(
    res,
    {
      'send: status 202': (r) => r.status === 202,
      'send: accepted with its partition and offset': () =>
        body !== undefined &&
        body.status === 'accepted' &&
        Number.isInteger(body.partition) &&
        Number.isInteger(body.offset) &&
        body.id === `${body.partition}-${body.offset}`,
    },
    { api: 'send' },
  );
  if (accepted) {
    sendsAccepted.add(1);
    if (RECORD_SENDS) console.log(`accepted ${groupId} ${body.partition} ${body.offset}`);
  }
}

function json(res) {
  try {
    return res.json();
  } catch {
    return undefined;
  }
}

export default function () {
  const groupId = 1 + Math.floor(Math.random() * GROUPS);
  if (Math.random() < SEND_RATIO) sendMessage(groupId);
  else readLatest(READ_APIS[__VU % READ_APIS.length], groupId);
  // Think time only in the VU scenario: at a fixed arrival rate, k6 paces the iterations itself.
  if (SCENARIO === 'ramp' && THINK_MAX > 0) sleep(THINK_MIN + Math.random() * (THINK_MAX - THINK_MIN));
}

export function handleSummary(data) {
  return summarize(data, { apis: APIS, scenario: SCENARIO });
}
