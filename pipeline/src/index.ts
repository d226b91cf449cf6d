// All of @badam/pipeline in one import, for the native stack and the tests, which have every optional peer
// dependency. A service imports @badam/pipeline/core and the entries of the peers it declares, so its image needs no
// other (stack/src/deployment/image-dependency-checks.ts checks it).
export * from './core.js';
export * from './clickhouse/client.js';
export * from './kafka/topic-admin.js';
export * from './http/fastify-server.js';
export * from './read-model/page-store.js';
export * from './runtime/read-app.js';
