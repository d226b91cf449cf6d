import { seconds } from './envoy-common.js';
import { GATEWAY_POLICY as P } from '../policy.js';
import { retriable, routePathRegex, type Route } from '../route-table.js';

/**
 * A route of the table as an Envoy route: its path and methods, the prefix stripped, and its timeout and retries
 * (GATEWAY_POLICY: reads retry on another replica, sends only after a failed connection).
 */
export function serviceRoute(route: Route) {
  const [only] = route.methods;
  const method =
    route.methods.length === 1 && only !== undefined
      ? { exact: only }
      : { safe_regex: { regex: `^(${route.methods.join('|')})$` } };
  const read = retriable(route);
  return {
    name: route.service,
    // The route's one path, whole (the query string aside): /fastify/metrics is the 404 below, not a fastify page.
    match: { safe_regex: { regex: routePathRegex(route) }, headers: [{ name: ':method', string_match: method }] },
    route: {
      cluster: route.service,
      // prefix_rewrite would replace the whole path a regex matched: strip the prefix with a regex instead.
      regex_rewrite: { pattern: { regex: `^${route.prefix}` }, substitution: '/' },
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
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate',
    },
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
