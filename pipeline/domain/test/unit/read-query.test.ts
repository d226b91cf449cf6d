import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadamError } from '../../src/contract/errors.js';
import { parseQueryString, parseReadQuery } from '../../src/contract/read-query.js';

function rejects(groupId: string | undefined, query: Record<string, unknown>, field: string) {
  assert.throws(
    () => parseReadQuery(groupId, query),
    (error: unknown) => error instanceof BadamError && error.code === 'invalid_request' && error.field === field,
  );
}

describe('parseReadQuery', () => {
  it('defaults to the latest 10', () => {
    assert.deepEqual(parseReadQuery('42', {}), { groupId: 42, limit: 10, before: undefined });
  });

  it('reads limit and before', () => {
    assert.deepEqual(parseReadQuery('42', { limit: '100', before: '7' }), { groupId: 42, limit: 100, before: 7 });
  });

  it('refuses group ids that are not positive integers', () => {
    for (const id of [
      '0',
      '-1',
      '1.5',
      'abc',
      '',
      '1e3',
      '0x10',
      ' 1',
      '9007199254740992',
      '99999999999999999999',
      undefined,
    ]) {
      rejects(id, {}, 'group_id');
    }
  });

  it('refuses limits outside 1..100 and bad cursors', () => {
    for (const limit of ['0', '101', '-5', 'ten', '']) rejects('1', { limit }, 'limit');
    for (const before of ['0', '-1', 'x', '1.5']) rejects('1', { before }, 'before');
  });

  it('refuses repeated and unknown parameters', () => {
    rejects('1', { limit: ['5', '6'] }, 'limit');
    rejects('1', { offset: '5' }, 'offset');
  });
});

describe('parseQueryString', () => {
  it('keeps every parameter, prototype names and repeats included, on an object with no prototype', () => {
    const query = parseQueryString('?constructor=1&__proto__=2&toString=3&limit=5&limit=6&=7');
    assert.equal(Object.getPrototypeOf(query), null);
    assert.deepEqual(Object.keys(query), ['constructor', '__proto__', 'toString', 'limit', '']);
    assert.deepEqual(query.limit, ['5', '6']);
    // biome-ignore lint/suspicious/noProto: an own property named __proto__ (no prototype here) is what is tested
    assert.equal(query.__proto__, '2');
  });

  it('keeps parameters past the 1000th (qs and hapi stop there)', () => {
    const query = parseQueryString(`${'limit=5&'.repeat(1000)}x=1`);
    assert.equal(query.x, '1');
    assert.equal((query.limit as string[]).length, 1000);
  });

  it('decodes like URLSearchParams, with no nesting', () => {
    assert.deepEqual(
      { ...parseQueryString('li%6dit=1+2&limit[a]=3&bad=%ZZ') },
      { limit: '1 2', 'limit[a]': '3', bad: '%ZZ' },
    );
    assert.deepEqual({ ...parseQueryString('') }, {});
    assert.deepEqual({ ...parseQueryString('&&') }, {});
  });

  it('so every app refuses the inputs restify used to drop, naming them', () => {
    for (const [search, field] of [
      ['constructor=1', 'constructor'],
      ['__proto__=1', '__proto__'],
      ['=5', ''],
      [`${'&'.repeat(1000)}x=1`, 'x'],
      ['limit[]=5', 'limit[]'],
    ] as const) {
      rejects('1', parseQueryString(search), field);
    }
  });
});
