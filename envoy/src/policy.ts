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
   * MAX_SEND_BODY_BYTES (deployment/test/unit/gateway-limits.test.ts keeps the two equal). A replica that refuses a large
   * upload early closes the connection mid-upload, which a proxy forwarding it may pass on as a reset, not the 413.
   */
  maxRequestBytes: 65_536,
  /**
   * Request line plus headers: the services' own parser limit, MAX_REQUEST_HEAD_BYTES (gateway-limits.test.ts keeps
   * the two equal), so a head the gateway forwards is one every service parses. Past it both gateways answer the
   * services' JSON 431 (HAProxy up to twice the limit, the most its buffer holds: gateway-errors.ts). Over-long URLs
   * below it are the services' 414.
   */
  maxRequestHeadBytes: 16_384,
  /** Header lines in one request: Envoy's default (max_request_headers_count), a JSON 431 past it from both gateways. */
  maxRequestHeaders: 100,
  /**
   * An idle connection to a service is closed by the gateway well before the service's own keep-alive timeout
   * (KEEP_ALIVE_TIMEOUT_MS, 65 s; gateway-limits.test.ts checks it). Otherwise the gateway may send a request on a
   * connection the service is closing that instant, and a send there fails with a 503 it cannot safely retry.
   */
  upstreamIdle: {
    /** Envoy: cluster idle_timeout, a hard limit per connection (its default is 1 hour). */
    envoyTimeoutMs: 30_000,
    /**
     * HAProxy 2.6 has no idle timeout for server-side connections (mux_h1 gives an idle backend connection none;
     * `timeout server` and `timeout http-keep-alive` do not apply): every pool-purge-delay it closes half of the
     * idle connections above what recent traffic needed, so an unused pool is gone after about
     * purgeDelay × (log2(maxconn) + 2). Measured with 2 s: 200 idle connections closed 7 to 23 s after the last
     * request.
     */
    haproxyPurgeDelayMs: 2000,
  },
  /** HAProxy's global maxconn; it also bounds how long its idle pool takes to empty (above). */
  haproxyMaxConnections: 4096,
  /**
   * Requests per second one client may make, the client being the TCP peer's address (no X-Forwarded-For hop is
   * trusted: a header would let any client pick its own bucket). Over it the gateway answers 429 + Retry-After
   * (gateway-errors.ts). Envoy: a token bucket per address holding burstSeconds × rate, refilled at rate (local rate
   * limit, dynamic descriptors on remote_address); HAProxy: at most burstSeconds × rate requests served per address
   * over a sliding burstSeconds window (a stick table counting the requests it let through). Both serve a client
   * offering more than the rate at the rate and refuse the rest.
   */
  clientRateLimit: {
    /**
     * envoy.yaml's value and the native stack's default (BADAM_GATEWAY_CLIENT_RATE_LIMIT). Sized for the assignment's
     * load, 1,000 users offering ~950 requests/s, all behind one address (a NAT, or k6 in one container).
     */
    defaultPerSecond: 1000,
    burstSeconds: 2,
    /**
     * Addresses remembered at once (Envoy max_dynamic_descriptors, HAProxy stick table size); past it the least
     * recently seen is forgotten, and comes back with a full bucket: a limit that errs on the lenient side.
     */
    trackedClients: 16_384,
  },
  /** The request line and headers must have arrived this long after their first byte (a slow client holds a connection). */
  requestHeadersTimeoutMs: 10_000,
  /** A client connection idle this long (no request in flight, or a request that makes no progress) is closed. */
  clientIdleTimeoutMs: 30_000,
  /**
   * Client connections one gateway holds at once: twice what the assignment's 1,000 users hold (one each); past it
   * Envoy refuses new connections (overload manager) and HAProxy leaves them waiting in the kernel's queue.
   */
  maxClientConnections: 2048,
  healthCheck: {
    intervalMs: 1000,
    timeoutMs: 1000,
    /** Failed checks before a replica is taken out, passed checks before it is put back. */
    unhealthyThreshold: 2,
    healthyThreshold: 2,
  },
} as const;

/**
 * The longest an idle upstream connection can stay open: Envoy's idle timeout, or the time HAProxy takes to empty an
 * unused idle pool at its largest (maxconn connections), whichever is longer.
 */
export function upstreamIdleBoundMs(policy: typeof GATEWAY_POLICY = GATEWAY_POLICY): number {
  const { envoyTimeoutMs, haproxyPurgeDelayMs } = policy.upstreamIdle;
  return Math.max(envoyTimeoutMs, haproxyPurgeDelayMs * (Math.ceil(Math.log2(policy.haproxyMaxConnections)) + 2));
}

/** One client address's allowance: `perSecond` sustained, `burst` at once (what a full bucket holds). */
export interface ClientRateLimit {
  perSecond: number;
  burst: number;
}

export function clientRateLimit(perSecond: number = GATEWAY_POLICY.clientRateLimit.defaultPerSecond): ClientRateLimit {
  if (!Number.isInteger(perSecond) || perSecond < 1)
    throw new Error(`client rate limit must be a whole number of requests/s ≥ 1, got ${perSecond}`);
  return { perSecond, burst: perSecond * GATEWAY_POLICY.clientRateLimit.burstSeconds };
}
