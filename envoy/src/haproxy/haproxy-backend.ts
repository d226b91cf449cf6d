import { GATEWAY_POLICY as P } from '../policy.js';
import { serviceRetriable, type RouteTable } from '../route-table.js';

/**
 * One service's backend: its replicas, health check, prefix stripping, and retries (GATEWAY_POLICY: reads retry on
 * another replica, sends only after a failed connection), as envoy-service-routes.ts and envoy-clusters.ts give Envoy.
 */
export function backend(table: RouteTable, service: string, servers: readonly string[]): string[] {
  const check = P.healthCheck;
  const retries = serviceRetriable(table, service)
    ? [
        // One attempt's limit; a stuck or killed replica costs a retry on another, not a failed read.
        `  timeout server ${P.read.perTryTimeoutMs}ms`,
        `  retry-on conn-failure empty-response response-timeout ${P.read.retriableStatusCodes.join(' ')}`,
        `  retries ${P.read.retries}`,
        '  option redispatch 1',
      ]
    : [
        // Only a failed connection is retried: the send never left the gateway. After that, a retry could store it twice.
        '  retry-on conn-failure',
        `  retries ${P.send.connectRetries}`,
        '  option redispatch 1',
      ];
  return [
    `backend ${service}`,
    '  balance roundrobin',
    `  option httpchk GET ${table.healthPath}`,
    '  http-check expect status 200',
    // pool-purge-delay is what closes idle connections to a server in HAProxy 2.6 (policy.ts, upstreamIdle).
    `  default-server check inter ${check.intervalMs}ms fall ${check.unhealthyThreshold} rise ${check.healthyThreshold}` +
      ` pool-purge-delay ${P.upstreamIdle.haproxyPurgeDelayMs}ms`,
    // Strip the route's prefix: /fastify/groups/1/messages reaches the app as /groups/1/messages.
    ...table.routes
      .filter((route) => route.service === service)
      .map((route) => `  http-request replace-path ^${route.prefix}(.*) /\\1`),
    ...retries,
    ...servers.map((address, i) => `  server ${service}-${i + 1} ${address}`),
  ];
}
