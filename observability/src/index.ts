export { dashboardsDir, observabilityRoot, rulesDir, swarmConfigPath } from './paths.js';
export { renderNativeConfig, type ExtraScrapeJob, type NativeConfigOptions } from './prometheus/native-config.js';
export { loadedRules, queryInstant, type InstantSample, type RuleState } from './prometheus/query-client.js';
export { DATASOURCE, renderDashboard, type DashboardJson, type DashboardSpec, type PanelSpec } from './grafana/dashboard-model.js';
export { dashboardQueries, renderDashboardFiles, substitute, type PanelQuery } from './grafana/dashboards.js';
