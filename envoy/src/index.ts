export * from './route-table.js';
export * from './policy.js';
export * from './envoy-config.js';
export * from './haproxy-config.js';
export * from './paths.js';
export * from './envoy-admin.js';
export * from './envoy-route-match.js';
