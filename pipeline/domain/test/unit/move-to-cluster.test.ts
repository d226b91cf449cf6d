import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  copyStatements,
  fingerprintQuery,
  movingCreateStatements,
  swapStatements,
} from '../../src/table/move-to-cluster.js';

const REPLICATED = { shards: 1, replicasPerShard: 2 };
const SHARDED = { shards: 2, replicasPerShard: 2 };

describe('moving a single-server table to a cluster (table/move-to-cluster.ts)', () => {
  it('copies into tables made like the cluster’s, FINAL, every column named', () => {
    assert.match(movingCreateStatements('db', 'm', 'c', REPLICATED)[0] ?? '', /`db`\.`m_moving` ON CLUSTER `c`/);
    const [rows, keys] = copyStatements('db', 'm');
    assert.match(
      rows ?? '',
      /^INSERT INTO `db`\.`m_moving` \(`group_id`, `order`, .*`idempotency_hash`\) SELECT .* FROM `db`\.`m` FINAL$/,
    );
    assert.match(keys ?? '', /^INSERT INTO `db`\.`m_moving_keys` .* FROM `db`\.`m_keys` FINAL$/);
  });

  it('fingerprints groups (rows, highest order) and keys, FINAL', () => {
    const query = fingerprintQuery('db', 'm');
    assert.match(query, /cityHash64\(group_id, n, m\)[\s\S]*FROM `db`\.`m` FINAL GROUP BY group_id/);
    assert.match(query, /FROM `db`\.`m_keys` FINAL/);
  });

  it('one shard: sets the single tables aside, then renames the moving ones on every server', () => {
    assert.deepEqual(swapStatements('db', 'm', 'c', REPLICATED), [
      'RENAME TABLE `db`.`m` TO `db`.`m_single`, `db`.`m_keys` TO `db`.`m_keys_single`',
      'RENAME TABLE `db`.`m_moving` TO `db`.`m`, `db`.`m_moving_keys` TO `db`.`m_keys` ON CLUSTER `c`',
    ]);
  });

  it('several shards: drops the moving Distributed tables, renames the replicated ones, makes the Distributed ones again', () => {
    const statements = swapStatements('db', 'm', 'c', SHARDED);
    assert.deepEqual(statements.slice(0, 4), [
      'RENAME TABLE `db`.`m` TO `db`.`m_single`, `db`.`m_keys` TO `db`.`m_keys_single`',
      'DROP TABLE IF EXISTS `db`.`m_moving` ON CLUSTER `c`',
      'DROP TABLE IF EXISTS `db`.`m_moving_keys` ON CLUSTER `c`',
      'RENAME TABLE `db`.`m_moving_local` TO `db`.`m_local`, `db`.`m_moving_keys_local` TO `db`.`m_keys_local` ON CLUSTER `c`',
    ]);
    assert.equal(statements.length, 6);
    assert.match(statements[4] ?? '', /`db`\.`m` ON CLUSTER `c`[\s\S]*Distributed\(`c`, `db`, `m_local`/);
    assert.match(statements[5] ?? '', /`db`\.`m_keys` ON CLUSTER `c`[\s\S]*Distributed\(`c`, `db`, `m_keys_local`/);
  });
});
