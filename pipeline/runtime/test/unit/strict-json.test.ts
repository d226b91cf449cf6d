import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadamError } from '@badam/domain/contract/errors';
import { parseJsonBody } from '../../src/http/json-body.js';
import { isExactNumber } from '../../src/http/exact-number.js';
import { checkStrictJson } from '../../src/http/strict-json.js';

function refused(text: string, field: string, message: RegExp) {
  assert.throws(
    () => parseJsonBody(Buffer.from(text)),
    (error: unknown) =>
      error instanceof BadamError &&
      error.code === 'invalid_request' &&
      error.field === field &&
      message.test(error.message),
    text,
  );
}

describe('checkStrictJson (through parseJsonBody)', () => {
  it('accepts ordinary sends, and keys or numbers that only look alike inside strings', () => {
    for (const text of [
      '{"group_id":7,"sender_id":9,"text":"hi"}',
      '{"group_id":9007199254740991,"sender_id":1,"text":"1.0000000000000001 and \\"group_id\\":2"}',
      '{"text":"a \\\\","group_id":1,"sender_id":2}',
      '{"a":{"x":1},"b":{"x":1},"c":[{"x":1},{"x":2}]}',
      ' { "group_id" : 1 , "sender_id" : 2 } ',
      '[1,2,3]',
      '{"x":1.5,"y":-0,"z":1.0,"w":1e2,"v":10E-1,"u":0.0e5}',
    ]) {
      assert.doesNotThrow(() => checkStrictJson(text), text);
    }
  });

  it('refuses a repeated key, naming the top-level field it is in', () => {
    refused('{"group_id":1,"group_id":2,"sender_id":9,"text":"hi"}', 'group_id', /duplicate key "group_id"/);
    refused('{"group_id":1,"sender_id":9,"text":"a","text":"b"}', 'text', /duplicate key "text"/);
    // The same key written with an escape is the same key.
    refused('{"group_id":1,"group\\u005fid":2}', 'group_id', /duplicate key/);
    refused('{"group_id":{"a":1,"a":2}}', 'group_id', /duplicate key "a"/);
    refused('[{"a":1,"a":2}]', 'body', /duplicate key "a"/);
  });

  it('refuses numbers JSON.parse would round to an integer, naming their field', () => {
    refused('{"group_id":1.0000000000000001,"sender_id":9,"text":"hi"}', 'group_id', /exact integer/);
    refused('{"group_id":7,"sender_id":9007199254740993,"text":"hi"}', 'sender_id', /exact integer/);
    refused('{"group_id":18446744073709551617,"sender_id":1,"text":"hi"}', 'group_id', /exact integer/);
    refused('{"group_id":1e-400,"sender_id":1,"text":"hi"}', 'group_id', /exact integer/);
    refused('{"group_id":[1,2.00000000000000001]}', 'group_id', /exact integer/);
    refused('99999999999999999', 'body', /exact integer/);
  });
});

describe('isExactNumber', () => {
  it('is true when the literal is the double it parses to, or not an integer at all', () => {
    for (const literal of [
      '0',
      '-0',
      '7',
      '-12',
      '9007199254740991',
      '9007199254740992',
      '1e21',
      '100000000000000000000',
      '1.0',
      '2.50e1',
      '1.5',
      '0.1',
      '1e400',
    ]) {
      assert.equal(isExactNumber(literal), true, literal);
    }
  });

  it('is false when JSON.parse rounds it to an integer', () => {
    for (const literal of [
      '1.0000000000000001',
      '9007199254740993',
      '-9007199254740993',
      '1e-400',
      '12345678901234567890',
      '0.99999999999999999',
    ]) {
      assert.equal(isExactNumber(literal), false, literal);
    }
  });
});
