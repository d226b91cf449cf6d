// The import layers of every workspace, checked by dependency-cruiser in tools/test-kit/test/unit/import-layers.test.ts,
// so `npm test` fails on an arrow running back up a layer. The root README says which workspace is which layer,
// pipeline/README.md which folder of the shared library is which:
//
// - domain (pipeline/domain, @badam/domain): what a message is and how it is ordered and stored, as data and pure functions (the table's queries as
//   SQL text). It imports other domain modules and Node's computing built-ins only: no framework, HTTP server,
//   metrics, logging or client library, no file or network I/O, nothing of the runtime, so it reads (and tests)
//   without any server.
// - runtime (pipeline/runtime, @badam/pipeline): config, the HTTP server factory and limits, metrics, shutdown, and
//   the readers and writers wired to real clients (Kafka, ClickHouse, the read model), built on the domain.
// - services/*: the deployables, built on both through @badam/pipeline's entries; nothing in pipeline imports them.
// - envoy, observability: render the gateway's and the dashboards' files; they import no tool.
// - tools/* and deployment: the developer tools and the Docker files' checks, on a ladder (TOOL_LADDER below).
// - tests: the integration and fault suites, on top; nothing imports them.

/** The domain package: the message contract (with record codec and error codes), ordering, the table. */
const DOMAIN = '^pipeline/domain/';
const PIPELINE = '^pipeline/';
/** Every workspace's code (sources and tests), the product's and the tools'. */
const WORKSPACE_CODE = '^(pipeline/[^/]+|services/[^/]+|envoy|observability|deployment|tools/[^/]+|tests)/';
const OTHER_WORKSPACES = '^(services|envoy|observability|deployment|tools|tests)/';
/**
 * The tools in the order they build on one another: each imports those on the rungs before it (and the product and
 * deployment parts), never one on its own rung or above: the native stack, the test kit, load, then the benchmarks and
 * the Docker files' checks.
 */
const TOOL_LADDER = [['tools/stack'], ['tools/test-kit'], ['tools/load'], ['tools/bench', 'deployment']];
const toolLadderRules = TOOL_LADDER.flatMap((rung, index) =>
  rung.map((tool) => ({
    name: 'tools-import-down-the-ladder',
    severity: 'error',
    comment: 'A tool imports only tools on the rungs below it (TOOL_LADDER): an arrow up the ladder or across a rung.',
    from: { path: `^${tool}/` },
    to: {
      path: `^(${[...rung.filter((other) => other !== tool), ...TOOL_LADDER.slice(index + 1).flat(), 'tests'].join('|')})/`,
    },
  })),
);
/** Frameworks, HTTP servers, metrics, logging and the clients of Kafka, ClickHouse and Valkey: the runtime's. */
const RUNTIME_LIBRARIES =
  '(^|/)node_modules/(fastify|@fastify/[^/]+|@hapi/[^/]+|restify[^/]*|prom-client|pino[^/]*|ioredis|@clickhouse/[^/]+|@confluentinc/[^/]+)/';

/**
 * Node's built-ins that reach outside the process (files, network, servers, processes, threads): the runtime's. The
 * domain computes (node:crypto hashes an idempotency key); it reads, serves and sends nothing itself.
 */
const IO_BUILTINS =
  '^(node:)?(fs|fs/promises|net|http|https|http2|tls|dgram|dns|dns/promises|child_process|cluster|worker_threads|readline)$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A module reaches itself through its imports: split what both need into a module they both import.',
      from: { path: WORKSPACE_CODE },
      to: { circular: true },
    },
    {
      name: 'no-circular-folders',
      severity: 'error',
      comment: 'Two folders import each other (perhaps through others): arrows between folders run one way.',
      scope: 'folder',
      from: { path: WORKSPACE_CODE },
      to: { circular: true },
    },
    {
      name: 'domain-not-to-runtime',
      severity: 'error',
      comment: 'The domain imports no runtime module (nor the package entries core.ts and index.ts).',
      from: { path: DOMAIN },
      to: { path: PIPELINE, pathNot: DOMAIN },
    },
    {
      name: 'domain-not-to-runtime-libraries',
      severity: 'error',
      comment:
        'The domain imports no framework, HTTP server, metrics or logging library and no client (not even its types).',
      from: { path: DOMAIN },
      to: { path: RUNTIME_LIBRARIES },
    },
    {
      name: 'domain-not-to-io-builtins',
      severity: 'error',
      comment: 'The domain opens no file, socket, server, process or thread: whoever runs it (the runtime) does.',
      from: { path: DOMAIN },
      to: { dependencyTypes: ['core'], path: IO_BUILTINS },
    },
    {
      name: 'pipeline-imports-no-other-workspace',
      severity: 'error',
      comment: 'pipeline is the shared library every other workspace builds on: it imports none of them.',
      from: { path: '^pipeline/' },
      to: { path: OTHER_WORKSPACES },
    },
    {
      name: 'service-imports-only-pipeline',
      severity: 'error',
      comment: 'A service imports @badam/pipeline and its own modules: no other service, deployment part or tool.',
      from: { path: '^services/([^/]+)/' },
      to: { path: OTHER_WORKSPACES, pathNot: '^services/$1/' },
    },
    {
      name: 'deployment-part-not-to-tools',
      severity: 'error',
      comment: 'The gateway and observability render deployment files from the product: no tool, check or test.',
      from: { path: '^(envoy|observability)/' },
      to: { path: '^(services|deployment|tools|tests)/' },
    },
    ...toolLadderRules,
    {
      name: 'nothing-imports-the-system-tests',
      severity: 'error',
      comment: 'tests/ is the top: the integration and fault suites import everything, nothing imports them.',
      from: { pathNot: '^tests/' },
      to: { path: '^tests/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      // @badam/pipeline's entries resolve to its dist/: build before checking.
      comment: 'An import the cruise cannot resolve is one it cannot check.',
      from: { path: WORKSPACE_CODE },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Type-only imports count: a domain type naming a client's type still ties the domain to that client.
    tsPreCompilationDeps: true,
    // A workspace package resolves through its package.json exports to its dist/ (@badam/pipeline to
    // pipeline/runtime/dist): an arrow, not a module to cruise.
    doNotFollow: { path: ['(^|/)node_modules/', '(^|/)dist/'] },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'node', 'default'],
      extensions: ['.ts', '.js', '.d.ts'],
    },
  },
};
