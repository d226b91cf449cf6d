import { setTimeout as delay } from 'node:timers/promises';

/**
 * How a service behind the gateway leaves its rotation before it closes. A server that closes an idle keep-alive
 * connection races the gateway reusing it: a send written on it as it closes gets no answer, and the gateway cannot
 * safely retry a send. So on SIGTERM the service first answers /health 503 `draining` for `drainMs`, longer than the
 * gateway takes to mark it down (GATEWAY_POLICY.healthCheck: interval × unhealthy threshold, plus a check's timeout),
 * serving whatever still arrives; only then does it stop accepting and close its connections.
 */
export interface GatewayDrain {
  readonly draining: boolean;
  /** Starts answering /health 503 and resolves once the gateway has had time to take this replica out. */
  leaveRotation(): Promise<void>;
}

export function createGatewayDrain({
  SHUTDOWN_DRAIN_MS: drainMs,
  SHUTDOWN_GRACE_MS: graceMs,
}: {
  SHUTDOWN_DRAIN_MS: number;
  SHUTDOWN_GRACE_MS: number;
}): GatewayDrain {
  // The grace period counts from the signal, so it must leave time for in-flight work after the drain.
  if (drainMs >= graceMs) {
    throw new Error(`SHUTDOWN_DRAIN_MS (${drainMs}) must be less than SHUTDOWN_GRACE_MS (${graceMs})`);
  }
  let draining = false;
  return {
    get draining() {
      return draining;
    },
    async leaveRotation() {
      draining = true;
      await delay(drainMs);
    },
  };
}

export const DRAINING_HEALTH = { status: 503, body: { status: 'draining' } } as const;
