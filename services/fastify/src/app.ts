import type { FastifyInstance } from 'fastify';
import { JSON_CONTENT_TYPE, LIVENESS_PATH, livenessAnswer } from '@badam/pipeline/core';
import { createFastifyServer } from '@badam/pipeline/fastify-server';
import type { ReadAppOptions } from '@badam/pipeline/read-app';

/** The fastify read app: a thin adapter over the shared message reader. */
export function buildFastifyApp({ reader, logger, metrics }: ReadAppOptions): FastifyInstance {
  const app = createFastifyServer(logger, metrics);

  app.get<{ Params: { group_id: string }; Querystring: Record<string, unknown> }>(
    '/groups/:group_id/messages',
    async (request, reply) =>
      reply.type(JSON_CONTENT_TYPE).send(await reader.readPage(request.params.group_id, request.query)),
  );

  app.get('/health', async (_request, reply) => {
    const { status, body } = await reader.health();
    return reply.code(status).send(body);
  });

  app.get(LIVENESS_PATH, async (_request, reply) => {
    const { status, body } = livenessAnswer();
    return reply.code(status).send(body);
  });

  return app;
}
