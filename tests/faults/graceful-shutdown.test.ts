import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { uncommittedRecords } from '@badam/pipeline';
import { assertNothingLost } from '@badam/test-kit/fault-checks';
import { describeOutcomes, startLiveTraffic } from '@badam/test-kit/live-traffic';
import { startPrivateStack } from '@badam/test-kit/private-stack';
import { waitForRows } from '@badam/test-kit/table-watch';
import { httpOk, waitFor } from '@badam/stack/process/wait';

describe('SIGTERM to every service under traffic (a rolling restart)', () => {
  it('fails no request, loses nothing, commits what was stored, and logs no crash', async (t) => {
    const stack = await startPrivateStack(t, { replicas: 2, consumers: 2 });
    const traffic = startLiveTraffic(t, {
      gatewayUrl: stack.gateway.url,
      groups: 60,
      firstGroup: 1,
      senders: 4,
      readers: 3,
      pauseMs: 5,
    });
    await waitForRows(stack.client, stack.table, 100, 60_000);

    // One replica at a time, as an orchestrator's rolling update does; the supervisor starts it again.
    for (const [service, replicas] of stack.fleet.processes) {
      for (const [index, replica] of replicas.entries()) {
        replica.signal('SIGTERM');
        await replica.exited();
        await waitFor(
          `${service}-${index + 1} back`,
          () => httpOk(`${stack.fleet.url(service, index)}/health`),
          60_000,
        );
        // Let the gateway's health check see it up before the next one goes down.
        await sleep(2_500);
      }
    }
    await sleep(3_000);
    const result = await traffic.stop();
    assert.deepEqual(result.failures(), [], `no request failed: ${describeOutcomes(result.failures())}`);
    await assertNothingLost(stack, result);

    // Everything stored is committed: a restart of the whole fleet now would re-read nothing.
    await waitFor(
      'offsets committed',
      async () => {
        const left = await uncommittedRecords(stack.infra.kafka, 'badam-consumers', 'messages');
        return [...left.values()].every((n) => n === 0);
      },
      20_000,
    );

    for (const [service, replicas] of stack.fleet.processes) {
      for (const index of replicas.keys()) {
        const log = readFileSync(join(stack.dataDir, 'logs', `${service}-${index + 1}.log`), 'utf8');
        assert.match(log, /"msg":"shut down cleanly"/, `${service}-${index + 1} shut down cleanly`);
        const crashes = log.split('\n').filter((line) => /"level":(50|60)/.test(line));
        assert.deepEqual(crashes, [], `${service}-${index + 1} logged no error`);
      }
    }
  });
});
