import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { BadamError } from '@badam/domain/contract/errors';
import { errorResponse } from './error-response.js';

/**
 * How long every HTTP service keeps an idle keep-alive connection open. The gateway must drop an idle upstream
 * connection before the service does (Envoy's upstream idle_timeout, HAProxy's pool-purge-delay: envoy/src/policy.ts;
 * deployment/test/unit/gateway-limits.test.ts checks the relation): otherwise the gateway can reuse a connection in the
 * instant the service closes it, and a send on it fails with a 503 it must not retry. Node's default is 5 s, hapi's
 * and restify's too; fastify's is 72 s.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * A request's headers must arrive within this, the whole request within REQUEST_TIMEOUT_MS. Node refuses a headers
 * timeout above the request timeout. Since Node 18 both are counted from the request's first byte, not from the
 * end of the previous one, so they no longer need to exceed the keep-alive timeout (nodejs/node#27363, Node < 18).
 */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 15_000;

/** Longer URLs are answered 414 before routing, by every service; far above any valid request's (about 60 bytes). */
export const MAX_URL_BYTES = 8 * 1024;

/**
 * Request line plus headers, Node's parser limit (its default, set explicitly). Past it Node's parser stops and the
 * service answers 431 from answerClientError; the gateway's own limit is the same (GATEWAY_POLICY.maxRequestHeadBytes).
 */
export const MAX_REQUEST_HEAD_BYTES = 16 * 1024;

/** Refuses a URL over MAX_URL_BYTES, naming it: every framework's own answer differs (414, 404, 400 or plain text). */
export function checkUrlLength(url: string | undefined) {
  // UTF-16 length is the byte length here: Node's parser accepts only ASCII bytes in a request target.
  if (url !== undefined && url.length > MAX_URL_BYTES) {
    throw new BadamError('uri_too_long', `the URL is longer than ${MAX_URL_BYTES} bytes`, { field: 'url' });
  }
}

/**
 * Puts the shared timeouts and head limit on a service's Node server and answers requests its parser refuses in
 * the project's JSON error shape (Node's own answer has no body, fastify's and hapi's their own shapes). Replaces any
 * 'clientError' listener the framework added.
 */
export function applyHttpLimits(server: Server) {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  // Read by Node for each new connection (http.Server stores its maxHeaderSize option there); the value is Node's
  // default, set so the limit is written down in one place.
  (server as Server & { maxHeaderSize?: number }).maxHeaderSize = MAX_REQUEST_HEAD_BYTES;
  server.removeAllListeners('clientError');
  server.on('clientError', answerClientError);
}

/** Answers a request Node's parser refused (too large a head, a timeout, not HTTP), as Node would, but in JSON. */
export function answerClientError(error: Error & { code?: string }, socket: Duplex) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // As Node's own handler: write only if no response on this connection has started.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && inFlight?.headersSent !== true) {
    const { status, headers, body } = errorResponse(clientErrorOf(error));
    const text = JSON.stringify(body);
    const extra = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n${extra}\r\n${text}`,
    );
  }
  socket.destroy(error);
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

function clientErrorOf(error: Error & { code?: string }): BadamError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new BadamError(
        'headers_too_large',
        `the request line and headers are larger than ${MAX_REQUEST_HEAD_BYTES} bytes`,
        {
          field: 'headers',
        },
      );
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new BadamError('request_timeout', 'the request was not received in time');
    default:
      return new BadamError('invalid_request', 'the request is not valid HTTP', { field: 'request' });
  }
}

/**
 * Stops accepting connections and resolves once every open one is closed, closing each after its current response.
 * Node's close() closes only the connections idle at that instant; one kept busy by the gateway's pool would then
 * stay open for the whole keep-alive timeout (65 s, past any shutdown grace period). So requests that arrive after
 * this get `connection: close`, and idle connections are closed as they become idle.
 */
export function closeServerGracefully(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.on('request', (_request, response: { shouldKeepAlive: boolean }) => {
      response.shouldKeepAlive = false;
    });
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}
