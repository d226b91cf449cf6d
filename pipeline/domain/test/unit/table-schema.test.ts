import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MESSAGE_COLUMNS, PAGE_COLUMNS } from '../../src/table/rows.js';
import { addColumnStatement, dropStatements, migrations } from '../../src/table/schema.js';

/** The columns a migration list leaves on the messages table: the first CREATE's, then each added one. */
function createdColumns(table: string): string[] {
  const [create, ...rest] = migrations(table);
  assert.ok(create !== undefined && 'statement' in create);
  const body = create.statement.slice(create.statement.indexOf('(') + 1, create.statement.indexOf(') ENGINE'));
  const columns = body.split(',').map((line) => line.trim().split(/\s+/)[0]?.replaceAll('`', '') ?? '');
  for (const step of rest) if ('addColumn' in step) columns.push(step.addColumn);
  return columns;
}

describe('the messages table is described once (table/schema.ts, table/rows.ts)', () => {
  it('the migrations create exactly the columns of a MessageRow', () => {
    assert.deepEqual(createdColumns('messages').sort(), [...MESSAGE_COLUMNS].sort());
  });

  it('a page reads columns the table has', () => {
    for (const column of PAGE_COLUMNS) assert.ok(MESSAGE_COLUMNS.includes(column), column);
  });

  it('statements quote the names they are given and refuse what is not a name', () => {
    assert.equal(
      addColumnStatement('messages', { addColumn: 'x', definition: 'UInt64 DEFAULT 0' }),
      'ALTER TABLE `messages` ADD COLUMN `x` UInt64 DEFAULT 0',
    );
    assert.deepEqual(dropStatements('t1'), ['DROP TABLE IF EXISTS `t1`', 'DROP TABLE IF EXISTS `t1_keys`']);
    assert.throws(() => dropStatements('t; DROP TABLE x'), /not a valid ClickHouse identifier/);
    assert.throws(() => migrations('a`b'), /not a valid ClickHouse identifier/);
  });
});
