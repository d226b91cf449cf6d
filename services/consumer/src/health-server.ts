import { createServer, type Server, type ServerResponse } from 'node:http';
import { errorResponse, type ServiceMetrics } from '@badam/pipeline/core';

export interface HealthReport {
  healthy: boolean;
  body: Record<string, unknown>;
}

/** The consumer serves no API; this answers the orchestrator's health checks and Prometheus' scrapes. */
export function createHealthServer(report: () => Promise<HealthReport>, metrics: ServiceMetrics): Server {
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
    if (request.method === 'GET' && request.url === '/health') {
      report().then(
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
