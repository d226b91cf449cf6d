import { createServer, type Server } from 'node:http';
import type { ServiceMetrics } from '@badam/pipeline';

/** The consumer serves no API; this answers the orchestrator's health checks and Prometheus' scrapes. */
export function createHealthServer(isHealthy: () => Promise<boolean>, metrics: ServiceMetrics): Server {
  return createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/metrics') {
      metrics.render().then(
        ({ contentType, body }) => {
          response.writeHead(200, { 'content-type': contentType });
          response.end(body);
        },
        () => {
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: 'internal', message: 'metrics unavailable' }));
        },
      );
      return;
    }
    if (request.method === 'GET' && request.url === '/health') {
      isHealthy().then(
        (healthy) => {
          response.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ status: healthy ? 'ok' : 'unavailable' }));
        },
        () => {
          response.writeHead(503, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ status: 'unavailable' }));
        },
      );
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: 'not_found', message: 'no such route' }));
  });
}
