import { BadamError } from '@badam/domain/contract/errors';

/**
 * A bound on the work a process holds at once. Past it, a request is refused at once with `overloaded` (503 with
 * Retry-After) instead of queueing: under a load the process cannot serve, queues only grow memory and latency until
 * every request times out, while a quick refusal keeps the requests it does take fast and the process alive.
 *
 * Shared rather than each framework's own, which bound something else: @fastify/under-pressure and hapi's `load`
 * shed on event-loop delay, heap and RSS; restify's inflightRequestThrottle counts every request from its arrival,
 * /health and /metrics included, before validation. This one counts only validated work waiting on Kafka or
 * ClickHouse, the same in all four services (docs/ARCHITECTURE.md, "Libraries and hand-written code").
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
