// Everything in @badam/pipeline that loads none of its optional peer dependencies (@clickhouse/client,
// @confluentinc/kafka-javascript, fastify, ioredis): what every service can import, whichever of those its image has.
// The modules that need one have an entry each (package.json exports); index.ts gathers what the stack imports.
// Only the names a service imports are listed: a module's other exports stay inside the package.

// contract/: what a client sends and asks for, the record on the topic, the error codes
export { BadamError, isBadamError } from '@badam/domain/contract/errors';
export { MAX_SEND_BODY_BYTES, parseSendMessage, type SendMessage } from '@badam/domain/contract/send-message';
export { IDEMPOTENCY_KEY_HEADER, idempotencyHash, parseIdempotencyKey } from '@badam/domain/contract/idempotency-key';
export { parseQueryString } from '@badam/domain/contract/read-query';
export {
  DEAD_LETTER_HEADERS,
  UndecodableRecordError,
  deadLetterTopic,
  decodeMessage,
  encodeMessage,
  formatDeadLetterSource,
  groupIdOfKey,
  messageKey,
  parseDeadLetterSource,
} from '@badam/domain/contract/topic';
export { storedTopicIdsQuery } from '@badam/domain/table/source-queries';

// ordering/: orders for a batch, and the consumer's unit of work that stores it
export type { ConsumedRecord } from '@badam/domain/ordering/assign-orders';
export { storeBatch, type StoredBatch } from '@badam/domain/ordering/store-batch';
export { createStoredFloor } from '@badam/domain/ordering/stored-floor';

// config/: the environment, read once and checked, and the settings the services share
// EnvVar, ConfigOf: the types of the services' settings specs and configs, which their declarations name.
export { readConfig, type ConfigOf, type EnvVar } from './config/env.js';
export { int, str } from './config/env-vars.js';
export {
  admissionSettings,
  gatewayMemberSettings,
  clickhouseConnection,
  clickhouseSettings,
  httpSettings,
  kafkaConnection,
  kafkaSettings,
  readModelSettings,
  topicSettings,
} from './config/shared-settings.js';
export { pageStoreConnection } from './config/page-store-connection.js';

// metrics/: each service's Prometheus metrics, on a registry passed in
export { createServiceMetrics, secondsSince, type ServiceMetrics } from './metrics/service-metrics.js';
export {
  createClickHouseMetrics,
  createConsumerMetrics,
  createProducerMetrics,
  createReadModelMetrics,
  type ConsumerMetrics,
  type ProducerMetrics,
} from './metrics/pipeline-metrics.js';
export { reportFailovers } from './service/failover-report.js';

// http/: what every HTTP server shares, whatever its framework: limits, JSON bodies, error responses
export { errorResponse } from './http/error-response.js';
export { JSON_CONTENT_TYPE, parseJsonBody } from './http/json-body.js';
export { MAX_URL_BYTES, applyHttpLimits, checkUrlLength, closeServerGracefully } from './http/http-limits.js';

// kafka/: the Kafka client's settings and the errors that make it unusable (the client itself is the service's own dependency)
export { baseClientConfig, type KafkaConnection } from './kafka/client-config.js';
export { isFatalKafkaError, watchFatalErrors } from './kafka/fatal-errors.js';

// clickhouse/: the table's migrations and queries, run on a ClickHouse client passed in
export { migrate } from './clickhouse/migrate.js';
export { checkClusterTables, createClusterTables, readClusterShape } from './clickhouse/cluster.js';
export { ClusterConfigError } from '@badam/domain/table/cluster-schema';
export { ClusterTablesError } from '@badam/domain/table/cluster-check';
export { createMessagesRepository } from './clickhouse/messages-repository.js';

// read-model/: the refresher that keeps the latest pages in a page store passed in
export { createPageRefresher, rebuildReadModel, type PageRefresher } from './read-model/page-refresher.js';

// service/: the process around a service: logger, shutdown, the admission bound
export { createLogger, type Logger } from './service/logger.js';
export { backoffDelays } from './service/backoff.js';
export { pause, onShutdown } from './service/shutdown.js';
export { createGatewayDrain, DRAINING_HEALTH, type GatewayDrain } from './service/gateway-drain.js';
export { LIVENESS_PATH, livenessAnswer } from './service/liveness.js';
export { createAdmission } from './service/admission.js';
