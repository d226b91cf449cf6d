import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createServiceMetrics } from '@badam/pipeline/core';
import { createHealthServer, type HealthReport } from '../../src/health-server.js';

describe("the consumer's health server", () => {
  it('keeps liveness (/live, what Docker asks) apart from readiness (/health): an outage fails only the second', async (t) => {
    let ready: HealthReport = { healthy: false, body: { status: 'unavailable' } };
    let failed = false;
    const server = createHealthServer(
      { ready: async () => ready, failed: () => failed },
      createServiceMetrics('consumer'),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    t.after(() => server.close());
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const get = async (path: string) => {
      const response = await fetch(url + path);
      return [response.status, await response.json()];
    };

    // ClickHouse down: not ready (out of any rotation, alerting), but alive: a restart would not help.
    assert.deepEqual(await get('/health'), [503, { status: 'unavailable' }]);
    assert.deepEqual(await get('/live'), [200, { status: 'live' }]);
    ready = { healthy: true, body: { status: 'ok' } };
    assert.deepEqual(await get('/health'), [200, { status: 'ok' }]);
    // The Kafka client failed for good (a fenced static member): the process is exiting, and says so on both.
    failed = true;
    ready = { healthy: false, body: { status: 'failed' } };
    assert.deepEqual(await get('/live'), [503, { status: 'failed' }]);
    assert.deepEqual(await get('/health'), [503, { status: 'failed' }]);
  });
});
