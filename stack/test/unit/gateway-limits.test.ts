import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GATEWAY_POLICY } from '@badam/gateway';
import { MAX_SEND_BODY_BYTES } from '@badam/pipeline';

// The gateway package does not import the pipeline (it renders configs, it runs no Kafka client), so the one limit
// both enforce is written twice; this keeps the copies equal.
describe('the gateway body limit', () => {
  it('is the producer’s own body limit', () => {
    assert.equal(GATEWAY_POLICY.maxRequestBytes, MAX_SEND_BODY_BYTES);
  });
});
