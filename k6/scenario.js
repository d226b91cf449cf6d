// The load scenario for k6, from scenario.json (the spec Locust reads too): users enter, each picks a random group per
// iteration, reads its latest messages (1 - send_ratio) from the app its user id selects (id mod 3 over read_apis)
// or sends "<send_text_prefix><id>" (send_ratio). k6 runs only from the official grafana/k6 image (docs/DEPLOY.md):
//   docker compose --profile load run --rm k6                                  # the ramp profile, via the gateway
//   docker compose --profile load run --rm -e SCENARIO=arrival -e RATE=800 k6  # a fixed arrival rate
// SCENARIO picks the profile, the spec's env names override one setting each; lib/config.js has the target URLs.
import http from 'k6/http';
import { check, sleep } from 'k6';
import { Counter, Rate } from 'k6/metrics';
import { RECORD_SENDS, SUMMARY_DIR, targetsOf } from './lib/config.js';
import { buildOptions, thinkTimeS } from './lib/options.js';
import { resolveSettings } from './lib/settings.js';
import { summarize } from './lib/summary.js';

// Opened here, in the entry script: k6 resolves open() paths against the script that calls it.
const spec = JSON.parse(open('./scenario.json'));
const settings = resolveSettings(spec, __ENV);
const READ_APIS = spec.read_apis;
const TARGETS = targetsOf(READ_APIS);
const TIMEOUT = `${settings.request_timeout_s}s`;
const sendsAccepted = new Counter('sends_accepted');
// One sample per request, tagged by API: true when its status or its body is wrong (the spec's error rate).
const requestErrors = new Rate('request_errors');

// The thresholds are the specification: scenario.json, per API (lib/options.js spells them for k6).
export const options = buildOptions(settings, READ_APIS);

/** Fails fast, before any load, if a target does not answer. */
export function setup() {
  const problems = [];
  for (const api of READ_APIS) {
    for (const url of TARGETS[api]) {
      const res = http.get(`${url}/groups/1/messages`, { tags: { api: 'setup' }, timeout: TIMEOUT });
      if (res.status !== 200) problems.push(`${api} ${url}: ${res.status} ${res.error ?? ''}`);
    }
  }
  for (const url of TARGETS.send) {
    // An invalid body: the producer answers 400 without producing anything (the gateway routes POST only, so the
    // producer's GET /health is not reachable through it), and the reconciliation's count stays exact.
    const res = http.post(`${url}/messages`, '{}', {
      headers: { 'content-type': 'application/json' },
      tags: { api: 'setup' },
      timeout: TIMEOUT,
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
    timeout: TIMEOUT,
  });
  const ok = check(
    res,
    {
      'read: status 200': (r) => r.status === 200,
      "read: the group's latest messages, newest first": (r) => isPage(json(r), groupId),
    },
    { api },
  );
  requestErrors.add(!ok, { api });
}

function isPage(body, groupId) {
  if (body === undefined || body.group_id !== groupId || !Array.isArray(body.messages)) return false;
  if (body.messages.length > settings.read_limit || typeof body.has_more !== 'boolean') return false;
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
    JSON.stringify({ group_id: groupId, sender_id: __VU, text: `${spec.send_text_prefix}${__VU}` }),
    {
      headers: { 'content-type': 'application/json' },
      tags: { api: 'send', name: 'send POST /messages' },
      timeout: TIMEOUT,
    },
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
  requestErrors.add(!accepted, { api: 'send' });
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
  const groupId = 1 + Math.floor(Math.random() * settings.groups);
  if (Math.random() < settings.send_ratio) sendMessage(groupId);
  else readLatest(READ_APIS[__VU % READ_APIS.length], groupId);
  const think = thinkTimeS(settings, Math.random());
  if (think > 0) sleep(think);
}

export function handleSummary(data) {
  return summarize(data, { settings, readApis: READ_APIS, summaryDir: SUMMARY_DIR });
}
