import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeMessage,
  encodeMessage,
  formatDeadLetterSource,
  groupIdOfKey,
  messageKey,
  parseDeadLetterSource,
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

  it('reads back the source a dead letter names, also with a slash in a base64 topic id, and nothing else', () => {
    const source = { topic: 'messages', topicId: 'ab/cd+EF==', partition: 3, offset: 17 };
    assert.equal(formatDeadLetterSource(source), 'messages/ab/cd+EF==/3/17');
    assert.deepEqual(parseDeadLetterSource(formatDeadLetterSource(source)), source);
    for (const header of [
      '',
      'messages/3/17',
      'messages/T1/-1/17',
      'messages/T1/3/x',
      '/T1/3/17',
      'messages//3/17',
      'messages/T1/3/',
    ])
      assert.equal(parseDeadLetterSource(header), undefined, header);
  });

  it('reads the group id back from a key, and nothing from a key our producers do not write', () => {
    assert.equal(groupIdOfKey(messageKey(9_007_199_254_740_991)), 9_007_199_254_740_991);
    for (const key of ['', '0', '07', '-3', '1.5', ' 1', '9007199254740992', 'group'])
      assert.equal(groupIdOfKey(key), undefined, key);
  });
});
