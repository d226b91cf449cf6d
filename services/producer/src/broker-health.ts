/**
 * What the producer's /health reports about its one dependency, the broker. The gateway checks every second with a
 * 1 s timeout (envoy/src/policy.ts), so a check never waits longer than `timeoutMs`, and its result is shared for
 * `cacheMs` by every health request (one probe at a time, however many checkers ask).
 */
export interface BrokerHealth {
  /** True while the broker answered the last probe and the client has not failed fatally. */
  isReachable(): Promise<boolean>;
  /** Marks the client as failed for good: every later check is false, whatever the broker does. */
  markFatal(error: unknown): void;
  /** The fatal error, once there is one. */
  readonly fatalError: unknown;
}

export interface BrokerHealthOptions {
  /** A cheap request to the broker (a metadata request), rejecting or never settling when it is unreachable. */
  probe: (timeoutMs: number) => Promise<unknown>;
  timeoutMs?: number;
  cacheMs?: number;
  now?: () => number;
}

export function createBrokerHealth({
  probe,
  timeoutMs = 500,
  cacheMs = 1000,
  now = Date.now,
}: BrokerHealthOptions): BrokerHealth {
  let fatalError: unknown;
  let last: { at: number; reachable: boolean } | undefined;
  let pending: Promise<boolean> | undefined;

  async function runProbe(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([
        probe(timeoutMs).then(
          () => true,
          () => false,
        ),
        timedOut,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async isReachable() {
      if (fatalError !== undefined) return false;
      if (last !== undefined && now() - last.at < cacheMs) return last.reachable;
      pending ??= runProbe().then((reachable) => {
        last = { at: now(), reachable };
        pending = undefined;
        return reachable;
      });
      const reachable = await pending;
      return reachable && fatalError === undefined;
    },
    markFatal(error) {
      fatalError ??= error ?? new Error('fatal Kafka client error');
    },
    get fatalError() {
      return fatalError;
    },
  };
}
