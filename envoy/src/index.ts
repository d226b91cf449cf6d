// What the stack imports from @badam/gateway. Only the names imported somewhere are listed: a module's other exports
// stay inside the package. The files are one folder; the groups follow the README's table.

// The route table (routes.json, read and checked) and where the generated envoy.yaml lives
export { loadRouteTable, servicesOf, type RouteTable } from './route-table.js';
export { envoyYamlPath } from './paths.js';

// The policy both gateways share: timeouts, retries, limits; and the gateway's own error replies
export { GATEWAY_POLICY, upstreamIdleBoundMs } from './policy.js';
export { gatewayError, gatewayErrorBody } from './gateway-errors.js';

// The two renderings of the table: envoy.yaml for the Docker deployments, HAProxy's config for the native stack
export { renderEnvoyYaml } from './envoy/envoy-config.js';
export { renderHaproxyConfig } from './haproxy/haproxy-config.js';

// What a listener of envoy.yaml does with a request, for the deployment checks
export { envoyOutcome } from './envoy/envoy-route-match.js';
