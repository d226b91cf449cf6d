import { seconds } from './envoy-common.js';
import { NOT_FOUND_BODY } from '../gateway-errors.js';
import { HTTP_CONNECTION_MANAGER_TYPE, ROUTER_FILTER, jsonResponse, socketAddress } from './envoy-common.js';

/**
 * Envoy's admin interface: config dumps, runtime changes, /quitquitquit. It listens on the container's loopback only,
 * where the healthcheck asks /ready; nothing on the network reaches it.
 */
export const ENVOY_ADMIN = { address: '127.0.0.1', port: 9901 } as const;

/**
 * The stats listener Prometheus scrapes over the stack's network (never published): GET /stats/prometheus, forwarded
 * to the admin interface, and nothing else. Exempt from the gateway's connection limit, so a gateway saturated with
 * clients can still be observed; it has its own small one instead.
 */
export const ENVOY_STATS = { port: 9902, path: '/stats/prometheus', maxConnections: 16 } as const;

const ADMIN_CLUSTER = 'envoy_admin';

export function adminBootstrap() {
  return {
    address: socketAddress(ENVOY_ADMIN.address, ENVOY_ADMIN.port),
    // The healthcheck's /ready must answer while clients hold every connection the limit allows, or a connection
    // flood would get the gateway restarted as unhealthy.
    ignore_global_conn_limit: true,
  };
}

export function statsListener() {
  return {
    name: 'stats',
    address: socketAddress('0.0.0.0', ENVOY_STATS.port),
    ignore_global_conn_limit: true,
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.connection_limit',
            typed_config: {
              '@type': 'type.googleapis.com/envoy.extensions.filters.network.connection_limit.v3.ConnectionLimit',
              stat_prefix: 'stats',
              max_connections: ENVOY_STATS.maxConnections,
            },
          },
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type': HTTP_CONNECTION_MANAGER_TYPE,
              stat_prefix: 'stats',
              route_config: {
                name: 'stats',
                virtual_hosts: [
                  {
                    name: 'stats',
                    domains: ['*'],
                    routes: [
                      {
                        name: 'prometheus',
                        // The exact path (a query string passes, as Prometheus sends none); every other admin page is a 404.
                        match: {
                          path: ENVOY_STATS.path,
                          headers: [{ name: ':method', string_match: { exact: 'GET' } }],
                        },
                        route: { cluster: ADMIN_CLUSTER, timeout: seconds(10_000) },
                      },
                      jsonResponse('not-found', { prefix: '/' }, 404, NOT_FOUND_BODY),
                    ],
                  },
                ],
              },
              http_filters: [ROUTER_FILTER],
            },
          },
        ],
      },
    ],
  };
}

export function adminCluster() {
  return {
    name: ADMIN_CLUSTER,
    type: 'STATIC',
    connect_timeout: seconds(1000),
    load_assignment: {
      cluster_name: ADMIN_CLUSTER,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: socketAddress(ENVOY_ADMIN.address, ENVOY_ADMIN.port) } }] }],
    },
  };
}
