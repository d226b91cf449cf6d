import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MessagesRepository } from '@badam/domain/table/repository';
import { createAdmission } from '../../src/service/admission.js';
import { createMessageReader } from '../../src/service/message-reader.js';
import type { PageCache } from '../../src/read-model/page-cache.js';

/** Only what health() calls: whether each dependency answers. */
function reader(database: boolean, readModel: boolean, drain = { draining: false }) {
  const repository = { isReachable: async () => database } as unknown as MessagesRepository;
  const pages = { isReachable: async () => readModel } as unknown as PageCache;
  return createMessageReader(repository, pages, createAdmission(10), drain);
}

describe('the message reader’s health', () => {
  for (const [database, readModel, status, body] of [
    [true, true, 200, 'ok'],
    [true, false, 200, 'ok'],
    [false, true, 200, 'degraded'],
    [false, false, 503, 'unavailable'],
  ] as const) {
    it(`is ${status} ${body} with ClickHouse ${database ? 'up' : 'down'} and the read model ${readModel ? 'up' : 'down'}`, async () => {
      assert.deepEqual(await reader(database, readModel).health(), { status, body: { status: body } });
    });
  }

  it('is 503 draining while the process leaves the gateway’s rotation, whatever its dependencies', async () => {
    const drain = { draining: false };
    const healthy = reader(true, true, drain);
    drain.draining = true;
    assert.deepEqual(await healthy.health(), { status: 503, body: { status: 'draining' } });
  });
});
