/**
 * A small typed model of the Grafana dashboard JSON we generate (schemaVersion 39, Grafana 10/11): a panel is a
 * title, a unit and PromQL queries; layout, datasource and options are filled in the same way for every panel, so
 * the dashboard files stay uniform and the definitions in overview.ts / service.ts read like a list of questions.
 */

/** The provisioned datasource (grafana/provisioning/datasources/prometheus.yml) has this fixed uid. */
export const DATASOURCE = { type: 'prometheus', uid: 'prometheus' } as const;

/** Grafana unit ids used here: requests/s, operations/s, seconds, 0..1 shown as %, bytes, plain numbers. */
export type Unit = 'reqps' | 'ops' | 's' | 'percentunit' | 'bytes' | 'short';

export interface QuerySpec {
  expr: string;
  /** Grafana legend template, e.g. '{{api}}'. */
  legend: string;
}

export interface PanelSpec {
  title: string;
  description: string;
  unit: Unit;
  queries: QuerySpec[];
}

/** A template variable filled from the values of a label (label_values). */
export interface VariableSpec {
  name: string;
  label: string;
  query: string;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  variables: VariableSpec[];
  panels: PanelSpec[];
}

const PANEL_WIDTH = 12;
const PANEL_HEIGHT = 8;

export function renderDashboard(spec: DashboardSpec) {
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['badam'],
    editable: true,
    graphTooltip: 1,
    refresh: '30s',
    schemaVersion: 39,
    time: { from: 'now-1h', to: 'now' },
    timezone: 'utc',
    annotations: { list: [] },
    links: [],
    templating: { list: spec.variables.map(renderVariable) },
    panels: spec.panels.map(renderPanel),
  };
}

export type DashboardJson = ReturnType<typeof renderDashboard>;

function renderVariable(variable: VariableSpec) {
  return {
    name: variable.name,
    label: variable.label,
    type: 'query',
    datasource: DATASOURCE,
    definition: variable.query,
    query: { query: variable.query, refId: `${variable.name}-values` },
    refresh: 2,
    sort: 1,
    includeAll: false,
    multi: false,
  };
}

function renderPanel(panel: PanelSpec, index: number) {
  return {
    id: index + 1,
    type: 'timeseries',
    title: panel.title,
    description: panel.description,
    datasource: DATASOURCE,
    // Two panels per row, in the order they are defined.
    gridPos: { x: (index % 2) * PANEL_WIDTH, y: Math.floor(index / 2) * PANEL_HEIGHT, w: PANEL_WIDTH, h: PANEL_HEIGHT },
    fieldConfig: { defaults: { unit: panel.unit, min: 0 }, overrides: [] },
    options: {
      legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
    targets: panel.queries.map((query, q) => ({
      refId: String.fromCharCode(65 + q),
      datasource: DATASOURCE,
      expr: query.expr,
      legendFormat: query.legend,
      range: true,
    })),
  };
}
