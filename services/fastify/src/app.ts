import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { errorResponse, type Logger, type MessageReader } from '@badam/pipeline';

export interface ReadAppOptions {
  reader: MessageReader;
  logger: Logger;
}

/** The fastify read app: a thin adapter over the shared message reader. */
export function buildFastifyApp({ reader, logger }: ReadAppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    disableRequestLogging: true,
    connectionTimeout: 10_000,
    requestTimeout: 15_000,
    keepAliveTimeout: 65_000,
  });

  app.setErrorHandler((error, request, reply) => {
    const response = errorResponse(error);
    if (response.status >= 500) request.log.error({ err: error }, 'read failed');
    return reply.code(response.status).headers(response.headers).send(response.body);
  });
  app.setNotFoundHandler((_request, reply) => {
    const response = errorResponse(Object.assign(new Error('not found'), { statusCode: 404 }));
    return reply.code(response.status).send(response.body);
  });

  app.get<{ Params: { group_id: string }; Querystring: Record<string, unknown> }>(
    '/groups/:group_id/messages',
    async (request) => reader.readPage(request.params.group_id, request.query),
  );

  app.get('/health', async (_request, reply) => {
    const healthy = await reader.isHealthy();
    return reply.code(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'unavailable' });
  });

  return app;
}
