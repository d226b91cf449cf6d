import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { renderHaproxyConfig } from '../../src/haproxy/haproxy-config.js';
import { GATEWAY_ERRORS } from '../../src/gateway-errors.js';
import { GATEWAY_POLICY, clientRateLimit, upstreamIdleBoundMs } from '../../src/policy.js';
import { envoyYamlPath } from '../../src/paths.js';
import { loadRouteTable, routePathRegex } from '../../src/route-table.js';
import { envoyRoutes, haproxyRoutes } from '../../src/testing/route-summary.js';

const table = loadRouteTable();
const servers = new Map([
  ['fastify', ['127.0.0.1:18811', '127.0.0.1:18812', '127.0.0.1:18813']],
  ['hapi', ['127.0.0.1:18821']],
  ['restify', ['127.0.0.1:18831']],
  ['producer', ['127.0.0.1:18801', '127.0.0.1:18802']],
]);
const config = renderHaproxyConfig(table, { port: 18700, metricsPort: 18701, servers });

/** The lines of one section (`frontend gateway`, `defaults`), trimmed. */
function section(text: string, name: string): string[] {
  const block = text.split('\n\n').find((part) => part.split('\n').some((line) => line === name)) ?? '';
  return block
    .split('\n')
    .slice(block.split('\n').indexOf(name) + 1)
    .map((line) => line.trim());
}

async function haproxyCheck(t: TestContext, text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'badam-haproxy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, text);
  return promisify(execFile)('haproxy', ['-c', '-f', file]);
}

