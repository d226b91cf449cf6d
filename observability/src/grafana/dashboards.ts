import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard } from './build-dashboard.js';
import type { DashboardJson } from './dashboard-spec.js';
import { overviewDashboard } from './overview.js';
import { serviceDashboard } from './service.js';

/** The checked-in dashboard files (grafana/dashboards/<name>), exactly as `npm run dashboards` writes them. */
export function renderDashboardFiles(): Map<string, string> {
  return new Map([
    ['overview.json', toFile(buildDashboard(overviewDashboard))],
    ['service.json', toFile(buildDashboard(serviceDashboard))],
  ]);
}

function toFile(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}

export interface PanelQuery {
  panel: string;
  refId: string;
  expr: string;
}

/** Every query of a dashboard file, as Grafana would send it, for checking against a live Prometheus. */
export function dashboardQueries(dashboard: DashboardJson, variables: Record<string, string>): PanelQuery[] {
  return dashboard.panels.flatMap((panel) =>
    panel.targets.map((target) => ({
      panel: panel.title,
      refId: target.refId,
      expr: substitute(target.expr, variables),
    })),
  );
}

/**
 * Replaces Grafana's variables: `$name` / `${name}` from `variables`, and `$__rate_interval` (which Grafana sets
 * to at least four scrape intervals) with `variables.__rate_interval`, 1m unless given.
 */
export function substitute(expr: string, variables: Record<string, string>): string {
  const values: Record<string, string> = { __rate_interval: '1m', ...variables };
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    const value = values[name];
    if (value === undefined) throw new Error(`no value for Grafana variable ${whole} in ${expr}`);
    return value;
  });
}
