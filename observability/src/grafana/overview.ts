import type { DashboardSpec } from './dashboard-spec.js';

/**
 * The whole system on one screen: per-API traffic, latency and errors (from the recording rules in
 * prometheus/rules/recording.yml, the same series the alerts read), then the pipeline behind the sends, then the
 * hot read model (Valkey/Redis) in front of ClickHouse for each group's latest page.
 * An "api" is a read app (fastify, hapi, restify) or "send" (the producer's POST /messages).
 */
/**
 * Records set aside per reason in the last 10 minutes, as alert BadamDeadLetters counts them (prometheus/rules/
 * alerts.yml): a consumer's series start at 0 when it starts, and one started within the window counts whole.
 */
const DEAD_LETTERS_10M =
  'sum by (reason) ((increase(badam_consumer_dead_letters_total[10m]) and badam_consumer_dead_letters_total offset 10m)' +
  ' or (badam_consumer_dead_letters_total unless badam_consumer_dead_letters_total offset 10m))';

export const overviewDashboard: DashboardSpec = {
  uid: 'badam-overview',
  title: 'Badam overview',
  description: 'Per-API traffic, latency and errors, the pipeline from Kafka to ClickHouse, and the read model',
  variables: [],
  panels: [
    {
      title: 'Requests per second by API',
      description: 'API traffic only: /health and /metrics are left out',
      unit: 'reqps',
      queries: [{ expr: 'sum by (api) (badam:api_requests:rate1m)', legend: '{{api}}' }],
    },
    {
      title: 'Responses by status class',
      description: '4xx are callers’ mistakes (bad ids, unknown routes); 5xx are ours',
      unit: 'reqps',
      queries: [{ expr: 'sum by (api, code) (badam:api_requests:rate1m)', legend: '{{api}} {{code}}' }],
    },
    {
      title: 'p95 latency by API',
      description: 'Alert BadamApiSlow fires above 1 s for 5 minutes',
      unit: 's',
      queries: [{ expr: 'badam:api_request_duration_seconds:p95_5m', legend: '{{api}}' }],
    },
    {
      title: 'Error ratio (5xx) by API',
      description: 'Share of API responses that are 5xx; alert BadamApiErrors fires above 1 % for 5 minutes',
      unit: 'percentunit',
      queries: [{ expr: 'badam:api_error_ratio:rate1m', legend: '{{api}}' }],
    },
    {
      title: 'End-to-end delay',
      description: 'From the producer accepting a message to a consumer storing it in ClickHouse',
      unit: 's',
      queries: [
        { expr: 'badam:end_to_end_delay_seconds:p95_5m', legend: 'p95' },
        {
          expr: 'histogram_quantile(0.5, sum by (le) (rate(badam_end_to_end_delay_seconds_bucket[$__rate_interval])))',
          legend: 'p50',
        },
      ],
    },
    {
      title: 'Consumer throughput',
      description:
        'Records taken from Kafka per second: stored, already_stored (redelivered), duplicate (a resend with a stored Idempotency-Key); records set aside are under Dead letters',
      unit: 'ops',
      queries: [{ expr: 'badam:consumer_messages:rate1m', legend: '{{result}}' }],
    },
    {
      title: 'Consumer lag',
      description: 'Records in Kafka not yet consumed; alert BadamConsumerLagGrowing fires when it keeps growing',
      unit: 'short',
      queries: [
        { expr: 'badam:consumer_lag:sum', legend: 'total' },
        { expr: 'sum by (instance) (badam_consumer_lag)', legend: '{{instance}}' },
      ],
    },
    {
      title: 'ClickHouse query time p95 by operation',
      description:
        'read: the read apps’ page query (on a read model miss or fallback); heads and insert: the consumers’ batch store; pages: their read model refresh',
      unit: 's',
      queries: [
        {
          expr: 'histogram_quantile(0.95, sum by (le, operation) (rate(badam_clickhouse_query_duration_seconds_bucket[$__rate_interval])))',
          legend: '{{operation}}',
        },
      ],
    },
    {
      title: 'Consumer batch size',
      description: 'Records per stored batch: larger batches mean fewer, cheaper ClickHouse inserts',
      unit: 'short',
      queries: [
        {
          expr: 'sum(rate(badam_consumer_batch_size_sum[$__rate_interval])) / sum(rate(badam_consumer_batch_size_count[$__rate_interval]))',
          legend: 'average',
        },
        {
          expr: 'histogram_quantile(0.95, sum by (le) (rate(badam_consumer_batch_size_bucket[$__rate_interval])))',
          legend: 'p95',
        },
      ],
    },
    {
      title: 'Kafka produce and batch store p95',
      description:
        'produce: the producer handing a record to Kafka until the broker acknowledges it; store: one consumer batch',
      unit: 's',
      queries: [
        {
          expr: 'histogram_quantile(0.95, sum by (le) (rate(badam_produce_duration_seconds_bucket[$__rate_interval])))',
          legend: 'produce',
        },
        {
          expr: 'histogram_quantile(0.95, sum by (le) (rate(badam_consumer_batch_duration_seconds_bucket[$__rate_interval])))',
          legend: 'store batch',
        },
      ],
    },
    {
      title: 'Dead letters by reason',
      description:
        'Records set aside on the dead-letter topic in the last 10 minutes (unreadable, unsupported_version, invalid: not decodable; unstorable: refused by ClickHouse), the series alert BadamDeadLetters reads. Not stored until replayed (docs/DEPLOY.md, "Dead letters")',
      unit: 'short',
      queries: [{ expr: DEAD_LETTERS_10M, legend: '{{reason}}' }],
    },
    {
      title: 'Consumer batch failing for',
      description:
        'How long each consumer’s batch in progress has been failing to store (0 when fine); past CONSUMER_STUCK_AFTER_MS (60 s) its /health answers 503 "stuck", and alert BadamConsumerStuck fires once it has stayed over 60 s for a minute',
      unit: 's',
      queries: [{ expr: 'max by (instance) (badam_consumer_failing_seconds)', legend: '{{instance}}' }],
    },
    {
      title: 'Replicas up by service',
      description: 'Targets Prometheus scrapes successfully; alert BadamTargetDown fires for any down for a minute',
      unit: 'short',
      queries: [{ expr: 'sum by (service) (up)', legend: '{{service}}' }],
    },
    {
      title: 'CPU by service',
      description: 'Cores used by all replicas of a service (1 = one full core)',
      unit: 'short',
      queries: [
        { expr: 'sum by (service) (rate(process_cpu_seconds_total[$__rate_interval]))', legend: '{{service}}' },
      ],
    },
    {
      title: 'Read model reads by app and result',
      description:
        'Latest-page reads: hit (from the store), miss (from ClickHouse, then filled), fallback (store failing: from ClickHouse)',
      unit: 'reqps',
      queries: [{ expr: 'badam:read_model_reads:rate1m', legend: '{{api}} {{result}}' }],
    },
    {
      title: 'Read model hit and fallback ratio by app',
      description:
        'Shares of latest-page reads; alert BadamReadModelFallingBack fires while over half fall back for 5 minutes',
      unit: 'percentunit',
      queries: [
        { expr: 'badam:read_model_hit_ratio:rate1m', legend: '{{api}} hit' },
        { expr: 'badam:read_model_fallback_ratio:rate1m', legend: '{{api}} fallback' },
      ],
    },
    {
      title: 'Read model get p95 by app',
      description:
        'A read app getting a group’s page from the store, client-side; past READ_MODEL_TIMEOUT_MS the read falls back',
      unit: 's',
      queries: [{ expr: 'badam:read_model_get_duration_seconds:p95_5m', legend: '{{api}}' }],
    },
    {
      title: 'Read model refresh p95',
      description:
        'A consumer rewriting a stored batch’s pages (read from ClickHouse, written to the store); its offsets wait for it',
      unit: 's',
      queries: [{ expr: 'badam:read_model_refresh_duration_seconds:p95_5m', legend: 'p95' }],
    },
    {
      title: 'Read model pending groups',
      description:
        'Groups whose page a consumer has not refreshed yet, the batch being refreshed included; alert BadamReadModelBehind fires when a consumer keeps some for 5 minutes without a successful refresh',
      unit: 'short',
      queries: [
        { expr: 'badam:read_model_pending_groups:sum', legend: 'total' },
        { expr: 'sum by (instance) (badam_read_model_pending_groups{service="consumer"})', legend: '{{instance}}' },
      ],
    },
  ],
};
