// What the native stack and the tests import from @badam/pipeline, in one import: they have every optional peer
// dependency. A service imports @badam/pipeline/core and the entries of the peers it declares, so its image needs no
// other (deployment/src/checks/image-dependency-checks.ts checks it). Only the names imported somewhere are listed: a
// module's other exports stay inside the package.

// contract/: what a client sends, the record on the topic, the error codes
export { BadamError } from '@badam/domain/contract/errors';
export { MAX_SEND_BODY_BYTES, type SendMessage } from '@badam/domain/contract/send-message';
export { idempotencyHash } from '@badam/domain/contract/idempotency-key';
export {
  DEAD_LETTER_HEADERS,
  DEFAULT_PARTITIONS,
  deadLetterTopic,
  encodeMessage,
  messageKey,
} from '@badam/domain/contract/topic';

// table/: the messages table and its keys index: names, SQL literals, rows, pages
export { quoteIdentifier, sqlInteger } from '@badam/domain/table/identifiers';
export { keysTable } from '@badam/domain/table/schema';
export { clusterCreateStatements, replicatedTableName, zooKeeperPath } from '@badam/domain/table/cluster-schema';
export { sourceKey, type IndexedKey, type MessageRow } from '@badam/domain/table/rows';
export type { MessagePage } from '@badam/domain/table/repository';

// ordering/: orders for a batch, and the consumer's unit of work that stores it
export type { ConsumedRecord } from '@badam/domain/ordering/assign-orders';
export { planBatch, storeBatch, writeBatch, type StoredBatch } from '@badam/domain/ordering/store-batch';

// config/: the environment, read once and checked, and the settings the services share
export { ConfigError, readConfig, secretFileVariable, type EnvSpec } from './config/env.js';
export { int, oneOf, str } from './config/env-vars.js';
export {
  admissionSettings,
  clickhouseSettings,
  httpSettings,
  kafkaSettings,
  readAppSettings,
  readModelSettings,
  topicSettings,
} from './config/shared-settings.js';
export { pageStoreConnection } from './config/page-store-connection.js';
export { describeSettings, environmentOf, type SettingDescription, type SettingValue } from './config/setting-list.js';

// metrics/: each service's Prometheus metrics, on a registry passed in
export { createServiceMetrics } from './metrics/service-metrics.js';

// http/: the HTTP limits every server applies, which the gateway's must match
export {
  HEADERS_TIMEOUT_MS,
  KEEP_ALIVE_TIMEOUT_MS,
  MAX_REQUEST_HEAD_BYTES,
  REQUEST_TIMEOUT_MS,
  answerClientError,
  applyHttpLimits,
} from './http/http-limits.js';

// kafka/: the Kafka client's settings, and the topic's administration (loads @confluentinc/kafka-javascript)
export { baseClientConfig, type KafkaConnection } from './kafka/client-config.js';
export { ensureTopic, uncommittedRecords } from './kafka/topic-admin.js';

// clickhouse/: the client (loads @clickhouse/client), migrations, the table's queries, database roles, reconciliation
export {
  createClickHouseClient,
  serverVersion,
  synchronousInsertSettings,
  type ClickHouseConnection,
} from './clickhouse/client.js';
export { dropTable, migrate } from './clickhouse/migrate.js';
export { checkClusterTables, createClusterTables, dropClusterTables, readClusterShape } from './clickhouse/cluster.js';
export { ClusterTablesError } from '@badam/domain/table/cluster-check';
export { readStoreSettings, storeSettings, type StoreSettings } from './clickhouse/store-consistency.js';
export { moveToCluster } from './clickhouse/move-to-cluster.js';
export { createMessagesRepository } from './clickhouse/messages-repository.js';
export {
  CLICKHOUSE_ROLES,
  CLICKHOUSE_ROLE_NAMES,
  clickhousePasswordHashVariable,
  clickhousePasswordSecret,
  clickhouseUser,
  renderClickHouseRoles,
  type ClickHouseRole,
} from './clickhouse/roles.js';
export { reconcile, type AcceptedSend } from './clickhouse/reconciliation.js';

// read-model/: the latest pages in Valkey: their entries, the refresher, the store (loads ioredis)
export { entryBody, entryVersion, pageVersion, toPageEntry } from './read-model/page-entry.js';
export { rebuildReadModel, refreshGroups } from './read-model/page-refresher.js';
export { createPageStore, type PageStore } from './read-model/page-store.js';
export { FILL_TTL_MS, createPageCache } from './read-model/page-cache.js';

// service/: the process around a service: logger, the liveness path Docker's healthchecks ask
export { createLogger } from './service/logger.js';
export { LIVENESS_PATH } from './service/liveness.js';
