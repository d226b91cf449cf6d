// The import layers of the product code (pipeline/src and services/*/src), checked by dependency-cruiser in
// stack/test/unit/import-layers.test.ts, so `npm test` fails on an arrow running back up a layer. pipeline/README.md
// says in prose which folder is which layer.
//
// - domain: what a message is and how it is ordered and stored, as data and pure functions. It imports other domain
//   modules and Node's built-ins only: no framework, HTTP server, metrics, logging or client library, nothing of the
//   runtime, so it reads (and tests) without any server.
// - runtime (every other folder of pipeline/src): config, the HTTP server factory and limits, metrics, shutdown, and
//   the readers and writers wired to real clients (Kafka, ClickHouse, the read model), built on the domain.
// - services/*: the deployables, built on both through @badam/pipeline's entries; nothing in pipeline imports them.

/** The domain folders of pipeline/src: the message contract (with record codec and error codes), ordering, table. */
const DOMAIN = '^pipeline/src/(contract|ordering|table)/';
const PIPELINE_SRC = '^pipeline/src/';
const PRODUCT_SRC = '^(pipeline|services/[^/]+)/src/';
/** Frameworks, HTTP servers, metrics, logging and the clients of Kafka, ClickHouse and Valkey: the runtime's. */
const RUNTIME_LIBRARIES =
  '(^|/)node_modules/(fastify|@fastify/[^/]+|@hapi/[^/]+|restify[^/]*|prom-client|pino[^/]*|ioredis|@clickhouse/[^/]+|@confluentinc/[^/]+)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A module reaches itself through its imports: split what both need into a module they both import.',
      from: { path: PRODUCT_SRC },
      to: { circular: true },
    },
    {
      name: 'no-circular-folders',
      severity: 'error',
      comment: 'Two folders import each other (perhaps through others): arrows between folders run one way.',
      scope: 'folder',
      from: { path: PRODUCT_SRC },
      to: { circular: true },
    },
    {
      name: 'domain-not-to-runtime',
      severity: 'error',
      comment: 'The domain imports no runtime module (nor the package entries core.ts and index.ts).',
      from: { path: DOMAIN },
      to: { path: PIPELINE_SRC, pathNot: DOMAIN },
    },
    {
      name: 'domain-not-to-runtime-libraries',
      severity: 'error',
      comment: 'The domain imports no framework, HTTP server, metrics or logging library and no client (not even its types).',
      from: { path: DOMAIN },
      to: { path: RUNTIME_LIBRARIES },
    },
    {
      name: 'pipeline-not-to-services-or-stack',
      severity: 'error',
      comment: 'pipeline is the shared package: the services and the stack build on it, never the other way.',
      from: { path: '^pipeline/' },
      to: { path: '^(services|stack|envoy|observability)/' },
    },
    {
      name: 'service-not-to-stack-or-other-service',
      severity: 'error',
      comment: 'A service imports @badam/pipeline and its own modules: never the stack (dev tools) or another service.',
      from: { path: '^services/([^/]+)/' },
      to: { path: '^(stack/|envoy/|observability/|services/)', pathNot: '^services/$1/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      // @badam/pipeline's entries resolve to its dist/: build before checking.
      comment: 'An import the cruise cannot resolve is one it cannot check.',
      from: { path: PRODUCT_SRC },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Type-only imports count: a domain type naming a client's type still ties the domain to that client.
    tsPreCompilationDeps: true,
    // @badam/pipeline resolves through its package.json exports to pipeline/dist: an arrow, not a module to cruise.
    doNotFollow: { path: ['(^|/)node_modules/', '(^|/)dist/'] },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'node', 'default'],
      extensions: ['.ts', '.js', '.d.ts'],
    },
  },
};
