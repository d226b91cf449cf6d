/** How the test runner tells integration tests where the broker and the database it started are. */
export const TEST_ENV = {
  kafkaBrokers: 'BADAM_TEST_KAFKA_BROKERS',
  /** Server 0 (the only one of the single topology). */
  clickhouseUrl: 'BADAM_TEST_CLICKHOUSE_URL',
  /** Every server of the run's topology, comma-separated, shard by shard. */
  clickhouseUrls: 'BADAM_TEST_CLICKHOUSE_URLS',
  readModelUrl: 'BADAM_TEST_READ_MODEL_URL',
  readModelMode: 'BADAM_TEST_READ_MODEL_MODE',
  /** The private stacks' read model topology, unless a test asks for one: single or cluster. */
  readModelTopology: 'BADAM_TEST_READ_MODEL_TOPOLOGY',
  dataDir: 'BADAM_TEST_DATA_DIR',
  /** The run's topology (single, replicated, sharded): the shared servers the integration tests use. */
  topology: 'BADAM_TEST_TOPOLOGY',
  /** The private stacks' topology (the fault suite's), unless a test asks for one: replicated by default. */
  faultTopology: 'BADAM_TEST_FAULT_TOPOLOGY',
  /** `first-last`: where fixtures pick free ports. */
  portRange: 'BADAM_TEST_PORT_RANGE',
} as const;
