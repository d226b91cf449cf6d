import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadamError } from '../../src/contract/errors.js';
import { idempotencyHash, parseIdempotencyKey } from '../../src/contract/idempotency-key.js';

describe('parseIdempotencyKey', () => {
  it('takes no key, a UUID, a ULID or a counter', () => {
    assert.equal(parseIdempotencyKey(undefined), undefined);
    for (const key of [
      '0b9e1c7a-5a41-4f7e-9d3e-2f7f2b2c9a10',
      '01JDQ3Y5N1G6Y7Z8X9W0V1T2S3',
      'client-7:42',
      'a',
      'x'.repeat(128),
    ]) {
      assert.equal(parseIdempotencyKey(key), key);
    }
  });

  it('refuses an empty, long, repeated or odd key, naming the header', () => {
    for (const key of ['', 'x'.repeat(129), 'has space', "quote'", 'slash/', 'é', ['a', 'b']]) {
      assert.throws(
        () => parseIdempotencyKey(key),
        (error: unknown) => error instanceof BadamError && error.field === 'idempotency-key',
        JSON.stringify(key),
      );
    }
  });
});

describe('idempotencyHash', () => {
  it('is a positive safe integer, the same for the same sender and key', () => {
    const hash = idempotencyHash(7, 'k-1');
    assert.ok(Number.isSafeInteger(hash) && hash > 0);
    assert.equal(idempotencyHash(7, 'k-1'), hash);
  });

  it('differs between keys and between senders using the same key', () => {
    const hashes = new Set([idempotencyHash(7, 'k-1'), idempotencyHash(7, 'k-2'), idempotencyHash(8, 'k-1')]);
    assert.equal(hashes.size, 3);
  });
});
