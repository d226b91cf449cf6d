import type { FastifyInstance } from 'fastify';
import { createFastifyServer, type ReadAppOptions } from '@badam/pipeline';

/** The fastify read app: a thin adapter over the shared message reader. */
export function buildFastifyApp({ reader, logger, metrics }: ReadAppOptions): FastifyInstance {
  const app = createFastifyServer(logger, metrics);

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
