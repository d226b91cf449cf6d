import { setTimeout } from 'node:timers/promises';
import { backoffDelays } from '@badam/pipeline/core';

export interface RetryOptions {
  /** Give up once this time (ms since the epoch) has passed: the last error is thrown. */
  deadline: number;
  /** What it says of each attempt (a pino logger). */
  logger: { info(message: string): void; warn(fields: object, message: string): void };
  /** Delays between attempts; by default 0.5 s doubling up to 5 s, since the broker or database may still start. */
  nextDelay?: () => number;
  wait?: (ms: number) => Promise<void>;
  /** Errors no wait can fix (a configuration error): thrown at once. */
  isFatal?: (error: unknown) => boolean;
  now?: () => number;
}

/** Runs `step` until it succeeds, or rethrows its error once the deadline has passed. */
export async function retryUntilDeadline(
  what: string,
  step: () => Promise<void>,
  options: RetryOptions,
): Promise<void> {
  const {
    deadline,
    logger,
    nextDelay = backoffDelays(500, 5000),
    wait = (ms: number) => setTimeout(ms),
    now = Date.now,
    isFatal = () => false,
  } = options;
  for (;;) {
    try {
      await step();
      logger.info(`${what}: done`);
      return;
    } catch (error) {
      if (now() > deadline || isFatal(error)) throw error;
      const delayMs = nextDelay();
      logger.warn({ err: error, delayMs }, `${what}: not yet, retrying`);
      await wait(delayMs);
    }
  }
}
