import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  loadRouteTable,
  parseRouteTable,
  retriable,
  routePathRegex,
  RouteTableError,
  servicesOf,
} from '../../src/route-table.js';

const valid = () => ({
  routes: [
    { prefix: '/fastify/', path: '/groups/{group_id}/messages', service: 'fastify', methods: ['GET'] },
    { prefix: '/producer/', path: '/messages', service: 'producer', methods: ['POST'] },
  ],
  servicePort: 3000,
  healthPath: '/health',
});

describe('route table', () => {
  it('loads envoy/routes.json: the public API, one path per prefix', () => {
    const table = loadRouteTable();
    assert.deepEqual(
      table.routes.map((r) => [r.methods.join(), routePathRegex(r), r.service]),
      [
        ['GET', '^/fastify/groups/[^/]+/messages$', 'fastify'],
        ['GET', '^/hapi/groups/[^/]+/messages$', 'hapi'],
        ['GET', '^/restify/groups/[^/]+/messages$', 'restify'],
        ['POST', '^/producer/messages$', 'producer'],
      ],
    );
    assert.deepEqual(servicesOf(table), ['fastify', 'hapi', 'restify', 'producer']);
    assert.equal(table.servicePort, 3000);
    assert.equal(table.healthPath, '/health');
  });

  it('retries reads only', () => {
    const [read, send] = parseRouteTable(valid()).routes;
    assert.equal(retriable(read!), true);
    assert.equal(retriable(send!), false);
  });

  const broken: [string, (table: ReturnType<typeof valid>) => unknown, RegExp][] = [
    ['a prefix without its trailing slash', (t) => (t.routes[0]!.prefix = '/fastify'), /routes\[0\]\.prefix/],
    [
      'no path (the whole prefix forwarded)',
      (t) => delete (t.routes[0] as { path?: string }).path,
      /routes\[0\]\.path/,
    ],
    ['a path with a regex in it', (t) => (t.routes[1]!.path = '/messages.*'), /routes\[1\]\.path/],
    ['a path ending in a slash', (t) => (t.routes[1]!.path = '/messages/'), /routes\[1\]\.path/],
    ['an unknown method', (t) => (t.routes[1]!.methods = ['POST', 'BREW']), /routes\[1\]\.methods\[1\] must be one of/],
    ['no methods', (t) => (t.routes[1]!.methods = []), /routes\[1\]\.methods must be a non-empty array/],
    ['a service name with a dot', (t) => (t.routes[0]!.service = 'tasks.fastify'), /routes\[0\]\.service/],
    ['a repeated prefix', (t) => (t.routes[1]!.prefix = '/fastify/'), /repeat the prefix \/fastify\//],
    ['port 0', (t) => (t.servicePort = 0), /servicePort/],
    ['a relative health path', (t) => (t.healthPath = 'health'), /healthPath/],
    ['no routes', (t) => (t.routes = []), /routes must be a non-empty array/],
  ];
  for (const [what, breakIt, message] of broken) {
    it(`refuses ${what}, naming the key`, () => {
      const table = valid();
      breakIt(table);
      assert.throws(
        () => parseRouteTable(table),
        (error: unknown) => error instanceof RouteTableError && message.test(error.message),
      );
    });
  }
});
