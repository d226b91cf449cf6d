import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDeadLetterCopies } from '../../src/dead-letter-copies.js';

describe('dead-letter copies', () => {
  it('name the first copy of each source, with how many copies it has', () => {
    const copies = createDeadLetterCopies();
    const topic = [
      { offset: 0, source: 'messages/T1/3/17' },
      { offset: 1, source: 'messages/T1/3/18' },
      { offset: 2, source: 'messages/T1/3/17' },
      { offset: 3, source: 'messages/T1/3/17' },
    ];
    for (const { source, offset } of topic) copies.add(source, offset);
    assert.deepEqual(
      topic.map(({ source, offset }) => copies.firstCopy(source, offset)),
      [{ first: 0, copies: 3 }, { first: 1, copies: 1 }, undefined, undefined],
    );
  });

  it('tell sources apart by topic id: the same offset of a recreated topic is another record', () => {
    const copies = createDeadLetterCopies();
    copies.add('messages/T1/0/5', 0);
    copies.add('messages/T2/0/5', 1);
    assert.deepEqual(copies.firstCopy('messages/T2/0/5', 1), { first: 1, copies: 1 });
  });

  it('take each dead letter without a source for a record of its own', () => {
    const copies = createDeadLetterCopies();
    copies.add('', 4);
    copies.add('', 5);
    assert.deepEqual(copies.firstCopy('', 4), { first: 4, copies: 1 });
    assert.deepEqual(copies.firstCopy('', 5), { first: 5, copies: 1 });
  });
});