describe('HAProxy config', () => {
  it('is accepted by haproxy -c, without warnings', async (t) => {
    const { stdout, stderr } = await haproxyCheck(t, config);
    assert.match(stdout + stderr, /Configuration file is valid/);
    assert.doesNotMatch(stdout + stderr, /WARNING|ALERT/);
  });

  it('is refused by haproxy -c when broken (the check above can fail)', async (t) => {
    await assert.rejects(
      haproxyCheck(t, config.replace('balance roundrobin', 'balance fastest')),
      /balance only supports/,
    );
  });

  it('routes the same paths to the same services, with the same methods, rewrite and retries as envoy.yaml', () => {
    const envoy = envoyRoutes(parse(readFileSync(envoyYamlPath, 'utf8')));
    const haproxy = haproxyRoutes(config);
    assert.equal(haproxy.length, table.routes.length);
    assert.deepEqual(haproxy, envoy);
    // Each route's one path, never a whole prefix: /fastify/metrics is not the public API.
    assert.deepEqual(
      haproxy.map((route) => route.path),
      table.routes.map(routePathRegex),
    );
    assert.ok(haproxy.every((route) => route.rewrite === '/' && route.prefix !== '(none)'));
  });

  it('limits each client address (src) to the policy’s rate, counting only the requests it lets through', () => {
    const frontend = section(config, 'frontend gateway');
    const { perSecond, burst } = clientRateLimit();
    assert.equal(perSecond, GATEWAY_POLICY.clientRateLimit.defaultPerSecond, 'envoy.yaml’s value when not given');
    const window = GATEWAY_POLICY.clientRateLimit.burstSeconds;
    assert.deepEqual(
      frontend.filter((line) => /stick-table|over_client_rate|track-sc|sc-inc/.test(line)),
      [
        `stick-table type ip size ${GATEWAY_POLICY.clientRateLimit.trackedClients} expire ${2 * window}s store gpc0_rate(${window}s)`,
        `acl over_client_rate sc_gpc0_rate(0) ge ${burst}`,
        'http-request track-sc0 src',
        'http-request set-log-level silent if over_client_rate',
        'http-request deny deny_status 429 if over_client_rate',
        'http-request sc-inc-gpc0(0)',
      ],
    );
    // Before anything else is done for the request: the rate limit is the frontend's first rule.
    assert.match(frontend.find((line) => line.startsWith('http-request')) ?? '', /track-sc0 src/);
    const low = section(renderHaproxyConfig(table, { port: 18700, servers, clientRateLimit: 5 }), 'frontend gateway');
    assert.ok(low.includes('acl over_client_rate sc_gpc0_rate(0) ge 10'), low.join('\n'));
    assert.throws(() => renderHaproxyConfig(table, { port: 18700, servers, clientRateLimit: 0 }), /client rate limit/);
  });

  it('bounds header time, idle connections and client connections as envoy.yaml does', () => {
    const defaults = section(config, 'defaults');
    assert.ok(defaults.includes(`timeout http-request ${GATEWAY_POLICY.requestHeadersTimeoutMs}ms`));
    assert.ok(defaults.includes(`timeout http-keep-alive ${GATEWAY_POLICY.clientIdleTimeoutMs}ms`));
    assert.ok(defaults.includes(`timeout client ${GATEWAY_POLICY.clientIdleTimeoutMs}ms`));
    assert.ok(section(config, 'frontend gateway').includes(`maxconn ${GATEWAY_POLICY.maxClientConnections}`));
    assert.ok(
      GATEWAY_POLICY.maxClientConnections < GATEWAY_POLICY.haproxyMaxConnections,
      'room left for the metrics frontend',
    );
  });

  it('lists every local replica of each service, health-checked on /health', () => {
    for (const [service, addresses] of servers) {
      const backend = config.split('\n\n').find((section) => section.startsWith(`backend ${service}\n`)) ?? '';
      assert.match(backend, /option httpchk GET \/health/);
      assert.match(backend, /balance roundrobin/);
      assert.deepEqual(
        backend.match(/^ {2}server \S+ (\S+)$/gm)?.map((line) => line.split(' ').at(-1)),
        addresses,
      );
    }
  });

  it('answers unknown routes with a JSON 404 and serves Prometheus metrics on its own port', () => {
    assert.match(config, /http-request return status 404 content-type application\/json string '\{"error":"not_found"/);
    assert.match(config, /frontend metrics\n {2}bind 127\.0\.0\.1:18701\n.*use-service prometheus-exporter/s);
  });

  it('answers its own errors with the JSON bodies, statuses and Retry-After of Envoy’s local replies', () => {
    const haproxy = [
      ...config.matchAll(
        /^ {2}http-error status (\d+) content-type application\/json (?:hdr retry-after (\d+) )?string '(.*)'$/gm,
      ),
    ].map(([, status, retryAfter, body]) => ({ status: Number(status), retryAfter, body: JSON.parse(body ?? '') }));
    const mappers = parse(readFileSync(envoyYamlPath, 'utf8')).static_resources.listeners[0].filter_chains[0].filters[0]
      .typed_config.local_reply_config.mappers as Record<string, any>[];
    const envoy = mappers.map((m) => ({
      status: m.filter.status_code_filter.comparison.value.default_value,
      retryAfter: m.headers_to_add?.find((h: any) => h.header.key === 'retry-after')?.header.value,
      body: m.body_format_override.json_format,
    }));
    // HAProxy 2.6 takes no http-error for 431: its rules answer it (the next test).
    const ruleOnly = new Set(GATEWAY_ERRORS.filter((e) => e.haproxyRuleOnly).map((e) => e.status));
    assert.deepEqual([...ruleOnly], [431]);
    assert.deepEqual(
      haproxy,
      envoy.filter((e) => !ruleOnly.has(e.status)),
    );
    assert.deepEqual(
      haproxy.map((e) => e.status),
      GATEWAY_ERRORS.filter((e) => !e.haproxyRuleOnly).map((e) => e.status),
    );
    assert.equal(haproxy.find((e) => e.status === 413)?.body.field, 'body');
    assert.equal(haproxy.find((e) => e.status === 503)?.retryAfter, '1');
  });

  it('holds heads of twice the services’ limits and answers past the limits with Envoy’s JSON 431, not its HTML 400', () => {
    const bufsize = Number(/^ {2}tune\.bufsize (\d+)$/m.exec(config)?.[1]);
    const maxrewrite = Number(/^ {2}tune\.maxrewrite (\d+)$/m.exec(config)?.[1]);
    const maxhdr = Number(/^ {2}tune\.http\.maxhdr (\d+)$/m.exec(config)?.[1]);
    assert.equal(bufsize - maxrewrite, 2 * GATEWAY_POLICY.maxRequestHeadBytes);
    assert.ok(
      maxhdr >= (bufsize - maxrewrite) / 4,
      `tune.http.maxhdr ${maxhdr}: the buffer, not the count, is the bound`,
    );
    const mapper = parse(
      readFileSync(envoyYamlPath, 'utf8'),
    ).static_resources.listeners[0].filter_chains[0].filters[0].typed_config.local_reply_config.mappers.find(
      (m: any) => m.filter.status_code_filter.comparison.value.default_value === 431,
    );
    const reply = `http-request return status 431 content-type application/json string '${JSON.stringify(mapper.body_format_override.json_format)}'`;
    const frontend = section(config, 'frontend gateway');
    assert.ok(frontend.includes('http-request set-var(txn.url_bytes) url,length'));
    assert.ok(
      frontend.includes(`${reply} if { req.hdrs,length,add(txn.url_bytes) gt ${GATEWAY_POLICY.maxRequestHeadBytes} }`),
    );
    assert.ok(frontend.includes(`${reply} if { req.fhdr_cnt gt ${GATEWAY_POLICY.maxRequestHeaders} }`));
    const envoyManager = parse(readFileSync(envoyYamlPath, 'utf8')).static_resources.listeners[0].filter_chains[0]
      .filters[0].typed_config;
    assert.equal(envoyManager.common_http_protocol_options.max_headers_count, GATEWAY_POLICY.maxRequestHeaders);
  });

  it('closes idle server connections by pool-purge-delay in every backend', () => {
    // HAProxy 2.6 has no idle timeout for server-side connections: the purge is what closes them (policy.ts).
    const delay = GATEWAY_POLICY.upstreamIdle.haproxyPurgeDelayMs;
    for (const service of servers.keys()) {
      const backend = config.split('\n\n').find((section) => section.startsWith(`backend ${service}\n`)) ?? '';
      assert.match(backend, new RegExp(`^ {2}default-server .* pool-purge-delay ${delay}ms$`, 'm'), service);
    }
    assert.match(config, new RegExp(`^ {2}maxconn ${GATEWAY_POLICY.haproxyMaxConnections}$`, 'm'));
    // The purge empties a full idle pool within the bound the services' keep-alive is checked against.
    assert.ok(delay * (Math.log2(GATEWAY_POLICY.haproxyMaxConnections) + 2) <= upstreamIdleBoundMs());
  });
});
