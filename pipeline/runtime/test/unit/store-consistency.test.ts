import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storeSettings } from '../../src/clickhouse/store-consistency.js';

const V18 = { major: 18, minor: 16, text: '18.16.1' };
const V25 = { major: 25, minor: 8, text: '25.8.1.1' };

describe('the consumer writes and reads heads so that any replica sees every stored row (store-consistency.ts)', () => {
  it('one server: only the synchronous insert, nothing 18.16 would refuse', () => {
    assert.deepEqual(storeSettings(V18, undefined, 5000), { insert: {}, headsRead: {} });
    assert.deepEqual(storeSettings(V25, undefined, 5000), { insert: { async_insert: 0 }, headsRead: {} });
  });

  it('replicas: a quorum of a majority of the shard (2 of 2, 2 of 3), sequentially consistent heads, the quorum wait under the request timeout', () => {
    assert.deepEqual(storeSettings(V18, { shards: 1, replicasPerShard: 2 }, 5000), {
      insert: { insert_quorum: '2', insert_quorum_timeout: 2500 },
      headsRead: { select_sequential_consistency: '1' },
    });
    assert.deepEqual(storeSettings(V25, { shards: 1, replicasPerShard: 3 }, 5000).insert, {
      async_insert: 0,
      insert_quorum: '2',
      insert_quorum_timeout: 2500,
      insert_quorum_parallel: 0,
    });
  });

  it('shards: the Distributed insert returns once every shard has its rows', () => {
    assert.deepEqual(storeSettings(V18, { shards: 2, replicasPerShard: 2 }, 5000), {
      insert: { insert_quorum: '2', insert_quorum_timeout: 2500, insert_distributed_sync: 1 },
      headsRead: { select_sequential_consistency: '1' },
    });
    assert.deepEqual(storeSettings(V18, { shards: 2, replicasPerShard: 1 }, 5000), {
      insert: { insert_distributed_sync: 1 },
      headsRead: {},
    });
  });
});
