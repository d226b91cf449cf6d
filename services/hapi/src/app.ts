import Hapi, { type ResponseObject, type Server } from '@hapi/hapi';
import type { Boom } from '@hapi/boom';
import {
  JSON_CONTENT_TYPE,
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

export interface HapiAppOptions extends ReadAppOptions {
  host?: string;
  port?: number;
}

/** The hapi read app: a route table over the shared message reader; errors leave through one extension point. */
export function buildHapiApp({ reader, logger, metrics, host, port }: HapiAppOptions): Server {
  const server = Hapi.server({
    host,
    port,
    routes: { timeout: { server: 15_000, socket: 20_000 } },
    // Matches fastify's and restify's handling of a trailing slash and of the path's case.
    router: { isCaseSensitive: true, stripTrailingSlash: false },
  });

  server.route([
    {
      method: 'GET',
      path: '/groups/{group_id}/messages',
      // Query parsing and validation are the shared ones (parseQueryString, parseReadQuery), so the three apps
      // refuse exactly the same requests; hapi's own request.query stops at 1000 parameters.
      handler: async (request, h) =>
        h
          .response(
            await reader.readPage(request.params.group_id as string | undefined, parseQueryString(request.url.search)),
          )
          .type(JSON_CONTENT_TYPE),
    },
    {
      method: 'GET',
      path: '/health',
      handler: async (_request, h) => {
        const { status, body } = await reader.health();
        return h.response(body).code(status);
      },
    },
    {
      method: 'GET',
      path: LIVENESS_PATH,
      handler: (_request, h) => {
        const { status, body } = livenessAnswer();
        return h.response(body).code(status);
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      handler: async (_request, h) => {
        const { contentType, body } = await metrics.render();
        return h.response(body).type(contentType);
      },
    },
  ]);

  // Keep-alive and header limits shared with the other services; requests Node's parser refuses answered in JSON
  // (hapi's own answer is an empty 400).
  applyHttpLimits(server.listener);
  server.ext('onRequest', (request, h) => {
    request.plugins.started = process.hrtime.bigint();
    checkUrlLength(request.raw.req.url);
    return h.continue;
  });
  server.events.on('response', (request) => {
    const started = request.plugins.started;
    const response = request.response as ResponseObject | Boom | null;
    if (typeof started !== 'bigint' || response === null) return;
    metrics.observeRequest({
      framework: 'hapi',
      route: request.route.path,
      method: request.method.toUpperCase(),
      statusCode:
        'isBoom' in response && response.isBoom ? response.output.statusCode : (response as ResponseObject).statusCode,
      seconds: secondsSince(started),
    });
  });

  // Every error, thrown by the reader (a BadamError that hapi boomified) or raised by hapi itself (404, 405, a
  // timeout), is answered with the project's JSON error body.
  server.ext('onPreResponse', (request, h) => {
    const response = request.response as ResponseObject | Boom;
    if (!('isBoom' in response) || !response.isBoom) return h.continue;
    const source = isBadamError(response)
      ? response
      : Object.assign(new Error(response.message), { statusCode: response.output.statusCode });
    const { status, headers, body } = errorResponse(source);
    if (status >= 500) logger.error({ err: response, url: request.path }, 'request failed');
    const reply = h.response(body).code(status);
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    return reply;
  });

  return server;
}

declare module '@hapi/hapi' {
  interface PluginsStates {
    started?: bigint;
  }
}
