import { pino, type Logger } from 'pino';

export type { Logger };

/** One JSON logger per process, shared with the HTTP framework where it accepts one. */
export function createLogger(name: string, level: string): Logger {
  return pino({ name, level });
}
