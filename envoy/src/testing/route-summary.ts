import type { HttpMethod } from '../route-table.js';

/**
 * Reads the routes back out of each rendered config, so tests compare what Envoy and HAProxy will actually do rather
 * than what the renderers were asked for.
 */
export interface RouteSummary {
  prefix: string;
  /** The regular expression the whole path (without the query string) must match. */
  path: string;
  service: string;
  methods: HttpMethod[];
  /** What the upstream sees instead of the prefix. */
  rewrite: string;
  retries: number;
  /** True when attempts are retried only after a failed connection (the request never reached a replica). */
  connectFailureOnly: boolean;
}

/** The service routes of an Envoy bootstrap parsed from YAML (the direct responses left out). */
export function envoyRoutes(bootstrap: any): RouteSummary[] {
  const manager = bootstrap.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
  const routes = manager.route_config.virtual_hosts[0].routes as any[];
  return routes
    .filter((route) => route.route !== undefined)
    .map((route) => {
      const method = route.match.headers.find((h: any) => h.name === ':method').string_match;
      const strip = route.route.regex_rewrite;
      return {
        prefix: /^\^(\/.*\/)$/.exec(strip?.pattern?.regex ?? '')?.[1] ?? '(none)',
        path: route.match.safe_regex?.regex ?? route.match.path ?? `(prefix ${route.match.prefix})`,
        service: route.route.cluster,
        methods:
          method.exact !== undefined ? [method.exact] : /^\^\((.*)\)\$$/.exec(method.safe_regex.regex)![1]!.split('|'),
        rewrite: strip?.substitution ?? route.route.prefix_rewrite ?? '(none)',
        retries: route.route.retry_policy?.num_retries ?? 0,
        connectFailureOnly: route.route.retry_policy?.retry_on === 'connect-failure',
      };
    });
}

/** The service routes of an HAProxy config: `use_backend` rules with their backend's rewrite and retries. */
export function haproxyRoutes(config: string): RouteSummary[] {
  const sections = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of config.split('\n')) {
    if (/^\S/.test(line)) {
      current = [];
      sections.set(line.trim(), current);
    } else if (line.trim() !== '') current.push(line.trim());
  }
  const frontend = sections.get('frontend gateway') ?? [];
  return frontend.flatMap((line) => {
    const rule = /^use_backend (\S+) if \{ (\S+) (\S+) \} \{ method ([A-Z ]+) \}$/.exec(line);
    if (rule === null) return [];
    const [, service, fetch, pattern, methods] = rule as unknown as [string, string, string, string, string];
    const path = fetch === 'path_reg' ? pattern : `(${fetch} ${pattern})`;
    const backend = sections.get(`backend ${service}`) ?? [];
    const replace = backend
      .map((l) => /^http-request replace-path \^(\S+)\(\.\*\) (\S+)\\1$/.exec(l))
      .find((match) => match !== null && pattern.startsWith(`^${match[1]}`));
    const prefix = replace?.[1] ?? '(none)';
    const retries = Number(/^retries (\d+)$/.exec(backend.find((l) => l.startsWith('retries ')) ?? '')?.[1] ?? 3);
    const connectFailureOnly = backend.includes('retry-on conn-failure');
    return [
      {
        prefix,
        path,
        service,
        methods: methods.split(' ') as HttpMethod[],
        rewrite: replace?.[2] ?? '(none)',
        retries,
        connectFailureOnly,
      },
    ];
  });
}
