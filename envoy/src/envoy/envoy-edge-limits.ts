import { seconds } from './envoy-common.js';
import { GATEWAY_POLICY as P, clientRateLimit, type ClientRateLimit } from '../policy.js';
import { always } from './envoy-common.js';

/** The descriptor key Envoy's remote_address action fills with the client's address. */
const CLIENT_KEY = 'remote_address';

/**
 * Per-client rate limit: Envoy's local rate limit with one token bucket per client address. The remote_address
 * action names each request's client (the TCP peer, since the connection manager uses the remote address and trusts
 * no X-Forwarded-For hop); the descriptor with that key and no value is a wildcard, for which Envoy creates a bucket
 * per distinct address (dynamic descriptors, kept in an LRU of max_dynamic_descriptors). Buckets are shared by all
 * worker threads of the Envoy process. The 429 gets its JSON body and Retry-After from local_reply_config
 * (GATEWAY_ERRORS): Envoy 1.36 has no enable_retry_after_header yet.
 */
export function clientRateLimitFilter(limit: ClientRateLimit = clientRateLimit()) {
  const bucket = { max_tokens: limit.burst, tokens_per_fill: limit.perSecond, fill_interval: '1s' };
  return {
    name: 'envoy.filters.http.local_ratelimit',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
      stat_prefix: 'client_rate_limit',
      // Consumed only by a request with no client address (none over TCP): it then counts as one more client.
      token_bucket: bucket,
      filter_enabled: always('gateway.client_rate_limit.enabled'),
      filter_enforced: always('gateway.client_rate_limit.enforced'),
      rate_limits: [{ actions: [{ remote_address: {} }] }],
      descriptors: [{ entries: [{ key: CLIENT_KEY }], token_bucket: bucket }],
      always_consume_default_token_bucket: false,
      max_dynamic_descriptors: P.clientRateLimit.trackedClients,
    },
  };
}

/**
 * The connection manager's edge settings: who the client is, and how long a client may hold a connection without
 * progress. Envoy's defaults are no header timeout and an hour of idleness.
 */
export function clientConnectionSettings() {
  return {
    // The client is the TCP peer: X-Forwarded-For from a client is not believed (xff_num_trusted_hops stays 0).
    use_remote_address: true,
    request_headers_timeout: seconds(P.requestHeadersTimeoutMs),
    // max_headers_count: Envoy's default, written out because the native HAProxy takes the same (a JSON 431 past it).
    common_http_protocol_options: {
      idle_timeout: seconds(P.clientIdleTimeoutMs),
      max_headers_count: P.maxRequestHeaders,
    },
    stream_idle_timeout: seconds(P.clientIdleTimeoutMs),
  };
}

/**
 * A cap on client connections over the whole Envoy process: past it new connections are refused. Listeners marked
 * ignore_global_conn_limit (the stats listener) are not counted.
 */
export function overloadManager() {
  return {
    resource_monitors: [
      {
        name: 'envoy.resource_monitors.global_downstream_max_connections',
        typed_config: {
          '@type':
            'type.googleapis.com/envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig',
          max_active_downstream_connections: P.maxClientConnections,
        },
      },
    ],
  };
}
