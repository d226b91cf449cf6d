import { seconds } from './envoy-common.js';
import { GATEWAY_POLICY as P } from '../policy.js';
import type { RouteTable } from '../route-table.js';
import { socketAddress } from './envoy-common.js';

/** One cluster per routed service: every task of it, found through Swarm's DNS, health-checked and balanced. */
export function serviceCluster(table: RouteTable, service: string) {
  const check = P.healthCheck;
  return {
    name: service,
    // Swarm's tasks.<service> resolves to every task's address; re-resolved every 5 s as replicas come and go.
    type: 'STRICT_DNS',
    dns_lookup_family: 'V4_ONLY',
    dns_refresh_rate: '5s',
    // A task gone from DNS is dropped at once, even while its last health check passed.
    ignore_health_on_host_removal: true,
    connect_timeout: seconds(P.connectTimeoutMs),
    // Idle upstream connections are closed by Envoy before the service's keep-alive timeout closes them under it.
    typed_extension_protocol_options: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
        common_http_protocol_options: { idle_timeout: seconds(P.upstreamIdle.envoyTimeoutMs) },
        explicit_http_config: { http_protocol_options: {} },
      },
    },
    lb_policy: 'ROUND_ROBIN',
    load_assignment: {
      cluster_name: service,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: socketAddress(`tasks.${service}`, table.servicePort) } }] }],
    },
    health_checks: [
      {
        timeout: seconds(check.timeoutMs),
        interval: seconds(check.intervalMs),
        // Without this a cluster that has seen no traffic is checked once a minute, and a new task waits that long.
        no_traffic_interval: '5s',
        unhealthy_threshold: check.unhealthyThreshold,
        healthy_threshold: check.healthyThreshold,
        http_health_check: { path: table.healthPath },
      },
    ],
    // Passive checks between active ones: a replica answering 5xx in a row is ejected for a while.
    outlier_detection: {
      consecutive_5xx: 5,
      interval: '5s',
      base_ejection_time: '15s',
      max_ejection_percent: 50,
    },
    circuit_breakers: {
      thresholds: [
        {
          priority: 'DEFAULT',
          max_connections: 1024,
          max_pending_requests: 1024,
          max_requests: 1024,
          // Retries in flight: at most a quarter of the requests (at least 10), so retries cannot snowball.
          retry_budget: { budget_percent: { value: 25 }, min_retry_concurrency: 10 },
        },
      ],
    },
  };
}
