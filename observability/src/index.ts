export { dashboardsDir, observabilityRoot, rulesDir, swarmConfigPath } from './paths.js';
export { renderNativeConfig, type ExtraScrapeJob } from './prometheus/native-config.js';
export { loadedRules, queryInstant } from './prometheus/query-client.js';
export { DATASOURCE, type DashboardJson } from './grafana/dashboard-spec.js';
export { dashboardQueries, renderDashboardFiles, substitute, type PanelQuery } from './grafana/dashboards.js';
