import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { READ_APPS, type Fleet, type ServiceName } from '@badam/stack/fleet';
import { createTestClickHouse, createTestTable, createTestTopic, startTestFleet } from '@badam/test-kit/fixtures';
import { httpJson, type HttpResult } from '@badam/test-kit/http-client';

function residentMegabytes(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** `total` requests at once, far beyond what the process takes in (MAX_IN_FLIGHT below). */
async function burst(total: number, request: (i: number) => Promise<HttpResult>) {
  return Promise.all(Array.from({ length: total }, (_, i) => request(i).catch(() => undefined)));
}

describe('a burst far beyond what a process takes in', () => {
  it('is answered with 2xx or a quick 503 + Retry-After, never a crash, and memory stays bounded', async (t) => {
    const client = createTestClickHouse(t);
    const table = await createTestTable(t, client);
    const topic = await createTestTopic();
    const fleet: Fleet = await startTestFleet(t, { topic, table, consumers: 1, env: { MAX_IN_FLIGHT: '8' } });

    const targets: [ServiceName, (i: number) => Promise<HttpResult>][] = [
      [
        'producer',
        (i) =>
          httpJson('POST', `${fleet.url('producer')}/messages`, {
            group_id: 1 + (i % 50),
            sender_id: 1,
            text: 'burst',
          }),
      ],
      ...READ_APPS.map((app): [ServiceName, (i: number) => Promise<HttpResult>] => [
        app,
        (i) => httpJson('GET', `${fleet.url(app)}/groups/${1 + (i % 50)}/messages`),
      ]),
    ];
    for (const [service, request] of targets) {
      const pid = fleet.processes.get(service)?.[0]?.pid;
      const results = await burst(400, request);
      const statuses = results.map((r) => r?.status ?? 0);
      const ok = statuses.filter((s) => s >= 200 && s < 300).length;
      const refused = results.filter((r) => r?.status === 503);
      assert.equal(ok + refused.length, 400, `${service}: only 2xx and 503 (${[...new Set(statuses)].join(', ')})`);
      assert.ok(refused.length > 0, `${service}: the burst was beyond its bound`);
      for (const r of refused) {
        assert.equal(r?.headers['retry-after'], '1');
        assert.equal(r?.body.error, 'overloaded');
      }
      assert.equal((await httpJson('GET', `${fleet.url(service)}/health`)).status, 200, `${service} still serves`);
      assert.equal(fleet.processes.get(service)?.[0]?.pid, pid, `${service} did not restart`);
      assert.ok(residentMegabytes(pid) < 400, `${service} resident memory ${residentMegabytes(pid)} MB`);
    }
  });
});
