// restify 12 ships no types, and @types/restify describes restify 8. This declares the part of restify 12 the app
// uses, as restify 12's lib/index.js, server.js, request.js and response.js define it.
declare module 'restify' {
  import type { EventEmitter } from 'node:events';
  import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';

  namespace restify {
    interface ServerOptions {
      name?: string;
      /** false: an exception thrown by a handler is not turned into a 500 by restify's domain handler. */
      handleUncaughtExceptions?: boolean;
      /** Handed to the router (find-my-way): the longest path parameter it matches. */
      maxParamLength?: number;
    }

    interface Request extends IncomingMessage {
      params: Record<string, string>;
      /** The raw query string, without the '?'. */
      getQuery(): string;
    }

    interface Response extends ServerResponse {
      /** Serialises body through the formatters (JSON here). */
      send(code: number, body?: unknown, headers?: Record<string, string>): void;
      /** Writes body as it is, without formatting. */
      sendRaw(code: number, body: string | Buffer, headers?: Record<string, string>): void;
      header(name: string, value: string): unknown;
    }

    interface Route {
      path: string | RegExp;
    }

    type Next = (error?: Error | false) => void;
    type Handler = (req: Request, res: Response, next: Next) => unknown;

    interface Server extends EventEmitter {
      /** The Node HTTP server restify listens with. */
      readonly server: HttpServer;
      pre(...handlers: Handler[]): Server;
      get(path: string, ...handlers: Handler[]): Route | false;
      listen(port: number, host: string): HttpServer;
    }

    function createServer(options?: ServerOptions): Server;
  }

  export = restify;
}
