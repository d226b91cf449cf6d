import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Duplex } from 'node:stream';
import { describe, it } from 'node:test';
import { GATEWAY_POLICY, gatewayError, gatewayErrorBody, upstreamIdleBoundMs } from '@badam/gateway';
import {
  HEADERS_TIMEOUT_MS,
  KEEP_ALIVE_TIMEOUT_MS,
  MAX_REQUEST_HEAD_BYTES,
  MAX_SEND_BODY_BYTES,
  REQUEST_TIMEOUT_MS,
  answerClientError,
  applyHttpLimits,
} from '@badam/pipeline';

// The gateway package does not import the pipeline (it renders configs, it runs no Kafka client), so the limits
// both enforce are written twice; this keeps the copies equal, and the timeouts in the order they must be.
describe('the gateway body limit', () => {
  it('is the producer’s own body limit', () => {
    assert.equal(GATEWAY_POLICY.maxRequestBytes, MAX_SEND_BODY_BYTES);
  });
});

describe('the gateway request head limit', () => {
  it('is the services’ parser limit, so the gateway forwards only heads every service parses', () => {
    assert.equal(GATEWAY_POLICY.maxRequestHeadBytes, MAX_REQUEST_HEAD_BYTES);
  });

  it('is answered by Envoy with the body a service gives for the same head', () => {
    const written: Buffer[] = [];
    const socket = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, done) {
        written.push(chunk);
        done();
      },
    });
    socket.on('error', () => {}); // answerClientError destroys the socket with the parser's error, as Node does
    answerClientError(Object.assign(new Error('overflow'), { code: 'HPE_HEADER_OVERFLOW' }), socket);
    const response = Buffer.concat(written).toString();
    assert.match(response, /^HTTP\/1\.1 431 /);
    assert.deepEqual(JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)), gatewayErrorBody(gatewayError(431)));
  });
});

describe('keep-alive between the gateway and the services', () => {
  it('the gateway drops an idle upstream connection before any service would (Envoy and HAProxy)', () => {
    // Else the gateway can reuse a connection the service is closing that instant: a send fails with a 503.
    assert.ok(
      upstreamIdleBoundMs() < KEEP_ALIVE_TIMEOUT_MS,
      `${upstreamIdleBoundMs()} ms < ${KEEP_ALIVE_TIMEOUT_MS} ms`,
    );
    // A few seconds of margin for timers that fire late under load.
    assert.ok(KEEP_ALIVE_TIMEOUT_MS - upstreamIdleBoundMs() >= 5000);
  });

  it('every service’s server gets the shared timeouts, in the order Node requires', () => {
    const server = createServer();
    applyHttpLimits(server);
    assert.equal(server.keepAliveTimeout, KEEP_ALIVE_TIMEOUT_MS);
    assert.equal(server.headersTimeout, HEADERS_TIMEOUT_MS);
    assert.equal(server.requestTimeout, REQUEST_TIMEOUT_MS);
    // Node refuses a headers timeout above the request timeout (ERR_OUT_OF_RANGE at createServer).
    assert.ok(server.headersTimeout <= server.requestTimeout);
    assert.doesNotThrow(() =>
      createServer({
        headersTimeout: HEADERS_TIMEOUT_MS,
        requestTimeout: REQUEST_TIMEOUT_MS,
        keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      }),
    );
  });
});
