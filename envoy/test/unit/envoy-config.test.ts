import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { ENVOY_ADMIN, ENVOY_STATS } from '../../src/envoy/envoy-admin.js';
import { ENVOY_LISTENER_PORT, renderEnvoyYaml } from '../../src/envoy/envoy-config.js';
import { envoyOutcome } from '../../src/envoy/envoy-route-match.js';
import { envoyYamlPath } from '../../src/paths.js';
import { seconds } from '../../src/envoy/envoy-common.js';
import { gatewayError } from '../../src/gateway-errors.js';
import { GATEWAY_POLICY, clientRateLimit, upstreamIdleBoundMs } from '../../src/policy.js';
import { loadRouteTable } from '../../src/route-table.js';
import { envoyRoutes } from '../../src/testing/route-summary.js';

const listener = (bootstrap: any, name: string) =>
  bootstrap.static_resources.listeners.find((l: any) => l.name === name);
const gatewayManager = (bootstrap: any) => listener(bootstrap, 'gateway').filter_chains[0].filters[0].typed_config;
/** The clusters of the routed services; the admin interface's own cluster aside. */
const serviceClusters = (bootstrap: any) =>
  (bootstrap.static_resources.clusters as Record<string, any>[]).filter((c) => c.name !== 'envoy_admin');

