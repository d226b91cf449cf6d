import type { FastifyInstance } from 'fastify';
import {
  BadamError,
  MAX_SEND_BODY_BYTES,
  createAdmission,
  DRAINING_HEALTH,
  type GatewayDrain,
  LIVENESS_PATH,
  livenessAnswer,
  idempotencyHash,
  IDEMPOTENCY_KEY_HEADER,
  parseIdempotencyKey,
  parseJsonBody,
  parseSendMessage,
  type Logger,
  type ServiceMetrics,
} from '@badam/pipeline/core';
import { createFastifyServer } from '@badam/pipeline/fastify-server';
import type { MessageSender } from './message-sender.js';

export interface ProducerAppOptions {
  sender: MessageSender;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Sends waiting for the broker at once; more are refused with 503 (see createAdmission). */
  maxInFlight?: number;
  /** While it is draining, /health answers 503 so the gateway stops sending here before the server closes. */
  drain?: Pick<GatewayDrain, 'draining'>;
}

/** The producer's HTTP API, built without listening so tests can inject requests. */
export function buildProducerApp({
  sender,
  logger,
  metrics,
  maxInFlight = 1000,
  drain = { draining: false },
}: ProducerAppOptions): FastifyInstance {
  const app = createFastifyServer(logger, metrics, { bodyLimit: MAX_SEND_BODY_BYTES });
  const admission = createAdmission(maxInFlight);

  // Only JSON, decoded strictly (invalid UTF-8 is refused, not replaced); anything else is a 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  app.post('/messages', async (request, reply) => {
    if (request.body === undefined) {
      throw new BadamError('unsupported_media_type', 'send a JSON body with content-type application/json', {
        field: 'content-type',
      });
    }
    const message = parseSendMessage(request.body);
    const key = parseIdempotencyKey(request.headers[IDEMPOTENCY_KEY_HEADER]);
    const hash = key === undefined ? undefined : idempotencyHash(message.sender_id, key);
    const receipt = await admission.run(() => sender.send(message, hash));
    return reply.code(202).send({ status: 'accepted', id: `${receipt.partition}-${receipt.offset}`, ...receipt });
  });

  // The read apps' shape (MessageReader.health): 503 takes the replica out of the gateway's rotation while it cannot
  // reach the broker (every send would be a 503 anyway), and for good once its Kafka client failed fatally.
  app.get('/health', async (_request, reply) => {
    if (drain.draining) return reply.code(DRAINING_HEALTH.status).send(DRAINING_HEALTH.body);
    const reachable = await sender.isReachable();
    return reply.code(reachable ? 200 : 503).send({ status: reachable ? 'ok' : 'unavailable' });
  });

  // Docker's healthcheck: fails only once the Kafka client is unusable, never because the broker is down.
  app.get(LIVENESS_PATH, async (_request, reply) => {
    const { status, body } = livenessAnswer(sender.failed());
    return reply.code(status).send(body);
  });

  return app;
}
