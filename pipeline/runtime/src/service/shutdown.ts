import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';

/**
 * One shutdown path per process, run once: the first SIGTERM or SIGINT runs `close` (stop accepting, finish
 * in-flight work, commit, disconnect); a second signal or the grace period running out exits at once. A fatal
 * error exits at once too.
 *
 * Returns a way to take the same path from inside, for a process that must leave for good (its Kafka client failed
 * fatally): it closes as on SIGTERM, then exits 1, so a supervisor that restarts failed processes starts a new one.
 */
export function onShutdown(logger: Logger, graceMs: number, close: () => Promise<void>): (reason: string) => void {
  let closing = false;
  const run = (fields: Record<string, unknown>, exitCode: 0 | 1) => {
    if (closing) {
      logger.warn(fields, 'second shutdown request during shutdown, exiting now');
      process.exit(1);
    }
    closing = true;
    logger.info(fields, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ graceMs }, 'shutdown took longer than the grace period, exiting');
      process.exit(1);
    }, graceMs);
    timer.unref();
    close().then(
      () => {
        logger.info('shut down cleanly');
        process.exit(exitCode);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  const handle = (signal: NodeJS.Signals) => run({ signal }, 0);
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
  return (reason) => {
    if (!closing) run({ reason }, 1);
  };
}

/**
 * Waits `ms`, or less if `signal` aborts first: resolves either way (false when cut short), for the loops whose stop
 * just ends the wait. A loop that must give up its work on a stop awaits node:timers/promises' rejecting setTimeout.
 */
export async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch (error) {
    if (signal.aborted) return false;
    throw error;
  }
}
