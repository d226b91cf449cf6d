import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { overviewDashboard } from '../grafana/overview.js';
import { queryRange } from '../prometheus/query-client.js';
import { renderLineChart, type ChartSeries } from './line-chart.js';

/**
 * The overview dashboard's two main panels (RPS and p95 per API), drawn from a live Prometheus as SVG, for the README
 * where no Grafana runs: the same recording rules the dashboards query.
 *   node observability/dist/src/charts/render-overview.js --prometheus http://127.0.0.1:18090 --minutes 10 --out docs/images
 */
const { values } = parseArgs({
  options: {
    prometheus: { type: 'string', default: 'http://127.0.0.1:18090' },
    minutes: { type: 'string', default: '10' },
    out: { type: 'string', default: 'docs/images' },
  },
});
const end = Math.floor(Date.now() / 1000);
const start = end - Number(values.minutes) * 60;
const step = Math.max(5, Math.floor((end - start) / 240));

async function series(expr: string, scale = 1): Promise<ChartSeries[]> {
  const result = await queryRange(values.prometheus, expr, start, end, step);
  return result
    .map((s) => ({
      label: s.metric.api ?? 'all',
      points: s.values.map(([t, v]): [number, number] => [t, Number(v) * scale]),
    }))
    .filter((s) => s.points.every(([, v]) => Number.isFinite(v)))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** The overview panel's own query, so the picture cannot drift from the dashboard. */
function panelQuery(title: string): string {
  const expr = overviewDashboard.panels.find((panel) => panel.title === title)?.queries[0]?.expr;
  if (expr === undefined) throw new Error(`the overview dashboard has no panel ${JSON.stringify(title)}`);
  return expr;
}

const charts = {
  'overview-rps.svg': renderLineChart({
    title: 'Requests per second by API',
    unit: 'req/s',
    series: await series(panelQuery('Requests per second by API')),
  }),
  'overview-p95.svg': renderLineChart({
    title: 'p95 latency by API (5 min window)',
    unit: 'ms',
    series: await series(panelQuery('p95 latency by API'), 1000),
  }),
};
mkdirSync(values.out, { recursive: true });
for (const [name, svg] of Object.entries(charts)) {
  writeFileSync(join(values.out, name), svg);
  console.log(`wrote ${join(values.out, name)}`);
}
