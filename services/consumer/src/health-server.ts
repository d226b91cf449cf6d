import { createServer, type Server } from 'node:http';

/** The consumer serves no API; this answers the orchestrator's health checks. */
export function createHealthServer(isHealthy: () => Promise<boolean>): Server {
  return createServer((request, response) => {
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
