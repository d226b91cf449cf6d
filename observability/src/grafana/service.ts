import type { DashboardSpec } from './dashboard-spec.js';

/** One service in detail, picked with the `service` variable: its routes, replicas and process health. */
export const serviceDashboard: DashboardSpec = {
  uid: 'badam-service',
  title: 'Badam service',
  description: 'One service in detail: routes, replicas, CPU, memory, event loop and ClickHouse calls',
  variables: [{ name: 'service', label: 'Service', query: 'label_values(up, service)' }],
  panels: [
    {
      title: 'Requests per second by route and status',
      description: 'Every route, /health and /metrics included (the orchestrator and Prometheus call them)',
      unit: 'reqps',
      queries: [
        {
          expr: 'sum by (method, route, status_code) (rate(http_request_duration_seconds_count{service="$service"}[$__rate_interval]))',
          legend: '{{method}} {{route}} {{status_code}}',
        },
      ],
    },
    {
      title: 'p95 latency by route',
      description: 'From arrival to response, by route template',
      unit: 's',
      queries: [
        {
          expr: 'histogram_quantile(0.95, sum by (le, route) (rate(http_request_duration_seconds_bucket{service="$service"}[$__rate_interval])))',
          legend: '{{route}}',
        },
      ],
    },
    {
      title: 'Replicas up',
      description: '1 when Prometheus scraped the replica at its last attempt',
      unit: 'short',
      queries: [{ expr: 'up{service="$service"}', legend: '{{instance}}' }],
    },
    {
      title: 'CPU per replica',
      description: 'Cores used (1 = one full core)',
      unit: 'short',
      queries: [
        { expr: 'rate(process_cpu_seconds_total{service="$service"}[$__rate_interval])', legend: '{{instance}}' },
      ],
    },
    {
      title: 'Resident memory per replica',
      description: 'Process RSS',
      unit: 'bytes',
      queries: [{ expr: 'process_resident_memory_bytes{service="$service"}', legend: '{{instance}}' }],
    },
    {
      title: 'Event loop lag p99 per replica',
      description: 'A busy event loop delays every request of the replica',
      unit: 's',
      queries: [{ expr: 'nodejs_eventloop_lag_p99_seconds{service="$service"}', legend: '{{instance}}' }],
    },
    {
      title: 'Time in garbage collection per replica',
      description: 'Share of wall time spent in GC pauses',
      unit: 'percentunit',
      queries: [
        {
          expr: 'sum by (instance) (rate(nodejs_gc_duration_seconds_sum{service="$service"}[$__rate_interval]))',
          legend: '{{instance}}',
        },
      ],
    },
    {
      title: 'ClickHouse calls by operation and result',
      description:
        'Read apps: read (read model misses and fallbacks); consumers: heads, insert and pages (the read model refresh). The producer does not call ClickHouse',
      unit: 'ops',
      queries: [
        {
          expr: 'sum by (operation, result) (rate(badam_clickhouse_query_duration_seconds_count{service="$service"}[$__rate_interval]))',
          legend: '{{operation}} {{result}}',
        },
      ],
    },
    {
      title: 'ClickHouse query time p95 by operation',
      description: 'As this service sees it, client-side, network included',
      unit: 's',
      queries: [
        {
          expr: 'histogram_quantile(0.95, sum by (le, operation) (rate(badam_clickhouse_query_duration_seconds_bucket{service="$service"}[$__rate_interval])))',
          legend: '{{operation}}',
        },
      ],
    },
    {
      title: 'Heap used per replica',
      description: 'V8 heap in use',
      unit: 'bytes',
      queries: [{ expr: 'nodejs_heap_size_used_bytes{service="$service"}', legend: '{{instance}}' }],
    },
  ],
};
