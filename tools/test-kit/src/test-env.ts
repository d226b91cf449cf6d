/** How the test runner tells integration tests where the broker and the database it started are. */
export const TEST_ENV = {
  kafkaBrokers: 'BADAM_TEST_KAFKA_BROKERS',
  clickhouseUrl: 'BADAM_TEST_CLICKHOUSE_URL',
  readModelUrl: 'BADAM_TEST_READ_MODEL_URL',
  dataDir: 'BADAM_TEST_DATA_DIR',
} as const;
