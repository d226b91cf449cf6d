import type * as units from '@grafana/grafana-foundation-sdk/units';

/**
 * What a Badam dashboard says, as data: a panel is a title, a unit and PromQL queries, so overview.ts and
 * service.ts read like a list of questions. The Grafana JSON (layout, options, defaults, schema version) is written by
 * Grafana's foundation SDK in build-dashboard.ts, not by hand.
 */

/** The provisioned datasource (grafana/provisioning/datasources/prometheus.yml) has this fixed uid. */
export const DATASOURCE = { type: 'prometheus', uid: 'prometheus' } as const;

/** The Grafana unit ids used here (the SDK's names): requests/s, operations/s, seconds, 0..1 shown as %, bytes, numbers. */
export type Unit =
  | typeof units.RequestsPerSecond
  | typeof units.OpsPerSecond
  | typeof units.Seconds
  | typeof units.PercentUnit
  | typeof units.BytesIEC
  | typeof units.Short;

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

/** The part of a generated dashboard file the checks read (tests, and the live check in the observability suite). */
export interface DashboardJson {
  uid: string;
  title: string;
  templating: { list: { name: string }[] };
  panels: {
    id: number;
    title: string;
    gridPos: { x: number; y: number; w: number; h: number };
    fieldConfig: { defaults: { unit: string } };
    targets: { refId: string; expr: string }[];
  }[];
}
