import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerOptions,
} from 'fastify';
import type { Logger } from 'pino';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import { parseQueryString } from '@badam/domain/contract/read-query';
import { errorResponse } from './error-response.js';
import {
  KEEP_ALIVE_TIMEOUT_MS,
  MAX_URL_BYTES,
  REQUEST_TIMEOUT_MS,
  applyHttpLimits,
  checkUrlLength,
} from './http-limits.js';

/**
 * The fastify instance both fastify-based services (producer, fastify read app) start from: explicit timeouts, no
 * per-request log lines (thousands a second would cost more than the requests), the project's one error mapping
 * for thrown errors and unknown routes, request metrics and GET /metrics.
 */
export function createFastifyServer(
  logger: Logger,
  metrics: ServiceMetrics,
  options: FastifyServerOptions = {},
): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    connectionTimeout: 10_000,
    // The limits every service shares (http-limits.ts); applyHttpLimits below sets them on the server as well.
    requestTimeout: REQUEST_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    routerOptions: {
      // A path parameter past find-my-way's default 100 characters got fastify's own 414, where hapi and restify
      // answer 400 naming the parameter: only the URL limit applies.
      maxParamLength: MAX_URL_BYTES,
      // The same query parsing as hapi and restify (parseQueryString).
      querystringParser: parseQueryString,
    },
    // While closing, serve what arrives on connections already open (the gateway's keep-alive pool) instead of a
    // 503: the gateway cannot safely retry a send that a replica refused, but it stops using a closing replica once
    // its health check fails; the response carries `connection: close`.
    return503OnClosing: false,
    ...options,
  });
  applyHttpLimits(app.server);
  app.addHook('onRequest', async (request) => checkUrlLength(request.raw.url));
  app.setErrorHandler((error, request, reply) => {
    const response = errorResponse(error);
    if (response.status >= 500) request.log.error({ err: error, url: request.url }, 'request failed');
    return reply.code(response.status).headers(response.headers).send(response.body);
  });
  app.setNotFoundHandler((_request, reply) => {
    const response = errorResponse(Object.assign(new Error('not found'), { statusCode: 404 }));
    return reply.code(response.status).send(response.body);
  });
  // fastify times every reply itself, from arrival (before any hook) to the response's end.
  app.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest({
      framework: 'fastify',
      route: request.routeOptions.url,
      method: request.method,
      statusCode: reply.statusCode,
      seconds: reply.elapsedTime / 1000,
    });
  });
  app.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await metrics.render();
    return reply.type(contentType).send(body);
  });
  return app;
}
