import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { redisPing } from '@badam/stack/infra/read-model-store';
import { READ_MODEL_PASSWORD_SECRET } from '@badam/stack/infra/stack-secrets';
import { assertNothingLost } from '@badam/test-kit/fault-checks';
import { createTestPageStore } from '@badam/test-kit/fixtures';
import { startLiveTraffic } from '@badam/test-kit/live-traffic';
import { startPrivateStack } from '@badam/test-kit/private-stack';
import {
  assertPagesEqualClickHouse,
  assertReadsServed,
  latestVersions,
  olderPages,
  STALE_BOUND_MS,
} from '@badam/test-kit/read-model-checks';
import { waitForRows } from '@badam/test-kit/table-watch';
import { waitFor } from '@badam/stack/process/wait';

const GROUPS = 40;

const groupIds = Array.from({ length: GROUPS }, (_, i) => i + 1);

describe('the read model store failing under traffic', () => {
  it('stalled (SIGSTOP): reads keep answering from ClickHouse, sends are stored, and pages catch up within the bound', async (t) => {
    const stack = await startPrivateStack(t);
    const store = await createTestPageStore(t, stack.table, stack.infra);
    const traffic = startLiveTraffic(t, {
      gatewayUrl: stack.gateway.url,
      groups: GROUPS,
      firstGroup: 1,
      senders: 4,
      readers: 3,
      pauseMs: 10,
    });
    await waitForRows(stack.client, stack.table, 200, 60_000);

    // A stalled server keeps its connections open and answers nothing: the worst case for a client (no error, only
    // silence), and it keeps its data, so stale pages are possible when it wakes up.
    stack.infra.readModelStore.signal('SIGSTOP');
    const stalledAt = Date.now();
    await sleep(6_000);
    const rowsBefore = await latestVersions(stack.client, stack.table, groupIds);
    stack.infra.readModelStore.signal('SIGCONT');
    const backAt = Date.now();
    await sleep(STALE_BOUND_MS);
    const older = await olderPages(store, rowsBefore);
    await sleep(2_000);
    const result = await traffic.stop();

    assert.deepEqual(
      result.failures((o) => o.api === 'send'),
      [],
      'every send was accepted',
    );
    assertReadsServed(result, stalledAt + 500, backAt, 'while the store was stalled');
    assertReadsServed(result, backAt, Date.now() - 500, 'after it came back');
    assert.deepEqual(
      older,
      [],
      `${STALE_BOUND_MS} ms after the store came back, no page was older than ClickHouse's at that moment`,
    );
    await assertNothingLost(stack, result);
    await assertPagesEqualClickHouse(stack, store, groupIds);
  });

  it('restarted empty: reads miss and go to ClickHouse, never a wrong page, and the pages come back', async (t) => {
    const stack = await startPrivateStack(t);
    const traffic = startLiveTraffic(t, {
      gatewayUrl: stack.gateway.url,
      groups: GROUPS,
      firstGroup: 1,
      senders: 4,
      readers: 3,
      pauseMs: 10,
    });
    await waitForRows(stack.client, stack.table, 200, 60_000);

    await stack.infra.readModelStore.stop();
    const downAt = Date.now();
    await sleep(4_000);
    stack.infra.readModelStore.start();
    await waitFor(
      'the store back',
      () =>
        redisPing(
          Number(new URL(stack.infra.readModelUrl).port),
          stack.infra.secrets.value(READ_MODEL_PASSWORD_SECRET),
        ),
      30_000,
    );
    const backAt = Date.now();
    await sleep(6_000);
    const result = await traffic.stop();

    assert.deepEqual(
      result.failures((o) => o.api === 'send'),
      [],
      'every send was accepted',
    );
    assertReadsServed(result, downAt + 500, backAt, 'while the store was down');
    assertReadsServed(result, backAt, Date.now() - 500, 'after it restarted empty');
    // Pages are correct: every read through the gateway matches ClickHouse (assertNothingLost compares the apps'
    // latest pages with the stored orders), and the refilled store equals ClickHouse.
    await assertNothingLost(stack, result);
    const store = await createTestPageStore(t, stack.table, stack.infra);
    await assertPagesEqualClickHouse(stack, store, groupIds);
    assert.ok((await store.get(1)) !== null, 'the store was refilled (by reads and by the consumers)');
  });
});
