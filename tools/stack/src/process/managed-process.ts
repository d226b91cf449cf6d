import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { waitFor } from './wait.js';

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** stdout and stderr are appended here. */
  logFile: string;
  /** Restart after an exit nobody asked for (a crash or a kill from outside). */
  restart?: boolean;
}

/** How long a process must have run for its death to count as a crash after work rather than a crash loop. */
const RAN_WELL_MS = 10_000;

/**
 * A child process the stack owns: started, watched, restarted when it dies unasked, and stopped by its own pid
 * (SIGTERM, then SIGKILL after a grace period), never by name.
 */
export class ManagedProcess {
  #child: ChildProcess | undefined;
  #stopping = false;
  #restarts = 0;
  /** Restarts since the process last ran for a while: what the crash-loop backoff grows with. */
  #quickRestarts = 0;
  #startedAt = 0;
  #exited: Promise<void> = Promise.resolve();

  constructor(readonly spec: ProcessSpec) {}

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** True from start() until the child exits. */
  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  get restarts(): number {
    return this.#restarts;
  }

  start(): this {
    this.#stopping = false;
    mkdirSync(dirname(this.spec.logFile), { recursive: true });
    const log = createWriteStream(this.spec.logFile, { flags: 'a' });
    const child = spawn(this.spec.command, this.spec.args, {
      cwd: this.spec.cwd,
      env: { ...process.env, ...this.spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.#child = child;
    this.#startedAt = Date.now();
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        log.end();
        resolve();
        if (this.#stopping || this.spec.restart !== true) return;
        this.#restarts++;
        const delay = this.#restartDelay(code);
        process.stderr.write(`[stack] ${this.spec.name} exited (${signal ?? code}); restarting in ${delay} ms\n`);
        setTimeout(() => {
          if (!this.#stopping) this.start();
        }, delay).unref();
      });
    });
    return this;
  }

  /**
   * A process that stopped cleanly (exit 0: a SIGTERM from outside, as in a rolling restart) or died after running a
   * while is restarted at once (100 ms): a consumer's partitions wait for it, and its delivery pause is this delay
   * plus its start (docs/BENCHMARKS.md, "Consumer failover"). One that keeps failing within RAN_WELL_MS of its start
   * is in a crash loop: 500 ms more each time, up to 5 s.
   */
  #restartDelay(exitCode: number | null): number {
    if (exitCode === 0 || Date.now() - this.#startedAt >= RAN_WELL_MS) this.#quickRestarts = 0;
    this.#quickRestarts++;
    return this.#quickRestarts === 1 ? 100 : Math.min(500 * (this.#quickRestarts - 1), 5000);
  }

  /** Waits until `check` passes; a process that does not get there is stopped, so a failed start leaves nothing running. */
  async ready(what: string, check: () => Promise<boolean>, timeoutMs?: number): Promise<this> {
    try {
      await waitFor(what, check, timeoutMs);
    } catch (error) {
      await this.stop();
      throw error;
    }
    return this;
  }

  /** Sends `signal` to the process by pid without stopping supervision (a fault injection in tests). */
  signal(signal: NodeJS.Signals): void {
    if (this.#child?.pid !== undefined && this.#child.exitCode === null) process.kill(this.#child.pid, signal);
  }

  /** Resolves when the current child has exited (immediately if none runs). */
  exited(): Promise<void> {
    return this.#exited;
  }

  async stop(graceMs = 15_000): Promise<void> {
    this.#stopping = true;
    const child = this.#child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    this.signal('SIGTERM');
    // A process a fault test froze (SIGSTOP) acts on the SIGTERM only once continued.
    this.signal('SIGCONT');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }
}

/** Runs a command to completion, failing with its output when it exits non-zero. */
export function run(command: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(command, args, { ...options, env: { ...process.env, ...options.env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output}`)),
    );
  });
}
