import { stringify } from 'yaml';
import { adminBootstrap, adminCluster, statsListener } from './envoy-admin.js';
import { serviceCluster } from './envoy-clusters.js';
import { HTTP_CONNECTION_MANAGER_TYPE, ROUTER_FILTER, jsonResponse, socketAddress } from './envoy-common.js';
import { clientConnectionSettings, clientRateLimitFilter, overloadManager } from './envoy-edge-limits.js';
import { serviceRoute } from './envoy-service-routes.js';
import {
  GATEWAY_ERRORS,
  GATEWAY_HEALTH_BODY,
  NOT_FOUND_BODY,
  gatewayErrorBody,
  type GatewayError,
} from '../gateway-errors.js';
import { GATEWAY_POLICY as P } from '../policy.js';
import { servicesOf, type RouteTable } from '../route-table.js';

/** Where Envoy listens for clients in its container: the one port the Docker files publish. */
export const ENVOY_LISTENER_PORT = 8080;

const HEADER = `# GENERATED from envoy/routes.json by \`npm run generate\` (envoy/src/envoy/envoy-config.ts).
# Do not edit: change routes.json or the generator, then regenerate; a unit test fails when this file is stale.
# Validate without Envoy: .tools/bin/envoy-validate envoy/envoy.yaml (built by envoy/validate/build.sh).
`;

/** The Envoy v3 bootstrap for the route table, as YAML with the generated-file header. */
export function renderEnvoyYaml(table: RouteTable): string {
  // No anchors and aliases for objects used twice: each place reads in full.
  return HEADER + stringify(envoyBootstrap(table), { lineWidth: 0, aliasDuplicateObjects: false });
}

/**
 * The Envoy v3 bootstrap as a plain object (proto3 JSON mapping, snake_case field names): the gateway listener
 * (the public API, with the edge limits), the stats listener for Prometheus, the admin interface on loopback.
 */
function envoyBootstrap(table: RouteTable) {
  return {
    admin: adminBootstrap(),
    overload_manager: overloadManager(),
    static_resources: {
      listeners: [
        {
          name: 'gateway',
          address: socketAddress('0.0.0.0', ENVOY_LISTENER_PORT),
          filter_chains: [{ filters: [httpConnectionManager(table)] }],
        },
        statsListener(),
      ],
      clusters: [...servicesOf(table).map((service) => serviceCluster(table, service)), adminCluster()],
    },
  };
}

function httpConnectionManager(table: RouteTable) {
  return {
    name: 'envoy.filters.network.http_connection_manager',
    typed_config: {
      '@type': HTTP_CONNECTION_MANAGER_TYPE,
      stat_prefix: 'gateway',
      codec_type: 'AUTO',
      ...clientConnectionSettings(),
      // The services' parser limit; a larger head gets the JSON 431 below instead of a service's.
      max_request_headers_kb: P.maxRequestHeadBytes / 1024,
      // /fastify/../producer/messages must not slip past the method rules of its real prefix.
      normalize_path: true,
      merge_slashes: true,
      access_log: [
        {
          name: 'envoy.access_loggers.stdout',
          filter: notRateLimited(),
          typed_config: { '@type': 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog' },
        },
      ],
      // Only Envoy's own replies; the services' responses pass unchanged. No fallback body_format: the gateway's
      // direct responses (health, 404) are local replies too, and already JSON.
      local_reply_config: { mappers: GATEWAY_ERRORS.map(localReplyMapper) },
      route_config: {
        name: 'gateway',
        virtual_hosts: [
          {
            name: 'badam',
            domains: ['*'],
            routes: [
              ...table.routes.map(serviceRoute),
              jsonResponse('gateway-health', { path: table.healthPath }, 200, GATEWAY_HEALTH_BODY),
              // Last: any other path (a service's /health or /metrics too), or a route's path with another method.
              jsonResponse('not-found', { prefix: '/' }, 404, NOT_FOUND_BODY),
            ],
          },
        ],
      },
      http_filters: [
        // First: a client over its rate gets its 429 before anything else is done for it (a body buffered, a route).
        clientRateLimitFilter(),
        {
          // Refuses bodies above the producer's limit with a 413 before anything reaches a service.
          name: 'envoy.filters.http.buffer',
          typed_config: {
            '@type': 'type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer',
            max_request_bytes: P.maxRequestBytes,
          },
        },
        ROUTER_FILTER,
      ],
    },
  };
}

/**
 * Every request but the 429s: a client flooding the gateway would flood the log. Its refusals are counted instead
 * (client_rate_limit.http_local_rate_limit.enforced on the stats listener).
 */
function notRateLimited() {
  const status = (op: 'LE' | 'GE', value: number) => ({
    status_code_filter: {
      comparison: { op, value: { default_value: value, runtime_key: `gateway.access_log.status_${op.toLowerCase()}` } },
    },
  });
  return { or_filter: { filters: [status('LE', 428), status('GE', 430)] } };
}

function localReplyMapper(e: GatewayError) {
  return {
    filter: {
      status_code_filter: {
        comparison: { op: 'EQ', value: { default_value: e.status, runtime_key: `gateway.local_reply.${e.status}` } },
      },
    },
    ...(e.retryAfterSeconds === undefined
      ? {}
      : {
          headers_to_add: [
            {
              header: { key: 'retry-after', value: String(e.retryAfterSeconds) },
              append_action: 'OVERWRITE_IF_EXISTS_OR_ADD',
            },
          ],
        }),
    // json_format answers with content-type application/json.
    body_format_override: { json_format: gatewayErrorBody(e) },
  };
}
