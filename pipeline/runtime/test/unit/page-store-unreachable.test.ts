import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPageStore } from '../../src/read-model/page-store.js';

// Port 9 (discard) has no listener here: every connection attempt is refused, as with a store that is down.
for (const mode of ['standalone', 'cluster'] as const) {
  describe(`a ${mode} page store that cannot be reached`, () => {
    it('refuses every read at once, never holding it past the command timeout, and is not reachable', async (t) => {
      const store = createPageStore({
        urls: ['redis://127.0.0.1:9'],
        mode,
        keyPrefix: 'pages:',
        commandTimeoutMs: 100,
      });
      t.after(() => store.close());
      for (let attempt = 0; attempt < 6; attempt++) {
        const started = Date.now();
        await assert.rejects(store.get(1));
        assert.ok(Date.now() - started < 50, `read ${attempt} refused in ${Date.now() - started} ms`);
        await sleep(150);
      }
      assert.equal(await store.isReachable(), false);
    });
  });
}
