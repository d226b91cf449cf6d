import { createServer, type Server, type ServerResponse } from 'node:http';
import { errorResponse, LIVENESS_PATH, livenessAnswer, type ServiceMetrics } from '@badam/pipeline/core';

export interface HealthReport {
  healthy: boolean;
  body: Record<string, unknown>;
}

export interface HealthChecks {
  /** Readiness, `/health`: consuming, ClickHouse answering, the batch in progress not stuck. */
  ready(): Promise<HealthReport>;
  /** Liveness, `/live` (Docker's healthcheck): false only once the process has failed for good and is exiting. */
  failed(): boolean;
}

/**
 * The consumer serves no API; this answers the orchestrator's health checks and Prometheus' scrapes. Docker asks
 * `/live`, not `/health`: a ClickHouse outage makes every consumer unready at once, and restarting them would only
 * move their partitions around and redeliver their batches, again and again until it ends.
 */
export function createHealthServer(checks: HealthChecks, metrics: ServiceMetrics): Server {
  return createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/metrics') {
      metrics.render().then(
        ({ contentType, body }) => {
          response.writeHead(200, { 'content-type': contentType });
          response.end(body);
        },
        (error: unknown) => sendError(response, error),
      );
      return;
    }
    if (request.method === 'GET' && request.url === LIVENESS_PATH) {
      const { status, body } = livenessAnswer(checks.failed());
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
      return;
    }
    if (request.method === 'GET' && request.url === '/health') {
      checks.ready().then(
        ({ healthy, body }) => {
          response.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
          response.end(JSON.stringify(body));
        },
        () => {
          response.writeHead(503, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ status: 'unavailable' }));
        },
      );
      return;
    }
    sendError(response, Object.assign(new Error('not found'), { statusCode: 404 }));
  });
}

/** Errors in the shape and with the statuses of the HTTP services (errorResponse). */
function sendError(response: ServerResponse, error: unknown) {
  const { status, headers, body } = errorResponse(error);
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}
