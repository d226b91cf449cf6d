// Resolves k6/scenario.json into one run's settings and thresholds. k6/locust/settings.py does the same in Python for
// Locust; tools/load/test/unit/load-scenario-spec.test.ts keeps the two equal. Pure: no k6 module, so Node can import it.

/** The profile SCENARIO names (default ramp), then every env override the spec lists, as numbers. */
export function resolveSettings(spec, env) {
  const profileName = env.SCENARIO === undefined || env.SCENARIO === '' ? 'ramp' : env.SCENARIO;
  const profile = spec.profiles[profileName];
  if (profile === undefined) {
    throw new Error(`SCENARIO must be one of ${Object.keys(spec.profiles).join(', ')}, got "${profileName}"`);
  }
  const settings = { profile: profileName, ...spec.defaults };
  for (const [key, value] of Object.entries(profile)) if (key !== '$comment') settings[key] = value;
  for (const [name, key] of Object.entries(spec.env)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (!(key in settings)) throw new Error(`${name} does not apply to the ${profileName} profile`);
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number >= 0, got "${raw}"`);
    settings[key] = value;
  }
  if (settings.mode === 'users' && settings.think_max_s < settings.think_min_s) {
    throw new Error(`THINK_MAX_S (${settings.think_max_s}) must be >= THINK_MIN_S (${settings.think_min_s})`);
  }
  return settings;
}

/**
 * Every threshold of a run, per API: p95, p99 (ms), error rate, minimum requests/s over the run; in arrival mode
 * also the share of the rate that may go unstarted (api "all"). Names are what both runners print when one fails.
 */
export function thresholdsOf(settings, readApis) {
  const apis = [...readApis, 'send'];
  const minRps = (api) => {
    if (settings.mode === 'users') return api === 'send' ? settings.min_send_rps : settings.min_read_rps;
    const share = api === 'send' ? settings.send_ratio : (1 - settings.send_ratio) / readApis.length;
    return round(settings.rate * share * settings.min_rate_fraction);
  };
  const thresholds = [];
  for (const api of apis) {
    thresholds.push({ api, stat: 'p95_ms', op: '<', limit: settings.p95_ms });
    thresholds.push({ api, stat: 'p99_ms', op: '<', limit: settings.p99_ms });
    thresholds.push({ api, stat: 'error_rate', op: '<=', limit: settings.max_error_rate });
    thresholds.push({ api, stat: 'rps', op: '>', limit: minRps(api) });
  }
  if (settings.mode === 'arrival') {
    thresholds.push({
      api: 'all',
      stat: 'dropped_per_s',
      op: '<',
      limit: round(Math.max(settings.rate * settings.max_dropped_fraction, 1)),
    });
  }
  return thresholds.map((t) => ({ ...t, name: `${t.api} ${t.stat} ${t.op} ${t.limit}` }));
}

const round = (value) => Math.round(value * 1000) / 1000;
