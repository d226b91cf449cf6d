import { readFileSync } from 'node:fs';
import { routesJsonPath } from './paths.js';

/** The methods a route may forward; the gateway answers 404 to any other. */
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface Route {
  /** Path prefix, starting and ending with '/'; stripped before forwarding (/fastify/groups/1 -> /groups/1). */
  prefix: string;
  /**
   * The one path the route forwards, as the service sees it (after the prefix): literal segments and `{name}` for any
   * one segment, e.g. /groups/{group_id}/messages. The query string is not part of it. Any other path under the
   * prefix (the service's /health, /metrics) is the gateway's 404.
   */
  path: string;
  /** Upstream service: a cluster in Envoy (tasks.<service> in Swarm), a backend in HAProxy. */
  service: string;
  methods: HttpMethod[];
}

export interface RouteTable {
  routes: Route[];
  /** Port every service listens on inside its container. */
  servicePort: number;
  /** What the gateway's active health checks ask each replica. */
  healthPath: string;
}

export class RouteTableError extends Error {
  override readonly name = 'RouteTableError';
}

/** Reads and validates envoy/routes.json (or `path`). */
export function loadRouteTable(path = routesJsonPath): RouteTable {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new RouteTableError(`${path}: ${(error as Error).message}`);
  }
  return parseRouteTable(json, path);
}

const PREFIX = /^\/[a-z0-9][a-z0-9-]*\/$/;
// Segments are lowercase literals or {name} parameters: nothing a regex would read as an operator.
const PATH = /^(\/([a-z0-9][a-z0-9-]*|\{[a-z][a-z0-9_]*\}))+$/;
// A service name becomes an Envoy cluster, a DNS name (tasks.<service>) and an HAProxy backend: keep it plain.
const SERVICE = /^[a-z][a-z0-9-]*$/;

/** Checks the shape and the cross-route rules; each message names the offending key (routes[2].prefix). */
export function parseRouteTable(json: unknown, source = 'routes.json'): RouteTable {
  const fail = (key: string, problem: string): never => {
    throw new RouteTableError(`${source}: ${key} ${problem}`);
  };
  if (!isObject(json)) return fail('(root)', 'must be an object');
  const { routes, servicePort, healthPath } = json;
  if (!Number.isInteger(servicePort) || (servicePort as number) < 1 || (servicePort as number) > 65535) {
    fail('servicePort', 'must be an integer port, 1..65535');
  }
  if (typeof healthPath !== 'string' || !healthPath.startsWith('/') || /\s/.test(healthPath)) {
    fail('healthPath', "must be a path starting with '/'");
  }
  if (!Array.isArray(routes) || routes.length === 0) return fail('routes', 'must be a non-empty array');
  const parsed = routes.map((route: unknown, i): Route => {
    const key = `routes[${i}]`;
    if (!isObject(route)) return fail(key, 'must be an object');
    const { prefix, path, service, methods } = route;
    if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
      fail(`${key}.prefix`, "must be one lowercase path segment between slashes, like '/fastify/'");
    }
    if (typeof path !== 'string' || !PATH.test(path)) {
      fail(
        `${key}.path`,
        "must be '/'-separated lowercase segments or {name} parameters, like '/groups/{group_id}/messages'",
      );
    }
    if (typeof service !== 'string' || !SERVICE.test(service)) {
      fail(`${key}.service`, 'must be a lowercase name (letters, digits, dashes)');
    }
    if (!Array.isArray(methods) || methods.length === 0) return fail(`${key}.methods`, 'must be a non-empty array');
    for (const [j, method] of methods.entries()) {
      if (!HTTP_METHODS.includes(method as HttpMethod))
        fail(`${key}.methods[${j}]`, `must be one of ${HTTP_METHODS.join(', ')}`);
    }
    if (new Set(methods).size !== methods.length) fail(`${key}.methods`, 'must not repeat a method');
    return {
      prefix: prefix as string,
      path: path as string,
      service: service as string,
      methods: methods as HttpMethod[],
    };
  });
  const prefixes = parsed.map((route) => route.prefix);
  const repeated = prefixes.find((prefix, i) => prefixes.indexOf(prefix) !== i);
  if (repeated !== undefined) fail('routes', `repeat the prefix ${repeated}`);
  return { routes: parsed, servicePort: servicePort as number, healthPath: healthPath as string };
}

/**
 * The public paths a route forwards, as a regular expression both gateways read alike (RE2 in Envoy, PCRE in
 * HAProxy): the whole path without the query string, each {name} one non-empty segment. The services validate the
 * segment themselves (a bad group id is their JSON 400), so the gateway does not narrow it further.
 */
export function routePathRegex(route: Route): string {
  const segments = route.path
    .split('/')
    .slice(1)
    .map((segment) => (segment.startsWith('{') ? '[^/]+' : segment));
  return `^${route.prefix}${segments.join('/')}$`;
}

/** The services the routes forward to, each once, in the table's order. */
export function servicesOf(table: RouteTable): string[] {
  return [...new Set(table.routes.map((route) => route.service))];
}

/**
 * Whether the gateway may retry the route's requests: only when all its methods are idempotent. A retried
 * POST /messages could store a message twice (the first attempt may have reached Kafka before the connection broke).
 */
export function retriable(route: Route): boolean {
  return route.methods.every((method) => method === 'GET' || method === 'HEAD');
}

/** HAProxy sets retries per backend: a service is retriable only if every route to it is. */
export function serviceRetriable(table: RouteTable, service: string): boolean {
  return table.routes.filter((route) => route.service === service).every(retriable);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
