import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadamError } from '@badam/domain/contract/errors';
import { errorResponse } from '../../src/http/error-response.js';
import { parseJsonBody } from '../../src/http/json-body.js';

describe('errorResponse', () => {
  it('maps a validation error to 400 naming the field', () => {
    const response = errorResponse(new BadamError('invalid_request', 'group_id is required', { field: 'group_id' }));
    assert.deepEqual(response, {
      status: 400,
      headers: {},
      body: { error: 'invalid_request', message: 'group_id is required', field: 'group_id' },
    });
  });

  it('answers a dependency fault with 503 and Retry-After', () => {
    const response = errorResponse(new BadamError('broker_unavailable', 'broker down'));
    assert.equal(response.status, 503);
    assert.equal(response.headers['retry-after'], '1');
  });

  it('keeps a framework 4xx status and hides internal errors', () => {
    assert.equal(errorResponse(Object.assign(new Error('too big'), { statusCode: 413 })).status, 413);
    assert.equal(errorResponse(Object.assign(new Error('bad json'), { statusCode: 400 })).body.field, 'body');
    const internal = errorResponse(new Error('secret connection string'));
    assert.equal(internal.status, 500);
    assert.doesNotMatch(JSON.stringify(internal.body), /secret/);
  });
});

describe('parseJsonBody', () => {
  it('parses JSON', () => {
    assert.deepEqual(parseJsonBody(Buffer.from('{"a":1}')), { a: 1 });
  });

  it('refuses invalid UTF-8 and invalid JSON, naming the body', () => {
    assert.throws(() => parseJsonBody(Buffer.from([0x7b, 0xff, 0x7d])), /not valid UTF-8/);
    assert.throws(() => parseJsonBody(Buffer.from('{"a":')), /not valid JSON/);
  });
});
