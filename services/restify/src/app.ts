import restify, { type Server } from 'restify';
import {
  JSON_CONTENT_TYPE,
  MAX_URL_BYTES,
  applyHttpLimits,
  checkUrlLength,
  errorResponse,
  isBadamError,
  LIVENESS_PATH,
  livenessAnswer,
  parseQueryString,
  secondsSince,
} from '@badam/pipeline/core';
import type { ReadAppOptions } from '@badam/pipeline/read-app';

interface RestifyError extends Error {
  statusCode?: number;
  toJSON?: () => unknown;
}

/** The restify read app: plain handlers over the shared message reader. */
export function buildRestifyApp({ reader, logger, metrics }: ReadAppOptions): Server {
  const server = restify.createServer({
    name: 'badam-restify',
    handleUncaughtExceptions: false,
    // Passed to find-my-way, whose default (100 characters) made a long group id a 404 where the others answer 400.
    maxParamLength: MAX_URL_BYTES,
  } as restify.ServerOptions);
  // Keep-alive and header limits shared with the other services; requests Node's parser refuses answered in JSON.
  applyHttpLimits(server.server);
  const started = new WeakMap<object, bigint>();
  server.pre((req, _res, next) => {
    started.set(req, process.hrtime.bigint());
    try {
      checkUrlLength(req.url);
    } catch (error) {
      next(error as Error);
      return;
    }
    next();
  });
  server.on('after', (req: restify.Request, res: restify.Response, route: restify.Route | null) => {
    const start = started.get(req);
    if (start === undefined) return;
    metrics.observeRequest({
      framework: 'restify',
      route: route?.path === undefined ? undefined : String(route.path),
      method: req.method ?? 'GET',
      statusCode: res.statusCode,
      seconds: secondsSince(start),
    });
  });
  // No restify.plugins.queryParser: its qs drops `constructor`, `__proto__` and parameters past the 1000th, so the
  // same URL was answered 200 here and 400 by fastify and hapi. The query is parsed as the others parse it.
  server.get('/groups/:group_id/messages', async (req, res) => {
    const query = parseQueryString(req.getQuery());
    res.sendRaw(200, await reader.readPage(req.params.group_id, query), { 'content-type': JSON_CONTENT_TYPE });
  });

  server.get('/health', async (_req, res) => {
    const { status, body } = await reader.health();
    res.send(status, body);
  });

  server.get(LIVENESS_PATH, async (_req, res) => {
    const { status, body } = livenessAnswer();
    res.send(status, body);
  });

  server.get('/metrics', async (_req, res) => {
    const { contentType, body } = await metrics.render();
    res.setHeader('content-type', contentType);
    res.sendRaw(200, body);
  });

  // Every error, thrown by a handler or raised by restify (404, 405), is serialised as the project's JSON error.
  server.on(
    'restifyError',
    (req: restify.Request, res: restify.Response, error: RestifyError, callback: () => void) => {
      // A rejected async handler reaches here as thrown; restify's own errors carry their HTTP status.
      const { status, headers, body } = errorResponse(isBadamError(error) ? error : withStatus(error));
      if (status >= 500) logger.error({ err: error, url: req.url }, 'request failed');
      for (const [name, value] of Object.entries(headers)) res.header(name, value);
      error.statusCode = status;
      error.toJSON = () => body;
      callback();
    },
  );

  return server;
}

function withStatus(error: RestifyError): Error {
  return Object.assign(new Error(error.message), { statusCode: error.statusCode ?? 500 });
}
