import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { BadamError } from '@badam/domain/contract/errors';
import { MAX_REQUEST_HEAD_BYTES, MAX_URL_BYTES, applyHttpLimits, checkUrlLength } from '../../src/http/http-limits.js';

/** Sends raw bytes and returns everything the server wrote before closing. */
async function exchange(server: Server, request: string): Promise<string> {
  const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
  socket.end(request);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'close');
  return Buffer.concat(chunks).toString();
}

function jsonError(response: string) {
  return { status: Number(response.split(' ')[1]), body: JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) };
}

describe('checkUrlLength', () => {
  it('refuses a URL over MAX_URL_BYTES with a 414 naming the url', () => {
    assert.doesNotThrow(() => checkUrlLength(`/${'a'.repeat(MAX_URL_BYTES - 1)}`));
    assert.throws(
      () => checkUrlLength(`/${'a'.repeat(MAX_URL_BYTES)}`),
      (error: unknown) => error instanceof BadamError && error.httpStatus === 414 && error.field === 'url',
    );
  });
});

describe('applyHttpLimits', () => {
  it('answers what Node’s parser refuses in the JSON error shape: a head too large (431), not HTTP (400)', async (t) => {
    const server = createServer((_request, response) => response.end('{}'));
    server.on('clientError', () => assert.fail('the framework’s listener must be replaced'));
    applyHttpLimits(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    t.after(() => server.close());

    const tooLarge = jsonError(
      await exchange(server, `GET /${'a'.repeat(MAX_REQUEST_HEAD_BYTES)} HTTP/1.1\r\nhost: x\r\n\r\n`),
    );
    assert.deepEqual(tooLarge, {
      status: 431,
      body: {
        error: 'headers_too_large',
        message: `the request line and headers are larger than ${MAX_REQUEST_HEAD_BYTES} bytes`,
        field: 'headers',
      },
    });
    const garbage = jsonError(await exchange(server, 'NOT HTTP\r\n\r\n'));
    assert.equal(garbage.status, 400);
    assert.equal(garbage.body.error, 'invalid_request');
    // A head just under the limit still parses.
    const fits = await exchange(
      server,
      `GET /${'a'.repeat(MAX_REQUEST_HEAD_BYTES - 100)} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`,
    );
    assert.match(fits, /^HTTP\/1\.1 200 /);
  });
});
