import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { renderEnvoyYaml } from '../../src/envoy-config.js';
import { envoyYamlPath } from '../../src/paths.js';
import { GATEWAY_POLICY, seconds, upstreamIdleBoundMs } from '../../src/policy.js';
import { loadRouteTable } from '../../src/route-table.js';
import { envoyRoutes } from '../../src/testing/route-summary.js';

describe('envoy.yaml', () => {
  const table = loadRouteTable();
  const checkedIn = readFileSync(envoyYamlPath, 'utf8');

  it('is what routes.json generates (else: npm run generate -w @badam/gateway)', () => {
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
    const bootstrap = parse(checkedIn);
    const clusters = bootstrap.static_resources.clusters as Record<string, any>[];
    assert.deepEqual(clusters.map((c) => c.name), ['fastify', 'hapi', 'restify', 'producer']);
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

  it('serves the admin interface (/stats/prometheus) on 9901 and the gateway on 8080', () => {
    const bootstrap = parse(checkedIn);
    assert.equal(bootstrap.admin.address.socket_address.port_value, 9901);
    assert.equal(bootstrap.static_resources.listeners[0].address.socket_address.port_value, 8080);
  });

  it('closes idle upstream connections itself, within the bound the services’ keep-alive is checked against', () => {
    // Envoy's default is an hour: far past any service's keep-alive timeout (stack/test/unit/gateway-limits.test.ts).
    const bootstrap = parse(checkedIn);
    for (const cluster of bootstrap.static_resources.clusters) {
      const options = cluster.typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'];
      assert.equal(options.common_http_protocol_options.idle_timeout, seconds(GATEWAY_POLICY.upstreamIdle.envoyTimeoutMs), cluster.name);
    }
    assert.ok(GATEWAY_POLICY.upstreamIdle.envoyTimeoutMs <= upstreamIdleBoundMs());
  });

  it('takes request heads up to the services’ limit, and answers a larger one with a JSON 431', () => {
    const manager = parse(checkedIn).static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
    assert.equal(manager.max_request_headers_kb * 1024, GATEWAY_POLICY.maxRequestHeadBytes);
    const mapper = manager.local_reply_config.mappers.find(
      (m: { filter: { status_code_filter: { comparison: { value: { default_value: number } } } } }) =>
        m.filter.status_code_filter.comparison.value.default_value === 431,
    );
    assert.equal(mapper?.body_format_override.json_format.field, 'headers');
  });
});
