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

/** Envoy and protobuf JSON durations: "1.5s". */
export function seconds(ms: number): string {
  return `${ms / 1000}s`;
}
