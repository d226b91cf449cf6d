import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds; resolves a p95 anywhere from 1 ms to 5 s. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 0.75, 1, 2.5, 5];

export interface ServiceMetrics {
  registry: Registry;
  /** Records one HTTP request; `route` is the route template, never the raw URL. */
  observeRequest(request: {
    framework: string;
    route: string | undefined;
    method: string;
    statusCode: number;
    seconds: number;
  }): void;
  /** The text exposition for GET /metrics. */
  render(): Promise<{ contentType: string; body: string }>;
}

/**
 * One registry per service process, passed to whatever records into it (never prom-client's global registry, so
 * tests and several services in one process do not share state). Every series carries the `service` label.
 */
export function createServiceMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by route template, method and status, from arrival to response',
    labelNames: ['framework', 'route', 'method', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  // A service has a handful of route templates: each is translated once, not on every request.
  const routeLabels = new Map<string | undefined, string>();
  return {
    registry,
    observeRequest({ framework, route, method, statusCode, seconds }) {
      let label = routeLabels.get(route);
      if (label === undefined) {
        label = routeLabel(route);
        routeLabels.set(route, label);
      }
      requestDuration.observe({ framework, route: label, method, status_code: String(statusCode) }, seconds);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

/**
 * Route templates spelled the same in every framework (`/groups/:group_id/messages`), so one PromQL query covers
 * fastify, hapi and restify; anything unmatched is one label value, never the requested path.
 */
function routeLabel(template: string | undefined): string {
  if (template === undefined || template === '' || template.includes('*')) return 'unmatched';
  return template.replace(/\{(\w+)\}/g, ':$1');
}

/** Elapsed seconds since a process.hrtime.bigint() reading. */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
