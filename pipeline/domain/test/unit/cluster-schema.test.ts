import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  clusterCreateStatements,
  clusterDropStatements,
  clusterShapeOf,
  clusterShapeQuery,
  replicatedTableName,
} from '../../src/table/cluster-schema.js';
import { migrations } from '../../src/table/schema.js';

const REPLICATED = { shards: 1, replicasPerShard: 2 };
const SHARDED = { shards: 2, replicasPerShard: 2 };

/** Name and type of each column a CREATE statement defines, in order. */
function columnsOf(statement: string): string[] {
  const body = statement.slice(statement.indexOf('(') + 1, statement.indexOf(') ENGINE'));
  return body.split(',').map((line) => line.trim().replaceAll('`', '').split(/\s+/).slice(0, 2).join(' '));
}

/** What the single-server migrations leave: the first CREATE's columns, then each added one, in order. */
function migratedColumns(): string[] {
  const [create, ...rest] = migrations('messages');
  assert.ok(create !== undefined && 'statement' in create);
  const columns = columnsOf(create.statement);
  for (const step of rest) if ('addColumn' in step) columns.push(`${step.addColumn} ${step.definition.split(' ')[0]}`);
  return columns;
}

describe('the tables on a cluster (table/cluster-schema.ts)', () => {
  it('reads the shape of a cluster from system.clusters, and names an unknown one', () => {
    assert.match(clusterShapeQuery('badam'), /FROM system\.clusters WHERE cluster = 'badam' GROUP BY shard_num/);
    assert.throws(() => clusterShapeQuery("x' OR 1"), /not a valid ClickHouse identifier/);
    assert.deepEqual(
      clusterShapeOf('c', [
        { shard_num: 1, replicas: '2' },
        { shard_num: 2, replicas: '2' },
      ]),
      SHARDED,
    );
    assert.throws(() => clusterShapeOf('nope', []), /knows no cluster "nope"/);
    assert.throws(
      () =>
        clusterShapeOf('c', [
          { shard_num: 1, replicas: 2 },
          { shard_num: 2, replicas: 1 },
        ]),
      /unequal/,
    );
  });

  it('one shard: the replicated tables carry the service names, with one ZooKeeper path per shard', () => {
    const [messages, keys, ...rest] = clusterCreateStatements('db', 'msgs', 'c1', REPLICATED);
    assert.equal(rest.length, 0);
    assert.match(messages ?? '', /^CREATE TABLE IF NOT EXISTS `db`\.`msgs` ON CLUSTER `c1` \(/);
    assert.match(
      messages ?? '',
      /ENGINE = ReplicatedReplacingMergeTree\('\/clickhouse\/tables\/\{shard\}\/db\/msgs', '\{replica\}'\)\s+ORDER BY \(group_id, `order`\)/,
    );
    assert.match(
      keys ?? '',
      /`db`\.`msgs_keys` ON CLUSTER `c1`[\s\S]*ReplicatedReplacingMergeTree\('\/clickhouse\/tables\/\{shard\}\/db\/msgs_keys', '\{replica\}', `order`\)\s+ORDER BY \(group_id, idempotency_hash\)/,
    );
  });

  it('several shards: Distributed tables by intHash64(group_id) under the service names, over <name>_local', () => {
    const statements = clusterCreateStatements('db', 'msgs', 'c2', SHARDED);
    assert.equal(statements.length, 4);
    assert.match(statements[0] ?? '', /`db`\.`msgs_local` ON CLUSTER[\s\S]*\/db\/msgs_local'/);
    assert.match(statements[1] ?? '', /`db`\.`msgs_keys_local` ON CLUSTER[\s\S]*\/db\/msgs_keys_local'/);
    assert.match(
      statements[2] ?? '',
      /`db`\.`msgs` ON CLUSTER `c2`[\s\S]*ENGINE = Distributed\(`c2`, `db`, `msgs_local`, intHash64\(group_id\)\)$/,
    );
    assert.match(statements[3] ?? '', /`db`\.`msgs_keys` ON CLUSTER[\s\S]*Distributed\(`c2`, `db`, `msgs_keys_local`/);
    assert.equal(replicatedTableName('msgs', SHARDED), 'msgs_local');
    assert.equal(replicatedTableName('msgs', REPLICATED), 'msgs');
  });

  it('creates the full schema the single-server migrations end with, column for column, in their order', () => {
    for (const shape of [REPLICATED, SHARDED]) {
      for (const statement of clusterCreateStatements('db', 'messages', 'c', shape).filter((s) =>
        /`messages(_local)?` ON/.test(s),
      ))
        assert.deepEqual(columnsOf(statement), migratedColumns());
    }
    const keysMigration = migrations('messages').find((step) => 'statement' in step && /_keys/.test(step.statement));
    assert.ok(keysMigration !== undefined && 'statement' in keysMigration);
    const [, keys] = clusterCreateStatements('db', 'messages', 'c', REPLICATED);
    assert.deepEqual(columnsOf(keys ?? ''), columnsOf(keysMigration.statement));
  });

  it('drops Distributed tables before the tables they route to, on every server', () => {
    assert.deepEqual(clusterDropStatements('db', 't', 'c', SHARDED), [
      'DROP TABLE IF EXISTS `db`.`t` ON CLUSTER `c`',
      'DROP TABLE IF EXISTS `db`.`t_keys` ON CLUSTER `c`',
      'DROP TABLE IF EXISTS `db`.`t_local` ON CLUSTER `c`',
      'DROP TABLE IF EXISTS `db`.`t_keys_local` ON CLUSTER `c`',
    ]);
    assert.equal(clusterDropStatements('db', 't', 'c', REPLICATED).length, 2);
    assert.throws(() => clusterCreateStatements('db', 't', 'c`x', REPLICATED), /not a valid ClickHouse identifier/);
  });
});
