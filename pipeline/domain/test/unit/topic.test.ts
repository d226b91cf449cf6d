import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeMessage,
  encodeMessage,
  messageKey,
  RECORD_FORMAT_VERSION,
  UndecodableRecordError,
} from '../../src/contract/topic.js';

describe('topic records', () => {
  it('round-trips a message with its acceptance time', () => {
    const message = { group_id: 9, sender_id: 3, text: 'héllo 😀' };
    assert.deepEqual(decodeMessage(encodeMessage(message, 1234)), { ...message, accepted_at_ms: 1234 });
  });

  it('round-trips the idempotency hash when the send had a key, and has none otherwise', () => {
    const message = { group_id: 9, sender_id: 3, text: 'again' };
    assert.deepEqual(decodeMessage(encodeMessage(message, 1234, 42)), {
      ...message,
      accepted_at_ms: 1234,
      idempotency_hash: 42,
    });
    assert.equal('idempotency_hash' in decodeMessage(encodeMessage(message, 1234)), false);
  });

  it('writes the format version, and reads records without one as version 1', () => {
    assert.equal(
      JSON.parse(encodeMessage({ group_id: 1, sender_id: 1, text: 'x' }, 5).toString()).v,
      RECORD_FORMAT_VERSION,
    );
    assert.equal(decodeMessage(Buffer.from('{"group_id":1,"sender_id":2,"text":"x","accepted_at_ms":5}')).sender_id, 2);
  });

  it('keeps the fields it knows from a record with fields it does not (a newer producer, same version)', () => {
    const value = '{"v":1,"group_id":1,"sender_id":2,"text":"x","accepted_at_ms":5,"reply_to":77,"attachments":[]}';
    assert.deepEqual(decodeMessage(Buffer.from(value)), { group_id: 1, sender_id: 2, text: 'x', accepted_at_ms: 5 });
  });

  it('refuses a newer format version, with a reason the dead-letter topic files it under', () => {
    const value = `{"v":${RECORD_FORMAT_VERSION + 1},"group_id":1,"sender_id":2,"text":"x","accepted_at_ms":5}`;
    assert.throws(
      () => decodeMessage(Buffer.from(value)),
      (error: unknown) => error instanceof UndecodableRecordError && error.reason === 'unsupported_version',
    );
    assert.throws(
      () => decodeMessage(Buffer.from('nope')),
      (error: unknown) => error instanceof UndecodableRecordError && error.reason === 'unreadable',
    );
    assert.throws(
      () => decodeMessage(Buffer.from('{"v":1,"group_id":0,"sender_id":2,"text":"x","accepted_at_ms":5}')),
      (error: unknown) => error instanceof UndecodableRecordError && error.reason === 'invalid',
    );
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
