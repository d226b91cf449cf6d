import { BadamError } from '../contract/errors.js';

/**
 * A bound on the work a process holds at once. Past it, a request is refused at once with `overloaded` (503 with
 * Retry-After) instead of queueing: under a load the process cannot serve, queues only grow memory and latency until
 * every request times out, while a quick refusal keeps the requests it does take fast and the process alive.
 */
export interface Admission {
  run<T>(work: () => Promise<T>): Promise<T>;
  inFlight(): number;
}

export function createAdmission(limit: number): Admission {
  let inFlight = 0;
  return {
    async run(work) {
      if (inFlight >= limit) throw new BadamError('overloaded', 'too many requests in progress, retry later');
      inFlight++;
      try {
        return await work();
      } finally {
        inFlight--;
      }
    },
    inFlight: () => inFlight,
  };
}
