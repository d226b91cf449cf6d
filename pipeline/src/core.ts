// Everything in @badam/pipeline that loads none of its optional peer dependencies (@clickhouse/client,
// @confluentinc/kafka-javascript, fastify, ioredis): what every service can import, whichever of those its image has.
// The modules that need one have an entry each (package.json exports); index.ts gathers all of them for the stack.
export * from './contract/errors.js';
export * from './config/env.js';
export * from './config/shared-settings.js';
export * from './contract/ids.js';
export * from './contract/send-message.js';
export * from './contract/idempotency-key.js';
export * from './contract/read-query.js';
export * from './contract/topic.js';
export * from './kafka/client-config.js';
export * from './table/identifiers.js';
export * from './table/schema.js';
export * from './table/rows.js';
export * from './table/repository.js';
export * from './clickhouse/migrate.js';
export * from './clickhouse/roles.js';
export * from './clickhouse/messages-repository.js';
export * from './ordering/assign-orders.js';
export * from './ordering/store-batch.js';
export * from './runtime/message-reader.js';
export * from './http/error-response.js';
export * from './http/json-body.js';
export * from './http/strict-json.js';
export * from './http/http-limits.js';
export * from './runtime/logger.js';
export * from './runtime/shutdown.js';
export * from './clickhouse/reconciliation.js';
export * from './metrics/service-metrics.js';
export * from './metrics/pipeline-metrics.js';
export * from './runtime/admission.js';
export * from './read-model/page-entry.js';
export * from './read-model/page-cache.js';
export * from './read-model/page-refresher.js';
