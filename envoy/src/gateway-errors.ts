import { GATEWAY_POLICY } from './policy.js';

/**
 * The gateway's own error replies (a route's service down, slow or answering badly, a body too large, a request
 * that is not valid HTTP), in the services' JSON error shape, the same from Envoy (local_reply_config) and HAProxy
 * (http-error). Both gateways' defaults are plain text or HTML, which a client parsing errors as JSON cannot read.
 * One gap, HAProxy 2.6's: a request it cannot parse at all (not HTTP/1, or a head too large for its buffer, twice the
 * limit) or whose head arrives too slowly (408) gets its built-in HTML page whatever the config says: its
 * HTTP/1 layer answers before any rule or http-error applies (haproxy/haproxy#3032, fixed in 3.2). Heads past the
 * limit within its buffer, where clients really go (a long query string, many headers), are refused by rules in
 * JSON (haproxy-config.ts). Envoy applies these to its own.
 */
export interface GatewayError {
  status: number;
  error: string;
  message: string;
  /** The request part at fault, as the services name a field. */
  field?: string;
  /** Sent as Retry-After: a 503 (no healthy replica) usually lasts a moment; a 429 client waits out its window. */
  retryAfterSeconds?: number;
  /** HAProxy's http-error takes no 431: HAProxy answers it with its own rule (`http-request return`), not a mapping. */
  haproxyRuleOnly?: true;
}

export const GATEWAY_ERRORS: readonly GatewayError[] = [
  { status: 400, error: 'bad_request', message: 'the request is not valid HTTP' },
  { status: 408, error: 'request_timeout', message: 'the request was not received in time' },
  { status: 413, error: 'payload_too_large', message: 'request body is too large', field: 'body' },
  // A client over GATEWAY_POLICY.clientRateLimit. After a window of silence it is served again by either gateway:
  // Envoy's bucket has refilled, and HAProxy's window has moved past the requests that filled it.
  {
    status: 429,
    error: 'rate_limited',
    message: 'too many requests from this client address',
    retryAfterSeconds: GATEWAY_POLICY.clientRateLimit.burstSeconds,
  },
  // The services' own answer to the same head (MAX_REQUEST_HEAD_BYTES), word for word.
  {
    status: 431,
    error: 'headers_too_large',
    message: 'the request line and headers are larger than 16384 bytes',
    field: 'headers',
    haproxyRuleOnly: true,
  },
  { status: 502, error: 'bad_gateway', message: 'the service answered badly' },
  { status: 503, error: 'service_unavailable', message: 'no healthy replica', retryAfterSeconds: 1 },
  { status: 504, error: 'gateway_timeout', message: 'the service did not answer in time' },
];

/** The JSON body of a gateway error. */
export function gatewayErrorBody({ error, message, field }: GatewayError): {
  error: string;
  message: string;
  field?: string;
} {
  return field === undefined ? { error, message } : { error, message, field };
}

export function gatewayError(status: number): GatewayError {
  const found = GATEWAY_ERRORS.find((e) => e.status === status);
  if (found === undefined) throw new Error(`no gateway error for status ${status}`);
  return found;
}

/** The gateway's own answers to an unknown route and to its health check. */
export const NOT_FOUND_BODY = '{"error":"not_found","message":"no gateway route for this method and path"}';
export const GATEWAY_HEALTH_BODY = '{"status":"ok"}';
