import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadamError } from '../../src/contract/errors.js';
import { MAX_TEXT_CHARACTERS, parseSendMessage } from '../../src/contract/send-message.js';

const valid = { group_id: 42, sender_id: 7, text: 'hello' };

function rejects(body: unknown, field: string, message?: RegExp) {
  assert.throws(
    () => parseSendMessage(body),
    (error: unknown) => {
      assert.ok(error instanceof BadamError);
      assert.equal(error.code, 'invalid_request');
      assert.equal(error.field, field);
      if (message) assert.match(error.message, message);
      return true;
    },
  );
}

describe('parseSendMessage', () => {
  it('accepts a valid message and returns exactly its fields', () => {
    assert.deepEqual(parseSendMessage(valid), valid);
  });

  it('refuses bodies that are not JSON objects', () => {
    for (const body of [null, [], 'text', 12, true]) rejects(body, 'body');
  });

  it('names a missing field', () => {
    rejects({ sender_id: 7, text: 'x' }, 'group_id', /required/);
    rejects({ group_id: 1, text: 'x' }, 'sender_id', /required/);
    rejects({ group_id: 1, sender_id: 7 }, 'text', /required/);
  });

  it('names an unknown field', () => {
    rejects({ ...valid, admin: true }, 'admin', /unknown field/);
  });

  it('refuses ids that are not positive safe integers', () => {
    for (const id of [
      0,
      -1,
      1.5,
      '42',
      '1; DROP TABLE messages',
      null,
      2 ** 53,
      2 ** 64,
      Number.NaN,
      Number.POSITIVE_INFINITY,
    ]) {
      rejects({ ...valid, group_id: id }, 'group_id');
      rejects({ ...valid, sender_id: id }, 'sender_id');
    }
  });

  it('accepts the largest safe id', () => {
    assert.equal(parseSendMessage({ ...valid, group_id: Number.MAX_SAFE_INTEGER }).group_id, Number.MAX_SAFE_INTEGER);
  });

  it('refuses empty, blank and non-string text', () => {
    rejects({ ...valid, text: '' }, 'text', /empty/);
    rejects({ ...valid, text: ' \n\t ' }, 'text', /empty/);
    rejects({ ...valid, text: 5 }, 'text', /string/);
  });

  it('counts the limit in characters (code points), not UTF-16 units or bytes', () => {
    assert.equal(parseSendMessage({ ...valid, text: 'a'.repeat(MAX_TEXT_CHARACTERS) }).text.length, 3000);
    rejects({ ...valid, text: 'a'.repeat(MAX_TEXT_CHARACTERS + 1) }, 'text', /at most 3000 characters \(got 3001\)/);
    const emoji = '😀'.repeat(MAX_TEXT_CHARACTERS); // 6000 UTF-16 units, 12000 bytes, 3000 characters
    assert.equal(parseSendMessage({ ...valid, text: emoji }).text, emoji);
    rejects({ ...valid, text: `${emoji}a` }, 'text', /got 3001/);
  });

  it('refuses control characters and unpaired surrogates but keeps tabs and newlines', () => {
    rejects({ ...valid, text: 'a\u0000b' }, 'text', /control/);
    rejects({ ...valid, text: 'a\u001bb' }, 'text', /control/);
    rejects({ ...valid, text: 'a\ud800b' }, 'text', /Unicode/);
    assert.equal(parseSendMessage({ ...valid, text: 'line\n\tline\r\n' }).text, 'line\n\tline\r\n');
  });
});
