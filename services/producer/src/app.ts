import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  MAX_SEND_BODY_BYTES,
  errorResponse,
  parseJsonBody,
  parseSendMessage,
  type Logger,
} from '@badam/pipeline';
import type { MessageSender } from './message-sender.js';

export interface ProducerAppOptions {
  sender: MessageSender;
  logger: Logger;
}

/** The producer's HTTP API, built without listening so tests can inject requests. */
export function buildProducerApp({ sender, logger }: ProducerAppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    disableRequestLogging: true,
    bodyLimit: MAX_SEND_BODY_BYTES,
    connectionTimeout: 10_000,
    requestTimeout: 15_000,
    keepAliveTimeout: 65_000,
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  app.setErrorHandler((error, request, reply) => {
    const response = errorResponse(error);
    if (response.status >= 500) request.log.error({ err: error }, 'send failed');
    return reply.code(response.status).headers(response.headers).send(response.body);
  });
  app.setNotFoundHandler((_request, reply) => {
    const response = errorResponse(Object.assign(new Error('not found'), { statusCode: 404 }));
    return reply.code(response.status).send(response.body);
  });

  app.post('/messages', async (request, reply) => {
    if (request.body === undefined) {
      const response = errorResponse(Object.assign(new Error('no body'), { statusCode: 415 }));
      return reply.code(response.status).send(response.body);
    }
    const message = parseSendMessage(request.body);
    const receipt = await sender.send(message);
    return reply.code(202).send({ status: 'accepted', id: `${receipt.partition}-${receipt.offset}`, ...receipt });
  });

  app.get('/health', async () => ({ status: 'ok' }));

  return app;
}
