import type { LoadReport } from './locust.js';

export interface SearchStep {
  rate: number;
  /** Every threshold held (p95, p99, errors, the rate itself) and the reconciliation passed. */
  ok: boolean;
  report: LoadReport;
}

/**
 * The next arrival rate to try, or undefined when the search is done: up by `step` while rates hold; after the first
 * miss, halve the gap between the highest rate that held and the lowest that missed until it is at most step / 2.
 * No rate held at all: the search ends (start lower).
 */
export function nextRate(steps: readonly SearchStep[], step: number, maxRate: number): number | undefined {
  const held = steps.filter((s) => s.ok).map((s) => s.rate);
  const missed = steps.filter((s) => !s.ok).map((s) => s.rate);
  if (held.length === 0) return undefined;
  const best = Math.max(...held);
  if (missed.length === 0) return best + step <= maxRate ? best + step : undefined;
  const lowestMiss = Math.min(...missed.filter((rate) => rate > best), Infinity);
  if (lowestMiss === Infinity) return best + step <= maxRate ? best + step : undefined;
  if (lowestMiss - best <= step / 2) return undefined;
  return Math.round((best + lowestMiss) / 2);
}

/** A table of the steps so far, one row per rate, and the highest rate that held. */
export function formatSearch(steps: readonly SearchStep[]): string {
  const apis = ['fastify', 'hapi', 'restify', 'send'] as const;
  const rows = steps.map(({ rate, ok, report }) => {
    const perApi = apis.map((api) => `${api} ${report.apis[api].p95_ms ?? '-'}/${report.apis[api].p99_ms ?? '-'}`);
    const errors = apis.reduce((sum, api) => sum + report.apis[api].errors, 0);
    return `  ${String(rate).padStart(6)}/s  achieved ${report.total_rps}/s  p95/p99 ms: ${perApi.join(', ')}  errors ${errors}  ${ok ? 'held' : 'MISSED'}`;
  });
  const held = steps.filter((s) => s.ok).map((s) => s.rate);
  const best = held.length === 0 ? 'none' : `${Math.max(...held)}/s`;
  return ['[search] arrival rates tried:', ...rows, `[search] highest rate that held every threshold: ${best}`].join(
    '\n',
  );
}
