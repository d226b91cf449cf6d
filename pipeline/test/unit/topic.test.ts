import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessage, encodeMessage, messageKey } from '../../src/index.js';

describe('topic records', () => {
  it('round-trips a message with its acceptance time', () => {
    const message = { group_id: 9, sender_id: 3, text: 'héllo 😀' };
    assert.deepEqual(decodeMessage(encodeMessage(message, 1234)), { ...message, accepted_at_ms: 1234 });
  });

  it('round-trips the idempotency hash when the send had a key, and has none otherwise', () => {
    const message = { group_id: 9, sender_id: 3, text: 'again' };
    assert.deepEqual(decodeMessage(encodeMessage(message, 1234, 42)), { ...message, accepted_at_ms: 1234, idempotency_hash: 42 });
    assert.equal('idempotency_hash' in decodeMessage(encodeMessage(message, 1234)), false);
  });

  it('keys by group id', () => {
    assert.equal(messageKey(123), '123');
  });

  it('refuses records that are not valid messages', () => {
    assert.throws(() => decodeMessage(null), /no value/);
    assert.throws(() => decodeMessage(Buffer.from('nope')));
    assert.throws(() => decodeMessage(Buffer.from('{"group_id":1,"sender_id":1,"text":"x"}')), /accepted_at_ms/);
    assert.throws(() => decodeMessage(Buffer.from('{"group_id":0,"sender_id":1,"text":"x","accepted_at_ms":1}')));
    for (const hash of ['0', '-1', '1.5', '"7"', '9007199254740993']) {
      const value = `{"group_id":1,"sender_id":1,"text":"x","accepted_at_ms":1,"idempotency_hash":${hash}}`;
      assert.throws(() => decodeMessage(Buffer.from(value)), /idempotency_hash/, hash);
    }
  });
});
