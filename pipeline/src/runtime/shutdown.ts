import type { Logger } from 'pino';

/**
 * One shutdown path per process, run once: the first SIGTERM or SIGINT runs `close` (stop accepting, finish
 * in-flight work, commit, disconnect); a second signal or the grace period running out exits at once. A fatal
 * error exits at once too.
 */
export function onShutdown(logger: Logger, graceMs: number, close: () => Promise<void>): void {
  let closing = false;
  const handle = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn({ signal }, 'second signal during shutdown, exiting now');
      process.exit(1);
    }
    closing = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ graceMs }, 'shutdown took longer than the grace period, exiting');
      process.exit(1);
    }, graceMs);
    timer.unref();
    close().then(
      () => {
        logger.info('shut down cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
  // A process dying with a native client's threads running (librdkafka) can hang instead of exiting: a fatal error
  // ends it hard, so the supervisor or orchestrator restarts it rather than leaving a stuck process.
  const fatal = (error: unknown) => {
    logger.fatal({ err: error }, 'fatal error, exiting');
    process.kill(process.pid, 'SIGKILL');
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
}

/** Waits `ms`, or less if `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Exponential backoff from `initialMs` doubling to `maxMs`, for retry loops against a dependency that is down. */
export function backoffDelays(initialMs: number, maxMs: number): () => number {
  let next = initialMs;
  return () => {
    const delay = next;
    next = Math.min(next * 2, maxMs);
    return delay;
  };
}
