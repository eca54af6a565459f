/**
 * Panel helpers over the foundation SDK builders. Each one requires a title, a unit and a
 * description (the dashboards' contract with their readers), and takes its queries with their
 * datasource so the panel points at the same one.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as StateTimelineBuilder } from '@grafana/grafana-foundation-sdk/statetimeline';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { ClickHouseQueryBuilder, type ClickHouseResultShape } from './clickhouse/dataquery.js';
import { CLICKHOUSE_DS, PROMETHEUS_DS } from './datasources.js';
import type { SqlQuery } from './sql/queries.js';

/** A query and the datasource it runs on. */
export interface PanelQuery {
  readonly datasource: common.DataSourceRef;
  readonly builder: cog.Builder<cog.Dataquery>;
}

/** What every panel must say about itself. */
export interface PanelSpec {
  readonly title: string;
  readonly description: string;
  /** A Grafana unit id (percentunit, bytes, s, watt, celsius, hertz, currencyUSD, short, ...). */
  readonly unit: string;
  readonly queries: readonly PanelQuery[];
  /** Grid width out of 24 (default 12) and height in rows (default 8). */
  readonly width?: number;
  readonly height?: number;
  readonly min?: number;
  readonly max?: number;
  /** Threshold steps above the base colour: [value, colour]. */
  readonly thresholds?: readonly (readonly [number, string])[];
  readonly mappings?: readonly dashboard.ValueMapping[];
}

/** A PromQL range query; `legend` names each series (e.g. "{{host}} gpu {{gpu}}"). */
export function prom(expr: string, legend?: string): PanelQuery {
  const builder = new DataqueryBuilder().datasource(PROMETHEUS_DS).expr(expr).range();
  if (legend !== undefined) builder.legendFormat(legend);
  return { datasource: PROMETHEUS_DS, builder };
}

/** A PromQL instant query; `asTable` returns one row per series with its labels as columns. */
export function promInstant(expr: string, options: { legend?: string; asTable?: boolean } = {}): PanelQuery {
  const builder = new DataqueryBuilder().datasource(PROMETHEUS_DS).expr(expr).instant();
  if (options.legend !== undefined) builder.legendFormat(options.legend);
  if (options.asTable === true) builder.format(PromQueryFormat.Table);
  return { datasource: PROMETHEUS_DS, builder };
}

/** A ClickHouse SQL query from dashboards/sql/queries.ts. */
export function sql(query: SqlQuery, shape: ClickHouseResultShape = 'table'): PanelQuery {
  return { datasource: CLICKHOUSE_DS, builder: new ClickHouseQueryBuilder(query.sql, shape) };
}

/** Value-to-text mappings: [value, text, colour]. */
export function valueMappings(
  entries: readonly (readonly [number | string, string, string])[],
): dashboard.ValueMapping[] {
  const options: Record<string, dashboard.ValueMappingResult> = {};
  entries.forEach(([value, text, color], index) => {
    options[String(value)] = { text, color, index };
  });
  return [{ type: dashboard.MappingType.ValueToText, options }];
}

/** The methods every SDK panel builder shares (the SDK has no common base type for them). */
interface CommonPanelBuilder extends cog.Builder<dashboard.Panel> {
  title(title: string): this;
  description(description: string): this;
  unit(unit: string): this;
  datasource(datasource: common.DataSourceRef): this;
  withTarget(target: cog.Builder<cog.Dataquery>): this;
  span(w: number): this;
  height(h: number): this;
  min(min: number): this;
  max(max: number): this;
  thresholds(thresholds: cog.Builder<dashboard.ThresholdsConfig>): this;
  mappings(mappings: dashboard.ValueMapping[]): this;
}

function applySpec<B extends CommonPanelBuilder>(builder: B, spec: PanelSpec): B {
  const datasource = spec.queries[0]?.datasource;
  if (datasource === undefined) throw new Error(`panel "${spec.title}" has no query`);
  if (spec.queries.some((query) => query.datasource.uid !== datasource.uid)) {
    throw new Error(`panel "${spec.title}" mixes datasources; split it into two panels`);
  }
  builder
    .title(spec.title)
    .description(spec.description)
    .unit(spec.unit)
    .datasource(datasource)
    .span(spec.width ?? 12)
    .height(spec.height ?? 8);
  for (const query of spec.queries) builder.withTarget(query.builder);
  if (spec.min !== undefined) builder.min(spec.min);
  if (spec.max !== undefined) builder.max(spec.max);
  if (spec.mappings !== undefined) builder.mappings([...spec.mappings]);
  if (spec.thresholds !== undefined) {
    builder.thresholds(
      new dashboard.ThresholdsConfigBuilder()
        .mode(dashboard.ThresholdsMode.Absolute)
        .steps([
          { value: null, color: 'green' },
          ...spec.thresholds.map(([value, color]) => ({ value, color })),
        ]),
    );
  }
  return builder;
}

function tableLegend(calcs: string[]): common.VizLegendOptionsBuilder {
  return new common.VizLegendOptionsBuilder()
    .showLegend(true)
    .displayMode(common.LegendDisplayMode.Table)
    .placement(common.LegendPlacement.Bottom)
    .calcs(calcs);
}

/** A time series graph with a table legend (last and max), multi-series tooltip. */
export function timeseries(spec: PanelSpec & { readonly stacked?: boolean }): TimeseriesBuilder {
  const builder = applySpec(new TimeseriesBuilder(), spec)
    .legend(tableLegend(['lastNotNull', 'max']))
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Multi)
        .sort(common.SortOrder.Descending),
    )
    .fillOpacity(spec.stacked === true ? 40 : 10)
    .showPoints(common.VisibilityMode.Never);
  if (spec.stacked === true)
    builder.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  return builder;
}

/** A single big number (the last value), coloured by its thresholds. */
export function stat(spec: PanelSpec): StatBuilder {
  return applySpec(new StatBuilder(), { width: 6, height: 4, ...spec })
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Value);
}

/** A table; PromQL instant queries should use `promInstant(..., { asTable: true })`. */
export function table(
  spec: PanelSpec & { readonly transformations?: dashboard.DataTransformerConfig[] },
): TableBuilder {
  const builder = applySpec(new TableBuilder(), { width: 24, ...spec })
    .showHeader(true)
    .filterable(true);
  for (const transformation of spec.transformations ?? []) builder.withTransformation(transformation);
  return builder;
}

/** A state timeline: one row per series, coloured by its value mappings. */
export function stateTimeline(
  spec: PanelSpec & { readonly mappings: readonly dashboard.ValueMapping[] },
): StateTimelineBuilder {
  return applySpec(new StateTimelineBuilder(), { width: 24, ...spec })
    .showValue(common.VisibilityMode.Never)
    .mergeValues(true)
    .rowHeight(0.8);
}

/** A time series of a SQL query whose `time` column holds epoch milliseconds. */
export function sqlTimeseries(spec: PanelSpec): TimeseriesBuilder {
  // The stores keep epoch-ms BIGINTs; Grafana needs a time field, so convert it client-side
  // rather than use a store-specific SQL function.
  return timeseries(spec).withTransformation({
    id: 'convertFieldType',
    options: { conversions: [{ targetField: 'time', destinationType: 'time' }], fields: {} },
  });
}
