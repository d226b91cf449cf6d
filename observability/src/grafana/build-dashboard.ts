import {
  DashboardBuilder,
  DashboardCursorSync,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
  type Dashboard,
} from '@grafana/grafana-foundation-sdk/dashboard';
import {
  LegendDisplayMode,
  LegendPlacement,
  SortOrder,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { DATASOURCE, type DashboardSpec, type PanelSpec, type VariableSpec } from './dashboard-spec.js';

/**
 * A dashboard spec as Grafana dashboard JSON, through Grafana's foundation SDK (its builders follow Grafana's own
 * dashboard schema, so a field we set is a field Grafana reads). Every panel is filled in the same way, so the files
 * stay uniform: time series from 0, legend below, one tooltip for all series, two panels per row in definition order
 * (the SDK lays panels out left to right, 24 columns to a row).
 */
export function buildDashboard(spec: DashboardSpec): Dashboard {
  const builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(['badam'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('utc')
    .annotations([])
    .links([])
    .variables(spec.variables.map(variable));
  for (const [index, panel] of spec.panels.entries()) builder.withPanel(timeseries(panel, index + 1));
  return builder.build();
}

const PANEL_WIDTH = 12;
const PANEL_HEIGHT = 8;

function timeseries(panel: PanelSpec, id: number): PanelBuilder {
  return new PanelBuilder()
    .id(id)
    .title(panel.title)
    .description(panel.description)
    .datasource(DATASOURCE)
    .span(PANEL_WIDTH)
    .height(PANEL_HEIGHT)
    .unit(panel.unit)
    .min(0)
    .legend(
      new VizLegendOptionsBuilder()
        .displayMode(LegendDisplayMode.List)
        .placement(LegendPlacement.Bottom)
        .showLegend(true),
    )
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending))
    .targets(
      panel.queries.map((query, q) =>
        new DataqueryBuilder()
          .refId(String.fromCharCode(65 + q))
          .datasource(DATASOURCE)
          .expr(query.expr)
          .legendFormat(query.legend)
          .range(),
      ),
    );
}

function variable(spec: VariableSpec): QueryVariableBuilder {
  return new QueryVariableBuilder(spec.name)
    .label(spec.label)
    .datasource(DATASOURCE)
    .definition(spec.query)
    .query({ query: spec.query, refId: `${spec.name}-values` })
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .includeAll(false)
    .multi(false);
}
