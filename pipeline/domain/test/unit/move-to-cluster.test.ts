import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterTablesProblems } from '../../src/table/cluster-check.js';
import { clusterCreateStatements } from '../../src/table/cluster-schema.js';
import {
  copyStatements,
  fingerprintQuery,
  movingCreateStatements,
  setAsideStatement,
  swapStatements,
  zooKeeperChildrenQuery,
} from '../../src/table/move-to-cluster.js';

const REPLICATED = { shards: 1, replicasPerShard: 3 };
const SHARDED = { shards: 2, replicasPerShard: 3 };

describe('moving a single-server table to a cluster (table/move-to-cluster.ts)', () => {
  it('sets the single tables aside on their own server', () => {
    assert.equal(
      setAsideStatement('db', 'm'),
      'RENAME TABLE `db`.`m` TO `db`.`m_single`, `db`.`m_keys` TO `db`.`m_single_keys`',
    );
  });

  it('makes the moving tables at the ZooKeeper paths init gives the service names', () => {
    for (const shape of [REPLICATED, SHARDED]) {
      const moving = movingCreateStatements('db', 'm', 'c', shape);
      const init = clusterCreateStatements('db', 'm', 'c', shape);
      const paths = (statements: string[]) =>
        statements.map((s) => /ReplicatedReplacingMergeTree\('([^']*)'/.exec(s)?.[1]);
      assert.deepEqual(paths(moving), paths(init));
      assert.match(
        moving[0] ?? '',
        shape.shards === 1 ? /`db`\.`m_moving` ON CLUSTER `c`/ : /`db`\.`m_moving_local` ON CLUSTER `c`/,
      );
      assert.match(
        paths(moving)[0] ?? '',
        shape.shards === 1 ? /^\/clickhouse\/tables\/\{shard\}\/db\/m$/ : /\/db\/m_local$/,
      );
    }
    assert.match(movingCreateStatements('db', 'm', 'c', SHARDED)[2] ?? '', /Distributed\(`c`, `db`, `m_moving_local`/);
  });

  it('copies from the set-aside tables, FINAL, every column named', () => {
    const [rows, keys] = copyStatements('db', 'm_single', 'm_moving');
    assert.match(
      rows ?? '',
      /^INSERT INTO `db`\.`m_moving` \(`group_id`, `order`, .*`idempotency_hash`\) SELECT .* FROM `db`\.`m_single` FINAL$/,
    );
    assert.match(keys ?? '', /^INSERT INTO `db`\.`m_moving_keys` .* FROM `db`\.`m_single_keys` FINAL$/);
  });

  it('fingerprints groups (rows, highest order) and keys, FINAL', () => {
    const query = fingerprintQuery('db', 'm');
    assert.match(query, /cityHash64\(group_id, n, m\)[\s\S]*FROM `db`\.`m` FINAL GROUP BY group_id/);
    assert.match(query, /FROM `db`\.`m_keys` FINAL/);
  });

  it('one shard: renames the moving tables on every server', () => {
    assert.deepEqual(swapStatements('db', 'm', 'c', REPLICATED), [
      'RENAME TABLE `db`.`m_moving` TO `db`.`m`, `db`.`m_moving_keys` TO `db`.`m_keys` ON CLUSTER `c`',
    ]);
  });

  it('several shards: makes the Distributed tables, renames the replicated ones, drops the moving Distributed ones', () => {
    const statements = swapStatements('db', 'm', 'c', SHARDED);
    assert.equal(statements.length, 5);
    assert.match(statements[0] ?? '', /`db`\.`m` ON CLUSTER `c`[\s\S]*Distributed\(`c`, `db`, `m_local`/);
    assert.match(statements[1] ?? '', /`db`\.`m_keys` ON CLUSTER `c`[\s\S]*Distributed\(`c`, `db`, `m_keys_local`/);
    assert.deepEqual(statements.slice(2), [
      'RENAME TABLE `db`.`m_moving_local` TO `db`.`m_local`, `db`.`m_moving_keys_local` TO `db`.`m_keys_local` ON CLUSTER `c`',
      'DROP TABLE IF EXISTS `db`.`m_moving` ON CLUSTER `c`',
      'DROP TABLE IF EXISTS `db`.`m_moving_keys` ON CLUSTER `c`',
    ]);
  });

  it('reads ZooKeeper only at paths it builds', () => {
    assert.equal(
      zooKeeperChildrenQuery('/clickhouse/tables/1/db/m/replicas'),
      "SELECT name FROM system.zookeeper WHERE path = '/clickhouse/tables/1/db/m/replicas'",
    );
    assert.throws(() => zooKeeperChildrenQuery("/x' OR 1"), /not a ZooKeeper path/);
  });
});

describe("whether a server's tables are the cluster's (table/cluster-check.ts)", () => {
  const replica = (table: string, shard: string, total: number) => ({
    table,
    zookeeper_path: `/clickhouse/tables/${shard}/db/${table}`,
    total_replicas: String(total),
  });
  const replicated = [
    { name: 'm', engine: 'ReplicatedReplacingMergeTree' },
    { name: 'm_keys', engine: 'ReplicatedReplacingMergeTree' },
  ];

  it("init's tables, every replica of the shard in the group: none", () => {
    assert.deepEqual(
      clusterTablesProblems('db', 'm', REPLICATED, replicated, [replica('m', '1', 3), replica('m_keys', '1', 3)]),
      [],
    );
    const sharded = [
      { name: 'm', engine: 'Distributed' },
      { name: 'm_keys', engine: 'Distributed' },
      { name: 'm_local', engine: 'ReplicatedReplacingMergeTree' },
      { name: 'm_keys_local', engine: 'ReplicatedReplacingMergeTree' },
    ];
    assert.deepEqual(
      clusterTablesProblems('db', 'm', SHARDED, sharded, [
        replica('m_local', '02', 3),
        replica('m_keys_local', '02', 3),
      ]),
      [],
    );
  });

  it('a single-server table: says to run move-to-cluster', () => {
    const [problem] = clusterTablesProblems('db', 'm', REPLICATED, [{ name: 'm', engine: 'ReplacingMergeTree' }], []);
    assert.match(
      problem ?? '',
      /db\.m is ReplacingMergeTree, not ReplicatedReplacingMergeTree \(a single-server table: run move-to-cluster\)/,
    );
    const [sharded] = clusterTablesProblems('db', 'm', SHARDED, [{ name: 'm', engine: 'ReplacingMergeTree' }], []);
    assert.match(sharded ?? '', /not Distributed \(a single-server table/);
  });

  it('a replica at another ZooKeeper path than init would give it (an earlier move): named', () => {
    const moved = { table: 'm', zookeeper_path: '/clickhouse/tables/1/db/m_moving', total_replicas: '3' };
    const [problem] = clusterTablesProblems('db', 'm', REPLICATED, replicated, [moved, replica('m_keys', '1', 3)]);
    assert.match(
      problem ?? '',
      /replicates at \/clickhouse\/tables\/1\/db\/m_moving, not at init's \/clickhouse\/tables\/\{shard\}\/db\/m/,
    );
  });

  it('a group lacking a server of the shard (it holds another table under the name): named', () => {
    const [problem] = clusterTablesProblems('db', 'm', REPLICATED, replicated, [
      replica('m', '1', 2),
      replica('m_keys', '1', 3),
    ]);
    assert.match(problem ?? '', /2 of the shard's 3 servers are replicas/);
  });

  it('ZooKeeper unreachable (no replica count): not held against the tables', () => {
    assert.deepEqual(
      clusterTablesProblems('db', 'm', REPLICATED, replicated, [replica('m', '1', 0), replica('m_keys', '1', 0)]),
      [],
    );
  });

  it('a missing table is not its business (init creates it; a batch waits for it)', () => {
    assert.deepEqual(clusterTablesProblems('db', 'm', REPLICATED, [], []), []);
  });
});
