/**
 * Timeouts, retries and health checks shared by the Envoy and HAProxy renderings, so both gateways behave alike.
 * Reads retry on another replica (a killed replica costs no failed read); sends retry only when the connection
 * failed, so the request never reached a producer (see retriable()): any other retry could store a message twice.
 */
export const GATEWAY_POLICY = {
  connectTimeoutMs: 1000,
  read: {
    /** Whole request, retries included. */
    timeoutMs: 8000,
    /** One attempt: a ClickHouse page read takes milliseconds; seconds means a stuck replica, so try another. */
    perTryTimeoutMs: 3000,
    retries: 2,
    retriableStatusCodes: [503],
  },
  send: {
    /** Above the producer's own 3 s broker wait (PRODUCER_SEND_TIMEOUT_MS), so its 503 reaches the client. */
    timeoutMs: 10_000,
    /** Attempts on another replica after a refused connection (a replica that just died or is restarting). */
    connectRetries: 2,
  },
  /**
   * Bodies above this are refused at the gateway (413), before any is forwarded: the producer's own limit,
   * MAX_SEND_BODY_BYTES (stack/test/unit/gateway-limits.test.ts keeps the two equal). A replica that refuses a large
   * upload early closes the connection mid-upload, which a proxy forwarding it may pass on as a reset, not the 413.
   */
  maxRequestBytes: 65_536,
  healthCheck: {
    intervalMs: 1000,
    timeoutMs: 1000,
    /** Failed checks before a replica is taken out, passed checks before it is put back. */
    unhealthyThreshold: 2,
    healthyThreshold: 2,
  },
} as const;

/**
 * The gateway's own error replies (a route's service down, slow or answering badly, a body too large, a request
 * that is not valid HTTP), in the services' JSON error shape, the same from Envoy (local_reply_config) and HAProxy
 * (http-error). Both gateways' defaults are plain text or HTML, which a client parsing errors as JSON cannot read.
 * One gap: HAProxy 2.6 answers a request it cannot parse (400) or that arrives too slowly (408) with its built-in
 * HTML page whatever the config says (haproxy/haproxy#3032, fixed in 3.2); Envoy applies these to its own.
 */
export interface GatewayError {
  status: number;
  error: string;
  message: string;
  /** The request part at fault, as the services name a field. */
  field?: string;
  /** Sent as Retry-After: the gateway answers 503 when no replica is healthy, usually for a moment. */
  retryAfterSeconds?: number;
}

export const GATEWAY_ERRORS: readonly GatewayError[] = [
  { status: 400, error: 'bad_request', message: 'the request is not valid HTTP' },
  { status: 408, error: 'request_timeout', message: 'the request was not received in time' },
  { status: 413, error: 'payload_too_large', message: 'request body is too large', field: 'body' },
  { status: 502, error: 'bad_gateway', message: 'the service answered badly' },
  { status: 503, error: 'service_unavailable', message: 'no healthy replica', retryAfterSeconds: 1 },
  { status: 504, error: 'gateway_timeout', message: 'the service did not answer in time' },
];

/** The JSON body of a gateway error. */
export function gatewayErrorBody({ error, message, field }: GatewayError): { error: string; message: string; field?: string } {
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

/** Envoy and protobuf JSON durations: "1.5s". */
export function seconds(ms: number): string {
  return `${ms / 1000}s`;
}
