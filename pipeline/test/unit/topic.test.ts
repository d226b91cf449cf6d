import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessage, encodeMessage, messageKey } from '../../src/index.js';

describe('topic records', () => {
  it('round-trips a message with its acceptance time', () => {
    const message = { group_id: 9, sender_id: 3, text: 'héllo 😀' };
    assert.deepEqual(decodeMessage(encodeMessage(message, 1234)), { ...message, accepted_at_ms: 1234 });
  });

  it('keys by group id', () => {
    assert.equal(messageKey(123), '123');
  });

  it('refuses records that are not valid messages', () => {
    assert.throws(() => decodeMessage(null), /no value/);
    assert.throws(() => decodeMessage(Buffer.from('nope')));
    assert.throws(() => decodeMessage(Buffer.from('{"group_id":1,"sender_id":1,"text":"x"}')), /accepted_at_ms/);
    assert.throws(() => decodeMessage(Buffer.from('{"group_id":0,"sender_id":1,"text":"x","accepted_at_ms":1}')));
  });
});
