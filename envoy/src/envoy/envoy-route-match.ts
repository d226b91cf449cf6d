/**
 * What a listener of an Envoy bootstrap (parsed from envoy.yaml) does with a request: the first route of its first
 * virtual host whose path and :method match, as Envoy picks it. Enough of Envoy's matching for what envoy.yaml uses
 * (prefix, path, safe_regex; :method exact or safe_regex), so checks can ask "is GET /fastify/metrics forwarded?" of
 * the file itself rather than of the generator's intent. Path normalisation is left out: requests are given
 * normalised.
 */
export type EnvoyOutcome = { forwardedTo: string } | { answeredWith: number } | { noRoute: true };

interface RouteMatch {
  prefix?: string;
  path?: string;
  safe_regex?: { regex: string };
  headers?: { name: string; string_match?: { exact?: string; safe_regex?: { regex: string } } }[];
}

interface EnvoyRoute {
  match: RouteMatch;
  route?: { cluster?: string };
  direct_response?: { status: number };
}

/** The part of a bootstrap this module reads; every level may be missing from a document it is given. */
interface Bootstrap {
  static_resources?: { listeners?: Listener[] };
}

interface Listener {
  name?: string;
  filter_chains?: { filters?: NetworkFilter[] }[];
}

interface NetworkFilter {
  name?: string;
  typed_config?: { route_config?: { virtual_hosts?: { routes?: EnvoyRoute[] }[] } };
}

export function envoyOutcome(bootstrap: unknown, listenerName: string, method: string, target: string): EnvoyOutcome {
  const routes = listenerRoutes(bootstrap, listenerName);
  const path = target.split('?')[0] ?? target;
  const route = routes.find(
    (candidate) => pathMatches(candidate.match, path) && methodMatches(candidate.match, method),
  );
  if (route === undefined) return { noRoute: true };
  if (route.direct_response !== undefined) return { answeredWith: route.direct_response.status };
  return { forwardedTo: route.route?.cluster ?? '(no cluster)' };
}

function listenerRoutes(bootstrap: unknown, listenerName: string): EnvoyRoute[] {
  const listeners = (bootstrap as Bootstrap).static_resources?.listeners ?? [];
  const listener = listeners.find((l) => l?.name === listenerName);
  const filters = listener?.filter_chains?.[0]?.filters ?? [];
  const manager = filters.find((f) => f?.name === 'envoy.filters.network.http_connection_manager');
  return manager?.typed_config?.route_config?.virtual_hosts?.[0]?.routes ?? [];
}

/** RE2 and JavaScript read the regular expressions envoy.yaml uses alike; Envoy matches the whole string. */
function fullMatch(regex: string, text: string): boolean {
  return new RegExp(`^(?:${regex})$`).test(text);
}

function pathMatches(match: RouteMatch, path: string): boolean {
  if (match.prefix !== undefined) return path.startsWith(match.prefix);
  if (match.path !== undefined) return path === match.path;
  if (match.safe_regex !== undefined) return fullMatch(match.safe_regex.regex, path);
  return false;
}

function methodMatches(match: RouteMatch, method: string): boolean {
  return (match.headers ?? [])
    .filter((header) => header.name === ':method')
    .every(({ string_match: m }) =>
      m?.exact !== undefined
        ? m.exact === method
        : m?.safe_regex !== undefined
          ? fullMatch(m.safe_regex.regex, method)
          : false,
    );
}
