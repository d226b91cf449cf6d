import type { ManagedProcess } from './managed-process.js';

/**
 * A server of the stack as a fault test drives it: stopped, killed, frozen (SIGSTOP: alive, connected, answering
 * nothing, as a replica lagging behind) and started again, always by its own pid.
 */
export interface ProcessHandle {
  /** Its log is logs/<name>.log under the data dir. */
  readonly name: string;
  readonly process: ManagedProcess;
  /** Starts it again after stop() or kill() (same config, same data) and waits until it serves. */
  start(): Promise<void>;
  /** SIGTERM, then SIGKILL after a grace period; resolves when it has exited. */
  stop(): Promise<void>;
  /** SIGKILL; resolves when it has exited. */
  kill(): Promise<void>;
  /** SIGSTOP: the process keeps its sockets and sessions but runs nothing until resume(). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
}

/** `what` names it in a readiness timeout ("ClickHouse on port 18123"); `serving` tells it is ready. */
export function processHandle(
  what: string,
  process: ManagedProcess,
  serving: () => Promise<boolean>,
  timeoutMs = 60_000,
): ProcessHandle {
  return {
    name: process.spec.name,
    process,
    async start() {
      // A second child on the same ports and data would fail, or worse, share the data folder.
      if (process.running) throw new Error(`${process.spec.name} already runs (pid ${process.pid})`);
      await process.start().ready(what, serving, timeoutMs);
    },
    stop: () => process.stop(),
    async kill() {
      process.signal('SIGKILL');
      await process.exited();
    },
    pause: () => process.signal('SIGSTOP'),
    resume: () => process.signal('SIGCONT'),
  };
}
