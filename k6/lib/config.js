// What the scenario reads from the environment besides the spec (k6 run -e NAME=value, or the process environment):
// where the targets are and where results go. The run's shape and thresholds come from scenario.json (lib/settings.js).

const env = (name, fallback) => {
  const value = __ENV[name];
  return value === undefined || value === '' ? fallback : value;
};

/** The gateway; every API is reached through its prefix unless an API has its own URL (below). */
export const BASE_URL = env('BASE_URL', 'http://127.0.0.1:18000').replace(/\/$/, '');

function urls(name, prefix) {
  const list = env(name, `${BASE_URL}/${prefix}`)
    .split(',')
    .map((url) => url.trim().replace(/\/$/, ''))
    .filter((url) => url !== '');
  if (list.length === 0) throw new Error(`${name} lists no URL`);
  return list;
}

/**
 * One base URL list per API: <APP>_URL for each read app (FASTIFY_URL, ...) and PRODUCER_URL for sends, each a
 * comma-separated list of replicas for runs without the gateway. Defaults to the gateway's prefixes.
 */
export function targetsOf(readApis) {
  const targets = { send: urls('PRODUCER_URL', 'producer') };
  for (const api of readApis) targets[api] = urls(`${api.toUpperCase()}_URL`, api);
  return targets;
}

/** Where handleSummary writes report.json and summary.json (the folder must exist); unset: stdout only. */
export const SUMMARY_DIR = env('SUMMARY_DIR', '');

/**
 * RECORD_SENDS=1 logs every accepted send as `accepted <group> <partition> <offset>`; run k6 with
 * --console-output=<file> so the reconciliation can check each one is stored exactly once.
 */
export const RECORD_SENDS = env('RECORD_SENDS', '0') === '1';