describe('envoy.yaml', () => {
  const table = loadRouteTable();
  const checkedIn = readFileSync(envoyYamlPath, 'utf8');

  it('is what routes.json generates (else: npm run generate)', () => {
    assert.equal(checkedIn, renderEnvoyYaml(table));
  });

  it('says it is generated', () => {
    assert.match(checkedIn.split('\n')[0] ?? '', /^# GENERATED from envoy\/routes\.json/);
  });

  it('retries GET routes on another replica, and the POST route only after a failed connection', () => {
    const routes = envoyRoutes(parse(checkedIn));
    for (const route of routes) {
      assert.equal(route.retries, 2, route.prefix);
      assert.equal(route.connectFailureOnly, route.methods.includes('POST'), route.prefix);
    }
  });

  it('has one STRICT_DNS cluster per service on tasks.<service>:3000, health-checked on /health', () => {
    const clusters = serviceClusters(parse(checkedIn));
    assert.deepEqual(
      clusters.map((c) => c.name),
      ['fastify', 'hapi', 'restify', 'producer'],
    );
    for (const cluster of clusters) {
      assert.equal(cluster.type, 'STRICT_DNS');
      assert.equal(cluster.dns_refresh_rate, '5s');
      assert.equal(cluster.lb_policy, 'ROUND_ROBIN');
      const address = cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address;
      assert.deepEqual(address, { address: `tasks.${cluster.name}`, port_value: 3000 });
      assert.equal(cluster.health_checks[0].http_health_check.path, '/health');
      assert.ok(cluster.outlier_detection);
      assert.ok(cluster.circuit_breakers);
    }
  });

  it('listens for clients on 8080, keeps the admin interface on the container’s loopback, and serves Prometheus on 9902', () => {
    const bootstrap = parse(checkedIn);
    assert.deepEqual(bootstrap.admin.address.socket_address, { address: '127.0.0.1', port_value: 9901 });
    assert.deepEqual(
      bootstrap.static_resources.listeners.map((l: any) => [
        l.name,
        l.address.socket_address.address,
        l.address.socket_address.port_value,
      ]),
      [
        ['gateway', '0.0.0.0', ENVOY_LISTENER_PORT],
        ['stats', '0.0.0.0', ENVOY_STATS.port],
      ],
    );
    const admin = bootstrap.static_resources.clusters.find((c: any) => c.name === 'envoy_admin');
    assert.deepEqual(admin.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address, {
      address: ENVOY_ADMIN.address,
      port_value: ENVOY_ADMIN.port,
    });
  });

  it('forwards nothing of the admin interface from the stats listener but GET /stats/prometheus', () => {
    const bootstrap = parse(checkedIn);
    assert.deepEqual(envoyOutcome(bootstrap, 'stats', 'GET', '/stats/prometheus'), { forwardedTo: 'envoy_admin' });
    for (const [method, path] of [
      ['POST', '/stats/prometheus'],
      ['GET', '/stats'],
      ['GET', '/stats/prometheus/x'],
      ['GET', '/ready'],
      ['GET', '/config_dump'],
      ['POST', '/quitquitquit'],
      ['POST', '/runtime_modify'],
      ['GET', '/'],
    ]) {
      assert.deepEqual(envoyOutcome(bootstrap, 'stats', method!, path!), { answeredWith: 404 }, `${method} ${path}`);
    }
    // Not counted in the clients' connection limit (a saturated gateway can still be observed), with one of its own.
    const stats = listener(bootstrap, 'stats');
    assert.equal(stats.ignore_global_conn_limit, true);
    assert.equal(stats.filter_chains[0].filters[0].typed_config.max_connections, ENVOY_STATS.maxConnections);
    assert.equal(bootstrap.admin.ignore_global_conn_limit, true, 'the healthcheck’s /ready answers at the limit');
  });

  it('forwards the public API and nothing else: a route’s one path, with any query string, and its method', () => {
    const bootstrap = parse(checkedIn);
    const forwarded = (method: string, path: string) => envoyOutcome(bootstrap, 'gateway', method, path);
    assert.deepEqual(forwarded('POST', '/producer/messages'), { forwardedTo: 'producer' });
    for (const app of ['fastify', 'hapi', 'restify']) {
      assert.deepEqual(forwarded('GET', `/${app}/groups/42/messages`), { forwardedTo: app });
      assert.deepEqual(forwarded('GET', `/${app}/groups/42/messages?limit=5&before=9`), { forwardedTo: app });
      for (const [method, path] of [
        ['GET', `/${app}/metrics`],
        ['GET', `/${app}/health`],
        ['GET', `/${app}/groups/42`],
        ['GET', `/${app}/groups/42/messages/1`],
        ['GET', `/${app}/groups//messages`],
        ['POST', `/${app}/groups/42/messages`],
      ]) {
        assert.deepEqual(forwarded(method!, path!), { answeredWith: 404 }, `${method} ${path}`);
      }
    }
    for (const [method, path] of [
      ['GET', '/producer/messages'],
      ['GET', '/producer/health'],
      ['GET', '/producer/metrics'],
      ['POST', '/producer/messages/1'],
      ['GET', '/stats/prometheus'],
    ]) {
      assert.deepEqual(forwarded(method!, path!), { answeredWith: 404 }, `${method} ${path}`);
    }
    assert.deepEqual(forwarded('GET', '/health'), { answeredWith: 200 });
  });

  it('limits each client address with its own token bucket: the default rate, two seconds’ worth at once, 429 in JSON', () => {
    const manager = gatewayManager(parse(checkedIn));
    const [first] = manager.http_filters;
    assert.equal(first.name, 'envoy.filters.http.local_ratelimit', 'before anything else is done for the request');
    const config = first.typed_config;
    const { perSecond, burst } = clientRateLimit();
    assert.equal(perSecond, GATEWAY_POLICY.clientRateLimit.defaultPerSecond);
    const bucket = { max_tokens: burst, tokens_per_fill: perSecond, fill_interval: '1s' };
    // One bucket per value of remote_address (a wildcard descriptor), none shared by every client.
    assert.deepEqual(config.rate_limits, [{ actions: [{ remote_address: {} }] }]);
    assert.deepEqual(config.descriptors, [{ entries: [{ key: 'remote_address' }], token_bucket: bucket }]);
    assert.equal(config.always_consume_default_token_bucket, false);
    assert.deepEqual(config.token_bucket, bucket);
    assert.equal(config.max_dynamic_descriptors, GATEWAY_POLICY.clientRateLimit.trackedClients);
    assert.notEqual(config.local_rate_limit_per_downstream_connection, true, 'per address, not per connection');
    for (const key of ['filter_enabled', 'filter_enforced']) {
      assert.deepEqual(config[key].default_value, { numerator: 100, denominator: 'HUNDRED' }, key);
    }
    // The client is the TCP peer: no X-Forwarded-For hop is trusted to name it.
    assert.equal(manager.use_remote_address, true);
    assert.equal(manager.xff_num_trusted_hops ?? 0, 0);
    const mapper = manager.local_reply_config.mappers.find(
      (m: any) => m.filter.status_code_filter.comparison.value.default_value === 429,
    );
    assert.deepEqual(mapper.body_format_override.json_format, {
      error: 'rate_limited',
      message: gatewayError(429).message,
    });
    assert.equal(mapper.headers_to_add[0].header.key, 'retry-after');
    assert.equal(mapper.headers_to_add[0].header.value, String(GATEWAY_POLICY.clientRateLimit.burstSeconds));
    // Every answer is logged but the 429s: a flooding client must not flood the log.
    const logged = manager.access_log[0].filter.or_filter.filters.map((f: any) => [
      f.status_code_filter.comparison.op,
      f.status_code_filter.comparison.value.default_value,
    ]);
    assert.deepEqual(logged, [
      ['LE', 428],
      ['GE', 430],
    ]);
  });

  it('bounds how long a client may take over its headers or hold an idle connection, and how many it may hold', () => {
    const bootstrap = parse(checkedIn);
    const manager = gatewayManager(bootstrap);
    assert.equal(manager.request_headers_timeout, seconds(GATEWAY_POLICY.requestHeadersTimeoutMs));
    assert.equal(manager.common_http_protocol_options.idle_timeout, seconds(GATEWAY_POLICY.clientIdleTimeoutMs));
    assert.equal(manager.stream_idle_timeout, seconds(GATEWAY_POLICY.clientIdleTimeoutMs));
    const [monitor] = bootstrap.overload_manager.resource_monitors;
    assert.equal(monitor.name, 'envoy.resource_monitors.global_downstream_max_connections');
    assert.equal(monitor.typed_config.max_active_downstream_connections, GATEWAY_POLICY.maxClientConnections);
  });

  it('closes idle upstream connections itself, within the bound the services’ keep-alive is checked against', () => {
    // Envoy's default is an hour: far past any service's keep-alive timeout (deployment/test/unit/gateway-limits.test.ts).
    for (const cluster of serviceClusters(parse(checkedIn))) {
      const options =
        cluster.typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'];
      assert.equal(
        options.common_http_protocol_options.idle_timeout,
        seconds(GATEWAY_POLICY.upstreamIdle.envoyTimeoutMs),
        cluster.name,
      );
    }
    assert.ok(GATEWAY_POLICY.upstreamIdle.envoyTimeoutMs <= upstreamIdleBoundMs());
  });

  it('takes request heads up to the services’ limit, and answers a larger one with a JSON 431', () => {
    const manager = gatewayManager(parse(checkedIn));
    assert.equal(manager.max_request_headers_kb * 1024, GATEWAY_POLICY.maxRequestHeadBytes);
    const mapper = manager.local_reply_config.mappers.find(
      (m: { filter: { status_code_filter: { comparison: { value: { default_value: number } } } } }) =>
        m.filter.status_code_filter.comparison.value.default_value === 431,
    );
    assert.equal(mapper?.body_format_override.json_format.field, 'headers');
  });
});
