import { stringify } from 'yaml';
import { GATEWAY_ERRORS, GATEWAY_HEALTH_BODY, GATEWAY_POLICY as P, NOT_FOUND_BODY, gatewayErrorBody, seconds, type GatewayError } from './policy.js';
import { retriable, servicesOf, type Route, type RouteTable } from './route-table.js';

/** Where Envoy listens in its container; the Docker files publish the listener and keep the admin port internal. */
const ENVOY_LISTENER_PORT = 8080;
/** Envoy's admin interface: /stats/prometheus for Prometheus, /ready for health. Never publish it. */
const ENVOY_ADMIN_PORT = 9901;


const HEADER = `# GENERATED from envoy/routes.json by \`npm run generate -w @badam/gateway\` (envoy/src/envoy-config.ts).
# Do not edit: change routes.json or the generator, then regenerate; a unit test fails when this file is stale.
# Validate without Envoy: .tools/bin/envoy-validate envoy/envoy.yaml (built by envoy/validate/build.sh).
`;

/** The Envoy v3 bootstrap for the route table, as YAML with the generated-file header. */
export function renderEnvoyYaml(table: RouteTable): string {
  return HEADER + stringify(envoyBootstrap(table), { lineWidth: 0 });
}

/** The Envoy v3 bootstrap as a plain object (proto3 JSON mapping, snake_case field names). */
function envoyBootstrap(table: RouteTable) {
  return {
    admin: { address: socketAddress('0.0.0.0', ENVOY_ADMIN_PORT) },
    static_resources: {
      listeners: [
        {
          name: 'gateway',
          address: socketAddress('0.0.0.0', ENVOY_LISTENER_PORT),
          filter_chains: [{ filters: [httpConnectionManager(table)] }],
        },
      ],
      clusters: servicesOf(table).map((service) => cluster(table, service)),
    },
  };
}

function socketAddress(address: string, port: number) {
  return { socket_address: { address, port_value: port } };
}

function httpConnectionManager(table: RouteTable) {
  return {
    name: 'envoy.filters.network.http_connection_manager',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
      stat_prefix: 'gateway',
      codec_type: 'AUTO',
      // The services' parser limit; a larger head gets the JSON 431 below instead of a service's.
      max_request_headers_kb: P.maxRequestHeadBytes / 1024,
      // /fastify/../producer/messages must not slip past the method rules of its real prefix.
      normalize_path: true,
      merge_slashes: true,
      access_log: [
        {
          name: 'envoy.access_loggers.stdout',
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
              // Last: an unknown path, or a known prefix with a method it does not take.
              jsonResponse('not-found', { prefix: '/' }, 404, NOT_FOUND_BODY),
            ],
          },
        ],
      },
      http_filters: [
        {
          // Refuses bodies above the producer's limit with a 413 before anything reaches a service.
          name: 'envoy.filters.http.buffer',
          typed_config: {
            '@type': 'type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer',
            max_request_bytes: P.maxRequestBytes,
          },
        },
        {
          name: 'envoy.filters.http.router',
          typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' },
        },
      ],
    },
  };
}

function serviceRoute(route: Route) {
  const [only] = route.methods;
  const method = route.methods.length === 1 && only !== undefined
    ? { exact: only }
    : { safe_regex: { regex: `^(${route.methods.join('|')})$` } };
  const read = retriable(route);
  return {
    name: route.service,
    match: { prefix: route.prefix, headers: [{ name: ':method', string_match: method }] },
    route: {
      cluster: route.service,
      prefix_rewrite: '/',
      timeout: seconds(read ? P.read.timeoutMs : P.send.timeoutMs),
      // A POST /messages retries only a failed connection (it never reached a producer); any later retry could
      // store the message twice. No per-try timeout either: a slow send is answered, not sent again.
      retry_policy: read ? retryPolicy() : connectRetryPolicy(),
    },
  };
}

function connectRetryPolicy() {
  return {
    retry_on: 'connect-failure',
    num_retries: P.send.connectRetries,
    retry_host_predicate: [previousHosts()],
    host_selection_retry_max_attempts: 3,
  };
}

function previousHosts() {
  return {
    name: 'envoy.retry_host_predicates.previous_hosts',
    typed_config: { '@type': 'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate' },
  };
}

function retryPolicy() {
  return {
    retry_on: 'connect-failure,reset,retriable-status-codes',
    retriable_status_codes: [...P.read.retriableStatusCodes],
    num_retries: P.read.retries,
    per_try_timeout: seconds(P.read.perTryTimeoutMs),
    // Retry on another replica than the one that just failed.
    retry_host_predicate: [previousHosts()],
    host_selection_retry_max_attempts: 3,
  };
}

function jsonResponse(name: string, match: Record<string, string>, status: number, body: string) {
  return {
    name,
    match,
    direct_response: { status, body: { inline_string: body } },
    response_headers_to_add: [
      { header: { key: 'content-type', value: 'application/json' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
    ],
  };
}

function localReplyMapper(e: GatewayError) {
  return {
    filter: {
      status_code_filter: { comparison: { op: 'EQ', value: { default_value: e.status, runtime_key: `gateway.local_reply.${e.status}` } } },
    },
    ...(e.retryAfterSeconds === undefined
      ? {}
      : {
          headers_to_add: [
            { header: { key: 'retry-after', value: String(e.retryAfterSeconds) }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
          ],
        }),
    // json_format answers with content-type application/json.
    body_format_override: { json_format: gatewayErrorBody(e) },
  };
}

function cluster(table: RouteTable, service: string) {
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
