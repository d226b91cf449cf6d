/** How the test runner tells integration tests where the broker and the database it started are. */
export const TEST_ENV = {
  kafkaBrokers: 'BADAM_TEST_KAFKA_BROKERS',
  clickhouseUrl: 'BADAM_TEST_CLICKHOUSE_URL',
  readModelUrl: 'BADAM_TEST_READ_MODEL_URL',
  readModelMode: 'BADAM_TEST_READ_MODEL_MODE',
  /** The private stacks' read model topology, unless a test asks for one: single or cluster. */
  readModelTopology: 'BADAM_TEST_READ_MODEL_TOPOLOGY',
  dataDir: 'BADAM_TEST_DATA_DIR',
} as const;
