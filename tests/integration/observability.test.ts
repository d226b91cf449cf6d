import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  dashboardQueries,
  dashboardsDir,
  loadedRules,
  queryInstant,
  type DashboardJson,
  type PanelQuery,
} from '@badam/observability';
import { READ_APPS, type Fleet } from '@badam/stack/fleet';
import type { Gateway } from '@badam/stack/infra/gateway';
import type { Prometheus } from '@badam/stack/infra/prometheus';
import { waitFor } from '@badam/stack/process/wait';
import { httpJson, send } from '@badam/test-kit/http-client';
import {
  createTestClickHouse,
  createTestTable,
  createTestTopic,
  startTestFleet,
  startTestGateway,
  startTestPrometheus,
  suiteCleanup,
} from '@badam/test-kit/fixtures';

const GROUPS = [101, 102, 103];

function loadDashboard(name: string): DashboardJson {
  return JSON.parse(readFileSync(join(dashboardsDir, name), 'utf8')) as DashboardJson;
}

const overview = loadDashboard('overview.json');
const service = loadDashboard('service.json');

/**
 * Sends and reads through the gateway until stopped, with some 4xx (an invalid send, a non-numeric group id), so
 * every API and status class has series. (An unknown route is the gateway's own 404 now: it never reaches an app.) Runs through the whole check: the rate() windows
 * must hold traffic when the queries run. HAProxy balances over the replicas, so each gets its share.
 */
function startTraffic(gateway: Gateway): () => Promise<void> {
  let running = true;
  const ignoreErrors = (request: Promise<unknown>) => request.catch(() => undefined);
  const loop = async () => {
    for (let round = 0; running; round++) {
      const group = GROUPS[round % GROUPS.length] ?? 0;
      const producer = `${gateway.url}/producer`;
      await Promise.all([
        ignoreErrors(send(producer, { group_id: group, sender_id: round + 1, text: `metrics ${round}` })),
        ignoreErrors(send(producer, { group_id: group, sender_id: round + 1, text: `metrics ${round} again` })),
        ignoreErrors(send(producer, { group_id: 'nope', sender_id: 1, text: 'x' })),
        ...READ_APPS.flatMap((app) => [
          ignoreErrors(httpJson('GET', `${gateway.url}/${app}/groups/${group}/messages`)),
          ignoreErrors(httpJson('GET', `${gateway.url}/${app}/groups/abc/messages`)),
        ]),
      ]);
      await sleep(250);
    }
  };
  const done = loop();
  return async () => {
    running = false;
    await done;
  };
}

const API_CLASSES = ['send', ...READ_APPS].flatMap((api) => [`${api} 2xx`, `${api} 4xx`]);

/** The API and status-class pairs of badam:api_requests:rate1m that have no series yet. */
async function missingApiClasses(prometheus: Prometheus): Promise<string[]> {
  const series = await queryInstant(prometheus.url, 'badam:api_requests:rate1m');
  const seen = new Set(series.map((s) => `${s.metric.api} ${s.metric.code}`));
  return API_CLASSES.filter((pair) => !seen.has(pair));
}

async function hasData(prometheus: Prometheus, expr: string): Promise<boolean> {
  return (await queryInstant(prometheus.url, expr)).length > 0;
}

describe('Prometheus and the dashboards against a live fleet', () => {
  const t = suiteCleanup();
  let fleet: Fleet;
  let prometheus: Prometheus;
  // Queries that must have data: the overview, and the service dashboard for each read app (which uses every
  // panel: HTTP, process and ClickHouse). The producer (no ClickHouse) and the consumer (no HTTP API) leave
  // some service panels empty, so for them the queries must only be accepted.
  const mustHaveData: PanelQuery[] = [
    ...dashboardQueries(overview, {}).map((q) => ({ ...q, panel: `overview / ${q.panel}` })),
    ...READ_APPS.flatMap((app) =>
      dashboardQueries(service, { service: app }).map((q) => ({ ...q, panel: `service ${app} / ${q.panel}` })),
    ),
  ];

  before(async () => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const topic = await createTestTopic();
    fleet = await startTestFleet(t, { topic, table, replicas: 2, consumers: 2 });
    const gateway = await startTestGateway(t, fleet);
    prometheus = await startTestPrometheus(t, fleet, gateway);
    const stopTraffic = startTraffic(gateway);
    t.after(stopTraffic);
    // A few scrapes (every 5 s) and rule evaluations; rate() needs two samples of a series in its window. A
    // series that starts a scrape later than another (a read app's first 2xx waits for its first ClickHouse query,
    // its 4xx do not) has data an evaluation later, so wait for every API and status class as well.
    await waitFor(
      'every dashboard query and every API and status class to return data',
      async () =>
        (await Promise.all(mustHaveData.map((q) => hasData(prometheus, q.expr)))).every(Boolean) &&
        (await missingApiClasses(prometheus)).length === 0,
      120_000,
      2_000,
    ).catch(() => undefined); // the its below name the queries still empty
  });

  it('scrapes every replica of every service, and the gateway (up == 1)', async () => {
    const up = await queryInstant(prometheus.url, 'up');
    const replicas = [...fleet.ports].flatMap(([service, ports]) => ports.map((_, i) => `${service}/${i + 1}`));
    const expected = [...replicas, 'gateway/-'].sort();
    assert.deepEqual(up.map((s) => `${s.metric.service}/${s.metric.replica ?? '-'}`).sort(), expected);
    for (const sample of up) assert.equal(sample.value[1], '1', `${sample.metric.instance} is down`);
    // The services' own service label is kept, not renamed to exported_service.
    assert.equal((await queryInstant(prometheus.url, 'process_cpu_seconds_total{exported_service!=""}')).length, 0);
  });

  it('loads every rule and evaluates it without error', async () => {
    // Each rule group runs at its own offset within the interval; wait until all have run once.
    await waitFor(
      'every rule group to run once',
      async () => (await loadedRules(prometheus.url)).every((r) => r.health !== 'unknown'),
      15_000,
    );
    const rules = await loadedRules(prometheus.url);
    assert.ok(
      rules.some((r) => r.type === 'alerting'),
      'no alert rules loaded',
    );
    for (const rule of rules) assert.equal(rule.health, 'ok', `${rule.name}: ${rule.health} ${rule.lastError ?? ''}`);
  });

  it('has data for every recording rule', async () => {
    const records = (await loadedRules(prometheus.url)).filter((r) => r.type === 'recording').map((r) => r.name);
    assert.ok(records.length > 0);
    const empty = [];
    for (const record of records) if (!(await hasData(prometheus, record))) empty.push(record);
    assert.deepEqual(empty, [], 'recording rules without data');
  });

  it('has data for every panel query of the overview and of the read apps’ service dashboards', async () => {
    const empty = [];
    for (const query of mustHaveData)
      if (!(await hasData(prometheus, query.expr))) empty.push(`${query.panel} (${query.refId}): ${query.expr}`);
    assert.deepEqual(empty, [], 'panel queries without data');
  });

  it('accepts every service dashboard query for the producer and the consumer', async () => {
    for (const name of ['producer', 'consumer']) {
      for (const query of dashboardQueries(service, { service: name })) await queryInstant(prometheus.url, query.expr);
    }
  });

  it('labels each API and status class: send and the three read apps, with 2xx and 4xx', async () => {
    assert.deepEqual(await missingApiClasses(prometheus), [], 'API and status classes without series');
  });
});
