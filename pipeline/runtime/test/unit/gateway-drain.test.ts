import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createGatewayDrain } from '../../src/service/gateway-drain.js';

describe('createGatewayDrain', () => {
  it('reports draining from the moment it leaves the rotation, and waits its drain time', async () => {
    const drain = createGatewayDrain({ SHUTDOWN_DRAIN_MS: 150, SHUTDOWN_GRACE_MS: 1000 });
    assert.equal(drain.draining, false);
    const started = performance.now();
    const left = drain.leaveRotation();
    assert.equal(drain.draining, true);
    await left;
    assert.ok(performance.now() - started >= 140, 'resolved only after the drain time');
  });

  it('refuses a drain that leaves no grace for in-flight work, naming both settings', () => {
    assert.throws(
      () => createGatewayDrain({ SHUTDOWN_DRAIN_MS: 10000, SHUTDOWN_GRACE_MS: 10000 }),
      /SHUTDOWN_DRAIN_MS \(10000\) must be less than SHUTDOWN_GRACE_MS \(10000\)/,
    );
  });
});
