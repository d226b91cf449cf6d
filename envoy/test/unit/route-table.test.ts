import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadRouteTable, parseRouteTable, retriable, RouteTableError, servicesOf } from '../../src/route-table.js';

const valid = () => ({
  routes: [
    { prefix: '/fastify/', service: 'fastify', methods: ['GET'] },
    { prefix: '/producer/', service: 'producer', methods: ['POST'] },
  ],
  servicePort: 3000,
  healthPath: '/health',
});

describe('route table', () => {
  it('loads envoy/routes.json: the four public prefixes', () => {
    const table = loadRouteTable();
    assert.deepEqual(
      table.routes.map((r) => [r.prefix, r.service, r.methods.join()]),
      [
        ['/fastify/', 'fastify', 'GET'],
        ['/hapi/', 'hapi', 'GET'],
        ['/restify/', 'restify', 'GET'],
        ['/producer/', 'producer', 'POST'],
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
      assert.throws(() => parseRouteTable(table), (error: unknown) => error instanceof RouteTableError && message.test(error.message));
    });
  }
});
